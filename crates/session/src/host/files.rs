//! The files the CSRs offer every customer (the simple file transfer): the list, its pieces,
//! and who may fetch one.

use deskside_proto::ParticipantId;

use super::{Output, RuleError, Session, ToGuest};

impl Session {
    /// The files on offer.
    #[must_use]
    pub fn offered_files(&self) -> &[deskside_proto::OfferedFile] {
        &self.offered
    }

    /// The CSR in control `from` offers `file` to every customer (the driver has hashed it).
    pub fn offer_file(&mut self, from: ParticipantId, file: deskside_proto::OfferedFile) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        if self.offered.len() >= deskside_proto::MAX_FILES_OFFERED {
            return Err(RuleError::TooManyFiles);
        }
        if !file.is_valid() {
            return Err(RuleError::BadText);
        }
        self.offered.retain(|f| f.id != file.id);
        self.offered.push(file);
        self.files_changed();
        Ok(())
    }

    /// The CSR in control `from` stops offering file `id`.
    pub fn withdraw_file(&mut self, from: ParticipantId, id: deskside_proto::FileId) -> Result<(), RuleError> {
        self.ensure_in_control(from)?;
        let before = self.offered.len();
        self.offered.retain(|f| f.id != id);
        if self.offered.len() == before {
            return Err(RuleError::NoSuchFile);
        }
        self.files_changed();
        Ok(())
    }

    /// Whether files may move to or from customer `id` now: not while one of their application
    /// windows is shared (the agent refuses too).
    #[must_use]
    pub fn may_transfer_files(&self, id: ParticipantId) -> bool {
        self.participants
            .get(&id)
            .is_some_and(|p| p.present() && !p.role.is_csr() && !p.grants.view_app && !p.grants.control_app)
    }

    pub(super) fn files_changed(&mut self) {
        self.files_dirty = true;
    }

    /// Tells every customer the files on offer, if that changed since they were last told. The
    /// driver calls it when a burst of changes is over (sharing many files at once sends one
    /// list, not one per file).
    pub fn publish_files(&mut self) {
        if !std::mem::take(&mut self.files_dirty) {
            return;
        }
        let customers: Vec<ParticipantId> =
            self.participants.values().filter(|p| p.present() && !p.role.is_csr()).map(|p| p.id).collect();
        for id in customers {
            self.send_offered(id);
        }
    }

    /// Sends participant `id` the whole list of files on offer, in pieces.
    pub(super) fn send_offered(&mut self, id: ParticipantId) {
        for (files, last) in deskside_proto::files::offered_batches(&self.offered) {
            self.outputs.push_back(Output::Send { to: id, msg: ToGuest::FilesOffered { files, last } });
        }
    }
}
