//! The CSR's window: start a session, invite, watch and control the customer's screen, chat,
//! and end with notes.
//!
//! State is plain data ([`SessionView`]) beside an optional live [`HostHandle`]; the UI reads the
//! data and turns clicks into host commands. UI tests render the data with fixed values, and
//! drive the live path against a real agent.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use deskside_history::recorder::HEARTBEAT_MS;
use deskside_history::{Entry, NewSession, Recorder};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, SharedScreen, start_host};
use deskside_net::{Identity, now_ms, random_bytes};
use deskside_proto::words::fingerprint_words;
use deskside_proto::{
    Capability, ChatLine, ChatTarget, Invite, InviteRole, MonitorInfo, ParticipantInfo, Role, SessionId,
};
use deskside_session::SessionConfig;
use deskside_session::clock;
use egui::{Align, Color32, Layout, RichText, ScrollArea, TextEdit};

use crate::history_ui::{HistoryAction, HistoryView};
use crate::record::{chat_entry, participant_changes};
use crate::viewer::Viewer;

/// The colour of a granted capability.
const GRANTED: Color32 = Color32::from_rgb(0x2E, 0x8B, 0x57);

/// How long an invite stays valid: 30 minutes.
pub const INVITE_TTL_MS: u64 = 30 * 60 * 1000;

/// What the console needs to run.
pub struct ConsoleConfig {
    /// The host's TLS identity.
    pub identity: Identity,
    /// The CSR's display name.
    pub csr_name: String,
    /// The CSR's organisation.
    pub organisation: String,
    /// The session types offered.
    pub session_types: Vec<String>,
    /// UDP port to listen on (0: any free port).
    pub port: u16,
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
}

/// The session types a new installation offers.
#[must_use]
pub fn default_session_types() -> Vec<String> {
    ["General support", "Hardware", "Software installation", "Account and billing"].map(String::from).to_vec()
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
}

/// Everything the session screen shows.
#[derive(Default)]
pub struct SessionView {
    /// The session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// When the session started (ms since the epoch).
    pub started_ms: u64,
    /// The current customer invite.
    pub invite: Option<Invite>,
    /// Who is in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// The chat message being typed.
    pub chat_draft: String,
    /// Who the next chat message goes to.
    pub chat_to: ChatTarget,
    /// What the CSR is waiting for the customer to answer.
    pub waiting_for: Option<Capability>,
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
    /// Where the invite link is written once (scripts and the demo).
    pub invite_file: Option<PathBuf>,
    /// The primary customer's monitors (more than one: the CSR chooses what to see).
    pub monitors: Vec<MonitorInfo>,
    /// The monitor shown (`None`: all of them).
    pub monitor: Option<u32>,
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
}

/// The console application.
pub struct ConsoleApp {
    /// The screen shown.
    pub screen: Screen,
    host: Option<HostHandle>,
    identity: Identity,
    port: u16,
    session_types: Vec<String>,
    utc_offset_s: i32,
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
    export_dir: PathBuf,
    /// The History view, when open (over the start or summary screen).
    pub history_view: Option<HistoryView>,
}

impl ConsoleApp {
    /// A console showing the start form.
    #[must_use]
    pub fn new(cfg: ConsoleConfig) -> ConsoleApp {
        let form = StartForm {
            csr_name: cfg.csr_name,
            organisation: cfg.organisation,
            session_type: cfg.session_types.first().cloned().unwrap_or_default(),
            tracking_code: String::new(),
            error: None,
        };
        ConsoleApp {
            screen: Screen::Start(form),
            host: None,
            identity: cfg.identity,
            port: cfg.port,
            session_types: cfg.session_types,
            utc_offset_s: cfg.utc_offset_s,
            invite_file: cfg.invite_file,
            runtime: cfg.runtime,
            start_on_first_frame: false,
            last_form: None,
            history: cfg.history,
            last_heartbeat_ms: 0,
            history_path: cfg.history_path,
            export_dir: cfg.export_dir,
            history_view: None,
        }
    }

