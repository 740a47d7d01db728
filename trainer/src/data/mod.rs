//! Labelled datasets in fixed point, and the one shuffle of the protocol.
//!
//! | item | what |
//! |---|---|
//! | [`Dataset`] | rows of fixed-point features with class labels and one-hot targets |
//! | [`permutation`] | the deterministic Fisher-Yates shuffle (DESIGN 4, Batches) |
//! | [`DatasetSource`], [`load`] | where data comes from: the embedded 8x8 digits, IDX or CSV files |
//! | [`idx`] | reader of MNIST-format IDX files (gzip or raw) |
//! | [`csv`] | reader of `pixels..., label` CSV files (gzip or plain) |
//! | [`DataError`] | every way loading can fail; bad files are errors, never panics |
//!
//! Pixels `p` in `0..=pixel_max` become the fixed-point value
//! `round_half_up(p * 2^f / pixel_max)`, computed exactly in integers, so every
//! feature lies in `0..=2^f` (`f` = `frac_bits`).
//!
//! Files are read whole into memory; a gzip stream (recognised by its magic bytes
//! `1f 8b`, never by the file name) is decompressed first. Neither the file nor its
//! decompressed content may exceed [`MAX_INPUT_BYTES`].

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub mod csv;
pub mod idx;

/// Stream of [`permutation`] that orders the training set (DESIGN 4, Batches).
pub const TRAIN_STREAM: u64 = 0;
/// Stream of [`permutation`] used by [`Dataset::split`].
pub const SPLIT_STREAM: u64 = 1;
/// Percentage of rows that [`load`] puts in the test set of datasets that come
/// without an official split (digits, CSV).
pub const DEFAULT_TEST_PERCENT: u32 = 20;
/// Largest accepted input, in bytes, both as read from disk and after decompression.
pub const MAX_INPUT_BYTES: u64 = 1 << 32;
/// Smallest supported number of fractional bits.
pub const MIN_FRAC_BITS: u32 = 1;
/// Largest supported number of fractional bits.
pub const MAX_FRAC_BITS: u32 = 30;
/// Largest supported number of classes (labels are `u8`).
pub const MAX_CLASSES: usize = 256;
/// Number of classes of MNIST, Fashion-MNIST, the digits and CSV files.
pub const NUM_DIGIT_CLASSES: usize = 10;
/// Where the Debian package `dataset-fashion-mnist` puts Fashion-MNIST; the
/// source string `fashion` means this folder.
pub const FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";
/// Largest pixel value of the embedded 8x8 digits.
pub const DIGITS_PIXEL_MAX: u32 = 16;

