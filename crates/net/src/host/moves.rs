//! The hub's part of moving files: hashing what the CSR shares or pushes, sending offered and
//! pushed files, fetching pulled ones, and the board of moves the UI shows.

use super::{FromConn, HostEvent, Hub, Outgoing};
use crate::moves::{Direction, MoveInfo, MoveState};
use crate::transfer::{RealDisk, Transfers};
use deskside_proto::{ParticipantId, ToGuest};
use deskside_session::RuleError;
use deskside_session::host::HOST_CSR;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The moves of the session, for the UI: each with when it started moving.
#[derive(Default)]
pub(super) struct Board {
    pub(super) moves: std::collections::BTreeMap<deskside_proto::MoveId, (MoveInfo, std::time::Instant)>,
    /// Bytes each pushed file has delivered, by file: (move, bytes).
    pub(super) sent: HashMap<deskside_proto::FileId, (deskside_proto::MoveId, u64)>,
}

impl Board {
    pub(super) fn update(&mut self, id: deskside_proto::MoveId, f: impl FnOnce(&mut MoveInfo)) {
        if let Some((m, _)) = self.moves.get_mut(&id) {
            f(m);
        }
    }

    pub(super) fn set_state(&mut self, id: deskside_proto::MoveId, state: MoveState) {
        if let Some((m, started)) = self.moves.get_mut(&id)
            && !m.state.is_over()
        {
            if state == MoveState::Moving {
                *started = std::time::Instant::now();
            }
            m.state = state;
        }
    }
}

impl Hub {
    /// Reads and hashes a file or folder to push on a task, with progress; the hub asks the
    /// customer once it is done.
    pub(super) fn prepare_push(
        &mut self,
        to: ParticipantId,
        source: std::path::PathBuf,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
    ) -> Result<(), RuleError> {
        if !self.session.may_move_files(to) {
            return Err(if self.session.may_transfer_files(to) {
                RuleError::FilesNotAllowed
            } else {
                RuleError::AppSharing
            });
        }
        let push = self.session.reserve_move();
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let preparing = MoveState::Preparing { done: 0, total: 0 };
        self.board()
            .moves
            .insert(push, (MoveInfo::new(push, to, Direction::Push, name, preparing), std::time::Instant::now()));
        // Its files take numbers from the same counter as offered files.
        let first = self.next_file;
        let (board, wake, inbox) = (self.board.clone(), self.wake.clone(), self.inbox.clone());
        // A block of numbers as large as a move may be (walking here would hold up the hub).
        self.next_file = self.next_file.wrapping_add(deskside_proto::files::MAX_MOVE_FILES as u32);
        tokio::spawn(async move {
            let progress = |done, total| {
                if let Ok(mut b) = board.lock() {
                    b.update(push, |m| m.state = MoveState::Preparing { done, total });
                }
                wake();
            };
            let result = crate::moves::prepare(source, first, progress).await.map_err(|e| e.to_string());
            let _ = inbox.send(FromConn::Prepared { push, to, folder, on_conflict, result }).await;
        });
        Ok(())
    }

    pub(super) fn prepared(
        &mut self,
        push: deskside_proto::MoveId,
        to: ParticipantId,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
        result: Result<crate::moves::Prepared, String>,
    ) {
        let asked = result.and_then(|p| {
            let files: Vec<deskside_proto::MovedFile> = p.files.iter().map(|(f, _)| f.clone()).collect();
            self.session
                .push(push, HOST_CSR, to, p.summary.clone(), folder, on_conflict, files)
                .map_err(|rule| rule.to_string())?;
            for (f, place) in p.files {
                self.file_paths.insert(f.file, place);
            }
            Ok(p.summary)
        });
        let mut board = self.board();
        match asked {
            Ok(summary) => {
                board.update(push, |m| {
                    m.files = summary.files as usize;
                    m.bytes = summary.bytes;
                    m.state = MoveState::Asking;
                });
            }
            Err(why) => board.set_state(push, MoveState::Refused(why)),
        }
        drop(board);
        (self.wake)();
    }

    /// The CSR stops move `id`: the customer is told, sends stop, part files go.
    pub(super) fn cancel_move(&mut self, id: deskside_proto::MoveId) -> Result<(), RuleError> {
        let files: Vec<deskside_proto::FileId> =
            self.session.moves().get(&id).map(|m| m.files.iter().map(|f| f.file).collect()).unwrap_or_default();
        let r = self.session.cancel_move(HOST_CSR, id);
        self.stop_move(id, &files, MoveState::Cancelled);
        r
    }