    /// Opens the History view (not during a session).
    pub fn open_history(&mut self) {
        if let (Some(path), false) = (&self.history_path, matches!(self.screen, Screen::Session(_))) {
            self.history_view = Some(HistoryView::open(path, self.export_dir.clone(), self.utc_offset_s, now_ms()));
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

    fn record(&mut self, entry: Entry) {
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
        if std::mem::take(&mut self.start_on_first_frame) {
            self.start(ui.ctx());
        }
        self.poll_host();
        if let (Some(view), false) = (&mut self.history_view, matches!(self.screen, Screen::Session(_))) {
            if view.ui(ui) == HistoryAction::Close {
                self.history_view = None;
            }
            return;
        }
        match &mut self.screen {
            Screen::Start(_) => self.start_ui(ui),
            Screen::Session(_) => self.session_ui(ui),
            Screen::Summary(_) => self.summary_ui(ui),
        }
    }

    fn start(&mut self, ctx: &egui::Context) {
        let Screen::Start(form) = &mut self.screen else {
            return;
        };
        if !deskside_proto::is_valid_name(&form.csr_name) {
            form.error = Some("Please enter your name: the customer sees it before allowing anything.".into());
            return;
        }
        let id = match random_bytes::<16>() {
            Ok(b) => SessionId(b),
            Err(e) => {
                form.error = Some(format!("Cannot start the session: {e}"));
                return;
            }
        };
        let cfg = HostConfig {
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], self.port)),
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
                    session_type: form.session_type.clone(),
                    tracking_code: form.tracking_code.trim().to_owned(),
                    started_ms,
                    screen: host.screen().clone(),
                    invite_file: self.invite_file.clone(),
                    ..SessionView::default()
                };
                new_invite(&host, &mut view);
                self.host = Some(host);
                self.screen = Screen::Session(Box::new(view));
                self.record(begin);
                self.last_heartbeat_ms = started_ms;
            }
            Err(e) => form.error = Some(format!("Cannot start the session: {e}")),
        }
    }

    fn poll_host(&mut self) {
        let (Some(host), Screen::Session(view)) = (&mut self.host, &mut self.screen) else {
            return;
        };
        let mut ended = None;
        let mut entries = Vec::new();
        let now = now_ms();
        while let Some(ev) = host.try_event() {
            match ev {
                HostEvent::Participants(list) => {
                    entries.extend(participant_changes(&view.participants, &list, now));
                    view.participants = list;
                }
                HostEvent::Chat(line) => {
                    entries.push(chat_entry(&line, &view.participants));
                    view.chat.push(line);
                }
                HostEvent::ConsentAnswered { participant, capability, allowed } => {
                    view.waiting_for = None;
                    let name = name_of(&view.participants, participant);
                    let what = capability_words(capability);
                    view.notice = Some(if allowed {
                        format!("{name} allowed you to {what}.")
                    } else {
                        format!("{name} did not allow you to {what}.")
                    });
                }
                HostEvent::Monitors { monitors, .. } => {
                    view.monitors = monitors;
                    view.monitor = None;
                }
                HostEvent::InputRefused => {
                    view.notice = Some("The customer's computer refused your input: control is not allowed.".into());
                }
                HostEvent::Refused(why) => view.notice = Some(why),
                HostEvent::Ended { notes } => ended = Some(notes),
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
                host.shutdown();
            }
            self.screen = Screen::Summary(summary);
        }
    }

    fn send(&mut self, cmd: HostCommand) {
        let result = self.host.as_ref().map(|h| h.send(cmd));
        if let (Some(Err(e)), Screen::Session(view)) = (result, &mut self.screen) {
            view.notice = Some(e.to_string());
        }
    }

    fn start_ui(&mut self, ui: &mut egui::Ui) {
        let mut start = false;
        let (has_history, mut open_history) = (self.history_path.is_some(), false);
        let history_problem = self.history_problem();
        let Screen::Start(form) = &mut self.screen else {
            return;
        };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(40.0);
                ui.heading("Start a support session");
                ui.add_space(16.0);
            });
            let width = 360.0_f32.min(ui.available_width());
            ui.allocate_ui_with_layout(egui::vec2(width, ui.available_height()), Layout::top_down(Align::Min), |ui| {
                egui::Grid::new("start-form").num_columns(2).spacing([12.0, 10.0]).show(ui, |ui| {
                    let l = ui.label("Your name");
                    ui.add(TextEdit::singleline(&mut form.csr_name).hint_text("Shown to the customer"))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Organisation");
                    ui.text_edit_singleline(&mut form.organisation).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Session type");
                    egui::ComboBox::from_id_salt("session-type")
                        .selected_text(form.session_type.clone())
                        .show_ui(ui, |ui| {
                            for t in &self.session_types {
                                ui.selectable_value(&mut form.session_type, t.clone(), t);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Tracking code");
                    ui.add(TextEdit::singleline(&mut form.tracking_code).hint_text("Optional, e.g. a ticket number"))
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.add_space(16.0);
                if ui.add(egui::Button::new(RichText::new("Start session").strong())).clicked() {
                    start = true;
                }
                if let Some(err) = &form.error {
                    ui.add_space(8.0);
                    ui.colored_label(ui.visuals().error_fg_color, err);
                }
                if let Some(why) = &history_problem {
                    ui.add_space(8.0);
                    ui.colored_label(ui.visuals().warn_fg_color, format!("Sessions are not being kept. {why}"));
                }
                ui.add_space(24.0);
                open_history |= has_history && history_button(ui);
            });
        });
        if open_history {
            self.open_history();
        }
        if start {
            self.start(ui.ctx());
        }
    }

    fn session_ui(&mut self, ui: &mut egui::Ui) {
        let offset = self.utc_offset_s;
        let mut commands = Vec::new();
        let mut renew_invite = false;
        let mut save_notes = None;
        let Screen::Session(view) = &mut self.screen else {
            return;
        };
        let primary = view.primary().cloned();

        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.strong(&view.session_type);
                if !view.tracking_code.is_empty() {
                    ui.label(format!("· {}", view.tracking_code));
                }
                ui.label(format!("· started {}", clock(view.started_ms, offset)));
                let grants = primary.as_ref().map(|p| p.grants).unwrap_or_default();
                if let (Some(p), true) = (&primary, view.monitors.len() > 1 && grants.view) {
                    let name = |i: Option<u32>| match i.and_then(|i| view.monitors.get(i as usize).map(|m| (i, m))) {
                        Some((i, m)) => format!("{}: {} ({}x{})", i + 1, m.name, m.width, m.height),
                        None => "All monitors".to_owned(),
                    };
                    let mut chosen = view.monitor;
                    let l = ui.label("Screen");
                    egui::ComboBox::from_id_salt("monitor")
                        .selected_text(name(chosen))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut chosen, None, name(None));
                            for i in 0..view.monitors.len() as u32 {
                                ui.selectable_value(&mut chosen, Some(i), name(Some(i)));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    if chosen != view.monitor {
                        view.monitor = chosen;
                        commands.push(HostCommand::SelectMonitor { to: p.id, index: chosen });
                    }
                }
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui.button("End session…").clicked() {
                        view.ending = true;
                        if view.end_notes.is_empty() {
                            // The notes taken so far, to finish in the dialog.
                            view.end_notes.clone_from(&view.notes);
                        }
                    }
                    let can_ask = primary.is_some() && view.waiting_for.is_none();
                    let why = if primary.is_none() {
                        "No customer has joined yet"
                    } else {
                        "Waiting for the customer's answer"
                    };
                    for cap in [Capability::Control, Capability::View] {
                        let label = match cap {
                            Capability::View => "Request view",
                            Capability::Control => "Request control",
                        };
                        let enabled = can_ask && !grants.has(cap);
                        let b = ui
                            .add_enabled(enabled, egui::Button::new(label))
                            .on_disabled_hover_text(if grants.has(cap) { "Already allowed" } else { why });
                        if b.clicked()
                            && let Some(p) = &primary
                        {
                            commands.push(HostCommand::Request { to: p.id, capability: cap });
                            view.waiting_for = Some(cap);
                        }
                    }
                    if ui.button("New invite").on_hover_text("Make a fresh single-use invite for a customer").clicked()
                    {
                        renew_invite = true;
                    }
                });
            });
            ui.add_space(4.0);
        });

        egui::Panel::right("side").resizable(true).default_size(340.0).min_size(260.0).show(ui, |ui| {
            ScrollArea::vertical().id_salt("side-scroll").show(ui, |ui| {
                invite_ui(ui, view, offset);
                ui.separator();
                participants_ui(ui, &view.participants);
                ui.separator();
                if let Some(cmd) = chat_ui(ui, view, offset) {
                    commands.push(cmd);
                }
                ui.separator();
                save_notes = notes_ui(ui, view);
            });
        });

        egui::CentralPanel::default().show(ui, |ui| {
            let control = primary.as_ref().is_some_and(|p| p.grants.control);
            let (banner, colour) = banner(view, primary.as_ref());
            ui.horizontal(|ui| {
                ui.colored_label(colour, RichText::new(banner).strong());
            });
            if let Some(n) = &view.notice {
                ui.label(RichText::new(n).italics());
            }
            ui.add_space(4.0);
            let viewing = primary.as_ref().is_some_and(|p| p.grants.view);
            if viewing || view.viewer.has_picture() {
                let screen = view.screen.clone();
                for ev in view.viewer.ui(ui, &screen, control && viewing) {
                    commands.push(HostCommand::Input(ev));
                }
            }
        });

        if view.ending {
            let mut close = false;
            egui::Modal::new(egui::Id::unique("end-dialog")).show(ui.ctx(), |ui| {
                ui.set_width(420.0);
                ui.heading("End the session");
                ui.label("Everyone will be disconnected and sharing stops.");
                ui.add_space(4.0);
                let l = ui.label("End-of-session notes");
                ui.add(
                    TextEdit::multiline(&mut view.end_notes)
                        .desired_rows(6)
                        .desired_width(f32::INFINITY)
                        .hint_text("What was the problem, what did you do, what is left to do?"),
                )
                .labelled_by(l.id);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("End session").clicked() {
                        commands.push(HostCommand::End { notes: view.end_notes.trim().to_owned() });
                        close = true;
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            });
            if close {
                view.ending = false;
            }
        }

        if renew_invite && let Some(host) = &self.host {
            if let Some(old) = &view.invite {
                let _ = host.send(HostCommand::RevokeInvite(old.secret));
            }
            new_invite(host, view);
        }
        if let Some(notes) = save_notes {
            self.record(Entry::Notes(notes));
        }
        for cmd in commands {
            self.send(cmd);
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
            ui.add_space(24.0);
            ui.heading("Session ended");
            ui.add_space(12.0);
            egui::Grid::new("summary").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
                ui.label("Session type");
                ui.label(&s.session_type);
                ui.end_row();
                ui.label("Tracking code");
                ui.label(if s.tracking_code.is_empty() { "—" } else { &s.tracking_code });
                ui.end_row();
                ui.label("Time");
                ui.label(format!(
                    "{} – {} ({})",
                    clock(s.started_ms, offset),
                    clock(s.ended_ms, offset),
                    duration(s.ended_ms.saturating_sub(s.started_ms))
                ));
                ui.end_row();
                ui.label("Participants");
                let names: Vec<String> =
                    s.participants.iter().map(|p| format!("{} ({})", p.name, role_words(p.role))).collect();
                ui.label(names.join(", "));
                ui.end_row();
                ui.label("Chat messages");
                ui.label(s.chat_lines.to_string());
                ui.end_row();
                ui.label("Notes");
                ui.label(if s.notes.is_empty() { "—" } else { &s.notes });
                ui.end_row();
            });
            ui.add_space(12.0);
            match &history_problem {
                None => ui.weak("Kept in the session history."),
                Some(why) => {
                    ui.colored_label(ui.visuals().warn_fg_color, format!("Not kept in the session history. {why}"))
                }
            };
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                if ui.button("Start another session").clicked() {
                    again = true;
                }
                open_history |= has_history && history_button(ui);
            });
        });
        if again {
            // Same name, organisation and type; a new session gets its own tracking code.
            let mut form = self.last_form.clone().unwrap_or_else(|| StartForm {
                csr_name: String::new(),
                organisation: String::new(),
                session_type: s.session_type.clone(),
                tracking_code: String::new(),
                error: None,
            });
            form.tracking_code.clear();
            form.error = None;
            self.screen = Screen::Start(form);
        }
        if open_history {
            self.open_history();
        }
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }
}

