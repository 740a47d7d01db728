//! Shapes and table layouts of one fold: which tensors exist, how each range-checked
//! tensor is split into limbs, and where every block sits in the fold, model and chunk
//! tables.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ark_ff::{One, Zero};
use zkpot_core::Fr;
use zkpot_trainer::TrainSpec;

use super::flow::FlowScalar;
use crate::range::LIMB_BITS;
use crate::{Error, ShapeReason};

/// The public shape of a fold, derived from a [`TrainSpec`]: every dimension is padded
/// to a power of two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepShape {
    /// Iterations per fold `k` (a power of two).
    pub k: usize,
    /// Batch rows padded to a power of two.
    pub rows: usize,
    /// The batch size (valid rows).
    pub valid_rows: usize,
    /// Layer widths `n_0..n_L` padded to powers of two.
    pub widths: Vec<usize>,
    /// The layer widths as the spec gives them.
    pub layers: Vec<usize>,
    /// Fraction bits `f`.
    pub frac_bits: u32,
    /// Value bits `B` of weights, activations, gradients and data.
    pub value_bits: u32,
    /// Learning-rate shift `s`.
    pub lr_shift: u32,
}

impl StepShape {
    /// The shape of `spec`'s folds. Errors on a spec the step proof cannot cover: `k` not
    /// a power of two, fewer than two layer widths, `value_bits` outside `[2, 64]`, or
    /// shifts so wide that a relation could wrap around the field.
    pub fn new(spec: &TrainSpec) -> Result<Self, Error> {
        let bad = |reason| Error::UnprovableShape { reason };
        if !spec.steps_per_fold.is_power_of_two() {
            return Err(bad(ShapeReason::StepsPerFold {
                steps_per_fold: spec.steps_per_fold,
            }));
        }
        if spec.layers.len() < 2 || spec.layers.contains(&0) {
            return Err(bad(ShapeReason::Layers));
        }
        if spec.batch_size == 0 {
            return Err(bad(ShapeReason::EmptyBatch));
        }
        if !(2..=64).contains(&spec.value_bits) {
            return Err(bad(ShapeReason::ValueBits {
                value_bits: spec.value_bits,
            }));
        }
        if spec.frac_bits == 0 || spec.frac_bits > 48 || spec.lr_shift > 48 {
            return Err(bad(ShapeReason::Shifts {
                frac_bits: spec.frac_bits,
                lr_shift: spec.lr_shift,
            }));
        }
        if let Some(&value) = spec
            .layers
            .iter()
            .chain([&spec.batch_size, &spec.steps_per_fold])
            .find(|&&n| n > 1 << 24)
        {
            return Err(bad(ShapeReason::DimensionTooLarge { value }));
        }
        let widths: Vec<usize> = spec.layers.iter().map(|n| n.next_power_of_two()).collect();
        let shape = Self {
            k: spec.steps_per_fold,
            rows: spec.batch_size.next_power_of_two(),
            valid_rows: spec.batch_size,
            widths,
            layers: spec.layers.clone(),
            frac_bits: spec.frac_bits,
            value_bits: spec.value_bits,
            lr_shift: spec.lr_shift,
        };
        // Every relation's largest integer: an inner product of `n` terms of
        // `2^B`-bounded values (gradients may take one more bit, differences of two
        // ranged values), plus a shifted remainder. Far below p / 2 ~ 2^253 for any
        // accepted spec; checked so that no future spec silently breaks it.
        let widest = shape
            .widths
            .iter()
            .copied()
            .max()
            .unwrap_or(1)
            .max(shape.rows);
        let bits = log2(widest) as u32 + 2 * (shape.value_bits + 2) + shape.rem_bits(Rem::Dw) + 4;
        if bits >= 250 {
            return Err(bad(ShapeReason::FieldWrap { bits }));
        }
        for value in [shape.k, shape.rows]
            .into_iter()
            .chain(shape.widths.iter().copied())
        {
            if value > 1 << 24 {
                return Err(bad(ShapeReason::DimensionTooLarge { value }));
            }
        }
        // The largest stacked tensor (k weight matrices, or k batches of the widest
        // layer) must stay far from a usize's bits.
        let k_bits = log2(shape.k);
        let widest_bits = log2(shape.widths.iter().copied().max().unwrap_or(1));
        let num_vars = k_bits + widest_bits + widest_bits.max(log2(shape.rows));
        if num_vars > 40 {
            return Err(bad(ShapeReason::StackedTooLarge { num_vars }));
        }
        Ok(shape)
    }

