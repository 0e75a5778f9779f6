//! The session screen: the toolbar (in the order a CSR expects: Invite, Participants, Chat,
//! Audio, Video, Remote control, File transfer, System info, Notes, Record, End session), the
//! panel of the chosen tool, the state banner and the customer's screen.
//!
//! Tools this version does not have yet are shown disabled with a tooltip saying so; each tool
//! that works has a keyboard shortcut, shown in its tooltip.

use deskside_i18n::t;
use deskside_net::host::{HostCommand, LinkQuality};
use deskside_proto::words::identity_words;
use deskside_proto::{ChatTarget, Invite, InviteRole, ParticipantInfo, Role};
use deskside_session::clock;
use egui::{Align, Layout, RichText, ScrollArea, TextEdit};

use deskside_ui::{Chat, ChatTo};

use crate::command::{Commands, UiCommand};
use crate::remote_ui::{FULL_SCREEN_KEY, remote_ui, set_full_screen, system_info_ui, viewer_strip};
use crate::session_view::{SessionView, ShortCodeState, name_of};
use crate::theme::{self, space};
pub use crate::tools::Tool;
use crate::viewer::ViewOptions;

/// Draws the session screen; what the CSR asks for goes into `commands`.
pub(crate) fn session_ui(
    ui: &mut egui::Ui,
    view: &mut SessionView,
    offset: i32,
    export_dir: &std::path::Path,
    commands: &mut Commands,
) {
    let primary = view.primary().cloned();
    let viewing = primary.as_ref().is_some_and(|p| p.grants.sees_screen());

    // Shortcuts first, so the viewer never passes them on to the customer.
    for tool in Tool::ALL {
        if let Some(sc) = tool.shortcut()
            && ui.input_mut(|i| i.consume_shortcut(&sc))
        {
            choose(view, tool);
        }
    }
    if (viewing || view.full_screen) && ui.input_mut(|i| i.consume_shortcut(&FULL_SCREEN_KEY)) {
        set_full_screen(ui.ctx(), view, !view.full_screen);
    }
    if view.full_screen && !viewing {
        set_full_screen(ui.ctx(), view, false);
    }

    if !view.full_screen {
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(space::XS);
            ui.horizontal_wrapped(|ui| toolbar(ui, view, commands));
            ui.horizontal(|ui| {
                ui.strong(&view.session_type);
                if !view.tracking_code.is_empty() {
                    ui.label(format!("· {}", view.tracking_code));
                }
                ui.label(t!("session-started", time = clock(view.started_ms, offset)));
            });
            ui.add_space(space::XS);
        });

        side_panel(ui, view, offset, commands);
    }

    central_panel(ui, view, primary.as_ref(), commands);

    for r in &mut view.reports {
        if let crate::inventory_ui::ReportAction::Open(path) =
            r.ui(ui.ctx(), offset, export_dir, crate::inventory_ui::print_dir())
        {
            commands.push(UiCommand::OpenUrl(path.display().to_string()));
        }
    }

    let app_shared = view.primary().is_some_and(|p| p.grants.view_app || p.grants.control_app);
    crate::browse_ui::browse_window(ui.ctx(), &mut view.browse, &view.participants, app_shared, commands);

    if view.ending {
        end_dialog(ui.ctx(), view, commands);
    }
}

