//! MNIST-format IDX files, gzip-compressed or raw.
//!
//! An image file is the big-endian `u32`s `0x00000803`, `count`, `rows`, `cols`,
//! then `count * rows * cols` pixel bytes, image after image, row-major. A label
//! file is `0x00000801`, `count`, then `count` label bytes. A file must hold exactly
//! what its header announces: a short file is [`DataError::Truncated`], a longer one
//! [`DataError::TrailingBytes`]. Nothing is allocated from the header's sizes: the
//! pixels are the bytes actually read, and a header announcing more than
//! [`MAX_INPUT_BYTES`] is refused before they are compared.

use std::path::Path;

use super::{maybe_gunzip, read_file, DataError, MAX_INPUT_BYTES};

/// Magic number of an IDX file of `u8` images (`idx3-ubyte`).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of `u8` labels (`idx1-ubyte`).
pub const LABELS_MAGIC: u32 = 0x0000_0801;

/// Header length of an image file: magic, count, rows, cols.
const IMAGES_HEADER: usize = 16;
/// Header length of a label file: magic, count.
const LABELS_HEADER: usize = 8;

/// The content of an IDX image file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows of an image.
    pub rows: usize,
    /// Columns of an image.
    pub cols: usize,
    /// `count * rows * cols` pixels, image after image, each row-major.
    pub pixels: Vec<u8>,
}

/// Reads an IDX image file (gzip or raw, told apart by the gzip magic bytes).
pub fn read_images(path: &Path) -> Result<IdxImages, DataError> {
    parse_images(&read_file(path)?, path)
}

/// Reads an IDX label file (gzip or raw, told apart by the gzip magic bytes).
pub fn read_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    parse_labels(&read_file(path)?, path)
}

/// Parses the bytes of an IDX image file (gzip or raw); `path` only names the
/// source in errors.
pub fn parse_images(bytes: &[u8], path: &Path) -> Result<IdxImages, DataError> {
    let data = maybe_gunzip(bytes, path)?;
    let header = header(&data, path, IMAGES_MAGIC, IMAGES_HEADER)?;
    let (count, rows, cols) = (header[1], header[2], header[3]);
    let bad = |reason: String| DataError::BadDimensions {
        what: format!("IDX header of {}", path.display()),
        reason,
    };
    if rows == 0 || cols == 0 {
        return Err(bad(format!("an image of {rows} x {cols} pixels")));
    }
    let payload = u64::from(count)
        .checked_mul(u64::from(rows))
        .and_then(|n| n.checked_mul(u64::from(cols)))
        .filter(|&n| n <= MAX_INPUT_BYTES - IMAGES_HEADER as u64)
        .ok_or_else(|| {
            bad(format!(
                "{count} images of {rows} x {cols} pixels exceed the limit of {MAX_INPUT_BYTES} bytes"
            ))
        })?;
    let pixels = body(data.into_owned(), path, IMAGES_HEADER, payload)?;
    let too_big = |_| bad(format!("{count} x {rows} x {cols} does not fit in usize"));
    Ok(IdxImages {
        count: usize::try_from(count).map_err(too_big)?,
        rows: usize::try_from(rows).map_err(too_big)?,
        cols: usize::try_from(cols).map_err(too_big)?,
        pixels,
    })
}

/// Parses the bytes of an IDX label file (gzip or raw); `path` only names the
/// source in errors.
pub fn parse_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>, DataError> {
    let data = maybe_gunzip(bytes, path)?;
    let header = header(&data, path, LABELS_MAGIC, LABELS_HEADER)?;
    body(data.into_owned(), path, LABELS_HEADER, u64::from(header[1]))
}

/// Checks the magic number and the header's length; returns the header's
/// big-endian `u32`s (the magic first).
fn header(data: &[u8], path: &Path, magic: u32, len: usize) -> Result<Vec<u32>, DataError> {
    let truncated = || DataError::Truncated {
        path: path.to_path_buf(),
        part: "header",
        expected_bytes: len as u64,
        found_bytes: data.len() as u64,
    };
    let words: Vec<u32> = data
        .chunks_exact(4)
        .take(len / 4)
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    match words.first() {
        None => Err(truncated()),
        Some(&found) if found != magic => Err(DataError::BadMagic {
            path: path.to_path_buf(),
            expected: magic,
            found,
        }),
        Some(_) if data.len() < len => Err(truncated()),
        Some(_) => Ok(words),
    }
}

