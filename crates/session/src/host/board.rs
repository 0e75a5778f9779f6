//! The board of moves: every push and pull of the session as the CSR sees it, from the moment it
//! is prepared or asked until it is over, with the progress the driver reports. The rules of a
//! move live in `moves`; this is what they decided, kept for the UI, and the numbers the driver
//! measures (bytes hashed, sent and written) brought in through `handle_*` calls.

use std::collections::BTreeMap;
use std::path::PathBuf;

use deskside_proto::files::MAX_MOVE_FILES;
use deskside_proto::{FileId, FileOutcome, FileProblem, MoveId, ParticipantId};

use super::moves::Direction;
use super::{Output, RuleError, Session, SessionEvent};
use crate::UnixMs;

/// Where a move is, as the host's CSR sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveState {
    /// Being read and hashed (a push): bytes so far and in all.
    Preparing {
        /// Bytes hashed.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// Waiting for the customer to allow or refuse it.
    Asking,
    /// Under way.
    Moving,
    /// Every file ended; [`MoveInfo::failed`] says how many did not arrive.
    Done,
    /// The customer refused it, or it could not start: why.
    Refused(FileProblem),
    /// The CSR stopped it.
    Cancelled,
    /// The customer stopped browsing and moving files, or left.
    Stopped,
}

impl MoveState {
    /// Whether the move is over.
    #[must_use]
    pub fn is_over(&self) -> bool {
        matches!(self, MoveState::Done | MoveState::Refused(_) | MoveState::Cancelled | MoveState::Stopped)
    }
}

/// One move, for the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveInfo {
    /// Its number.
    pub id: MoveId,
    /// The customer.
    pub with: ParticipantId,
    /// Which way.
    pub direction: Direction,
    /// The file's or folder's name.
    pub name: String,
    /// Where.
    pub state: MoveState,
    /// When it started moving (or was made, before that).
    pub started_ms: UnixMs,
    /// Files in it (known once prepared or listed).
    pub files: usize,
    /// Bytes in it.
    pub bytes: u64,
    /// Bytes arrived.
    pub done: u64,
    /// Bytes a second now, as the driver measured it (0: not measured, see
    /// [`MoveInfo::rate`]).
    pub bytes_per_s: u64,
    /// Files arrived whole.
    pub saved: usize,
    /// Files that did not arrive.
    pub failed: usize,
    /// The first reason a file did not arrive.
    pub first_failure: Option<FileProblem>,
    /// Where a pull was saved on this machine.
    pub saved_as: Option<PathBuf>,
}

impl MoveInfo {
    /// A move made at `now`, with nothing known yet of what it carries.
    #[must_use]
    pub fn new(
        id: MoveId,
        with: ParticipantId,
        direction: Direction,
        name: String,
        state: MoveState,
        now: UnixMs,
    ) -> Self {
        MoveInfo {
            id,
            with,
            direction,
            name,
            state,
            started_ms: now,
            files: 0,
            bytes: 0,
            done: 0,
            bytes_per_s: 0,
            saved: 0,
            failed: 0,
            first_failure: None,
            saved_as: None,
        }
    }

    /// Bytes a second at `now`: as measured, or else the average since it started moving.
    #[must_use]
    pub fn rate(&self, now: UnixMs) -> u64 {
        if self.bytes_per_s > 0 || self.state != MoveState::Moving {
            return self.bytes_per_s;
        }
        let ms = now.saturating_sub(self.started_ms).max(500);
        self.done.saturating_mul(1000) / ms
    }
}

/// How far a pull's files are written here, as the driver measures it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullProgress {
    /// Files being written so far.
    pub files: usize,
    /// Files saved.
    pub saved: usize,
    /// Files that failed or were cancelled.
    pub failed: usize,
    /// Bytes held.
    pub done: u64,
    /// Bytes a second, summed over the files arriving now.
    pub bytes_per_s: u64,
    /// Where it was saved, once known.
    pub saved_as: Option<PathBuf>,
    /// The first reason a file failed.
    pub first_failure: Option<FileProblem>,
}

