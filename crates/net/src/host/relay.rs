//! The hub's part of a colleague's moves ([`deskside_session::host`]'s `relay`): a colleague's
//! push is fetched from their console into this session's private folder before the customer
//! is asked; a colleague's pull arrives there from the customer, then its files go on to the
//! colleague, who fetches them as customers fetch offered files.

use std::path::PathBuf;
use std::sync::Arc;

use deskside_proto::{FileId, MoveId, MoveSummary, MovedFile, ParticipantId};

use super::Hub;
use crate::transfer::{RealDisk, Status, Transfers};

impl Hub {
    /// A folder of this session's own (readable by this user only, gone with the session),
    /// made on first use, with `sub` made inside it.
    pub(super) fn private_dir(&mut self, sub: &str) -> Option<PathBuf> {
        if self.shared_dir.is_none() {
            self.shared_dir = tempfile::Builder::new().prefix("deskside-shared-").tempdir().ok();
        }
        let dir = self.shared_dir.as_ref()?.path().join(sub);
        std::fs::create_dir_all(&dir).ok()?;
        Some(dir)
    }

    /// Colleague `from`'s push `push` is whole: its files are fetched from them into a folder
    /// of this session's.
    pub(super) fn stage_from(
        &mut self,
        from: ParticipantId,
        push: MoveId,
        summary: MoveSummary,
        files: Vec<MovedFile>,
    ) {
        let transfers = self.pulls.entry(from).or_insert_with(|| Arc::new(Transfers::new(Arc::new(RealDisk)))).clone();
        let Some(dir) = self.private_dir(&format!("push-{}", push.0)) else {
            self.session.push_failed(push, deskside_proto::FileProblem::NoFolder);
            return;
        };
        let started = transfers.start_move(push, &dir, false, summary);
        if let Err(why) = started.and_then(|()| transfers.add_moved(push, files, true)) {
            tracing::info!(push = %push, "a colleague's push cannot be kept here: {why:?}");
            self.session.push_failed(push, why.problem());
            return;
        }
        self.pumped(from);
    }

    /// How far what arrives from `participant` for colleagues' moves is: a push fetched from
    /// them goes to its customer once it is all here; a pull fetched from them (a customer)
    /// goes on to its colleague.
    pub(super) fn relay_progress(&mut self, participant: ParticipantId, transfers: &Transfers) {
        let staged: Vec<MoveId> = self.session.staged_of(participant);
        for push in staged {
            let p = transfers.move_progress(push);
            self.session.handle_push_preparing(push, p.done, p.bytes);
            if !p.finished() {
                continue;
            }
            if let Some(why) = p.first_failure.as_ref().map(crate::transfer::Failure::problem) {
                self.session.push_failed(push, why);
                continue;
            }
            let saved = saved_files(transfers, push);
            match self.session.push_staged(push) {
                Ok(numbers) => self.place(&numbers, &saved),
                Err(rule) => tracing::info!(push = %push, "a colleague's push was not asked: {rule}"),
            }
        }
        let relayed: Vec<MoveId> = self
            .session
            .moves()
            .iter()
            .filter(|(id, m)| m.with == participant && self.session.awaits_relay(**id))
            .map(|(id, _)| *id)
            .collect();
        for pull in relayed {
            let p = transfers.move_progress(pull);
            if !p.finished() {
                continue;
            }
            let saved = saved_files(transfers, pull);
            let arrived: Vec<FileId> = saved.iter().map(|(id, _)| *id).collect();
            let numbers = self.session.relay_pull(pull, &arrived, p.saved + p.failed);
            self.place(&numbers, &saved);
        }
    }

    /// Where each of this host's numbers is on disk, from the sender's numbers.
    fn place(&mut self, numbers: &[(FileId, FileId)], saved: &[(FileId, PathBuf)]) {
        for (theirs, ours) in numbers {
            if let Some((_, path)) = saved.iter().find(|(id, _)| id == theirs) {
                self.file_paths.insert(*ours, path.clone());
            }
        }
    }
}

/// The files of move `id` saved here, by the sender's numbers.
fn saved_files(transfers: &Transfers, id: MoveId) -> Vec<(FileId, PathBuf)> {
    transfers
        .downloads()
        .into_iter()
        .filter(|(_, d)| d.part_of == Some(id))
        .filter_map(|(file, d)| match d.status {
            Status::Done(path) => Some((file, path)),
            _ => None,
        })
        .collect()
}
