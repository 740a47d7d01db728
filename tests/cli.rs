//! The `zkpot` command line, end to end: good runs, reports, and bad input that
//! must give a clear error and a non-zero exit code, never a panic.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `zkpot` with the commitment keys cached under the target folder (shared by the
/// tests and kept between runs), never in the user's cache.
fn zkpot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkpot"))
        .args(args)
        .env("ZKPOT_CACHE_DIR", key_dir())
        .output()
        .expect("the zkpot binary runs")
}

fn key_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("zkpot-keys")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A JSON file's value.
fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
    let o = zkpot(&[
        "train",
        "--quiet",
        "--no-prove",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("not proven (--no-prove)"), "{out}");
    let r = read_json(&report);
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
    assert_eq!(r["proving"], "not proven");
    assert!(r.get("prove_seconds").is_none());
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
        "--no-prove",
        "--spec",
        spec.to_str().unwrap(),
        "--iterations",
        "12",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let r = read_json(&report);
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
        &zkpot(&[
            "train",
            "--quiet",
            "--no-prove",
            "--lr-shift",
            "0",
            "--value-bits",
            "24",
        ]),
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
        "--no-prove",
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

/// A short run proof on the digits: 64-8-10, batch 8, 2 folds of 2 iterations.
fn prove_small(dir: &Path, name: &str, seed: &str) -> (std::path::PathBuf, serde_json::Value) {
    prove_small_with(dir, name, seed, &[])
}

/// `command` (`train` or `setup`) for the run of [`prove_small`]: a run proof of 64-8-10,
/// batch 8, folds of 2 iterations, 4 iterations.
fn small_run(command: &str) -> Vec<&str> {
    vec![
        command,
        "--quiet",
        "--proof",
        "run",
        "--arch",
        "64-8-10",
        "--batch",
        "8",
        "--steps-per-fold",
        "2",
        "--iterations",
        "4",
    ]
}

/// [`prove_small`] with more arguments (`--pcs pedersen`, say).
fn prove_small_with(
    dir: &Path,
    name: &str,
    seed: &str,
    extra: &[&str],
) -> (std::path::PathBuf, serde_json::Value) {
    let file = dir.join(name);
    let report = dir.join(format!("{name}.json"));
    let mut args = small_run("train");
    args.extend_from_slice(&[
        "--seed",
        seed,
        "--out",
        file.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    args.extend_from_slice(extra);
    let o = zkpot(&args);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("valid"), "{}", stdout(&o));
    let r = read_json(&report);
    (file, r)
}

#[test]
fn train_proves_and_verify_accepts_then_rejects_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let (file, r) = prove_small(dir.path(), "run.zkpot", "1");
    let bytes = std::fs::read(&file).unwrap();

    // The report.
    assert_eq!(r["proving"], "run proof");
    assert_eq!(r["folds"], 2);
    assert_eq!(r["proof_bytes"].as_u64().unwrap() as usize, bytes.len());
    for key in [
        "prove_seconds",
        "verify_seconds",
        "prove_ratio",
        "fold_seconds",
    ] {
        assert!(r[key].as_f64().unwrap() > 0.0, "{key}");
    }

    // verify accepts and prints the statement; inspect prints statement and sizes.
    let f = file.to_str().unwrap();
    let o = zkpot(&["verify", f]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("valid"), "{}", stdout(&o));
    assert!(stdout(&o).contains("\"w0\""), "{}", stdout(&o));
    let o = zkpot(&["inspect", f]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let inspect: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        inspect["sizes"]["file_bytes"].as_u64().unwrap() as usize,
        bytes.len()
    );
    assert_eq!(inspect["sizes"]["folds"], 2);
    assert_eq!(inspect["statement"]["iterations"], 4);
    assert_eq!(
        inspect["statement"]["spec"]["layers"],
        serde_json::json!([64, 8, 10])
    );

    // The expected statement: the whole inspect output, or the statement alone.
    let expected = dir.path().join("expected.json");
    std::fs::write(&expected, &o.stdout).unwrap();
    let e = expected.to_str().unwrap();
    let o = zkpot(&["verify", f, "--statement", e]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let statement_only = dir.path().join("statement.json");
    std::fs::write(
        &statement_only,
        serde_json::to_string(&inspect["statement"]).unwrap(),
    )
    .unwrap();
    let o = zkpot(&["verify", f, "--statement", statement_only.to_str().unwrap()]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));

    // Another statement than expected: each of spec, C_data, C_W0 changed.
    let st = &inspect["statement"];
    let mut edits: Vec<(&str, serde_json::Value)> = Vec::new();
    let mut s = st.clone();
    s["spec"]["seed"] = serde_json::json!(2);
    edits.push(("spec", s));
    let mut s = st.clone();
    s["data"]["root"] = st["spec_digest"].clone();
    edits.push(("data", s));
    let mut s = st.clone();
    s["data"]["num_chunks"] = serde_json::json!(1000);
    edits.push(("data", s));
    let mut s = st.clone();
    s["w0"] = st["wt"].clone();
    edits.push(("w0", s));
    for (field, s) in edits {
        let path = dir.path().join("other.json");
        std::fs::write(&path, serde_json::to_string(&s).unwrap()).unwrap();
        let o = zkpot(&["verify", f, "--statement", path.to_str().unwrap()]);
        assert_clean_failure(&o, "another statement");
        assert!(stderr(&o).contains(field), "{field}: {}", stderr(&o));
    }
    // A valid proof of another run (other seed: other C_W0 and C_data).
    let (other, _) = prove_small(dir.path(), "other.zkpot", "2");
    let o = zkpot(&["verify", other.to_str().unwrap()]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_clean_failure(
        &zkpot(&["verify", other.to_str().unwrap(), "--statement", e]),
        "another statement",
    );

    // Another format version (a later one, and the proof files of earlier zkpot
    // versions), a truncated file, not a proof file, trailing bytes.
    let bad = dir.path().join("bad.zkpot");
    let b = bad.to_str().unwrap();
    let mut v = bytes.clone();
    v[8] = 3;
    std::fs::write(&bad, &v).unwrap();
    assert_clean_failure(&zkpot(&["verify", b]), "format version 3 is not supported");
    assert_clean_failure(&zkpot(&["inspect", b]), "format version 3 is not supported");
    let mut v1 = b"ZKPOTPRF".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&bytes[12..]);
    std::fs::write(&bad, &v1).unwrap();
    assert_clean_failure(&zkpot(&["verify", b]), "format version 1 is not supported");
    for cut in [4, 13, 100, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&bad, &bytes[..cut]).unwrap();
        let o = zkpot(&["verify", b]);
        assert_eq!(o.status.code(), Some(1), "cut {cut}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    std::fs::write(&bad, b"{\"not\": \"a proof\"}").unwrap();
    assert_clean_failure(&zkpot(&["verify", b]), "not a zkpot file");
    let mut v = bytes.clone();
    v.push(0);
    std::fs::write(&bad, &v).unwrap();
    assert_clean_failure(&zkpot(&["verify", b]), "trailing");
    assert_clean_failure(
        &zkpot(&["verify", "/nonexistent/run.zkpot"]),
        "/nonexistent",
    );

    // Single flipped bytes: the header, the spec, the statement's commitments, step
    // proofs, the accumulator folds and the opening at the end.
    let spec_len = u32::from_le_bytes(bytes[13..17].try_into().unwrap()) as usize;
    let commitments = 17 + spec_len;
    let positions = [
        0,
        9,
        12,
        20,
        17 + spec_len / 2,
        commitments + 3,
        commitments + 40,
        commitments + 80,
        commitments + 300,
        bytes.len() / 2,
        bytes.len() * 3 / 4,
        bytes.len() - 40,
        bytes.len() - 1,
    ];
    for pos in positions {
        let mut v = bytes.clone();
        v[pos] ^= 0x04;
        std::fs::write(&bad, &v).unwrap();
        let o = zkpot(&["verify", b]);
        assert_eq!(o.status.code(), Some(1), "byte {pos}: {}", stderr(&o));
        assert!(stderr(&o).contains("error:"), "byte {pos}");
        assert!(!stderr(&o).contains("panicked"), "byte {pos}");
    }
}

#[test]
fn setup_caches_the_key_a_run_needs() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().to_str().unwrap();
    let args = [
        "setup",
        "--quiet",
        "--proof",
        "run",
        "--arch",
        "64-4-10",
        "--batch",
        "4",
        "--steps-per-fold",
        "1",
        "--iterations",
        "2",
        "--key-dir",
        keys,
        "--pcs",
        "pedersen",
    ];
    let o = zkpot(&args);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("derived and cached"), "{}", stdout(&o));
    let o = zkpot(&args);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("loaded from"), "{}", stdout(&o));
    // A corrupt cached key is an error that says how to recover.
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key"))
        .unwrap();
    let mut v = std::fs::read(&file).unwrap();
    let mid = v.len() / 2;
    v[mid] ^= 1;
    std::fs::write(&file, &v).unwrap();
    assert_clean_failure(&zkpot(&args), "key");
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = zkpot(&forced);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("derived and cached"), "{}", stdout(&o));
}

