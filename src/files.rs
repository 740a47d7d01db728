//! Reading and writing whole files, with the facade's errors.

use std::path::Path;

use crate::error::Error;

/// Reads a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` atomically ([`zkpot_core::io::write_atomic`]): a reader sees
/// the old file or the whole new one.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    zkpot_core::io::write_atomic(path, bytes).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}