/// Every way loading or building a dataset can fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A file could not be opened or read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Neither the gzipped nor the raw form of a required file exists.
    #[error("neither {0}.gz nor {0} exists", .path.display())]
    NotFound {
        /// The file's path without the `.gz` extension.
        path: PathBuf,
    },
    /// A gzip stream is corrupt or truncated.
    #[error("{} is not a valid gzip stream: {source}", .path.display())]
    Decompress {
        /// The file.
        path: PathBuf,
        /// The decoder's complaint.
        source: io::Error,
    },
    /// A file, or its decompressed content, exceeds [`MAX_INPUT_BYTES`].
    #[error("{} is larger than the limit of {max_bytes} bytes (after decompression)", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        max_bytes: u64,
    },
    /// An IDX file starts with the wrong magic number.
    #[error("{}: magic number 0x{found:08x}, expected 0x{expected:08x}", .path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number of this kind of file.
        expected: u32,
        /// The file's first four bytes, big-endian.
        found: u32,
    },
    /// A file ends before its header says it should.
    #[error("{} is truncated: its {part} needs {expected_bytes} bytes in all, the file has {found_bytes}", .path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The part that is cut off: `"header"` or `"data"`.
        part: &'static str,
        /// The (decompressed) length the part needs the file to have.
        expected_bytes: u64,
        /// The (decompressed) length of the file.
        found_bytes: u64,
    },
    /// A file has bytes after the data its header announces.
    #[error("{} has trailing bytes: its header announces {expected_bytes} bytes, the file has {found_bytes}", .path.display())]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// The (decompressed) length the header announces.
        expected_bytes: u64,
        /// The (decompressed) length of the file.
        found_bytes: u64,
    },
    /// Sizes that are zero, overflow, or exceed the limits.
    #[error("bad dimensions of {what}: {reason}")]
    BadDimensions {
        /// The file or dataset.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// Two sizes that must agree do not, e.g. the number of images and of labels.
    #[error("mismatch: {what}: expected {expected}, found {found}")]
    Mismatch {
        /// The two things compared.
        what: String,
        /// The size the first one fixes.
        expected: usize,
        /// The size of the second one.
        found: usize,
    },
    /// A line of a CSV file is malformed.
    #[error("{}, line {line}: {reason}", .path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong: column count, a non-integer, a pixel above 255, a label
        /// that is not a class.
        reason: String,
    },
    /// A label is not a class index.
    #[error("label {label} of sample {index} is not a class index (num_classes = {classes})")]
    BadLabel {
        /// The sample.
        index: usize,
        /// Its label.
        label: u8,
        /// The number of classes.
        classes: usize,
    },
    /// A pixel is larger than the declared maximum.
    #[error("pixel {pixel} at flat index {index} exceeds pixel_max = {pixel_max}")]
    BadPixel {
        /// The flat (row-major) index of the pixel.
        index: usize,
        /// Its value.
        pixel: u32,
        /// The declared maximum.
        pixel_max: u32,
    },
    /// A number of fractional bits outside `MIN_FRAC_BITS..=MAX_FRAC_BITS`.
    #[error("frac_bits = {frac_bits} is not in {MIN_FRAC_BITS}..={MAX_FRAC_BITS}")]
    BadFracBits {
        /// The rejected value.
        frac_bits: u32,
    },
    /// A number of classes outside `2..=MAX_CLASSES`.
    #[error("num_classes = {num_classes} is not in 2..={MAX_CLASSES}")]
    BadNumClasses {
        /// The rejected value.
        num_classes: usize,
    },
    /// A test percentage above 100.
    #[error("test_percent = {test_percent} is not in 0..=100")]
    BadPercent {
        /// The rejected value.
        test_percent: u32,
    },
    /// A real-valued feature is not finite or too large for the fixed-point format.
    #[error("feature {index} is {value}, which is not finite or does not fit {frac_bits} fractional bits (|x| 2^frac_bits must stay below 2^{MAX_FEATURE_BITS})")]
    BadFeature {
        /// Flat index of the feature (row-major).
        index: usize,
        /// Its value.
        value: f64,
        /// The fixed-point format it was converted to.
        frac_bits: u32,
    },
    /// A source with no samples at all.
    #[error("{what} holds no samples")]
    Empty {
        /// The file or dataset.
        what: String,
    },
    /// The embedded digits data is not what this module expects (a smartcore
    /// version with different data).
    #[error("embedded digits: {reason}")]
    EmbeddedDigits {
        /// What is wrong.
        reason: String,
    },
    /// A dataset source string that [`DatasetSource::from_str`] cannot parse.
    #[error(
        "unknown dataset `{0}`: expected `digits`, `mnist:DIR`, `fashion` \
         (= {FASHION_MNIST_DIR}), `fashion:DIR` or `csv:FILE`"
    )]
    BadSpec(String),
}

/// A labelled dataset in fixed point.
///
/// Samples are rows of `num_features` fixed-point values (value `x` means
/// `x / 2^frac_bits`), stored row-major in one vector; labels are class indices
/// in `0..num_classes`; targets are one-hot rows (`2^frac_bits` for the true class,
/// 0 elsewhere) as the MSE loss uses them.
#[derive(Clone, PartialEq, Eq)]
pub struct Dataset {
    name: String,
    num_features: usize,
    num_classes: usize,
    frac_bits: u32,
    samples: Vec<i64>,
    labels: Vec<u8>,
}

