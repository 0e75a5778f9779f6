//! A session's record as a console sends it to the team's site when the session ended
//! (`POST /api/v1/reports`): who took part, every consent, the chat, the files, the notes and the
//! end notes. The console's history keeps the same records ([`ChatRecord`] and the others are
//! its types too). The site takes a report from a hostile network: [`Report::check`] bounds every
//! list and every text before anything is stored.

use serde::{Deserialize, Serialize};

use crate::{MAX_CHAT_BYTES, MAX_CHAT_LINES, MAX_NAME_BYTES, MAX_NOTES_BYTES};

/// Largest report body the site reads, bytes: a session with a full chat (the chat a session
/// keeps is bounded by [`crate::MAX_CHAT_KEPT_BYTES`]) and its other records.
pub const MAX_REPORT_BYTES: usize = 6 * 1024 * 1024;
/// Most participant records in one report (people join, leave and come back).
pub const MAX_REPORT_PARTICIPANTS: usize = 4 * crate::MAX_PARTICIPANTS;
/// Most consent records in one report.
pub const MAX_REPORT_CONSENTS: usize = 10_000;
/// Most file records in one report.
pub const MAX_REPORT_FILES: usize = 10_000;
/// Longest short text (a type's name, a tracking code, a role, a capability, an outcome).
pub const MAX_LABEL_BYTES: usize = 200;

/// One participant of a recorded session.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRecord {
    /// The participant's number in the session.
    pub participant: u32,
    /// Display name.
    pub name: String,
    /// Role, in words.
    pub role: String,
    /// When they joined.
    pub joined_ms: u64,
    /// When they left, if they did before the end.
    pub left_ms: Option<u64>,
}

/// A consent granted or revoked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    /// Whose.
    pub participant: u32,
    /// The capability, in words ("view screen", "control").
    pub capability: String,
    /// Granted (true) or revoked or refused (false).
    pub granted: bool,
    /// When.
    pub at_ms: u64,
}

/// A chat line.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChatRecord {
    /// When the host stamped it.
    pub at_ms: u64,
    /// Who wrote it.
    pub from_name: String,
    /// To whom, in words ("everyone", "support representatives", a name).
    pub to_label: String,
    /// The text.
    pub text: String,
}

/// A file transferred.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// When it finished (or failed).
    pub at_ms: u64,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// "to customer" or "from customer".
    pub direction: String,
    /// Who sent or fetched it.
    pub who: String,
    /// "done", "cancelled", or why it failed.
    pub outcome: String,
}

/// How a reported session ended.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReportOutcome {
    /// Ended by the CSR in control (or handed over to a colleague).
    Ended,
    /// The console stopped in the middle of it (a crash, a power cut).
    EndedUnexpectedly,
}

impl ReportOutcome {
    /// As stored: `ended` or `ended_unexpectedly`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            ReportOutcome::Ended => "ended",
            ReportOutcome::EndedUnexpectedly => "ended_unexpectedly",
        }
    }

    /// The outcome stored as `key`.
    #[must_use]
    pub fn from_key(key: &str) -> Option<ReportOutcome> {
        match key {
            "ended" => Some(ReportOutcome::Ended),
            "ended_unexpectedly" => Some(ReportOutcome::EndedUnexpectedly),
            _ => None,
        }
    }
}

/// A session's record, as a console reports it. One console's part of a session: a session
/// handed over to a colleague is reported by each console that hosted it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The session's id, 32 hex digits.
    pub uid: String,
    /// Its type, by name.
    pub session_type: String,
    /// The tracking code, possibly empty.
    pub tracking_code: String,
    /// When this console began hosting it, milliseconds since the Unix epoch.
    pub started_ms: u64,
    /// When it ended here.
    pub ended_ms: u64,
    /// How.
    pub outcome: ReportOutcome,
    /// Everyone who took part.
    pub participants: Vec<ParticipantRecord>,
    /// Every consent granted or revoked, in order.
    pub consents: Vec<ConsentRecord>,
    /// The chat, in order.
    pub chat: Vec<ChatRecord>,
    /// Files transferred, in order.
    pub files: Vec<FileRecord>,
    /// Notes taken during the session.
    pub notes: String,
    /// End-of-session notes.
    pub end_notes: String,
}

/// What the site answers to a report.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The report's number on the site.
    pub id: i64,
    /// False when the site had it already (a resend after an answer that was lost): nothing was
    /// stored twice.
    pub new: bool,
}