/// The side panel: the chosen tool's panel.
fn side_panel(ui: &mut egui::Ui, view: &mut SessionView, offset: i32, commands: &mut Commands) {
    egui::Panel::right("side").resizable(true).default_size(space::SIDE_PANEL).min_size(260.0).show(ui, |ui| {
        ScrollArea::vertical().id_salt("side-scroll").show(ui, |ui| match view.tool {
            Tool::Participants => {
                let you = view.joined.then_some(view.me);
                participants_ui(ui, &view.participants, view.me, you, &view.quality, commands);
            }
            Tool::Chat => {
                if let Some(cmd) = chat_ui(ui, view, offset) {
                    commands.session(cmd);
                }
            }
            Tool::RemoteControl => remote_ui(ui, view, commands),
            Tool::SystemInfo => system_info_ui(ui, view, offset, commands),
            Tool::FileTransfer => {
                let tools = view.certified.as_ref().map_or(deskside_proto::cert::Tools::ALL, |c| c.tools);
                let allowed = crate::files_ui::FilesAllowed {
                    app_shared: view.primary().is_some_and(|p| p.grants.view_app || p.grants.control_app),
                    send: tools.contains(deskside_proto::cert::Tool::SendFiles),
                    browse: view.allows(deskside_proto::Capability::Files),
                };
                let now = view.now_ms;
                let mut browse = None;
                crate::files_ui::files_ui(ui, &mut view.files, &view.participants, allowed, now, commands, &mut browse);
                if let Some(id) = browse {
                    view.browse.open_for(id);
                }
            }
            Tool::Notes => {
                if let Some(notes) = notes_ui(ui, view) {
                    commands.push(UiCommand::SaveNotes(notes));
                }
            }
            _ => invite_ui(ui, view, offset, commands),
        });
    });
}

/// The middle: the state banner, the other CSR in control, the viewer and its strip.
fn central_panel(
    ui: &mut egui::Ui,
    view: &mut SessionView,
    primary: Option<&ParticipantInfo>,
    commands: &mut Commands,
) {
    let viewing = primary.is_some_and(|p| p.grants.sees_screen());
    let control = primary.is_some_and(|p| p.grants.controls());
    egui::CentralPanel::default().show(ui, |ui| {
        let (text, colour) = banner(view, primary, ui);
        egui::Frame::new()
            .fill(theme::tokens(ui).banner_bg)
            .inner_margin(egui::Margin::symmetric(space::S as i8, space::XS as i8))
            .corner_radius(4)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.colored_label(colour, RichText::new(text).strong());
                    if view.full_screen {
                        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                            let keys = ui.ctx().format_shortcut(&FULL_SCREEN_KEY);
                            if ui.button(t!("viewer-exit-full-screen", keys = keys)).clicked() {
                                set_full_screen(ui.ctx(), view, false);
                            }
                        });
                    }
                });
            });
        if let Some(n) = &view.notice {
            ui.label(RichText::new(n).italics());
        }
        // The customer's line is too slow for the screen: said while it lasts, not as an alarm.
        if viewing && view.screen.lock().is_ok_and(|s| s.reduced) {
            let name = primary.map_or_else(String::new, |p| p.name.clone());
            ui.colored_label(theme::tokens(ui).waiting, t!("viewer-slow-line"))
                .on_hover_text(t!("viewer-slow-line-tip", name = name));
        }
        if view.joined {
            colleague_lines(ui, view);
        } else if let Some(other) = view.other_in_control() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(theme::tokens(ui).waiting, t!("session-other-in-control", name = other.name.clone()));
                if ui
                    .button(t!("hand-over", name = other.name.clone()))
                    .on_hover_text(t!("hand-over-tip", name = other.name.clone()))
                    .clicked()
                {
                    commands.session(HostCommand::HandOver { notes: view.notes.clone() });
                    commands.push(UiCommand::HandingOver(other.name.clone()));
                }
            });
        }
        if viewing && !view.full_screen {
            viewer_strip(ui, view, primary, control, commands);
        }
        ui.add_space(space::XS);
        if viewing || view.viewer.has_picture() {
            let screen = view.screen.clone();
            let opts = ViewOptions {
                control: control && viewing,
                keyboard: !view.keyboard_released,
                actual_size: view.actual_size,
            };
            let name = primary.map_or_else(String::new, |p| t!("viewer-name", name = p.name.clone()));
            for ev in view.viewer.ui(ui, &screen, opts, &name) {
                commands.session(HostCommand::Input(ev));
            }
        }
    });
}

/// A colleague's session, as this CSR who joined it sees it: whose it is, and who runs it.
fn colleague_lines(ui: &mut egui::Ui, view: &SessionView) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(t!("joined-heading", name = view.host_name.clone()));
        let line = match view.other_in_control() {
            Some(other) => t!("joined-other-in-control", name = other.name.clone()),
            None => t!("joined-you-in-control"),
        };
        ui.label(line);
    });
}

