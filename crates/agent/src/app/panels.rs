//! The session screen's parts: the sharing bar with its Stops, the chat, the consent question
//! and the window list of one-application sharing.

use deskside_i18n::t;
use deskside_proto::Capability;
use egui::{RichText, ScrollArea};

use super::{SessionState, WindowChoice};
use crate::engine::AgentOptions;
use deskside_platform::WindowInfo;

/// The red bar that says what is shared, with whom, each with its Stop.
pub(super) fn sharing_bar(
    ui: &mut egui::Ui,
    s: &mut SessionState,
    grants: deskside_proto::Grants,
    csr: &str,
    window_title: &str,
) {
    let csr = csr.to_owned();
    let window_title = window_title.to_owned();
    egui::Panel::top("sharing-bar")
        .frame(egui::Frame::new().fill(deskside_ui::tokens(ui).sharing_bar).inner_margin(8.0))
        .show(ui, |ui| {
            for cap in Capability::ALL.into_iter().filter(|c| grants.has(*c)) {
                ui.horizontal(|ui| {
                    let (text, stop) = match cap {
                        Capability::View => (t!("agent-bar-view", csr = csr.clone()), t!("agent-stop-view")),
                        Capability::Control => (t!("agent-bar-control", csr = csr.clone()), t!("agent-stop-control")),
                        Capability::ViewApp => (
                            t!("agent-bar-view-app", csr = csr.clone(), window = window_title.clone()),
                            t!("agent-stop-view-app"),
                        ),
                        Capability::ControlApp => (
                            t!("agent-bar-control-app", csr = csr.clone(), window = window_title.clone()),
                            t!("agent-stop-control"),
                        ),
                        Capability::SystemInfo => {
                            (t!("agent-bar-system-info", csr = csr.clone()), t!("agent-stop-system-info"))
                        }
                        Capability::Files => (t!("agent-bar-files", csr = csr.clone()), t!("agent-stop-files")),
                    };
                    // The Stop button always shows; a long sentence wraps beside it.
                    let (_, stopped) = egui::Sides::new().shrink_left().wrap().show(
                        ui,
                        |ui| ui.label(RichText::new(text).color(deskside_ui::tokens(ui).on_sharing_bar).strong()),
                        |ui| ui.button(stop).clicked(),
                    );
                    if stopped {
                        s.handle.stop(cap);
                    }
                });
            }
        });
}

/// The chat: what was said, and a line to write (to everyone in the session).
pub(super) fn chat_ui(ui: &mut egui::Ui, s: &mut SessionState, offset: i32) {
    ui.strong(t!("agent-chat"));
    let height = ui.available_height() - 40.0;
    let sent = deskside_ui::Chat::new("chat", &s.chat, &mut s.draft, offset)
        .aside(|_| t!("agent-chat-private"))
        .max_height(height)
        .show(ui);
    if let Some((to, text)) = sent
        && !s.handle.chat(to, text)
    {
        s.notice = Some(t!("agent-chat-failed"));
    }
}

/// The question of request `p`: what it allows, from whom, Allow and Deny.
pub(super) fn consent_dialog(
    ctx: &egui::Context,
    s: &mut SessionState,
    p: &deskside_session::PendingRequest,
    organisation: &str,
    window_title: &str,
) {
    egui::Modal::new(egui::Id::unique("consent-dialog")).show(ctx, |ui| {
        ui.set_width(400.0);
        let (ask, means) = match p.capability {
            Capability::View => (t!("agent-ask-view", csr = p.from_name.clone()), t!("agent-means-view")),
            Capability::Control => (t!("agent-ask-control", csr = p.from_name.clone()), t!("agent-means-control")),
            Capability::ViewApp => (t!("agent-ask-view-app", csr = p.from_name.clone()), t!("agent-means-view-app")),
            Capability::ControlApp => (
                t!("agent-ask-control-app", csr = p.from_name.clone(), window = window_title.to_owned()),
                t!("agent-means-control-app", window = window_title.to_owned()),
            ),
            Capability::SystemInfo => {
                (t!("agent-ask-system-info", csr = p.from_name.clone()), t!("agent-means-system-info"))
            }
            Capability::Files => (t!("agent-ask-files", csr = p.from_name.clone()), t!("agent-means-files")),
        };
        ui.heading(ask);
        if !organisation.is_empty() {
            ui.label(t!("agent-ask-from", organisation = organisation.to_owned()));
        }
        ui.add_space(6.0);
        ui.label(means);
        let mut can_allow = true;
        if let Some(choice) = s.window_choice.as_mut().filter(|c| c.request == p.request) {
            can_allow = window_list_ui(ui, choice);
        }
        ui.add_space(12.0);
        ui.horizontal(|ui| {
            let allow = ui
                .add_enabled(can_allow, egui::Button::new(RichText::new(t!("agent-allow")).strong()))
                .on_disabled_hover_text(t!("agent-choose-window-first"));
            if allow.clicked() {
                match s.window_choice.as_ref().and_then(|c| {
                    let id = c.chosen?;
                    c.windows.as_ref().ok()?.iter().find(|w| w.id == id).cloned()
                }) {
                    Some(w) if p.capability == Capability::ViewApp => {
                        s.handle.allow_window(p.request, w.id);
                        s.shared_window = Some(w);
                    }
                    _ => s.handle.answer(p.request, true),
                }
            }
            if ui.button(t!("agent-deny")).clicked() {
                s.handle.answer(p.request, false);
            }
        });
        ui.label(RichText::new(t!("agent-ask-timeout")).small().weak());
    });
}

/// The customer's windows through the agent's window probe, or why they cannot be listed.
pub(super) fn list_windows(options: &AgentOptions) -> Result<Vec<WindowInfo>, String> {
    (options.windows)().and_then(|mut w| w.list()).map_err(|e| e.to_string())
}

/// The list of windows to choose the shared one from; `true` once one is chosen.
pub(super) fn window_list_ui(ui: &mut egui::Ui, choice: &mut WindowChoice) -> bool {
    ui.add_space(8.0);
    match &choice.windows {
        Err(why) => {
            ui.colored_label(ui.visuals().warn_fg_color, t!("agent-windows-failed", why = why.clone()));
        }
        Ok(list) if list.is_empty() => {
            ui.label(t!("agent-no-windows"));
        }
        Ok(list) => {
            ui.strong(t!("agent-choose-window"));
            ScrollArea::vertical().max_height(160.0).show(ui, |ui| {
                for w in list {
                    ui.radio_value(&mut choice.chosen, Some(w.id), &w.title);
                }
            });
        }
    }
    choice.chosen.is_some()
}
