//! Deskside's session history: every session a CSR runs is kept in one SQLite file in the user's
//! data directory (who took part and when, every consent granted or revoked, the chat, the
//! notes, files transferred, and the end-of-session notes), searched by tracking code, customer
//! name and date, and exported as JSON or as a readable HTML report.
//!
//! - **Versioned schema.** `PRAGMA user_version` holds the schema version; [`History::open`]
//!   applies the missing migrations in one transaction each, and refuses a file written by a
//!   newer Deskside ([`HistoryError::Newer`]) instead of touching it.
//! - **Nothing broken by a crash.** Every write is a SQLite transaction in WAL mode, so a crash
//!   leaves the file whole. A running session's record carries a heartbeat
//!   ([`History::heartbeat`]); opening the file marks a session whose heartbeat stopped more than
//!   [`STALE_MS`] ago as *ended unexpectedly*, ended at its last heartbeat.
//! - **Time is passed in** (milliseconds since the Unix epoch), like everywhere in Deskside's
//!   logic, so tests control it.
//!
//! The store does blocking file IO; the console runs it on its own thread ([`recorder`]).

pub mod recorder;
mod report;

pub use report::escape_html;

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub use deskside_proto::report::{ChatRecord, ConsentRecord, FileRecord, ParticipantRecord};
pub use recorder::{Entry, Recorder};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 3;
/// A running session whose heartbeat is older than this when the file is opened ended
/// unexpectedly (the console beats every [`recorder::HEARTBEAT_MS`]).
pub const STALE_MS: u64 = 2 * 60 * 1000;
/// Most sessions one search returns.
pub const MAX_RESULTS: usize = 500;

/// The migrations, in order: migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        session_type TEXT NOT NULL,
        tracking_code TEXT NOT NULL,
        csr_name TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        heartbeat_ms INTEGER NOT NULL,
        ended_ms INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ended', 'ended_unexpectedly')),
        notes TEXT NOT NULL DEFAULT '',
        end_notes TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_started ON sessions (started_ms);
    CREATE INDEX sessions_tracking ON sessions (tracking_code);
    CREATE TABLE participants (
        session INTEGER NOT NULL REFERENCES sessions (id),
        participant INTEGER NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        joined_ms INTEGER NOT NULL,
        left_ms INTEGER,
        PRIMARY KEY (session, participant)
    );
    CREATE INDEX participants_name ON participants (name);
    CREATE TABLE consents (
        session INTEGER NOT NULL REFERENCES sessions (id),
        participant INTEGER NOT NULL,
        capability TEXT NOT NULL,
        granted INTEGER NOT NULL,
        at_ms INTEGER NOT NULL
    );
    CREATE TABLE chat (
        session INTEGER NOT NULL REFERENCES sessions (id),
        at_ms INTEGER NOT NULL,
        from_name TEXT NOT NULL,
        to_label TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE files (
        session INTEGER NOT NULL REFERENCES sessions (id),
        at_ms INTEGER NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        direction TEXT NOT NULL,
        who TEXT NOT NULL,
        outcome TEXT NOT NULL
    );
",
    "
    CREATE TABLE inventories (
        session INTEGER NOT NULL REFERENCES sessions (id),
        participant INTEGER NOT NULL,
        name TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        json TEXT NOT NULL
    );
",
    // The team's site a session belongs to (the site the CSR was signed in to when it began,
    // empty for none), and when the site confirmed it has the session's report.
    "
    ALTER TABLE sessions ADD COLUMN site TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN reported_ms INTEGER;
    CREATE INDEX sessions_unreported ON sessions (site, reported_ms);
",
];

