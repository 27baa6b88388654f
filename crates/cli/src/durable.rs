//! Files written so that they survive a crash once the command says they are written.

use std::io::Write;
use std::path::Path;

/// Syncs the folder holding `file`, so that the name given to it is durable too.
pub(crate) fn sync_folder_of(file: &Path) -> std::io::Result<()> {
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    std::fs::File::open(folder)?.sync_all()
}

/// Writes `bytes` to `path` (replacing it), syncs it and its folder.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    sync_folder_of(path)
}
