//! Who gets in: invites, hellos (and previews), the welcome with what a newcomer may read, and
//! coming back to a held seat with a resumption ticket.

use deskside_proto::{
    AppKind, ChatLine, Hello, InviteRole, MAX_PARTICIPANTS, PROTOCOL_VERSION, ParticipantId, Preview, Refusal, Role,
    ToGuest, Welcome,
};

use super::{HOST_CSR, InviteRecord, MAX_INVITES, Output, Participant, RuleError, Session};
use crate::UnixMs;

impl Session {
    /// Records a new invite with `secret`, valid for `ttl_ms` from `now`.
    pub fn add_invite(
        &mut self,
        now: UnixMs,
        role: InviteRole,
        secret: [u8; 16],
        ttl_ms: UnixMs,
    ) -> Result<(), RuleError> {
        self.add_invite_for(now, HOST_CSR, role, secret, ttl_ms)
    }

    /// Adds an invite as [`Session::add_invite`] does, made for CSR `by` (a colleague in control
    /// on their own console, who asked for it). At most [`MAX_INVITES`] are kept: the oldest
    /// used, revoked or expired one makes room, and with none of those the invite is refused.
    pub fn add_invite_for(
        &mut self,
        now: UnixMs,
        by: ParticipantId,
        role: InviteRole,
        secret: [u8; 16],
        ttl_ms: UnixMs,
    ) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        if by != HOST_CSR {
            self.ensure_in_control(by)?;
        }
        if self.invites.len() >= MAX_INVITES {
            let spent = self.invites.iter().position(|i| i.used_by.is_some() || i.revoked || i.expires_ms <= now);
            let i = spent.ok_or(RuleError::TooManyInvites)?;
            self.invites.remove(i);
        }
        self.invites.push(InviteRecord {
            secret,
            role,
            expires_ms: now.saturating_add(ttl_ms),
            used_by: None,
            revoked: false,
            made_by: by,
        });
        Ok(())
    }

    /// Gives colleague `by` the invite made at their asking (the driver adds where the host
    /// listens and its fingerprint to the record [`Session::add_invite_for`] kept).
    pub fn give_invite(&mut self, by: ParticipantId, invite: deskside_proto::Invite) {
        if self.participants.get(&by).is_some_and(|p| p.present() && p.role.is_csr()) {
            self.outputs.push_back(Output::Send { to: by, msg: ToGuest::InviteMade(Box::new(invite)) });
        }
    }

    /// Withdraws the unused invite with `secret`.
    pub fn revoke_invite(&mut self, secret: &[u8; 16]) {
        if let Some(inv) = self.invites.iter_mut().find(|i| &i.secret == secret && i.used_by.is_none()) {
            inv.revoked = true;
        }
    }

    /// What every hello must be, whatever it asks: this protocol version, within bounds, for this
    /// session (else `other_session`), which has not ended.
    pub(super) fn check_hello(&self, hello: &Hello, other_session: Refusal) -> Result<(), Refusal> {
        if hello.version != PROTOCOL_VERSION {
            return Err(Refusal::UnsupportedVersion);
        }
        if !hello.is_valid() {
            return Err(Refusal::Malformed);
        }
        if self.is_ended() {
            return Err(Refusal::SessionEnded);
        }
        if hello.session != self.config.id {
            return Err(other_session);
        }
        Ok(())
    }

    /// The invite `hello` names, checked: protocol version, bounds, session, and a live invite
    /// (not revoked, unused, unexpired). Returns its index in `self.invites`.
    pub(super) fn live_invite(&self, now: UnixMs, hello: &Hello) -> Result<usize, Refusal> {
        self.check_hello(hello, Refusal::InviteInvalid)?;
        let i = self.invites.iter().position(|i| i.secret == hello.secret).ok_or(Refusal::InviteInvalid)?;
        let inv = &self.invites[i];
        if inv.revoked {
            return Err(Refusal::InviteRevoked);
        }
        if inv.used_by.is_some() {
            return Err(Refusal::InviteUsed);
        }
        if now >= inv.expires_ms {
            return Err(Refusal::InviteExpired);
        }
        Ok(i)
    }

    /// Someone holding an invite asks who is behind it before joining: checked exactly like a
    /// hello, but nobody is admitted and the invite stays unused.
    pub fn handle_preview(&self, now: UnixMs, hello: &Hello) -> Result<Preview, Refusal> {
        self.live_invite(now, hello)?;
        Ok(Preview {
            csr_name: self.controller_name(),
            organisation: self.config.organisation.clone(),
            session_type: self.config.session_type.clone(),
            certificate: self.policy.certificate.clone(),
        })
    }

    /// A remote participant says hello. On success they are admitted and welcomed; on refusal the
    /// driver closes the connection with the reason.
    pub fn handle_hello(&mut self, now: UnixMs, hello: &Hello) -> Result<ParticipantId, Refusal> {
        if hello.preview {
            return Err(Refusal::Malformed);
        }
        if hello.resume {
            return self.resume(now, hello);
        }
        let i = self.live_invite(now, hello)?;
        let has_room = self.participants.len() < MAX_PARTICIPANTS;
        let inv = &mut self.invites[i];
        let expected_app = match inv.role {
            InviteRole::Customer => AppKind::Agent,
            InviteRole::Csr => AppKind::Console,
        };
        if hello.app != expected_app || !has_room {
            return Err(Refusal::NotAllowed);
        }
        let id = self.next_id;
        inv.used_by = Some(id);
        let (made_by, secret) = (inv.made_by, inv.secret);
        let invite_role = inv.role;
        let role = match invite_role {
            InviteRole::Csr => Role::Csr,
            InviteRole::Customer if self.primary_customer().is_none() => Role::PrimaryCustomer,
            InviteRole::Customer => Role::SecondaryCustomer,
        };
        self.next_id.0 += 1;
        self.participants.insert(id, Participant::joining(id, hello.name.trim().to_owned(), role, hello.app, now));
        self.welcome(id, role);
        if made_by != HOST_CSR && self.participants.get(&made_by).is_some_and(Participant::present) {
            self.outputs.push_back(Output::Send { to: made_by, msg: ToGuest::InviteUsed(secret) });
        }
        Ok(id)
    }

    pub(super) fn welcome(&mut self, id: ParticipantId, role: Role) {
        let welcome = Welcome {
            you: id,
            role,
            csr_name: self.controller_name(),
            organisation: self.config.organisation.clone(),
            session_type: self.config.session_type.clone(),
            tracking_code: self.config.tracking_code.clone(),
            started_unix_ms: self.started_ms,
            participants: self.infos(),
            certificate: self.policy.certificate.clone(),
        };
        self.outputs.push_back(Output::Send { to: id, msg: ToGuest::Welcome(welcome) });
        // What grows with the session goes in pieces, each well under a control message.
        let readable: Vec<ChatLine> = self.chat.iter().filter(|l| Self::may_read(l, id, role)).cloned().collect();
        for lines in deskside_proto::chat_batches(readable) {
            self.outputs.push_back(Output::Send { to: id, msg: ToGuest::ChatBacklog(lines) });
        }
        // Customers download them; a CSR's console shows what is shared.
        if !self.offered.is_empty() {
            self.send_offered(id);
        }
        self.participants_changed(Some(id));
    }

    /// A participant comes back with their resumption ticket: the same seat, role and number,
    /// welcomed again with all the chat they may read (so nothing said while they were away is
    /// lost). Refused once the seat is given up or for a ticket nobody holds.
    pub(super) fn resume(&mut self, now: UnixMs, hello: &Hello) -> Result<ParticipantId, Refusal> {
        self.check_hello(hello, Refusal::SeatLost)?;
        self.handle_timeout(now);
        let Some(p) = self
            .participants
            .values_mut()
            .find(|p| p.present() && p.id != HOST_CSR && p.ticket == Some(hello.secret) && p.app == hello.app)
        else {
            return Err(Refusal::SeatLost);
        };
        p.away_ms = None;
        p.ticket = None;
        let (id, role) = (p.id, p.role);
        self.welcome(id, role);
        Ok(id)
    }

    /// Gives admitted participant `id` its resumption ticket (a fresh random value from the
    /// driver) and sends it to them.
    pub fn issue_ticket(&mut self, id: ParticipantId, ticket: [u8; 16]) {
        if let Some(p) = self.participants.get_mut(&id).filter(|p| p.present() && p.id != HOST_CSR) {
            p.ticket = Some(ticket);
            self.outputs.push_back(Output::Send { to: id, msg: ToGuest::Ticket(ticket) });
        }
    }
}
