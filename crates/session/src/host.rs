//! The host's session state: who is in the session and in which role, which invites are live,
//! which consent requests are waiting, how chat is routed, and who may leave or end.
//!
//! The host's own CSR is participant 0 and starts in control. Remote participants are admitted
//! with a [`Hello`] carrying a live invite secret; everything they send afterwards goes through
//! [`Session::handle_message`], which refuses what breaks a rule instead of acting on it.

use std::collections::{BTreeMap, VecDeque};

use deskside_proto::{
    AppKind, Capability, ChatLine, ChatTarget, Grants, Inventory, InviteRole, MonitorInfo, ParticipantId,
    ParticipantInfo, RESUME_WINDOW_MS, Refusal, RequestId, Role, Rule, SessionId, ToGuest, ToHost,
};

use crate::UnixMs;

/// The local CSR's participant number.
pub const HOST_CSR: ParticipantId = ParticipantId(0);

/// A participant may send a chat line every this many milliseconds on average…
pub const CHAT_EVERY_MS: UnixMs = 200;
/// …and this many in a burst (a pasted list, quick replies); more are refused.
pub const CHAT_BURST: UnixMs = 20;

/// Most invites kept at once (live or used); older used ones are forgotten first.
const MAX_INVITES: usize = 256;

/// What the host's CSR chose when starting the session.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// The session's random identifier.
    pub id: SessionId,
    /// The host CSR's display name.
    pub csr_name: String,
    /// The CSR's organisation.
    pub organisation: String,
    /// The session type ("General support").
    pub session_type: String,
    /// An optional tracking code (a ticket number).
    pub tracking_code: String,
}

/// A participant, present or gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    /// Number within the session.
    pub id: ParticipantId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// What this customer has granted, as the agent last reported it and as far as this host
    /// believes it: only what they allowed in answer to a request of this host's.
    pub grants: Grants,
    /// What they answered Allow to, for requests this host made, and have not stopped since:
    /// a grant the agent reports beyond this is not believed.
    allowed: Grants,
    /// When their chat allowance is next full again (see [`CHAT_EVERY_MS`]).
    chat_tat_ms: UnixMs,
    /// When the participant joined.
    pub joined_ms: UnixMs,
    /// When the participant left, if they did.
    pub left_ms: Option<UnixMs>,
    /// The customer's monitors, as the agent last listed them.
    pub monitors: Vec<MonitorInfo>,
    /// Since when their connection is gone while their seat is held (see [`Session::handle_drop`]).
    pub away_ms: Option<UnixMs>,
    /// The resumption ticket that gives the seat back, once issued.
    ticket: Option<[u8; 16]>,
    /// Which application they joined with.
    app: AppKind,
}

impl Participant {
    /// Someone who joins now with nothing granted, asked or said yet.
    fn joining(id: ParticipantId, name: String, role: Role, app: AppKind, now: UnixMs) -> Participant {
        Participant {
            id,
            name,
            role,
            grants: Grants::default(),
            allowed: Grants::default(),
            chat_tat_ms: 0,
            joined_ms: now,
            left_ms: None,
            monitors: Vec::new(),
            away_ms: None,
            ticket: None,
            app,
        }
    }

    fn info(&self) -> ParticipantInfo {
        ParticipantInfo {
            id: self.id,
            name: self.name.clone(),
            role: self.role,
            grants: self.grants,
            present: self.left_ms.is_none(),
            away: self.away_ms.is_some(),
        }
    }

    fn present(&self) -> bool {
        self.left_ms.is_none()
    }
}

/// An invite the host has issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    /// The single-use secret.
    pub secret: [u8; 16],
    /// Who it admits.
    pub role: InviteRole,
    /// When it expires.
    pub expires_ms: UnixMs,
    /// Who used it, once used.
    pub used_by: Option<ParticipantId>,
    /// Whether the CSR withdrew it.
    pub revoked: bool,
    /// The CSR it was made for: the host's own, or a colleague in control on their console,
    /// who hears when it is used.
    pub made_by: ParticipantId,
}

