//! The CSR's window: start a session, run it from the toolbar, end it with notes, look back in
//! the history, and change the settings.
//!
//! State is plain data ([`SessionView`]) beside an optional live [`HostHandle`]; the UI reads the
//! data and turns clicks into host commands. UI tests render the data with fixed values, and
//! drive the live path against a real agent. The session screen itself is drawn by
//! [`crate::session_ui`], the settings by [`crate::settings_ui`]; what the CSR clicks comes back
//! as [`UiCommand`]s, carried out in one place ([`ConsoleApp::carry_out`]).

use std::path::PathBuf;
use std::sync::Arc;

use deskside_history::{Entry, Recorder};
use deskside_i18n::{Lang, t};
use deskside_net::host::{HostCommand, HostHandle};
use deskside_net::{Identity, now_ms};
use deskside_proto::{InviteRole, ParticipantInfo};

use crate::command::{Commands, UiCommand};
use crate::history_ui::{HistoryAction, HistoryView};
use crate::link::SessionLink;
use crate::settings::Settings;
use crate::settings_ui::{SettingsAction, SettingsDraft};
use crate::theme::{self, ThemeChoice};

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
    /// Where the sign-in to the team's site is kept (`None`: not kept).
    pub site_path: Option<PathBuf>,
    /// Why the saved settings could not be read, if they could not (shown in the window).
    pub settings_problem: Option<String>,
    /// The system's language, used unless the settings choose one.
    pub system_lang: Lang,
    /// A listen port for this run only, instead of the settings' one.
    pub port: Option<u16>,
    /// Relays for this run only, instead of the settings' ones (the demo's own relay).
    pub relays: Option<deskside_net::transport::Relays>,
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
    /// Why it is over for this console, when someone else ended it or the link went.
    pub why: Option<String>,
}

/// Which screen the console shows.
pub enum Screen {
    /// Starting a session.
    Start(StartForm),
    /// In a session: this console's own, or a colleague's it joined with their
    /// support-representative invite.
    Session(Box<SessionView>),
    /// A session has ended.
    Summary(Summary),
}

/// The console application.
pub use crate::session_view::SessionView;

/// Why a session did not start.
pub(crate) enum StartError {
    /// The hub could not start.
    Host(deskside_net::host::HostError),
    /// The team's site did not vouch for the session.
    Site(deskside_net::site::SiteError),
}

/// A session being started: the site's certificate asked for (signed in), then the hub binding
/// and reaching the relays, on the runtime.
pub(crate) struct Starting {
    pub(crate) task: tokio::task::JoinHandle<Result<(deskside_net::HostHandle, u64), StartError>>,
    /// The form as the CSR sent it.
    pub(crate) form: StartForm,
    pub(crate) id: deskside_proto::SessionId,
    /// The session type's id and tools on the site (signed in).
    pub(crate) certified: Option<(i64, deskside_proto::cert::Tools)>,
}

/// A session handed to this console, whose hub is starting on the runtime.
pub(crate) struct TakingOver {
    pub(crate) task: tokio::task::JoinHandle<Result<(deskside_net::HostHandle, u64), StartError>>,
    /// What the colleague who held the session handed over.
    pub(crate) state: Box<deskside_proto::HandOverState>,
    pub(crate) me: String,
    /// The session type's id and tools on this CSR's site (signed in).
    pub(crate) certified: Option<(i64, deskside_proto::cert::Tools)>,
}

