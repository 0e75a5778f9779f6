//! The customer's window: join with an invite, see who is asking, answer each request, see what
//! is shared with a Stop for each grant, choose what system information to send, chat, leave,
//! and look back at what was shared.
//!
//! Every word comes from `deskside-i18n` in the customer's language (the system's unless set).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use deskside_i18n::{Lang, t};
use deskside_net::JoinError;
use deskside_proto::site::ShortCode;
use deskside_proto::words::identity_words;
use deskside_proto::{Capability, ChatLine, Inventory, Invite, ParticipantInfo, Preview, SectionKind};
use egui::{RichText, ScrollArea, TextEdit};
use tokio::sync::oneshot;

use crate::engine::Event;
use crate::engine::{AgentEvent, AgentHandle, AgentOptions, start};
use crate::shared_log::{self, SharedRecord};
use deskside_platform::WindowInfo;

/// The sharing bar's colour: unmistakable, the same in light and dark.
mod code;
mod files;
mod identity;
mod panels;
mod words;

pub use code::CodeState;
use files::{files_ui, inventory_ui, move_ask_ui, moves_ui};
use identity::{Said, identity_ui, preview_ui};
use panels::{chat_ui, consent_dialog, list_windows, sharing_bar};
pub use words::{close_words, invite_error_words, join_error_words, refusal_words, site_error_words};
use words::{day_clock, shared_words};

/// Rows of a section shown in the preview before "and N more".
const PREVIEW_ROWS: usize = 200;

/// Collects the machine's inventory, given its displays (tests give a fixed one).
pub type InventorySource = Arc<dyn Fn(&[deskside_proto::MonitorInfo]) -> Inventory + Send + Sync>;

/// Which screen the agent shows.
pub enum AgentScreen {
    /// Entering the invite and name.
    Join {
        /// Why the last attempt failed.
        error: Option<String>,
        /// Whether trying again can help (the network, not the invite).
        retry: bool,
    },
    /// Dialling the host.
    Connecting(oneshot::Receiver<Result<AgentHandle, JoinError>>),
    /// In a session.
    Session(Box<SessionState>),
    /// The session is over.
    Ended {
        /// Why, in words.
        reason: String,
    },
}

/// What the host said of itself before the customer joins, judged against the site's keys.
pub struct Previewed {
    /// What the host said.
    pub preview: Preview,
    /// Whether its organisation's certificate holds.
    pub identity: deskside_proto::cert::Identity,
    /// The keys it was judged with (kept for the session).
    pub trust: Option<deskside_proto::cert::Trust>,
}

/// Who is behind the invite in the box, asked of the host before the customer joins.
pub enum PreviewState {
    /// Asking.
    Checking(oneshot::Receiver<Result<Previewed, JoinError>>),
    /// The host answered.
    Ready(Box<Previewed>),
    /// It could not be asked (the words say why); `true` if trying again can help.
    Failed(String, bool),
}

/// Where the system information being offered is.
pub enum InventoryState {
    /// Nothing asked.
    Idle,
    /// Being collected on its own thread.
    Gathering(std::sync::mpsc::Receiver<Inventory>),
    /// Shown to the customer, who chooses the sections.
    Preview {
        /// Everything collected.
        inventory: Box<Inventory>,
        /// The sections ticked.
        keep: BTreeSet<SectionKind>,
    },
    /// Handed to the engine; waiting for it to arrive.
    Sending,
}

/// What the session screen shows.
pub struct SessionState {
    /// The live session.
    pub handle: AgentHandle,
    /// Who is in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The representative whose console the agent is connected to (another after a hand-over).
    pub csr_name: String,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// The message being typed.
    pub draft: String,
    /// The last notice (a refusal or a local problem).
    pub notice: Option<String>,
    /// The system information on offer.
    pub inventory: InventoryState,
    /// The customer's windows, for the "view one application" request being answered: the
    /// request, the list (or why there is none) and the window chosen (none at first).
    pub window_choice: Option<WindowChoice>,
    /// The window shared by "view one application", for the sharing bar.
    pub shared_window: Option<WindowInfo>,
    /// The connection dropped and the agent is coming back by itself.
    pub reconnecting: bool,
    /// The session is moving to another representative's console (a hand-over): the agent is
    /// connecting there by itself.
    pub moving: bool,
    /// Consent log entries already written to the "What was shared" log.
    logged: usize,
}