/// A rule an action broke; the action was not carried out (the protocol's [`Rule`], which the
/// participant is sent and each app words in its reader's language).
pub type RuleError = Rule;

/// Something the driver must do, or the UI should know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send `msg` to participant `to`.
    Send {
        /// Recipient.
        to: ParticipantId,
        /// Message.
        msg: ToGuest,
    },
    /// Close participant `to`'s connection with `refusal` as the reason.
    Close {
        /// Whose connection.
        to: ParticipantId,
        /// Why.
        refusal: Refusal,
    },
    /// Something the host's own CSR should see.
    Event(SessionEvent),
}

/// What happened, for the host's UI and the session record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// Someone joined, left, or changed role or grants.
    ParticipantsChanged,
    /// A chat line the host CSR can read.
    Chat(ChatLine),
    /// A customer answered a consent request.
    ConsentAnswered {
        /// Who answered.
        participant: ParticipantId,
        /// What was asked.
        capability: Capability,
        /// The answer.
        allowed: bool,
    },
    /// The primary customer listed their monitors.
    Monitors {
        /// Whose.
        participant: ParticipantId,
        /// The monitors.
        monitors: Vec<MonitorInfo>,
    },
    /// A customer sent the inventory they allowed.
    SystemInfo {
        /// Whose machine.
        participant: ParticipantId,
        /// What they chose to send.
        inventory: Inventory,
        /// The CSR who asked for it: the host's own, or a colleague on their console, who is
        /// sent it too.
        for_csr: ParticipantId,
    },
    /// A customer's agent refused input it was sent.
    InputRefused {
        /// Which customer.
        participant: ParticipantId,
    },
    /// A participant's action was refused.
    Refused {
        /// Whose.
        participant: ParticipantId,
        /// Which rule.
        rule: RuleError,
    },
    /// The session ended.
    Ended {
        /// End-of-session notes.
        notes: String,
    },
    /// A customer asks for offered file `file` from `offset` (the driver sends it).
    FileRequested {
        /// Who.
        participant: ParticipantId,
        /// Which file.
        file: deskside_proto::FileId,
        /// Where to start.
        offset: u64,
        /// SHA-256 of the bytes they hold before `offset`.
        prefix_sha256: [u8; 32],
    },
    /// How a customer's transfer of offered (or pushed) file `file` ended.
    FileDone {
        /// Who.
        participant: ParticipantId,
        /// Which file.
        file: deskside_proto::FileId,
        /// How.
        outcome: deskside_proto::FileOutcome,
    },
    /// A customer's folder, as listed for the CSR (or why it could not be).
    Folder {
        /// Whose.
        participant: ParticipantId,
        /// What it holds.
        listing: Result<deskside_proto::FolderListing, deskside_proto::FileProblem>,
    },
    /// The board of moves changed ([`Session::board`]); said once until the driver calls
    /// [`Session::moves_seen`].
    MovesChanged,
    /// Files of an allowed pull, to fetch (the driver writes them).
    Pulled {
        /// Whose.
        participant: ParticipantId,
        /// The move.
        pull: deskside_proto::MoveId,
        /// What the pull carries.
        summary: deskside_proto::MoveSummary,
        /// These files.
        files: Vec<deskside_proto::MovedFile>,
        /// Whether more will come.
        last: bool,
    },
    /// A move ended because the customer stopped browsing and moving files, or left: the driver
    /// stops sending its files.
    MoveStopped {
        /// The move.
        id: deskside_proto::MoveId,
        /// Its files.
        files: Vec<deskside_proto::FileId>,
    },
    /// Colleague `from`, in control on their own console, shares their file `file` (their own
    /// number): the driver fetches it from them ([`Session::fetch_upload`]) and offers it once it
    /// arrived whole ([`Session::uploaded`], then [`Session::offer_file`]).
    UploadOffered {
        /// The colleague.
        from: ParticipantId,
        /// Their file.
        file: deskside_proto::OfferedFile,
    },
    /// Colleague `from`'s push `push` is whole: the driver fetches its files from them
    /// ([`Session::fetch_staged`]), then the customer is asked ([`Session::push_staged`]).
    PushStaged {
        /// The colleague.
        from: ParticipantId,
        /// The move.
        push: deskside_proto::MoveId,
        /// What it carries.
        summary: deskside_proto::MoveSummary,
        /// Its files, under the colleague's numbers.
        files: Vec<deskside_proto::MovedFile>,
    },
    /// File `file` is no longer offered: the driver stops sending it.
    FileWithdrawn {
        /// Which file.
        file: deskside_proto::FileId,
    },
    /// CSR `by`, in control on their own console, asks for an invite for `role`: the driver
    /// makes its secret, adds it ([`Session::add_invite_for`]) and gives it to them
    /// ([`Session::give_invite`]).
    InviteAsked {
        /// The CSR.
        by: ParticipantId,
        /// Who it admits.
        role: InviteRole,
    },
    /// The session went on at CSR `to`'s console; everyone else was told to go there.
    HandedOver {
        /// The CSR who hosts it now.
        to: ParticipantId,
    },
}