/// One entry of the board: the move, and the bytes each pushed file has delivered.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    info: MoveInfo,
    sent: BTreeMap<FileId, u64>,
    /// A pull's list of files is whole.
    listed: bool,
}

/// The moves of the session, oldest first.
#[derive(Debug, Default)]
pub(super) struct Board {
    entries: BTreeMap<MoveId, Entry>,
}

impl Board {
    fn insert(&mut self, info: MoveInfo) {
        self.entries.insert(info.id, Entry { info, sent: BTreeMap::new(), listed: false });
    }

    fn update(&mut self, id: MoveId, f: impl FnOnce(&mut Entry)) -> bool {
        self.entries.get_mut(&id).filter(|e| !e.info.state.is_over()).map(f).is_some()
    }
}

impl Session {
    /// The moves of the session, oldest first.
    pub fn board(&self) -> impl Iterator<Item = &MoveInfo> {
        self.board.entries.values().map(|e| &e.info)
    }

    /// One move of the board.
    #[must_use]
    pub fn move_info(&self, id: MoveId) -> Option<&MoveInfo> {
        self.board.entries.get(&id).map(|e| &e.info)
    }

    /// The files of move `id` under way, which the driver may be sending (asked before the move
    /// ends: an ended move has none).
    #[must_use]
    pub fn files_of_move(&self, id: MoveId) -> Vec<FileId> {
        self.moves.get(&id).map(|m| m.files.iter().map(|f| f.file).collect()).unwrap_or_default()
    }

    /// A number for a file the CSR offers everyone (numbers come from one counter with pushed
    /// files, so none collide).
    pub fn reserve_file(&mut self) -> FileId {
        let id = self.next_file;
        self.next_file = id.wrapping_add(1);
        id
    }

    /// The CSR `from` pushes their file or folder `name` to customer `to`: allowed now, the move
    /// shows as being prepared while the driver reads and hashes it, numbering its files from the
    /// returned first file number (a block as large as a move may be). The driver then calls
    /// [`Session::push`], or [`Session::push_failed`].
    pub fn begin_push(
        &mut self,
        now: UnixMs,
        from: ParticipantId,
        to: ParticipantId,
        name: String,
    ) -> Result<(MoveId, FileId), RuleError> {
        self.check_move(from, to)?;
        let push = self.reserve_move();
        let first = self.next_file;
        self.next_file = first.wrapping_add(MAX_MOVE_FILES as u32);
        let preparing = MoveState::Preparing { done: 0, total: 0 };
        self.board.insert(MoveInfo::new(push, to, Direction::Push, name, preparing, now));
        self.moves_changed();
        Ok((push, first))
    }

    /// The driver has hashed `done` of `total` bytes of push `push`.
    pub fn handle_push_preparing(&mut self, push: MoveId, done: u64, total: u64) {
        let preparing = self.board.update(push, |e| {
            if matches!(e.info.state, MoveState::Preparing { .. }) {
                e.info.state = MoveState::Preparing { done, total };
            }
        });
        if preparing {
            self.moves_changed();
        }
    }

    /// Push `push` could not be prepared (read or hashed): why.
    pub fn push_failed(&mut self, push: MoveId, why: FileProblem) {
        self.moves.remove(&push);
        self.set_state(push, MoveState::Refused(why));
    }

    /// Move `id` could not go on here (a pull's folder cannot be written): the customer is
    /// told it stopped, and the board says why.
    pub fn move_failed(&mut self, id: MoveId, why: FileProblem) {
        if let Some(m) = self.moves.remove(&id) {
            self.outputs.push_back(Output::Send { to: m.with, msg: deskside_proto::ToGuest::MoveCancelled { id } });
        }
        self.set_state(id, MoveState::Refused(why));
    }

    /// Pushed file `file` has delivered `done` bytes to its customer.
    pub fn handle_push_sent(&mut self, file: FileId, done: u64) {
        let Some(push) = self.push_of(file) else { return };
        let changed = self.board.update(push, |e| {
            e.sent.insert(file, done);
            e.info.done = e.sent.values().sum();
        });
        if changed {
            self.moves_changed();
        }
    }

