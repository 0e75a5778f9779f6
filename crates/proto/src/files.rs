//! File transfer: what a CSR offers, how a customer asks for it, and the one rule every receiving
//! side applies to a name before it touches the disk ([`safe_file_name`]).
//!
//! A file travels on its own unidirectional stream: [`crate::UniHeader::File`] names the file and
//! the offset the bytes start at, then the raw bytes follow until the stream finishes. The
//! receiver hashes what it has as it goes and keeps the file only when the SHA-256 of the whole
//! file matches the one offered.

use serde::{Deserialize, Serialize};

/// A file's number within a session (an offered file, or one file of a move), given by the host
/// from one counter. On the wire it is the bare number.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// A move's number within a session (a push or a pull of browse and move files), given by the
/// host. On the wire it is the bare number.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(transparent)]
pub struct MoveId(pub u32);

impl FileId {
    /// The number `n` after this one (numbers wrap; a session never uses four billion).
    #[must_use]
    pub fn wrapping_add(self, n: u32) -> FileId {
        FileId(self.0.wrapping_add(n))
    }
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "file {}", self.0)
    }
}

impl std::fmt::Display for MoveId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "move {}", self.0)
    }
}

/// Most files on offer at once (the list travels in pieces, see [`offered_batches`]).
pub const MAX_FILES_OFFERED: usize = 10_000;

/// `files` cut into pieces of at most [`MAX_BATCH_BYTES`] of entries, each with whether it is the
/// last (an empty list is one empty, last piece).
#[must_use]
pub fn offered_batches(files: &[OfferedFile]) -> Vec<(Vec<OfferedFile>, bool)> {
    // Generous: the name's length prefix, the number, the size and the hash.
    crate::pieces(files.iter().cloned(), MAX_BATCH_BYTES, |f| f.name.len() + 64)
}

/// The list of files on offer as it arrives in pieces ([`crate::ToGuest::FilesOffered`]), the
/// other side of [`offered_batches`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferedPieces(Vec<OfferedFile>);

/// More files on offer than a list may hold: the sender is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("more than {MAX_FILES_OFFERED} files on offer")]
pub struct TooManyOffered;

impl OfferedPieces {
    /// Takes one piece: the whole list once `last` came. More than [`MAX_FILES_OFFERED`] in
    /// all is refused (the pieces so far are dropped).
    pub fn add(&mut self, files: Vec<OfferedFile>, last: bool) -> Result<Option<Vec<OfferedFile>>, TooManyOffered> {
        if self.0.len() + files.len() > MAX_FILES_OFFERED {
            self.0.clear();
            return Err(TooManyOffered);
        }
        self.0.extend(files);
        Ok(last.then(|| std::mem::take(&mut self.0)))
    }
}

/// Longest file name, in bytes (what most file systems allow).
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// Largest file offered (1 TiB): a bound, not a promise.
pub const MAX_FILE_BYTES: u64 = 1 << 40;

/// A file a CSR offers to the customers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct OfferedFile {
    /// Its number in this session.
    pub id: FileId,
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
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileOutcome {
    /// Written whole, the hash matched, renamed into place.
    Done,
    /// The customer cancelled it.
    Cancelled,
    /// It failed: why.
    Failed(FileProblem),
}

/// Why a file, a folder listing or a move did not go ahead, as either side says it. A code,
/// never a sentence: each app words it in its reader's language (`deskside_i18n::words`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// The customer refused it.
    Refused,
    /// The customer stopped browsing and moving files.
    Stopped,
    /// The customer has not allowed browsing and moving files.
    NotAllowed,
    /// The customer has too many questions waiting already.
    Busy,
    /// One application is shared: files do not move meanwhile.
    AppSharing,
    /// The folder does not exist.
    NoFolder,
    /// The folder cannot be used (hidden, relative, or reached through a link into something
    /// hidden).
    FolderUnusable,
    /// The file cannot be sent (hidden, or reached through a link into something hidden).
    NotSendable,
    /// The path is longer than a message carries.
    PathTooLong,
    /// The file or folder is not there.
    NotFound,
    /// The file or folder cannot be read.
    NoPermission,
    /// The folder cannot be written to.
    ReadOnly,
    /// The disk is full.
    DiskFull,
    /// The bytes did not match the file offered.
    HashMismatch,
    /// The connection broke; the part file is kept to resume from.
    Interrupted,
    /// The sender's copy changed or went away.
    SourceGone,
    /// The name cannot be made safe on the receiving machine.
    BadName(NameError),
    /// A folder stands where the file would go (Replace never replaces a folder).
    FolderInTheWay,
    /// What was sent is not what was allowed (other names, more files or bytes): nothing of it
    /// was written.
    NotApproved,
    /// It holds more files than a move carries ([`MAX_MOVE_FILES`]).
    TooMany,
    /// Its folders nest deeper than a move carries ([`MAX_MOVE_DEPTH`]).
    TooDeep,
    /// It is neither a file nor a folder (a link, a device).
    NotAFile,
    /// A session rule was broken.
    Rule(crate::Rule),
    /// Something else went wrong on that computer (the system's own words stay in its log).
    Other,
}

