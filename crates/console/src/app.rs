//! The CSR's window: start a session, run it from the toolbar, end it with notes, look back in
//! the history, and change the settings.
//!
//! State is plain data ([`SessionView`]) beside an optional live [`HostHandle`]; the UI reads the
//! data and turns clicks into host commands. UI tests render the data with fixed values, and
//! drive the live path against a real agent. The session screen itself is drawn by
//! [`crate::session_ui`], the settings by [`crate::settings_ui`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use deskside_history::recorder::HEARTBEAT_MS;
use deskside_history::{Entry, NewSession, Recorder};
use deskside_i18n::{Lang, t};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, LinkQuality, SharedScreen, start_host};
use deskside_net::{Identity, now_ms, random_bytes};
use deskside_proto::{
    Capability, ChatLine, ChatTarget, Invite, InviteRole, MonitorInfo, ParticipantInfo, Role, SessionId,
};
use deskside_session::SessionConfig;
use deskside_session::clock;
use egui::{Align, Layout, RichText, TextEdit};

use crate::history_ui::{HistoryAction, HistoryView};
use crate::record::{chat_entry, participant_changes};
use crate::session_ui::Tool;
use crate::settings::Settings;
use crate::settings_ui::{SettingsAction, SettingsDraft};
use crate::theme::{self, ThemeChoice, space};
use crate::viewer::Viewer;

/// How long an invite stays valid: 30 minutes.
pub const INVITE_TTL_MS: u64 = 30 * 60 * 1000;

/// Opens a URL with the system's handler (a `mailto:` link in the default mail client).
pub type UrlOpener = Arc<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

/// The system's handler for URLs.
#[must_use]
pub fn system_opener() -> UrlOpener {
    Arc::new(|url| open::that_detached(url))
}

/// What the console needs to run.
pub struct ConsoleConfig {
    /// The host's TLS identity.
    pub identity: Identity,
    /// The CSR's settings.
    pub settings: Settings,
    /// Where the settings are saved (`None`: not saved).
    pub settings_path: Option<PathBuf>,
    /// Why the saved settings could not be read, if they could not (shown in the window).
    pub settings_problem: Option<String>,
    /// The system's language, used unless the settings choose one.
    pub system_lang: Lang,
    /// A listen port for this run only, instead of the settings' one.
    pub port: Option<u16>,
    /// Local time's offset from UTC, in seconds, for showing times.
    pub utc_offset_s: i32,
    /// Where to write the first customer invite link (for scripts and the demo).
    pub invite_file: Option<PathBuf>,
    /// The runtime the network runs on.
    pub runtime: tokio::runtime::Handle,
    /// Where sessions are kept, or why they cannot be (shown in the window).
    pub history: Result<Recorder, String>,
    /// The history file, for the History view.
    pub history_path: Option<PathBuf>,
    /// Where the History view saves exported sessions.
    pub export_dir: PathBuf,
    /// How links (the invite e-mail) are opened.
    pub open_url: UrlOpener,
}

/// The start form.
#[derive(Clone, Debug)]
pub struct StartForm {
    /// The CSR's name.
    pub csr_name: String,
    /// The organisation.
    pub organisation: String,
    /// The chosen session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// Why the last start failed.
    pub error: Option<String>,
    /// A colleague's support-representative invite, to join their session.
    pub join_text: String,
    /// Why joining failed.
    pub join_error: Option<String>,
}

impl StartForm {
    /// A blank form with the CSR's name, organisation and first session type from `settings`.
    #[must_use]
    pub fn from_settings(settings: &Settings) -> StartForm {
        StartForm {
            csr_name: settings.display_name.clone(),
            organisation: settings.organisation.clone(),
            session_type: settings.session_types.first().map(|t| t.name.clone()).unwrap_or_default(),
            tracking_code: String::new(),
            error: None,
            join_text: String::new(),
            join_error: None,
        }
    }
}