#[derive(Debug)]
struct Pending {
    to: ParticipantId,
    capability: Capability,
    /// The CSR who asked (a colleague on their console hears the answer).
    by: ParticipantId,
}

/// The host's session state.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    /// When the session began (kept across hand-overs).
    started_ms: UnixMs,
    participants: BTreeMap<ParticipantId, Participant>,
    invites: Vec<InviteRecord>,
    chat: VecDeque<ChatLine>,
    /// What the kept chat weighs ([`ChatLine::weight`]), bounded by `MAX_CHAT_KEPT_BYTES`.
    chat_bytes: usize,
    /// The CSR this host began handing the session to, until they are ready or it is called off.
    handing_to: Option<ParticipantId>,
    requests: BTreeMap<RequestId, Pending>,
    next_id: ParticipantId,
    next_request: RequestId,
    ended: Option<(UnixMs, String)>,
    outputs: VecDeque<Output>,
    /// The files the CSRs offer the customers.
    offered: Vec<deskside_proto::OfferedFile>,
    /// The list changed since customers were last told.
    files_dirty: bool,
    /// Moves under way, by number.
    moves: BTreeMap<deskside_proto::MoveId, moves::Move>,
    /// Folder listings asked and not answered yet, by customer and request: the CSR who asked.
    listings: BTreeMap<(ParticipantId, u32), ParticipantId>,
    /// Colleagues' pushes, fetched from their consoles before the customer is asked.
    staged: BTreeMap<deskside_proto::MoveId, relay::Staged>,
    /// The board's rows each colleague was last sent.
    rows_sent: BTreeMap<ParticipantId, Vec<MoveInfo>>,
    next_move: deskside_proto::MoveId,
    /// The next file number for an offered or pushed file.
    next_file: deskside_proto::FileId,
    /// Every move of the session, for the UI.
    board: board::Board,
    /// For each customer who allowed their system information, the CSR who asked (a colleague
    /// on their own console is sent it too).
    inventory_for: BTreeMap<ParticipantId, ParticipantId>,
    /// The board changed since the driver last took it.
    moves_dirty: bool,
    /// Files colleagues on their own consoles share, being fetched from them before they are
    /// offered, by colleague and their own number.
    uploads: BTreeMap<(ParticipantId, deskside_proto::FileId), deskside_proto::OfferedFile>,
    /// Which colleague shared each offered file (the host's own are not listed).
    offered_by: BTreeMap<deskside_proto::FileId, ParticipantId>,
    policy: Policy,
}