/// The History button; whether it was clicked.
fn history_button(ui: &mut egui::Ui) -> bool {
    ui.button("History").on_hover_text("Sessions kept so far: search, open, export").clicked()
}

fn new_invite(host: &HostHandle, view: &mut SessionView) {
    match host.invite(InviteRole::Customer, INVITE_TTL_MS) {
        Ok(inv) => {
            if let Some(path) = view.invite_file.take()
                && let Err(e) = std::fs::write(&path, inv.to_link())
            {
                view.notice = Some(format!("Cannot write the invite to {}: {e}", path.display()));
            }
            view.invite = Some(inv);
        }
        Err(e) => view.notice = Some(format!("Cannot make an invite: {e}")),
    }
}

fn invite_ui(ui: &mut egui::Ui, view: &SessionView, offset: i32) {
    ui.heading("Invite a customer");
    let Some(inv) = &view.invite else {
        ui.label("No invite yet.");
        return;
    };
    ui.label("Send the customer this link, or read them the code. It works once.");
    let link = inv.to_link();
    let code = inv.to_code();
    ui.add(egui::Label::new(RichText::new(&link).monospace().small()).wrap());
    ui.horizontal(|ui| {
        if ui.button("Copy link").clicked() {
            ui.ctx().copy_text(link.clone());
        }
        if ui.button("Copy code").clicked() {
            ui.ctx().copy_text(code.clone());
        }
    });
    ui.add(egui::Label::new(RichText::new(&code).monospace().small()).wrap());
    ui.label(format!("Expires at {}", clock(inv.expires_unix_s * 1000, offset)));
    ui.label(RichText::new(format!("Your identity words: {}", fingerprint_words(&inv.fingerprint))).small())
        .on_hover_text("The customer sees these words too; read them aloud if they ask who you are.");
}