    /// Checks that the fields are consistent, as [`StepShape::new`] makes them (the
    /// fields are public: a hand-made shape is checked before it is used).
    pub fn check(&self) -> Result<(), Error> {
        let consistent = self.k.is_power_of_two()
            && self.k <= 1 << 24
            && self.valid_rows > 0
            && self.rows == self.valid_rows.next_power_of_two()
            && self.rows <= 1 << 24
            && self.layers.len() >= 2
            && self.layers.len() == self.widths.len()
            && self
                .layers
                .iter()
                .zip(&self.widths)
                .all(|(&n, &w)| n > 0 && n <= 1 << 24 && w == n.next_power_of_two())
            && (2..=64).contains(&self.value_bits)
            && (1..=48).contains(&self.frac_bits)
            && self.lr_shift <= 48;
        if consistent {
            Ok(())
        } else {
            Err(Error::UnprovableShape {
                reason: ShapeReason::Inconsistent,
            })
        }
    }

    /// The number of layers `L`.
    pub fn num_layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// `n_l`, padded.
    pub fn width(&self, l: usize) -> usize {
        self.widths.get(l).copied().unwrap_or(1)
    }

    /// `log2 k`.
    pub fn k_vars(&self) -> usize {
        log2(self.k)
    }

    /// Entries of one instance of a tensor (all instances: times `k`).
    pub fn entries(&self, t: Tensor) -> usize {
        let n = |l: usize| self.width(l);
        let b = self.rows;
        match t {
            Tensor::X => b * n(0),
            Tensor::Y => b * n(self.num_layers()),
            Tensor::Wt(l) | Tensor::Wfin(l) | Tensor::Wold(l) | Tensor::Wnew(l) => n(l - 1) * n(l),
            Tensor::Dr(l) | Tensor::DwIn(l) => n(l - 1) * n(l),
            Tensor::Bt(l) | Tensor::Bfin(l) | Tensor::Bold(l) | Tensor::Bnew(l) => n(l),
            Tensor::Br(l) | Tensor::DbIn(l) => n(l),
            Tensor::Zq(l)
            | Tensor::Zr(l)
            | Tensor::S(l)
            | Tensor::A(l)
            | Tensor::G(l)
            | Tensor::Zin(l)
            | Tensor::Zp(l) => b * n(l),
            Tensor::Gq(l) | Tensor::Gr(l) | Tensor::GqIn(l) => b * n(l - 1),
            Tensor::Limb(t, _) | Tensor::Pad(t) => self.entries(t.tensor()),
        }
    }

    /// Whether a tensor is stacked over the `k` instances (the model tensors are not).
    pub fn stacked(t: Tensor) -> bool {
        match t {
            Tensor::Wt(_) | Tensor::Bt(_) | Tensor::Wfin(_) | Tensor::Bfin(_) => false,
            Tensor::Limb(t, _) | Tensor::Pad(t) => Self::stacked(t.tensor()),
            _ => true,
        }
    }

    /// The number of variables of a tensor's table.
    pub fn num_vars(&self, t: Tensor) -> usize {
        let inst = if Self::stacked(t) { self.k_vars() } else { 0 };
        log2(self.entries(t)) + inst
    }

