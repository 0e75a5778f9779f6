//! File transfer: what a CSR offers, how a customer asks for it, and the one rule every receiving
//! side applies to a name before it touches the disk ([`safe_file_name`]).
//!
//! A file travels on its own unidirectional stream: [`crate::UniHeader::File`] names the file and
//! the offset the bytes start at, then the raw bytes follow until the stream finishes. The
//! receiver hashes what it has as it goes and keeps the file only when the SHA-256 of the whole
//! file matches the one offered.

use serde::{Deserialize, Serialize};

/// Most files on offer at once.
pub const MAX_FILES_OFFERED: usize = 256;
/// Longest file name, in bytes (what most file systems allow).
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// Longest reason a transfer failed, in bytes.
pub const MAX_REASON_BYTES: usize = 512;
/// Largest file offered (1 TiB): a bound, not a promise.
pub const MAX_FILE_BYTES: u64 = 1 << 40;

/// A file a CSR offers to the customers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OfferedFile {
    /// Its number in this session.
    pub id: u32,
    /// Its name (the receiver still makes it safe).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its content.
    pub sha256: [u8; 32],
}

impl OfferedFile {
    /// Checks the bounds; an offer that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.name.len() <= MAX_FILE_NAME_BYTES
            && !self.name.chars().any(char::is_control)
            && self.size <= MAX_FILE_BYTES
    }
}

/// How a transfer ended, as the receiver reports it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum FileOutcome {
    /// Written whole, the hash matched, renamed into place.
    Done,
    /// The customer cancelled it.
    Cancelled,
    /// It failed; why, in words.
    Failed(String),
}

impl FileOutcome {
    /// Checks the bounds.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        match self {
            FileOutcome::Failed(why) => why.len() <= MAX_REASON_BYTES && !why.chars().any(char::is_control),
            FileOutcome::Done | FileOutcome::Cancelled => true,
        }
    }
}

/// Most files one move (a file, or a folder with everything in it) may hold.
pub const MAX_MOVE_FILES: usize = 10_000;
/// Deepest a folder may nest inside a move.
pub const MAX_MOVE_DEPTH: usize = 32;
/// Most entries in one folder listing (the rest are left out and the listing says so).
pub const MAX_FOLDER_ENTRIES: usize = 1_000;
/// Longest path a listing or a move names, in bytes.
pub const MAX_PATH_BYTES: usize = 4_096;
/// Most bytes of listing or move entries put in one control message (they are well under
/// [`crate::MAX_CONTROL_MSG_BYTES`] with their framing).
pub const MAX_BATCH_BYTES: usize = 48 * 1024;

/// A customer's usual folder, to start browsing from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// Their home folder.
    Home,
    /// Documents.
    Documents,
    /// Desktop.
    Desktop,
    /// Downloads.
    Downloads,
    /// The drives (Windows); elsewhere the root folder.
    Drives,
}

/// Which folder of the customer's machine to list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum FolderAt {
    /// One of the usual folders.
    Place(Place),
    /// A folder a listing named (its `path`, or its `parent`).
    Path(String),
    /// Entry `name` of the listing of `folder` (the customer's machine joins them its own way).
    Child {
        /// The listing's path.
        folder: String,
        /// The entry's name.
        name: String,
    },
}

impl FolderAt {
    /// Checks the bounds.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        match self {
            FolderAt::Place(_) => true,
            FolderAt::Path(p) => is_valid_path(p),
            FolderAt::Child { folder, name } => is_valid_path(folder) && is_valid_entry_name(name),
        }
    }
}

/// Whether `p` is a path a peer may name: bounded, no control characters, not empty.
#[must_use]
pub fn is_valid_path(p: &str) -> bool {
    !p.is_empty() && p.len() <= MAX_PATH_BYTES && !p.chars().any(char::is_control)
}

/// Whether `name` may be an entry of a folder: bounded, printable, no separators, not `.` or `..`.
#[must_use]
pub fn is_valid_entry_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_FILE_NAME_BYTES
        && !name.chars().any(|c| c.is_control() || c == '/' || c == '\\')
        && name != "."
        && name != ".."
}

/// One entry of a folder listing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FolderEntry {
    /// Its name in the folder.
    pub name: String,
    /// Whether it is a folder.
    pub dir: bool,
    /// Its size in bytes (0 for a folder).
    pub size: u64,
}

/// What one folder of the customer's machine holds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FolderListing {
    /// The folder, as the customer's machine names it.
    pub path: String,
    /// The folder above it, if any.
    pub parent: Option<String>,
    /// Folders first, then files, each by name.
    pub entries: Vec<FolderEntry>,
    /// Whether entries were left out (more than fit one message).
    pub truncated: bool,
}

impl FolderListing {
    /// Checks the bounds; a listing that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        is_valid_path(&self.path)
            && self.parent.as_deref().is_none_or(is_valid_path)
            && self.entries.len() <= MAX_FOLDER_ENTRIES
            && self.entries.iter().all(|e| is_valid_entry_name(&e.name) && e.size <= MAX_FILE_BYTES)
    }
}

