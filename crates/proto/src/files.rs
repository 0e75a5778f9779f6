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
