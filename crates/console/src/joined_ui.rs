//! A CSR's console in a colleague's session, joined with a support-representative invite: who is
//! there, the chat, the customer's screen as the host passes it on, and — once the colleague
//! hands over control — requests to the customer, control of their screen, handing control on
//! or back, and ending the session.

use deskside_i18n::t;
use deskside_net::CsrLink;
use deskside_proto::{
    Capability, ChatLine, ChatTarget, ParticipantId, ParticipantInfo, Refusal, Role, ToGuest, ToHost, Welcome,
};
use deskside_ui::{Chat, ChatTo};
use egui::{RichText, ScrollArea};

use crate::command::{Commands, UiCommand};
use crate::session_view::name_of;
use crate::theme::{self, space};
use crate::viewer::{ViewOptions, Viewer};

/// The joined session's state.
pub struct JoinedView {
    /// The connection to the host.
    pub link: CsrLink,
    /// This CSR's number.
    pub me: ParticipantId,
    /// The host's CSR, who started the session.
    pub host_name: String,
    /// Everyone in the session.
    pub participants: Vec<ParticipantInfo>,
    /// The chat this CSR may read.
    pub chat: Vec<ChatLine>,
    /// The message being typed.
    pub draft: String,
    /// Whom it goes to.
    pub chat_to: ChatTarget,
    /// The screen viewer.
    pub viewer: Viewer,
    /// The latest thing to tell the CSR.
    pub notice: Option<String>,
    /// Why the session is over for this console, once it is.
    pub ended: Option<String>,
    /// What this CSR asked the customer for and is waiting on.
    pub asked: Option<Capability>,
}

impl JoinedView {
    /// The view of a session just joined.
    #[must_use]
    pub fn new(link: CsrLink) -> JoinedView {
        let Welcome { you, csr_name, participants, .. } = link.welcome.clone();
        JoinedView {
            link,
            me: you,
            host_name: csr_name,
            participants,
            // The chat so far arrives in pieces after the welcome.
            chat: Vec::new(),
            draft: String::new(),
            chat_to: ChatTarget::Everyone,
            viewer: Viewer::default(),
            notice: None,
            ended: None,
            asked: None,
        }
    }

    /// Whether this CSR runs the session now.
    #[must_use]
    pub fn in_control(&self) -> bool {
        self.participants.iter().any(|p| p.id == self.me && p.role == Role::CsrInControl)
    }

    /// Takes what the host said since the last frame.
    pub fn poll(&mut self) {
        while let Some(msg) = self.link.try_event() {
            match msg {
                ToGuest::Participants(list) => {
                    self.participants = list;
                    // Answered: the waiting line goes (the grants show what was allowed).
                    let primary = self.participants.iter().find(|p| p.present && p.role == Role::PrimaryCustomer);
                    if self.asked.is_some_and(|c| primary.is_some_and(|p| p.grants.has(c))) {
                        self.asked = None;
                        self.notice = None;
                    }
                }
                ToGuest::Chat(line) => deskside_proto::keep_chat(&mut self.chat, [line]),
                ToGuest::ChatBacklog(lines) => deskside_proto::keep_chat(&mut self.chat, lines),
                ToGuest::Refused { rule } => self.notice = Some(deskside_i18n::words::rule(rule)),
                ToGuest::SessionEnded { by } => self.ended = Some(t!("joined-ended-by", name = by)),
                _ => {}
            }
        }
        if self.ended.is_none()
            && let Some(why) = self.link.closed()
        {
            self.ended = Some(match why {
                Some(Refusal::Left) => t!("joined-left"),
                Some(Refusal::SessionEnded) => t!("joined-ended"),
                Some(r) => r.to_string(),
                None => t!("joined-lost"),
            });
        }
    }
}

