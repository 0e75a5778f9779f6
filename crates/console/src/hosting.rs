//! Hosting a session: starting it, carrying what the hub says into the session view and the
//! history, taking over a colleague's session, joining one.

use std::sync::Arc;

use deskside_history::recorder::HEARTBEAT_MS;
use deskside_history::{Entry, NewSession};
use deskside_i18n::t;
use deskside_net::host::{HostCommand, HostConfig, start_host};
use deskside_net::site::SiteError;
use deskside_net::{now_ms, random_bytes};
use deskside_proto::{InviteRole, ParticipantInfo, SessionId};
use deskside_session::SessionConfig;

use crate::app::{ConsoleApp, Screen, StartError, Starting, Summary, TakingOver, new_invite};
use crate::link::SessionLink;
use crate::record::chat_entry;
use crate::session_view::SessionView;

impl ConsoleApp {
    pub(super) fn start(&mut self, ctx: &egui::Context) {
        let port = self.port.unwrap_or(self.settings.port);
        // Signed in to the team's site: its session types, its names for the CSR, and its
        // certificate for this console; otherwise the console's own settings.
        let site = self.site.as_ref().filter(|s| s.signed.is_some());
        let Screen::Start(form) = &mut self.screen else {
            return;
        };
        let (required, kind) = match site {
            Some(site) => {
                let Some(kind) = site.session_type(&form.session_type) else {
                    form.error = Some(t!("site-type-not-offered", kind = form.session_type.clone()));
                    return;
                };
                if let Some(signed) = &site.signed {
                    form.csr_name.clone_from(&signed.display_name);
                    form.organisation.clone_from(&signed.organisation);
                }
                (kind.tracking_required, Some((kind.id, kind.tool_set())))
            }
            None => (self.settings.session_type(&form.session_type).is_some_and(|t| t.tracking_code_required), None),
        };
        if !deskside_proto::is_valid_name(&form.csr_name) {
            form.error = Some(t!("start-name-missing"));
            return;
        }
        if required && form.tracking_code.trim().is_empty() {
            form.error = Some(t!("start-tracking-required", kind = form.session_type.clone()));
            return;
        }
        // What every participant is shown must pass their own checks, or nobody could join.
        let labels = [form.organisation.trim(), form.session_type.as_str(), form.tracking_code.trim()];
        if !labels.iter().all(|l| deskside_proto::is_valid_label(l)) {
            form.error = Some(t!("start-label-too-long", max = deskside_proto::MAX_NAME_BYTES));
            return;
        }
        let id = match random_bytes::<16>() {
            Ok(b) => SessionId(b),
            Err(e) => {
                form.error = Some(t!("start-failed", why = t!("host-no-random", why = e.to_string())));
                return;
            }
        };
        let cfg = HostConfig {
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            identity: self.identity.clone(),
            relays: crate::site::SiteAccount::host_relays(
                self.relays.as_ref(),
                self.site.as_ref(),
                self.settings.relays(),
            ),
            session: SessionConfig {
                id,
                csr_name: form.csr_name.trim().to_owned(),
                organisation: form.organisation.trim().to_owned(),
                session_type: form.session_type.clone(),
                tracking_code: form.tracking_code.trim().to_owned(),
            },
        };
        // Binding and reaching the relays may take seconds (a relay that does not answer is
        // waited for a while): the window keeps drawing meanwhile.
        let ctx2 = ctx.clone();
        let wake: deskside_net::host::Waker = Arc::new(move || ctx2.request_repaint());
        let ctx3 = ctx.clone();
        let certify = kind.and_then(|(type_id, _)| site?.certify(&self.runtime, self.identity.id, type_id));
        let tools = kind.map(|(_, tools)| tools);
        let task = self.runtime.spawn(async move {
            let started = async {
                let cert = match certify {
                    Some(task) => Some(
                        task.await
                            .map_err(|e| StartError::Site(SiteError::Refused(e.to_string())))?
                            .map_err(StartError::Site)?,
                    ),
                    None => None,
                };
                let host = start_host(cfg, wake).map_err(StartError::Host)?;
                let expires = cert.as_ref().map_or(0, |(_, e)| *e);
                if let (Some((cert, _)), Some(tools)) = (cert, tools) {
                    // Before any invite is made: everyone who joins is shown the certificate.
                    let policy = deskside_session::Policy { certificate: Some(cert), tools };
                    host.send(HostCommand::SetPolicy(Box::new(policy))).map_err(StartError::Host)?;
                }
                Ok((host, expires))
            }
            .await;
            ctx3.request_repaint();
            started
        });
        self.starting = Some(Starting { task, form: form.clone(), id, certified: kind });
    }