/// Everything the session screen shows.
#[derive(Default)]
pub struct SessionView {
    /// The CSR's name, as customers see it.
    pub csr_name: String,
    /// The organisation, as customers see it.
    pub organisation: String,
    /// The session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// When the session started (ms since the epoch).
    pub started_ms: u64,
    /// The time now (ms since the epoch), as of the last frame with a live host.
    pub now_ms: u64,
    /// The tool whose panel is open.
    pub tool: Tool,
    /// The invites made and not yet used, revoked or expired, oldest first.
    pub invites: Vec<Invite>,
    /// Whether the Invite panel makes invites for support representatives (else customers).
    pub invite_csr: bool,
    /// Who is in the session.
    pub participants: Vec<ParticipantInfo>,
    /// Each connection's latest round-trip time and loss.
    pub quality: Vec<LinkQuality>,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// Chat lines from others that arrived while the Chat panel was closed.
    pub unread: usize,
    /// The chat message being typed.
    pub chat_draft: String,
    /// Who the next chat message goes to.
    pub chat_to: ChatTarget,
    /// What the CSR is waiting for the customer to answer.
    pub waiting_for: Option<Capability>,
    /// The primary customer stopped sharing their screen from their side.
    pub paused: bool,
    /// A short notice (a refusal, an answer), newest last.
    pub notice: Option<String>,
    /// Whether the end dialog is open.
    pub ending: bool,
    /// The end-of-session notes being written.
    pub end_notes: String,
    /// Notes taken during the session (never shown to the customer).
    pub notes: String,
    /// The notes as last saved to the session record.
    pub notes_saved: String,
    /// The shared screen.
    pub screen: Arc<Mutex<SharedScreen>>,
    /// The screen viewer.
    pub viewer: Viewer,
    /// Show the screen one customer pixel per point, scrolled (else scaled to fit).
    pub actual_size: bool,
    /// Keys typed over the screen stay on the CSR's computer.
    pub keyboard_released: bool,
    /// The viewer fills the whole display.
    pub full_screen: bool,
    /// Where the invite link is written once (scripts and the demo).
    pub invite_file: Option<PathBuf>,
    /// System information received, each in its own window.
    pub reports: Vec<crate::inventory_ui::ReportView>,
    /// The primary customer's monitors (more than one: the CSR chooses what to see).
    pub monitors: Vec<MonitorInfo>,
    /// The monitor shown (`None`: all of them).
    pub monitor: Option<u32>,
    /// Files shared with the customers, and the CSR's file browser.
    pub files: crate::files_ui::FilesView,
    /// The two-pane window for browsing one customer's files and moving files both ways.
    pub browse: crate::browse_ui::BrowseView,
}

impl SessionView {
    /// The primary customer present, if any.
    #[must_use]
    pub fn primary(&self) -> Option<&ParticipantInfo> {
        self.participants.iter().find(|p| p.present && p.role == Role::PrimaryCustomer)
    }
}

/// What is left when a session ends.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// Started, ms since the epoch.
    pub started_ms: u64,
    /// Ended, ms since the epoch.
    pub ended_ms: u64,
    /// Everyone who took part.
    pub participants: Vec<ParticipantInfo>,
    /// Chat lines exchanged.
    pub chat_lines: usize,
    /// The end-of-session notes.
    pub notes: String,
}

/// Which screen the console shows.
pub enum Screen {
    /// Starting a session.
    Start(StartForm),
    /// In a session.
    Session(Box<SessionView>),
    /// A session has ended.
    Summary(Summary),
    /// In a colleague's session, joined with their support-representative invite.
    Joined(Box<crate::joined_ui::JoinedView>),
}

/// The console application.
pub struct ConsoleApp {
    /// The screen shown.
    pub screen: Screen,
    pub(crate) host: Option<HostHandle>,
    identity: Identity,
    /// The settings in force.
    pub settings: Settings,
    settings_path: Option<PathBuf>,
    /// Why the saved settings could not be read (cleared by a successful save).
    settings_problem: Option<String>,
    system_lang: Lang,
    port: Option<u16>,
    pub(crate) utc_offset_s: i32,
    invite_file: Option<PathBuf>,
    runtime: tokio::runtime::Handle,
    start_on_first_frame: bool,
    /// The form as it was when the last session started, offered again for the next one.
    last_form: Option<StartForm>,
    /// The session history's writer, or why there is none.
    history: Result<Recorder, String>,
    /// When the running session's record last said it is still running.
    last_heartbeat_ms: u64,
    history_path: Option<PathBuf>,
    pub(crate) export_dir: PathBuf,
    pub(crate) open_url: UrlOpener,
    /// The theme last applied to the window.
    applied_theme: Option<ThemeChoice>,
    /// The History view, when open (over the start or summary screen).
    pub history_view: Option<HistoryView>,
    /// The settings being edited, when open (over the start or summary screen).
    pub settings_view: Option<SettingsDraft>,
    /// The link to the console that handed this one the session, kept until it closes.
    old_link: Option<deskside_net::CsrLink>,
    /// Joining a colleague's session, under way.
    joining: Option<tokio::task::JoinHandle<Result<deskside_net::GuestLink, deskside_net::JoinError>>>,
    /// The window was closed while a colleague ran the session: it closes once the session is
    /// handed to them.
    close_after_hand_over: bool,
}

