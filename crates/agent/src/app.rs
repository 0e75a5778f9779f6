//! The customer's window: join with an invite, see who is asking, answer each request, see what
//! is shared with a Stop for each grant, chat, and leave.

use std::sync::Arc;

use deskside_net::JoinError;
use deskside_proto::words::fingerprint_words;
use deskside_proto::{Capability, ChatLine, ChatTarget, Invite, ParticipantInfo};
use deskside_session::clock;
use egui::{Color32, RichText, ScrollArea, TextEdit};
use tokio::sync::oneshot;

use crate::engine::{AgentEvent, AgentHandle, AgentOptions, start};

/// Which screen the agent shows.
pub enum AgentScreen {
    /// Entering the invite and name.
    Join {
        /// Why the last attempt failed.
        error: Option<String>,
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

/// What the session screen shows.
pub struct SessionState {
    /// The live session.
    pub handle: AgentHandle,
    /// Who is in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The chat so far.
    pub chat: Vec<ChatLine>,
    /// The message being typed.
    pub draft: String,
    /// The last notice (a refusal or a local problem).
    pub notice: Option<String>,
}

/// The agent application.
pub struct AgentApp {
    /// The screen shown.
    pub screen: AgentScreen,
    /// The invite text typed or given.
    pub invite_text: String,
    /// The customer's name.
    pub name: String,
    options: AgentOptions,
    runtime: tokio::runtime::Handle,
    utc_offset_s: i32,
    join_on_first_frame: bool,
}

impl AgentApp {
    /// An agent showing the join screen. `options.name` is replaced by what the customer types.
    #[must_use]
    pub fn new(
        invite_text: String,
        name: String,
        options: AgentOptions,
        runtime: tokio::runtime::Handle,
        utc_offset_s: i32,
    ) -> AgentApp {
        AgentApp {
            screen: AgentScreen::Join { error: None },
            invite_text,
            name,
            options,
            runtime,
            utc_offset_s,
            join_on_first_frame: false,
        }
    }

    /// Joins as soon as the window shows (for scripted demos).
    pub fn join_when_shown(&mut self) {
        self.join_on_first_frame = true;
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if std::mem::take(&mut self.join_on_first_frame) {
            self.join(ui.ctx());
        }
        self.poll();
        match &self.screen {
            AgentScreen::Join { .. } => self.join_ui(ui),
            AgentScreen::Connecting(_) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(80.0);
                        ui.spinner();
                        ui.label("Connecting to your support representative…");
                    });
                });
            }
            AgentScreen::Session(_) => self.session_ui(ui),
            AgentScreen::Ended { .. } => self.ended_ui(ui),
        }
    }

    fn join(&mut self, ctx: &egui::Context) {
        let invite = match Invite::parse(&self.invite_text) {
            Ok(inv) => inv,
            Err(e) => {
                self.screen = AgentScreen::Join { error: Some(e.to_string()) };
                return;
            }
        };
        if !deskside_proto::is_valid_name(&self.name) {
            self.screen = AgentScreen::Join {
                error: Some("Please type your name so your support representative knows who you are.".into()),
            };
            return;
        }
        let mut opts = self.options.clone();
        self.name.trim().clone_into(&mut opts.name);
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

    fn poll(&mut self) {
        if let AgentScreen::Connecting(rx) = &mut self.screen {
            match rx.try_recv() {
                Ok(Ok(handle)) => {
                    let participants = handle.welcome().participants.clone();
                    let chat = handle.welcome().chat.clone();
                    self.screen = AgentScreen::Session(Box::new(SessionState {
                        handle,
                        participants,
                        chat,
                        draft: String::new(),
                        notice: None,
                    }));
                }
                Ok(Err(e)) => self.screen = AgentScreen::Join { error: Some(e.to_string()) },
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => {
                    self.screen = AgentScreen::Join {
                        error: Some("The connection attempt stopped unexpectedly. Please try again.".into()),
                    };
                }
            }
        }
        let mut closed = None;
        if let AgentScreen::Session(s) = &mut self.screen {
            while let Some(ev) = s.handle.try_event() {
                match ev {
                    AgentEvent::Participants(p) => s.participants = p,
                    AgentEvent::Chat(line) => s.chat.push(line),
                    AgentEvent::ConsentChanged => {}
                    AgentEvent::Refused(why) | AgentEvent::LocalError(why) => s.notice = Some(why),
                    AgentEvent::Closed(why) => closed = Some(why),
                }
            }
        }
        if let Some(reason) = closed {
            self.screen = AgentScreen::Ended { reason };
        }
    }

    fn join_ui(&mut self, ui: &mut egui::Ui) {
        let mut join = false;
        let error = match &self.screen {
            AgentScreen::Join { error } => error.clone(),
            _ => None,
        };
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(24.0);
            ui.heading("Join a support session");
            ui.add_space(8.0);
            ui.label("Paste the link or type the code your support representative gave you.");
            ui.add_space(12.0);
            let l = ui.label("Invite code or link");
            ui.add(
                TextEdit::multiline(&mut self.invite_text)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(l.id);
            ui.add_space(8.0);
            let l = ui.label("Your name");
            ui.add(
                TextEdit::singleline(&mut self.name)
                    .desired_width(f32::INFINITY)
                    .hint_text("The name your support representative will see"),
            )
            .labelled_by(l.id);
            if let Ok(inv) = Invite::parse(&self.invite_text) {
                ui.add_space(8.0);
                ui.label(
                    RichText::new(format!(
                        "Your support representative can confirm their identity with these words: {}",
                        fingerprint_words(&inv.fingerprint)
                    ))
                    .small(),
                );
            }
            ui.add_space(12.0);
            if ui.button(RichText::new("Join").strong()).clicked() {
                join = true;
            }
            if let Some(e) = &error {
                ui.add_space(8.0);
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        });
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
        let csr = welcome.csr_name.clone();
        let words = fingerprint_words(&s.handle.invite().fingerprint);
        let grants = s.handle.gate().consent().grants();
        let pending = s.handle.gate().consent().pending().cloned();

        if !grants.is_empty() {
            egui::Panel::top("sharing-bar")
                .frame(egui::Frame::new().fill(Color32::from_rgb(0xB0, 0x2A, 0x2A)).inner_margin(8.0))
                .show(ui, |ui| {
                    for cap in Capability::ALL.into_iter().filter(|c| grants.has(*c)) {
                        ui.horizontal(|ui| {
                            let (text, stop) = match cap {
                                Capability::View => (format!("{csr} can see your screen"), "Stop sharing screen"),
                                Capability::Control => {
                                    (format!("{csr} can control your mouse and keyboard"), "Stop control")
                                }
                            };
                            ui.label(RichText::new(text).color(Color32::WHITE).strong());
                            if ui.button(stop).clicked() {
                                s.handle.stop(cap);
                            }
                        });
                    }
                });
        }

        egui::Panel::bottom("leave-bar").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                if ui.button("Leave session").clicked() {
                    s.handle.leave();
                }
                ui.label(RichText::new("Leaving stops everything at once.").small().weak());
            });
            ui.add_space(4.0);
        });

        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading(format!("Connected to {csr}"));
            if !welcome.organisation.is_empty() {
                ui.label(format!("{} · {}", welcome.organisation, welcome.session_type));
            }
            ui.label(RichText::new(format!("Identity words: {words}")).small())
                .on_hover_text("Ask your support representative to read their words: they should match these.");
            if grants.is_empty() {
                ui.label("Nothing is shared. You will be asked before anything is.");
            }
            if let Some(n) = &s.notice {
                ui.colored_label(ui.visuals().warn_fg_color, n);
            }
            ui.separator();
            ui.strong("Chat");
            ScrollArea::vertical().max_height(ui.available_height() - 40.0).stick_to_bottom(true).show(ui, |ui| {
                if s.chat.is_empty() {
                    ui.label(RichText::new("No messages yet.").weak());
                }
                for line in &s.chat {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(clock(line.at_unix_ms, offset)).small().weak());
                        ui.label(RichText::new(&line.from_name).strong());
                        ui.label(&line.text);
                    });
                }
            });
            ui.horizontal(|ui| {
                let edit = ui.add(
                    TextEdit::singleline(&mut s.draft)
                        .hint_text("Type a message")
                        .desired_width(ui.available_width() - 70.0),
                );
                let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui.button("Send").clicked() || enter) && !s.draft.trim().is_empty() {
                    let text = std::mem::take(&mut s.draft);
                    if !s.handle.chat(ChatTarget::Everyone, text) {
                        s.notice = Some("The message could not be sent.".into());
                    }
                    edit.request_focus();
                }
            });
        });

        if let Some(p) = pending {
            egui::Modal::new(egui::Id::unique("consent-dialog")).show(ui.ctx(), |ui| {
                ui.set_width(400.0);
                let (ask, means) = match p.capability {
                    Capability::View => (
                        format!("{} asks to see your screen", p.from_name),
                        "They will see everything on your screen until you press Stop. They cannot click or type.",
                    ),
                    Capability::Control => (
                        format!("{} asks to control your mouse and keyboard", p.from_name),
                        "They will be able to click and type on your computer until you press Stop.",
                    ),
                };
                ui.heading(ask);
                if !welcome.organisation.is_empty() {
                    ui.label(format!("From {}", welcome.organisation));
                }
                ui.add_space(6.0);
                ui.label(means);
                ui.add_space(12.0);
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Allow").strong()).clicked() {
                        s.handle.answer(p.request, true);
                    }
                    if ui.button("Deny").clicked() {
                        s.handle.answer(p.request, false);
                    }
                });
                ui.label(
                    RichText::new("If you do not answer within two minutes, the request is denied.").small().weak(),
                );
            });
        }
    }

    fn ended_ui(&mut self, ui: &mut egui::Ui) {
        let AgentScreen::Ended { reason } = &self.screen else {
            return;
        };
        let mut again = false;
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(40.0);
            ui.heading("The session is over");
            ui.add_space(8.0);
            ui.label(reason);
            ui.add_space(16.0);
            if ui.button("Join another session").clicked() {
                again = true;
            }
        });
        if again {
            self.invite_text.clear();
            self.screen = AgentScreen::Join { error: None };
        }
    }
}

impl eframe::App for AgentApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }
}
