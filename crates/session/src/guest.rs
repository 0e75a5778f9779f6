//! The customer's side of a session, without IO: what the agent believes and decides.
//!
//! [`Guest`] holds the customer's consent, whether they are the primary customer, who is in the
//! session and who is in control, the chosen monitor, the resumption ticket and the host the
//! session is at now (so a [`ToGuest::MoveTo`] is decided here), the throttling of input refusals
//! and why the session closed. The agent's drivers feed it what the host sends
//! ([`Guest::handle_message`]), what the customer and the machine do ([`Guest::handle_local`]) and
//! the time ([`Guest::handle_timeout`]); they carry out [`Guest::poll_task`], write
//! [`Guest::poll_output`] to the host and show [`Guest::poll_event`]. Before every frame and every
//! input event they ask [`Guest::sharing`] and [`Guest::allows`]: the customer's Stop takes effect
//! in the next answer, whatever the network does.

use std::collections::VecDeque;

use deskside_proto::{
    Capability, ChatLine, ChatTarget, Grants, Invite, MonitorInfo, OfferedFile, ParticipantId, ParticipantInfo,
    Refusal, RequestId, Role, ToGuest, ToHost, Welcome,
};

use deskside_proto::cert::{Identity, Tool, Tools, Trust};

use crate::UnixMs;
use crate::consent::{Consent, PendingRequest};

/// Least time between two "input refused" notices to the host.
pub const REFUSAL_EVERY_MS: UnixMs = 500;

/// What of the screen may be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Nothing.
    Nothing,
    /// The whole screen (or the monitor the CSR chose).
    Screen,
    /// This application window alone.
    Window(u64),
}

/// Why a session is over, for the customer's window to say in their language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The CSR ended it; their name.
    EndedBy(String),
    /// One side closed the connection with this reason (the customer left, an invite problem,
    /// a protocol error).
    Refused(Refusal),
    /// The network went away.
    Lost,
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::EndedBy(by) => write!(f, "ended by {by}"),
            CloseReason::Refused(r) => write!(f, "closed: {r}"),
            CloseReason::Lost => f.write_str("connection lost"),
        }
    }
}

/// Something the customer or their machine did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Local {
    /// The customer answered request `request`.
    Answer {
        /// Which request.
        request: RequestId,
        /// Allow or Don't allow.
        allowed: bool,
    },
    /// The customer allowed "view one application" request `request` for window `window`.
    AllowWindow {
        /// Which request.
        request: RequestId,
        /// The platform's window number.
        window: u64,
    },
    /// The customer pressed Stop for `cap`.
    Stop(Capability),
    /// The driver checked a move the CSR asks for on this machine: put it to the customer.
    MoveAsk(MoveAsk),
    /// The customer answered move `id`.
    MoveAnswer {
        /// Which move.
        id: deskside_proto::MoveId,
        /// Allow or Refuse.
        allowed: bool,
    },
    /// The customer left.
    Leave,
    /// The customer wrote a chat line.
    Chat {
        /// For whom.
        to: ChatTarget,
        /// What it says.
        text: String,
    },
    /// The capture found these monitors.
    Monitors(Vec<MonitorInfo>),
    /// Input arrived that the grants do not allow (it was dropped).
    InputRefused,
    /// Sharing could not go on on this machine (the shared window closed, the screen could not
    /// be read): the view ends.
    ShareEnded,
    /// The inventory could not be sent: the grant ends.
    InventoryFailed,
    /// The host's bytes were not a message.
    Garbled,
    /// The host did what it may not: opened a stream the customer's side never takes, or asks
    /// without reading the answers.
    Forbidden,
    /// The connection ended, with the host's reason when it gave one.
    LinkEnded(Option<Refusal>),
    /// The agent is back in its seat (after a drop or a move).
    Resumed(Box<Welcome>),
    /// Coming back failed: the host refused (`Some`) or its minute is up (`None`).
    ResumeFailed(Option<Refusal>),
}

