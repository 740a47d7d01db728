//! Dataset loading end to end: IDX and CSV files on disk (synthetic, raw and
//! gzipped, good and broken), the real data under `../shared/datasets` when it is
//! there, the embedded digits, the shuffle, and the source strings.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use proptest::prelude::*;
use zkpot_trainer::data::{
    self, idx, load, permutation, DataError, Dataset, DatasetSource, FASHION_MNIST_DIR,
    SPLIT_STREAM, TRAIN_STREAM,
};

/// The shared, read-only datasets folder (`../shared/datasets` from the workspace root).
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/datasets");

fn shared(sub: &str) -> Option<PathBuf> {
    let path = Path::new(SHARED).join(sub);
    if path.exists() {
        Some(path)
    } else {
        println!("skipping: ../shared/datasets not found");
        None
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

fn image_file(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in [idx::IMAGES_MAGIC, count, rows, cols] {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out.extend_from_slice(pixels);
    out
}

fn label_file(labels: &[u8]) -> Vec<u8> {
    let mut out = idx::LABELS_MAGIC.to_be_bytes().to_vec();
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}

/// Deterministic pseudo-random bytes.
fn noise(len: usize, salt: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ salt)
        .collect()
}

/// Writes an MNIST-format folder: `n_train` and `n_test` images of `rows x cols`.
/// `gz` says which files are gzipped (train images, train labels, test images,
/// test labels).
fn write_mnist_dir(dir: &Path, n_train: usize, n_test: usize, gz: [bool; 4]) -> (Vec<u8>, Vec<u8>) {
    let (rows, cols) = (3u32, 2u32);
    let area = (rows * cols) as usize;
    let train_px = noise(n_train * area, 1);
    let test_px = noise(n_test * area, 2);
    let train_lab: Vec<u8> = (0..n_train).map(|i| (i % 10) as u8).collect();
    let test_lab: Vec<u8> = (0..n_test).map(|i| ((i * 3) % 10) as u8).collect();
    let files = [
        (
            "train-images-idx3-ubyte",
            image_file(n_train as u32, rows, cols, &train_px),
        ),
        ("train-labels-idx1-ubyte", label_file(&train_lab)),
        (
            "t10k-images-idx3-ubyte",
            image_file(n_test as u32, rows, cols, &test_px),
        ),
        ("t10k-labels-idx1-ubyte", label_file(&test_lab)),
    ];
    for ((name, bytes), gz) in files.into_iter().zip(gz) {
        if gz {
            fs::write(dir.join(format!("{name}.gz")), gzip(&bytes)).expect("write test file");
        } else {
            fs::write(dir.join(name), bytes).expect("write test file");
        }
    }
    (train_px, test_px)
}

// ---------------------------------------------------------------- IDX

#[test]
fn idx_round_trip_raw_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let pixels = noise(5 * 4 * 3, 7);
    let labels = [3u8, 1, 4, 1, 5];
    for gz in [false, true] {
        let (img, lab) = (image_file(5, 4, 3, &pixels), label_file(&labels));
        let (img, lab) = if gz {
            (gzip(&img), gzip(&lab))
        } else {
            (img, lab)
        };
        // Names that lie about the compression: the content decides.
        let img_path = dir.path().join(format!("images-{gz}.gz"));
        let lab_path = dir.path().join(format!("labels-{gz}"));
        fs::write(&img_path, img).unwrap();
        fs::write(&lab_path, lab).unwrap();
        let read = idx::read_images(&img_path).unwrap();
        assert_eq!(
            read,
            idx::IdxImages {
                count: 5,
                rows: 4,
                cols: 3,
                pixels: pixels.clone()
            }
        );
        assert_eq!(idx::read_labels(&lab_path).unwrap(), labels);
    }
}

#[test]
fn idx_wrong_magic() {
    let mut bytes = image_file(1, 1, 1, &[0]);
    bytes[3] = 0x01;
    let err = idx::parse_images(&bytes, Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadMagic {
                expected: 0x803,
                found: 0x801,
                ..
            }
        ),
        "{err}"
    );
    let err = idx::parse_labels(&image_file(1, 1, 1, &[0]), Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadMagic {
                expected: 0x801,
                found: 0x803,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn idx_truncated_header() {
    let bytes = image_file(2, 2, 2, &[0; 8]);
    for len in [0, 2, 12, 15] {
        let err = idx::parse_images(&bytes[..len], Path::new("x")).unwrap_err();
        assert!(
            matches!(err, DataError::Truncated { part: "header", expected_bytes: 16, found_bytes, .. } if found_bytes == len as u64),
            "{len}: {err}"
        );
    }
    let err = idx::parse_labels(&label_file(&[1, 2])[..6], Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                part: "header",
                expected_bytes: 8,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn idx_truncated_data() {
    let bytes = image_file(2, 2, 2, &[0; 8]);
    let err = idx::parse_images(&bytes[..23], Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                part: "data",
                expected_bytes: 24,
                found_bytes: 23,
                ..
            }
        ),
        "{err}"
    );
    // Also through gzip: the stream is complete, its content is short.
    let err = idx::parse_images(&gzip(&bytes[..20]), Path::new("x")).unwrap_err();
    assert!(
        matches!(err, DataError::Truncated { part: "data", .. }),
        "{err}"
    );
    let err = idx::parse_labels(&label_file(&[1, 2, 3])[..10], Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                part: "data",
                expected_bytes: 11,
                found_bytes: 10,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn idx_trailing_garbage() {
    let mut bytes = image_file(2, 2, 2, &[0; 8]);
    bytes.push(0);
    let err = idx::parse_images(&bytes, Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TrailingBytes {
                expected_bytes: 24,
                found_bytes: 25,
                ..
            }
        ),
        "{err}"
    );
    let mut bytes = label_file(&[1, 2]);
    bytes.extend_from_slice(b"junk");
    let err = idx::parse_labels(&gzip(&bytes), Path::new("x")).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::TrailingBytes {
                expected_bytes: 10,
                found_bytes: 14,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn idx_absurd_header_is_refused() {
    let err = idx::parse_images(
        &image_file(u32::MAX, u32::MAX, u32::MAX, &[1, 2, 3]),
        Path::new("x"),
    )
    .unwrap_err();
    assert!(matches!(err, DataError::BadDimensions { .. }), "{err}");
}

#[test]
fn idx_corrupt_gzip() {
    let good = gzip(&image_file(50, 4, 4, &noise(800, 3)));
    // A flipped byte in the deflate data, and a stream cut in the middle.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    let cut = &good[..good.len() / 2];
    // Only the magic: no gzip header at all.
    let stub = [0x1f, 0x8b];
    for bytes in [&flipped[..], cut, &stub[..]] {
        let err = idx::parse_images(bytes, Path::new("bad.gz")).unwrap_err();
        assert!(matches!(err, DataError::Decompress { .. }), "{err}");
    }
    // And from a file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.gz");
    fs::write(&path, cut).unwrap();
    let err = idx::read_labels(&path).unwrap_err();
    assert!(matches!(err, DataError::Decompress { path: p, .. } if p == path));
}

#[test]
fn idx_missing_file_is_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope");
    let err = idx::read_images(&path).unwrap_err();
    assert!(
        matches!(&err, DataError::Io { path: p, .. } if *p == path),
        "{err}"
    );
}

// ---------------------------------------------------------------- MNIST folders

#[test]
fn mnist_dir_loads_any_mix_of_raw_and_gz() {
    let dir = tempfile::tempdir().unwrap();
    let (train_px, test_px) = write_mnist_dir(dir.path(), 7, 3, [true, false, false, true]);
    let split = load(&DatasetSource::Mnist(dir.path().into()), 8, 0).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (7, 3));
    assert_eq!(split.train.num_features(), 6);
    assert_eq!(split.train.num_classes(), 10);
    assert_eq!(split.train.name(), "mnist/train");
    assert_eq!(split.test.name(), "mnist/test");
    let expect = |px: &[u8]| -> Vec<i64> {
        px.iter()
            .map(|&p| (2 * i64::from(p) * 256 + 255) / 510)
            .collect()
    };
    assert_eq!(split.train.samples(), expect(&train_px));
    assert_eq!(split.test.samples(), expect(&test_px));
    assert_eq!(split.test.labels(), &[0, 3, 6]);
    // The official order is kept: the seed plays no part.
    assert_eq!(
        load(&DatasetSource::Fashion(dir.path().into()), 8, 99)
            .unwrap()
            .train
            .samples(),
        split.train.samples()
    );
}

#[test]
fn mnist_dir_prefers_gz() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 4, 2, [true; 4]);
    // A broken raw twin next to every .gz is never read.
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        fs::write(dir.path().join(name), b"garbage").unwrap();
    }
    let split = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (4, 2));
}

