//! The `zkpot` command line, end to end: good runs, reports, and bad input that
//! must give a clear error and a non-zero exit code, never a panic.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

fn zkpot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkpot"))
        .args(args)
        .output()
        .expect("the zkpot binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure is exit code 1 with an `error:` line: not a panic (101), not success.
fn assert_clean_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(err.contains("error:"), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
    assert!(err.contains(needle), "expected `{needle}` in: {err}");
}

#[test]
fn default_train_on_digits_writes_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let o = zkpot(&["train", "--quiet", "--report", report.to_str().unwrap()]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("proving is not available yet"), "{out}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["iterations"], 64);
    for key in ["test_accuracy", "f32_reference_test_accuracy"] {
        let a = r[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&a), "{key} = {a}");
        assert!(a > 0.3, "{key} = {a}: the short run should learn something");
    }
    for key in ["seconds", "step_seconds", "f32_reference_step_seconds"] {
        assert!(r[key].as_f64().unwrap() > 0.0, "{key}");
    }
    assert_eq!(r["train_loss"].as_array().unwrap().len(), 2);
}

#[test]
fn spec_file_with_flag_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"layers":[64,16,10],"lr_shift":7,"batch_size":16,"steps_per_fold":4,"seed":3,"iterations":8}"#,
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let o = zkpot(&[
        "train",
        "--quiet",
        "--spec",
        spec.to_str().unwrap(),
        "--iterations",
        "12",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["iterations"], 12);
    assert_eq!(r["spec"]["layers"], serde_json::json!([64, 16, 10]));
    assert_eq!(r["spec"]["lr_shift"], 7);
    assert_eq!(r["spec"]["seed"], 3);

    std::fs::write(
        &spec,
        r#"{"layers":[64,10],"lr_shift":7,"batch_size":16,"seeed":3}"#,
    )
    .unwrap();
    assert_clean_failure(
        &zkpot(&["train", "--spec", spec.to_str().unwrap()]),
        "seeed",
    );
}

#[test]
fn iterations_must_be_a_multiple_of_the_fold() {
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--iterations", "17"]),
        "not a multiple of steps_per_fold",
    );
}

#[test]
fn a_spec_that_could_wrap_is_refused() {
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--value-bits", "62"]),
        "could reach 2^",
    );
}

#[test]
fn a_diverging_run_stops_with_a_clear_error() {
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--lr-shift", "0", "--value-bits", "24"]),
        "training stopped at iteration",
    );
}

#[test]
fn missing_fashion_mnist_says_how_to_install_it() {
    assert_clean_failure(
        &zkpot(&[
            "train",
            "--quiet",
            "--dataset",
            "fashion:/nonexistent/fashion",
        ]),
        "apt-get install -y dataset-fashion-mnist",
    );
}

#[test]
fn bad_arguments() {
    assert_clean_failure(&zkpot(&["train", "--dataset", "imagenet"]), "digits");
    assert_clean_failure(&zkpot(&["train", "--arch", "64-x-10"]), "--arch");
    assert_clean_failure(&zkpot(&["train", "--quiet", "--arch", "60-10"]), "features");
    assert_clean_failure(
        &zkpot(&[
            "train",
            "--quiet",
            "--steps-per-fold",
            "3",
            "--iterations",
            "12",
        ]),
        "power of two",
    );
}

fn write_gz(path: &Path, bytes: &[u8]) {
    let f = std::fs::File::create(path).unwrap();
    let mut enc = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap();
}

fn idx_images(count: u32, magic: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [magic, count, 28, 28] {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v.resize(16 + (count * 784) as usize, 7);
    v
}

fn idx_labels(count: u32) -> Vec<u8> {
    let mut v = Vec::new();
    for x in [0x801u32, count] {
        v.extend_from_slice(&x.to_be_bytes());
    }
    v.extend((0..count).map(|i| (i % 10) as u8));
    v
}

#[test]
fn bad_idx_files_are_clean_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    write_gz(&p("t10k-images-idx3-ubyte.gz"), &idx_images(4, 0x803));
    write_gz(&p("t10k-labels-idx1-ubyte.gz"), &idx_labels(4));
    write_gz(&p("train-labels-idx1-ubyte.gz"), &idx_labels(8));
    let arg = format!("mnist:{}", dir.path().display());

    // Truncated images.
    let mut img = idx_images(8, 0x803);
    img.truncate(img.len() - 100);
    write_gz(&p("train-images-idx3-ubyte.gz"), &img);
    let o = zkpot(&["train", "--quiet", "--dataset", &arg]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));

    // Wrong magic.
    write_gz(&p("train-images-idx3-ubyte.gz"), &idx_images(8, 0x801));
    let o = zkpot(&["train", "--quiet", "--dataset", &arg]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).to_lowercase().contains("magic"),
        "{}",
        stderr(&o)
    );

    // A good set trains (8 samples, batch 4, 1 step per fold).
    write_gz(&p("train-images-idx3-ubyte.gz"), &idx_images(8, 0x803));
    let o = zkpot(&[
        "train",
        "--quiet",
        "--dataset",
        &arg,
        "--batch",
        "4",
        "--steps-per-fold",
        "1",
        "--iterations",
        "2",
        "--arch",
        "784-8-10",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn csv_with_a_wrong_column_count_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let good_row = vec!["0"; 785].join(",");
    let bad_row = vec!["0"; 700].join(",");
    std::fs::write(&path, format!("{good_row}\n{good_row}\n{bad_row}\n")).unwrap();
    let o = zkpot(&[
        "train",
        "--quiet",
        "--dataset",
        &format!("csv:{}", path.display()),
    ]);
    assert_clean_failure(&o, "line 3");
}
