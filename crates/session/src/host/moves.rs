//! Advanced file transfer: the CSR in control browses a customer's folders and moves files both
//! ways. It needs the customer's `Files` grant (one consent for the session), and each move is
//! then allowed or refused by the customer on their own machine. Nothing moves while one of the
//! customer's applications is shared.
//!
//! A *push* carries a file or folder of the CSR's to the customer: the driver hashes it first,
//! the customer is asked, and once they allow it they fetch its files as they fetch offered ones
//! ([`ToHost::FetchFile`]). A *pull* copies one of the customer's to the CSR: once they allow
//! it, their agent lists its files ([`ToHost::PullFiles`]) and the driver fetches each
//! ([`ToGuest::FetchPulled`]).

use deskside_proto::files::{MAX_BATCH_BYTES, MAX_MOVE_FILES};
use deskside_proto::{FileProblem, FolderAt, MoveSummary, MovedFile, OnConflict, ParticipantId, Role, ToGuest, ToHost};

use super::board::MoveState;
use crate::UnixMs;

use super::{Output, RuleError, Session, SessionEvent};

pub use deskside_proto::Direction;

/// One move the host knows of.
#[derive(Clone, Debug)]
pub struct Move {
    /// Which way.
    pub direction: Direction,
    /// The customer.
    pub with: ParticipantId,
    /// Whether the customer allowed it.
    pub allowed: bool,
    /// Its files (a push's from the start; a pull's as the customer's agent lists them).
    pub files: Vec<MovedFile>,
    /// The name asked for: a pull's file or folder in the customer's folder; a push's.
    pub name: String,
    /// What it carries: a push's from the start; a pull's as the customer's agent said.
    pub summary: Option<MoveSummary>,
    /// The CSR who asked for it: the host's own, or a colleague on their console (their pull
    /// goes on to them once it reached this host, their push was fetched from them first).
    pub by: ParticipantId,
    /// A colleague's pull, once its files reached this host: those files under this host's
    /// numbers, for the colleague to fetch.
    pub relay: Vec<MovedFile>,
}

impl Session {
    /// A message about files from participant `from` (whose role is `role`).
    pub(super) fn handle_file_message(&mut self, now: UnixMs, from: ParticipantId, role: Role, msg: ToHost) {
        match msg {
            ToHost::FetchFile { file, offset, prefix_sha256 } => {
                self.handle_fetch(from, role, file, offset, prefix_sha256);
            }
            ToHost::FileDone { file, outcome } => self.handle_file_done(from, file, outcome),
            ToHost::OfferFile(file) => self.handle_upload_offer(from, file),
            ToHost::WithdrawFile { file } => {
                if let Err(rule) = self.withdraw_file(from, file) {
                    self.refuse(from, rule);
                }
            }
            ToHost::Folder { req, listing } => self.handle_folder(from, req, listing),
            ToHost::PushAnswer { push, allowed, reason } => self.handle_push_answer(now, from, push, allowed, reason),
            ToHost::PullFiles { pull, summary, files, last } => {
                self.handle_pull_files(now, from, pull, summary, files, last);
            }
            ToHost::PullRefused { pull, reason } => self.handle_pull_refused(from, pull, reason),
            msg => self.handle_colleague_move(now, from, msg),
        }
    }

    fn handle_fetch(
        &mut self,
        from: ParticipantId,
        role: Role,
        file: deskside_proto::FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) {
        let fits = |f: &MovedFile| offset <= f.size;
        if role.is_csr() {
            // Files are for customers; a colleague fetches only the files of their own pull that
            // reached this host.
            if !self.relayed_file(from, file).is_some_and(fits) {
                return self.refuse(from, RuleError::NotPrimaryCustomer);
            }
        } else if !self.offered.iter().any(|f| f.id == file && offset <= f.size)
            && !self.pushed_file(from, file).is_some_and(fits)
        {
            return self.refuse(from, RuleError::NoSuchFile);
        } else if !self.may_transfer_files(from) {
            return self.refuse(from, RuleError::AppSharing);
        }
        self.outputs.push_back(Output::Event(SessionEvent::FileRequested {
            participant: from,
            file,
            offset,
            prefix_sha256,
        }));
    }