/// The joined screen.
pub fn joined_ui(ui: &mut egui::Ui, view: &mut JoinedView, offset_s: i32, commands: &mut Commands) {
    view.poll();
    if let Some(state) = view.link.take_hand_over() {
        commands.push(UiCommand::TakeOver(Box::new(state)));
        return;
    }
    let in_control = view.in_control();
    let primary = view.participants.iter().find(|p| p.present && p.role == Role::PrimaryCustomer).cloned();
    egui::Panel::top("joined-top").show(ui, |ui| {
        ui.add_space(space::XS);
        ui.horizontal_wrapped(|ui| {
            ui.heading(t!("joined-heading", name = view.host_name.clone()));
            if view.ended.is_some() {
                if ui.button(t!("joined-close")).clicked() {
                    commands.push(UiCommand::Close);
                }
            } else {
                if ui.button(t!("joined-leave")).on_hover_text(t!("joined-leave-tip")).clicked() {
                    let _ = view.link.send(ToHost::Leave);
                }
                if in_control && ui.button(t!("joined-end")).clicked() {
                    let _ = view.link.send(ToHost::End { notes: String::new() });
                }
            }
        });
        let control_line = if in_control {
            t!("joined-you-in-control")
        } else {
            let who = view.participants.iter().find(|p| p.present && p.role == Role::CsrInControl);
            t!("joined-other-in-control", name = who.map(|p| p.name.clone()).unwrap_or_default())
        };
        ui.label(control_line);
        if let Some(why) = &view.ended {
            ui.colored_label(theme::tokens(ui).danger, why);
        } else if let Some(n) = &view.notice {
            ui.label(RichText::new(n).italics());
        }
        ui.add_space(space::XS);
    });

    egui::Panel::right("joined-side").resizable(true).default_size(space::SIDE_PANEL).show(ui, |ui| {
        ScrollArea::vertical().id_salt("joined-side-scroll").show(ui, |ui| {
            ui.heading(t!("participants-heading"));
            for p in view.participants.iter().filter(|p| p.present) {
                ui.horizontal_wrapped(|ui| {
                    let me = if p.id == view.me { t!("joined-you") } else { String::new() };
                    ui.label(RichText::new(format!("{}{me}", p.name)).strong());
                    ui.label(RichText::new(deskside_i18n::words::role(p.role)).weak());
                    if in_control && view.ended.is_none() {
                        if p.role == Role::Csr
                            && ui.small_button(t!("joined-hand-control", name = p.name.clone())).clicked()
                        {
                            let _ = view.link.send(ToHost::TransferControl { to: p.id });
                        }
                        if p.role == Role::PrimaryCustomer {
                            for cap in [Capability::View, Capability::Control] {
                                if !p.grants.has(cap)
                                    && ui
                                        .small_button(t!("joined-ask", what = deskside_i18n::words::capability(cap)))
                                        .clicked()
                                {
                                    let _ = view.link.send(ToHost::Request { to: p.id, capability: cap });
                                    view.notice = Some(t!("joined-asked", name = p.name.clone()));
                                    view.asked = Some(cap);
                                }
                            }
                            // What they no longer need, they end (the customer is told who did).
                            if let Some(cap) = crate::remote_ui::stop_buttons(ui, p, true) {
                                let _ = view.link.send(ToHost::EndGrant { to: p.id, capability: cap });
                            }
                        }
                    }
                });
            }
            ui.separator();
            chat_ui(ui, view, offset_s);
        });
    });

    egui::CentralPanel::default().show(ui, |ui| {
        let screen = view.link.screen().clone();
        let sharing = screen.lock().is_ok_and(|s| s.active);
        let control = in_control && primary.as_ref().is_some_and(|p| p.grants.controls());
        if sharing || view.viewer.has_picture() {
            let name = primary.as_ref().map(|p| p.name.clone()).unwrap_or_default();
            ui.label(if control {
                t!("joined-controlling", name = name.clone())
            } else {
                t!("joined-viewing", name = name.clone())
            });
            let opts = ViewOptions { control: control && sharing, keyboard: true, actual_size: false };
            for ev in view.viewer.ui(ui, &screen, opts, &t!("viewer-name", name = name)) {
                view.link.input(ev);
            }
        } else {
            ui.weak(t!("joined-nothing-shared"));
        }
    });
}

fn chat_ui(ui: &mut egui::Ui, view: &mut JoinedView, offset_s: i32) {
    ui.heading(t!("chat-heading"));
    let choices = vec![
        ChatTo { target: ChatTarget::Everyone, name: t!("chat-everyone") },
        ChatTo { target: ChatTarget::Csrs, name: t!("chat-csrs") },
    ];
    let participants = &view.participants;
    let aside = |to: ChatTarget| match to {
        ChatTarget::Everyone => String::new(),
        ChatTarget::Csrs => t!("joined-to-csrs"),
        ChatTarget::Participant(id) => t!("chat-private-to", name = name_of(participants, id)),
    };
    let mut chat =
        Chat::new("joined-chat", &view.chat, &mut view.draft, offset_s).to(&mut view.chat_to, choices).aside(aside);
    if view.ended.is_some() {
        chat = chat.read_only();
    }
    let sent = chat.show(ui);
    if let Some((to, text)) = sent
        && !view.link.send(ToHost::Chat { to, text })
    {
        view.notice = Some(t!("joined-send-failed"));
    }
}