/// A dataset cut into a training and a test set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The rows to train on.
    pub train: Dataset,
    /// The held-out rows.
    pub test: Dataset,
}

impl fmt::Debug for Dataset {
    /// A summary: the samples of a real dataset are far too many to print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dataset")
            .field("name", &self.name)
            .field("len", &self.len())
            .field("num_features", &self.num_features)
            .field("num_classes", &self.num_classes)
            .field("frac_bits", &self.frac_bits)
            .finish_non_exhaustive()
    }
}

/// Checks `frac_bits` against `MIN_FRAC_BITS..=MAX_FRAC_BITS`.
pub(crate) fn check_frac_bits(frac_bits: u32) -> Result<(), DataError> {
    if (MIN_FRAC_BITS..=MAX_FRAC_BITS).contains(&frac_bits) {
        Ok(())
    } else {
        Err(DataError::BadFracBits { frac_bits })
    }
}

impl Dataset {
    /// Builds a dataset from fixed-point samples (row-major, `labels.len()` rows of
    /// `num_features` values) and labels.
    ///
    /// Checks that `num_features >= 1`, `num_classes` is in `2..=256`, `frac_bits`
    /// is in `1..=30`, `samples.len() == labels.len() * num_features`, and every
    /// label is below `num_classes`. An empty dataset (no rows) is allowed.
    pub fn new(
        name: impl Into<String>,
        num_features: usize,
        num_classes: usize,
        frac_bits: u32,
        samples: Vec<i64>,
        labels: Vec<u8>,
    ) -> Result<Self, DataError> {
        let name = name.into();
        check_frac_bits(frac_bits)?;
        if !(2..=MAX_CLASSES).contains(&num_classes) {
            return Err(DataError::BadNumClasses { num_classes });
        }
        let expected = checked_area(&name, labels.len(), num_features)?;
        if samples.len() != expected {
            return Err(DataError::Mismatch {
                what: format!(
                    "length of the samples of `{name}` against labels ({}) * num_features ({num_features})",
                    labels.len()
                ),
                expected,
                found: samples.len(),
            });
        }
        if let Some((index, &label)) = labels
            .iter()
            .enumerate()
            .find(|&(_, &l)| usize::from(l) >= num_classes)
        {
            return Err(DataError::BadLabel {
                index,
                label,
                classes: num_classes,
            });
        }
        Ok(Self {
            name,
            num_features,
            num_classes,
            frac_bits,
            samples,
            labels,
        })
    }

    /// Builds a dataset from integer pixels in `0..=pixel_max` (row-major,
    /// `labels.len()` rows of `num_features` pixels).
    ///
    /// Pixel `p` becomes `round_half_up(p * 2^frac_bits / pixel_max)`, computed
    /// exactly as `(2 p 2^f + pixel_max) div (2 pixel_max)`, so features lie in
    /// `0..=2^frac_bits`. A pixel above `pixel_max` is [`DataError::BadPixel`];
    /// `pixel_max = 0` is [`DataError::BadDimensions`]; the rest is checked as in
    /// [`Dataset::new`].
    pub fn from_pixels(
        name: impl Into<String>,
        num_features: usize,
        num_classes: usize,
        pixels: &[u8],
        pixel_max: u32,
        labels: Vec<u8>,
        frac_bits: u32,
    ) -> Result<Self, DataError> {
        let name = name.into();
        check_frac_bits(frac_bits)?;
        if pixel_max == 0 {
            return Err(DataError::BadDimensions {
                what: format!("dataset `{name}`"),
                reason: "pixel_max is 0".into(),
            });
        }
        let expected = checked_area(&name, labels.len(), num_features)?;
        if pixels.len() != expected {
            return Err(DataError::Mismatch {
                what: format!(
                    "number of pixels of `{name}` against labels ({}) * num_features ({num_features})",
                    labels.len()
                ),
                expected,
                found: pixels.len(),
            });
        }
        // A lookup table over all u8 values; entries above pixel_max are never used.
        let scale = 1u64 << frac_bits;
        let max = u64::from(pixel_max);
        let table: Vec<i64> = (0..=255u64)
            .map(|p| ((2 * p * scale + max) / (2 * max)) as i64)
            .collect();
        let mut samples = Vec::with_capacity(pixels.len());
        for (index, &p) in pixels.iter().enumerate() {
            if u32::from(p) > pixel_max {
                return Err(DataError::BadPixel {
                    index,
                    pixel: u32::from(p),
                    pixel_max,
                });
            }
            samples.push(table[usize::from(p)]);
        }
        Self::new(name, num_features, num_classes, frac_bits, samples, labels)
    }