    /// The width of a remainder.
    pub fn rem_bits(&self, r: Rem) -> u32 {
        match r {
            Rem::Frac => self.frac_bits,
            Rem::Dw => self.frac_bits + self.lr_shift,
            Rem::Db => self.lr_shift,
        }
    }

    /// How a range-checked tensor is written in limbs:
    /// `x + offset = sum_i 2^(16 i) L_i + 2^T s` with `L_i` in `[0, 2^widths[i])`,
    /// `T = sum widths`, and `s` the ReLU sign bit for the quotients of hidden layers
    /// (zkReLU: the sign is the top bit of the offset value, so `s = [q >= 0]` is
    /// enforced, not just `s` in `{0, 1}`), absent otherwise. `None` for tensors that are
    /// not range-checked.
    pub fn encoding(&self, t: Tensor) -> Option<Encoding> {
        let b = self.value_bits;
        let signed = |bits: u32| Encoding {
            offset: 1i128 << (bits - 1),
            widths: split_bits(bits),
            sign: None,
        };
        let unsigned = |bits: u32| Encoding {
            offset: 0,
            widths: split_bits(bits),
            sign: None,
        };
        Some(match t {
            Tensor::Zq(l) if l < self.num_layers() => Encoding {
                offset: 1i128 << (b - 1),
                widths: split_bits(b - 1),
                sign: Some(Tensor::S(l)),
            },
            Tensor::X
            | Tensor::Y
            | Tensor::Wt(_)
            | Tensor::Bt(_)
            | Tensor::Wnew(_)
            | Tensor::Bnew(_)
            | Tensor::Zq(_)
            | Tensor::Gq(_) => signed(b),
            Tensor::Zr(_) | Tensor::Gr(_) => unsigned(self.rem_bits(Rem::Frac)),
            Tensor::Dr(_) => unsigned(self.rem_bits(Rem::Dw)),
            Tensor::Br(_) => unsigned(self.rem_bits(Rem::Db)),
            _ => return None,
        })
    }

    /// Every range-checked tensor of the fold, in a fixed order.
    pub fn ranged(&self) -> Vec<Tensor> {
        let mut out = vec![Tensor::X, Tensor::Y];
        let big_l = self.num_layers();
        for l in 1..=big_l {
            out.extend([
                Tensor::Wt(l),
                Tensor::Bt(l),
                Tensor::Wnew(l),
                Tensor::Bnew(l),
                Tensor::Zq(l),
                Tensor::Zr(l),
                Tensor::Dr(l),
                Tensor::Br(l),
            ]);
            if l >= 2 {
                out.extend([Tensor::Gq(l), Tensor::Gr(l)]);
            }
        }
        out
    }

    /// The model layout: `W_l` and `b_l` of every layer (values).
    pub fn model_layout(&self) -> Layout<Tensor> {
        let mut items = Vec::new();
        for l in 1..=self.num_layers() {
            items.push((Tensor::Wt(l), self.num_vars(Tensor::Wt(l))));
            items.push((Tensor::Bt(l), self.num_vars(Tensor::Bt(l))));
        }
        Layout::pack(items, None)
    }

    /// The chunk layout: the `k` batches `X` and targets `Y` (values).
    pub fn chunk_layout(&self) -> Layout<Tensor> {
        let items = vec![
            (Tensor::X, self.num_vars(Tensor::X)),
            (Tensor::Y, self.num_vars(Tensor::Y)),
        ];
        Layout::pack(items, None)
    }

    /// For the tensors that come from outside the fold (the data in `C_chunk`, the
    /// starting model in `C_prev`): per instance `(rows, valid rows, cols, valid cols)`
    /// of the padded matrix. Their padding must be zero, which the step proof checks.
    pub fn padding(&self, t: Tensor) -> Option<(usize, usize, usize, usize)> {
        let big_l = self.num_layers();
        let d = |l: usize| self.layers.get(l).copied();
        let dims = match t {
            Tensor::X => (self.rows, self.valid_rows, self.width(0), d(0)?),
            Tensor::Y => (self.rows, self.valid_rows, self.width(big_l), d(big_l)?),
            Tensor::Wt(l) => {
                let prev = l.checked_sub(1)?;
                (self.width(prev), d(prev)?, self.width(l), d(l)?)
            }
            Tensor::Bt(l) => (1, 1, self.width(l), d(l)?),
            _ => return None,
        };
        (dims.0 != dims.1 || dims.2 != dims.3).then_some(dims)
    }