/// `train` for a folded proof of the digits, 64-4-10, batch 4, folds of 2 iterations,
/// blinds from seed 7 (reproducible), with `extra` arguments; returns the output.
fn train_folded(extra: &[&str]) -> Output {
    zkpot(&folded_args(extra))
}

/// The arguments of [`train_folded`].
fn folded_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    digits_args("folded", extra)
}

/// The arguments of `train` for a proof of `kind` of the run of [`train_folded`].
fn digits_args<'a>(kind: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "train",
        "--quiet",
        "--proof",
        kind,
        "--arch",
        "64-4-10",
        "--batch",
        "4",
        "--steps-per-fold",
        "2",
        "--insecure-blind-seed",
        "7",
    ];
    args.extend_from_slice(extra);
    args
}

/// `inspect`'s JSON of a file.
fn inspect(file: &Path) -> serde_json::Value {
    let o = zkpot(&["inspect", file.to_str().unwrap()]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The compressed proof (the default): a file of tens of kilobytes, which `verify`
/// accepts and `inspect` breaks down by part. (Its size does not depend on the number of
/// folds: `folding/tests/running.rs` proves 2 and 4 folds; one run here keeps CI short.)
#[test]
fn compressed_proof_verifies_and_inspects_by_part() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for iterations in ["4"] {
        let file = dir.path().join(format!("compressed-{iterations}.zkpot"));
        let report = dir.path().join(format!("compressed-{iterations}.json"));
        let mut args = digits_args(
            "compressed",
            &[
                "--iterations",
                iterations,
                "--out",
                file.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
        );
        // The default kind.
        args.drain(2..4);
        let o = zkpot(&args);
        assert!(o.status.success(), "stderr: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("compressed proof"), "{out}");
        assert!(out.contains("is zero-knowledge"), "{out}");
        let r = read_json(&report);
        assert_eq!(r["proving"], "compressed proof");
        for key in [
            "folding_seconds",
            "ivc_keys_seconds",
            "fold_seconds",
            "decider_key_seconds",
        ] {
            assert!(r[key].as_f64().unwrap() > 0.0, "{key}");
        }
        files.push(file);
    }
    let sizes: Vec<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .collect();
    assert!(sizes[0] < 50_000, "{} bytes", sizes[0]);
    for (file, folds) in files.iter().zip([2]) {
        let o = zkpot(&["verify", file.to_str().unwrap()]);
        assert!(o.status.success(), "stderr: {}", stderr(&o));
        assert!(
            stderr(&o).contains("IVC keys loaded from"),
            "{}",
            stderr(&o)
        );
        assert!(
            stdout(&o).contains("valid compressed proof"),
            "{}",
            stdout(&o)
        );
        let i = inspect(file);
        assert_eq!(i["statement"]["kind"], "compressed");
        assert_eq!(i["statement"]["folds"], folds);
        assert_eq!(i["sizes"]["folds"], folds);
        assert_eq!(i["sizes"]["file_bytes"].as_u64().unwrap(), sizes[0]);
        let parts = [
            "closing_bytes",
            "primary_snark_bytes",
            "cyclefold_snark_bytes",
            "state_bytes",
            "final_bytes",
        ];
        let sum: u64 = parts
            .iter()
            .map(|p| {
                let n = i["sizes"][p].as_u64().unwrap();
                assert!(n > 0, "{p}");
                n
            })
            .sum();
        assert_eq!(sum, i["sizes"]["proof_bytes"].as_u64().unwrap());
    }
    // A compressed proof needs HyperKZG: asked for on Pedersen, a clean usage error.
    let args = digits_args("compressed", &["--iterations", "2", "--pcs", "pedersen"]);
    assert_clean_failure(&zkpot(&args), "HyperKZG");

    // A proof against another statement (the same run, other T), and changed bytes:
    // the statement's commitments, the final proof's tie and opening, the IVC proof.
    let short = files[0].to_str().unwrap();
    let expected = dir.path().join("expected.json");
    let mut other = inspect(&files[0]);
    other["statement"]["spec"]["iterations"] = serde_json::json!(8);
    std::fs::write(&expected, serde_json::to_string(&other).unwrap()).unwrap();
    assert_clean_failure(
        &zkpot(&["verify", short, "--statement", expected.to_str().unwrap()]),
        "another statement",
    );
    let bytes = std::fs::read(&files[0]).unwrap();
    let spec_len = u32::from_le_bytes(bytes[13..17].try_into().unwrap()) as usize;
    // The spec, then the setup (33 bytes), C_data (root, chunk count), C_W0, C_WT and
    // the mask (commitment, value).
    let statement_end = 17 + spec_len + 33 + 40 + 4 * 32;
    let bad = dir.path().join("bad.zkpot");
    for pos in [
        17 + spec_len + 2,
        statement_end - 40,
        statement_end + 10,
        statement_end + 200,
        bytes.len() / 3,
        bytes.len() - 100,
    ] {
        let mut v = bytes.clone();
        v[pos] ^= 0x10;
        std::fs::write(&bad, &v).unwrap();
        let o = zkpot(&["verify", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "byte {pos}: {}", stderr(&o));
        assert!(stderr(&o).contains("error:"), "byte {pos}");
        assert!(!stderr(&o).contains("panicked"), "byte {pos}");
    }
    std::fs::write(&bad, &bytes[..bytes.len() - 1]).unwrap();
    assert_clean_failure(&zkpot(&["verify", bad.to_str().unwrap()]), "truncated");
}

#[test]
fn a_killed_run_resumed_from_its_checkpoint_gives_the_uninterrupted_statement() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let s = |p: &std::path::PathBuf| p.to_str().unwrap().to_string();

    // The uninterrupted run: 4 folds.
    let whole = path("whole.zkpot");
    let o = train_folded(&["--iterations", "8", "--out", &s(&whole)]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));

    // The same run with checkpoints, killed once its first checkpoint exists.
    let ckpt = path("run.ckpt");
    let (ckpt_arg, never) = (s(&ckpt), s(&path("never.zkpot")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkpot"))
        .args(folded_args(&[
            "--iterations",
            "8",
            "--checkpoint",
            &ckpt_arg,
            "--out",
            &never,
        ]))
        .env("ZKPOT_CACHE_DIR", key_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !ckpt.exists() && start.elapsed().as_secs() < 600 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(ckpt.exists(), "no checkpoint was written");
    assert!(
        !path("never.zkpot").exists(),
        "the run finished before it was killed"
    );

    // Resumed, up to the same 8 iterations.
    let resumed = path("resumed.zkpot");
    let o = zkpot(&[
        "train",
        "--quiet",
        "--proof",
        "folded",
        "--resume",
        &s(&ckpt),
        "--iterations",
        "8",
        "--out",
        &s(&resumed),
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(
        stdout(&o).contains("resumed at iteration"),
        "{}",
        stdout(&o)
    );
    assert_eq!(inspect(&resumed)["statement"], inspect(&whole)["statement"]);
    let o = zkpot(&["verify", &s(&resumed)]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));

    // Misuse is a clean error: a folded checkpoint resumed as a run proof, spec flags
    // with --resume, a file that is not a checkpoint, a missing one.
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--proof", "run", "--resume", &s(&ckpt)]),
        "--proof folded",
    );
    let o = zkpot(&["train", "--resume", &s(&ckpt), "--batch", "8"]);
    assert_eq!(o.status.code(), Some(2), "a usage error: {}", stderr(&o));
    assert!(stderr(&o).contains("--batch"), "{}", stderr(&o));
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--resume", &s(&whole)]),
        "expected a checkpoint",
    );
    assert_clean_failure(
        &zkpot(&["train", "--quiet", "--resume", &s(&path("missing.ckpt"))]),
        "missing.ckpt",
    );
}

/// A copy of the proof file `bytes` whose statement's spec is `spec` (canonical JSON,
/// the length prefix fixed), everything else unchanged.
fn with_spec(bytes: &[u8], spec: &zkpot::TrainSpec) -> Vec<u8> {
    let spec_len = u32::from_le_bytes(bytes[13..17].try_into().unwrap()) as usize;
    let json = spec.to_json();
    let mut out = bytes[..13].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(&bytes[17 + spec_len..]);
    out
}

/// A valid spec (as the trainer checks it) whose run's largest table has `2^vars`
/// entries.
fn spec_with_table_vars(vars: usize) -> zkpot::TrainSpec {
    use zkpot::gkr::step::StepShape;
    for width in [64usize, 256, 1024, 4096, 16384] {
        for batch in (0..=14).map(|b| 1usize << b) {
            for k in [1usize, 2, 4, 8, 16] {
                let mut spec = zkpot::TrainSpec::new(vec![64, width, 10], batch, 9, 1);
                spec.steps_per_fold = k;
                spec.iterations = Some(k as u64);
                if spec.validate().is_err() {
                    continue;
                }
                if let Ok(shape) = StepShape::new(&spec) {
                    if zkpot::run::run_num_vars(&shape) == vars {
                        return spec;
                    }
                }
            }
        }
    }
    panic!("no spec with 2^{vars} table entries");
}

/// Runs `zkpot args` with at most `mb` MiB of address space (`ulimit -v`): an
/// allocation beyond it aborts the process instead of succeeding.
fn zkpot_limited(mb: u64, args: &[&str]) -> (Output, std::time::Duration) {
    let start = std::time::Instant::now();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", mb * 1024))
        .arg(env!("CARGO_BIN_EXE_zkpot"))
        .args(args)
        .env("ZKPOT_CACHE_DIR", key_dir())
        .output()
        .expect("sh runs");
    (o, start.elapsed())
}

/// A proof file whose statement asks for absurd sizes, or a spec the trainer refuses,
/// is refused before anything is derived or allocated from it: a clear error in well
/// under a second, under 500 MB, with or without an expected statement (which here is
/// the file's own, so the statement is "vouched for").
#[test]
fn verify_refuses_absurd_statements_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = prove_small(dir.path(), "run.zkpot", "1");
    let bytes = std::fs::read(&file).unwrap();
    // A small spec the trainer accepts, but for its value bits.
    let mut value_bits = zkpot::TrainSpec::new(vec![64, 64, 10], 8, 9, 1);
    value_bits.steps_per_fold = 1;
    value_bits.iterations = Some(1);
    assert!(value_bits.validate().is_ok());
    value_bits.value_bits = 64;
    let cases = [
        (spec_with_table_vars(34), "2^34"),
        (spec_with_table_vars(28), "2^28"),
        (value_bits, "value_bits"),
    ];
    for (spec, needle) in cases {
        let bad = dir.path().join("absurd.zkpot");
        std::fs::write(&bad, with_spec(&bytes, &spec)).unwrap();
        let b = bad.to_str().unwrap();
        // The expected statement is the absurd file's own statement.
        let expected = dir.path().join("absurd.json");
        let o = zkpot(&["inspect", b]);
        assert!(o.status.success(), "inspect reads it: {}", stderr(&o));
        std::fs::write(&expected, &o.stdout).unwrap();
        let fresh = tempfile::tempdir().unwrap();
        let keys = fresh.path().to_str().unwrap();
        for args in [
            vec!["verify", b, "--key-dir", keys],
            vec!["verify", b, "--key-dir", keys, "--derive-keys"],
            vec![
                "verify",
                b,
                "--key-dir",
                keys,
                "--statement",
                expected.to_str().unwrap(),
            ],
        ] {
            let (o, took) = zkpot_limited(500, &args);
            assert_clean_failure(&o, needle);
            println!("{needle}: refused in {:.3} s", took.as_secs_f64());
            assert!(took.as_secs_f64() < 2.0, "{needle}: took {took:?}");
        }
        assert_eq!(
            std::fs::read_dir(fresh.path()).unwrap().count(),
            0,
            "nothing was written to the key cache"
        );
    }
}

/// `verify` uses only cached keys unless asked, and writes to the cache only if asked
/// (Pedersen keys: the transparent scheme's keys can be derived by anyone).
#[test]
fn verify_derives_keys_only_when_asked_and_caches_them_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (file, report) = prove_small_with(dir.path(), "run.zkpot", "3", &["--pcs", "pedersen"]);
    assert_eq!(report["pcs"], "pedersen");
    assert!(report.get("srs").is_none());
    let f = file.to_str().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let keys = fresh.path().to_str().unwrap();
    assert_clean_failure(
        &zkpot(&["verify", f, "--key-dir", keys]),
        "not in the key cache",
    );
    let o = zkpot(&["verify", f, "--key-dir", keys, "--derive-keys"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("derived (not cached)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0);
    let o = zkpot(&[
        "verify",
        f,
        "--key-dir",
        keys,
        "--derive-keys",
        "--cache-keys",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 1);
    let o = zkpot(&["verify", f, "--key-dir", keys]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("loaded from"), "{}", stderr(&o));
}

/// A HyperKZG run (the default) names its SRS: the report, `inspect` and `verify` give
/// the scheme and the digest; a verifier needs the run's SRS (it never samples one):
/// with none cached, or another one, it refuses with the digests, and with a copy of
/// the prover's it accepts.
#[test]
fn a_kzg_run_is_checked_against_its_own_srs() {
    let dir = tempfile::tempdir().unwrap();
    let prover_keys = dir.path().join("keys");
    let pk = prover_keys.to_str().unwrap();
    let (file, report) = prove_small_with(dir.path(), "run.zkpot", "4", &["--key-dir", pk]);
    let f = file.to_str().unwrap();
    assert_eq!(report["pcs"], "kzg");
    assert_eq!(
        report["key_derived"], true,
        "no SRS was cached: one was sampled"
    );
    let srs = report["srs"].as_str().unwrap();
    assert!(
        srs.contains("whoever sampled tau can forge proofs"),
        "{srs}"
    );
    let digest = report["setup_digest"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    let o = zkpot(&["inspect", f]);
    let inspect: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(inspect["statement"]["setup"]["pcs"], "kzg");
    assert_eq!(inspect["statement"]["setup"]["digest"], digest.as_str());
    // The prover's key folder verifies; the summary names the development SRS.
    let o = zkpot(&["verify", f, "--key-dir", pk]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("whoever sampled tau can forge proofs"),
        "{}",
        stderr(&o)
    );
    // A fresh folder: no SRS, and none is sampled for a verifier.
    let fresh = tempfile::tempdir().unwrap();
    let fk = fresh.path().to_str().unwrap();
    for args in [
        vec!["verify", f, "--key-dir", fk],
        vec!["verify", f, "--key-dir", fk, "--derive-keys"],
    ] {
        assert_clean_failure(&zkpot(&args), &digest);
    }
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0);
    // Another SRS: refused, naming both.
    let o = zkpot(&[
        "srs",
        "dev",
        "--power",
        "18",
        "--seed",
        "9",
        "--key-dir",
        fk,
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_clean_failure(&zkpot(&["verify", f, "--key-dir", fk]), "proven on kzg");
    // The prover's SRS, copied: accepted.
    std::fs::copy(prover_keys.join("srs.bin"), fresh.path().join("srs.bin")).unwrap();
    let o = zkpot(&["verify", f, "--key-dir", fk]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    // A cached SRS too small for the run: `train` and `setup` say how many powers it
    // needs, and replace nothing.
    let small = tempfile::tempdir().unwrap();
    let sk = small.path().to_str().unwrap();
    let o = zkpot(&["srs", "dev", "--power", "4", "--key-dir", sk]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let before = std::fs::read(small.path().join("srs.bin")).unwrap();
    for command in ["train", "setup"] {
        let mut args = small_run(command);
        args.extend_from_slice(&["--key-dir", sk]);
        let o = zkpot(&args);
        assert_clean_failure(&o, "has 2^4 powers; this run needs 2^");
    }
    assert_eq!(std::fs::read(small.path().join("srs.bin")).unwrap(), before);
    // A second run in the prover's folder reuses the SRS: same digest, not sampled.
    let (_, again) = prove_small_with(dir.path(), "again.zkpot", "5", &["--key-dir", pk]);
    assert_eq!(again["setup_digest"], digest.as_str());
    assert_eq!(again["key_derived"], false);
}

/// A folded proof on HyperKZG: Nova's commitments take the SRS prefix, so the IVC keys
/// belong to the SRS they were made with. After the cached SRS is replaced, the old proof
/// is refused naming both setups, and `train` derives the IVC keys again for the new SRS
/// (the cached ones are of another setup) and proves a run that verifies.
#[test]
fn folded_kzg_keys_follow_the_srs() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let k = keys.to_str().unwrap();
    let srs = |seed: &str| {
        let o = zkpot(&[
            "srs",
            "dev",
            "--power",
            "20",
            "--seed",
            seed,
            "--replace",
            "--key-dir",
            k,
        ]);
        assert!(o.status.success(), "stderr: {}", stderr(&o));
    };
    let prove = |name: &str| {
        let file = dir.path().join(name);
        let report = dir.path().join(format!("{name}.json"));
        let o = train_folded(&[
            "--iterations",
            "2",
            "--key-dir",
            k,
            "--out",
            file.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "stderr: {}", stderr(&o));
        (file, read_json(&report))
    };
    srs("1");
    let (first, r) = prove("first.zkpot");
    assert_eq!(r["pcs"], "kzg");
    assert_eq!(r["ivc_keys_derived"], true);
    let o = zkpot(&["verify", first.to_str().unwrap(), "--key-dir", k]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).contains("valid folded proof"), "{}", stdout(&o));

    srs("2");
    assert_clean_failure(
        &zkpot(&["verify", first.to_str().unwrap(), "--key-dir", k]),
        "proven on kzg",
    );
    let (second, r2) = prove("second.zkpot");
    assert_eq!(r2["ivc_keys_derived"], true, "keys of the old SRS reused");
    assert_ne!(r2["setup_digest"], r["setup_digest"]);
    let o = zkpot(&["verify", second.to_str().unwrap(), "--key-dir", k]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
}

/// The byte offset of `.ptau` section `wanted` (after its type and size).
fn ptau_section(bytes: &[u8], wanted: u32) -> usize {
    let mut at = 12;
    loop {
        let kind = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let size = u64::from_le_bytes(bytes[at + 4..at + 12].try_into().unwrap()) as usize;
        if kind == wanted {
            return at + 12;
        }
        at += 12 + size;
    }
}

/// `zkpot srs import` checks and caches the fixture's SRS, `srs show` prints it, `srs dev`
/// warns that its sampler can forge, and damaged ceremony files are refused naming the
/// failed check, without touching the cached SRS.
#[test]
fn srs_import_dev_and_show() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/ptau/bn128_pow8.ptau");
    let keys = tempfile::tempdir().unwrap();
    let k = keys.path().to_str().unwrap();
    assert_clean_failure(&zkpot(&["srs", "show", "--key-dir", k]), "no SRS in");

    let o = zkpot(&["srs", "import", fixture, "--key-dir", k]);
    assert!(o.status.success(), "{}", stderr(&o));
    let imported = stdout(&o);
    assert!(imported.contains("power:  8"), "{imported}");
    assert!(
        imported.contains("origin: ceremony file sha256"),
        "{imported}"
    );
    let digest = |out: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix("digest: "))
            .unwrap()
            .to_string()
    };
    let o = zkpot(&["srs", "show", "--key-dir", k]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(digest(&stdout(&o)), digest(&imported));

    // A prefix: another digest.
    let other = tempfile::tempdir().unwrap();
    let o2 = other.path().to_str().unwrap();
    let o = zkpot(&["srs", "import", fixture, "--power", "5", "--key-dir", o2]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("power:  5"));
    assert_ne!(digest(&stdout(&o)), digest(&imported));

    // Damaged copies: a flipped byte inside a tau power, two powers swapped, truncated.
    let bytes = std::fs::read(fixture).unwrap();
    let g1 = ptau_section(&bytes, 2);
    let mut flipped = bytes.clone();
    flipped[g1 + 64 * 3 + 5] ^= 1;
    let mut swapped = bytes.clone();
    swapped.copy_within(g1 + 64 * 3..g1 + 64 * 4, g1 + 64 * 5);
    swapped[g1 + 64 * 3..g1 + 64 * 4].copy_from_slice(&bytes[g1 + 64 * 5..g1 + 64 * 6]);
    let truncated = bytes[..bytes.len() / 3].to_vec();
    for (name, damaged, needle) in [
        ("flipped", flipped, "G1 point 3"),
        ("swapped", swapped, "the powers are inconsistent"),
        ("truncated", truncated, "truncated"),
    ] {
        let path = keys.path().join(format!("{name}.ptau"));
        std::fs::write(&path, damaged).unwrap();
        let o = zkpot(&["srs", "import", path.to_str().unwrap(), "--key-dir", k]);
        assert_clean_failure(&o, needle);
    }
    let o = zkpot(&["srs", "show", "--key-dir", k]);
    assert_eq!(
        digest(&stdout(&o)),
        digest(&imported),
        "the cached SRS is kept"
    );

    // A development SRS does not silently replace a ceremony one; it says who can forge,
    // and is reproducible from its seed.
    assert_clean_failure(
        &zkpot(&["srs", "dev", "--power", "4", "--key-dir", k]),
        "--replace",
    );
    let dev = |dir: &str| {
        let o = zkpot(&[
            "srs",
            "dev",
            "--power",
            "4",
            "--seed",
            "7",
            "--replace",
            "--key-dir",
            dir,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let first = dev(k);
    assert!(
        first.contains("whoever sampled tau can forge proofs"),
        "{first}"
    );
    assert!(
        first.contains("replaces the cached SRS of power 8"),
        "{first}"
    );
    assert_eq!(digest(&dev(o2)), digest(&first));
    assert_clean_failure(
        &zkpot(&["srs", "dev", "--power", "29", "--key-dir", k]),
        "--power",
    );
}