/// What the drivers must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// Close the connection with this reason (`None`: a plain close, the session moves on).
    Close(Option<Refusal>),
    /// Come back to the seat at the host `invite` names, with `ticket`, until the host's minute
    /// is up.
    Reconnect {
        /// The host the session is at now.
        invite: Box<Invite>,
        /// The seat's ticket.
        ticket: [u8; 16],
    },
    /// The files on offer are now these.
    Offered(Vec<OfferedFile>),
    /// Offered file `0` cannot be had any more.
    Unavailable(deskside_proto::FileId),
    /// A message of browse and move files, while the customer allows it (listings, asks, files
    /// to fetch, cancellations): the moves driver carries it out.
    Move(ToGuest),
    /// Browsing and moving files ended: every move stops.
    StopMoves,
    /// The customer answered move `ask` (a refusal is already on its way to the host): the
    /// driver records it and, allowed, carries it out.
    MoveAnswered {
        /// The move.
        ask: MoveAsk,
        /// Whether it goes ahead.
        allowed: bool,
    },
}

/// What the customer's window should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Who is in the session changed.
    Participants(Vec<ParticipantInfo>),
    /// A chat line.
    Chat(ChatLine),
    /// Chat said before this customer joined or came back (one piece of it).
    ChatBacklog(Vec<ChatLine>),
    /// A request arrived, was answered, timed out or a grant changed: re-read the consent state.
    ConsentChanged,
    /// The host refused something the customer did.
    Refused(deskside_proto::Rule),
    /// The inventory reached the host; the grant is over.
    InventorySent,
    /// Another CSR is in control now (after a transfer of control or when control came back).
    ControlChanged {
        /// Their name.
        name: String,
    },
    /// The CSR in control ended a grant they no longer needed.
    GrantEnded {
        /// What ended.
        capability: Capability,
        /// Who ended it.
        by: String,
    },
    /// The files on offer or a move changed.
    FilesChanged,
    /// The session moved to another support representative's console: the agent follows.
    Moved,
    /// A CSR asked for something the organisation does not allow in this session type: the
    /// agent refused it without asking the customer.
    NotAllowed {
        /// What was asked.
        capability: Capability,
        /// Who asked.
        by: String,
    },
    /// The connection dropped: the agent is coming back to its seat by itself.
    Reconnecting,
    /// Back in the seat.
    Reconnected(Box<Welcome>),
    /// The session is over.
    Closed(CloseReason),
}

/// Where the connection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    /// Connected; messages flow.
    Up,
    /// Closing because the session moves to another console: what the old host says last is
    /// not why the session ends.
    Moving,
    /// Coming back to the seat.
    Down,
    /// Over.
    Over(CloseReason),
}

/// The customer's side of one session.
#[derive(Debug)]
pub struct Guest {
    consent: Consent,
    me: ParticipantId,
    primary: bool,
    participants: Vec<ParticipantInfo>,
    /// The name of the CSR in control, as the welcome or the last list said.
    in_control: String,
    organisation: String,
    invite: Invite,
    /// The site's keys, when the agent got the invite through the team's site.
    trust: Option<Trust>,
    /// Who the host is, as its certificate says (judged again at every welcome).
    identity: Identity,
    /// What the organisation allows, once a certificate said so: the limit from then on, even
    /// if a later host (after a drop or a move) shows none, so no host can lift it.
    held_to: Option<Tools>,
    /// The organisation whose certificate set `held_to` last.
    held_by: Option<String>,
    ticket: Option<[u8; 16]>,
    monitor: Option<u32>,
    /// The offered list's pieces so far.
    offered: deskside_proto::files::OfferedPieces,
    /// When the next input refusal may be reported, and whether one waits for it.
    refusal_next_ms: UnixMs,
    refusal_due: bool,
    /// Why this side closed, when it did.
    local_close: Option<Refusal>,
    link: Link,
    /// Increases whenever what is shared changes: a share begun before belongs to an older one.
    share_epoch: u64,
    outputs: VecDeque<ToHost>,
    /// What goes to the host after the session is over here: the customer's Leave.
    last_words: Option<ToHost>,
    tasks: VecDeque<Task>,
    events: VecDeque<Event>,
    /// The moves waiting for the customer's answer.
    asks: VecDeque<MoveAsk>,
}

fn verified_by(identity: &Identity) -> Option<String> {
    match identity {
        Identity::Verified { body, .. } => Some(body.organisation.clone()),
        Identity::Unverified(_) => None,
    }
}