/// The CSR's app: the screen shown and everything behind it.
pub struct ConsoleApp {
    /// The screen shown.
    pub screen: Screen,
    /// The session's link, while a session runs: this console's hub, or a colleague's host.
    pub(crate) link: Option<SessionLink>,
    pub(crate) identity: Identity,
    /// The settings in force.
    pub settings: Settings,
    pub(crate) settings_path: Option<PathBuf>,
    /// The team's support site and the sign-in to it, when the settings name one.
    pub site: Option<crate::site::SiteAccount>,
    pub(crate) site_path: Option<PathBuf>,
    /// Where the first customer invite's 9-digit code is written once (scripts and the demo).
    pub code_file: Option<PathBuf>,
    /// Why the saved settings could not be read (cleared by a successful save).
    pub(crate) settings_problem: Option<String>,
    pub(crate) system_lang: Lang,
    pub(crate) port: Option<u16>,
    pub(crate) relays: Option<deskside_net::transport::Relays>,
    pub(crate) utc_offset_s: i32,
    pub(crate) invite_file: Option<PathBuf>,
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) start_on_first_frame: bool,
    /// The form as it was when the last session started, offered again for the next one.
    pub(crate) last_form: Option<StartForm>,
    /// The session history's writer, or why there is none.
    pub(crate) history: Result<Recorder, String>,
    /// When the running session's record last said it is still running.
    pub(crate) last_heartbeat_ms: u64,
    pub(crate) history_path: Option<PathBuf>,
    /// The sessions' reports waiting for the team's site (kept with the history).
    pub reports: Option<crate::reports::Outbox>,
    pub(crate) export_dir: PathBuf,
    pub(crate) open_url: UrlOpener,
    /// The theme last applied to the window.
    pub(crate) applied_theme: Option<ThemeChoice>,
    /// The History view, when open (over the start or summary screen).
    pub history_view: Option<HistoryView>,
    /// The settings being edited, when open (over the start or summary screen).
    pub settings_view: Option<SettingsDraft>,
    /// The link to the console that handed this one the session, kept until it closes.
    pub(crate) old_link: Option<deskside_net::CsrLink>,
    /// Joining a colleague's session, under way.
    pub(crate) joining: Option<tokio::task::JoinHandle<Result<deskside_net::GuestLink, deskside_net::JoinError>>>,
    /// The session being started, until it has.
    pub(crate) starting: Option<Starting>,
    pub(crate) taking_over: Option<TakingOver>,
    /// The window was closed while a colleague ran the session: it closes once the session is
    /// handed to them.
    pub(crate) close_after_hand_over: bool,
}