    /// Whether the CSR may browse and move customer `id`'s files now: they allowed it, and no
    /// application of theirs is shared.
    #[must_use]
    pub fn may_move_files(&self, id: ParticipantId) -> bool {
        self.may_transfer_files(id) && self.participants.get(&id).is_some_and(|p| p.grants.files)
    }

    pub(super) fn check_move(&self, from: ParticipantId, with: ParticipantId) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        let p = self.participants.get(&with).filter(|p| p.present()).ok_or(RuleError::NoSuchParticipant)?;
        if p.role.is_csr() {
            return Err(RuleError::NoSuchParticipant);
        }
        if !self.may_transfer_files(with) {
            return Err(RuleError::AppSharing);
        }
        if !p.grants.files {
            return Err(RuleError::FilesNotAllowed);
        }
        Ok(())
    }

    /// The CSR `from` asks for a listing of customer `with`'s folder `at`; the request's number.
    pub fn list_folder(&mut self, from: ParticipantId, with: ParticipantId, at: FolderAt) -> Result<u32, RuleError> {
        self.check_move(from, with)?;
        if !at.is_valid() {
            return Err(RuleError::BadText);
        }
        let req = self.reserve_move().0;
        // One listing asked at a time per customer: a newer one replaces the older.
        self.listings.retain(|(p, _), _| *p != with);
        self.listings.insert((with, req), from);
        self.outputs.push_back(Output::Send { to: with, msg: ToGuest::ListFolder { req, at } });
        Ok(req)
    }

    /// A number for a move the driver prepares (a push is hashed before it is asked).
    pub fn reserve_move(&mut self) -> deskside_proto::MoveId {
        let id = self.next_move;
        self.next_move = deskside_proto::MoveId(id.0.wrapping_add(1));
        id
    }

    /// The CSR `from` asks customer `with` to take `files` (hashed by the driver, numbered from
    /// the first number [`Session::begin_push`] gave) into their folder `folder`, as move
    /// `push`. A push that cannot be asked ends on the board with why.
    #[allow(clippy::too_many_arguments)] // One move's whole description, passed once.
    pub fn push(
        &mut self,
        push: deskside_proto::MoveId,
        from: ParticipantId,
        with: ParticipantId,
        summary: MoveSummary,
        folder: String,
        on_conflict: OnConflict,
        files: Vec<MovedFile>,
    ) -> Result<deskside_proto::MoveId, RuleError> {
        if !self.is_preparing(push) {
            return Err(RuleError::NoSuchFile);
        }
        let checked = self.check_move(from, with).and_then(|()| {
            let valid = summary.is_valid()
                && deskside_proto::files::is_valid_path(&folder)
                && files.len() <= MAX_MOVE_FILES
                && files.iter().all(MovedFile::is_valid);
            if valid { Ok(()) } else { Err(RuleError::BadText) }
        });
        if let Err(rule) = checked {
            self.push_failed(push, FileProblem::of_rule(rule));
            return Err(rule);
        }
        self.board_asking(push, files.len(), summary.bytes);
        let from_name = self.participants.get(&from).map(|p| p.name.clone()).unwrap_or_default();
        let name = summary.name.clone();
        let kept = Some(summary.clone());
        let m = Move {
            direction: Direction::Push,
            with,
            allowed: false,
            files,
            name,
            summary: kept,
            by: from,
            relay: Vec::new(),
        };
        self.moves.insert(push, m);
        self.outputs.push_back(Output::Send {
            to: with,
            msg: ToGuest::PushAsk { push, from_name, summary, folder, on_conflict },
        });
        Ok(push)
    }

    /// The CSR `from` asks customer `with` for a copy of their file or folder `name` in their
    /// folder `folder`; the move's number.
    pub fn pull(
        &mut self,
        now: UnixMs,
        from: ParticipantId,
        with: ParticipantId,
        folder: String,
        name: String,
    ) -> Result<deskside_proto::MoveId, RuleError> {
        self.check_move(from, with)?;
        if !deskside_proto::files::is_valid_path(&folder) || !deskside_proto::files::is_valid_entry_name(&name) {
            return Err(RuleError::BadText);
        }
        let pull = self.reserve_move();
        let from_name = self.participants.get(&from).map(|p| p.name.clone()).unwrap_or_default();
        let asked = Move {
            direction: Direction::Pull,
            with,
            allowed: false,
            files: Vec::new(),
            name: name.clone(),
            summary: None,
            by: from,
            relay: Vec::new(),
        };
        self.moves.insert(pull, asked);
        self.board_pull(now, pull, (from, with), name.clone());
        self.outputs.push_back(Output::Send { to: with, msg: ToGuest::PullAsk { pull, from_name, folder, name } });
        Ok(pull)
    }

    /// The CSR `from` stops move `id` (being prepared, asked or under way); the customer's
    /// agent is told.
    pub fn cancel_move(&mut self, from: ParticipantId, id: deskside_proto::MoveId) -> Result<(), RuleError> {
        self.ensure_in_control(from)?;
        match self.moves.remove(&id) {
            Some(m) => self.outputs.push_back(Output::Send { to: m.with, msg: ToGuest::MoveCancelled { id } }),
            None if self.is_preparing(id) => {
                self.staged.remove(&id);
            }
            None => return Err(RuleError::NoSuchFile),
        }
        self.set_state(id, MoveState::Cancelled);
        Ok(())
    }

    /// The moves under way.
    #[must_use]
    pub fn moves(&self) -> &std::collections::BTreeMap<deskside_proto::MoveId, Move> {
        &self.moves
    }

    /// Pushed file `file`, if customer `to` may fetch it now (their move is allowed).
    pub(super) fn pushed_file(&self, to: ParticipantId, file: deskside_proto::FileId) -> Option<&MovedFile> {
        if !self.may_move_files(to) {
            return None;
        }
        self.moves
            .values()
            .filter(|m| m.direction == Direction::Push && m.with == to && m.allowed)
            .find_map(|m| m.files.iter().find(|f| f.file == file))
    }

    /// File `file` as customer `to` may fetch it now: offered to everyone, or pushed to them.
    #[must_use]
    pub fn file_for(&self, to: ParticipantId, file: deskside_proto::FileId) -> Option<deskside_proto::OfferedFile> {
        self.offered
            .iter()
            .find(|f| f.id == file)
            .cloned()
            .or_else(|| self.pushed_file(to, file).map(deskside_proto::MovedFile::as_offered))
            .or_else(|| self.relayed_file(to, file).map(deskside_proto::MovedFile::as_offered))
    }

    /// Which move sends file `file` from this host, if any: a push, or a colleague's pull on
    /// its way to them.
    #[must_use]
    pub fn push_of(&self, file: deskside_proto::FileId) -> Option<deskside_proto::MoveId> {
        self.moves
            .iter()
            .find(|(_, m)| {
                (m.direction == Direction::Push && m.files.iter().any(|f| f.file == file))
                    || m.relay.iter().any(|f| f.file == file)
            })
            .map(|(id, _)| *id)
    }

    /// The driver asks customer `with` for pulled file `file` from `offset`: allowed only for a
    /// file of an allowed pull of theirs, while files may move.
    pub fn fetch_pulled(
        &mut self,
        with: ParticipantId,
        file: deskside_proto::FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) -> Result<(), RuleError> {
        if self.pulled_file(with, file).is_none_or(|f| offset > f.size) {
            return Err(RuleError::NoSuchFile);
        }
        self.outputs.push_back(Output::Send { to: with, msg: ToGuest::FetchPulled { file, offset, prefix_sha256 } });
        Ok(())
    }

    /// Pulled file `file` of customer `with`, if it may arrive now.
    #[must_use]
    pub fn pulled_file(&self, with: ParticipantId, file: deskside_proto::FileId) -> Option<&MovedFile> {
        if !self.may_move_files(with) {
            return None;
        }
        self.moves
            .values()
            .filter(|m| m.direction == Direction::Pull && m.with == with && m.allowed)
            .find_map(|m| m.files.iter().find(|f| f.file == file))
    }

    pub(super) fn handle_folder(
        &mut self,
        from: ParticipantId,
        req: u32,
        listing: Result<deskside_proto::FolderListing, FileProblem>,
    ) {
        match self.listings.remove(&(from, req)) {
            Some(super::HOST_CSR) => {
                self.outputs.push_back(Output::Event(SessionEvent::Folder { participant: from, listing }));
            }
            // A colleague who asked on their own console, if they are still in control.
            Some(by) if self.ensure_in_control(by).is_ok() => {
                self.outputs.push_back(Output::Send { to: by, msg: ToGuest::folder_listed(from, listing) });
            }
            Some(_) => {}
            None => self.refuse(from, RuleError::NoSuchFile),
        }
    }

    pub(super) fn handle_push_answer(
        &mut self,
        now: UnixMs,
        from: ParticipantId,
        push: deskside_proto::MoveId,
        allowed: bool,
        reason: Option<FileProblem>,
    ) {
        let Some(m) =
            self.moves.get_mut(&push).filter(|m| m.with == from && m.direction == Direction::Push && !m.allowed)
        else {
            return self.refuse(from, RuleError::NoSuchFile);
        };
        if allowed {
            m.allowed = true;
            let files = m.files.clone();
            for (batch, last) in batches(files) {
                self.outputs.push_back(Output::Send { to: from, msg: ToGuest::PushFiles { push, files: batch, last } });
            }
            self.start_moving(now, push);
        } else {
            self.moves.remove(&push);
            self.set_state(push, MoveState::Refused(reason.unwrap_or(FileProblem::Refused)));
        }
    }

    /// The customer's agent lists the files of an allowed pull, a batch at a time. They must be
    /// exactly what was asked for (the named file or folder, as many files and bytes as its
    /// summary says, the same summary in every batch) or the pull ends with nothing written; the
    /// driver hears of them once the list is whole ([`SessionEvent::Pulled`]).
    pub(super) fn handle_pull_files(
        &mut self,
        now: UnixMs,
        from: ParticipantId,
        pull: deskside_proto::MoveId,
        summary: MoveSummary,
        files: Vec<MovedFile>,
        last: bool,
    ) {
        let may = self.may_move_files(from);
        let Some(m) = self.moves.get_mut(&pull).filter(|m| m.with == from && m.direction == Direction::Pull) else {
            return self.refuse(from, RuleError::NoSuchFile);
        };
        if !may {
            return self.refuse(from, RuleError::FilesNotAllowed);
        }
        let same = summary.name == m.name && m.summary.as_ref().is_none_or(|s| *s == summary);
        let fits =
            m.files.len() + files.len() <= summary.files as usize && m.files.len() + files.len() <= MAX_MOVE_FILES;
        let mut all = if fits { std::mem::take(&mut m.files) } else { Vec::new() };
        all.extend(files);
        let whole = !last || summary.admits(&all);
        if !same || !fits || !summary.admits_part(&all) || !whole {
            let reason = if fits { RuleError::NotAsked } else { RuleError::TooManyFiles };
            self.moves.remove(&pull);
            self.outputs.push_back(Output::Send { to: from, msg: ToGuest::MoveCancelled { id: pull } });
            self.set_state(pull, MoveState::Refused(FileProblem::of_rule(reason)));
            return;
        }
        let first = !m.allowed;
        m.allowed = true;
        m.summary = Some(summary.clone());
        m.files = all;
        if first {
            self.start_moving(now, pull);
        }
        self.board_listed(pull, &summary.name, summary.files as usize, summary.bytes, last);
        if last {
            let files = self.moves.get(&pull).map(|m| m.files.clone()).unwrap_or_default();
            self.outputs.push_back(Output::Event(SessionEvent::Pulled {
                participant: from,
                pull,
                summary,
                files,
                last,
            }));
        }
    }

    pub(super) fn handle_pull_refused(
        &mut self,
        from: ParticipantId,
        pull: deskside_proto::MoveId,
        reason: FileProblem,
    ) {
        if self.moves.get(&pull).is_some_and(|m| m.with == from && m.direction == Direction::Pull) {
            self.moves.remove(&pull);
            self.set_state(pull, MoveState::Refused(reason));
        } else {
            self.refuse(from, RuleError::NoSuchFile);
        }
    }

    /// Customer `from` says how their transfer of offered or pushed file `file` ended. A pushed
    /// file counts only from the customer it was pushed to.
    pub(super) fn handle_file_done(
        &mut self,
        from: ParticipantId,
        file: deskside_proto::FileId,
        outcome: deskside_proto::FileOutcome,
    ) {
        let pushed = self.moves.iter().find_map(|(id, m)| {
            if m.direction == Direction::Pull {
                // A colleague's pull, from them.
                let f = m.relay.iter().find(|f| f.file == file)?;
                return (m.by == from).then_some((*id, f.size));
            }
            let f = m.files.iter().find(|f| f.file == file)?;
            (m.with == from).then_some((*id, f.size))
        });
        if let Some((push, size)) = pushed {
            self.board_file_done(push, file, size, outcome);
        } else if !self.offered.iter().any(|f| f.id == file) {
            return;
        } else if let Some(by) = self.offered_by.get(&file).copied()
            && self.participants.get(&by).is_some_and(super::Participant::present)
        {
            // The colleague who shared it hears how it went.
            self.outputs
                .push_back(Output::Send { to: by, msg: ToGuest::FileDoneFor { participant: from, file, outcome } });
        }
        self.outputs.push_back(Output::Event(SessionEvent::FileDone { participant: from, file, outcome }));
    }

    /// Customer `id` stopped browsing and moving files (or left), or colleague `id` left: the
    /// moves with them, or that they asked for, end.
    pub(super) fn end_moves_with(&mut self, id: ParticipantId) {
        let ended: Vec<deskside_proto::MoveId> =
            self.moves.iter().filter(|(_, m)| m.with == id || m.by == id).map(|(k, _)| *k).collect();
        for move_id in ended {
            let files = self.files_of_move(move_id);
            if let Some(m) = self.moves.remove(&move_id).filter(|m| m.with != id) {
                // The colleague who asked for it left: the customer's side stops it.
                self.outputs.push_back(Output::Send { to: m.with, msg: ToGuest::MoveCancelled { id: move_id } });
            }
            self.set_state(move_id, MoveState::Stopped);
            self.outputs.push_back(Output::Event(SessionEvent::MoveStopped { id: move_id, files }));
        }
        let staged: Vec<deskside_proto::MoveId> =
            self.staged.iter().filter(|(_, s)| s.by == id || s.to == id).map(|(k, _)| *k).collect();
        for push in staged {
            self.staged.remove(&push);
            self.set_state(push, MoveState::Stopped);
            self.outputs.push_back(Output::Event(SessionEvent::MoveStopped { id: push, files: Vec::new() }));
        }
        self.listings.retain(|(p, _), by| *p != id && *by != id);
    }
}

/// `files` cut into messages of at most [`MAX_BATCH_BYTES`] of entries, each with whether it is
/// the last (an empty move is one empty, last batch).
#[must_use]
pub fn batches(files: Vec<MovedFile>) -> Vec<(Vec<MovedFile>, bool)> {
    // Generous: each part's length prefix, the numbers and the hash.
    deskside_proto::pieces(files, MAX_BATCH_BYTES, |f| f.path.iter().map(|p| p.len() + 3).sum::<usize>() + 64)
}