impl Guest {
    /// The session `invite` names, as the host's `welcome` began it at `now`; the host's
    /// certificate is judged against `trust`, the keys of the site the invite came through.
    #[must_use]
    pub fn new(invite: Invite, welcome: &Welcome, trust: Option<Trust>, now: UnixMs) -> Guest {
        let identity = Identity::judge(welcome.certificate.as_ref(), trust.as_ref(), &invite.host.id, now / 1000);
        let mut g = Guest {
            consent: Consent::default(),
            me: welcome.you,
            primary: welcome.role == Role::PrimaryCustomer,
            participants: Vec::new(),
            in_control: welcome.csr_name.clone(),
            organisation: welcome.organisation.clone(),
            invite,
            trust,
            held_to: identity.tools(),
            held_by: verified_by(&identity),
            identity,
            ticket: None,
            monitor: None,
            offered: deskside_proto::files::OfferedPieces::default(),
            refusal_next_ms: 0,
            refusal_due: false,
            local_close: None,
            link: Link::Up,
            share_epoch: 0,
            outputs: VecDeque::new(),
            last_words: None,
            tasks: VecDeque::new(),
            events: VecDeque::new(),
            asks: VecDeque::new(),
        };
        g.participants.clone_from(&welcome.participants);
        g
    }

    // ---- Queries the drivers and the window ask. ----

    /// Who the host is, as far as the agent can tell: verified by the organisation's site, or
    /// not (and why).
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Whether the organisation allows `tool` here: always, unless a verified certificate says
    /// otherwise.
    #[must_use]
    pub fn tool_allowed(&self, tool: Tool) -> bool {
        self.held_to.is_none_or(|t| t.contains(tool))
    }

    /// The organisation whose certificate limits what may be asked for here (the one that last
    /// vouched for a host, even when the host now shows no certificate), if one did.
    #[must_use]
    pub fn held_by(&self) -> Option<&str> {
        self.held_by.as_deref()
    }

    /// The consent state (grants, the request to answer, the log).
    #[must_use]
    pub fn consent(&self) -> &Consent {
        &self.consent
    }

    /// Makes requests wait `ms` instead of two minutes (tests).
    pub fn set_request_timeout(&mut self, ms: UnixMs) {
        self.consent.set_timeout(ms);
    }

    /// What is granted now (nothing once the session is over).
    #[must_use]
    pub fn grants(&self) -> Grants {
        self.consent.grants()
    }

    /// Whether `cap` is granted right now (never after the session closed).
    #[must_use]
    pub fn allows(&self, cap: Capability) -> bool {
        !self.is_over() && self.consent.allows(cap)
    }

    /// Whether input may be injected at all now: the desktop or one application is controlled.
    #[must_use]
    pub fn may_inject(&self) -> bool {
        self.allows(Capability::Control) || self.allows(Capability::ControlApp)
    }

    /// What of the screen may be sent right now.
    #[must_use]
    pub fn sharing(&self) -> Sharing {
        if self.is_over() {
            Sharing::Nothing
        } else if self.consent.allows(Capability::View) {
            Sharing::Screen
        } else {
            self.consent.app_window().map_or(Sharing::Nothing, Sharing::Window)
        }
    }

    /// Which share is current: frames captured for an older one are never sent.
    #[must_use]
    pub fn share_epoch(&self) -> u64 {
        self.share_epoch
    }

    /// Whether the CSR may browse and move files now: allowed, and no application shared.
    #[must_use]
    pub fn files_allowed(&self) -> bool {
        self.grants().files && !self.app_shared()
    }

    /// Whether one application is shared or controlled (downloads wait while it is).
    #[must_use]
    pub fn app_shared(&self) -> bool {
        let g = self.grants();
        g.view_app || g.control_app
    }

    /// The monitor the CSR chose (`None`: the whole screen).
    #[must_use]
    pub fn monitor(&self) -> Option<u32> {
        self.monitor
    }

    /// The request the customer should answer first.
    #[must_use]
    pub fn pending(&self) -> Option<&PendingRequest> {
        self.consent.pending()
    }

    /// This customer's number in the session.
    #[must_use]
    pub fn me(&self) -> ParticipantId {
        self.me
    }

    /// Whether this customer's screen is the one shared and controlled.
    #[must_use]
    pub fn is_primary(&self) -> bool {
        self.primary
    }

    /// Everyone in the session, as the host last said.
    #[must_use]
    pub fn participants(&self) -> &[ParticipantInfo] {
        &self.participants
    }

    /// The name of the CSR in control now: who sees and controls what the customer allowed.
    #[must_use]
    pub fn in_control(&self) -> &str {
        &self.in_control
    }

    /// The organisation the session is with.
    #[must_use]
    pub fn organisation(&self) -> &str {
        &self.organisation
    }

    /// The invite, naming the host the session is at now.
    #[must_use]
    pub fn invite(&self) -> &Invite {
        &self.invite
    }