    /// The input tensors whose padding is checked.
    pub fn padded_inputs(&self) -> Vec<Tensor> {
        let mut out = vec![Tensor::X, Tensor::Y];
        for l in 1..=self.num_layers() {
            out.extend([Tensor::Wt(l), Tensor::Bt(l)]);
        }
        out.retain(|&t| self.padding(t).is_some());
        out
    }

    /// The sign-bit tensors `S_1..S_{L-1}`.
    pub fn sign_tensors(&self) -> Vec<Tensor> {
        (1..self.num_layers()).map(Tensor::S).collect()
    }

    /// The bits region: every sign table, zero-padded to a power of two. `None` for a
    /// one-layer model.
    pub fn bits_region(&self) -> Option<Layout<Tensor>> {
        let items: Vec<(Tensor, usize)> = self
            .sign_tensors()
            .into_iter()
            .map(|t| (t, self.num_vars(t)))
            .collect();
        (!items.is_empty()).then(|| Layout::pack(items, None))
    }

    /// The range regions: per limb width, the limb blocks of that width cut into
    /// power-of-two regions (the binary expansion of their total), each proven by one
    /// range check against `[0, 2^width)`.
    pub fn range_regions(&self) -> Vec<RangeRegion> {
        let mut by_width: Vec<(u32, Vec<(Tensor, usize)>)> = Vec::new();
        for t in self.ranged() {
            let Some(enc) = self.encoding(t) else {
                continue;
            };
            for (i, &w) in enc.widths.iter().enumerate() {
                let limb = Tensor::Limb(LimbOf::new(t), i as u8);
                let item = (limb, self.num_vars(t));
                match by_width.iter_mut().find(|(x, _)| *x == w) {
                    Some((_, v)) => v.push(item),
                    None => by_width.push((w, vec![item])),
                }
            }
        }
        by_width.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
        let mut regions = Vec::new();
        for (width, mut items) in by_width {
            items.sort_by_key(|(_, nv)| std::cmp::Reverse(*nv));
            let total: u128 = items.iter().map(|(_, nv)| 1u128 << nv).sum();
            let mut items = items.into_iter().peekable();
            let top = 127 - total.leading_zeros() as usize;
            for bit in (0..128).rev() {
                if total >> bit & 1 == 0 {
                    continue;
                }
                if bit + TAIL_SPAN < top {
                    // The small tail: one region padded with zero limbs (at most twice
                    // its size), rather than one range check per power of two.
                    let rest: Vec<(Tensor, usize)> = items.by_ref().collect();
                    let index = regions.len();
                    regions.push(RangeRegion {
                        width,
                        index,
                        layout: Layout::pack(rest, None),
                    });
                    break;
                }
                let mut region = Vec::new();
                let mut filled = 0u128;
                while filled < 1u128 << bit {
                    match items.next() {
                        Some(item) => {
                            filled += 1u128 << item.1;
                            region.push(item);
                        }
                        None => break,
                    }
                }
                let index = regions.len();
                regions.push(RangeRegion {
                    width,
                    index,
                    layout: Layout::pack(region, Some(bit)),
                });
            }
        }
        regions
    }