impl ConsoleApp {
    /// A console showing the start form.
    #[must_use]
    pub fn new(cfg: ConsoleConfig) -> ConsoleApp {
        let form = StartForm::from_settings(&cfg.settings);
        ConsoleApp {
            screen: Screen::Start(form),
            host: None,
            identity: cfg.identity,
            settings: cfg.settings,
            settings_path: cfg.settings_path,
            settings_problem: cfg.settings_problem,
            system_lang: cfg.system_lang,
            port: cfg.port,
            utc_offset_s: cfg.utc_offset_s,
            invite_file: cfg.invite_file,
            runtime: cfg.runtime,
            start_on_first_frame: false,
            last_form: None,
            history: cfg.history,
            last_heartbeat_ms: 0,
            history_path: cfg.history_path,
            export_dir: cfg.export_dir,
            open_url: cfg.open_url,
            joining: None,
            close_after_hand_over: false,
            old_link: None,
            applied_theme: None,
            history_view: None,
            settings_view: None,
        }
    }

    /// The language the window speaks.
    #[must_use]
    pub fn lang(&self) -> Lang {
        self.settings.lang(self.system_lang)
    }

    /// Opens the History view (not during a session).
    pub fn open_history(&mut self) {
        if let (Some(path), false) = (&self.history_path, matches!(self.screen, Screen::Session(_))) {
            self.history_view = Some(HistoryView::open(path, self.export_dir.clone(), self.utc_offset_s, now_ms()));
        }
    }

    /// Opens the settings (not during a session).
    pub fn open_settings(&mut self) {
        if !matches!(self.screen, Screen::Session(_)) {
            self.settings_view = Some(SettingsDraft::new(&self.settings));
        }
    }

    /// Why the session history is not being kept, if it is not (cannot open or write it).
    #[must_use]
    pub fn history_problem(&self) -> Option<String> {
        match &self.history {
            Ok(r) => r.error(),
            Err(why) => Some(why.clone()),
        }
    }

    pub(crate) fn record(&mut self, entry: Entry) {
        if let Ok(r) = &mut self.history {
            r.record(entry);
        }
    }

    /// Starts a session with the start form's values as soon as the window shows (`--start`).
    pub fn start_when_shown(&mut self) {
        self.start_on_first_frame = true;
    }

    /// The live host, while a session runs.
    #[must_use]
    pub fn host(&self) -> Option<&HostHandle> {
        self.host.as_ref()
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        deskside_i18n::set_lang(self.lang());
        if self.applied_theme != Some(self.settings.theme) {
            theme::apply(ui.ctx(), self.settings.theme);
            self.applied_theme = Some(self.settings.theme);
        }
        if std::mem::take(&mut self.start_on_first_frame) {
            self.start(ui.ctx());
        }
        self.poll_host();
        self.on_close_request(ui.ctx());
        let in_session = matches!(self.screen, Screen::Session(_));
        if let (Some(draft), false) = (&mut self.settings_view, in_session) {
            match draft.ui(ui) {
                SettingsAction::None => {}
                SettingsAction::Cancel => self.settings_view = None,
                SettingsAction::Save(new) => self.save_settings(new),
            }
            return;
        }
        if let (Some(view), false) = (&mut self.history_view, in_session) {
            match view.ui(ui) {
                HistoryAction::None => {}
                HistoryAction::Close => self.history_view = None,
                HistoryAction::OpenFile(path) => {
                    if let Err(e) = (self.open_url)(&path.display().to_string()) {
                        view.message = Some(t!("sysinfo-print-failed", why = e.to_string()));
                    }
                }
            }
            return;
        }
        match &mut self.screen {
            Screen::Start(_) => self.start_ui(ui),
            Screen::Session(_) => self.session_ui(ui),
            Screen::Summary(_) => self.summary_ui(ui),
            Screen::Joined(view) => match crate::joined_ui::joined_ui(ui, view, self.utc_offset_s) {
                crate::joined_ui::JoinedAction::None => {}
                crate::joined_ui::JoinedAction::Close => self.back_to_start(),
                crate::joined_ui::JoinedAction::TakeOver(state) => self.take_over(ui.ctx(), &state),
            },
        }
    }