    /// Whether the session is over.
    #[must_use]
    pub fn is_over(&self) -> bool {
        matches!(self.link, Link::Over(_))
    }

    /// Whether the connection is up and messages flow (not closing, coming back, or over).
    #[must_use]
    pub fn is_up(&self) -> bool {
        self.link == Link::Up
    }

    /// Why the session is over, once it is.
    #[must_use]
    pub fn close_reason(&self) -> Option<&CloseReason> {
        match &self.link {
            Link::Over(why) => Some(why),
            _ => None,
        }
    }

    /// How many messages for the host wait to be written.
    #[must_use]
    pub fn unsent(&self) -> usize {
        self.outputs.len() + self.consent.unsent()
    }

    // ---- Inputs. ----

    /// A message from the host. The drivers pass everything read on the control stream here.
    pub fn handle_message(&mut self, now: UnixMs, msg: ToGuest) {
        if !self.is_up() {
            return;
        }
        let was = self.sharing();
        self.message(now, msg);
        self.after(was);
    }

    /// Something the customer or their machine did.
    pub fn handle_local(&mut self, now: UnixMs, local: Local) {
        let was = self.sharing();
        self.local(now, local);
        self.after(was);
    }

    /// Time passed: unanswered requests are denied, a held input refusal goes out.
    pub fn handle_timeout(&mut self, now: UnixMs) {
        let before = self.consent.pending().map(|p| p.request);
        self.consent.handle_timeout(now);
        if self.consent.pending().map(|p| p.request) != before {
            self.events.push_back(Event::ConsentChanged);
        }
        if self.refusal_due && now >= self.refusal_next_ms && self.is_up() {
            self.refusal_due = false;
            self.refusal_next_ms = now + REFUSAL_EVERY_MS;
            self.outputs.push_back(ToHost::InputRefused);
        }
    }