    /// The fold layout: every limb block, the sign bits, the multiplicities of each
    /// range region and the model after the fold.
    pub fn fold_layout(&self) -> Layout<Block> {
        let mut items = Vec::new();
        for region in self.range_regions() {
            for e in &region.layout.entries {
                items.push((Block::Tensor(e.key), e.num_vars));
            }
            items.push((Block::Mult(region.index), region.width as usize));
        }
        for t in self.sign_tensors() {
            items.push((Block::Tensor(t), self.num_vars(t)));
        }
        items.push((Block::Model, self.model_layout().num_vars));
        Layout::pack(items, None)
    }

    /// The variables of the table behind `C_prev`: the model table for fold 0 (`C_W0`),
    /// the previous fold's table after it.
    pub fn prev_num_vars(&self, fold_index: u64) -> usize {
        if fold_index == 0 {
            self.model_layout().num_vars
        } else {
            self.fold_layout().num_vars
        }
    }
}

/// Regions more than `2^TAIL_SPAN` times smaller than the largest of their width are
/// packed into one padded region.
const TAIL_SPAN: usize = 3;

/// The three remainder kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rem {
    /// Forward and backward rescales by `2^f`.
    Frac,
    /// The weight gradient, by `2^(f + s)`.
    Dw,
    /// The bias gradient, by `2^s`.
    Db,
}

/// Widths of the limbs of a `bits`-wide unsigned value: 16-bit limbs, the top one
/// narrower. Empty for 0 bits (the value must be 0).
pub fn split_bits(bits: u32) -> Vec<u32> {
    let mut out = vec![LIMB_BITS; (bits / LIMB_BITS) as usize];
    if bits % LIMB_BITS != 0 {
        out.push(bits % LIMB_BITS);
    }
    out
}

/// A limb encoding (see [`StepShape::encoding`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// The offset added before splitting (`2^(B-1)` for signed values).
    pub offset: i128,
    /// Limb widths, least significant first.
    pub widths: Vec<u32>,
    /// The sign-bit table that is the top bit (weight `2^T`), if any.
    pub sign: Option<Tensor>,
}

impl Encoding {
    /// `T`, the total width of the limbs.
    pub fn limb_bits(&self) -> u32 {
        self.widths.iter().sum()
    }

    /// Splits `x` as the encoding says: the limbs and the top bit (0 without a sign).
    /// Always succeeds; the parts are in range iff [`Encoding::in_range`] says so (a
    /// cheating prover's parts are not, and the range check rejects them).
    pub fn split(&self, x: i128) -> (Vec<i128>, i128) {
        let total = self.limb_bits();
        let top = if self.sign.is_some() && total < 126 {
            x.saturating_add(self.offset) >> total
        } else {
            0
        };
        (self.split_with_top(x, top), top)
    }

    /// The limbs of `x + offset - top 2^T`: `x` split below a given top bit (the
    /// committed sign bit, which a cheating prover may set wrongly).
    pub fn split_with_top(&self, x: i128, top: i128) -> Vec<i128> {
        let total = self.limb_bits().min(126);
        let u = x
            .saturating_add(self.offset)
            .saturating_sub(top.saturating_mul(1i128 << total));
        let c = self.widths.len();
        (0..c)
            .map(|i| {
                let shifted = u >> (16 * i).min(127);
                if i + 1 == c {
                    shifted
                } else {
                    shifted & 0xffff
                }
            })
            .collect()
    }

    /// Whether split parts are in range: every limb in `[0, 2^width)`, the top bit 0 or
    /// 1, and nothing left over when there are no limbs.
    pub fn in_range(&self, limbs: &[i128], top: i128) -> bool {
        let bit_ok = (0..=1).contains(&top) && (self.sign.is_some() || top == 0);
        bit_ok
            && limbs.len() == self.widths.len()
            && limbs
                .iter()
                .zip(&self.widths)
                .all(|(&l, &w)| (0..1i128 << w).contains(&l))
    }
}

