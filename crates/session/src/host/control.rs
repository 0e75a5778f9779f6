//! Who runs the session and what they may ask: consent requests, control handed from CSR to
//! CSR, the primary customer, the chosen monitor, grants the CSR ends, and what the driver
//! asks before it passes input, screen or an inventory on.

use deskside_proto::{Capability, ParticipantId, RequestId, Role, ToGuest};

use super::{Output, Pending, RuleError, Session};

impl Session {
    /// The CSR `from` asks the primary customer `to` to allow `capability`.
    pub fn request(
        &mut self,
        from: ParticipantId,
        to: ParticipantId,
        capability: Capability,
    ) -> Result<RequestId, RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        self.ensure_capability_allowed(capability)?;
        let target = self.participants.get(&to).filter(|p| p.present()).ok_or(RuleError::NoSuchParticipant)?;
        // The screen is the primary customer's; any customer may describe their machine.
        let allowed = match capability {
            c if c.is_screen() => target.role == Role::PrimaryCustomer,
            _ => !target.role.is_csr(),
        };
        if !allowed {
            return Err(RuleError::NotPrimaryCustomer);
        }
        let request = self.next_request;
        self.next_request = self.next_request.wrapping_add(1);
        self.requests.insert(request, Pending { to, capability, by: from });
        let from_name = self.participants.get(&from).map(|p| p.name.clone()).unwrap_or_default();
        self.outputs.push_back(Output::Send { to, msg: ToGuest::ConsentRequest { request, capability, from_name } });
        Ok(request)
    }

    /// The CSR in control `from` hands control to CSR `to`: `to` now runs the session (requests,
    /// invites, promotes, ends); `from` stays as a CSR who watches, may leave, and cannot end
    /// unless control comes back.
    pub fn transfer_control(&mut self, from: ParticipantId, to: ParticipantId) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        let target = self.participants.get(&to).filter(|p| p.present() && p.away_ms.is_none());
        if !target.is_some_and(|p| p.role == Role::Csr) {
            return Err(RuleError::NotACsr);
        }
        if let Some(p) = self.participants.get_mut(&from) {
            p.role = Role::Csr;
        }
        if let Some(p) = self.participants.get_mut(&to) {
            p.role = Role::CsrInControl;
        }
        // A hand-over begun to someone else is off.
        self.handing_to = None;
        self.participants_changed(None);
        Ok(())
    }

    /// The CSR in control `from` no longer needs `capability` of customer `to` (Stop viewing,
    /// Stop control, End file transfer): it is no longer believed here, the customer's agent is
    /// told to end it (and says who did), and ending the files grant ends every move with them.
    /// Ending a view ends control of what it showed too.
    pub fn end_grant(
        &mut self,
        from: ParticipantId,
        to: ParticipantId,
        capability: Capability,
    ) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        let by = self.participants.get(&from).map(|p| p.name.clone()).unwrap_or_default();
        let target = self.participants.get_mut(&to).filter(|p| p.present()).ok_or(RuleError::NoSuchParticipant)?;
        if target.role.is_csr() {
            return Err(RuleError::NotPrimaryCustomer);
        }
        for cap in std::iter::once(capability).chain(capability.ends_with()) {
            target.allowed.set(cap, false);
            target.grants.set(cap, false);
        }
        self.requests.retain(|_, r| !(r.to == to && r.capability == capability));
        if capability == Capability::Files {
            self.end_moves_with(to);
        }
        self.outputs.push_back(Output::Send { to, msg: ToGuest::EndGrant { capability, by } });
        self.participants_changed(None);
        Ok(())
    }

    /// The CSR in control, if present.
    #[must_use]
    pub fn in_control(&self) -> Option<ParticipantId> {
        self.participants.values().find(|p| p.present() && p.role == Role::CsrInControl).map(|p| p.id)
    }

    /// The CSR in control `from` makes secondary customer `to` the primary customer. The previous
    /// primary becomes secondary: its screen and control grants end here at once (its agent stops
    /// them itself when it hears it is no longer primary), and requests waiting for its answer
    /// about them are dropped.
    pub fn promote(&mut self, from: ParticipantId, to: ParticipantId) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        let target = self.participants.get(&to).filter(|p| p.present()).ok_or(RuleError::NoSuchParticipant)?;
        if target.role != Role::SecondaryCustomer {
            return Err(RuleError::NotSecondaryCustomer);
        }
        let old = self.primary_customer().map(|p| p.id);
        if let Some(old) = old
            && let Some(p) = self.participants.get_mut(&old)
        {
            p.role = Role::SecondaryCustomer;
            for cap in Capability::ALL.into_iter().filter(|c| c.is_screen()) {
                p.grants.set(cap, false);
                p.allowed.set(cap, false);
            }
            p.monitors.clear();
            self.requests.retain(|_, r| !(r.to == old && r.capability.is_screen()));
        }
        if let Some(p) = self.participants.get_mut(&to) {
            p.role = Role::PrimaryCustomer;
        }
        self.participants_changed(None);
        Ok(())
    }

    /// The CSR `from` asks the primary customer `to` to share monitor `index` of their list, or
    /// every monitor with `None`.
    pub fn select_monitor(
        &mut self,
        from: ParticipantId,
        to: ParticipantId,
        index: Option<u32>,
    ) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(from)?;
        let target = self.participants.get(&to).filter(|p| p.present()).ok_or(RuleError::NoSuchParticipant)?;
        if target.role != Role::PrimaryCustomer {
            return Err(RuleError::NotPrimaryCustomer);
        }
        if index.is_some_and(|i| i as usize >= target.monitors.len()) {
            return Err(RuleError::NoSuchMonitor);
        }
        self.outputs.push_back(Output::Send { to, msg: ToGuest::SelectMonitor { index } });
        Ok(())
    }

    /// Whether `from` may send input to customer `to` now: `from` is in control, `to` is the
    /// primary customer and has reported control (of the screen or of one window) as granted. The
    /// agent checks again, and for one window also where each event lands.
    #[must_use]
    pub fn may_control(&self, from: ParticipantId, to: ParticipantId) -> bool {
        self.ensure_in_control(from).is_ok()
            && self
                .participants
                .get(&to)
                .is_some_and(|p| p.present() && p.role == Role::PrimaryCustomer && p.grants.controls())
    }

    /// Whether screen frames from `from` should be shown: the primary customer, viewing (the screen
    /// or one window) granted.
    #[must_use]
    pub fn may_share_screen(&self, from: ParticipantId) -> bool {
        self.participants
            .get(&from)
            .is_some_and(|p| p.present() && p.role == Role::PrimaryCustomer && p.grants.sees_screen())
    }

    /// Whether an inventory from `from` would be taken now: a present customer who allowed
    /// sending it (in answer to a request of this host's).
    #[must_use]
    pub fn may_send_inventory(&self, from: ParticipantId) -> bool {
        self.participants.get(&from).is_some_and(|p| p.present() && !p.role.is_csr() && p.grants.system_info)
    }
}