    pub(super) fn stop_move(&mut self, id: deskside_proto::MoveId, files: &[deskside_proto::FileId], state: MoveState) {
        for ((_, f), (_, stop)) in &self.sending {
            if files.contains(f) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        for t in self.pulls.values() {
            t.cancel_move(id);
        }
        self.board().set_state(id, state);
        (self.wake)();
    }

    /// Files of an allowed pull arrived in the list: they are placed here and asked for.
    pub(super) fn pulled(
        &mut self,
        participant: ParticipantId,
        pull: deskside_proto::MoveId,
        summary: &deskside_proto::MoveSummary,
        files: Vec<deskside_proto::MovedFile>,
        last: bool,
    ) {
        let Some((into, replace)) = self.pull_into.get(&pull).cloned() else { return };
        let transfers =
            self.pulls.entry(participant).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
        let first = self.board().moves.get(&pull).is_some_and(|(m, _)| m.files == 0 && m.state == MoveState::Moving);
        let started = if first { transfers.start_move(pull, &into, replace, summary.clone()) } else { Ok(()) };
        if let Err(why) = started.and_then(|()| transfers.add_moved(pull, files, last)) {
            let _ = self.session.cancel_move(HOST_CSR, pull);
            self.board().set_state(pull, MoveState::Refused(why.words()));
            return;
        }
        self.board().update(pull, |m| {
            m.name.clone_from(&summary.name);
            m.files = summary.files as usize;
            m.bytes = summary.bytes;
        });
        if last && summary.files == 0 {
            // An empty folder: nothing to fetch.
            self.board().set_state(pull, MoveState::Done);
        }
        self.pumped(participant);
    }

    /// Asks for what participant `id`'s pulls want next, records what ended, and brings the
    /// board up to date.
    pub(super) fn pumped(&mut self, participant: ParticipantId) {
        let Some(transfers) = self.pulls.get(&participant).cloned() else { return };
        for w in transfers.take_outbox() {
            match w {
                crate::transfer::Wanted::Fetch { file, offset, prefix_sha256 } => {
                    if let Err(rule) = self.session.fetch_pulled(participant, file, offset, prefix_sha256) {
                        tracing::info!(participant = %participant, file = %file, "pulled file not asked for: {rule}");
                        transfers.cancel(file);
                    }
                }
                crate::transfer::Wanted::Done { file, outcome } => {
                    // This customer's pulls (their agent numbers the files; a push's numbers are
                    // this host's and may be the same).
                    let moved = self
                        .session
                        .moves()
                        .values()
                        .filter(|m| m.direction == Direction::Pull && m.with == participant)
                        .find_map(|m| m.files.iter().find(|f| f.file == file))
                        .map(deskside_proto::MovedFile::as_offered);
                    if let Some(file) = moved {
                        self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Pull, file, outcome });
                    }
                }
            }
        }
        let ids: Vec<deskside_proto::MoveId> = self
            .board()
            .moves
            .iter()
            .filter(|(_, (m, _))| {
                m.with == participant && m.direction == Direction::Pull && m.state == MoveState::Moving
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let p = transfers.move_progress(id);
            let listed = self.session.moves().get(&id).map_or(0, |m| m.files.len());
            self.board().update(id, |m| {
                m.done = p.done;
                m.bytes_per_s = p.bytes_per_s;
                m.saved = p.saved;
                m.failed = p.failed;
                m.first_failure = p.first_failure.as_ref().map(crate::transfer::Failure::words);
                m.saved_as.clone_from(&p.saved_as);
                if p.files > 0 && p.files == m.files && listed == m.files && p.finished() {
                    m.state = MoveState::Done;
                }
            });
        }
        (self.wake)();
    }

    /// Sends offered or pushed file `file` to `participant` on a task, replacing a send of it in
    /// progress.
    pub(super) fn send_file(
        &mut self,
        participant: ParticipantId,
        file: deskside_proto::FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) {
        let (Some(peer), Some(path), Some(offered)) = (
            self.peers.get(&participant),
            self.file_paths.get(&file).cloned(),
            self.session.file_for(participant, file),
        ) else {
            return;
        };
        let push = self.session.push_of(file);
        let board = self.board.clone();
        if let Some((old, _)) = self.sending.remove(&(participant, file)) {
            old.abort();
        }
        let (conn, events, wake, out) = (peer.conn.clone(), self.events.clone(), self.wake.clone(), peer.out.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let task = tokio::spawn(async move {
            let progress = |p: crate::files::Progress| {
                match push {
                    // A pushed file counts towards its move.
                    Some(push) => {
                        if let Ok(mut b) = board.lock() {
                            b.sent.insert(p.file, (push, p.done));
                            let done = b.sent.values().filter(|(m, _)| *m == push).map(|(_, n)| n).sum();
                            b.update(push, |m| m.done = done);
                        }
                    }
                    None => {
                        let _ = events.try_send(HostEvent::FileProgress(p));
                    }
                }
                wake();
            };
            let sent =
                crate::files::send_file(&conn, participant, &offered, path, offset, prefix_sha256, &stop2, progress)
                    .await;
            if let Err(e) = sent {
                tracing::info!(participant = %participant, file = %offered.id, "file not sent: {e}");
                if matches!(e, crate::files::SendError::Changed | crate::files::SendError::Read(_)) {
                    // The customer hears it whether or not a stream was open.
                    let _ = out.try_send(Outgoing::Msg(ToGuest::FileUnavailable { file: offered.id }));
                    let _ = events
                        .try_send(HostEvent::FileShareFailed { name: offered.name.clone(), reason: e.to_string() });
                }
            }
        });
        self.sending.retain(|_, (t, _)| !t.is_finished());
        self.sending.insert((participant, file), (task.abort_handle(), stop));
    }

    pub(super) fn pushed_file_done(
        &mut self,
        participant: ParticipantId,
        push: deskside_proto::MoveId,
        file: deskside_proto::FileId,
        outcome: deskside_proto::FileOutcome,
    ) {
        let Some(f) = self.session.moves().get(&push).and_then(|m| m.files.iter().find(|f| f.file == file)).cloned()
        else {
            return;
        };
        let ok = outcome == deskside_proto::FileOutcome::Done;
        {
            let mut b = self.board();
            b.sent.insert(file, (push, if ok { f.size } else { 0 }));
            let done = b.sent.values().filter(|(m, _)| *m == push).map(|(_, n)| n).sum();
            b.update(push, |m| {
                m.done = done;
                if ok {
                    m.saved += 1;
                } else {
                    m.failed += 1;
                    if m.first_failure.is_none() {
                        m.first_failure = Some(match &outcome {
                            deskside_proto::FileOutcome::Failed(why) => why.clone(),
                            _ => "cancelled by the customer".into(),
                        });
                    }
                }
                if m.saved + m.failed == m.files && m.state == MoveState::Moving {
                    m.state = MoveState::Done;
                }
            });
        }
        let file = f.as_offered();
        self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Push, file, outcome });
    }
}