impl FileProblem {
    /// The problem a system error is, as far as its kind tells.
    #[must_use]
    pub fn of_io(kind: std::io::ErrorKind) -> FileProblem {
        use std::io::ErrorKind as K;
        match kind {
            K::StorageFull | K::QuotaExceeded | K::FileTooLarge => FileProblem::DiskFull,
            K::ReadOnlyFilesystem => FileProblem::ReadOnly,
            K::PermissionDenied => FileProblem::NoPermission,
            K::NotFound => FileProblem::NotFound,
            K::NotADirectory => FileProblem::NoFolder,
            K::IsADirectory => FileProblem::NotAFile,
            _ => FileProblem::Other,
        }
    }

    /// The problem a broken session rule is for a move: the ones people meet in moving files
    /// get their own words.
    #[must_use]
    pub fn of_rule(rule: crate::Rule) -> FileProblem {
        match rule {
            crate::Rule::AppSharing => FileProblem::AppSharing,
            crate::Rule::FilesNotAllowed => FileProblem::NotAllowed,
            crate::Rule::TooManyFiles => FileProblem::TooMany,
            crate::Rule::NotAsked => FileProblem::NotApproved,
            rule => FileProblem::Rule(rule),
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
    pub file: FileId,
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
            && self.path.iter().map(|p| p.len() + 1).sum::<usize>() <= MAX_PATH_BYTES
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
            && self.bytes <= MAX_FILE_BYTES.saturating_mul(MAX_MOVE_FILES as u64)
    }

    /// Whether `files` are exactly what this summary describes, so that a receiver writes only
    /// what the person approved: a single file is one file under this name with these bytes; a
    /// folder's files all lie inside a folder of this name, as many as it says, different paths,
    /// with these bytes in all.
    #[must_use]
    pub fn admits(&self, files: &[MovedFile]) -> bool {
        self.admits_part(files)
            && files.len() == self.files as usize
            && files.iter().map(|f| f.size).sum::<u64>() == self.bytes
    }

    /// Whether `files` may be the first part of what this summary describes (see
    /// [`MoveSummary::admits`]): nothing outside it, not more files or bytes than it says.
    #[must_use]
    pub fn admits_part(&self, files: &[MovedFile]) -> bool {
        let inside = |f: &MovedFile| {
            if self.dir {
                f.path.len() >= 2 && f.path[0] == self.name
            } else {
                f.path.len() == 1 && f.path[0] == self.name
            }
        };
        let mut paths: Vec<&[String]> = files.iter().map(|f| f.path.as_slice()).collect();
        paths.sort_unstable();
        paths.dedup();
        let bytes = files.iter().try_fold(0u64, |n, f| n.checked_add(f.size));
        files.len() <= self.files as usize
            && (self.dir || self.files == 1)
            && files.iter().all(inside)
            && paths.len() == files.len()
            && bytes.is_some_and(|b| b <= self.bytes)
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
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
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

/// Characters that change the direction text is shown in (or hide): a name holding one can show
/// as something other than it is ("report\u{202e}fdp.exe" reads "reportexe.pdf").
fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The name to write a received file under, or why it cannot be made safe.
///
/// Refused: anything with a path in it (a separator, `..`, `.`, a drive), control characters,
/// characters that reorder or hide text (bidi overrides, zero-width), a Windows device name (also
/// `COM¹` to `LPT³`, which Windows treats as devices), more than 255 bytes. Made safe: characters
/// Windows forbids (`<>:"|?*`) become `_`, leading dots go (a received file is never hidden, nor
/// named `.bashrc`), and so do trailing dots and spaces.
pub fn safe_file_name(raw: &str) -> Result<String, NameError> {
    if raw.chars().any(|c| c.is_control() || is_bidi_or_invisible(c)) {
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
    let cleaned = cleaned.trim_end_matches(['.', ' ']).trim_start_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() {
        return Err(NameError::Empty);
    }
    if cleaned.len() > MAX_FILE_NAME_BYTES {
        return Err(NameError::TooLong);
    }
    let stem = cleaned.split('.').next().unwrap_or_default().trim_end().to_uppercase();
    let numbered = |prefix: &str| {
        stem.strip_prefix(prefix)
            .is_some_and(|n| matches!(n, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"))
    };
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" | "CLOCK$")
        || numbered("COM")
        || numbered("LPT");
    if device {
        return Err(NameError::Device);
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_on_offer_is_whole_once_its_last_piece_came_and_bounded() {
        let f = |i: u32| OfferedFile { id: FileId(i), name: format!("f{i}"), size: 1, sha256: [0; 32] };
        let mut p = OfferedPieces::default();
        assert_eq!(p.add(vec![f(1)], false), Ok(None));
        assert_eq!(p.add(vec![f(2)], true), Ok(Some(vec![f(1), f(2)])));
        assert_eq!(p.add(vec![], true), Ok(Some(vec![])), "an empty list is a list");
        let many: Vec<OfferedFile> = (0..MAX_FILES_OFFERED as u32).map(f).collect();
        assert_eq!(p.add(many, false), Ok(None));
        assert_eq!(p.add(vec![f(0)], true), Err(TooManyOffered));
        assert_eq!(p.add(vec![f(3)], true), Ok(Some(vec![f(3)])), "what came before the refusal is dropped");
    }

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
        for device in ["COM¹", "lpt².txt", "Com³.log", "CLOCK$"] {
            assert_eq!(safe_file_name(device), Err(NameError::Device), "{device}");
        }
        // Never hidden, never a shell's start-up file.
        assert_eq!(safe_file_name(".bashrc"), Ok("bashrc".into()));
        assert_eq!(safe_file_name("...profile"), Ok("profile".into()));
        // Text that shows as something else.
        for sneaky in ["report\u{202e}fdp.exe", "a\u{200b}b", "x\u{2066}y", "\u{feff}z"] {
            assert_eq!(safe_file_name(sneaky), Err(NameError::Control), "{sneaky:?}");
        }
        assert_eq!(safe_file_name("a\u{0}b"), Err(NameError::Control));
        assert_eq!(safe_file_name("bell\u{7}"), Err(NameError::Control));
        assert_eq!(safe_file_name("new\nline"), Err(NameError::Control));
        assert_eq!(safe_file_name(" . "), Err(NameError::Empty));
        assert_eq!(safe_file_name(""), Err(NameError::Empty));
        assert_eq!(safe_file_name(&"x".repeat(256)), Err(NameError::TooLong));
        assert_eq!(safe_file_name(&"é".repeat(127)).map(|n| n.len()), Ok(254));
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    fn f(file: u32, path: &[&str], size: u64) -> MovedFile {
        MovedFile { file: FileId(file), path: path.iter().map(|p| (*p).to_owned()).collect(), size, sha256: [0; 32] }
    }

    #[test]
    fn a_summary_admits_exactly_what_it_describes() {
        let one = MoveSummary { name: "report.pdf".into(), dir: false, files: 1, bytes: 5 };
        assert!(one.admits(&[f(1, &["report.pdf"], 5)]));
        assert!(!one.admits(&[f(1, &[".bashrc"], 5)]), "another name");
        assert!(!one.admits(&[f(1, &["report.pdf"], 6)]), "more bytes");
        assert!(!one.admits(&[f(1, &["report.pdf"], 5), f(2, &["report.pdf"], 0)]), "a second file");
        assert!(!one.admits(&[f(1, &["report.pdf", "x"], 5)]), "a file is no folder");
        let dir = MoveSummary { name: "Photos".into(), dir: true, files: 2, bytes: 3 };
        let both = [f(1, &["Photos", "a"], 1), f(2, &["Photos", "sub", "b"], 2)];
        assert!(dir.admits(&both));
        assert!(dir.admits_part(&both[..1]) && !dir.admits(&both[..1]), "a first part, not the whole");
        assert!(!dir.admits(&[f(1, &["Photos", "a"], 1), f(2, &["Other", "b"], 2)]), "outside the folder");
        assert!(!dir.admits(&[f(1, &["Photos", "a"], 1), f(2, &["Photos", "a"], 2)]), "a path twice");
        assert!(!dir.admits_part(&[f(1, &["Photos", "a"], u64::MAX), f(2, &["Photos", "b"], 2)]), "overflow");
        let empty = MoveSummary { name: "Empty".into(), dir: true, files: 0, bytes: 0 };
        assert!(empty.admits(&[]));
    }

    #[test]
    fn the_offered_list_goes_in_pieces_that_fit_a_message() {
        let files: Vec<OfferedFile> = (0..5_000)
            .map(|id| OfferedFile { id: FileId(id), name: "n".repeat(MAX_FILE_NAME_BYTES), size: 1, sha256: [9; 32] })
            .collect();
        let pieces = offered_batches(&files);
        assert!(pieces.len() > 1 && pieces.last().is_some_and(|(_, last)| *last));
        for (files, last) in &pieces {
            let msg = crate::ToGuest::FilesOffered { files: files.clone(), last: *last };
            assert!(crate::encode_frame(&msg, crate::MAX_CONTROL_MSG_BYTES).is_ok());
        }
        assert_eq!(pieces.into_iter().flat_map(|(f, _)| f).count(), 5_000);
        assert_eq!(offered_batches(&[]), vec![(vec![], true)]);
    }
}
