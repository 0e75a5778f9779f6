//! The files the CSRs offer every customer (the simple file transfer): the list, its pieces,
//! and who may fetch one.

use deskside_proto::{FileId, OfferedFile, ParticipantId};

use super::{HOST_CSR, Output, RuleError, Session, SessionEvent, ToGuest};

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
        self.ensure_tool_allowed(deskside_proto::cert::Tool::SendFiles)?;
        if self.offered.len() >= deskside_proto::MAX_FILES_OFFERED {
            return Err(RuleError::TooManyFiles);
        }
        if !file.is_valid() {
            return Err(RuleError::BadText);
        }
        self.offered.retain(|f| f.id != file.id);
        if from != HOST_CSR {
            self.offered_by.insert(file.id, from);
        }
        self.offered.push(file);
        self.files_changed();
        Ok(())
    }

    /// Colleague `from` shares their file `file`: kept until it has been fetched from them.
    pub(super) fn handle_upload_offer(&mut self, from: ParticipantId, file: OfferedFile) {
        if let Err(rule) =
            self.ensure_in_control(from).and_then(|()| self.ensure_tool_allowed(deskside_proto::cert::Tool::SendFiles))
        {
            return self.refuse(from, rule);
        }
        if self.offered.len() + self.uploads.len() >= deskside_proto::MAX_FILES_OFFERED {
            return self.refuse(from, RuleError::TooManyFiles);
        }
        self.uploads.insert((from, file.id), file.clone());
        self.outputs.push_back(Output::Event(SessionEvent::UploadOffered { from, file }));
    }

    /// The driver asks colleague `from` for their shared file `file` from `offset`: only a file
    /// they shared and that has not arrived yet, within its size.
    pub fn fetch_upload(
        &mut self,
        from: ParticipantId,
        file: FileId,
        offset: u64,
        prefix_sha256: [u8; 32],
    ) -> Result<(), RuleError> {
        if self.uploads.get(&(from, file)).is_none_or(|f| offset > f.size) {
            return Err(RuleError::NoSuchFile);
        }
        self.outputs.push_back(Output::Send { to: from, msg: ToGuest::FetchPulled { file, offset, prefix_sha256 } });
        Ok(())
    }

    /// Colleague `from`'s shared file `file` arrived whole (or failed): it is no longer waited
    /// for; what they shared, if it was.
    pub fn uploaded(&mut self, from: ParticipantId, file: FileId) -> Option<OfferedFile> {
        self.uploads.remove(&(from, file))
    }

    /// What colleague `from` shares and has not arrived yet, by their own numbers.
    #[must_use]
    pub fn uploads_from(&self, from: ParticipantId) -> Vec<OfferedFile> {
        self.uploads.iter().filter(|((by, _), _)| *by == from).map(|(_, f)| f.clone()).collect()
    }

    /// Whether colleague `from` shared file `file` and it is still being fetched.
    #[must_use]
    pub fn is_upload(&self, from: ParticipantId, file: FileId) -> bool {
        self.uploads.contains_key(&(from, file))
    }

    /// The CSR in control `from` stops offering file `id`.
    pub fn withdraw_file(&mut self, from: ParticipantId, id: deskside_proto::FileId) -> Result<(), RuleError> {
        self.ensure_in_control(from)?;
        let before = self.offered.len();
        self.offered.retain(|f| f.id != id);
        if self.offered.len() == before {
            return Err(RuleError::NoSuchFile);
        }
        self.offered_by.remove(&id);
        self.outputs.push_back(Output::Event(SessionEvent::FileWithdrawn { file: id }));
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
        // Customers download them; colleagues' consoles show what is shared.
        let everyone: Vec<ParticipantId> =
            self.participants.values().filter(|p| p.present() && p.id != HOST_CSR).map(|p| p.id).collect();
        for id in everyone {
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