/// A tensor of a fold (layers numbered `1..=L`; `A(0)` is `X`, `A(L)` is `Zq(L)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tensor {
    /// The `k` batches.
    X,
    /// The `k` one-hot targets.
    Y,
    /// `W_l` at the start of the fold (in `C_prev`).
    Wt(usize),
    /// `b_l` at the start of the fold.
    Bt(usize),
    /// `W_l` after the fold (model block of `C_new`).
    Wfin(usize),
    /// `b_l` after the fold.
    Bfin(usize),
    /// `W_l` before each iteration (virtual).
    Wold(usize),
    /// `b_l` before each iteration (virtual).
    Bold(usize),
    /// `W_l` after each iteration.
    Wnew(usize),
    /// `b_l` after each iteration.
    Bnew(usize),
    /// Forward quotient `q_l = rescale(Z_l, f)`.
    Zq(usize),
    /// Forward remainder.
    Zr(usize),
    /// Sign bits `s_l` (hidden layers).
    S(usize),
    /// Activation `A_l` (virtual).
    A(usize),
    /// Gradient `G_l` (virtual).
    G(usize),
    /// Weight-gradient remainder.
    Dr(usize),
    /// Bias-gradient remainder.
    Br(usize),
    /// Backward quotient `rescale(G_l W_l^T, f)` (`l >= 2`).
    Gq(usize),
    /// Backward remainder.
    Gr(usize),
    /// `A_{l-1}^T G_l` (virtual).
    DwIn(usize),
    /// `colsum(G_l)` (virtual).
    DbIn(usize),
    /// `Z_l` (virtual).
    Zin(usize),
    /// `A_{l-1} W_l` (virtual).
    Zp(usize),
    /// `G_l W_l^T` (virtual).
    GqIn(usize),
    /// Limb `i` of a range-checked tensor.
    Limb(LimbOf, u8),
    /// The padding mask of an input tensor: 1 on padding entries, 0 on valid ones.
    Pad(LimbOf),
}

/// The range-checked tensor a limb belongs to (a copy of the [`Tensor`] without limbs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LimbOf(u8, u32);

impl LimbOf {
    /// Wraps a tensor (not itself a limb).
    pub fn new(t: Tensor) -> Self {
        let (code, l) = match t {
            Tensor::X => (0, 0),
            Tensor::Y => (1, 0),
            Tensor::Wt(l) => (2, l),
            Tensor::Bt(l) => (3, l),
            Tensor::Wnew(l) => (4, l),
            Tensor::Bnew(l) => (5, l),
            Tensor::Zq(l) => (6, l),
            Tensor::Zr(l) => (7, l),
            Tensor::Dr(l) => (8, l),
            Tensor::Br(l) => (9, l),
            Tensor::Gq(l) => (10, l),
            Tensor::Gr(l) => (11, l),
            _ => (255, 0),
        };
        Self(code, l as u32)
    }

    /// The tensor.
    pub fn tensor(self) -> Tensor {
        let l = self.1 as usize;
        match self.0 {
            0 => Tensor::X,
            1 => Tensor::Y,
            2 => Tensor::Wt(l),
            3 => Tensor::Bt(l),
            4 => Tensor::Wnew(l),
            5 => Tensor::Bnew(l),
            6 => Tensor::Zq(l),
            7 => Tensor::Zr(l),
            8 => Tensor::Dr(l),
            9 => Tensor::Br(l),
            10 => Tensor::Gq(l),
            _ => Tensor::Gr(l),
        }
    }
}

/// A block of the fold table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Block {
    /// A limb table or a sign table.
    Tensor(Tensor),
    /// The multiplicities of range region `i`.
    Mult(usize),
    /// The model after the fold.
    Model,
}

impl From<Tensor> for Block {
    /// The tensor's block (the blocks of the model, chunk and region layouts are named by
    /// their tensors).
    fn from(t: Tensor) -> Self {
        Block::Tensor(t)
    }
}

/// A range region: limb blocks of one width, concatenated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeRegion {
    /// The limb width (the table is `[0, 2^width)`).
    pub width: u32,
    /// The region's index (its multiplicity block is `Block::Mult(index)`).
    pub index: usize,
    /// Where its limb blocks sit in it.
    pub layout: Layout<Tensor>,
}