    /// How far the files of customer `with`'s pull `pull` are written here. Once its list is
    /// whole and every file ended, it is done.
    pub fn handle_pull_progress(&mut self, pull: MoveId, p: PullProgress) {
        let listed = self.moves.get(&pull).map_or(0, |m| m.files.len());
        let changed = self.board.update(pull, |e| {
            let m = &mut e.info;
            if m.direction != Direction::Pull || m.state != MoveState::Moving {
                return;
            }
            m.done = p.done;
            m.bytes_per_s = p.bytes_per_s;
            m.saved = p.saved;
            m.failed = p.failed;
            m.first_failure = p.first_failure;
            m.saved_as = p.saved_as;
            if e.listed && p.files == m.files && listed == m.files && p.saved + p.failed == p.files {
                m.state = MoveState::Done;
            }
        });
        if changed {
            self.moves_changed();
        }
    }

    pub(super) fn board_pull(&mut self, now: UnixMs, pull: MoveId, with: ParticipantId, name: String) {
        self.board.insert(MoveInfo::new(pull, with, Direction::Pull, name, MoveState::Asking, now));
        self.moves_changed();
    }

    pub(super) fn board_asking(&mut self, push: MoveId, files: usize, bytes: u64) {
        self.board.update(push, |e| {
            e.info.files = files;
            e.info.bytes = bytes;
            e.info.state = MoveState::Asking;
        });
        self.moves_changed();
    }

    /// A pull's list of files arrived (`whole`: all of it): what it carries.
    pub(super) fn board_listed(&mut self, pull: MoveId, name: &str, files: usize, bytes: u64, whole: bool) {
        self.board.update(pull, |e| {
            name.clone_into(&mut e.info.name);
            e.info.files = files;
            e.info.bytes = bytes;
            e.listed = whole;
        });
        self.moves_changed();
    }

    /// Pushed file `file` of move `push` ended at its customer.
    pub(super) fn board_file_done(&mut self, push: MoveId, file: FileId, size: u64, outcome: FileOutcome) {
        self.board.update(push, |e| {
            let ok = outcome == FileOutcome::Done;
            e.sent.insert(file, if ok { size } else { 0 });
            let m = &mut e.info;
            m.done = e.sent.values().sum();
            if ok {
                m.saved += 1;
            } else {
                m.failed += 1;
                if m.first_failure.is_none() {
                    m.first_failure = Some(match outcome {
                        FileOutcome::Failed(why) => why,
                        _ => FileProblem::Refused,
                    });
                }
            }
            if m.saved + m.failed == m.files && m.state == MoveState::Moving {
                m.state = MoveState::Done;
            }
        });
        self.moves_changed();
    }

    /// Move `id` goes to `state` (a move that is over stays as it ended).
    pub(super) fn set_state(&mut self, id: MoveId, state: MoveState) {
        self.board.update(id, |e| e.info.state = state);
        self.moves_changed();
    }

    /// Move `id` starts moving at `now`.
    pub(super) fn start_moving(&mut self, now: UnixMs, id: MoveId) {
        self.board.update(id, |e| {
            e.info.started_ms = now;
            e.info.state = MoveState::Moving;
        });
        self.moves_changed();
    }

    /// Whether move `id` is still being prepared (not cancelled meanwhile).
    pub(super) fn is_preparing(&self, id: MoveId) -> bool {
        self.move_info(id).is_some_and(|m| matches!(m.state, MoveState::Preparing { .. }))
    }

    fn moves_changed(&mut self) {
        if !self.moves_dirty {
            self.moves_dirty = true;
            self.outputs.push_back(Output::Event(SessionEvent::MovesChanged));
        }
    }

    /// The driver took the board after [`SessionEvent::MovesChanged`]: the next change is
    /// said again.
    pub fn moves_seen(&mut self) {
        self.moves_dirty = false;
    }
}
