//! File helpers shared by the crates that write proofs and checkpoints.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a uniquely named temporary file in the same
/// folder, then a rename over `path`. A reader sees the old file or the whole new one,
/// never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