    /// Builds a dataset from real-valued features (row-major, `labels.len()` rows of
    /// `num_features` values), each rounded to the nearest multiple of `2^-frac_bits`
    /// (halves away from zero): `x` becomes the integer `round(x 2^frac_bits)`. A value
    /// that is not finite, or whose fixed-point integer reaches `2^MAX_FEATURE_BITS` in
    /// absolute value, is [`DataError::BadFeature`]; the rest is checked as in
    /// [`Dataset::new`]. Training checks every value against the spec's bound.
    pub fn from_f32(
        name: impl Into<String>,
        num_features: usize,
        num_classes: usize,
        features: &[f32],
        labels: Vec<u8>,
        frac_bits: u32,
    ) -> Result<Self, DataError> {
        let wide: Vec<f64> = features.iter().map(|&x| f64::from(x)).collect();
        Self::from_f64(name, num_features, num_classes, &wide, labels, frac_bits)
    }

    /// [`Dataset::from_f32`] for `f64` features.
    pub fn from_f64(
        name: impl Into<String>,
        num_features: usize,
        num_classes: usize,
        features: &[f64],
        labels: Vec<u8>,
        frac_bits: u32,
    ) -> Result<Self, DataError> {
        check_frac_bits(frac_bits)?;
        let scale = f64::from(1u32 << frac_bits);
        let limit = (1u64 << MAX_FEATURE_BITS) as f64;
        let samples = features
            .iter()
            .enumerate()
            .map(|(index, &value)| {
                let x = (value * scale).round();
                if x.is_finite() && x.abs() < limit {
                    Ok(x as i64)
                } else {
                    Err(DataError::BadFeature {
                        index,
                        value,
                        frac_bits,
                    })
                }
            })
            .collect::<Result<Vec<i64>, _>>()?;
        Self::new(name, num_features, num_classes, frac_bits, samples, labels)
    }

    /// The whole embedded 8x8 UCI digits set (1,797 samples, 64 features, 10 classes) in
    /// the default fixed-point format ([`crate::spec::DEFAULT_FRAC_BITS`]).
    pub fn digits() -> Result<Self, DataError> {
        digits(crate::spec::DEFAULT_FRAC_BITS)
    }

    /// The dataset's name, e.g. `digits/train`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of features of a sample (the input width of the model).
    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// Number of classes (the output width of the model).
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// Number of fractional bits `f` of the samples and targets.
    pub fn frac_bits(&self) -> u32 {
        self.frac_bits
    }

    /// Number of samples (rows).
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the dataset has no rows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The features of sample `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`, like slice indexing.
    pub fn sample(&self, i: usize) -> &[i64] {
        &self.samples[i * self.num_features..(i + 1) * self.num_features]
    }

    /// The label of sample `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`, like slice indexing.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// All samples, row-major (`len() * num_features()` values).
    pub fn samples(&self) -> &[i64] {
        &self.samples
    }

    /// All labels.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Writes the one-hot target row of sample `i` into `out`: `2^frac_bits` at the
    /// label, 0 elsewhere.
    ///
    /// # Panics
    /// If `i >= self.len()` or `out.len() != self.num_classes()`.
    pub fn write_one_hot(&self, i: usize, out: &mut [i64]) {
        assert_eq!(
            out.len(),
            self.num_classes,
            "one-hot row has the wrong length"
        );
        out.fill(0);
        out[usize::from(self.labels[i])] = 1i64 << self.frac_bits;
    }

