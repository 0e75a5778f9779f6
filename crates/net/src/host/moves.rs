//! The hub's part of moving files: reading and hashing what the CSR pushes, sending offered and
//! pushed files, fetching pulled ones, and reporting what it measured back to the session, which
//! keeps the board of moves ([`deskside_session::host::MoveInfo`]). The UI reads the board from
//! a copy the hub brings up to date when the session says it changed.

use super::{FromConn, HostEvent, Hub, Outgoing};
use crate::moves::{Direction, MoveInfo};
use crate::transfer::{RealDisk, Transfers};
use deskside_proto::{FileId, FileProblem, MoveId, ParticipantId, ToGuest};
use deskside_session::RuleError;
use deskside_session::host::{HOST_CSR, PullProgress};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The board as the UI last saw it.
pub(super) type Board = Mutex<Vec<MoveInfo>>;

/// Least time between two progress reports of one task to the hub (the last always goes).
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Says progress at most every [`REPORT_EVERY`], and always the last.
struct Every(Option<Instant>);

impl Every {
    fn due(&mut self, last: bool) -> bool {
        let due = last || self.0.is_none_or(|t| t.elapsed() >= REPORT_EVERY);
        if due {
            self.0 = Some(Instant::now());
        }
        due
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
        let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (push, first) = self.session.begin_push(crate::now_ms(), HOST_CSR, to, name)?;
        let inbox = self.inbox.clone();
        tokio::spawn(async move {
            let mut every = Every(None);
            let progress = |done, total| {
                if every.due(done == total) {
                    let _ = inbox.try_send(FromConn::Preparing { push, done, total });
                }
            };
            let result = crate::moves::prepare(source, first, progress).await.map_err(|e| {
                tracing::info!(push = %push, "cannot push: {e}");
                e.problem()
            });
            let _ = inbox.send(FromConn::Prepared { push, to, folder, on_conflict, result }).await;
        });
        Ok(())
    }

    pub(super) fn prepared(
        &mut self,
        push: MoveId,
        to: ParticipantId,
        folder: String,
        on_conflict: deskside_proto::OnConflict,
        result: Result<crate::moves::Prepared, FileProblem>,
    ) {
        match result {
            Ok(p) => {
                let files: Vec<deskside_proto::MovedFile> = p.files.iter().map(|(f, _)| f.clone()).collect();
                if self.session.push(push, HOST_CSR, to, p.summary, folder, on_conflict, files).is_ok() {
                    for (f, place) in p.files {
                        self.file_paths.insert(f.file, place);
                    }
                }
            }
            Err(why) => self.session.push_failed(push, why),
        }
    }

    /// The CSR stops move `id`: the customer is told, sends stop, part files go.
    pub(super) fn cancel_move(&mut self, id: MoveId) -> Result<(), RuleError> {
        let files = self.session.files_of_move(id);
        self.session.cancel_move(HOST_CSR, id)?;
        self.stop_move(id, &files);
        Ok(())
    }

    /// Stops sending the files of move `id`, and writing what it pulls.
    pub(super) fn stop_move(&mut self, id: MoveId, files: &[FileId]) {
        for ((_, f), (_, stop)) in &self.sending {
            if files.contains(f) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        for t in self.pulls.values() {
            t.cancel_move(id);
        }
    }

    /// Files of an allowed pull arrived in the list: they are placed here and asked for.
    pub(super) fn pulled(
        &mut self,
        participant: ParticipantId,
        pull: MoveId,
        summary: &deskside_proto::MoveSummary,
        files: Vec<deskside_proto::MovedFile>,
    ) {
        let into = match self.pull_into.get(&pull).cloned() {
            Some(into) => into,
            // A colleague's: here first, then on to them.
            None if self.session.awaits_relay(pull) => match self.private_dir(&format!("pull-{}", pull.0)) {
                Some(dir) => (dir, false),
                None => return self.session.move_failed(pull, FileProblem::NoFolder),
            },
            None => return,
        };
        let (into, replace) = into;
        let transfers =
            self.pulls.entry(participant).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
        let started = transfers.start_move(pull, &into, replace, summary.clone());
        if let Err(why) = started.and_then(|()| transfers.add_moved(pull, files, true)) {
            tracing::info!(pull = %pull, "cannot write the pull here: {why:?}");
            self.session.move_failed(pull, why.problem());
            return;
        }
        self.pumped(participant);
    }

    /// Asks for what participant `id`'s pulls want next, records what ended, and tells the
    /// session how far each pull is.
    pub(super) fn pumped(&mut self, participant: ParticipantId) {
        let Some(transfers) = self.pulls.get(&participant).cloned() else { return };
        for w in transfers.take_outbox() {
            match w {
                crate::transfer::Wanted::Fetch { file, offset, prefix_sha256 } => {
                    let asked = if self.session.is_upload(participant, file) {
                        self.session.fetch_upload(participant, file, offset, prefix_sha256)
                    } else if self.session.is_staged(participant, file) {
                        self.session.fetch_staged(participant, file, offset, prefix_sha256)
                    } else {
                        self.session.fetch_pulled(participant, file, offset, prefix_sha256)
                    };
                    if let Err(rule) = asked {
                        tracing::info!(participant = %participant, file = %file, "pulled file not asked for: {rule}");
                        transfers.cancel(file);
                    }
                }
                crate::transfer::Wanted::Done { file, outcome } if self.session.is_upload(participant, file) => {
                    self.shared_arrived(participant, &transfers, file, outcome);
                }
                // A colleague's push: it goes on once all of it is here.
                crate::transfer::Wanted::Done { file, .. } if self.session.is_staged(participant, file) => {}
                crate::transfer::Wanted::Done { file, outcome } => {
                    // This customer's pulls (their agent numbers the files; a push's numbers are
                    // this host's and may be the same).
                    let moved = self
                        .session
                        .moves()
                        .values()
                        .filter(|m| m.direction == Direction::Pull && m.with == participant && m.by == HOST_CSR)
                        .find_map(|m| m.files.iter().find(|f| f.file == file))
                        .map(deskside_proto::MovedFile::as_offered);
                    if let Some(file) = moved {
                        self.emit(HostEvent::MovedFileDone { participant, direction: Direction::Pull, file, outcome });
                    }
                }
            }
        }
        let ids: Vec<MoveId> = self
            .session
            .moves()
            .iter()
            .filter(|(_, m)| m.with == participant && m.direction == Direction::Pull && m.allowed)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let p = transfers.move_progress(id);
            let progress = PullProgress {
                files: p.files,
                saved: p.saved,
                failed: p.failed,
                done: p.done,
                bytes_per_s: p.bytes_per_s,
                saved_as: p.saved_as,
                first_failure: p.first_failure.as_ref().map(crate::transfer::Failure::problem),
            };
            self.session.handle_pull_progress(id, progress);
        }
        self.relay_progress(participant, &transfers);
    }