#[test]
fn mnist_dir_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 4, 2, [false; 4]);
    fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte")).unwrap();
    let err = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap_err();
    assert!(
        matches!(&err, DataError::NotFound { path } if path.ends_with("t10k-labels-idx1-ubyte")),
        "{err}"
    );
    assert!(
        err.to_string().contains("t10k-labels-idx1-ubyte.gz nor"),
        "{err}"
    );
}

#[test]
fn mnist_dir_count_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 4, 3, [false; 4]);
    fs::write(
        dir.path().join("t10k-labels-idx1-ubyte"),
        label_file(&[1, 2]),
    )
    .unwrap();
    let err = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Mismatch {
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn mnist_dir_image_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 4, 2, [false; 4]);
    fs::write(
        dir.path().join("t10k-images-idx3-ubyte"),
        image_file(2, 2, 2, &[0; 8]),
    )
    .unwrap();
    let err = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Mismatch {
                expected: 6,
                found: 4,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn mnist_dir_bad_label() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 4, 2, [false; 4]);
    fs::write(
        dir.path().join("train-labels-idx1-ubyte"),
        label_file(&[1, 2, 10, 3]),
    )
    .unwrap();
    let err = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadLabel {
                index: 2,
                label: 10,
                classes: 10
            }
        ),
        "{err}"
    );
}