    /// The rows at `indices`, in that order (indices may repeat): a batch, or a
    /// permuted copy with `select(&permutation(len, seed, stream))`. The result keeps
    /// this dataset's name.
    ///
    /// # Panics
    /// If an index is `>= self.len()`.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut samples = Vec::with_capacity(indices.len() * self.num_features);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            samples.extend_from_slice(self.sample(i));
            labels.push(self.labels[i]);
        }
        Dataset {
            name: self.name.clone(),
            num_features: self.num_features,
            num_classes: self.num_classes,
            frac_bits: self.frac_bits,
            samples,
            labels,
        }
    }

    /// Deterministic split into a training and a test set.
    ///
    /// The rows are permuted with `permutation(len, seed, SPLIT_STREAM)`; the first
    /// `n_test = round_half_up(len * test_percent / 100)` rows of the permuted order
    /// form `test`, the rest `train`, each in the permuted order. The parts are
    /// named `{name}/train` and `{name}/test`. For the 1,797 digits and
    /// `test_percent = 20`, `n_test = round(359.4) = 359`: 1,438 train, 359 test.
    pub fn split(&self, test_percent: u32, seed: u64) -> Result<Split, DataError> {
        if test_percent > 100 {
            return Err(DataError::BadPercent { test_percent });
        }
        let len = self.len();
        // (len * pct + 50) / 100 <= len, so the cast back cannot truncate.
        let n_test = ((len as u128 * u128::from(test_percent) + 50) / 100) as usize;
        let order = permutation(len, seed, SPLIT_STREAM);
        let (test_rows, train_rows) = order.split_at(n_test);
        let mut train = self.select(train_rows);
        train.name = format!("{}/train", self.name);
        let mut test = self.select(test_rows);
        test.name = format!("{}/test", self.name);
        Ok(Split { train, test })
    }
}

/// `rows * cols`, or [`DataError::BadDimensions`] when `cols` is 0 or it overflows.
fn checked_area(name: &str, rows: usize, cols: usize) -> Result<usize, DataError> {
    if cols == 0 {
        return Err(DataError::BadDimensions {
            what: format!("dataset `{name}`"),
            reason: "num_features is 0".into(),
        });
    }
    rows.checked_mul(cols)
        .ok_or_else(|| DataError::BadDimensions {
            what: format!("dataset `{name}`"),
            reason: format!("{rows} rows of {cols} features overflow usize"),
        })
}

/// The one shuffle of the protocol (DESIGN 4, Batches): a permutation of `0..len`.
///
/// Exactly, as part of the public statement's semantics:
///
/// ```text
/// rng = ChaCha20Rng::seed_from_u64(seed)      // rand_chacha 0.3, rand_core 0.6
/// rng.set_stream(stream)
/// perm = [0, 1, ..., len - 1]
/// for i from len - 1 down to 1:
///     j = rng.gen_range(0..=i as u64)         // rand 0.8, sampled as u64
///     swap(perm[i], perm[j])
/// ```
///
/// `perm[k]` is the index of the original row that goes to position `k`. Stream
/// [`TRAIN_STREAM`] (0) orders the training set; [`SPLIT_STREAM`] (1) drives
/// [`Dataset::split`]. The range is sampled as `u64` so that the result does not
/// depend on the platform's `usize`. A golden test pins the output.
pub fn permutation(len: usize, seed: u64, stream: u64) -> Vec<usize> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    let mut perm: Vec<usize> = (0..len).collect();
    for i in (1..len).rev() {
        // j <= i, so the cast back to usize cannot truncate.
        let j = rng.gen_range(0..=i as u64) as usize;
        perm.swap(i, j);
    }
    perm
}

/// Where data comes from.
///
/// Parsed from (and displayed as) `digits`, `mnist:DIR`, `fashion:DIR` (`fashion`
/// alone means [`FASHION_MNIST_DIR`]) or `csv:FILE`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DatasetSource {
    /// The 8x8 UCI handwritten digits embedded in smartcore (1,797 samples).
    Digits,
    /// A folder with the four MNIST IDX files.
    Mnist(PathBuf),
    /// A folder with the four Fashion-MNIST IDX files.
    Fashion(PathBuf),
    /// A CSV file: each row `pixels..., label`.
    Csv(PathBuf),
}

