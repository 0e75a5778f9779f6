//! The console's writer: the history on its own thread, fed through a bounded queue, so the UI
//! never waits on the disk and no entry is lost when the queue is momentarily full (entries wait
//! in a backlog on the UI's side and go first next time; dropping the recorder writes them all).

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::{ChatRecord, FileRecord, History, NewSession};

/// How often a running session's record says it is still running, in milliseconds.
pub const HEARTBEAT_MS: u64 = 30_000;
/// Entries queued for the writer thread.
const QUEUE: usize = 1024;
/// Most entries waiting on the UI's side when the writer thread cannot keep up (a disk that
/// stalls, a flood of chat): past that, entries are not kept and the window says so.
pub const MAX_BACKLOG: usize = 65_536;

/// Something to keep, about the session the last [`Entry::Begin`] started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A session starts; the entries after it belong to it.
    Begin(NewSession),
    /// Someone joined.
    Joined {
        /// Their number in the session.
        participant: u32,
        /// Display name.
        name: String,
        /// Role, in words.
        role: String,
        /// When.
        at_ms: u64,
    },
    /// Someone left.
    Left {
        /// Their number.
        participant: u32,
        /// When.
        at_ms: u64,
    },
    /// A consent granted, or revoked or refused.
    Consent {
        /// Whose.
        participant: u32,
        /// What, in words.
        capability: String,
        /// Granted.
        granted: bool,
        /// When.
        at_ms: u64,
    },
    /// A chat line.
    Chat(ChatRecord),
    /// A file transferred.
    File(FileRecord),
    /// System information a customer sent.
    Inventory {
        /// Whose machine.
        participant: u32,
        /// Their display name.
        name: String,
        /// When it arrived.
        at_ms: u64,
        /// The inventory, as JSON.
        json: String,
    },
    /// The notes as they are now.
    Notes(String),
    /// Still running at this time.
    Heartbeat(u64),
    /// The session ended.
    End {
        /// End-of-session notes.
        end_notes: String,
        /// When.
        at_ms: u64,
    },
}

/// The UI's side of the writer thread.
pub struct Recorder {
    tx: Option<SyncSender<Entry>>,
    backlog: VecDeque<Entry>,
    error: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").field("backlog", &self.backlog.len()).finish_non_exhaustive()
    }
}

impl Recorder {
    /// Starts the writer thread (`deskside-history`) over `history`.
    pub fn spawn(history: History) -> std::io::Result<Recorder> {
        let (tx, rx) = sync_channel(QUEUE);
        let error = Arc::new(Mutex::new(None));
        let thread_error = error.clone();
        let thread = std::thread::Builder::new()
            .name("deskside-history".into())
            .spawn(move || write(history, &rx, &thread_error))?;
        Ok(Recorder { tx: Some(tx), backlog: VecDeque::new(), error, thread: Some(thread) })
    }

    /// Queues `entry` without waiting; entries that do not fit wait in order for the next call.
    pub fn record(&mut self, entry: Entry) {
        if self.backlog.len() >= MAX_BACKLOG {
            // The end of a session is always kept, whatever else had to go.
            if !matches!(entry, Entry::End { .. } | Entry::Begin(_)) {
                self.set_error("the history cannot keep up; some of this session's entries were not kept".into());
                return;
            }
        }
        self.backlog.push_back(entry);
        let Some(tx) = &self.tx else { return };
        while let Some(e) = self.backlog.pop_front() {
            match tx.try_send(e) {
                Ok(()) => {}
                Err(TrySendError::Full(e)) => {
                    self.backlog.push_front(e);
                    return;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.set_error("the history writer stopped; this session is not being kept".into());
                    self.backlog.clear();
                    return;
                }
            }
        }
    }

    /// The last error writing the history, for the window to show.
    #[must_use]
    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }

    fn set_error(&self, why: String) {
        if let Ok(mut e) = self.error.lock() {
            *e = Some(why);
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Everything still waiting is written before the thread ends.
        if let Some(tx) = self.tx.take() {
            for e in self.backlog.drain(..) {
                if tx.send(e).is_err() {
                    break;
                }
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write(mut history: History, rx: &Receiver<Entry>, error: &Mutex<Option<String>>) {
    let mut current: Option<i64> = None;
    while let Ok(entry) = rx.recv() {
        let result = match (entry, current) {
            (Entry::Begin(s), _) => history.begin(&s).map(|key| current = Some(key)),
            (_, None) => Ok(()), // nothing begun: nothing to attach it to
            (Entry::Joined { participant, name, role, at_ms }, Some(k)) => {
                history.joined(k, participant, &name, &role, at_ms)
            }
            (Entry::Left { participant, at_ms }, Some(k)) => history.left(k, participant, at_ms),
            (Entry::Consent { participant, capability, granted, at_ms }, Some(k)) => {
                history.consent(k, participant, &capability, granted, at_ms)
            }
            (Entry::Chat(line), Some(k)) => history.chat(k, &line),
            (Entry::File(f), Some(k)) => history.file(k, &f),
            (Entry::Notes(n), Some(k)) => history.notes(k, &n),
            (Entry::Inventory { participant, name, at_ms, json }, Some(k)) => {
                history.inventory(k, participant, &name, at_ms, &json)
            }
            (Entry::Heartbeat(at), Some(k)) => history.heartbeat(k, at),
            (Entry::End { end_notes, at_ms }, Some(k)) => {
                let r = history.end(k, &end_notes, at_ms);
                current = None;
                r
            }
        };
        if let Err(e) = result {
            tracing::error!("session history: {e}");
            if let Ok(mut slot) = error.lock() {
                *slot = Some(e.to_string());
            }
        }
    }
}