#[test]
fn mnist_dir_empty() {
    let dir = tempfile::tempdir().unwrap();
    write_mnist_dir(dir.path(), 0, 2, [false; 4]);
    let err = load(&DatasetSource::Mnist(dir.path().into()), 16, 0).unwrap_err();
    assert!(matches!(err, DataError::Empty { .. }), "{err}");
}

// ---------------------------------------------------------------- CSV

fn csv_rows(n: usize, features: usize) -> String {
    (0..n)
        .map(|r| {
            let mut row: Vec<String> = (0..features)
                .map(|c| ((r * 37 + c * 11) % 256).to_string())
                .collect();
            row.push((r % 10).to_string());
            row.join(",") + "\n"
        })
        .collect()
}

fn write_csv(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write test file");
    path
}

#[test]
fn csv_good_file_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_rows(10, 5);
    // The content, not the name, says gzip.
    let plain = write_csv(dir.path(), "plain.csv.gz", text.as_bytes());
    let gz = write_csv(dir.path(), "packed.csv", &gzip(text.as_bytes()));
    let a = data::csv::read(&plain, 16).unwrap();
    let b = data::csv::read(&gz, 16).unwrap();
    assert_eq!(a.samples(), b.samples());
    assert_eq!(a.labels(), b.labels());
    assert_eq!(a.name(), "plain.csv.gz");
    assert_eq!((a.len(), a.num_features(), a.num_classes()), (10, 5, 10));
    // Row 1: pixels 37, 48, 59, 70, 81 and label 1.
    let expect: Vec<i64> = [37i64, 48, 59, 70, 81]
        .iter()
        .map(|p| (2 * p * 65536 + 255) / 510)
        .collect();
    assert_eq!(a.sample(1), &expect[..]);
    assert_eq!(a.label(1), 1);

    let split = load(&DatasetSource::Csv(gz), 16, 5).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (8, 2));
    assert_eq!(split.train.name(), "packed.csv/train");
}

fn csv_error(text: &str) -> (usize, String) {
    match data::csv::parse(text.as_bytes(), Path::new("t.csv"), 16) {
        Err(DataError::Csv { line, reason, .. }) => (line, reason),
        other => panic!("expected a CSV error, got {other:?}"),
    }
}