    /// Sends offered or pushed file `file` to `participant` on a task, replacing a send of it in
    /// progress.
    pub(super) fn send_file(&mut self, participant: ParticipantId, file: FileId, offset: u64, prefix_sha256: [u8; 32]) {
        let (Some(peer), Some(path), Some(offered)) = (
            self.peers.get(&participant),
            self.file_paths.get(&file).cloned(),
            self.session.file_for(participant, file),
        ) else {
            return;
        };
        let pushed = self.session.push_of(file).is_some();
        if let Some((old, _)) = self.sending.remove(&(participant, file)) {
            old.abort();
        }
        let (conn, events, wake, out) = (peer.conn.clone(), self.events.clone(), self.wake.clone(), peer.out.clone());
        let inbox = self.inbox.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let task = tokio::spawn(async move {
            let mut every = Every(None);
            let progress = |p: crate::files::Progress| {
                if pushed {
                    // A pushed file counts towards its move, on the session's board.
                    if every.due(p.done == p.total) {
                        let _ = inbox.try_send(FromConn::Sent { file: p.file, done: p.done });
                    }
                } else {
                    let _ = events.try_send(HostEvent::FileProgress(p));
                    wake();
                }
            };
            let sent =
                crate::files::send_file(&conn, participant, &offered, path, offset, prefix_sha256, &stop2, progress)
                    .await;
            if let Err(e) = sent {
                tracing::info!(participant = %participant, file = %offered.id, "file not sent: {e}");
                if matches!(e, crate::files::SendError::Changed | crate::files::SendError::Read(_)) {
                    // The customer hears it whether or not a stream was open.
                    let _ = out.try_send(Outgoing::Msg(ToGuest::FileUnavailable { file: offered.id }));
                    let name = offered.name.clone();
                    let _ = events.try_send(HostEvent::FileShareFailed { name, reason: e.problem() });
                    wake();
                }
            }
        });
        self.sending.retain(|_, (t, _)| !t.is_finished());
        self.sending.insert((participant, file), (task.abort_handle(), stop));
    }

    /// Colleague `from` shares their file `file`: it is fetched from them into this session's
    /// private folder, hash checked, and offered once whole.
    pub(super) fn fetch_shared(&mut self, from: ParticipantId, file: &deskside_proto::OfferedFile) {
        let transfers = self.pulls.entry(from).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
        let Some(dir) = self.private_dir("shared") else {
            self.session.uploaded(from, file.id);
            self.session.refuse_for(from, RuleError::NoSuchFile);
            return;
        };
        // What this colleague shares and has not arrived yet, as the session keeps it.
        transfers.set_offered(self.session.uploads_from(from));
        if let Err(why) = transfers.download(file.id, &dir, false) {
            tracing::info!(participant = %from, file = %file.id, "a colleague's file cannot be kept here: {why:?}");
            self.session.uploaded(from, file.id);
            self.session.refuse_for(from, RuleError::NoSuchFile);
            return;
        }
        self.pumped(from);
    }

    /// Colleague `from`'s shared file `file` arrived (or could not): offered to everyone under
    /// a number of this host's, or the colleague hears it could not be.
    fn shared_arrived(
        &mut self,
        from: ParticipantId,
        transfers: &Transfers,
        file: FileId,
        outcome: deskside_proto::FileOutcome,
    ) {
        let shared = self.session.uploaded(from, file);
        let saved = transfers.downloads().get(&file).and_then(|d| match &d.status {
            crate::transfer::Status::Done(path) => Some(path.clone()),
            _ => None,
        });
        let (Some(shared), Some(path), deskside_proto::FileOutcome::Done) = (shared, saved, outcome) else {
            tracing::info!(participant = %from, file = %file, "a colleague's file did not arrive: {outcome:?}");
            self.session.refuse_for(from, RuleError::NoSuchFile);
            return;
        };
        let id = self.session.reserve_file();
        let offered = deskside_proto::OfferedFile { id, ..shared };
        match self.session.offer_file(from, offered) {
            Ok(()) => {
                self.file_paths.insert(id, path);
                self.emit(HostEvent::FilesOffered(self.session.offered_files().to_vec()));
            }
            Err(rule) => {
                let _ = std::fs::remove_file(&path);
                self.session.refuse_for(from, rule);
            }
        }
    }

    /// The session's board changed: the UI's copy follows.
    pub(super) fn publish_moves(&mut self) {
        let board: Vec<MoveInfo> = self.session.board().cloned().collect();
        *self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = board;
        self.session.moves_seen();
        (self.wake)();
    }
}