pub(crate) fn choose(view: &mut SessionView, tool: Tool) {
    match tool {
        // Only the CSR in control ends the session (the shortcut too).
        Tool::End if view.other_in_control().is_some() => {}
        Tool::End => {
            view.ending = true;
            if view.end_notes.is_empty() {
                // The notes taken so far, to finish in the dialog.
                view.end_notes.clone_from(&view.notes);
            }
        }
        t if t.available() && view.allows_tool(t) => {
            view.tool = t;
            if t == Tool::Chat {
                view.unread = 0;
            }
        }
        _ => {}
    }
}

fn toolbar(ui: &mut egui::Ui, view: &mut SessionView, commands: &mut Commands) {
    for tool in Tool::ALL {
        let mut label = tool.label();
        if tool == Tool::Chat && view.unread > 0 {
            label = t!("tool-chat-unread", count = view.unread);
        }
        let tip = match tool.shortcut() {
            Some(sc) => t!("tool-tip", what = tool.description(), keys = ui.ctx().format_shortcut(&sc)),
            None => tool.description(),
        };
        let response = if !tool.available() {
            ui.add_enabled(false, egui::Button::new(label)).on_disabled_hover_text(tip)
        } else if !view.allows_tool(tool) {
            ui.add_enabled(false, egui::Button::new(label)).on_disabled_hover_text(t!("tool-not-allowed"))
        } else if tool == Tool::End {
            let other = view.other_in_control().map(|p| p.name.clone());
            let button = egui::Button::new(RichText::new(label).color(theme::tokens(ui).danger));
            match other {
                Some(name) => {
                    ui.add_enabled(false, button).on_disabled_hover_text(t!("tool-end-not-yours", name = name))
                }
                None => ui.add(button).on_hover_text(tip),
            }
        } else {
            ui.add(egui::Button::selectable(view.tool == tool, label)).on_hover_text(tip)
        };
        if response.clicked() {
            choose(view, tool);
        }
        if tool == Tool::Chat && view.unread > 0 {
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, t!("tool-chat-unread-name", count = view.unread))
            });
        }
    }
    // A colleague may leave a session that is not theirs; it goes on for the others.
    if view.joined && ui.button(t!("joined-leave")).on_hover_text(t!("joined-leave-tip")).clicked() {
        commands.push(UiCommand::Leave);
    }
}