    /// The hub a finished start task made, or why it could not, in the CSR's words.
    fn started_host(
        &self,
        task: tokio::task::JoinHandle<Result<(deskside_net::HostHandle, u64), StartError>>,
    ) -> Result<(deskside_net::HostHandle, u64), String> {
        let site = self.site.as_ref().map(crate::site::SiteAccount::name).unwrap_or_default();
        match self.runtime.block_on(task) {
            Ok(started) => started.map_err(|e| match e {
                StartError::Host(e) => crate::link::host_error_words(&e),
                StartError::Site(e) => {
                    t!("site-error-certificate", why = crate::site::site_error_words(&e, &site))
                }
            }),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Takes the session that was starting, once it has started (or failed to).
    pub(super) fn poll_starting(&mut self) {
        if !self.starting.as_ref().is_some_and(|s| s.task.is_finished()) {
            return;
        }
        let Some(Starting { task, form, id, certified }) = self.starting.take() else { return };
        let vouched = certified.is_some();
        let started = self.started_host(task);
        let (host, expires) = match started {
            Ok(started) => started,
            Err(why) => {
                if let Screen::Start(f) = &mut self.screen {
                    f.error = Some(t!("start-failed", why = why));
                }
                return;
            }
        };
        self.last_form = Some(form.clone());
        let started_ms = now_ms();
        let begin = Entry::Begin(NewSession {
            uid: session_uid(&id),
            session_type: form.session_type.clone(),
            tracking_code: form.tracking_code.trim().to_owned(),
            csr_name: form.csr_name.trim().to_owned(),
            started_ms,
            site: self.report_site(vouched),
        });
        let mut view = SessionView {
            me: deskside_session::host::HOST_CSR,
            host_name: form.csr_name.trim().to_owned(),
            csr_name: form.csr_name.trim().to_owned(),
            organisation: form.organisation.trim().to_owned(),
            session_type: form.session_type.clone(),
            tracking_code: form.tracking_code.trim().to_owned(),
            started_ms,
            now_ms: started_ms,
            screen: host.screen().clone(),
            invite_file: self.invite_file.clone(),
            certified: certified.map(|(kind, tools)| crate::site::Certified::new(kind, tools, expires)),
            ..SessionView::default()
        };
        let link = SessionLink::Host(Box::new(host));
        new_invite(&link, &mut view, InviteRole::Customer);
        self.link = Some(link);
        self.screen = Screen::Session(Box::new(view));
        self.record(begin);
        self.last_heartbeat_ms = started_ms;
    }

    pub(super) fn poll_host(&mut self, ctx: &egui::Context) {
        if let Some(state) = self.link.as_ref().and_then(SessionLink::take_hand_over) {
            self.take_over(ctx, &state);
        }
        self.poll_taking_over();
        let (Some(link), Screen::Session(view)) = (&mut self.link, &mut self.screen) else {
            return;
        };
        let hosting = link.hosts();
        let mut ended = None;
        let mut handed_over = false;
        let mut why = None;
        let mut entries = Vec::new();
        let now = now_ms();
        view.now_ms = now;
        view.invites.retain(|i| i.expires_unix_s * 1000 > now);
        view.browse.moves = link.moves();
        while let Some(ev) = link.try_event() {
            if let Some(end) = view.handle_event(ev, now, &mut entries) {
                ended = Some(end.notes);
                handed_over = end.handed_over;
                why = end.why;
            }
        }
        if !hosting {
            // A colleague's session is kept in their history, not this console's (until it
            // hosts it: see take_over).
            entries.clear();
        }
        if hosting && ended.is_none() && now.saturating_sub(self.last_heartbeat_ms) >= HEARTBEAT_MS {
            self.last_heartbeat_ms = now;
            entries.push(Entry::Heartbeat(now));
        }
        if let Some(notes) = ended.as_ref().filter(|_| hosting) {
            entries.push(Entry::End { end_notes: notes.clone(), at_ms: now });
            // Its report goes to the site once the end is in the history.
            if let Some(outbox) = &mut self.reports {
                outbox.schedule.soon(now / 1000, 2);
            }
        }
        for e in entries {
            self.record(e);
        }
        let Screen::Session(view) = &mut self.screen else { return };
        if let Some(notes) = ended {
            let summary = Summary {
                session_type: view.session_type.clone(),
                tracking_code: view.tracking_code.clone(),
                started_ms: view.started_ms,
                ended_ms: now_ms(),
                participants: view.participants.clone(),
                chat_lines: view.chat.len(),
                notes,
                why,
            };
            if let Some(SessionLink::Host(host)) = self.link.take() {
                if handed_over {
                    // Everyone is being told where the session went: give the words a moment to
                    // leave before the connections close.
                    self.runtime.spawn(async move {
                        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                        host.shutdown();
                    });
                } else {
                    host.shutdown();
                }
            }
            self.screen = Screen::Summary(summary);
        }
    }

    /// The colleague who hosted this session handed it to this console: host it from `state`,
    /// tell them where (they send everyone else here), and show it as this console's session.
    pub(super) fn take_over(&mut self, ctx: &egui::Context, state: &deskside_proto::HandOverState) {
        let (Some(SessionLink::Colleague(_)), Screen::Session(joined)) = (&self.link, &mut self.screen) else {
            return;
        };
        let me = state
            .seats
            .iter()
            .find(|s| s.id == deskside_session::host::HOST_CSR)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let port = self.port.unwrap_or(self.settings.port);
        let cfg = HostConfig {
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            identity: self.identity.clone(),
            relays: crate::site::SiteAccount::host_relays(
                self.relays.as_ref(),
                self.site.as_ref(),
                self.settings.relays(),
            ),
            session: SessionConfig {
                id: state.session,
                csr_name: me.clone(),
                organisation: state.organisation.clone(),
                session_type: state.session_type.clone(),
                tracking_code: state.tracking_code.clone(),
            },
        };
        // Binding and reaching the relays may take seconds: the window keeps drawing meanwhile.
        let ctx2 = ctx.clone();
        let ctx3 = ctx.clone();
        let owned = Box::new(state.clone());
        // Signed in, this console asks its own certificate for the session's type: customers
        // who follow the session here are shown who this CSR is.
        let site = self.site.as_ref().filter(|s| s.signed.is_some());
        let kind = site.and_then(|s| s.session_type(&state.session_type)).map(|t| (t.id, t.tool_set()));
        let certify = kind.and_then(|(type_id, _)| site?.certify(&self.runtime, self.identity.id, type_id));
        let tools = kind.map(|(_, tools)| tools);
        let task = self.runtime.spawn(async move {
            let wake: deskside_net::host::Waker = Arc::new(move || ctx2.request_repaint());
            let cert = match certify {
                Some(task) => task.await.ok().and_then(Result::ok),
                None => None,
            };
            // The configured port, or any free one if something else holds it.
            let any = HostConfig { bind: std::net::SocketAddr::from(([0, 0, 0, 0], 0)), ..cfg.clone() };
            let started = deskside_net::host::start_host_from(cfg, &owned, wake.clone())
                .or_else(|_| deskside_net::host::start_host_from(any, &owned, wake))
                .map_err(StartError::Host)
                .and_then(|host| {
                    let expires = cert.as_ref().map_or(0, |(_, e)| *e);
                    if let Some(tools) = tools {
                        let policy = deskside_session::Policy { certificate: cert.map(|(c, _)| c), tools };
                        host.send(HostCommand::SetPolicy(Box::new(policy))).map_err(StartError::Host)?;
                    }
                    Ok((host, expires))
                });
            ctx3.request_repaint();
            started
        });
        joined.notice = Some(t!("taking-over"));
        self.taking_over = Some(TakingOver { task, state: Box::new(state.clone()), me, certified: kind });
    }

    /// Hosts the session handed to this console, once its hub has started (or failed to).
    pub(super) fn poll_taking_over(&mut self) {
        if !self.taking_over.as_ref().is_some_and(|t| t.task.is_finished()) {
            return;
        }
        let Some(TakingOver { task, state, me, certified }) = self.taking_over.take() else { return };
        let vouched = certified.is_some();
        let started = self.started_host(task);
        let (Some(SessionLink::Colleague(old)), Screen::Session(joined)) = (&self.link, &mut self.screen) else {
            // The CSR left the session meanwhile: nobody is told to come here.
            if let Ok((host, _)) = started {
                host.shutdown();
            }
            return;
        };
        let (host, expires) = match started {
            Ok(h) => h,
            Err(why) => {
                joined.notice = Some(t!("start-failed", why = why));
                return;
            }
        };
        let ready = deskside_proto::ToHost::HostReady { host: host.reach() };
        if !old.send(ready) {
            joined.notice = Some(t!("joined-send-failed"));
            return;
        }
        let started_ms = state.started_ms;
        let view = SessionView {
            me: deskside_session::host::HOST_CSR,
            host_name: me.clone(),
            csr_name: me.clone(),
            organisation: state.organisation.clone(),
            session_type: state.session_type.clone(),
            tracking_code: state.tracking_code.clone(),
            started_ms,
            now_ms: now_ms(),
            chat: state.chat.clone(),
            notes: state.notes.clone(),
            screen: host.screen().clone(),
            invite_file: self.invite_file.clone(),
            notice: Some(t!("took-over")),
            certified: certified.map(|(kind, tools)| crate::site::Certified::new(kind, tools, expires)),
            ..SessionView::default()
        };
        let begin = Entry::Begin(NewSession {
            uid: session_uid(&state.session),
            session_type: state.session_type.clone(),
            tracking_code: state.tracking_code.clone(),
            csr_name: me,
            started_ms,
            site: self.report_site(vouched),
        });
        // The link to the old host stays until it closes (it passes the word on first).
        self.screen = Screen::Session(Box::new(view));
        if let Some(SessionLink::Colleague(old)) = self.link.replace(SessionLink::Host(Box::new(host))) {
            self.old_link = Some(*old);
        }
        self.record(begin);
        // This console's record of the session holds what was said and noted before, too.
        let people: Vec<ParticipantInfo> = state
            .seats
            .iter()
            .map(|s| ParticipantInfo {
                id: s.id,
                name: s.name.clone(),
                role: s.role,
                grants: s.grants,
                present: s.present,
                away: false,
            })
            .collect();
        for line in &state.chat {
            self.record(chat_entry(line, &people));
        }
        if !state.notes.is_empty() {
            self.record(Entry::Notes(state.notes.clone()));
        }
        self.last_heartbeat_ms = now_ms();
    }

    /// Joins the colleague's session the start form's invite names, as a support representative.
    pub(super) fn join(&mut self, ctx: &egui::Context) {
        let Screen::Start(form) = &mut self.screen else { return };
        form.join_error = None;
        if !deskside_proto::is_valid_name(&form.csr_name) {
            form.join_error = Some(t!("start-name-missing"));
            return;
        }
        let invite = match deskside_proto::Invite::parse(form.join_text.trim()) {
            Ok(i) => i,
            Err(e) => {
                form.join_error = Some(t!("start-join-bad", why = invite_words(&e)));
                return;
            }
        };
        if invite.role != InviteRole::Csr {
            form.join_error = Some(t!("start-join-customer"));
            return;
        }
        let name = form.csr_name.trim().to_owned();
        let ctx = ctx.clone();
        self.joining = Some(self.runtime.spawn(async move {
            let joined =
                deskside_net::guest::join(&invite, &name, deskside_proto::AppKind::Console, now_ms() / 1000).await;
            ctx.request_repaint();
            joined
        }));
    }

    /// Takes the outcome of joining, once there is one.
    pub(super) fn poll_joining(&mut self, ctx: &egui::Context) {
        if !self.joining.as_ref().is_some_and(tokio::task::JoinHandle::is_finished) {
            return;
        }
        let Some(task) = self.joining.take() else { return };
        let joined =
            self.runtime.block_on(task).unwrap_or_else(|e| Err(deskside_net::JoinError::Protocol(e.to_string())));
        match joined {
            Ok(link) => {
                let ctx = ctx.clone();
                let link = {
                    let _rt = self.runtime.enter();
                    deskside_net::CsrLink::serve(link, Arc::new(move || ctx.request_repaint()))
                };
                let name = match &self.screen {
                    Screen::Start(form) => form.csr_name.trim().to_owned(),
                    _ => String::new(),
                };
                self.screen = Screen::Session(Box::new(colleague_view(&link, name)));
                self.link = Some(SessionLink::Colleague(Box::new(link)));
            }
            Err(e) => {
                if let Screen::Start(form) = &mut self.screen {
                    form.join_error = Some(join_words(&e));
                }
            }
        }
    }

    /// The site a session's report goes to: the CSR's site when it vouched for the session.
    fn report_site(&self, vouched: bool) -> String {
        let site = self.site.as_ref().filter(|s| vouched && s.signed.is_some());
        site.map(|s| s.client.address().to_owned()).unwrap_or_default()
    }
}

/// The session screen of a colleague's session this CSR (`name`) just joined.
fn colleague_view(link: &deskside_net::CsrLink, name: String) -> SessionView {
    let welcome = link.welcome();
    let now = now_ms();
    SessionView {
        me: welcome.you,
        joined: true,
        host_name: welcome.csr_name.clone(),
        csr_name: name,
        organisation: welcome.organisation.clone(),
        session_type: welcome.session_type.clone(),
        tracking_code: welcome.tracking_code.clone(),
        started_ms: welcome.started_unix_ms,
        now_ms: now,
        participants: welcome.participants.clone(),
        screen: link.screen().clone(),
        // What this CSR sees first: who is here, and the chat (which arrives in pieces).
        tool: crate::tools::Tool::Participants,
        ..SessionView::default()
    }
}

/// What is wrong with a pasted invite, in the CSR's words.
fn invite_words(e: &deskside_proto::InviteError) -> String {
    match e {
        deskside_proto::InviteError::Empty => t!("start-join-empty"),
        _ => t!("start-join-garbled"),
    }
}

/// Why joining a colleague's session failed, in the CSR's words.
fn join_words(e: &deskside_net::JoinError) -> String {
    use deskside_net::JoinError;
    use deskside_proto::Refusal;
    match e {
        JoinError::Expired | JoinError::Refused(Refusal::InviteExpired) => t!("start-join-expired"),
        JoinError::Unreachable => t!("start-join-unreachable"),
        JoinError::RelayRefused => t!("start-join-relay-refused"),
        JoinError::Blocked { host, tcp_port, udp_port } => {
            t!("start-join-blocked", host = host.clone(), tcp = *tcp_port, udp = *udp_port)
        }
        JoinError::IdentityMismatch => t!("start-join-identity"),
        JoinError::Refused(Refusal::InviteUsed) => t!("start-join-used"),
        JoinError::Refused(Refusal::InviteRevoked) => t!("start-join-revoked"),
        JoinError::Refused(Refusal::InviteInvalid) => t!("start-join-other-session"),
        JoinError::Refused(Refusal::SessionEnded) => t!("start-join-ended"),
        JoinError::Refused(Refusal::UnsupportedVersion) => t!("start-join-version"),
        JoinError::Refused(_) => t!("start-join-refused"),
        JoinError::Protocol(why) => t!("start-join-failed", why = why.clone()),
    }
}

/// A session's number in the history: all 128 bits in hex (the short form shown to people could
/// repeat over years).
fn session_uid(id: &SessionId) -> String {
    id.0.iter().fold(String::with_capacity(32), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}