/// One file of a move: where it goes inside the move (folders, then its name), its size and its
/// SHA-256. The receiver makes every part of `path` safe with [`safe_file_name`] before it
/// touches the disk.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MovedFile {
    /// Its number (the sender's), to fetch it with.
    pub file: u32,
    /// Folders inside the moved folder, then the file's name; one part for a single file.
    pub path: Vec<String>,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its content.
    pub sha256: [u8; 32],
}

impl MovedFile {
    /// Checks the bounds; a file that fails is malformed.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        !self.path.is_empty()
            && self.path.len() <= MAX_MOVE_DEPTH + 1
            && self.path.iter().all(|p| p.len() <= MAX_FILE_NAME_BYTES && !p.chars().any(char::is_control))
            && self.size <= MAX_FILE_BYTES
    }

    /// Its name (the last part of its path).
    #[must_use]
    pub fn name(&self) -> &str {
        self.path.last().map_or("", String::as_str)
    }

    /// The same file as an offered one, named by its whole path inside the move (parts joined by
    /// `/`), as the session record and the host's sending side name it.
    #[must_use]
    pub fn as_offered(&self) -> OfferedFile {
        OfferedFile { id: self.file, name: self.path.join("/"), size: self.size, sha256: self.sha256 }
    }
}

/// What a move carries, for the customer to decide on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MoveSummary {
    /// The file's or folder's name.
    pub name: String,
    /// Whether it is a folder.
    pub dir: bool,
    /// How many files.
    pub files: u32,
    /// How many bytes in all.
    pub bytes: u64,
}

impl MoveSummary {
    /// Checks the bounds.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        !self.name.is_empty()
            && self.name.len() <= MAX_FILE_NAME_BYTES
            && !self.name.chars().any(char::is_control)
            && self.files as usize <= MAX_MOVE_FILES
    }
}

/// What to do when the name a move arrives under is taken in the destination folder.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// Keep what is there and give the new one a free name ("name (1).ext"). Also what happens
    /// when nobody was asked (the name was free when the move was decided).
    #[default]
    KeepBoth,
    /// Replace it (for a folder: its files of the same names; the others stay).
    Replace,
}

/// Why a name cannot be used on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing is left of it.
    #[error("the file has no usable name")]
    Empty,
    /// It names a folder elsewhere (`/etc/passwd`, `C:\x`, `..\x`, `a/b`).
    #[error("the name points outside the chosen folder")]
    Path,
    /// It holds control characters.
    #[error("the name holds control characters")]
    Control,
    /// It is a device on Windows (`CON`, `NUL`, `COM1`, `LPT1`, with any extension).
    #[error("the name is a device name")]
    Device,
    /// It is longer than file systems allow.
    #[error("the name is too long")]
    TooLong,
}

/// The name to write a received file under, or why it cannot be made safe.
///
/// Refused: anything with a path in it (a separator, `..`, `.`, a drive), control characters, a
/// Windows device name, more than 255 bytes. Made safe: characters Windows forbids (`<>:"|?*`)
/// become `_`, and trailing dots and spaces go.
pub fn safe_file_name(raw: &str) -> Result<String, NameError> {
    if raw.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    if raw.contains('/') || raw.contains('\\') || raw == "." || raw == ".." {
        return Err(NameError::Path);
    }
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Err(NameError::Path);
    }
    let cleaned: String = raw.chars().map(|c| if "<>:\"|?*".contains(c) { '_' } else { c }).collect();
    let cleaned = cleaned.trim_end_matches(['.', ' ']).trim_start().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return Err(NameError::Empty);
    }
    if cleaned.len() > MAX_FILE_NAME_BYTES {
        return Err(NameError::TooLong);
    }
    let stem = cleaned.split('.').next().unwrap_or_default().trim_end().to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    if device {
        return Err(NameError::Device);
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hostile_name_is_refused_or_made_safe() {
        assert_eq!(safe_file_name("report.pdf"), Ok("report.pdf".into()));
        assert_eq!(safe_file_name("Factura 2026 (copia).xlsx"), Ok("Factura 2026 (copia).xlsx".into()));
        assert_eq!(safe_file_name("what?.txt"), Ok("what_.txt".into()));
        assert_eq!(safe_file_name("trailing. . "), Ok("trailing".into()));
        for path in
            ["/etc/passwd", "../../.bashrc", "..", ".", "a/b", "a\\b", "C:\\Windows\\x", "c:x", "\\\\server\\share"]
        {
            assert_eq!(safe_file_name(path), Err(NameError::Path), "{path}");
        }
        for device in ["CON", "nul.txt", "Com1", "lpt9.log", "AUX.tar.gz", "PRN"] {
            assert_eq!(safe_file_name(device), Err(NameError::Device), "{device}");
        }
        assert_eq!(safe_file_name("COM0"), Ok("COM0".into()));
        assert_eq!(safe_file_name("a\u{0}b"), Err(NameError::Control));
        assert_eq!(safe_file_name("bell\u{7}"), Err(NameError::Control));
        assert_eq!(safe_file_name("new\nline"), Err(NameError::Control));
        assert_eq!(safe_file_name(" . "), Err(NameError::Empty));
        assert_eq!(safe_file_name(""), Err(NameError::Empty));
        assert_eq!(safe_file_name(&"x".repeat(256)), Err(NameError::TooLong));
        assert_eq!(safe_file_name(&"é".repeat(127)).map(|n| n.len()), Ok(254));
    }
}