impl FromStr for DatasetSource {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "digits" => return Ok(Self::Digits),
            "fashion" => return Ok(Self::Fashion(PathBuf::from(FASHION_MNIST_DIR))),
            _ => {}
        }
        match s.split_once(':') {
            Some(("mnist", path)) if !path.is_empty() => Ok(Self::Mnist(path.into())),
            Some(("fashion", path)) if !path.is_empty() => Ok(Self::Fashion(path.into())),
            Some(("csv", path)) if !path.is_empty() => Ok(Self::Csv(path.into())),
            _ => Err(DataError::BadSpec(s.to_string())),
        }
    }
}

impl fmt::Display for DatasetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Digits => f.write_str("digits"),
            Self::Mnist(dir) => write!(f, "mnist:{}", dir.display()),
            Self::Fashion(dir) => write!(f, "fashion:{}", dir.display()),
            Self::Csv(file) => write!(f, "csv:{}", file.display()),
        }
    }
}

/// Loads the training and test sets of `source` in fixed point with `frac_bits`
/// fractional bits.
///
/// - [`DatasetSource::Digits`]: the 8x8 UCI digits embedded in smartcore (pixels
///   `0..=16`, 64 features, 10 classes), split with [`DEFAULT_TEST_PERCENT`] = 20
///   and `seed`: 1,438 train, 359 test.
/// - [`DatasetSource::Mnist`], [`DatasetSource::Fashion`]: the official split from
///   `DIR/train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
///   `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each read from `NAME.gz`
///   if that exists, else from `NAME` (the content decides whether it is gzip);
///   pixel maximum 255, `rows * cols` features (784 for 28x28), 10 classes. `seed`
///   is unused.
/// - [`DatasetSource::Csv`]: see [`csv::read`]; split with
///   [`DEFAULT_TEST_PERCENT`] and `seed`.
pub fn load(source: &DatasetSource, frac_bits: u32, seed: u64) -> Result<Split, DataError> {
    check_frac_bits(frac_bits)?;
    match source {
        DatasetSource::Digits => digits(frac_bits)?.split(DEFAULT_TEST_PERCENT, seed),
        DatasetSource::Mnist(dir) => load_idx_dir(dir, "mnist", frac_bits),
        DatasetSource::Fashion(dir) => load_idx_dir(dir, "fashion", frac_bits),
        DatasetSource::Csv(file) => csv::read(file, frac_bits)?.split(DEFAULT_TEST_PERCENT, seed),
    }
}

/// The largest magnitude, in bits, of a feature made from a real value
/// ([`Dataset::from_f32`]).
pub const MAX_FEATURE_BITS: u32 = 48;

/// The whole embedded 8x8 UCI digits set (1,797 samples, 64 features with pixels
/// `0..=16`, 10 classes), in smartcore's order, named `digits`.
pub fn digits(frac_bits: u32) -> Result<Dataset, DataError> {
    check_frac_bits(frac_bits)?;
    let raw = smartcore::dataset::digits::load_dataset();
    let bad = |reason: String| DataError::EmbeddedDigits { reason };
    if raw.data.len() != raw.num_samples * raw.num_features || raw.target.len() != raw.num_samples {
        return Err(bad(format!(
            "{} values and {} targets for {} samples of {} features",
            raw.data.len(),
            raw.target.len(),
            raw.num_samples,
            raw.num_features
        )));
    }
    let to_int = |v: f32, max: f32, what: &str, index: usize| {
        if v.fract() == 0.0 && (0.0..=max).contains(&v) {
            Ok(v as u8)
        } else {
            Err(bad(format!(
                "{what} {index} is {v}, not an integer in 0..={max}"
            )))
        }
    };
    let pixels = raw
        .data
        .iter()
        .enumerate()
        .map(|(i, &v)| to_int(v, DIGITS_PIXEL_MAX as f32, "pixel", i))
        .collect::<Result<Vec<u8>, _>>()?;
    let labels = raw
        .target
        .iter()
        .enumerate()
        .map(|(i, &v)| to_int(v, (NUM_DIGIT_CLASSES - 1) as f32, "label", i))
        .collect::<Result<Vec<u8>, _>>()?;
    Dataset::from_pixels(
        "digits",
        raw.num_features,
        NUM_DIGIT_CLASSES,
        &pixels,
        DIGITS_PIXEL_MAX,
        labels,
        frac_bits,
    )
}

