//! Moves of the advanced file transfer, as either side prepares and follows them: walking a file
//! or folder into the list of files it carries (links are never followed, bounds are checked
//! before anything is hashed), and hashing each. The board of moves the UI shows is the session's
//! ([`deskside_session::host::MoveInfo`]).

use std::path::{Path, PathBuf};

use deskside_proto::files::{MAX_MOVE_DEPTH, MAX_MOVE_FILES};
use deskside_proto::{MoveSummary, MovedFile};
pub use deskside_session::host::{Direction, MoveInfo, MoveState};

/// A file or folder ready to move: what it carries and where each file is read from.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// What it carries.
    pub summary: MoveSummary,
    /// Each file, numbered from the first number given, with its place on this machine.
    pub files: Vec<(MovedFile, PathBuf)>,
}

/// Why a file or folder cannot be moved.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    /// Reading it failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// It holds more files than a move carries.
    #[error("it holds more than {MAX_MOVE_FILES} files")]
    TooMany,
    /// Its folders nest deeper than a move carries.
    #[error("its folders nest more than {MAX_MOVE_DEPTH} deep")]
    TooDeep,
    /// It is neither a file nor a folder (a link, a device).
    #[error("only files and folders can be moved")]
    NotAFile,
}

impl PrepareError {
    /// The problem as the other side hears it (a system error's own words stay in the log).
    #[must_use]
    pub fn problem(&self) -> deskside_proto::FileProblem {
        use deskside_proto::FileProblem;
        match self {
            PrepareError::Io(e) => FileProblem::of_io(e.kind()),
            PrepareError::TooMany => FileProblem::TooMany,
            PrepareError::TooDeep => FileProblem::TooDeep,
            PrepareError::NotAFile => FileProblem::NotAFile,
        }
    }
}

/// One file [`walk`] found: its path inside the move, its size, and its place here.
pub type Walked = (Vec<String>, u64, PathBuf);

/// What `root` carries, without reading any content: its summary and each file's path inside it,
/// size and place. Links inside a folder are left out (never followed), and so are hidden entries
/// (a name starting with a dot), which listings never show.
pub fn walk(root: &Path) -> Result<(MoveSummary, Vec<Walked>), PrepareError> {
    let meta = std::fs::symlink_metadata(root)?;
    let name = root.file_name().map_or_else(|| "files".into(), |n| n.to_string_lossy().into_owned());
    let mut files = Vec::new();
    if meta.is_file() {
        files.push((vec![name.clone()], meta.len(), root.to_owned()));
    } else if meta.is_dir() {
        let mut stack = vec![(root.to_owned(), vec![name.clone()])];
        while let Some((dir, parts)) = stack.pop() {
            if parts.len() > MAX_MOVE_DEPTH {
                return Err(PrepareError::TooDeep);
            }
            let mut entries: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).collect();
            entries.sort_by_key(std::fs::DirEntry::file_name);
            for e in entries {
                // Hidden entries are never listed, so they never move inside a folder either.
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let Ok(m) = std::fs::symlink_metadata(e.path()) else { continue };
                let mut p = parts.clone();
                p.push(e.file_name().to_string_lossy().into_owned());
                if m.is_file() {
                    if files.len() == MAX_MOVE_FILES {
                        return Err(PrepareError::TooMany);
                    }
                    files.push((p, m.len(), e.path()));
                } else if m.is_dir() {
                    stack.push((e.path(), p));
                }
            }
        }
    } else {
        return Err(PrepareError::NotAFile);
    }
    let bytes = files.iter().map(|(_, size, _)| size).sum();
    let summary = MoveSummary { name, dir: meta.is_dir(), files: files.len() as u32, bytes };
    Ok((summary, files))
}

/// Walks and hashes `root` (see [`walk`]), numbering its files from `first`;
/// `progress(bytes hashed, bytes in all)` as it goes.
pub async fn prepare(
    root: PathBuf,
    first: deskside_proto::FileId,
    mut progress: impl FnMut(u64, u64),
) -> Result<Prepared, PrepareError> {
    let (summary, listed) =
        tokio::task::spawn_blocking(move || walk(&root)).await.map_err(|e| std::io::Error::other(e.to_string()))??;
    let mut files = Vec::with_capacity(listed.len());
    let mut before = 0;
    for (i, (path, _, place)) in listed.into_iter().enumerate() {
        let total = summary.bytes;
        let (size, sha256) = crate::files::hash_file(&place, |done, _| progress(before + done, total)).await?;
        before += size;
        files.push((MovedFile { file: first.wrapping_add(i as u32), path, size, sha256 }, place));
    }
    let summary = MoveSummary { bytes: before, ..summary };
    Ok(Prepared { summary, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_walked_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("Photos");
        std::fs::create_dir_all(root.join("2026/june")).unwrap();
        std::fs::write(root.join("a.jpg"), b"aaa").unwrap();
        std::fs::write(root.join("2026/june/b.jpg"), b"bb").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
        let (summary, files) = walk(&root).unwrap();
        assert_eq!(summary, MoveSummary { name: "Photos".into(), dir: true, files: 2, bytes: 5 });
        let mut paths: Vec<Vec<String>> = files.into_iter().map(|(p, _, _)| p).collect();
        paths.sort();
        assert_eq!(paths, vec![vec!["Photos", "2026", "june", "b.jpg"], vec!["Photos", "a.jpg"]]);
        let (one, files) = walk(&root.join("a.jpg")).unwrap();
        assert_eq!((one.dir, one.files, files[0].0.clone()), (false, 1, vec!["a.jpg".to_owned()]));
    }
}