    /// Closing the window while a colleague is in control hands the session to them first
    /// (everyone follows to their console, with the chat, the notes and what was allowed), so
    /// the session they run never dies with this window; the window closes once it is handed on.
    fn on_close_request(&mut self, ctx: &egui::Context) {
        if self.close_after_hand_over && !matches!(self.screen, Screen::Session(_)) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        let Screen::Session(view) = &mut self.screen else { return };
        let Some(other) = view
            .participants
            .iter()
            .find(|p| p.present && p.id != deskside_session::host::HOST_CSR && p.role == Role::CsrInControl)
        else {
            return;
        };
        let name = other.name.clone();
        view.notice = Some(t!("handing-over", name = name));
        let notes = view.notes.clone();
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        self.close_after_hand_over = true;
        self.send(HostCommand::HandOver { notes });
    }

    fn save_settings(&mut self, new: Settings) {
        if let Some(path) = &self.settings_path
            && let Err(e) = new.save(path, self.settings_problem.is_some())
        {
            if let Some(d) = &mut self.settings_view {
                d.error = Some(t!("settings-save-failed", why = e.to_string()));
            }
            return;
        }
        if let Screen::Start(form) = &mut self.screen {
            // What the form showed from the old settings follows the new ones.
            if form.csr_name == self.settings.display_name {
                form.csr_name.clone_from(&new.display_name);
            }
            if form.organisation == self.settings.organisation {
                form.organisation.clone_from(&new.organisation);
            }
            if new.session_type(&form.session_type).is_none() {
                form.session_type = new.session_types.first().map(|t| t.name.clone()).unwrap_or_default();
            }
        }
        self.settings = new;
        self.settings_problem = None;
        self.settings_view = None;
    }

