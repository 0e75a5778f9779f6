//! The board of moves: every push and pull of the session as the CSR sees it, from the moment it
//! is prepared or asked until it is over, with the progress the driver reports. The rules of a
//! move live in `moves`; this is what they decided, kept for the UI, and the numbers the driver
//! measures (bytes hashed, sent and written) brought in through `handle_*` calls.

use std::collections::BTreeMap;
use std::path::PathBuf;

use deskside_proto::files::MAX_MOVE_FILES;
use deskside_proto::{FileId, FileOutcome, FileProblem, MAX_MOVE_ROWS, MoveId, ParticipantId};

use super::moves::Direction;
use super::{Output, RuleError, Session, SessionEvent};
use crate::UnixMs;

pub use deskside_proto::{MoveInfo, MoveState};

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
    /// The CSR who asked for it.
    by: ParticipantId,
    /// Goes through this host (a colleague's pull): each leg counts half, and these bytes of
    /// the first leg arrived.
    relayed: Option<u64>,
    /// A relayed move's second leg, from this host to the colleague, began.
    second_leg: bool,
}

impl Entry {
    /// Bytes arrived: what was sent, and a relayed move's first leg, each half.
    fn recount(&mut self) {
        let sent: u64 = self.sent.values().sum();
        self.info.done = match self.relayed {
            Some(first) => first.saturating_add(sent) / 2,
            None => sent,
        };
    }
}

/// The moves of the session, oldest first.
#[derive(Debug, Default)]
pub(super) struct Board {
    entries: BTreeMap<MoveId, Entry>,
}

impl Board {
    fn insert(&mut self, info: MoveInfo, by: ParticipantId) {
        let relayed = (by != super::HOST_CSR && info.direction == Direction::Pull).then_some(0);
        self.entries
            .insert(info.id, Entry { info, sent: BTreeMap::new(), listed: false, by, relayed, second_leg: false });
    }

    /// The rows of the moves CSR `by` asked for, newest last, at most [`MAX_MOVE_ROWS`].
    pub(super) fn rows_of(&self, by: ParticipantId) -> Vec<MoveInfo> {
        let mut rows: Vec<MoveInfo> =
            self.entries.values().rev().filter(|e| e.by == by).take(MAX_MOVE_ROWS).map(|e| e.info.clone()).collect();
        rows.reverse();
        rows
    }

    /// Whether CSR `by` asked for any move.
    pub(super) fn has_moves_of(&self, by: ParticipantId) -> bool {
        self.entries.values().any(|e| e.by == by)
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
        self.moves.get(&id).map(|m| m.files.iter().chain(&m.relay).map(|f| f.file).collect()).unwrap_or_default()
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
        self.board.insert(MoveInfo::new(push, to, Direction::Push, name, preparing, now), from);
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
            e.recount();
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
            let whole = e.listed && p.files == m.files && listed == m.files && p.saved + p.failed == p.files;
            if let Some(first) = e.relayed.as_mut() {
                // The first leg, to this host: its files go on to the colleague once all are
                // here ([`Session::relay_pull`]).
                if e.second_leg {
                    return;
                }
                *first = p.done;
                m.bytes_per_s = p.bytes_per_s / 2;
                m.failed = p.failed;
                m.first_failure = p.first_failure;
                e.recount();
                return;
            }
            m.done = p.done;
            m.bytes_per_s = p.bytes_per_s;
            m.saved = p.saved;
            m.failed = p.failed;
            m.first_failure = p.first_failure;
            m.saved_as = p.saved_as;
            if whole {
                m.state = MoveState::Done;
            }
        });
        if changed {
            self.moves_changed();
        }
    }

    pub(super) fn board_pull(
        &mut self,
        now: UnixMs,
        pull: MoveId,
        (by, with): (ParticipantId, ParticipantId),
        name: String,
    ) {
        self.board.insert(MoveInfo::new(pull, with, Direction::Pull, name, MoveState::Asking, now), by);
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
            e.recount();
            let m = &mut e.info;
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
        // Each colleague who asked for moves on their own console is sent their rows, when
        // they changed.
        let colleagues: Vec<ParticipantId> = self
            .participants
            .values()
            .filter(|p| p.present() && p.role.is_csr() && p.id != super::HOST_CSR && self.board.has_moves_of(p.id))
            .map(|p| p.id)
            .collect();
        for by in colleagues {
            let rows = self.board.rows_of(by);
            if self.rows_sent.get(&by) != Some(&rows) {
                self.rows_sent.insert(by, rows.clone());
                self.outputs.push_back(Output::Send { to: by, msg: deskside_proto::ToGuest::Moves(rows) });
            }
        }
    }

    /// The first leg of a relayed pull ended with these bytes arrived here: the second begins,
    /// counted from there, as the colleague fetches `files` (the relayed ones) from this host.
    pub(super) fn board_relaying(&mut self, pull: MoveId, arrived: u64, files: usize) {
        self.board.update(pull, |e| {
            e.relayed = Some(arrived);
            e.second_leg = true;
            e.info.files = files + e.info.failed;
            e.info.saved = 0;
            e.recount();
            if files == 0 {
                e.info.state = MoveState::Done;
            }
        });
        self.moves_changed();
    }
}