#[test]
fn csv_wrong_column_count_names_the_line() {
    let (line, reason) = csv_error("1,2,3,4\n5,6,7,8\n9,10,11\n1,2,3,4\n");
    assert_eq!(line, 3);
    assert!(
        reason.contains("expected 4 columns") && reason.contains("found 3"),
        "{reason}"
    );
    let err = data::csv::parse(b"1,2,3,4\n5,6,7,8\n9,10,11\n", Path::new("t.csv"), 16).unwrap_err();
    assert!(err.to_string().contains("t.csv, line 3"), "{err}");
}

#[test]
fn csv_non_numeric() {
    let (line, reason) = csv_error("1,2,3\n4,x5,6\n");
    assert_eq!(line, 2);
    assert!(
        reason.contains("column 2") && reason.contains("`x5`"),
        "{reason}"
    );
}

#[test]
fn csv_pixel_256() {
    let (line, reason) = csv_error("1,2,3\n4,5,6\n255,256,1\n");
    assert_eq!(line, 3);
    assert!(reason.contains("pixel 256"), "{reason}");
}

#[test]
fn csv_label_10() {
    let (line, reason) = csv_error("1,2,9\n4,5,10\n");
    assert_eq!(line, 2);
    assert!(reason.contains("label 10"), "{reason}");
}

#[test]
fn csv_empty_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "e.csv", b"\n");
    assert!(matches!(
        data::csv::read(&path, 16),
        Err(DataError::Empty { .. })
    ));
    let path = dir.path().join("none.csv");
    assert!(matches!(
        load(&DatasetSource::Csv(path), 16, 0),
        Err(DataError::Io { .. })
    ));
}

// ---------------------------------------------------------------- real data

#[test]
fn real_mnist_loads() {
    let Some(dir) = shared("mnist") else { return };
    let split = load(&DatasetSource::Mnist(dir), 16, 0).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (60_000, 10_000));
    assert_eq!(
        (split.train.num_features(), split.test.num_features()),
        (784, 784)
    );
    assert!(split
        .train
        .samples()
        .iter()
        .all(|&x| (0..=1 << 16).contains(&x)));
    // The well-known first labels of both sets.
    assert_eq!(&split.train.labels()[..8], &[5, 0, 4, 1, 9, 2, 1, 3]);
    assert_eq!(&split.test.labels()[..8], &[7, 2, 1, 0, 4, 1, 4, 9]);
    let mut counts = [0usize; 10];
    split
        .train
        .labels()
        .iter()
        .for_each(|&l| counts[usize::from(l)] += 1);
    assert!(
        counts.iter().all(|&c| (5_000..7_000).contains(&c)),
        "{counts:?}"
    );
}

#[test]
fn real_mnist5k_csv_loads() {
    let Some(file) = shared("mnist5k/mnist_5k.csv.gz") else {
        return;
    };
    let split = load(&DatasetSource::Csv(file), 16, 0).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (4_000, 1_000));
    assert_eq!(split.train.num_features(), 784);
    assert_eq!(split.train.name(), "mnist_5k.csv.gz/train");
    // The file is sorted by class; the split mixes them.
    let mut counts = [0usize; 10];
    split
        .test
        .labels()
        .iter()
        .for_each(|&l| counts[usize::from(l)] += 1);
    assert!(counts.iter().all(|&c| (50..150).contains(&c)), "{counts:?}");
}

// ---------------------------------------------------------------- digits

#[test]
fn digits_load_and_split_1438_359() {
    for f in [1, 4, 16, 30] {
        let all = data::digits(f).unwrap();
        assert_eq!(
            (all.len(), all.num_features(), all.num_classes()),
            (1797, 64, 10)
        );
        assert!(all.samples().iter().all(|&x| (0..=1i64 << f).contains(&x)));
        // Pixel 16 maps to exactly 1.0 and appears in the data.
        assert!(all.samples().contains(&(1i64 << f)));
        let split = load(&DatasetSource::Digits, f, 7).unwrap();
        // round(1797 * 20 / 100) = round(359.4) = 359 test rows.
        assert_eq!((split.train.len(), split.test.len()), (1438, 359));
        assert_eq!(
            (split.train.name(), split.test.name()),
            ("digits/train", "digits/test")
        );
        assert_eq!(split, all.split(20, 7).unwrap());
    }
    // The classic first sample (a zero), pixels * 2^16 / 16.
    let all = data::digits(16).unwrap();
    assert_eq!(all.label(0), 0);
    assert_eq!(
        &all.sample(0)[..8],
        &[0, 0, 5 << 12, 13 << 12, 9 << 12, 1 << 12, 0, 0]
    );
}