    /// When [`Guest::handle_timeout`] should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<UnixMs> {
        let refusal = self.refusal_due.then_some(self.refusal_next_ms);
        [self.consent.poll_timeout(), refusal].into_iter().flatten().min()
    }

    /// The next message to write to the host (none while the connection is not up, but the
    /// customer's Leave).
    pub fn poll_output(&mut self) -> Option<ToHost> {
        if !self.is_up() {
            return self.last_words.take();
        }
        self.consent.poll_output().or_else(|| self.outputs.pop_front())
    }

    /// The next thing for the drivers to do.
    pub fn poll_task(&mut self) -> Option<Task> {
        self.tasks.pop_front()
    }

    /// The next thing for the customer's window.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ---- The rules. ----

    fn after(&mut self, was: Sharing) {
        if self.sharing() != was {
            self.share_epoch += 1;
        }
    }

    fn close(&mut self, now: UnixMs, why: Refusal) {
        if self.is_over() {
            return;
        }
        self.local_close.get_or_insert(why);
        self.tasks.push_back(Task::Close(Some(why)));
        self.over(now, CloseReason::Refused(why));
    }

    fn over(&mut self, now: UnixMs, why: CloseReason) {
        if self.is_over() {
            return;
        }
        self.consent.end(now);
        self.outputs.clear();
        self.link = Link::Over(why.clone());
        self.events.push_back(Event::ConsentChanged);
        self.events.push_back(Event::Closed(why));
    }

    fn message(&mut self, now: UnixMs, msg: ToGuest) {
        if !msg.is_valid() {
            self.close(now, Refusal::Malformed);
            return;
        }
        match msg {
            ToGuest::ListFolder { .. }
            | ToGuest::PushAsk { .. }
            | ToGuest::PushFiles { .. }
            | ToGuest::PullAsk { .. }
            | ToGuest::FetchPulled { .. }
            | ToGuest::MoveCancelled { .. } => self.move_message(msg),
            ToGuest::ConsentRequest { request, capability, from_name } => {
                // Only the primary customer's screen is shared or controlled; any customer may
                // describe their machine. What the organisation does not allow is not even asked.
                if self.held_to.is_some_and(|t| !t.allows(capability)) {
                    self.outputs.push_back(ToHost::ConsentAnswer { request, allowed: false });
                    self.events.push_back(Event::NotAllowed { capability, by: from_name });
                } else if self.primary || !capability.is_screen() {
                    self.consent.handle_request(now, request, capability, &from_name);
                } else {
                    self.outputs.push_back(ToHost::ConsentAnswer { request, allowed: false });
                }
                self.events.push_back(Event::ConsentChanged);
            }
            // Without the chat tool, no chat reaches the customer.
            ToGuest::Chat(_) | ToGuest::ChatBacklog(_) if !self.tool_allowed(Tool::Chat) => {}
            ToGuest::Chat(line) => self.events.push_back(Event::Chat(line)),
            ToGuest::ChatBacklog(lines) => self.events.push_back(Event::ChatBacklog(lines)),
            ToGuest::Participants(list) => self.new_list(now, list),
            ToGuest::Refused { rule } => self.events.push_back(Event::Refused(rule)),
            ToGuest::SelectMonitor { index } => self.monitor = index,
            ToGuest::SystemInfoReceived => {
                // One inventory per grant: it is used up.
                self.consent.stop(now, Capability::SystemInfo);
                self.events.push_back(Event::InventorySent);
                self.events.push_back(Event::ConsentChanged);
            }
            ToGuest::EndGrant { capability, by } => {
                if self.consent.release(now, capability, &by) {
                    if capability == Capability::Files {
                        self.stop_moves();
                    }
                    self.events.push_back(Event::GrantEnded { capability, by });
                    self.events.push_back(Event::ConsentChanged);
                }
            }
            ToGuest::SessionEnded { by } => self.over(now, CloseReason::EndedBy(by)),
            // What only a CSR's console is told: nothing for a customer's side.
            ToGuest::ConsentAnswered { .. }
            | ToGuest::InviteMade(_)
            | ToGuest::InviteUsed(_)
            | ToGuest::FileDoneFor { .. }
            | ToGuest::FolderListed { .. }
            | ToGuest::MoveMade { .. }
            | ToGuest::Moves(_)
            | ToGuest::PulledFiles { .. } => {}
            ToGuest::Ticket(t) => self.ticket = Some(t),
            ToGuest::MoveTo { host, ticket } => {
                // The host this connection is pinned to hands the session to another console:
                // come back to the same seat there, grants as they are.
                self.invite.host = host;
                self.ticket = Some(ticket);
                self.link = Link::Moving;
                self.events.push_back(Event::Moved);
                self.tasks.push_back(Task::Close(None));
            }
            // Files offered though the organisation does not allow sending them are not shown.
            ToGuest::FilesOffered { .. } if !self.tool_allowed(Tool::SendFiles) => {}
            ToGuest::FilesOffered { files, last } => {
                // The list comes in pieces; it replaces the last one once whole.
                match self.offered.add(files, last) {
                    Ok(Some(list)) => {
                        self.tasks.push_back(Task::Offered(list));
                        self.events.push_back(Event::FilesChanged);
                    }
                    Ok(None) => {}
                    Err(_) => self.close(now, Refusal::Malformed),
                }
            }
            ToGuest::FileUnavailable { file } => {
                self.tasks.push_back(Task::Unavailable(file));
                self.events.push_back(Event::FilesChanged);
            }
            // Only ever the first message, never again.
            ToGuest::Welcome(_) | ToGuest::Preview(_) => self.close(now, Refusal::Malformed),
        }
    }

    fn new_list(&mut self, now: UnixMs, list: Vec<ParticipantInfo>) {
        let still_primary = list.iter().any(|p| p.id == self.me && p.role == Role::PrimaryCustomer);
        if self.primary && !still_primary {
            for cap in Capability::ALL.into_iter().filter(|c| c.is_screen()) {
                self.consent.stop(now, cap);
            }
            self.events.push_back(Event::ConsentChanged);
        }
        self.primary = still_primary;
        if let Some(csr) = list.iter().find(|p| p.present && p.role == Role::CsrInControl)
            && csr.name != self.in_control
        {
            self.in_control.clone_from(&csr.name);
            self.events.push_back(Event::ControlChanged { name: csr.name.clone() });
        }
        self.participants.clone_from(&list);
        self.events.push_back(Event::Participants(list));
    }

    /// A message of browse and move files: carried out only while the customer allows it;
    /// otherwise the host reads why.
    fn move_message(&mut self, msg: ToGuest) {
        if self.files_allowed() || matches!(msg, ToGuest::MoveCancelled { .. }) {
            self.move_called_off(&msg);
            self.tasks.push_back(Task::Move(msg));
            return;
        }
        let reason = deskside_proto::FileProblem::NotAllowed;
        match msg {
            ToGuest::ListFolder { req, .. } => self.outputs.push_back(ToHost::Folder { req, listing: Err(reason) }),
            ToGuest::PushAsk { push, .. } => {
                self.outputs.push_back(ToHost::PushAnswer { push, allowed: false, reason: Some(reason) });
            }
            ToGuest::PullAsk { pull, .. } => self.outputs.push_back(ToHost::PullRefused { pull, reason }),
            _ => {}
        }
    }

    fn local(&mut self, now: UnixMs, local: Local) {
        match local {
            // The customer's own answers and stops are not echoed back: their window made them.
            Local::Answer { request, allowed } => self.consent.answer(now, request, allowed),
            Local::AllowWindow { request, window } => self.consent.allow_window(now, request, window),
            Local::Stop(cap) => {
                self.consent.stop(now, cap);
                if cap == Capability::Files {
                    self.stop_moves();
                }
            }
            Local::MoveAsk(ask) => self.ask_move(ask),
            Local::MoveAnswer { id, allowed } => self.answer_move(id, allowed),
            Local::Leave => {
                // The host hears it from the customer, then the connection closes.
                if self.is_up() {
                    self.last_words = Some(ToHost::Leave);
                }
                self.close(now, Refusal::Left);
            }
            Local::Chat { to, text } => {
                if self.is_up() && self.tool_allowed(Tool::Chat) {
                    self.outputs.push_back(ToHost::Chat { to, text });
                }
            }
            Local::Monitors(list) => self.outputs.push_back(ToHost::Monitors(list)),
            Local::InputRefused => {
                if now >= self.refusal_next_ms {
                    self.refusal_next_ms = now + REFUSAL_EVERY_MS;
                    self.outputs.push_back(ToHost::InputRefused);
                } else {
                    self.refusal_due = true;
                }
            }
            Local::ShareEnded => {
                for cap in [Capability::View, Capability::ViewApp] {
                    self.consent.stop(now, cap);
                }
                self.events.push_back(Event::ConsentChanged);
            }
            Local::InventoryFailed => {
                self.consent.stop(now, Capability::SystemInfo);
                self.events.push_back(Event::ConsentChanged);
            }
            Local::Garbled => self.close(now, Refusal::Malformed),
            Local::Forbidden => self.close(now, Refusal::NotAllowed),
            Local::LinkEnded(remote) => self.link_ended(now, remote),
            Local::Resumed(welcome) => self.resumed(now, *welcome),
            Local::ResumeFailed(refusal) => self.over(now, refusal.map_or(CloseReason::Lost, CloseReason::Refused)),
        }
    }

    /// The connection ended (the drivers say so once for every connection, whatever ended it).
    fn link_ended(&mut self, now: UnixMs, remote: Option<Refusal>) {
        if self.is_over() || self.link == Link::Down {
            return;
        }
        let moving = self.link == Link::Moving;
        let why = match (self.local_close, remote) {
            (Some(local), _) => CloseReason::Refused(local),
            (None, Some(r)) if !moving => CloseReason::Refused(r),
            _ => CloseReason::Lost,
        };
        match self.ticket.take().filter(|_| why == CloseReason::Lost) {
            Some(ticket) => {
                self.link = Link::Down;
                if !moving {
                    self.events.push_back(Event::Reconnecting);
                }
                self.tasks.push_back(Task::Reconnect { invite: Box::new(self.invite.clone()), ticket });
            }
            None => self.over(now, why),
        }
    }

    fn resumed(&mut self, now: UnixMs, welcome: Welcome) {
        if self.is_over() {
            return;
        }
        // After a move, another console hosts the session: its own certificate says who it is.
        self.identity =
            Identity::judge(welcome.certificate.as_ref(), self.trust.as_ref(), &self.invite.host.id, now / 1000);
        if let Some(tools) = self.identity.tools() {
            self.held_to = Some(tools);
            self.held_by = verified_by(&self.identity);
        }
        self.link = Link::Up;
        self.primary = welcome.role == Role::PrimaryCustomer;
        self.in_control.clone_from(&welcome.csr_name);
        self.organisation.clone_from(&welcome.organisation);
        self.participants.clone_from(&welcome.participants);
        // The new screen stream starts from a complete picture.
        self.share_epoch += 1;
        // Whatever changed while away, the host hears what is granted now.
        self.outputs.clear();
        self.outputs.push_back(ToHost::Grants(self.consent.grants()));
        self.events.push_back(Event::Reconnected(Box::new(welcome)));
    }
}

#[cfg(test)]
mod tests;

mod moves;
pub use moves::{Ask, MAX_ASKS, MoveAsk};