/// One block of a [`Layout`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<K> {
    /// What it holds.
    pub key: K,
    /// Its first index (a multiple of `2^num_vars`).
    pub offset: usize,
    /// Its size is `2^num_vars`.
    pub num_vars: usize,
}

/// Power-of-two blocks packed at aligned offsets (largest first) in a table of
/// `2^num_vars` entries: a claim on a block at `r` is a claim on the table at `r`
/// followed by the bits of the block's offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout<K> {
    /// The blocks, in order of offset.
    pub entries: Vec<Entry<K>>,
    /// The table has `2^num_vars` entries.
    pub num_vars: usize,
}

impl<K: Copy + PartialEq> Layout<K> {
    /// Packs `items` (key, variables), largest first (stable), at aligned offsets. The
    /// table has at least `min_vars` variables when given.
    pub fn pack(mut items: Vec<(K, usize)>, min_vars: Option<usize>) -> Self {
        items.sort_by_key(|(_, nv)| std::cmp::Reverse(*nv));
        let mut offset = 0usize;
        let mut entries = Vec::with_capacity(items.len());
        for (key, num_vars) in items {
            entries.push(Entry {
                key,
                offset,
                num_vars,
            });
            offset += 1 << num_vars;
        }
        let num_vars = log2(offset.max(1).next_power_of_two()).max(min_vars.unwrap_or(0));
        Self { entries, num_vars }
    }

    /// The block holding `key`.
    pub fn entry(&self, key: K) -> Option<&Entry<K>> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The point on the whole table for `local` on the block `key`.
    pub fn point(&self, key: K, local: &[Fr]) -> Result<Vec<Fr>, Error>
    where
        K: Into<Block>,
    {
        self.point_of(key, local)
    }

    /// [`Layout::point`] for the scalars of any side of the flow: `local` followed by the
    /// constant bits of the block's index.
    pub(crate) fn point_of<F: FlowScalar>(&self, key: K, local: &[F]) -> Result<Vec<F>, Error>
    where
        K: Into<Block>,
    {
        let e = self
            .entry(key)
            .ok_or(Error::MissingBlock { block: key.into() })?;
        if local.len() != e.num_vars {
            return Err(Error::PointLengthMismatch {
                expected: e.num_vars,
                got: local.len(),
            });
        }
        let high_vars = self
            .num_vars
            .checked_sub(e.num_vars)
            .ok_or(Error::BlockOutsideLayout {
                block: key.into(),
                num_vars: e.num_vars,
                layout_vars: self.num_vars,
            })?;
        let high = e.offset >> e.num_vars;
        let mut point = local.to_vec();
        for j in 0..high_vars {
            point.push(F::constant(if high >> j & 1 == 1 {
                Fr::one()
            } else {
                Fr::zero()
            }));
        }
        Ok(point)
    }

    /// The selector weight of block `e` at a point of the whole table:
    /// `eq(point[e.num_vars..], bits of the block's index)`.
    pub fn selector(&self, e: &Entry<K>, point: &[Fr]) -> Fr {
        self.selector_of(e, point)
    }

    /// [`Layout::selector`] for the scalars of any side of the flow.
    pub(crate) fn selector_of<F: FlowScalar>(&self, e: &Entry<K>, point: &[F]) -> F {
        let high = e.offset >> e.num_vars;
        let mut acc = F::constant(Fr::one());
        for (j, r) in point.iter().skip(e.num_vars).enumerate() {
            acc = if high >> j & 1 == 1 {
                acc * r.clone()
            } else {
                acc * (F::constant(Fr::one()) - r.clone())
            };
        }
        acc
    }
}

/// `log2` of a power of two.
pub(crate) fn log2(n: usize) -> usize {
    n.trailing_zeros() as usize
}