#[test]
fn load_rejects_bad_frac_bits_first() {
    for f in [0, 31] {
        let err = load(&DatasetSource::Csv("/does/not/exist".into()), f, 0).unwrap_err();
        assert!(
            matches!(err, DataError::BadFracBits { frac_bits } if frac_bits == f),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------- split, select

#[test]
fn split_is_deterministic_and_partitions_the_rows() {
    let all = data::digits(8).unwrap();
    let a = all.split(20, 3).unwrap();
    assert_eq!(a, all.split(20, 3).unwrap());
    assert_ne!(a.test.labels(), all.split(20, 4).unwrap().test.labels());
    // test = the first 359 rows of the SPLIT_STREAM permutation, train the rest.
    let order = permutation(all.len(), 3, SPLIT_STREAM);
    assert_eq!(a.test.samples(), all.select(&order[..359]).samples());
    assert_eq!(a.train.samples(), all.select(&order[359..]).samples());
    // Edge percentages.
    let none = all.split(0, 3).unwrap();
    assert_eq!((none.train.len(), none.test.len()), (1797, 0));
    let every = all.split(100, 3).unwrap();
    assert_eq!((every.train.len(), every.test.len()), (0, 1797));
    assert!(matches!(
        all.split(101, 3),
        Err(DataError::BadPercent { test_percent: 101 })
    ));
    // Round half up: 10 rows at 25% is 2.5, so 3 test rows.
    let ten = all.select(&(0..10).collect::<Vec<_>>());
    assert_eq!(ten.split(25, 0).unwrap().test.len(), 3);
    assert_eq!(ten.split(24, 0).unwrap().test.len(), 2);
}

#[test]
fn select_batches_and_one_hot() {
    let d = Dataset::new("d", 2, 4, 8, vec![1, 2, 3, 4, 5, 6], vec![3, 0, 2]).unwrap();
    let batch = d.select(&[2, 2, 0]);
    assert_eq!(batch.samples(), &[5, 6, 5, 6, 1, 2]);
    assert_eq!(batch.labels(), &[2, 2, 3]);
    let mut row = vec![9; 4];
    batch.write_one_hot(2, &mut row);
    assert_eq!(row, [0, 0, 0, 256]);
}

// ---------------------------------------------------------------- permutation

fn is_permutation(p: &[usize]) -> bool {
    let mut seen = vec![false; p.len()];
    p.iter()
        .all(|&i| i < seen.len() && !std::mem::replace(&mut seen[i], true))
}

#[test]
fn permutation_is_a_deterministic_permutation() {
    for len in [0, 1, 2, 3, 10, 1000] {
        let p = permutation(len, 42, TRAIN_STREAM);
        assert_eq!(p.len(), len);
        assert!(is_permutation(&p));
        assert_eq!(p, permutation(len, 42, TRAIN_STREAM));
    }
}

#[test]
fn permutation_differs_between_streams_and_seeds() {
    let base = permutation(100, 1, 0);
    assert_ne!(base, permutation(100, 1, 1));
    assert_ne!(base, permutation(100, 2, 0));
    assert_ne!(base, (0..100).collect::<Vec<_>>());
    assert_ne!(
        permutation(100, 1, SPLIT_STREAM),
        permutation(100, 2, SPLIT_STREAM)
    );
}

/// Golden values: the permutation is part of the statement's semantics, so a
/// change of rand, rand_chacha or the algorithm must show up here. Regenerate by
/// printing `permutation(16, 2024, s)` for `s` in 0, 1 and the digits split, after
/// deciding that the change is intended.
#[test]
fn permutation_golden() {
    assert_eq!(permutation(16, 2024, 0), GOLDEN_STREAM_0);
    assert_eq!(permutation(16, 2024, 1), GOLDEN_STREAM_1);
    let split = load(&DatasetSource::Digits, 16, 2024).unwrap();
    let all = data::digits(16).unwrap();
    let order = permutation(all.len(), 2024, SPLIT_STREAM);
    assert_eq!(&order[..8], GOLDEN_DIGITS_TEST_ROWS);
    assert_eq!(split.test.sample(0), all.sample(GOLDEN_DIGITS_TEST_ROWS[0]));
}

const GOLDEN_STREAM_0: [usize; 16] = [9, 3, 11, 1, 4, 10, 6, 13, 7, 5, 8, 0, 15, 2, 12, 14];
const GOLDEN_STREAM_1: [usize; 16] = [8, 9, 3, 12, 2, 13, 14, 4, 11, 7, 10, 6, 1, 0, 15, 5];
const GOLDEN_DIGITS_TEST_ROWS: &[usize] = &[203, 1328, 718, 98, 218, 964, 1491, 38];

// ---------------------------------------------------------------- from_pixels

#[test]
fn from_pixels_rounding_is_exact() {
    let d = Dataset::from_pixels("p", 4, 2, &[0, 1, 128, 255], 255, vec![1], 16).unwrap();
    // 65536/255 = 257.003, 128*65536/255 = 32896.5 rounds up to 32897.
    assert_eq!(d.samples(), &[0, 257, 32897, 65536]);
    let d = Dataset::from_pixels("p", 3, 2, &[1, 8, 16], 16, vec![0], 1).unwrap();
    // 1*2/16 = 0.125 -> 0, 8*2/16 = 1, 16*2/16 = 2.
    assert_eq!(d.samples(), &[0, 1, 2]);
    let d = Dataset::from_pixels("p", 2, 2, &[1, 2], 3, vec![0], 1).unwrap();
    // 2/3 = 0.67 -> 1, 4/3 = 1.33 -> 1.
    assert_eq!(d.samples(), &[1, 1]);
}

proptest! {
    /// `x = round_half_up(p 2^f / max)`: `|x max - p 2^f| <= max / 2`, ties up.
    #[test]
    fn from_pixels_rounds_half_up(p in 0u8..=255, extra in 0u32..1000, f in 1u32..=30) {
        let max = u32::from(p) + extra;
        prop_assume!(max > 0);
        let d = Dataset::from_pixels("p", 1, 2, &[p], max, vec![0], f).unwrap();
        let x = i128::from(d.samples()[0]);
        let diff = 2 * (x * i128::from(max) - (i128::from(p) << f));
        prop_assert!(-i128::from(max) < diff && diff <= i128::from(max), "x = {x}");
        prop_assert!((0..=1i128 << f).contains(&x));
    }
}

// ---------------------------------------------------------------- sources

#[test]
fn dataset_source_round_trip() {
    for (text, source) in [
        ("digits", DatasetSource::Digits),
        (
            "mnist:../shared/datasets/mnist",
            DatasetSource::Mnist("../shared/datasets/mnist".into()),
        ),
        ("fashion:/data/f", DatasetSource::Fashion("/data/f".into())),
        ("csv:a:b.csv", DatasetSource::Csv("a:b.csv".into())),
    ] {
        let parsed: DatasetSource = text.parse().unwrap();
        assert_eq!(parsed, source);
        assert_eq!(parsed.to_string(), text);
    }
    let fashion: DatasetSource = "fashion".parse().unwrap();
    assert_eq!(fashion, DatasetSource::Fashion(FASHION_MNIST_DIR.into()));
    assert_eq!(
        fashion.to_string().parse::<DatasetSource>().unwrap(),
        fashion
    );
}

#[test]
fn dataset_source_errors() {
    for text in [
        "",
        "mnist",
        "mnist:",
        "csv:",
        "Digits",
        "digits:x",
        "cifar:dir",
        " digits",
        "fashion:",
    ] {
        let err = text.parse::<DatasetSource>().unwrap_err();
        assert!(
            matches!(&err, DataError::BadSpec(s) if s == text),
            "{text:?}: {err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("mnist:DIR") && msg.contains("csv:FILE") && msg.contains("digits"),
            "{msg}"
        );
    }
}