fn participants_ui(ui: &mut egui::Ui, list: &[ParticipantInfo]) {
    ui.heading("Participants");
    for p in list {
        ui.horizontal(|ui| {
            let name = if p.present { RichText::new(&p.name) } else { RichText::new(&p.name).weak() };
            ui.label(name);
            ui.label(RichText::new(role_words(p.role)).small().weak());
            if !p.present {
                ui.label(RichText::new("left").small().italics());
            }
            if p.grants.view {
                ui.label(RichText::new("view").small().color(GRANTED)).on_hover_text("Allowed you to view the screen");
            }
            if p.grants.control {
                ui.label(RichText::new("control").small().color(GRANTED))
                    .on_hover_text("Allowed you to control mouse and keyboard");
            }
        });
    }
}

/// The notes panel: the text to save, when it changed since it was last saved or Save was
/// pressed.
fn notes_ui(ui: &mut egui::Ui, view: &mut SessionView) -> Option<String> {
    ui.heading("Notes");
    ui.weak("Kept with the session. The customer does not see them.");
    let l = ui.label("Session notes");
    ui.add(
        TextEdit::multiline(&mut view.notes)
            .desired_rows(4)
            .desired_width(f32::INFINITY)
            .hint_text("What you found, what you tried"),
    )
    .labelled_by(l.id);
    let save = ui.horizontal(|ui| {
        let save = ui.button("Save").clicked();
        ui.weak("Saved as you type");
        save
    });
    if save.inner || view.notes != view.notes_saved {
        view.notes_saved.clone_from(&view.notes);
        return Some(view.notes.clone());
    }
    None
}

