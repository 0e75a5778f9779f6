//! "What was shared": every grant, refusal and revocation the customer made, kept on their own
//! machine (one JSON line each, appended), so they can look back after the session.
//!
//! The file is only ever appended to; a line that cannot be read (a crash mid-write, an edit) is
//! skipped, never fatal. Reading looks at the file's last [`MAX_READ_BYTES`] only.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::Path;

use deskside_proto::Capability;
use deskside_session::consent::{ConsentChange, ConsentLogEntry};
use serde::{Deserialize, Serialize};

/// A capability's name in the file (stable: the file outlives versions of the app).
fn capability_name(cap: Capability) -> &'static str {
    match cap {
        Capability::View => "view",
        Capability::Control => "control",
        Capability::ViewApp => "view-app",
        Capability::ControlApp => "control-app",
        Capability::SystemInfo => "system-info",
        Capability::Files => "files",
    }
}

/// The capability a record names, if it is one this version knows.
#[must_use]
pub fn capability_named(name: &str) -> Option<Capability> {
    Capability::ALL.into_iter().find(|c| capability_name(*c) == name)
}

/// How much of the end of the file is read.
pub const MAX_READ_BYTES: u64 = 512 * 1024;

/// One thing that happened to one capability.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SharedRecord {
    /// When, ms since the Unix epoch.
    pub at_ms: u64,
    /// The support representative concerned.
    pub csr: String,
    /// Their organisation.
    pub organisation: String,
    /// `view`, `control` or `system-info`.
    pub capability: String,
    /// `granted`, `denied`, `timed-out`, `stopped` or `ended`.
    pub change: String,
}

impl SharedRecord {
    /// The record of a consent log entry in a session with `organisation`.
    #[must_use]
    pub fn of(entry: &ConsentLogEntry, organisation: &str) -> SharedRecord {
        SharedRecord {
            at_ms: entry.at_ms,
            csr: entry.csr_name.clone(),
            organisation: organisation.to_owned(),
            capability: capability_name(entry.capability).to_owned(),
            change: match entry.change {
                ConsentChange::Granted => "granted",
                ConsentChange::Denied => "denied",
                ConsentChange::TimedOut => "timed-out",
                ConsentChange::Stopped => "stopped",
                ConsentChange::Ended => "ended",
                ConsentChange::Released => "released",
            }
            .to_owned(),
        }
    }
}

/// Appends `records` to the log at `path` (creating it and its folder).
pub fn append(path: &Path, records: &[SharedRecord]) -> std::io::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = String::new();
    for r in records {
        text.push_str(&serde_json::to_string(r).map_err(std::io::Error::other)?);
        text.push('\n');
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_data()
}

/// The records in the log at `path`, newest first (none if there is no log yet).
pub fn read(path: &Path) -> std::io::Result<Vec<SharedRecord>> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    let start = len.saturating_sub(MAX_READ_BYTES);
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.take(MAX_READ_BYTES).read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if start > 0 {
        lines.next(); // probably cut in the middle
    }
    let mut out: Vec<SharedRecord> = lines.filter_map(|l| serde_json::from_str(l).ok()).collect();
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(at_ms: u64, change: &str) -> SharedRecord {
        SharedRecord {
            at_ms,
            csr: "Sam".into(),
            organisation: "Acme".into(),
            capability: "view".into(),
            change: change.into(),
        }
    }

    #[test]
    fn appended_records_read_back_newest_first_and_bad_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/shared.log");
        assert_eq!(read(&path).unwrap(), vec![]);
        append(&path, &[rec(1, "granted")]).unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{not json\n").unwrap();
        append(&path, &[rec(2, "stopped")]).unwrap();
        assert_eq!(read(&path).unwrap(), vec![rec(2, "stopped"), rec(1, "granted")]);
    }

    #[test]
    fn only_the_end_of_a_huge_log_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.log");
        let many: Vec<SharedRecord> = (0..20_000).map(|i| rec(i, "granted")).collect();
        append(&path, &many).unwrap();
        let back = read(&path).unwrap();
        assert!(!back.is_empty() && back.len() < 20_000);
        assert_eq!(back[0], rec(19_999, "granted"));
    }
}
