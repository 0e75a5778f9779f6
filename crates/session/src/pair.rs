//! A whole session in memory, for tests: one host [`Session`], customers as [`Guest`]s, and CSRs
//! who joined with a colleague's invite (whose messages the test writes and whose inbox it
//! reads), every message passed without sockets, and time that moves only when the test says
//! ([`Pair::advance`]). Rules that take a real session seconds or a minute to show run here in
//! microseconds.
//!
//! The pair does what the drivers do and nothing more: it admits with the same hellos, issues a
//! ticket after each admission, closes a connection when either side says so, comes back with
//! the ticket when a customer's link ends, and records every task a guest gives its drivers.

use std::collections::BTreeMap;

use deskside_proto::{
    AppKind, Hello, Invite, InviteRole, PROTOCOL_VERSION, ParticipantId, Refusal, SessionId, ToGuest, ToHost,
};

use crate::UnixMs;
use crate::guest::{Event, Guest, Local, Task};
use crate::host::{Output, Session, SessionConfig, SessionEvent};

/// How long invites made by the pair last.
const INVITE_TTL_MS: UnixMs = 15 * 60 * 1000;

/// A customer in the pair.
#[derive(Debug)]
struct Customer {
    guest: Guest,
    /// Connected to the host (not dropped, not gone).
    linked: bool,
    /// Coming back with a ticket: the next welcome is a resumption.
    resuming: bool,
    /// The ticket to come back with once the network is restored.
    waiting: Option<[u8; 16]>,
    events: Vec<Event>,
    tasks: Vec<Task>,
}

/// A CSR who joined with a colleague's invite: what the host sent them.
#[derive(Debug, Default)]
struct Colleague {
    inbox: Vec<ToGuest>,
    linked: bool,
}

/// A host session with its customers and CSRs, in memory.
#[derive(Debug)]
pub struct Pair {
    now: UnixMs,
    /// The host's session.
    pub host: Session,
    customers: BTreeMap<ParticipantId, Customer>,
    colleagues: BTreeMap<ParticipantId, Colleague>,
    /// The invite of the customer being admitted, for their guest once welcomed.
    joining: Option<Invite>,
    host_events: Vec<SessionEvent>,
    /// Who the host closed, with the reason.
    closed: Vec<(ParticipantId, Refusal)>,
    tickets: u8,
    /// Connections cut by the network (the test's [`Pair::cut`]) that are not back yet.
    cut_off: std::collections::BTreeSet<ParticipantId>,
    /// The site keys customers who join from now on trust.
    trust: Option<deskside_proto::cert::Trust>,
}

impl Pair {
    /// A session hosted by `csr_name`'s console, at a fixed time.
    #[must_use]
    pub fn new(csr_name: &str) -> Pair {
        let now = 1_800_000_000_000;
        let config = SessionConfig {
            id: SessionId([7; 16]),
            csr_name: csr_name.to_owned(),
            organisation: "Acme Support".to_owned(),
            session_type: "General support".to_owned(),
            tracking_code: String::new(),
        };
        Pair {
            now,
            host: Session::new(now, config),
            customers: BTreeMap::new(),
            colleagues: BTreeMap::new(),
            joining: None,
            host_events: Vec::new(),
            closed: Vec::new(),
            tickets: 0,
            cut_off: std::collections::BTreeSet::new(),
            trust: None,
        }
    }

    /// Customers who join from now on trust these site keys (as if they came by short code).
    pub fn set_trust(&mut self, trust: Option<deskside_proto::cert::Trust>) {
        self.trust = trust;
    }

    /// The time now.
    #[must_use]
    pub fn now(&self) -> UnixMs {
        self.now
    }

    fn session_id(&self) -> SessionId {
        self.host.config().id
    }