impl Session {
    /// Starts a session at `now` with the host's CSR in control.
    #[must_use]
    pub fn new(now: UnixMs, config: SessionConfig) -> Session {
        let me = Participant::joining(HOST_CSR, config.csr_name.clone(), Role::CsrInControl, AppKind::Console, now);
        Session {
            config,
            started_ms: now,
            participants: BTreeMap::from([(HOST_CSR, me)]),
            invites: Vec::new(),
            chat: VecDeque::new(),
            chat_bytes: 0,
            handing_to: None,
            requests: BTreeMap::new(),
            next_id: ParticipantId(HOST_CSR.0 + 1),
            next_request: 1,
            ended: None,
            outputs: VecDeque::new(),
            offered: Vec::new(),
            files_dirty: false,
            moves: BTreeMap::new(),
            listings: BTreeMap::new(),
            staged: BTreeMap::new(),
            rows_sent: BTreeMap::new(),
            next_move: deskside_proto::MoveId(1),
            next_file: deskside_proto::FileId(1),
            board: board::Board::default(),
            inventory_for: BTreeMap::new(),
            moves_dirty: false,
            uploads: BTreeMap::new(),
            offered_by: BTreeMap::new(),
            policy: Policy::default(),
        }
    }

    /// The session's configuration.
    #[must_use]
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// When the session began (kept across hand-overs).
    #[must_use]
    pub fn started_ms(&self) -> UnixMs {
        self.started_ms
    }