/// Why a report is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A list has more entries than a session can make.
    #[error("the report has too many {0}")]
    TooMany(&'static str),
    /// A text is longer than its bound, or holds control characters where none belong.
    #[error("the report's {0} is not valid")]
    Bad(&'static str),
    /// Times out of order.
    #[error("the report's times are out of order")]
    Times,
}

fn label(s: &str, max: usize) -> bool {
    s.len() <= max && !s.chars().any(char::is_control)
}

impl Report {
    /// Checks every bound: the lists' lengths, the texts' lengths and characters, the id and
    /// the times. The site stores nothing that fails.
    ///
    /// # Errors
    /// What is wrong.
    pub fn check(&self) -> Result<(), ReportError> {
        use ReportError::{Bad, TooMany};
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(&self.uid, 32) {
            return Err(Bad("session id"));
        }
        if !label(&self.session_type, MAX_LABEL_BYTES) || self.session_type.trim().is_empty() {
            return Err(Bad("session type"));
        }
        if !label(&self.tracking_code, MAX_LABEL_BYTES) {
            return Err(Bad("tracking code"));
        }
        if self.ended_ms < self.started_ms {
            return Err(ReportError::Times);
        }
        if self.participants.len() > MAX_REPORT_PARTICIPANTS {
            return Err(TooMany("participants"));
        }
        if self.consents.len() > MAX_REPORT_CONSENTS {
            return Err(TooMany("consents"));
        }
        if self.chat.len() > MAX_CHAT_LINES {
            return Err(TooMany("chat lines"));
        }
        if self.files.len() > MAX_REPORT_FILES {
            return Err(TooMany("files"));
        }
        if self.participants.iter().any(|p| !label(&p.name, MAX_NAME_BYTES) || !label(&p.role, MAX_LABEL_BYTES)) {
            return Err(Bad("participants"));
        }
        if self.consents.iter().any(|c| !label(&c.capability, MAX_LABEL_BYTES)) {
            return Err(Bad("consents"));
        }
        if self.chat.iter().any(|c| {
            !label(&c.from_name, MAX_NAME_BYTES) || !label(&c.to_label, MAX_NAME_BYTES) || c.text.len() > MAX_CHAT_BYTES
        }) {
            return Err(Bad("chat"));
        }
        if self.files.iter().any(|f| {
            !label(&f.name, crate::files::MAX_FILE_NAME_BYTES)
                || !(f.sha256.is_empty() || hex(&f.sha256, 64))
                || !label(&f.direction, MAX_LABEL_BYTES)
                || !label(&f.who, MAX_NAME_BYTES)
                || !label(&f.outcome, MAX_LABEL_BYTES)
        }) {
            return Err(Bad("files"));
        }
        if self.notes.len() > MAX_NOTES_BYTES || self.end_notes.len() > MAX_NOTES_BYTES {
            return Err(Bad("notes"));
        }
        Ok(())
    }

    /// The customers' names, in order of joining, each once.
    #[must_use]
    pub fn customers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in self.participants.iter().filter(|p| p.role.contains("customer")) {
            if !names.contains(&p.name.as_str()) {
                names.push(&p.name);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            uid: "00112233445566778899aabbccddeeff".into(),
            session_type: "Remote support".into(),
            tracking_code: "T-1".into(),
            started_ms: 1_000,
            ended_ms: 2_000,
            outcome: ReportOutcome::Ended,
            participants: vec![
                ParticipantRecord {
                    participant: 1,
                    name: "Sam".into(),
                    role: "CSR in control".into(),
                    joined_ms: 1_000,
                    left_ms: None,
                },
                ParticipantRecord {
                    participant: 2,
                    name: "Ana".into(),
                    role: "primary customer".into(),
                    joined_ms: 1_100,
                    left_ms: Some(1_900),
                },
                ParticipantRecord {
                    participant: 3,
                    name: "Ana".into(),
                    role: "customer".into(),
                    joined_ms: 1_950,
                    left_ms: None,
                },
            ],
            consents: vec![],
            chat: vec![ChatRecord {
                at_ms: 1_200,
                from_name: "Ana".into(),
                to_label: "everyone".into(),
                text: "hello\nthere".into(),
            }],
            files: vec![],
            notes: String::new(),
            end_notes: "done".into(),
        }
    }

    #[test]
    fn a_session_record_passes_and_names_its_customers_once() {
        let r = report();
        assert_eq!(r.check(), Ok(()));
        assert_eq!(r.customers(), vec!["Ana"]);
        let back: Report = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn every_bound_is_held() {
        let bad = |f: &dyn Fn(&mut Report)| {
            let mut r = report();
            f(&mut r);
            r.check()
        };
        assert_eq!(bad(&|r| r.uid = "'; DROP TABLE reports; --".into()), Err(ReportError::Bad("session id")));
        assert_eq!(bad(&|r| r.session_type = String::new()), Err(ReportError::Bad("session type")));
        assert_eq!(bad(&|r| r.tracking_code = "a\u{0}b".into()), Err(ReportError::Bad("tracking code")));
        assert_eq!(bad(&|r| r.ended_ms = 10), Err(ReportError::Times));
        assert_eq!(
            bad(&|r| r.participants[0].name = "x".repeat(MAX_NAME_BYTES + 1)),
            Err(ReportError::Bad("participants"))
        );
        assert_eq!(
            bad(&|r| r.participants = vec![r.participants[0].clone(); MAX_REPORT_PARTICIPANTS + 1]),
            Err(ReportError::TooMany("participants"))
        );
        assert_eq!(bad(&|r| r.chat[0].text = "x".repeat(MAX_CHAT_BYTES + 1)), Err(ReportError::Bad("chat")));
        assert_eq!(bad(&|r| r.notes = "x".repeat(MAX_NOTES_BYTES + 1)), Err(ReportError::Bad("notes")));
        let file = FileRecord {
            at_ms: 1,
            name: "a.txt".into(),
            size: 1,
            sha256: "zz".into(),
            direction: "to customer".into(),
            who: "Sam".into(),
            outcome: "done".into(),
        };
        assert_eq!(bad(&|r| r.files = vec![file.clone()]), Err(ReportError::Bad("files")));
        // Unknown fields are refused, not ignored.
        let mut v = serde_json::to_value(report()).unwrap();
        v["admin"] = serde_json::Value::Bool(true);
        assert!(serde_json::from_value::<Report>(v).is_err());
    }
}