/// Loads the official train/test split of an MNIST-format folder.
fn load_idx_dir(dir: &Path, name: &str, frac_bits: u32) -> Result<Split, DataError> {
    let train = load_idx_pair(dir, "train", &format!("{name}/train"), frac_bits)?;
    let test = load_idx_pair(dir, "t10k", &format!("{name}/test"), frac_bits)?;
    if test.num_features() != train.num_features() {
        return Err(DataError::Mismatch {
            what: format!(
                "pixels per image of the t10k images against the train images in {}",
                dir.display()
            ),
            expected: train.num_features(),
            found: test.num_features(),
        });
    }
    Ok(Split { train, test })
}

/// Loads `DIR/{prefix}-images-idx3-ubyte` with `DIR/{prefix}-labels-idx1-ubyte`.
fn load_idx_pair(
    dir: &Path,
    prefix: &str,
    name: &str,
    frac_bits: u32,
) -> Result<Dataset, DataError> {
    let images_path = resolve_gz(&dir.join(format!("{prefix}-images-idx3-ubyte")))?;
    let labels_path = resolve_gz(&dir.join(format!("{prefix}-labels-idx1-ubyte")))?;
    let images = idx::read_images(&images_path)?;
    let labels = idx::read_labels(&labels_path)?;
    if labels.len() != images.count {
        return Err(DataError::Mismatch {
            what: format!(
                "number of labels in {} against images in {}",
                labels_path.display(),
                images_path.display()
            ),
            expected: images.count,
            found: labels.len(),
        });
    }
    if images.count == 0 {
        return Err(DataError::Empty {
            what: images_path.display().to_string(),
        });
    }
    Dataset::from_pixels(
        name,
        images.rows * images.cols,
        NUM_DIGIT_CLASSES,
        &images.pixels,
        255,
        labels,
        frac_bits,
    )
}

/// `path.gz` if it exists, else `path` if it exists, else [`DataError::NotFound`].
fn resolve_gz(path: &Path) -> Result<PathBuf, DataError> {
    let mut gz = path.as_os_str().to_owned();
    gz.push(".gz");
    let gz = PathBuf::from(gz);
    if gz.exists() {
        Ok(gz)
    } else if path.exists() {
        Ok(path.to_path_buf())
    } else {
        Err(DataError::NotFound {
            path: path.to_path_buf(),
        })
    }
}

/// Reads a whole file, refusing more than [`MAX_INPUT_BYTES`].
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, DataError> {
    let io_err = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(DataError::TooLarge {
            path: path.to_path_buf(),
            max_bytes: MAX_INPUT_BYTES,
        });
    }
    Ok(bytes)
}