/// The list a customer chooses the one window to share from.
pub struct WindowChoice {
    /// The request being answered.
    pub request: u32,
    /// The windows, front-most first, or why they cannot be listed.
    pub windows: Result<Vec<WindowInfo>, String>,
    /// The window ticked (nothing is chosen for the customer).
    pub chosen: Option<u64>,
}

/// The agent application.
pub struct AgentApp {
    /// The screen shown.
    pub screen: AgentScreen,
    /// The invite text typed or given.
    pub invite_text: String,
    /// The customer's name.
    pub name: String,
    /// The language the window speaks.
    pub lang: Lang,
    /// Where "What was shared" is kept (`None`: not kept).
    pub log_path: Option<PathBuf>,
    /// The "What was shared" records, while that view is open.
    pub shared_view: Option<Result<Vec<SharedRecord>, String>>,
    /// Where system information comes from.
    pub inventory_source: InventorySource,
    /// Who is behind the invite typed, for the invite text it was asked for.
    pub preview: Option<(String, PreviewState)>,
    /// The folder downloads go in (the customer may change it).
    pub download_dir: String,
    /// The support team's site, which turns a typed 9-digit code into its invite (`None`: this
    /// agent takes only links and invite codes).
    pub site: Option<deskside_net::site::SiteClient>,
    /// The 9-digit code typed, with what the site said about it.
    pub code: Option<(String, CodeState)>,
    options: AgentOptions,
    runtime: tokio::runtime::Handle,
    utc_offset_s: i32,
    join_on_first_frame: bool,
    /// The design tokens were applied to the window.
    styled: bool,
    /// Whether the window was last asked to stay on top (while anything is shared).
    on_top: bool,
}

impl AgentApp {
    /// An agent showing the join screen, in the system's language. `options.name` is replaced
    /// by what the customer types.
    #[must_use]
    pub fn new(
        invite_text: String,
        name: String,
        options: AgentOptions,
        runtime: tokio::runtime::Handle,
        utc_offset_s: i32,
    ) -> AgentApp {
        AgentApp {
            screen: AgentScreen::Join { error: None, retry: false },
            invite_text,
            name,
            lang: Lang::system(),
            log_path: None,
            shared_view: None,
            inventory_source: Arc::new(|displays| {
                deskside_platform::inventory::gather(deskside_net::now_ms(), displays)
            }),
            preview: None,
            download_dir: directories::UserDirs::new()
                .and_then(|u| u.download_dir().or_else(|| Some(u.home_dir())).map(|d| d.display().to_string()))
                .unwrap_or_default(),
            site: None,
            code: None,
            options,
            runtime,
            utc_offset_s,
            join_on_first_frame: false,
            styled: false,
            on_top: false,
        }
    }

    /// Joins as soon as the window shows (for scripted demos), once a 9-digit code is looked up.
    pub fn join_when_shown(&mut self) {
        self.join_on_first_frame = true;
    }