impl ConsoleApp {
    /// A console showing the start form.
    #[must_use]
    pub fn new(cfg: ConsoleConfig) -> ConsoleApp {
        let mut form = StartForm::from_settings(&cfg.settings);
        let site = crate::site::SiteAccount::new(&cfg.settings.site, cfg.site_path.clone(), now_ms() / 1000);
        // Signed in to the team's site: customers see the names the site has for this CSR.
        if let Some(signed) = site.as_ref().and_then(|s| s.signed.as_ref()) {
            form.csr_name.clone_from(&signed.display_name);
            form.organisation.clone_from(&signed.organisation);
        }
        ConsoleApp {
            screen: Screen::Start(form),
            link: None,
            site,
            site_path: cfg.site_path,
            code_file: None,
            identity: cfg.identity,
            settings: cfg.settings,
            settings_path: cfg.settings_path,
            settings_problem: cfg.settings_problem,
            system_lang: cfg.system_lang,
            port: cfg.port,
            relays: cfg.relays,
            utc_offset_s: cfg.utc_offset_s,
            invite_file: cfg.invite_file,
            runtime: cfg.runtime,
            start_on_first_frame: false,
            last_form: None,
            history: cfg.history,
            last_heartbeat_ms: 0,
            reports: cfg.history_path.clone().map(crate::reports::Outbox::new),
            history_path: cfg.history_path,
            export_dir: cfg.export_dir,
            open_url: cfg.open_url,
            joining: None,
            starting: None,
            taking_over: None,
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

    /// The live host, while this console hosts a session.
    #[must_use]
    pub fn host(&self) -> Option<&HostHandle> {
        match &self.link {
            Some(SessionLink::Host(host)) => Some(host),
            _ => None,
        }
    }

    /// The session's link, while a session runs (hosted here or at a colleague's).
    #[must_use]
    pub fn link(&self) -> Option<&SessionLink> {
        self.link.as_ref()
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        deskside_i18n::set_lang(self.lang());
        if self.applied_theme != Some(self.settings.theme) {
            theme::apply(ui.ctx(), self.settings.theme);
            self.applied_theme = Some(self.settings.theme);
        }
        // Signing in to the team's site, a scripted start waits for the sign-in and the site's
        // session types (the start then uses them, and the site vouches for the session).
        let types_awaited = self
            .site
            .as_ref()
            .is_some_and(|s| s.signing_in() || (s.signed.is_some() && s.types.is_empty() && s.error.is_none()));
        if !types_awaited && std::mem::take(&mut self.start_on_first_frame) {
            self.start(ui.ctx());
        }
        self.poll_host(ui.ctx());
        self.poll_site(ui.ctx());
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
        let mut commands = Commands::default();
        match &mut self.screen {
            Screen::Start(_) => self.start_ui(ui),
            Screen::Session(view) => {
                crate::session_ui::session_ui(ui, view, self.utc_offset_s, &self.export_dir, &mut commands);
            }
            Screen::Summary(_) => self.summary_ui(ui),
        }
        self.carry_out(ui.ctx(), commands);
    }

    /// Carries out what the CSR asked for this frame, in the order asked.
    pub(crate) fn carry_out(&mut self, ctx: &egui::Context, mut commands: Commands) {
        for cmd in commands.drain() {
            match cmd {
                UiCommand::Session(cmd) => self.send(cmd),
                UiCommand::Leave => {
                    if let Some(link) = &self.link {
                        link.shutdown();
                    }
                }
                UiCommand::TakeOver(state) => self.take_over(ctx, &state),
                // A colleague's session is not in this console's history: their notes stay on the
                // screen and in the summary.
                UiCommand::SaveNotes(notes) if self.link.as_ref().is_some_and(SessionLink::hosts) => {
                    self.record(Entry::Notes(notes));
                }
                UiCommand::SaveNotes(_) => {}
                UiCommand::Invite(role) => {
                    if let (Some(link), Screen::Session(view)) = (&self.link, &mut self.screen) {
                        new_invite(link, view, role);
                    }
                }
                UiCommand::RevokeInvite(secret) => {
                    if let Screen::Session(view) = &mut self.screen {
                        view.invites.retain(|i| i.secret != secret);
                    }
                    self.send(HostCommand::RevokeInvite(secret));
                }
                UiCommand::HandingOver(name) => self.notify(t!("handing-over", name = name)),
                UiCommand::OpenUrl(url) => {
                    if let Err(e) = (self.open_url)(&url) {
                        self.notify(t!("notice-email-failed", why = e.to_string()));
                    }
                }
            }
        }
    }

    /// Takes what the team's site answered: a sign-in (whose names fill the start form), and the
    /// 9-digit codes of the session's customer invites.
    fn poll_site(&mut self, ctx: &egui::Context) {
        let Some(site) = &mut self.site else { return };
        let was_signed = site.signed.is_some();
        site.poll(&self.runtime);
        if let (false, Some(signed), Screen::Start(form)) = (was_signed, &site.signed, &mut self.screen) {
            form.csr_name.clone_from(&signed.display_name);
            form.organisation.clone_from(&signed.organisation);
        }
        // Signed in, the session types are the site's.
        if let Screen::Start(form) = &mut self.screen
            && site.session_type(&form.session_type).is_none()
            && let Some(first) = site.types.first()
        {
            form.session_type.clone_from(&first.name);
        }
        if let Screen::Session(view) = &mut self.screen {
            site.codes(&self.runtime, &view.invites, &mut view.short_codes);
            if let (Some(certified), Some(crate::link::SessionLink::Host(host))) = (&mut view.certified, &self.link)
                && let Some(policy) = site.keep_certified(&self.runtime, certified, self.identity.id, now_ms() / 1000)
                && host.send(deskside_net::host::HostCommand::SetPolicy(Box::new(policy))).is_err()
            {
                tracing::warn!("the renewed certificate could not be given to the hub");
            }
            if let Some(code) = view.short_codes.iter().find_map(|(_, s)| match s {
                crate::session_view::ShortCodeState::Ready(c) => Some(c.replace(' ', "")),
                _ => None,
            }) && let Some(path) = self.code_file.take()
                && let Err(e) = std::fs::write(&path, code)
            {
                view.notice = Some(t!("notice-invite-file", path = path.display().to_string(), why = e.to_string()));
            }
            if view.short_codes.iter().any(|(_, s)| *s == crate::session_view::ShortCodeState::Getting) {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
        }
        if site.busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        if let Some(outbox) = &mut self.reports {
            let now_s = now_ms() / 1000;
            let token = site.signed.as_ref().map(|s| s.token.as_str());
            if outbox.poll(&self.runtime, &site.client, token, now_s) {
                ctx.request_repaint_after(std::time::Duration::from_millis(200));
            } else if token.is_some() {
                let wait = outbox.schedule.next_s.saturating_sub(now_s).max(1);
                ctx.request_repaint_after(std::time::Duration::from_secs(wait));
            }
        }
    }

    /// Tells the CSR `notice` on the session screen.
    fn notify(&mut self, notice: String) {
        match &mut self.screen {
            Screen::Session(view) => view.notice = Some(notice),
            Screen::Start(_) | Screen::Summary(_) => {}
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
        let Some(other) = view.other_in_control().filter(|_| !view.joined) else {
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
        if new.site != self.settings.site {
            if let Some(old) = &mut self.site {
                old.sign_out(&self.runtime);
            }
            self.site = crate::site::SiteAccount::new(&new.site, self.site_path.clone(), now_ms() / 1000);
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

    pub(crate) fn send(&mut self, cmd: HostCommand) {
        let result = self.link.as_ref().map(|l| l.send(cmd));
        if let (Some(Err(why)), Screen::Session(view)) = (result, &mut self.screen) {
            view.notice = Some(why);
        }
    }

    /// Back to the start form, as it was last filled in: the same name, organisation and type;
    /// a new session gets its own tracking code.
    pub(crate) fn back_to_start(&mut self) {
        let mut form = self.last_form.clone().unwrap_or_else(|| StartForm::from_settings(&self.settings));
        form.tracking_code.clear();
        form.error = None;
        form.join_text.clear();
        form.join_error = None;
        self.screen = Screen::Start(form);
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }
}

/// The History button; whether it was clicked.
pub(crate) fn history_button(ui: &mut egui::Ui) -> bool {
    ui.button(t!("history-button")).on_hover_text(t!("history-button-tip")).clicked()
}

/// The Settings button; whether it was clicked.
pub(crate) fn settings_button(ui: &mut egui::Ui) -> bool {
    ui.button(t!("settings-button")).on_hover_text(t!("settings-button-tip")).clicked()
}

/// Makes a new invite for `role` and adds it to the open ones (the first customer invite is
/// also written to the invite file, for scripts).
pub(crate) fn new_invite(link: &SessionLink, view: &mut SessionView, role: InviteRole) {
    match link.invite(role, INVITE_TTL_MS) {
        // A colleague's host makes it and sends it (it joins the list when it arrives).
        Ok(None) => {}
        Ok(Some(inv)) => {
            if role == InviteRole::Customer
                && let Some(path) = view.invite_file.take()
                && let Err(e) = std::fs::write(&path, inv.to_link())
            {
                view.notice = Some(t!("notice-invite-file", path = path.display().to_string(), why = e.to_string()));
            }
            view.invites.push(inv);
        }
        Err(why) => view.notice = Some(t!("notice-invite-failed", why = why)),
    }
}

pub(crate) fn duration(ms: u64) -> String {
    let mins = ms / 60_000;
    if mins < 1 { t!("duration-under-a-minute") } else { t!("duration-minutes", minutes = mins) }
}