fn invite_ui(ui: &mut egui::Ui, view: &mut SessionView, offset: i32, commands: &mut Commands) {
    ui.heading(t!("invite-heading"));
    ui.horizontal(|ui| {
        ui.radio_value(&mut view.invite_csr, false, t!("invite-role-customer"));
        ui.radio_value(&mut view.invite_csr, true, t!("invite-role-csr"));
    });
    let role = if view.invite_csr { InviteRole::Csr } else { InviteRole::Customer };
    ui.label(if view.invite_csr { t!("invite-explain-csr") } else { t!("invite-explain-customer") });
    ui.add_space(space::XS);
    let now = view.now_ms;
    let newest = view.invites.iter().rev().find(|i| i.role == role && i.expires_unix_s * 1000 > now).cloned();
    match &newest {
        Some(inv) => {
            let (link, code) = (inv.to_link(), inv.to_code());
            short_code_ui(ui, view.short_codes.iter().find(|(s, _)| *s == inv.secret).map(|(_, c)| c));
            ui.add(egui::Label::new(RichText::new(&link).monospace().small()).wrap());
            ui.add(egui::Label::new(RichText::new(&code).monospace().small()).wrap());
            ui.horizontal_wrapped(|ui| {
                if ui.button(t!("invite-copy-link")).clicked() {
                    ui.ctx().copy_text(link.clone());
                }
                if ui.button(t!("invite-copy-code")).clicked() {
                    ui.ctx().copy_text(code.clone());
                }
                if ui.button(t!("invite-email")).on_hover_text(t!("invite-email-tip")).clicked() {
                    commands.push(UiCommand::OpenUrl(mailto(inv, &view.csr_name, &view.organisation, offset)));
                }
            });
            ui.label(t!("invite-expires", time = clock(inv.expires_unix_s * 1000, offset)));
        }
        None => {
            ui.weak(t!("invite-none"));
        }
    }
    if ui.button(t!("invite-new")).on_hover_text(t!("invite-new-tip")).clicked() {
        commands.push(UiCommand::Invite(role));
    }
    if let Some(inv) = view.invites.first() {
        ui.label(RichText::new(t!("invite-identity", words = identity_words(&inv.host.id))).small())
            .on_hover_text(t!("invite-identity-tip"));
    }
    ui.add_space(space::S);
    ui.separator();
    ui.strong(t!("invite-open"));
    let open: Vec<&Invite> = view.invites.iter().filter(|i| i.expires_unix_s * 1000 > now).collect();
    if open.is_empty() {
        ui.weak(t!("invite-open-none"));
    }
    for inv in open {
        ui.horizontal(|ui| {
            let who = if inv.role == InviteRole::Csr { t!("invite-role-csr") } else { t!("invite-role-customer") };
            let code = inv.to_code();
            let short: String = code.chars().take(11).collect();
            ui.label(format!("{who} · {short}…"));
            ui.weak(t!("invite-until", time = clock(inv.expires_unix_s * 1000, offset)));
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui.button(t!("invite-revoke")).on_hover_text(t!("invite-revoke-tip")).clicked() {
                    commands.push(UiCommand::RevokeInvite(inv.secret));
                }
            });
        });
    }
}

/// The invite's 9-digit code from the team's site, large enough to read out, with Copy.
fn short_code_ui(ui: &mut egui::Ui, state: Option<&ShortCodeState>) {
    let Some(state) = state else { return };
    match state {
        ShortCodeState::Getting => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(t!("invite-short-code-getting"));
            });
        }
        ShortCodeState::Ready(code) => {
            ui.horizontal_wrapped(|ui| {
                ui.label(t!("invite-short-code")).on_hover_text(t!("invite-short-code-tip"));
                ui.label(RichText::new(code).heading().monospace().strong()).on_hover_text(t!("invite-short-code-tip"));
                if ui.button(t!("invite-copy-short")).clicked() {
                    ui.ctx().copy_text(code.replace(' ', ""));
                }
            });
        }
        ShortCodeState::Failed(why) => {
            ui.colored_label(ui.visuals().warn_fg_color, t!("invite-short-code-failed", why = why.clone()));
        }
    }
    ui.add_space(space::XS);
}