    /// Opens "What was shared".
    pub fn open_shared(&mut self) {
        self.shared_view = Some(match &self.log_path {
            Some(p) => shared_log::read(p).map_err(|e| e.to_string()),
            None => Ok(Vec::new()),
        });
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        deskside_i18n::set_lang(self.lang);
        if !std::mem::replace(&mut self.styled, true) {
            // The system's light or dark, in the tokens both apps share.
            deskside_ui::theme::apply(ui.ctx(), deskside_ui::ThemeChoice::System);
        }
        self.poll();
        // A 9-digit code is looked up first (the join screen asks the site); then join.
        let looking = matches!(&self.code, Some((_, CodeState::Resolving(_))))
            || (self.code.is_none() && self.site.is_some() && ShortCode::parse(&self.invite_text).is_ok());
        if looking {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        } else if std::mem::take(&mut self.join_on_first_frame) {
            self.join(ui.ctx());
        }
        self.keep_on_top(ui.ctx());
        if self.shared_view.is_some() {
            self.shared_ui(ui);
            return;
        }
        match &self.screen {
            AgentScreen::Join { .. } => self.join_ui(ui),
            AgentScreen::Connecting(_) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(80.0);
                        ui.spinner();
                        ui.label(t!("agent-connecting"));
                    });
                });
            }
            AgentScreen::Session(_) => self.session_ui(ui),
            AgentScreen::Ended { .. } => self.ended_ui(ui),
        }
    }

    /// While anything is granted the window stays above others, so the sharing bar and its Stop
    /// buttons are always in sight.
    fn keep_on_top(&mut self, ctx: &egui::Context) {
        let sharing = match &self.screen {
            AgentScreen::Session(s) => !s.handle.gate().consent().grants().is_empty(),
            _ => false,
        };
        if sharing != self.on_top {
            self.on_top = sharing;
            ctx.send_viewport_cmd(egui::ViewportCommand::WindowLevel(if sharing {
                egui::WindowLevel::AlwaysOnTop
            } else {
                egui::WindowLevel::Normal
            }));
        }
    }

    fn join(&mut self, ctx: &egui::Context) {
        let invite = match self.typed_invite() {
            Ok(inv) => inv,
            Err(why) => {
                self.screen = AgentScreen::Join { error: Some(why), retry: false };
                return;
            }
        };
        if !deskside_proto::is_valid_name(&self.name) {
            self.screen = AgentScreen::Join { error: Some(t!("agent-name-missing")), retry: false };
            return;
        }
        let mut opts = self.options.clone();
        self.name.trim().clone_into(&mut opts.name);
        opts.trust = self.code_trust().or_else(|| match &self.preview {
            Some((k, PreviewState::Ready(p))) if *k == self.invite_text.trim() => p.trust.clone(),
            _ => None,
        });
        let (tx, rx) = oneshot::channel();
        let ctx = ctx.clone();
        self.runtime.spawn(async move {
            let wake_ctx = ctx.clone();
            let result = start(invite, opts, Arc::new(move || wake_ctx.request_repaint())).await;
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.screen = AgentScreen::Connecting(rx);
    }

    /// Asks the host who is behind the invite in the box, once per invite text.
    fn ask_preview(&mut self, ctx: &egui::Context, invite: &Invite) {
        let key = self.invite_text.trim().to_owned();
        if self.preview.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let (tx, rx) = oneshot::channel();
        let (invite, ctx) = (invite.clone(), ctx.clone());
        // The keys of the site the code came through; for a link, those of this agent's own site.
        let (code_trust, site) = (self.code_trust(), self.site.clone());
        self.runtime.spawn(async move {
            let trust = match (code_trust, site) {
                (Some(t), _) => Some(t),
                (None, Some(site)) => site.keys().await.ok(),
                (None, None) => None,
            };
            let now_s = deskside_net::now_ms() / 1000;
            let result = deskside_net::guest::preview(&invite, deskside_proto::AppKind::Agent, now_s).await.map(|p| {
                let identity = deskside_proto::cert::Identity::judge(
                    p.certificate.as_ref(),
                    trust.as_ref(),
                    &invite.host.id,
                    now_s,
                );
                Previewed { preview: p, identity, trust }
            });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.preview = Some((key, PreviewState::Checking(rx)));
    }

    fn poll_preview(&mut self) {
        if let Some((_, state)) = &mut self.preview
            && let PreviewState::Checking(rx) = state
        {
            match rx.try_recv() {
                Ok(Ok(p)) => *state = PreviewState::Ready(Box::new(p)),
                Ok(Err(e)) => {
                    let retry =
                        matches!(e, JoinError::Unreachable | JoinError::Blocked { .. } | JoinError::Protocol(_));
                    *state = PreviewState::Failed(join_error_words(&e), retry);
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => {
                    *state = PreviewState::Failed(t!("agent-join-stopped"), true);
                }
            }
        }
    }

    fn poll(&mut self) {
        self.poll_code();
        self.poll_preview();
        if let AgentScreen::Connecting(rx) = &mut self.screen {
            match rx.try_recv() {
                Ok(Ok(handle)) => {
                    let participants = handle.welcome().participants.clone();
                    let csr_name = handle.welcome().csr_name.clone();
                    // The chat so far arrives in pieces after the welcome.
                    let chat = Vec::new();
                    self.screen = AgentScreen::Session(Box::new(SessionState {
                        handle,
                        participants,
                        csr_name,
                        chat,
                        draft: String::new(),
                        notice: None,
                        inventory: InventoryState::Idle,
                        window_choice: None,
                        shared_window: None,
                        reconnecting: false,
                        moving: false,
                        logged: 0,
                    }));
                }
                Ok(Err(e)) => {
                    let retry =
                        matches!(e, JoinError::Unreachable | JoinError::Blocked { .. } | JoinError::Protocol(_));
                    self.screen = AgentScreen::Join { error: Some(join_error_words(&e)), retry };
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => {
                    self.screen = AgentScreen::Join { error: Some(t!("agent-join-stopped")), retry: true };
                }
            }
        }
        let mut closed = None;
        if let AgentScreen::Session(s) = &mut self.screen {
            while let Some(ev) = s.handle.try_event() {
                match ev {
                    AgentEvent::Session(Event::Participants(p)) => s.participants = p,
                    AgentEvent::Session(Event::Chat(line)) => deskside_proto::keep_chat(&mut s.chat, [line]),
                    AgentEvent::Session(Event::ChatBacklog(lines)) => deskside_proto::keep_chat(&mut s.chat, lines),
                    AgentEvent::Session(Event::Moved) => s.moving = true,
                    AgentEvent::Session(Event::ConsentChanged | Event::FilesChanged) => {}
                    AgentEvent::Session(Event::InventorySent) => {
                        s.inventory = InventoryState::Idle;
                        s.notice = Some(t!("agent-inventory-sent"));
                    }
                    AgentEvent::WindowClosed => s.notice = Some(t!("agent-window-gone")),
                    AgentEvent::Session(Event::Reconnecting) => {
                        s.reconnecting = true;
                        s.notice = None;
                    }
                    AgentEvent::Session(Event::Reconnected(welcome)) => {
                        s.reconnecting = false;
                        s.participants = welcome.participants;
                        s.csr_name.clone_from(&welcome.csr_name);
                        // Everything said while away follows in pieces: the chat is replaced, not
                        // added to.
                        s.chat.clear();
                        s.notice = Some(if std::mem::take(&mut s.moving) {
                            t!("agent-moved", name = welcome.csr_name)
                        } else {
                            t!("agent-reconnected")
                        });
                    }
                    AgentEvent::Session(Event::ControlChanged { name }) => {
                        s.notice = Some(t!("agent-control-changed", name = name.clone()));
                        s.csr_name = name;
                    }
                    AgentEvent::Session(Event::GrantEnded { capability, by }) => {
                        s.notice = Some(t!(
                            "agent-grant-ended",
                            by = by,
                            what = deskside_i18n::words::capability_yours(capability)
                        ));
                    }
                    AgentEvent::Session(Event::NotAllowed { capability, by }) => {
                        // The organisation that set the limit, even when this host showed none.
                        let organisation = s.handle.gate().guest().held_by().unwrap_or_default().to_owned();
                        s.notice = Some(t!(
                            "agent-not-allowed",
                            by = by,
                            what = deskside_i18n::words::capability_yours(capability),
                            organisation = organisation
                        ));
                    }
                    AgentEvent::Session(Event::Refused(rule)) => {
                        s.notice = Some(t!("agent-refused", why = deskside_i18n::words::rule(rule)));
                    }
                    AgentEvent::LocalError(why) => {
                        if matches!(s.inventory, InventoryState::Sending) {
                            s.inventory = InventoryState::Idle;
                        }
                        s.notice = Some(words::local_problem_words(&why));
                    }
                    AgentEvent::Session(Event::Closed(why)) => closed = Some(close_words(&why)),
                }
            }
            self.advance_inventory();
            self.write_log();
        }
        if let Some(reason) = closed {
            // The last grants ("ended") are logged before the session goes.
            self.write_log();
            self.screen = AgentScreen::Ended { reason };
        }
    }

    /// Starts collecting when system information is allowed, shows it when collected, and
    /// drops it when the grant is stopped.
    fn advance_inventory(&mut self) {
        let AgentScreen::Session(s) = &mut self.screen else { return };
        let allowed = s.handle.gate().allows(Capability::SystemInfo);
        match &s.inventory {
            InventoryState::Idle if allowed => {
                let (tx, rx) = std::sync::mpsc::sync_channel(1);
                let screen = self.options.screen.clone();
                let source = self.inventory_source.clone();
                let spawned = std::thread::Builder::new().name("deskside-inventory".into()).spawn(move || {
                    let displays = screen().and_then(|mut s| s.monitors()).unwrap_or_default();
                    let _ = tx.send(source(&displays));
                });
                if spawned.is_ok() {
                    s.inventory = InventoryState::Gathering(rx);
                } else {
                    s.handle.stop(Capability::SystemInfo);
                    s.notice = Some(t!("agent-inventory-failed"));
                }
            }
            InventoryState::Gathering(_) | InventoryState::Preview { .. } if !allowed => {
                s.inventory = InventoryState::Idle;
            }
            InventoryState::Gathering(rx) => match rx.try_recv() {
                Ok(inventory) => {
                    let keep = inventory.sections.iter().map(|s| s.kind).collect();
                    s.inventory = InventoryState::Preview { inventory: Box::new(inventory), keep };
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    s.handle.stop(Capability::SystemInfo);
                    s.inventory = InventoryState::Idle;
                    s.notice = Some(t!("agent-inventory-failed"));
                }
            },
            _ => {}
        }
    }

    /// Appends what changed in the consent log to "What was shared".
    fn write_log(&mut self) {
        let AgentScreen::Session(s) = &mut self.screen else { return };
        let organisation = s.handle.welcome().organisation.clone();
        let new: Vec<SharedRecord> = {
            let consent = s.handle.gate().consent();
            consent.log().iter().skip(s.logged).map(|e| SharedRecord::of(e, &organisation)).collect()
        };
        if new.is_empty() {
            return;
        }
        s.logged += new.len();
        if let Some(path) = &self.log_path
            && let Err(e) = shared_log::append(path, &new)
        {
            s.notice = Some(t!("agent-log-failed", why = e.to_string()));
        }
    }

    fn join_ui(&mut self, ui: &mut egui::Ui) {
        let mut join = false;
        let mut shared = false;
        let mut ask_preview = None;
        let mut again = false;
        let (error, retry) = match &self.screen {
            AgentScreen::Join { error, retry } => (error.clone(), *retry),
            _ => (None, false),
        };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(24.0);
            ui.heading(t!("agent-join-title"));
            ui.add_space(8.0);
            ui.label(t!("agent-join-explain"));
            ui.add_space(12.0);
            let l = ui.label(t!("agent-invite-label"));
            ui.add(
                TextEdit::multiline(&mut self.invite_text)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
            ui.add_space(8.0);
            let l = ui.label(t!("agent-name-label"));
            ui.add(TextEdit::singleline(&mut self.name).desired_width(f32::INFINITY).hint_text(t!("agent-name-hint")))
                .labelled_by(l.id);
            let code_typed = Invite::parse(&self.invite_text).is_err() && ShortCode::parse(&self.invite_text).is_ok();
            let looking = matches!(&self.code, Some((k, CodeState::Resolving(_))) if *k == self.invite_text.trim());
            if code_typed && (looking || self.site.is_none()) {
                ui.add_space(8.0);
                if looking {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(t!("agent-code-looking", site = self.site_name()));
                    });
                } else {
                    ui.label(t!("agent-code-no-site"));
                }
            }
            if let Some((k, CodeState::Failed(why))) = &self.code
                && code_typed
                && *k == self.invite_text.trim()
                && error.is_none()
            {
                ui.add_space(8.0);
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
            if let Ok(inv) = self.typed_invite() {
                ui.add_space(8.0);
                // A failed join says why below; the preview does not say it twice.
                let state = self.preview.as_ref().map(|(_, s)| s).filter(|_| error.is_none());
                preview_ui(ui, state, &identity_words(&inv.host.id), &mut again);
                ask_preview = Some(inv);
            }
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                if ui.button(RichText::new(t!("agent-join")).strong()).clicked() {
                    join = true;
                }
                shared = ui.button(t!("agent-shared-button")).on_hover_text(t!("agent-shared-tip")).clicked();
            });
            if let Some(e) = &error {
                ui.add_space(8.0);
                ui.colored_label(ui.visuals().error_fg_color, e);
                if retry && ui.button(t!("agent-retry")).clicked() {
                    join = true;
                }
            }
        });
        if shared {
            self.open_shared();
        }
        if again {
            self.preview = None;
        }
        self.resolve_code(ui.ctx());
        if let Some(inv) = ask_preview {
            self.ask_preview(ui.ctx(), &inv);
        }
        if join {
            self.join(ui.ctx());
        }
    }

    fn session_ui(&mut self, ui: &mut egui::Ui) {
        let offset = self.utc_offset_s;
        let AgentScreen::Session(s) = &mut self.screen else {
            return;
        };
        let welcome = s.handle.welcome().clone();
        let csr = s.csr_name.clone();
        let words = identity_words(&s.handle.invite().host.id);
        let identity = s.handle.gate().guest().identity().clone();
        let grants = s.handle.gate().consent().grants();
        let pending = s.handle.gate().consent().pending().cloned();
        if !grants.view_app {
            s.shared_window = None;
        }
        let window_title = s.shared_window.as_ref().map(|w| w.title.clone()).unwrap_or_default();
        // A "view one application" request lists the windows once, when it is first shown.
        match &pending {
            Some(p) if p.capability == Capability::ViewApp => {
                if s.window_choice.as_ref().is_none_or(|c| c.request != p.request) {
                    s.window_choice =
                        Some(WindowChoice { request: p.request, windows: list_windows(&self.options), chosen: None });
                }
            }
            _ => s.window_choice = None,
        }

        if !grants.is_empty() {
            sharing_bar(ui, s, grants, &csr, &window_title);
        }

        egui::Panel::bottom("leave-bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui.button(t!("agent-leave")).clicked() {
                    s.handle.leave();
                }
                ui.label(RichText::new(t!("agent-leave-explain")).small().weak());
            });
            ui.add_space(4.0);
        });

        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading(t!("agent-connected", csr = csr.clone()));
            let said =
                Said { csr_name: &csr, organisation: &welcome.organisation, session_type: &welcome.session_type };
            identity_ui(ui, &identity, &said, false);
            ui.label(RichText::new(t!("agent-identity", words = words)).small())
                .on_hover_text(t!("agent-identity-tip"));
            if grants.is_empty() {
                ui.label(t!("agent-nothing-shared"));
            }
            if s.reconnecting {
                // Words, not a spinner: the sentence says it is ongoing and what it means.
                let words = if s.moving { t!("agent-moving") } else { t!("agent-reconnecting") };
                ui.colored_label(ui.visuals().warn_fg_color, words);
            }
            if let Some(n) = &s.notice {
                ui.colored_label(ui.visuals().warn_fg_color, n);
            }
            let files = s.handle.transfers().offered();
            if !files.is_empty() {
                ui.separator();
                files_ui(ui, s, &files, &csr, &mut self.download_dir);
            }
            let moves = s.handle.moves().entries();
            if !moves.is_empty() {
                ui.separator();
                moves_ui(ui, s, &moves, &csr);
            }
            ui.separator();
            if s.handle.gate().guest().tool_allowed(deskside_proto::cert::Tool::Chat) {
                chat_ui(ui, s, offset);
            } else {
                ui.weak(t!("agent-chat-off"));
            }
        });

        if let Some(p) = pending {
            consent_dialog(ui.ctx(), s, &p, &welcome.organisation, &window_title);
        } else if let Some(ask) = s.handle.move_asks().into_iter().next() {
            move_ask_ui(ui.ctx(), s, &ask);
        } else {
            inventory_ui(ui.ctx(), s, &csr);
        }
    }

    fn ended_ui(&mut self, ui: &mut egui::Ui) {
        let AgentScreen::Ended { reason } = &self.screen else {
            return;
        };
        let (mut again, mut shared) = (false, false);
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(40.0);
            ui.heading(t!("agent-ended-title"));
            ui.add_space(8.0);
            ui.label(reason);
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                again = ui.button(t!("agent-join-another")).clicked();
                shared = ui.button(t!("agent-shared-button")).on_hover_text(t!("agent-shared-tip")).clicked();
            });
        });
        if again {
            self.invite_text.clear();
            self.screen = AgentScreen::Join { error: None, retry: false };
        }
        if shared {
            self.open_shared();
        }
    }

    fn shared_ui(&mut self, ui: &mut egui::Ui) {
        let offset = self.utc_offset_s;
        let mut close = false;
        let Some(view) = &self.shared_view else { return };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(t!("agent-shared-title"));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    close = ui.button(t!("agent-shared-close")).clicked();
                });
            });
            ui.label(t!("agent-shared-explain"));
            ui.add_space(8.0);
            match view {
                Err(why) => {
                    ui.colored_label(ui.visuals().error_fg_color, t!("agent-shared-unreadable", why = why.clone()));
                }
                Ok(list) if list.is_empty() => {
                    ui.weak(t!("agent-shared-none"));
                }
                Ok(list) => {
                    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                        for r in list {
                            ui.label(RichText::new(day_clock(r.at_ms, offset)).small().weak());
                            ui.add(egui::Label::new(shared_words(r)).wrap());
                            ui.add_space(6.0);
                        }
                    });
                }
            }
        });
        if close {
            self.shared_view = None;
        }
    }
}

impl eframe::App for AgentApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_for_the_log() {
        assert_eq!(day_clock(1_795_615_500_000, 0), "2026-11-25 14:05");
        assert_eq!(day_clock(1_795_615_500_000, 36_000), "2026-11-26 00:05");
        assert_eq!(day_clock(0, 0), "1970-01-01 00:00");
    }
}