    /// Everyone who has been in the session, by number.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        self.participants.values()
    }

    /// One participant.
    #[must_use]
    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.get(&id)
    }

    /// The present primary customer, if any.
    #[must_use]
    pub fn primary_customer(&self) -> Option<&Participant> {
        self.participants.values().find(|p| p.present() && p.role == Role::PrimaryCustomer)
    }

    /// The invites issued, live and used.
    #[must_use]
    pub fn invites(&self) -> &[InviteRecord] {
        &self.invites
    }

    /// Whether the session has ended.
    #[must_use]
    pub fn is_ended(&self) -> bool {
        self.ended.is_some()
    }

    /// The chat kept so far.
    pub fn chat_log(&self) -> impl Iterator<Item = &ChatLine> {
        self.chat.iter()
    }

    /// Participant `id`'s connection dropped without them leaving. With a ticket their seat is
    /// held for [`RESUME_WINDOW_MS`] (role and grants kept, requests to them dropped); without
    /// one they have left.
    pub fn handle_drop(&mut self, now: UnixMs, id: ParticipantId) {
        let Some(p) = self.participants.get_mut(&id).filter(|p| p.present() && p.away_ms.is_none()) else {
            return;
        };
        if p.ticket.is_none() || self.ended.is_some() {
            self.handle_disconnect(now, id);
            return;
        }
        p.away_ms = Some(now);
        self.requests.retain(|_, r| r.to != id);
        self.participants_changed(None);
    }

    /// Gives up every seat held longer than [`RESUME_WINDOW_MS`]: those participants have left.
    pub fn handle_timeout(&mut self, now: UnixMs) {
        let expired: Vec<ParticipantId> = self
            .participants
            .values()
            .filter(|p| p.present() && p.away_ms.is_some_and(|t| now.saturating_sub(t) >= RESUME_WINDOW_MS))
            .map(|p| p.id)
            .collect();
        for id in expired {
            self.handle_disconnect(now, id);
        }
    }

    /// A message from admitted participant `from`. `Err` means the connection must close.
    pub fn handle_message(&mut self, now: UnixMs, from: ParticipantId, msg: ToHost) -> Result<(), Refusal> {
        if !msg.is_valid() {
            return Err(Refusal::Malformed);
        }
        let Some(sender) = self.participants.get(&from).filter(|p| p.present()) else {
            return Err(Refusal::NotAllowed);
        };
        let role = sender.role;
        match msg {
            ToHost::Chat { to, text } => {
                if let Err(rule) = self.chat(now, from, to, &text) {
                    self.refuse(from, rule);
                }
            }
            ToHost::ConsentAnswer { request, allowed } => self.handle_consent_answer(from, request, allowed),
            ToHost::Grants(grants) => {
                if role.is_csr() {
                    self.refuse(from, RuleError::NotPrimaryCustomer);
                } else if let Some(p) = self.participants.get_mut(&from) {
                    // Believed only as far as they answer this host's requests; whatever they
                    // stop needs a new request to come back.
                    p.allowed = and(p.allowed, grants);
                    p.grants = p.allowed;
                    self.participants_changed(None);
                    if !self.may_move_files(from) {
                        self.end_moves_with(from);
                    }
                }
            }
            ToHost::InputRefused => {
                self.outputs.push_back(Output::Event(SessionEvent::InputRefused { participant: from }));
            }
            ToHost::Leave => {
                self.handle_disconnect(now, from);
                self.outputs.push_back(Output::Close { to: from, refusal: Refusal::Left });
            }
            ToHost::End { notes } => {
                if let Err(rule) = self.end(now, from, &notes) {
                    self.refuse(from, rule);
                }
            }
            ToHost::Request { to, capability } => {
                if let Err(rule) = self.request(from, to, capability) {
                    self.refuse(from, rule);
                }
            }
            ToHost::TransferControl { to } => {
                if let Err(rule) = self.transfer_control(from, to) {
                    self.refuse(from, rule);
                }
            }
            ToHost::Promote { to } => {
                if let Err(rule) = self.promote(from, to) {
                    self.refuse(from, rule);
                }
            }
            ToHost::EndGrant { to, capability } => {
                if let Err(rule) = self.end_grant(from, to, capability) {
                    self.refuse(from, rule);
                }
            }
            ToHost::MakeInvite { .. } | ToHost::RevokeInvite { .. } => self.handle_invite_message(from, &msg),
            msg @ (ToHost::FetchFile { .. }
            | ToHost::FileDone { .. }
            | ToHost::OfferFile(_)
            | ToHost::WithdrawFile { .. }
            | ToHost::Folder { .. }
            | ToHost::PushAnswer { .. }
            | ToHost::PullFiles { .. }
            | ToHost::PullRefused { .. }
            | ToHost::ListFolder { .. }
            | ToHost::Pull { .. }
            | ToHost::Push { .. }
            | ToHost::PushFiles { .. }
            | ToHost::CancelMove { .. }) => self.handle_file_message(now, from, role, msg),
            ToHost::HostReady { host } => self.handle_host_ready(now, from, &host),
            ToHost::Monitors(monitors) => {
                if role == Role::PrimaryCustomer {
                    if let Some(p) = self.participants.get_mut(&from) {
                        p.monitors.clone_from(&monitors);
                    }
                    self.outputs.push_back(Output::Event(SessionEvent::Monitors { participant: from, monitors }));
                } else {
                    self.refuse(from, RuleError::NotPrimaryCustomer);
                }
            }
        }
        Ok(())
    }

    /// An inventory from participant `from`: accepted only from a present customer who has
    /// allowed it and reported so. `Err` means the connection must close.
    pub fn handle_inventory(&mut self, from: ParticipantId, inventory: Inventory) -> Result<(), Refusal> {
        if !inventory.is_valid() {
            return Err(Refusal::Malformed);
        }
        if !self.may_send_inventory(from) {
            return Err(Refusal::NotAllowed);
        }
        // One inventory per grant: another needs another request.
        if let Some(p) = self.participants.get_mut(&from) {
            p.grants.system_info = false;
            p.allowed.system_info = false;
        }
        self.outputs.push_back(Output::Send { to: from, msg: ToGuest::SystemInfoReceived });
        let for_csr = self.inventory_for.remove(&from).unwrap_or(HOST_CSR);
        self.outputs.push_back(Output::Event(SessionEvent::SystemInfo { participant: from, inventory, for_csr }));
        self.participants_changed(None);
        Ok(())
    }

    /// Participant `id`'s connection is gone (they left, or the network dropped).
    pub fn handle_disconnect(&mut self, now: UnixMs, id: ParticipantId) {
        let Some(p) = self.participants.get_mut(&id).filter(|p| p.present()) else {
            return;
        };
        p.left_ms = Some(now);
        p.away_ms = None;
        p.ticket = None;
        p.grants = Grants::default();
        p.allowed = Grants::default();
        let was_primary = p.role == Role::PrimaryCustomer;
        let was_in_control = p.role == Role::CsrInControl;
        self.requests.retain(|_, r| r.to != id);
        self.end_moves_with(id);
        if was_primary {
            let next = self.participants.values_mut().find(|p| p.present() && p.role == Role::SecondaryCustomer);
            if let Some(next) = next {
                next.role = Role::PrimaryCustomer;
            }
        }
        // A colleague in control who left, or whose seat was given up: control comes back to
        // this console's CSR, so someone can always run and end the session.
        if was_in_control && !self.is_ended() {
            if let Some(host) = self.participants.get_mut(&HOST_CSR).filter(|p| p.present()) {
                host.role = Role::CsrInControl;
            }
            self.handing_to = None;
        }
        self.participants_changed(None);
    }

    /// Sends a chat line from `from` to `to`, as the host routes it.
    pub fn chat(&mut self, now: UnixMs, from: ParticipantId, to: ChatTarget, text: &str) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        if !(ToHost::Chat { to, text: text.to_owned() }).is_valid() {
            return Err(RuleError::BadText);
        }
        self.ensure_chat_allowed(from, to)?;
        if let ChatTarget::Participant(id) = to
            && !self.participants.get(&id).is_some_and(Participant::present)
        {
            return Err(RuleError::NoSuchParticipant);
        }
        let sender = self.participants.get_mut(&from).ok_or(RuleError::NoSuchParticipant)?;
        // At most a burst, then one line every CHAT_EVERY_MS (a generic cell rate).
        if from != HOST_CSR {
            let tat = sender.chat_tat_ms.max(now);
            if tat - now >= CHAT_EVERY_MS * CHAT_BURST {
                return Err(RuleError::TooFast);
            }
            sender.chat_tat_ms = tat + CHAT_EVERY_MS;
        }
        let line =
            ChatLine { from, from_name: sender.name.clone(), at_unix_ms: now, to, text: text.trim_end().to_owned() };
        let readers: Vec<(ParticipantId, Role)> =
            self.participants.values().filter(|p| p.present()).map(|p| (p.id, p.role)).collect();
        for (id, role) in readers {
            if !Self::may_read(&line, id, role) {
                continue;
            }
            if id == HOST_CSR {
                self.outputs.push_back(Output::Event(SessionEvent::Chat(line.clone())));
            } else {
                self.outputs.push_back(Output::Send { to: id, msg: ToGuest::Chat(line.clone()) });
            }
        }
        self.chat_bytes += line.weight();
        self.chat.push_back(line);
        deskside_proto::trim_chat(&mut self.chat, &mut self.chat_bytes);
        Ok(())
    }

    /// Whether participant `id` with `role` may read `line`.
    fn may_read(line: &ChatLine, id: ParticipantId, role: Role) -> bool {
        match line.to {
            ChatTarget::Everyone => true,
            ChatTarget::Csrs => role.is_csr() || line.from == id,
            ChatTarget::Participant(to) => to == id || line.from == id,
        }
    }

    /// `by` ends the session with `notes`. Only the CSR in control may.
    pub fn end(&mut self, now: UnixMs, by: ParticipantId, notes: &str) -> Result<(), RuleError> {
        if self.is_ended() {
            return Err(RuleError::Ended);
        }
        self.ensure_in_control(by)?;
        let by_name = self.participants.get(&by).map(|p| p.name.clone()).unwrap_or_default();
        let present: Vec<ParticipantId> =
            self.participants.values().filter(|p| p.present() && p.id != HOST_CSR).map(|p| p.id).collect();
        for id in present {
            self.outputs.push_back(Output::Send { to: id, msg: ToGuest::SessionEnded { by: by_name.clone() } });
            self.outputs.push_back(Output::Close { to: id, refusal: Refusal::SessionEnded });
        }
        for p in self.participants.values_mut().filter(|p| p.present()) {
            p.left_ms = Some(now);
            p.grants = Grants::default();
            p.allowed = Grants::default();
        }
        self.requests.clear();
        self.ended = Some((now, notes.to_owned()));
        self.outputs.push_back(Output::Event(SessionEvent::Ended { notes: notes.to_owned() }));
        Ok(())
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Every participant as others see them.
    #[must_use]
    pub fn infos(&self) -> Vec<ParticipantInfo> {
        self.participants.values().map(Participant::info).collect()
    }

    fn controller_name(&self) -> String {
        self.participants
            .values()
            .find(|p| p.role == Role::CsrInControl)
            .map_or_else(|| self.config.csr_name.clone(), |p| p.name.clone())
    }

    fn ensure_in_control(&self, who: ParticipantId) -> Result<(), RuleError> {
        match self.participants.get(&who) {
            Some(p) if p.present() && p.role == Role::CsrInControl => Ok(()),
            Some(p) if p.present() => Err(RuleError::NotInControl),
            _ => Err(RuleError::NoSuchParticipant),
        }
    }

    /// The customer `from` answered request `request` of this host's.
    fn handle_consent_answer(&mut self, from: ParticipantId, request: RequestId, allowed: bool) {
        let matches = self.requests.get(&request).is_some_and(|p| p.to == from);
        if matches && let Some(p) = self.requests.remove(&request) {
            if allowed && p.capability == Capability::SystemInfo {
                self.inventory_for.insert(from, p.by);
            }
            if allowed && let Some(who) = self.participants.get_mut(&from) {
                for cap in std::iter::once(p.capability).chain(p.capability.comes_with()) {
                    who.allowed.set(cap, true);
                }
            }
            self.outputs.push_back(Output::Event(SessionEvent::ConsentAnswered {
                participant: from,
                capability: p.capability,
                allowed,
            }));
            if p.by != HOST_CSR && self.participants.get(&p.by).is_some_and(Participant::present) {
                let msg = ToGuest::ConsentAnswered { participant: from, capability: p.capability, allowed };
                self.outputs.push_back(Output::Send { to: p.by, msg });
            }
        }
    }

    /// A colleague in control on their console asks for an invite, or revokes one.
    fn handle_invite_message(&mut self, from: ParticipantId, msg: &ToHost) {
        if let Err(broken) = self.ensure_in_control(from) {
            return self.refuse(from, broken);
        }
        match *msg {
            ToHost::MakeInvite { role } => {
                self.outputs.push_back(Output::Event(SessionEvent::InviteAsked { by: from, role }));
            }
            ToHost::RevokeInvite { secret } => self.revoke_invite(&secret),
            _ => {}
        }
    }

    /// Tells participant `participant` that what they asked broke `rule` (for a driver that
    /// carries out what they asked, such as making an invite).
    pub fn refuse_for(&mut self, participant: ParticipantId, rule: RuleError) {
        self.refuse(participant, rule);
    }

    fn refuse(&mut self, participant: ParticipantId, rule: RuleError) {
        self.outputs.push_back(Output::Send { to: participant, msg: ToGuest::Refused { rule } });
        self.outputs.push_back(Output::Event(SessionEvent::Refused { participant, rule }));
    }

    /// Tells everyone present (but `except`, who was just welcomed with the list) who is here.
    fn participants_changed(&mut self, except: Option<ParticipantId>) {
        let infos = self.infos();
        let present: Vec<ParticipantId> = self
            .participants
            .values()
            .filter(|p| p.present() && p.id != HOST_CSR && Some(p.id) != except)
            .map(|p| p.id)
            .collect();
        for id in present {
            self.outputs.push_back(Output::Send { to: id, msg: ToGuest::Participants(infos.clone()) });
        }
        self.outputs.push_back(Output::Event(SessionEvent::ParticipantsChanged));
    }
}

/// What both `a` and `b` grant.
fn and(a: Grants, b: Grants) -> Grants {
    let mut out = Grants::default();
    for cap in Capability::ALL {
        out.set(cap, a.has(cap) && b.has(cap));
    }
    out
}

mod admission;
mod board;
mod control;
mod files;
mod hand_over;
mod moves;
mod policy;
mod relay;
pub use board::{MoveInfo, MoveState, PullProgress};
pub use moves::{Direction, Move, batches};
pub use policy::Policy;

#[cfg(test)]
mod tests;