    fn start(&mut self, ctx: &egui::Context) {
        let port = self.port.unwrap_or(self.settings.port);
        let required = {
            let Screen::Start(form) = &self.screen else { return };
            self.settings.session_type(&form.session_type).is_some_and(|t| t.tracking_code_required)
        };
        let Screen::Start(form) = &mut self.screen else {
            return;
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
                form.error = Some(t!("start-failed", why = e.to_string()));
                return;
            }
        };
        let cfg = HostConfig {
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            identity: self.identity.clone(),
            session: SessionConfig {
                id,
                csr_name: form.csr_name.trim().to_owned(),
                organisation: form.organisation.trim().to_owned(),
                session_type: form.session_type.clone(),
                tracking_code: form.tracking_code.trim().to_owned(),
            },
        };
        let ctx2 = ctx.clone();
        let started = {
            let _rt = self.runtime.enter();
            start_host(cfg, Arc::new(move || ctx2.request_repaint()))
        };
        match started {
            Ok(host) => {
                self.last_form = Some(form.clone());
                let started_ms = now_ms();
                let begin = Entry::Begin(NewSession {
                    // All 128 bits (the short form shown to people could repeat over years).
                    uid: id.0.iter().fold(String::with_capacity(32), |mut s, b| {
                        use std::fmt::Write as _;
                        let _ = write!(s, "{b:02x}");
                        s
                    }),
                    session_type: form.session_type.clone(),
                    tracking_code: form.tracking_code.trim().to_owned(),
                    csr_name: form.csr_name.trim().to_owned(),
                    started_ms,
                });
                let mut view = SessionView {
                    csr_name: form.csr_name.trim().to_owned(),
                    organisation: form.organisation.trim().to_owned(),
                    session_type: form.session_type.clone(),
                    tracking_code: form.tracking_code.trim().to_owned(),
                    started_ms,
                    now_ms: started_ms,
                    screen: host.screen().clone(),
                    invite_file: self.invite_file.clone(),
                    ..SessionView::default()
                };
                new_invite(&host, &mut view, InviteRole::Customer);
                self.host = Some(host);
                self.screen = Screen::Session(Box::new(view));
                self.record(begin);
                self.last_heartbeat_ms = started_ms;
            }
            Err(e) => form.error = Some(t!("start-failed", why = e.to_string())),
        }
    }

    fn poll_host(&mut self) {
        let (Some(host), Screen::Session(view)) = (&mut self.host, &mut self.screen) else {
            return;
        };
        let mut ended = None;
        let mut handed_over = false;
        let mut entries = Vec::new();
        let now = now_ms();
        view.now_ms = now;
        view.invites.retain(|i| i.expires_unix_s * 1000 > now);
        view.browse.moves = host.moves();
        while let Some(ev) = host.try_event() {
            if let Some(end) = view.handle_event(ev, now, &mut entries) {
                ended = Some(end.notes);
                handed_over = end.handed_over;
            }
        }
        if ended.is_none() && now.saturating_sub(self.last_heartbeat_ms) >= HEARTBEAT_MS {
            self.last_heartbeat_ms = now;
            entries.push(Entry::Heartbeat(now));
        }
        if let Some(notes) = &ended {
            entries.push(Entry::End { end_notes: notes.clone(), at_ms: now });
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
            };
            if let Some(host) = self.host.take() {
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

    pub(crate) fn send(&mut self, cmd: HostCommand) {
        let result = self.host.as_ref().map(|h| h.send(cmd));
        if let (Some(Err(e)), Screen::Session(view)) = (result, &mut self.screen) {
            view.notice = Some(e.to_string());
        }
    }

    /// The colleague who hosted this session handed it to this console: host it from `state`,
    /// tell them where (they send everyone else here), and show it as this console's session.
    fn take_over(&mut self, ctx: &egui::Context, state: &deskside_proto::HandOverState) {
        let Screen::Joined(joined) = &mut self.screen else { return };
        let me = state.seats.iter().find(|s| s.id == 0).map(|s| s.name.clone()).unwrap_or_default();
        let port = self.port.unwrap_or(self.settings.port);
        let cfg = HostConfig {
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], port)),
            identity: self.identity.clone(),
            session: SessionConfig {
                id: state.session,
                csr_name: me.clone(),
                organisation: state.organisation.clone(),
                session_type: state.session_type.clone(),
                tracking_code: state.tracking_code.clone(),
            },
        };
        let ctx2 = ctx.clone();
        let started = {
            let _rt = self.runtime.enter();
            let wake: deskside_net::host::Waker = Arc::new(move || ctx2.request_repaint());
            // The configured port, or any free one if something else holds it.
            let any = HostConfig { bind: std::net::SocketAddr::from(([0, 0, 0, 0], 0)), ..cfg.clone() };
            deskside_net::host::start_host_from(cfg, state, wake.clone())
                .or_else(|_| deskside_net::host::start_host_from(any, state, wake))
        };
        let host = match started {
            Ok(h) => h,
            Err(e) => {
                joined.notice = Some(t!("start-failed", why = e.to_string()));
                return;
            }
        };
        let ready = deskside_proto::ToHost::HostReady { addrs: host.addrs(), fingerprint: host.fingerprint() };
        if !joined.link.send(ready) {
            joined.notice = Some(t!("joined-send-failed"));
            return;
        }
        let started_ms = state.started_ms;
        let view = SessionView {
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
            ..SessionView::default()
        };
        let begin = Entry::Begin(NewSession {
            uid: state.session.0.iter().fold(String::with_capacity(32), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            }),
            session_type: state.session_type.clone(),
            tracking_code: state.tracking_code.clone(),
            csr_name: me,
            started_ms,
        });
        // The link to the old host stays until it closes (it passes the word on first).
        let Screen::Joined(joined) = std::mem::replace(&mut self.screen, Screen::Session(Box::new(view))) else {
            return;
        };
        self.old_link = Some(joined.link);
        self.host = Some(host);
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

    /// Back to the start form, as it was last filled in: the same name, organisation and type;
    /// a new session gets its own tracking code.
    fn back_to_start(&mut self) {
        let mut form = self.last_form.clone().unwrap_or_else(|| StartForm::from_settings(&self.settings));
        form.tracking_code.clear();
        form.error = None;
        form.join_text.clear();
        form.join_error = None;
        self.screen = Screen::Start(form);
    }

    /// Joins the colleague's session the start form's invite names, as a support representative.
    fn join(&mut self, ctx: &egui::Context) {
        let Screen::Start(form) = &mut self.screen else { return };
        form.join_error = None;
        if !deskside_proto::is_valid_name(&form.csr_name) {
            form.join_error = Some(t!("start-name-missing"));
            return;
        }
        let invite = match deskside_proto::Invite::parse(form.join_text.trim()) {
            Ok(i) => i,
            Err(e) => {
                form.join_error = Some(t!("start-join-bad", why = e.to_string()));
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
    fn poll_joining(&mut self, ctx: &egui::Context) {
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
                self.screen = Screen::Joined(Box::new(crate::joined_ui::JoinedView::new(link)));
            }
            Err(e) => {
                if let Screen::Start(form) = &mut self.screen {
                    form.join_error = Some(e.to_string());
                }
            }
        }
    }

    fn start_ui(&mut self, ui: &mut egui::Ui) {
        self.poll_joining(ui.ctx());
        let joining = self.joining.is_some();
        let mut join = false;
        let mut start = false;
        let (has_history, mut open_history, mut open_settings) = (self.history_path.is_some(), false, false);
        let history_problem = self.history_problem();
        let settings_problem = self.settings_problem.clone();
        let settings = &self.settings;
        let Screen::Start(form) = &mut self.screen else {
            return;
        };
        let required = settings.session_type(&form.session_type).is_some_and(|t| t.tracking_code_required);
        egui::CentralPanel::default().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(space::XL);
                ui.heading(t!("start-title"));
                ui.add_space(space::L);
            });
            let width = space::FORM_WIDTH.min(ui.available_width());
            let left = ((ui.available_width() - width) / 2.0).max(0.0);
            ui.horizontal(|ui| {
                ui.add_space(left);
                ui.allocate_ui_with_layout(
                    egui::vec2(width, ui.available_height()),
                    Layout::top_down(Align::Min),
                    |ui| {
                        egui::Grid::new("start-form").num_columns(2).spacing([space::M, space::S + 2.0]).show(
                            ui,
                            |ui| {
                                let l = ui.label(t!("start-name"));
                                ui.add(TextEdit::singleline(&mut form.csr_name).hint_text(t!("start-name-hint")))
                                    .labelled_by(l.id);
                                ui.end_row();
                                let l = ui.label(t!("start-organisation"));
                                ui.text_edit_singleline(&mut form.organisation).labelled_by(l.id);
                                ui.end_row();
                                let l = ui.label(t!("start-session-type"));
                                egui::ComboBox::from_id_salt("session-type")
                                    .selected_text(form.session_type.clone())
                                    .show_ui(ui, |ui| {
                                        for st in &settings.session_types {
                                            ui.selectable_value(&mut form.session_type, st.name.clone(), &st.name);
                                        }
                                    })
                                    .response
                                    .labelled_by(l.id);
                                ui.end_row();
                                let l = ui.label(if required {
                                    t!("start-tracking-code-required")
                                } else {
                                    t!("start-tracking-code")
                                });
                                let hint = if required {
                                    t!("start-tracking-hint-required")
                                } else {
                                    t!("start-tracking-hint")
                                };
                                ui.add(TextEdit::singleline(&mut form.tracking_code).hint_text(hint)).labelled_by(l.id);
                                ui.end_row();
                            },
                        );
                        ui.add_space(space::L);
                        if ui.add(egui::Button::new(RichText::new(t!("start-button")).strong())).clicked() {
                            start = true;
                        }
                        if let Some(err) = &form.error {
                            ui.add_space(space::S);
                            ui.colored_label(ui.visuals().error_fg_color, err);
                        }
                        if let Some(why) = &history_problem {
                            ui.add_space(space::S);
                            ui.colored_label(ui.visuals().warn_fg_color, t!("start-history-problem", why = why));
                        }
                        if let Some(why) = &settings_problem {
                            ui.add_space(space::S);
                            ui.colored_label(ui.visuals().warn_fg_color, t!("start-settings-problem", why = why));
                        }
                        ui.add_space(space::XL);
                        ui.horizontal(|ui| {
                            open_history |= has_history && history_button(ui);
                            open_settings |= settings_button(ui);
                        });
                        ui.add_space(space::L);
                        ui.separator();
                        ui.strong(t!("start-join-heading"));
                        ui.label(RichText::new(t!("start-join-explain")).weak());
                        ui.horizontal(|ui| {
                            let l = ui.label(t!("start-join-invite"));
                            ui.add(TextEdit::singleline(&mut form.join_text).desired_width(width - 160.0))
                                .labelled_by(l.id);
                            let label = if joining { t!("start-joining") } else { t!("start-join") };
                            join = ui.add_enabled(!joining, egui::Button::new(label)).clicked();
                        });
                        if let Some(err) = &form.join_error {
                            ui.colored_label(ui.visuals().error_fg_color, err);
                        }
                    },
                );
            });
        });
        if open_history {
            self.open_history();
        }
        if open_settings {
            self.open_settings();
        }
        if start {
            self.start(ui.ctx());
        }
        if join {
            self.join(ui.ctx());
        }
    }

    fn summary_ui(&mut self, ui: &mut egui::Ui) {
        let offset = self.utc_offset_s;
        let history_problem = self.history_problem();
        let (has_history, mut open_history) = (self.history_path.is_some(), false);
        let mut again = false;
        let Screen::Summary(s) = &self.screen else {
            return;
        };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(space::XL);
            ui.heading(t!("summary-title"));
            ui.add_space(space::M);
            egui::Grid::new("summary").num_columns(2).spacing([space::M, space::S]).show(ui, |ui| {
                ui.label(t!("summary-type"));
                ui.label(&s.session_type);
                ui.end_row();
                ui.label(t!("summary-tracking-code"));
                ui.label(if s.tracking_code.is_empty() { "—" } else { &s.tracking_code });
                ui.end_row();
                ui.label(t!("summary-time"));
                ui.label(format!(
                    "{} – {} ({})",
                    clock(s.started_ms, offset),
                    clock(s.ended_ms, offset),
                    duration(s.ended_ms.saturating_sub(s.started_ms))
                ));
                ui.end_row();
                ui.label(t!("summary-participants"));
                let names: Vec<String> =
                    s.participants.iter().map(|p| format!("{} ({})", p.name, role_words(p.role))).collect();
                ui.label(names.join(", "));
                ui.end_row();
                ui.label(t!("summary-chat"));
                ui.label(s.chat_lines.to_string());
                ui.end_row();
                ui.label(t!("summary-notes"));
                ui.label(if s.notes.is_empty() { "—" } else { &s.notes });
                ui.end_row();
            });
            ui.add_space(space::M);
            match &history_problem {
                None => ui.weak(t!("summary-kept")),
                Some(why) => ui.colored_label(ui.visuals().warn_fg_color, t!("summary-not-kept", why = why)),
            };
            ui.add_space(space::L);
            ui.horizontal(|ui| {
                if ui.button(t!("summary-again")).clicked() {
                    again = true;
                }
                open_history |= has_history && history_button(ui);
            });
        });
        if again {
            self.back_to_start();
        }
        if open_history {
            self.open_history();
        }
    }
}