/// Drops the header and checks that exactly `payload` bytes follow it.
fn body(mut data: Vec<u8>, path: &Path, header: usize, payload: u64) -> Result<Vec<u8>, DataError> {
    let expected_bytes = header as u64 + payload;
    let found_bytes = data.len() as u64;
    if found_bytes < expected_bytes {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            part: "data",
            expected_bytes,
            found_bytes,
        });
    }
    if found_bytes > expected_bytes {
        return Err(DataError::TrailingBytes {
            path: path.to_path_buf(),
            expected_bytes,
            found_bytes,
        });
    }
    data.drain(..header);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_bytes(count: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [IMAGES_MAGIC, count, rows, cols] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        out.extend_from_slice(pixels);
        out
    }

    fn p() -> &'static Path {
        Path::new("mem")
    }

    #[test]
    fn parses_images_and_labels() {
        let img = parse_images(&image_bytes(2, 1, 3, &[1, 2, 3, 4, 5, 6]), p()).unwrap();
        assert_eq!((img.count, img.rows, img.cols), (2, 1, 3));
        assert_eq!(img.pixels, [1, 2, 3, 4, 5, 6]);
        let mut lab = LABELS_MAGIC.to_be_bytes().to_vec();
        lab.extend_from_slice(&3u32.to_be_bytes());
        lab.extend_from_slice(&[7, 8, 9]);
        assert_eq!(parse_labels(&lab, p()).unwrap(), [7, 8, 9]);
    }

    #[test]
    fn zero_images_parse() {
        let img = parse_images(&image_bytes(0, 28, 28, &[]), p()).unwrap();
        assert_eq!(img.count, 0);
        assert!(img.pixels.is_empty());
    }

    #[test]
    fn short_inputs_are_truncated_headers() {
        for len in [0, 3] {
            let err = parse_images(&image_bytes(1, 1, 1, &[0])[..len], p()).unwrap_err();
            assert!(
                matches!(
                    err,
                    DataError::Truncated {
                        part: "header",
                        expected_bytes: 16,
                        ..
                    }
                ),
                "{err}"
            );
        }
        // With the magic present but the header cut, still a truncated header.
        let err = parse_images(&image_bytes(1, 1, 1, &[0])[..10], p()).unwrap_err();
        assert!(matches!(
            err,
            DataError::Truncated {
                part: "header",
                found_bytes: 10,
                ..
            }
        ));
        // A label file's magic in an image file is a bad magic, whatever the length.
        let err = parse_images(&LABELS_MAGIC.to_be_bytes(), p()).unwrap_err();
        assert!(matches!(
            err,
            DataError::BadMagic {
                expected: IMAGES_MAGIC,
                found: LABELS_MAGIC,
                ..
            }
        ));
    }

    #[test]
    fn absurd_headers_are_refused_before_reading() {
        for (count, rows, cols) in [(u32::MAX, u32::MAX, u32::MAX), (1 << 16, 1 << 16, 2)] {
            let err = parse_images(&image_bytes(count, rows, cols, &[]), p()).unwrap_err();
            assert!(matches!(err, DataError::BadDimensions { .. }), "{err}");
        }
        let err = parse_images(&image_bytes(1, 0, 5, &[]), p()).unwrap_err();
        assert!(matches!(err, DataError::BadDimensions { .. }), "{err}");
        // 2^32 - 16 bytes of payload is within the limit: only the data is missing.
        let err = parse_images(&image_bytes(1 << 16, 1 << 16, 1, &[]), p()).unwrap_err();
        assert!(matches!(err, DataError::BadDimensions { .. }), "{err}");
        let err = parse_images(&image_bytes((1 << 16) - 1, 1 << 16, 1, &[]), p()).unwrap_err();
        assert!(
            matches!(err, DataError::Truncated { part: "data", .. }),
            "{err}"
        );
    }

    #[test]
    fn label_count_must_match_data() {
        let mut lab = LABELS_MAGIC.to_be_bytes().to_vec();
        lab.extend_from_slice(&u32::MAX.to_be_bytes());
        let err = parse_labels(&lab, p()).unwrap_err();
        assert!(
            matches!(err, DataError::Truncated { part: "data", expected_bytes, found_bytes: 8, .. } if expected_bytes == 8 + u64::from(u32::MAX)),
            "{err}"
        );
    }
}
