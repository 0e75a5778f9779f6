//! A colleague's moves: a CSR in control on their own console browses a customer's folders and
//! moves files both ways through this host, under the same rules as the host's own CSR (the
//! customer's files grant, each move allowed by the customer, nothing while an application is
//! shared).
//!
//! A listing goes to the customer and its answer back to the colleague who asked. A *pull*
//! comes to this host first (into a private folder, checked as the host's own pulls are), then
//! its files go on to the colleague under this host's numbers ([`ToGuest::PulledFiles`]), who
//! fetches them like offered files. A *push* is fetched from the colleague's console first
//! ([`ToGuest::FetchPulled`] with their own numbers), then the customer is asked as for the host's
//! own pushes. The board counts each leg of a pull half; a push shows as being prepared while
//! it comes from the colleague. Every move says on the board who asked, and each colleague is
//! sent the rows of theirs ([`ToGuest::Moves`]).

use deskside_proto::files::MAX_MOVE_FILES;
use deskside_proto::{FileId, FileProblem, MoveId, MoveSummary, MovedFile, OnConflict, ParticipantId, ToGuest, ToHost};

use super::moves::{Direction, batches};
use super::{HOST_CSR, Output, RuleError, Session, SessionEvent};
use crate::UnixMs;

/// Most pushes one colleague may have on their way to this host at once.
pub const MAX_STAGED_PUSHES: usize = 4;

/// A colleague's push on its way to this host, before the customer is asked.
#[derive(Clone, Debug)]
pub struct Staged {
    /// The colleague.
    pub by: ParticipantId,
    /// Their number for it.
    pub tag: MoveId,
    /// The customer it goes to.
    pub to: ParticipantId,
    /// What it carries.
    pub summary: MoveSummary,
    /// The customer's folder.
    pub folder: String,
    /// What to do if the name is taken there.
    pub on_conflict: OnConflict,
    /// This host's first number for its files.
    pub first: FileId,
    /// Its files, under the colleague's numbers.
    pub files: Vec<MovedFile>,
    /// The list is whole and exactly what the summary says.
    pub whole: bool,
}

impl Session {
    /// A move message from colleague `from` on their own console.
    pub(super) fn handle_colleague_move(&mut self, now: UnixMs, from: ParticipantId, msg: ToHost) {
        let done = match msg {
            ToHost::ListFolder { with, at } => self.list_folder(from, with, at).map(|_| ()),
            ToHost::Pull { tag, from: with, folder, name } => self.pull(now, from, with, folder, name).map(|id| {
                self.outputs.push_back(Output::Send { to: from, msg: ToGuest::MoveMade { tag, id } });
            }),
            ToHost::Push { tag, to, summary, folder, on_conflict } => {
                self.stage_push(now, from, tag, to, summary, folder, on_conflict)
            }
            ToHost::PushFiles { tag, files, last } => self.handle_push_files(from, tag, files, last),
            ToHost::CancelMove { id } => self.cancel_colleague_move(from, id),
            _ => Ok(()),
        };
        if let Err(rule) = done {
            self.refuse(from, rule);
        }
    }