/// Why the history could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file was written by a newer Deskside; it is left untouched.
    #[error(
        "The session history was written by a newer version of Deskside (format {found}; this \
         version reads up to {supported}). Update Deskside to open it; the file was not changed."
    )]
    Newer {
        /// The file's schema version.
        found: u32,
        /// The newest this build understands.
        supported: u32,
    },
    /// The file could not be opened, read or written.
    #[error("The session history could not be read or written: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The folder the file goes in could not be made.
    #[error("The session history could not be kept in {}: {source}", dir.display())]
    Folder {
        /// The folder.
        dir: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No session has that key.
    #[error("No such session in the history.")]
    NoSuchSession,
}

/// How a session ended.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still running.
    Running,
    /// Ended by the CSR in control.
    Ended,
    /// The console stopped in the middle of it (a crash, a power cut).
    EndedUnexpectedly,
}

impl Outcome {
    fn from_db(s: &str) -> Outcome {
        match s {
            "ended" => Outcome::Ended,
            "ended_unexpectedly" => Outcome::EndedUnexpectedly,
            _ => Outcome::Running,
        }
    }

    /// Words for people.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Ended => "ended",
            Outcome::EndedUnexpectedly => "ended unexpectedly",
        }
    }
}

/// A session as it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The session's own id (hex), unique.
    pub uid: String,
    /// Its type ("General support", ...).
    pub session_type: String,
    /// The tracking code, possibly empty.
    pub tracking_code: String,
    /// The CSR who started it.
    pub csr_name: String,
    /// When it started.
    pub started_ms: u64,
    /// The team's site its report goes to once it ended (the site's address), or empty when
    /// the CSR was not signed in to one.
    pub site: String,
}

/// One line of the History list.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    /// The record's key.
    pub key: i64,
    /// The session's own id.
    pub uid: String,
    /// Its type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// The CSR who started it.
    pub csr_name: String,
    /// The customers' names, in order of joining.
    pub customers: Vec<String>,
    /// When it started.
    pub started_ms: u64,
    /// When it ended, if it did.
    pub ended_ms: Option<u64>,
    /// How it ended.
    pub outcome: Outcome,
}

/// System information a customer sent.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct InventoryRecord {
    /// Whose machine (their number in the session).
    pub participant: u32,
    /// Their display name.
    pub name: String,
    /// When it arrived.
    pub at_ms: u64,
    /// The inventory as the agent sent it (sections of rows of text), as JSON.
    pub inventory: serde_json::Value,
}

/// A whole recorded session, read-only.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// What the History list shows of it.
    pub summary: SessionSummary,
    /// Everyone who took part.
    pub participants: Vec<ParticipantRecord>,
    /// Every consent granted or revoked, in order.
    pub consents: Vec<ConsentRecord>,
    /// The chat, in order.
    pub chat: Vec<ChatRecord>,
    /// Files transferred, in order.
    pub files: Vec<FileRecord>,
    /// System information received, in order.
    pub inventories: Vec<InventoryRecord>,
    /// Notes taken during the session.
    pub notes: String,
    /// End-of-session notes.
    pub end_notes: String,
}

/// What to look for in the History list; every part that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    /// Part of a tracking code or of a customer's name (case-insensitive); empty for any.
    pub text: String,
    /// Sessions started at or after this time.
    pub from_ms: Option<u64>,
    /// Sessions started before this time.
    pub until_ms: Option<u64>,
}

/// The session history file.
pub struct History {
    conn: Connection,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("path", &self.conn.path()).finish()
    }
}