/// How the session ended, as the hub said.
struct Ending {
    /// The end notes (after a hand-over: who has it now, then the notes).
    notes: String,
    /// Whether it went on at a colleague's console.
    handed_over: bool,
}

impl SessionView {
    /// What the hub said, applied to the session as the CSR sees it; the history entries it
    /// makes go to `entries`. `Some` when the session is over here.
    fn handle_event(&mut self, ev: HostEvent, now: u64, entries: &mut Vec<Entry>) -> Option<Ending> {
        match ev {
            HostEvent::Participants(list) => {
                entries.extend(participant_changes(&self.participants, &list, now));
                let was_viewing = self.primary().is_some_and(|p| p.grants.sees_screen());
                let before = self.primary().map(|p| p.id);
                self.participants = list;
                let now_viewing = self.primary().is_some_and(|p| p.grants.sees_screen());
                if was_viewing && !now_viewing && before == self.primary().map(|p| p.id) {
                    self.paused = true;
                    self.notice = None; // what they allowed before is no longer the news
                }
                if now_viewing || self.primary().is_none() {
                    self.paused = false;
                }
            }
            HostEvent::Chat(line) => {
                entries.push(chat_entry(&line, &self.participants));
                if self.tool != Tool::Chat && line.from != deskside_session::host::HOST_CSR {
                    self.unread += 1;
                }
                deskside_proto::keep_chat(&mut self.chat, [line]);
            }
            HostEvent::ConsentAnswered { participant, capability, allowed } => {
                self.waiting_for = None;
                let name = name_of(&self.participants, participant);
                let what = capability_words(capability);
                self.notice = Some(if allowed {
                    t!("notice-allowed", name = name, what = what)
                } else {
                    t!("notice-refused", name = name, what = what)
                });
            }
            HostEvent::Monitors { monitors, .. } => {
                self.monitors = monitors;
                self.monitor = None;
            }
            HostEvent::InputRefused => self.notice = Some(t!("notice-input-refused")),
            HostEvent::Refused(why) => self.notice = Some(why),
            HostEvent::InviteUsed(secret) => self.invites.retain(|i| i.secret != secret),
            HostEvent::Quality(list) => self.quality = list,
            HostEvent::SystemInfo { participant, inventory } => {
                if self.waiting_for == Some(Capability::SystemInfo) {
                    self.waiting_for = None;
                }
                let name = name_of(&self.participants, participant);
                entries.push(Entry::Inventory {
                    participant,
                    name: name.clone(),
                    at_ms: now,
                    json: serde_json::to_string(&inventory).unwrap_or_default(),
                });
                self.notice = Some(t!("notice-system-info", name = name.clone()));
                self.reports.push(crate::inventory_ui::ReportView::new(&name, now, inventory));
            }
            HostEvent::Ended { notes } => return Some(Ending { notes, handed_over: false }),
            HostEvent::HandedOver { to_name } => {
                let notes = self.notes.trim();
                let handed = t!("handed-over", name = to_name);
                let notes = if notes.is_empty() { handed } else { format!("{handed}\n{notes}") };
                return Some(Ending { notes, handed_over: true });
            }
            HostEvent::FileHashing { name, done, total } => {
                self.files.hashing.insert(name, (done, total));
            }
            HostEvent::FileShareFailed { name, reason } => {
                self.files.hashing.remove(&name);
                self.notice = Some(t!("notice-file-share-failed", name = name, why = reason));
            }
            HostEvent::FilesOffered(list) => {
                for f in &list {
                    self.files.hashing.remove(&f.name);
                }
                self.files.offered = list;
            }
            HostEvent::FileProgress(p) => self.files.progress(p, now),
            HostEvent::FileDone { participant, file, outcome } => {
                let who = name_of(&self.participants, participant);
                entries.push(Entry::File(crate::record::file_record(&file, &who, "to customer", &outcome, now)));
                self.files.done(participant, file.id, outcome);
            }
            HostEvent::Folder { participant, listing } => self.browse.listed(participant, listing),
            HostEvent::MovedFileDone { participant, direction, file, outcome } => {
                let who = name_of(&self.participants, participant);
                let way = match direction {
                    deskside_net::moves::Direction::Push => "to customer",
                    deskside_net::moves::Direction::Pull => "from customer",
                };
                entries.push(Entry::File(crate::record::file_record(&file, &who, way, &outcome, now)));
            }
        }
        None
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }
}