    /// Colleague `by` stops move `id` of theirs: the customer is told, the driver stops its
    /// files.
    fn cancel_colleague_move(&mut self, by: ParticipantId, id: MoveId) -> Result<(), RuleError> {
        let theirs =
            self.moves.get(&id).is_some_and(|m| m.by == by) || self.staged.get(&id).is_some_and(|s| s.by == by);
        if !theirs {
            return Err(RuleError::NoSuchFile);
        }
        let files = self.files_of_move(id);
        self.cancel_move(by, id)?;
        self.outputs.push_back(Output::Event(SessionEvent::MoveStopped { id, files }));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // One move's whole description, passed once.
    fn stage_push(
        &mut self,
        now: UnixMs,
        by: ParticipantId,
        tag: MoveId,
        to: ParticipantId,
        summary: MoveSummary,
        folder: String,
        on_conflict: OnConflict,
    ) -> Result<(), RuleError> {
        if self.staged.values().filter(|s| s.by == by).count() >= MAX_STAGED_PUSHES {
            return Err(RuleError::TooManyFiles);
        }
        let (push, first) = self.begin_push(now, by, to, summary.name.clone())?;
        let staged = Staged { by, tag, to, summary, folder, on_conflict, first, files: Vec::new(), whole: false };
        self.staged.insert(push, staged);
        self.outputs.push_back(Output::Send { to: by, msg: ToGuest::MoveMade { tag, id: push } });
        Ok(())
    }

    /// More files of colleague `by`'s push `tag`. They must be exactly what its summary says,
    /// under numbers of theirs used once, or the push ends with nothing fetched; once whole,
    /// the driver fetches them ([`SessionEvent::PushStaged`]).
    fn handle_push_files(
        &mut self,
        by: ParticipantId,
        tag: MoveId,
        files: Vec<MovedFile>,
        last: bool,
    ) -> Result<(), RuleError> {
        let Some(push) = self.staged.iter().find(|(_, s)| s.by == by && s.tag == tag && !s.whole).map(|(id, _)| *id)
        else {
            return Err(RuleError::NoSuchFile);
        };
        let taken = |id: FileId, s: &Self| {
            s.uploads.contains_key(&(by, id))
                || s.staged.iter().any(|(p, st)| *p != push && st.by == by && st.files.iter().any(|f| f.file == id))
        };
        let clash = files.iter().any(|f| taken(f.file, self));
        let Some(st) = self.staged.get_mut(&push) else { return Err(RuleError::NoSuchFile) };
        st.files.extend(files);
        let mut ids: Vec<FileId> = st.files.iter().map(|f| f.file).collect();
        ids.sort_unstable();
        ids.dedup();
        let fits = !clash
            && ids.len() == st.files.len()
            && st.files.len() <= MAX_MOVE_FILES
            && st.summary.admits_part(&st.files)
            && (!last || st.summary.admits(&st.files));
        if !fits {
            self.staged.remove(&push);
            self.push_failed(push, FileProblem::NotApproved);
            return Err(RuleError::NotAsked);
        }
        if last {
            st.whole = true;
            let (summary, files) = (st.summary.clone(), st.files.clone());
            self.outputs.push_back(Output::Event(SessionEvent::PushStaged { from: by, push, summary, files }));
        }
        Ok(())
    }

    /// Whether file `file` of colleague `by` belongs to a push of theirs on its way here.
    #[must_use]
    pub fn is_staged(&self, by: ParticipantId, file: FileId) -> bool {
        self.staged_file(by, file).is_some()
    }

    fn staged_file(&self, by: ParticipantId, file: FileId) -> Option<&MovedFile> {
        self.staged.values().filter(|s| s.by == by && s.whole).find_map(|s| s.files.iter().find(|f| f.file == file))
    }

    /// The driver asks colleague `by` for file `file` of their push from `offset`: only a file
    /// of a whole push of theirs, within its size.
    pub fn fetch_staged(
        &mut self,
        by: ParticipantId,
        file: FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) -> Result<(), RuleError> {
        if self.staged_file(by, file).is_none_or(|f| offset > f.size) {
            return Err(RuleError::NoSuchFile);
        }
        self.outputs.push_back(Output::Send { to: by, msg: ToGuest::FetchPulled { file, offset, prefix_sha256 } });
        Ok(())
    }

    /// The colleague's push `push` arrived here whole and checked: the customer is asked, its
    /// files under this host's numbers. Each of the colleague's numbers with this host's.
    pub fn push_staged(&mut self, push: MoveId) -> Result<Vec<(FileId, FileId)>, RuleError> {
        let st = self.staged.remove(&push).filter(|s| s.whole).ok_or(RuleError::NoSuchFile)?;
        let mut numbers = Vec::with_capacity(st.files.len());
        let files: Vec<MovedFile> = st
            .files
            .into_iter()
            .zip(0u32..)
            .map(|(f, i)| {
                let id = FileId(st.first.0.wrapping_add(i));
                numbers.push((f.file, id));
                MovedFile { file: id, ..f }
            })
            .collect();
        self.push(push, st.by, st.to, st.summary, st.folder, st.on_conflict, files)?;
        Ok(numbers)
    }

    /// Colleague `by`'s whole pushes on their way here.
    #[must_use]
    pub fn staged_of(&self, by: ParticipantId) -> Vec<MoveId> {
        self.staged.iter().filter(|(_, s)| s.by == by && s.whole).map(|(id, _)| *id).collect()
    }

    /// Relayed file `file`, if colleague `to` may fetch it now: a file of their pull that
    /// reached this host.
    pub(super) fn relayed_file(&self, to: ParticipantId, file: FileId) -> Option<&MovedFile> {
        self.moves
            .values()
            .filter(|m| m.direction == Direction::Pull && m.by == to && to != HOST_CSR)
            .find_map(|m| m.relay.iter().find(|f| f.file == file))
    }

    /// Whether pull `pull` goes on to a colleague and has not begun its second leg.
    #[must_use]
    pub fn awaits_relay(&self, pull: MoveId) -> bool {
        self.moves.get(&pull).is_some_and(|m| m.by != HOST_CSR && m.allowed && m.relay.is_empty())
    }

    /// Every file of a colleague's pull `pull` ended here, `arrived` of them whole: those go on
    /// to the colleague under this host's numbers. Each of the customer's numbers with this
    /// host's (none if it is not such a pull, or its list is not whole, or some file is still
    /// arriving: `ended` counts the files that ended).
    pub fn relay_pull(&mut self, pull: MoveId, arrived: &[FileId], ended: usize) -> Vec<(FileId, FileId)> {
        let Some(m) = self.moves.get(&pull).filter(|m| m.summary.is_some() && ended == m.files.len()) else {
            return Vec::new();
        };
        let listed = self.move_info(pull).is_some_and(|i| i.files == m.files.len() && !i.state.is_over());
        if !self.awaits_relay(pull) || !listed {
            return Vec::new();
        }
        let (by, empty) = (m.by, m.files.is_empty());
        let here: Vec<MovedFile> = m.files.iter().filter(|f| arrived.contains(&f.file)).cloned().collect();
        let Some(asked) = m.summary.clone() else { return Vec::new() };
        let mut numbers = Vec::with_capacity(here.len());
        let relay: Vec<MovedFile> = here
            .into_iter()
            .map(|f| {
                let id = self.reserve_file();
                numbers.push((f.file, id));
                MovedFile { file: id, ..f }
            })
            .collect();
        let bytes = relay.iter().map(|f| f.size).sum();
        let summary = MoveSummary { files: relay.len() as u32, bytes, ..asked };
        if let Some(m) = self.moves.get_mut(&pull) {
            m.relay.clone_from(&relay);
        }
        let count = relay.len();
        if self.participants.get(&by).is_some_and(super::Participant::present) && (count > 0 || empty) {
            for (files, last) in batches(relay) {
                let msg = ToGuest::PulledFiles { pull, summary: summary.clone(), files, last };
                self.outputs.push_back(Output::Send { to: by, msg });
            }
        }
        self.board_relaying(pull, bytes, count);
        numbers
    }
}