fn chat_ui(ui: &mut egui::Ui, view: &mut SessionView, offset: i32) -> Option<HostCommand> {
    ui.heading("Chat");
    let target_name = match view.chat_to {
        ChatTarget::Everyone => "Everyone".to_owned(),
        ChatTarget::Csrs => "All support representatives".to_owned(),
        ChatTarget::Participant(id) => name_of(&view.participants, id),
    };
    ui.horizontal(|ui| {
        let l = ui.label("Send to");
        egui::ComboBox::from_id_salt("chat-to")
            .selected_text(target_name)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut view.chat_to, ChatTarget::Everyone, "Everyone");
                ui.selectable_value(&mut view.chat_to, ChatTarget::Csrs, "All support representatives");
                for p in view.participants.iter().filter(|p| p.present && p.id != 0) {
                    ui.selectable_value(&mut view.chat_to, ChatTarget::Participant(p.id), &p.name);
                }
            })
            .response
            .labelled_by(l.id);
    });
    ScrollArea::vertical().id_salt("chat-lines").max_height(220.0).stick_to_bottom(true).show(ui, |ui| {
        if view.chat.is_empty() {
            ui.label(RichText::new("No messages yet.").weak());
        }
        for line in &view.chat {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(clock(line.at_unix_ms, offset)).small().weak());
                ui.label(RichText::new(&line.from_name).strong());
                if line.to != ChatTarget::Everyone {
                    ui.label(RichText::new("(private)").small().italics());
                }
                ui.label(&line.text);
            });
        }
    });
    let mut send = false;
    ui.horizontal(|ui| {
        let edit = ui.add(TextEdit::singleline(&mut view.chat_draft).hint_text("Type a message").desired_width(200.0));
        if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            send = true;
            edit.request_focus();
        }
        if ui.button("Send").clicked() {
            send = true;
        }
    });
    if send && !view.chat_draft.trim().is_empty() {
        let text = std::mem::take(&mut view.chat_draft);
        return Some(HostCommand::Chat { to: view.chat_to, text });
    }
    None
}