/// The gzip magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Decompresses `bytes` if they start with the gzip magic, else borrows them.
/// Concatenated gzip members are read as one stream. `path` names the source in
/// errors.
pub(crate) fn maybe_gunzip<'a>(bytes: &'a [u8], path: &Path) -> Result<Cow<'a, [u8]>, DataError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|source| DataError::Decompress {
            path: path.to_path_buf(),
            source,
        })?;
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(DataError::TooLarge {
            path: path.to_path_buf(),
            max_bytes: MAX_INPUT_BYTES,
        });
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        Dataset::new(
            "tiny",
            2,
            3,
            4,
            vec![1, 2, 3, 4, 5, 6, 7, 8],
            vec![0, 2, 1, 2],
        )
        .unwrap()
    }

    #[test]
    fn new_checks_every_argument() {
        let new = |nf, nc, f, s: Vec<i64>, l: Vec<u8>| Dataset::new("x", nf, nc, f, s, l);
        assert!(matches!(
            new(2, 3, 0, vec![0, 0], vec![0]),
            Err(DataError::BadFracBits { frac_bits: 0 })
        ));
        assert!(matches!(
            new(2, 3, 31, vec![0, 0], vec![0]),
            Err(DataError::BadFracBits { frac_bits: 31 })
        ));
        assert!(matches!(
            new(2, 1, 4, vec![0, 0], vec![0]),
            Err(DataError::BadNumClasses { num_classes: 1 })
        ));
        assert!(matches!(
            new(2, 257, 4, vec![0, 0], vec![0]),
            Err(DataError::BadNumClasses { num_classes: 257 })
        ));
        assert!(matches!(
            new(0, 3, 4, vec![], vec![0]),
            Err(DataError::BadDimensions { .. })
        ));
        assert!(matches!(
            new(2, 3, 4, vec![0, 0, 0], vec![0]),
            Err(DataError::Mismatch {
                expected: 2,
                found: 3,
                ..
            })
        ));
        assert!(matches!(
            new(1, 3, 4, vec![0, 0], vec![0, 3]),
            Err(DataError::BadLabel {
                index: 1,
                label: 3,
                classes: 3
            })
        ));
        assert!(new(2, 256, 30, vec![], vec![]).unwrap().is_empty());
        assert!(new(1, 256, 1, vec![0], vec![255]).is_ok());
    }

    #[test]
    fn accessors_and_one_hot() {
        let d = tiny();
        assert_eq!(d.name(), "tiny");
        assert_eq!(
            (d.len(), d.num_features(), d.num_classes(), d.frac_bits()),
            (4, 2, 3, 4)
        );
        assert_eq!(d.sample(2), &[5, 6]);
        assert_eq!(d.label(1), 2);
        assert_eq!(d.samples().len(), 8);
        assert_eq!(d.labels(), &[0, 2, 1, 2]);
        let mut row = [7i64; 3];
        d.write_one_hot(1, &mut row);
        assert_eq!(row, [0, 0, 16]);
        d.write_one_hot(0, &mut row);
        assert_eq!(row, [16, 0, 0]);
    }

    #[test]
    #[should_panic]
    fn sample_out_of_bounds_panics() {
        let _ = tiny().sample(4);
    }

    #[test]
    fn select_keeps_order_and_repeats() {
        let d = tiny();
        let s = d.select(&[3, 0, 3]);
        assert_eq!(s.samples(), &[7, 8, 1, 2, 7, 8]);
        assert_eq!(s.labels(), &[2, 0, 2]);
        assert_eq!(s.name(), "tiny");
        assert!(d.select(&[]).is_empty());
    }

    #[test]
    fn from_pixels_checks_pixels() {
        assert!(matches!(
            Dataset::from_pixels("x", 2, 10, &[3, 17], 16, vec![0], 8),
            Err(DataError::BadPixel {
                index: 1,
                pixel: 17,
                pixel_max: 16
            })
        ));
        assert!(matches!(
            Dataset::from_pixels("x", 2, 10, &[0, 0], 0, vec![0], 8),
            Err(DataError::BadDimensions { .. })
        ));
        assert!(matches!(
            Dataset::from_pixels("x", 2, 10, &[0, 0, 0], 16, vec![0], 8),
            Err(DataError::Mismatch { .. })
        ));
    }

    #[test]
    fn debug_is_a_summary() {
        let text = format!("{:?}", tiny());
        assert!(
            text.contains("\"tiny\"") && text.contains("len: 4"),
            "{text}"
        );
    }

    #[test]
    fn maybe_gunzip_passes_raw_bytes_through() {
        let raw = [0u8, 0, 8, 3, 1];
        assert!(matches!(
            maybe_gunzip(&raw, Path::new("r")).unwrap(),
            Cow::Borrowed(_)
        ));
    }
}