fn ms(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn db_ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl History {
    /// Opens (or creates) the history at `path`, brings its schema up to date, and marks
    /// sessions whose console stopped without ending them (heartbeat older than [`STALE_MS`] at
    /// `now_ms`) as ended unexpectedly.
    pub fn open(path: &Path, now_ms: u64) -> Result<History, HistoryError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| HistoryError::Folder { dir: dir.to_owned(), source })?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            return Err(HistoryError::Newer { found: version, supported: SCHEMA_VERSION });
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let mut history = History { conn };
        history.migrate(version)?;
        history.recover(now_ms)?;
        Ok(history)
    }

    fn migrate(&mut self, from: u32) -> Result<(), HistoryError> {
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
            tx.commit()?;
        }
        Ok(())
    }

    fn recover(&self, now_ms: u64) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET outcome = 'ended_unexpectedly', ended_ms = heartbeat_ms
             WHERE outcome = 'running' AND heartbeat_ms < ?1",
            params![db_ms(now_ms.saturating_sub(STALE_MS))],
        )?;
        Ok(())
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, HistoryError> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Records a session starting; returns its key.
    pub fn begin(&self, s: &NewSession) -> Result<i64, HistoryError> {
        self.conn.execute(
            "INSERT INTO sessions (uid, session_type, tracking_code, csr_name, started_ms, heartbeat_ms, outcome, site)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'running', ?6)",
            params![s.uid, s.session_type, s.tracking_code, s.csr_name, db_ms(s.started_ms), s.site],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The session is still running at `now_ms`.
    pub fn heartbeat(&self, key: i64, now_ms: u64) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET heartbeat_ms = ?2 WHERE id = ?1 AND outcome = 'running'",
            params![key, db_ms(now_ms)],
        )?;
        Ok(())
    }

    /// Someone joined (or, already known, is still there).
    pub fn joined(&self, key: i64, participant: u32, name: &str, role: &str, at_ms: u64) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT INTO participants (session, participant, name, role, joined_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (session, participant) DO UPDATE SET name = ?3, role = ?4",
            params![key, participant, name, role, db_ms(at_ms)],
        )?;
        Ok(())
    }

    /// Someone left.
    pub fn left(&self, key: i64, participant: u32, at_ms: u64) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE participants SET left_ms = ?3 WHERE session = ?1 AND participant = ?2 AND left_ms IS NULL",
            params![key, participant, db_ms(at_ms)],
        )?;
        Ok(())
    }

    /// A consent was granted (`granted`) or revoked or refused.
    pub fn consent(
        &self,
        key: i64,
        participant: u32,
        capability: &str,
        granted: bool,
        at_ms: u64,
    ) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT INTO consents (session, participant, capability, granted, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, participant, capability, granted, db_ms(at_ms)],
        )?;
        Ok(())
    }

    /// A chat line.
    pub fn chat(&self, key: i64, line: &ChatRecord) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT INTO chat (session, at_ms, from_name, to_label, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, db_ms(line.at_ms), line.from_name, line.to_label, line.text],
        )?;
        Ok(())
    }

    /// A file transferred (or failed).
    pub fn file(&self, key: i64, f: &FileRecord) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT INTO files (session, at_ms, name, size, sha256, direction, who, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![key, db_ms(f.at_ms), f.name, db_ms(f.size), f.sha256, f.direction, f.who, f.outcome],
        )?;
        Ok(())
    }

    /// System information `participant` (`name`) sent at `at_ms`, as JSON text.
    pub fn inventory(
        &self,
        key: i64,
        participant: u32,
        name: &str,
        at_ms: u64,
        json: &str,
    ) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT INTO inventories (session, participant, name, at_ms, json) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, participant, name, db_ms(at_ms), json],
        )?;
        Ok(())
    }

    /// The notes as they are now (replacing the previous text).
    pub fn notes(&self, key: i64, notes: &str) -> Result<(), HistoryError> {
        self.conn.execute("UPDATE sessions SET notes = ?2 WHERE id = ?1", params![key, notes])?;
        Ok(())
    }

    /// The session ended with `end_notes`; everyone still present leaves at `at_ms`.
    pub fn end(&mut self, key: i64, end_notes: &str, at_ms: u64) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE sessions SET outcome = 'ended', ended_ms = ?2, heartbeat_ms = ?2, end_notes = ?3 WHERE id = ?1",
            params![key, db_ms(at_ms), end_notes],
        )?;
        if changed == 0 {
            return Err(HistoryError::NoSuchSession);
        }
        tx.execute(
            "UPDATE participants SET left_ms = ?2 WHERE session = ?1 AND left_ms IS NULL",
            params![key, db_ms(at_ms)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sessions matching `q`, newest first, at most [`MAX_RESULTS`].
    pub fn search(&self, q: &Search) -> Result<Vec<SessionSummary>, HistoryError> {
        let pattern = format!("%{}%", escape_like(q.text.trim()));
        let mut stmt = self.conn.prepare(
            "SELECT id FROM sessions s
             WHERE (?1 = '%%' OR s.tracking_code LIKE ?1 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM participants p WHERE p.session = s.id
                               AND p.role LIKE '%customer%' AND p.name LIKE ?1 ESCAPE '\\'))
               AND (?2 IS NULL OR s.started_ms >= ?2)
               AND (?3 IS NULL OR s.started_ms < ?3)
             ORDER BY s.started_ms DESC, s.id DESC
             LIMIT ?4",
        )?;
        let keys = stmt
            .query_map(params![pattern, q.from_ms.map(db_ms), q.until_ms.map(db_ms), MAX_RESULTS as i64], |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        keys.into_iter().map(|k| self.summary(k)).collect()
    }

    fn summary(&self, key: i64) -> Result<SessionSummary, HistoryError> {
        let row = self
            .conn
            .query_row(
                "SELECT uid, session_type, tracking_code, csr_name, started_ms, ended_ms, outcome FROM sessions WHERE id = ?1",
                params![key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?
            .ok_or(HistoryError::NoSuchSession)?;
        let mut stmt = self.conn.prepare(
            "SELECT name FROM participants WHERE session = ?1 AND role LIKE '%customer%' ORDER BY joined_ms, participant",
        )?;
        let customers = stmt.query_map(params![key], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        let (uid, session_type, tracking_code, csr_name, started, ended, outcome) = row;
        Ok(SessionSummary {
            key,
            uid,
            session_type,
            tracking_code,
            csr_name,
            customers,
            started_ms: ms(started),
            ended_ms: ended.map(ms),
            outcome: Outcome::from_db(&outcome),
        })
    }

    /// The whole record of session `key`.
    pub fn session(&self, key: i64) -> Result<SessionRecord, HistoryError> {
        let summary = self.summary(key)?;
        let (notes, end_notes) =
            self.conn.query_row("SELECT notes, end_notes FROM sessions WHERE id = ?1", params![key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let participants = self
            .conn
            .prepare(
                "SELECT participant, name, role, joined_ms, left_ms FROM participants WHERE session = ?1
                 ORDER BY joined_ms, participant",
            )?
            .query_map(params![key], |r| {
                Ok(ParticipantRecord {
                    participant: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    joined_ms: ms(r.get(3)?),
                    left_ms: r.get::<_, Option<i64>>(4)?.map(ms),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let consents = self
            .conn
            .prepare(
                "SELECT participant, capability, granted, at_ms FROM consents WHERE session = ?1 ORDER BY at_ms, rowid",
            )?
            .query_map(params![key], |r| {
                Ok(ConsentRecord {
                    participant: r.get(0)?,
                    capability: r.get(1)?,
                    granted: r.get(2)?,
                    at_ms: ms(r.get(3)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let chat = self
            .conn
            .prepare("SELECT at_ms, from_name, to_label, text FROM chat WHERE session = ?1 ORDER BY at_ms, rowid")?
            .query_map(params![key], |r| {
                Ok(ChatRecord { at_ms: ms(r.get(0)?), from_name: r.get(1)?, to_label: r.get(2)?, text: r.get(3)? })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let files = self
            .conn
            .prepare(
                "SELECT at_ms, name, size, sha256, direction, who, outcome FROM files WHERE session = ?1
                 ORDER BY at_ms, rowid",
            )?
            .query_map(params![key], |r| {
                Ok(FileRecord {
                    at_ms: ms(r.get(0)?),
                    name: r.get(1)?,
                    size: ms(r.get(2)?),
                    sha256: r.get(3)?,
                    direction: r.get(4)?,
                    who: r.get(5)?,
                    outcome: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let inventories = self
            .conn
            .prepare("SELECT participant, name, at_ms, json FROM inventories WHERE session = ?1 ORDER BY at_ms, rowid")?
            .query_map(params![key], |r| {
                let json: String = r.get(3)?;
                Ok(InventoryRecord {
                    participant: r.get(0)?,
                    name: r.get(1)?,
                    at_ms: ms(r.get(2)?),
                    inventory: serde_json::from_str(&json).unwrap_or(serde_json::Value::Null),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SessionRecord { summary, participants, consents, chat, files, inventories, notes, end_notes })
    }

    /// The ended sessions whose report the site at `site` has not confirmed yet, oldest first,
    /// at most `limit`.
    pub fn unreported(&self, site: &str, limit: usize) -> Result<Vec<i64>, HistoryError> {
        if site.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT id FROM sessions WHERE site = ?1 AND reported_ms IS NULL AND outcome != 'running'
             ORDER BY started_ms, id LIMIT ?2",
        )?;
        let keys = stmt.query_map(params![site, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get::<_, i64>(0))?;
        Ok(keys.collect::<Result<Vec<_>, _>>()?)
    }

    /// How many ended sessions wait for the site at `site` to confirm their report.
    pub fn unreported_count(&self, site: &str) -> Result<u64, HistoryError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM sessions WHERE site = ?1 AND site != '' AND reported_ms IS NULL AND outcome != 'running'",
            params![site],
            |r| r.get(0),
        )?;
        Ok(ms(n))
    }

    /// Session `key`'s report for the team's site (everything but the system information, which
    /// stays with the CSR), or `None` while it is still running.
    pub fn report(&self, key: i64) -> Result<Option<deskside_proto::report::Report>, HistoryError> {
        use deskside_proto::report::{Report, ReportOutcome};
        let record = self.session(key)?;
        let (outcome, Some(ended_ms)) = (record.summary.outcome, record.summary.ended_ms) else { return Ok(None) };
        let outcome = match outcome {
            Outcome::Running => return Ok(None),
            Outcome::Ended => ReportOutcome::Ended,
            Outcome::EndedUnexpectedly => ReportOutcome::EndedUnexpectedly,
        };
        let SessionRecord { summary, participants, consents, chat, files, notes, end_notes, .. } = record;
        Ok(Some(Report {
            uid: summary.uid,
            session_type: summary.session_type,
            tracking_code: summary.tracking_code,
            started_ms: summary.started_ms,
            ended_ms: ended_ms.max(summary.started_ms),
            outcome,
            participants,
            consents,
            chat,
            files,
            notes,
            end_notes,
        }))
    }

    /// The site confirmed, at `now_ms`, that it has session `key`'s report.
    pub fn reported(&self, key: i64, now_ms: u64) -> Result<(), HistoryError> {
        self.conn.execute(
            "UPDATE sessions SET reported_ms = ?2 WHERE id = ?1 AND reported_ms IS NULL",
            params![key, db_ms(now_ms)],
        )?;
        Ok(())
    }

    /// Whether the site confirmed session `key`'s report, and when.
    pub fn reported_at(&self, key: i64) -> Result<Option<u64>, HistoryError> {
        let at: Option<i64> =
            self.conn.query_row("SELECT reported_ms FROM sessions WHERE id = ?1", params![key], |r| r.get(0))?;
        Ok(at.map(ms))
    }

    /// Session `key` as JSON (every field of [`SessionRecord`]).
    pub fn export_json(&self, key: i64) -> Result<String, HistoryError> {
        let record = self.session(key)?;
        Ok(serde_json::to_string_pretty(&record).unwrap_or_default())
    }

    /// Session `key` as a readable, self-contained HTML report; every recorded string is
    /// escaped (names and chat come from other people's machines).
    pub fn export_html(&self, key: i64) -> Result<String, HistoryError> {
        Ok(report::html(&self.session(key)?))
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