fn banner(view: &SessionView, primary: Option<&ParticipantInfo>) -> (String, Color32) {
    let wait = Color32::from_rgb(0xC0, 0x80, 0x00);
    let ok = Color32::from_rgb(0x2E, 0x8B, 0x57);
    match primary {
        None => ("Waiting for a customer to join with the invite".into(), wait),
        Some(p) if p.grants.control => (format!("Controlling {}'s screen: click it to type", p.name), ok),
        Some(p) if p.grants.view => (format!("Viewing {}'s screen", p.name), ok),
        Some(p) if view.waiting_for.is_some() => (format!("Waiting for {} to answer your request", p.name), wait),
        Some(p) => (format!("{} has joined. Request view to see their screen.", p.name), wait),
    }
}

fn name_of(list: &[ParticipantInfo], id: u32) -> String {
    list.iter().find(|p| p.id == id).map_or_else(|| "The customer".to_owned(), |p| p.name.clone())
}

fn capability_words(cap: Capability) -> &'static str {
    match cap {
        Capability::View => "view their screen",
        Capability::Control => "control their mouse and keyboard",
    }
}

/// A role in words.
#[must_use]
pub fn role_words(role: Role) -> &'static str {
    match role {
        Role::CsrInControl => "CSR in control",
        Role::Csr => "CSR",
        Role::PrimaryCustomer => "primary customer",
        Role::SecondaryCustomer => "customer",
    }
}

fn duration(ms: u64) -> String {
    let mins = ms / 60_000;
    if mins < 1 { "under a minute".into() } else { format!("{mins} min") }
}