/// A `mailto:` link with a prepared invitation: subject and body, no recipient (the CSR types
/// it in their mail client).
#[must_use]
pub fn mailto(inv: &Invite, csr_name: &str, organisation: &str, offset: i32) -> String {
    let org = if organisation.is_empty() { csr_name.to_owned() } else { organisation.to_owned() };
    let subject = t!("email-subject", organisation = org.clone());
    let body = t!(
        "email-body",
        csr = csr_name,
        organisation = org,
        link = inv.to_link(),
        code = inv.to_code(),
        time = clock(inv.expires_unix_s * 1000, offset),
        words = identity_words(&inv.host.id),
    );
    format!("mailto:?subject={}&body={}", percent_encode(&subject), percent_encode(&body))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The icon, name and whether it exists yet, of each grant a customer can make.
fn grant_icons(p: &ParticipantInfo) -> [(&'static str, String, Option<bool>); 5] {
    [
        ("👁", t!("grant-view"), Some(p.grants.sees_screen())),
        ("🖱", t!("grant-control"), Some(p.grants.controls())),
        ("📁", t!("grant-files"), Some(p.grants.files)),
        ("ℹ", t!("grant-system-info"), Some(p.grants.system_info)),
        ("⏺", t!("grant-recording"), None),
    ]
}

fn participants_ui(
    ui: &mut egui::Ui,
    list: &[ParticipantInfo],
    me: deskside_proto::ParticipantId,
    you: Option<deskside_proto::ParticipantId>,
    quality: &[LinkQuality],
    commands: &mut Commands,
) {
    ui.heading(t!("participants-heading"));
    let tokens = theme::tokens(ui);
    for p in list {
        ui.add_space(space::XS);
        ui.horizontal_wrapped(|ui| {
            // On a colleague's console, this CSR is marked "(you)".
            let mark = if you == Some(p.id) { t!("joined-you") } else { String::new() };
            let text = format!("{}{mark}", p.name);
            let name = if p.present { RichText::new(text).strong() } else { RichText::new(text).weak() };
            ui.label(name);
            let mut role = deskside_i18n::words::role(p.role);
            if !p.present {
                role = t!("participant-left", role = role);
            }
            ui.label(RichText::new(role).small().weak());
            if p.away {
                ui.label(RichText::new(t!("participant-away")).small().color(tokens.waiting))
                    .on_hover_text(t!("participant-away-tip"));
            }
            // While this CSR runs the session they can promote and hand control over.
            let mine = list.iter().any(|p| p.id == me && p.role == Role::CsrInControl);
            if mine
                && p.present
                && p.role == Role::SecondaryCustomer
                && ui
                    .small_button(t!("participant-make-primary"))
                    .on_hover_text(t!("participant-make-primary-tip", name = p.name.clone()))
                    .clicked()
            {
                commands.session(HostCommand::Promote { to: p.id });
            }
            if mine
                && p.present
                && !p.away
                && p.role == Role::Csr
                && ui
                    .small_button(t!("participant-transfer-control"))
                    .on_hover_text(t!("participant-transfer-control-tip", name = p.name.clone()))
                    .clicked()
            {
                commands.session(HostCommand::TransferControl { to: p.id });
            }
        });
        ui.horizontal(|ui| {
            if p.present && matches!(p.role, Role::PrimaryCustomer | Role::SecondaryCustomer) {
                for (icon, what, granted) in grant_icons(p) {
                    let (colour, tip) = match granted {
                        Some(true) => (tokens.ok, t!("grant-allowed", what = what)),
                        Some(false) => (tokens.off, t!("grant-not-allowed", what = what)),
                        None => (tokens.off, t!("grant-not-available", what = what)),
                    };
                    ui.label(RichText::new(icon).color(colour))
                        .on_hover_text(tip.clone())
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, tip.clone()));
                }
                ui.add_space(space::S);
            }
            if p.present
                && let Some(q) = quality.iter().find(|q| q.participant == p.id)
            {
                let (colour, word) = if q.rtt_ms < 150 && q.loss_permille < 20 {
                    (tokens.ok, t!("quality-good"))
                } else if q.rtt_ms < 400 && q.loss_permille < 50 {
                    (tokens.waiting, t!("quality-fair"))
                } else {
                    (tokens.danger, t!("quality-poor"))
                };
                let loss = format!("{}.{}", q.loss_permille / 10, q.loss_permille % 10);
                let path = if q.relayed { t!("quality-relayed") } else { t!("quality-direct") };
                let line = t!("quality-line", path = path, rtt = q.rtt_ms, loss = loss);
                let tip = if q.relayed {
                    t!("quality-relayed-tip", quality = word)
                } else {
                    t!("quality-tip", quality = word)
                };
                ui.label(RichText::new(line).small().color(colour)).on_hover_text(tip);
            }
        });
    }
}

/// The notes panel: the text to save, when it changed since it was last saved or Save was
/// pressed.
fn notes_ui(ui: &mut egui::Ui, view: &mut SessionView) -> Option<String> {
    ui.heading(t!("notes-heading"));
    ui.weak(t!("notes-explain"));
    let l = ui.label(t!("notes-label"));
    ui.add(
        TextEdit::multiline(&mut view.notes).desired_rows(8).desired_width(f32::INFINITY).hint_text(t!("notes-hint")),
    )
    .labelled_by(l.id);
    let save = ui.horizontal(|ui| {
        let save = ui.button(t!("notes-save")).clicked();
        ui.weak(t!("notes-autosave"));
        save
    });
    if save.inner || view.notes != view.notes_saved {
        view.notes_saved.clone_from(&view.notes);
        return Some(view.notes.clone());
    }
    None
}

