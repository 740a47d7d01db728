//! CSV files of images: no header, each row `pixel_1, ..., pixel_n, label`.
//!
//! Pixels are integers in `0..=255`, the label an integer below 10 (the format of
//! `../shared/datasets/mnist5k/mnist_5k.csv.gz`). The file is gzip or plain text,
//! told apart by the gzip magic bytes, never by its name. The first row fixes the
//! number of columns (`num_features = columns - 1`) and every other row must have
//! as many. Blank lines are skipped, `\r\n` line ends and spaces around fields are
//! accepted. Errors name the 1-based line.

use std::path::Path;

use super::{check_frac_bits, maybe_gunzip, read_file, DataError, Dataset, NUM_DIGIT_CLASSES};

/// Largest pixel value of a CSV file.
pub const PIXEL_MAX: u32 = 255;

/// Reads a CSV file into one dataset (10 classes) named after the file, in the
/// file's row order.
pub fn read(path: &Path, frac_bits: u32) -> Result<Dataset, DataError> {
    check_frac_bits(frac_bits)?;
    parse(&read_file(path)?, path, frac_bits)
}

/// Parses the bytes of a CSV file (gzip or plain); `path` names the dataset (its
/// file name) and the source in errors.
pub fn parse(bytes: &[u8], path: &Path, frac_bits: u32) -> Result<Dataset, DataError> {
    let text = maybe_gunzip(bytes, path)?;
    let err = |line: usize, reason: String| DataError::Csv {
        path: path.to_path_buf(),
        line,
        reason,
    };
    // (number of columns, the line that fixed it)
    let mut shape: Option<(usize, usize)> = None;
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let row = std::str::from_utf8(raw)
            .map_err(|e| err(line, format!("not valid UTF-8 ({e})")))?
            .trim();
        if row.is_empty() {
            continue;
        }
        let found = row.split(',').count();
        let columns = match shape {
            None => {
                if found < 2 {
                    return Err(err(
                        line,
                        format!(
                            "a row needs at least one pixel and a label, found {found} column(s)"
                        ),
                    ));
                }
                shape = Some((found, line));
                found
            }
            Some((columns, first)) if found != columns => {
                return Err(err(
                    line,
                    format!("expected {columns} columns (as on line {first}), found {found}"),
                ));
            }
            Some((columns, _)) => columns,
        };
        for (c, field) in row.split(',').enumerate() {
            let field = field.trim();
            let value: u32 = field.parse().map_err(|_| {
                err(
                    line,
                    format!("column {}: `{field}` is not a non-negative integer", c + 1),
                )
            })?;
            if c + 1 < columns {
                // A pixel: <= 255, so the cast cannot truncate.
                if value > PIXEL_MAX {
                    return Err(err(
                        line,
                        format!("column {}: pixel {value} is larger than {PIXEL_MAX}", c + 1),
                    ));
                }
                pixels.push(value as u8);
            } else {
                // The label: < 10, so the cast cannot truncate.
                if value as usize >= NUM_DIGIT_CLASSES {
                    return Err(err(
                        line,
                        format!(
                            "label {value} is not a class index (must be below {NUM_DIGIT_CLASSES})"
                        ),
                    ));
                }
                labels.push(value as u8);
            }
        }
    }
    let Some((columns, _)) = shape else {
        return Err(DataError::Empty {
            what: path.display().to_string(),
        });
    };
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Dataset::from_pixels(
        name,
        columns - 1,
        NUM_DIGIT_CLASSES,
        &pixels,
        PIXEL_MAX,
        labels,
        frac_bits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Dataset, DataError> {
        parse(text.as_bytes(), Path::new("dir/t.csv"), 8)
    }

    #[test]
    fn tolerates_crlf_spaces_and_blank_lines() {
        let d = parse_str("0, 255 ,3\r\n\n255,0,9\r\n\r\n").unwrap();
        assert_eq!(d.name(), "t.csv");
        assert_eq!((d.len(), d.num_features()), (2, 2));
        assert_eq!(d.samples(), &[0, 256, 256, 0]);
        assert_eq!(d.labels(), &[3, 9]);
    }

    #[test]
    fn rejects_bad_rows() {
        for (text, line, needle) in [
            ("5\n", 1, "at least one pixel"),
            ("1,2\n1,-2\n", 2, "not a non-negative integer"),
            ("1,2\n1,2.5\n", 2, "not a non-negative integer"),
            (
                "1,2\n\n1,,2\n",
                3,
                "expected 2 columns (as on line 1), found 3",
            ),
        ] {
            match parse_str(text) {
                Err(DataError::Csv {
                    line: l, reason, ..
                }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(reason.contains(needle), "{text:?}: {reason}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_invalid_utf8() {
        let err = parse(b"1,2\n\xff,2\n", Path::new("t.csv"), 8).unwrap_err();
        assert!(matches!(err, DataError::Csv { line: 2, .. }), "{err}");
    }

    #[test]
    fn empty_text_is_empty() {
        for text in ["", "\n\n \r\n"] {
            assert!(matches!(parse_str(text), Err(DataError::Empty { .. })));
        }
    }
}