/// The History button; whether it was clicked.
fn history_button(ui: &mut egui::Ui) -> bool {
    ui.button(t!("history-button")).on_hover_text(t!("history-button-tip")).clicked()
}

/// The Settings button; whether it was clicked.
fn settings_button(ui: &mut egui::Ui) -> bool {
    ui.button(t!("settings-button")).on_hover_text(t!("settings-button-tip")).clicked()
}

/// Makes a new invite for `role` and adds it to the open ones (the first customer invite is
/// also written to the invite file, for scripts).
pub(crate) fn new_invite(host: &HostHandle, view: &mut SessionView, role: InviteRole) {
    match host.invite(role, INVITE_TTL_MS) {
        Ok(inv) => {
            if role == InviteRole::Customer
                && let Some(path) = view.invite_file.take()
                && let Err(e) = std::fs::write(&path, inv.to_link())
            {
                view.notice = Some(t!("notice-invite-file", path = path.display().to_string(), why = e.to_string()));
            }
            view.invites.push(inv);
        }
        Err(e) => view.notice = Some(t!("notice-invite-failed", why = e.to_string())),
    }
}

pub(crate) fn name_of(list: &[ParticipantInfo], id: u32) -> String {
    list.iter().find(|p| p.id == id).map_or_else(|| t!("the-customer"), |p| p.name.clone())
}

/// What a capability lets the CSR do, in words.
#[must_use]
pub fn capability_words(cap: Capability) -> String {
    match cap {
        Capability::View => t!("capability-view"),
        Capability::Control => t!("capability-control"),
        Capability::ViewApp => t!("capability-view-app"),
        Capability::ControlApp => t!("capability-control-app"),
        Capability::SystemInfo => t!("capability-system-info"),
        Capability::Files => t!("capability-files"),
    }
}

/// A role in words.
#[must_use]
pub fn role_words(role: Role) -> String {
    match role {
        Role::CsrInControl => t!("role-csr-in-control"),
        Role::Csr => t!("role-csr"),
        Role::PrimaryCustomer => t!("role-primary-customer"),
        Role::SecondaryCustomer => t!("role-secondary-customer"),
    }
}

fn duration(ms: u64) -> String {
    let mins = ms / 60_000;
    if mins < 1 { t!("duration-under-a-minute") } else { t!("duration-minutes", minutes = mins) }
}