fn chat_ui(ui: &mut egui::Ui, view: &mut SessionView, offset: i32) -> Option<HostCommand> {
    ui.heading(t!("chat-heading"));
    let mut choices = vec![
        ChatTo { target: ChatTarget::Everyone, name: t!("chat-everyone") },
        ChatTo { target: ChatTarget::Csrs, name: t!("chat-csrs") },
    ];
    for p in view.participants.iter().filter(|p| p.present && p.id != view.me) {
        choices.push(ChatTo { target: ChatTarget::Participant(p.id), name: p.name.clone() });
    }
    let participants = &view.participants;
    let aside = |to: ChatTarget| match to {
        ChatTarget::Everyone => String::new(),
        ChatTarget::Csrs => t!("chat-private-to", name = t!("chat-csrs")),
        ChatTarget::Participant(id) => t!("chat-private-to", name = name_of(participants, id)),
    };
    Chat::new("chat", &view.chat, &mut view.chat_draft, offset)
        .to(&mut view.chat_to, choices)
        .aside(aside)
        .show(ui)
        .map(|(to, text)| HostCommand::Chat { to, text })
}

fn end_dialog(ctx: &egui::Context, view: &mut SessionView, commands: &mut Commands) {
    let mut close = false;
    egui::Modal::new(egui::Id::unique("end-dialog")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(t!("end-title"));
        ui.label(t!("end-explain"));
        ui.add_space(space::XS);
        let l = ui.label(t!("end-notes"));
        ui.add(
            TextEdit::multiline(&mut view.end_notes)
                .desired_rows(6)
                .desired_width(f32::INFINITY)
                .hint_text(t!("end-notes-hint")),
        )
        .labelled_by(l.id);
        ui.add_space(space::S);
        ui.horizontal(|ui| {
            if ui.button(t!("end-confirm")).clicked() {
                commands.session(HostCommand::End { notes: view.end_notes.trim().to_owned() });
                close = true;
            }
            if ui.button(t!("end-cancel")).clicked() {
                close = true;
            }
        });
    });
    if close {
        view.ending = false;
    }
}

fn banner(view: &SessionView, primary: Option<&ParticipantInfo>, ui: &egui::Ui) -> (String, egui::Color32) {
    let tokens = theme::tokens(ui);
    let mine = view.in_control();
    match primary {
        None => (t!("banner-waiting-customer"), tokens.waiting),
        Some(p) if p.grants.control && !mine => (t!("banner-viewing", name = p.name.clone()), tokens.ok),
        Some(p) if p.grants.control_app && !mine => (t!("banner-viewing-app", name = p.name.clone()), tokens.ok),
        Some(p) if p.grants.control && view.keyboard_released => {
            (t!("banner-controlling-mouse", name = p.name.clone()), tokens.ok)
        }
        Some(p) if p.grants.control => (t!("banner-controlling", name = p.name.clone()), tokens.ok),
        Some(p) if p.grants.view => (t!("banner-viewing", name = p.name.clone()), tokens.ok),
        Some(p) if p.grants.control_app => (t!("banner-controlling-app", name = p.name.clone()), tokens.ok),
        Some(p) if p.grants.view_app => (t!("banner-viewing-app", name = p.name.clone()), tokens.ok),
        Some(p) if view.waiting_for.is_some() => (t!("banner-waiting-answer", name = p.name.clone()), tokens.waiting),
        Some(p) if view.paused => (t!("banner-paused", name = p.name.clone()), tokens.danger),
        // A colleague who does not run the session waits for the one who does.
        Some(_) if !mine => (t!("joined-nothing-shared"), tokens.waiting),
        Some(p) => (t!("banner-joined", name = p.name.clone()), tokens.waiting),
    }
}