    fn invite(&mut self, role: InviteRole) -> Invite {
        self.tickets = self.tickets.wrapping_add(1);
        let secret = [self.tickets; 16];
        self.host.add_invite(self.now, role, secret, INVITE_TTL_MS).expect("the session takes invites");
        Invite {
            host: deskside_proto::HostAddr {
                id: [1; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec![std::net::SocketAddr::from(([127, 0, 0, 1], 1))],
            },
            session: self.session_id(),
            role,
            secret,
            expires_unix_s: (self.now + INVITE_TTL_MS) / 1000,
        }
    }

    fn hello(&self, secret: [u8; 16], name: &str, app: AppKind, resume: bool) -> Hello {
        Hello {
            version: PROTOCOL_VERSION,
            session: self.session_id(),
            secret,
            name: name.to_owned(),
            app,
            preview: false,
            resume,
        }
    }

    fn ticket(&mut self, id: ParticipantId) {
        self.tickets = self.tickets.wrapping_add(1);
        self.host.issue_ticket(id, [self.tickets ^ 0xA5; 16]);
    }

    /// A customer joins with a new invite, as the agent does; the pair runs until quiet.
    ///
    /// # Panics
    /// If the host refuses them (a test that expects a refusal calls the host itself).
    pub fn join_customer(&mut self, name: &str) -> ParticipantId {
        let invite = self.invite(InviteRole::Customer);
        let hello = self.hello(invite.secret, name, AppKind::Agent, false);
        let id = self.host.handle_hello(self.now, &hello).expect("the customer is admitted");
        self.joining = Some(invite);
        self.ticket(id);
        self.run();
        id
    }

    /// A CSR joins with a support-representative invite, as a colleague's console does.
    ///
    /// # Panics
    /// If the host refuses them.
    pub fn join_csr(&mut self, name: &str) -> ParticipantId {
        let invite = self.invite(InviteRole::Csr);
        let hello = self.hello(invite.secret, name, AppKind::Console, false);
        let id = self.host.handle_hello(self.now, &hello).expect("the CSR is admitted");
        self.colleagues.insert(id, Colleague { inbox: Vec::new(), linked: true });
        self.ticket(id);
        self.run();
        id
    }

    /// Customer `id`'s side.
    ///
    /// # Panics
    /// If `id` is not a customer of the pair.
    #[must_use]
    pub fn guest(&self, id: ParticipantId) -> &Guest {
        &self.customers[&id].guest
    }

    /// Customer `id` does `local` (answers, stops, leaves…); the pair runs until quiet.
    ///
    /// # Panics
    /// If `id` is not a customer of the pair.
    pub fn local(&mut self, id: ParticipantId, local: Local) {
        let now = self.now;
        self.customers.get_mut(&id).expect("a customer").guest.handle_local(now, local);
        self.run();
    }

    /// Colleague `id` sends `msg` to the host; the pair runs until quiet. `Err` is the refusal
    /// that closed their connection.
    pub fn colleague_says(&mut self, id: ParticipantId, msg: ToHost) -> Result<(), Refusal> {
        let result = self.host.handle_message(self.now, id, msg);
        if let Err(r) = result {
            self.host.handle_disconnect(self.now, id);
            if let Some(c) = self.colleagues.get_mut(&id) {
                c.linked = false;
            }
            self.closed.push((id, r));
        }
        self.run();
        result
    }

    /// The host's own CSR acts on the session (`f` gets it and the time); the pair runs until
    /// quiet.
    pub fn at_host<R>(&mut self, f: impl FnOnce(&mut Session, UnixMs) -> R) -> R {
        let r = f(&mut self.host, self.now);
        self.run();
        r
    }

    /// The network cuts participant `id`'s connection (no one closed it): the host holds the
    /// seat, the customer's link ends; it comes back only after [`Pair::restore`].
    pub fn cut(&mut self, id: ParticipantId) {
        self.cut_off.insert(id);
        self.host.handle_drop(self.now, id);
        let now = self.now;
        if let Some(c) = self.customers.get_mut(&id) {
            c.linked = false;
            c.guest.handle_local(now, Local::LinkEnded(None));
        }
        if let Some(c) = self.colleagues.get_mut(&id) {
            c.linked = false;
        }
        self.run();
    }

    /// The network is back for participant `id`: a customer coming back tries again now.
    pub fn restore(&mut self, id: ParticipantId) {
        self.cut_off.remove(&id);
        if let Some(ticket) = self.customers.get_mut(&id).and_then(|c| c.waiting.take()) {
            self.come_back(id, ticket);
        }
        self.run();
    }

    /// Time passes by `ms`: every side's timers run, then the pair runs until quiet.
    pub fn advance(&mut self, ms: UnixMs) {
        self.now += ms;
        self.host.handle_timeout(self.now);
        let now = self.now;
        for c in self.customers.values_mut() {
            c.guest.handle_timeout(now);
        }
        self.run();
    }

    /// What customer `id`'s window was told since last asked.
    pub fn events(&mut self, id: ParticipantId) -> Vec<Event> {
        self.customers.get_mut(&id).map(|c| std::mem::take(&mut c.events)).unwrap_or_default()
    }

    /// What customer `id`'s drivers were given to do since last asked (but closing and coming
    /// back, which the pair does itself).
    pub fn tasks(&mut self, id: ParticipantId) -> Vec<Task> {
        self.customers.get_mut(&id).map(|c| std::mem::take(&mut c.tasks)).unwrap_or_default()
    }

    /// What colleague `id` received since last asked.
    pub fn inbox(&mut self, id: ParticipantId) -> Vec<ToGuest> {
        self.colleagues.get_mut(&id).map(|c| std::mem::take(&mut c.inbox)).unwrap_or_default()
    }

    /// What the host's own CSR was told since last asked.
    pub fn host_events(&mut self) -> Vec<SessionEvent> {
        std::mem::take(&mut self.host_events)
    }

    /// Who the host closed, with why, since the start.
    #[must_use]
    pub fn closed(&self) -> &[(ParticipantId, Refusal)] {
        &self.closed
    }

    /// Passes messages until nobody has anything more to say.
    ///
    /// # Panics
    /// If the sides never stop talking (a loop between host and guest: a bug to find).
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let mut moved = self.deliver_host();
            for id in self.customers.keys().copied().collect::<Vec<_>>() {
                moved |= self.serve_customer(id);
            }
            if !moved {
                return;
            }
        }
        panic!("the session never went quiet");
    }

    fn deliver_host(&mut self) -> bool {
        let mut moved = false;
        while let Some(out) = self.host.poll_output() {
            moved = true;
            match out {
                Output::Send { to, msg } => self.send(to, msg),
                Output::Close { to, refusal } => {
                    self.closed.push((to, refusal));
                    let now = self.now;
                    if let Some(c) = self.customers.get_mut(&to).filter(|c| c.linked) {
                        c.linked = false;
                        c.guest.handle_local(now, Local::LinkEnded(Some(refusal)));
                    }
                    if let Some(c) = self.colleagues.get_mut(&to) {
                        c.linked = false;
                    }
                }
                Output::Event(e) => self.host_events.push(e),
            }
        }
        moved
    }

    fn send(&mut self, to: ParticipantId, msg: ToGuest) {
        let now = self.now;
        if let Some(c) = self.colleagues.get_mut(&to).filter(|c| c.linked) {
            c.inbox.push(msg);
            return;
        }
        match (self.customers.get_mut(&to), msg) {
            (None, ToGuest::Welcome(w)) => {
                let invite = self.joining.take().expect("a welcome follows a customer's hello");
                self.customers.insert(
                    to,
                    Customer {
                        guest: Guest::new(invite, &w, self.trust.clone(), now),
                        linked: true,
                        resuming: false,
                        waiting: None,
                        events: Vec::new(),
                        tasks: Vec::new(),
                    },
                );
            }
            (Some(c), ToGuest::Welcome(w)) if c.resuming => {
                c.resuming = false;
                c.linked = true;
                c.guest.handle_local(now, Local::Resumed(Box::new(w)));
            }
            (Some(c), msg) if c.linked => c.guest.handle_message(now, msg),
            _ => {}
        }
    }

    /// Carries out what customer `id`'s side has for the host and the drivers.
    fn serve_customer(&mut self, id: ParticipantId) -> bool {
        let now = self.now;
        let mut moved = false;
        let mut to_host = Vec::new();
        let mut reconnect = None;
        let mut close = None;
        {
            let c = self.customers.get_mut(&id).expect("a customer");
            while let Some(msg) = c.guest.poll_output() {
                moved = true;
                if c.linked {
                    to_host.push(msg);
                }
            }
            while let Some(ev) = c.guest.poll_event() {
                moved = true;
                c.events.push(ev);
            }
            while let Some(task) = c.guest.poll_task() {
                moved = true;
                match task {
                    Task::Close(why) => close = Some(why),
                    Task::Reconnect { ticket, .. } => reconnect = Some(ticket),
                    other => c.tasks.push(other),
                }
            }
        }
        for msg in to_host {
            if let Err(r) = self.host.handle_message(now, id, msg) {
                self.host.handle_disconnect(now, id);
                self.closed.push((id, r));
                self.customers.get_mut(&id).expect("a customer").guest.handle_local(now, Local::LinkEnded(Some(r)));
                self.customers.get_mut(&id).expect("a customer").linked = false;
            }
        }
        if let Some(why) = close {
            let c = self.customers.get_mut(&id).expect("a customer");
            if c.linked {
                c.linked = false;
                // The host sees the connection go; a plain close (a move) keeps the seat.
                match why {
                    Some(Refusal::Left) | None => self.host.handle_drop(now, id),
                    Some(_) => self.host.handle_disconnect(now, id),
                }
                c.guest.handle_local(now, Local::LinkEnded(None));
            }
        }
        if let Some(ticket) = reconnect {
            self.come_back(id, ticket);
        }
        moved
    }

    fn come_back(&mut self, id: ParticipantId, ticket: [u8; 16]) {
        let now = self.now;
        if self.cut_off.contains(&id) {
            // Not reachable yet: the agent would try again; the pair tries when restored.
            self.customers.get_mut(&id).expect("a customer").waiting = Some(ticket);
            return;
        }
        let name = self.host.participant(id).map(|p| p.name.clone()).unwrap_or_default();
        let hello = self.hello(ticket, &name, AppKind::Agent, true);
        let c = self.customers.get_mut(&id).expect("a customer");
        c.resuming = true;
        match self.host.handle_hello(now, &hello) {
            Ok(back) => {
                debug_assert_eq!(back, id);
                self.ticket(id);
            }
            Err(r) => {
                c.resuming = false;
                c.guest.handle_local(now, Local::ResumeFailed(Some(r)));
            }
        }
    }
}
