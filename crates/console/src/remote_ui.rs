//! The session's Remote control panel (ask to see or control, Stop viewing, Stop control), the
//! strip above the viewer (monitors, fit, full screen, keys) and the System info panel.

use deskside_i18n::t;
use deskside_net::host::HostCommand;
use deskside_proto::{Capability, InputEvent, Key, Modifiers, ParticipantInfo};
use deskside_session::clock;

use crate::command::Commands;
use crate::session_view::SessionView;
use crate::theme::space;

pub(super) fn remote_ui(ui: &mut egui::Ui, view: &mut SessionView, commands: &mut Commands) {
    ui.heading(t!("remote-heading"));
    ui.label(t!("remote-explain"));
    ui.add_space(space::XS);
    let primary = view.primary().cloned();
    let grants = primary.as_ref().map(|p| p.grants).unwrap_or_default();
    let why = if primary.is_none() { t!("remote-no-customer") } else { t!("remote-waiting") };
    let can_ask = primary.is_some() && view.waiting_for.is_none();
    for (cap, label) in
        [(Capability::View, t!("remote-view-desktop")), (Capability::Control, t!("remote-control-desktop"))]
    {
        let enabled = can_ask && !grants.has(cap) && view.allows(cap);
        let tip = if !view.allows(cap) {
            t!("tool-not-allowed")
        } else if grants.has(cap) {
            t!("remote-already")
        } else {
            why.clone()
        };
        let b = ui.add_enabled(enabled, egui::Button::new(label)).on_disabled_hover_text(tip);
        if b.clicked()
            && let Some(p) = &primary
        {
            commands.session(HostCommand::Request { to: p.id, capability: cap });
            view.waiting_for = Some(cap);
            view.paused = false;
        }
    }
    // One application: the customer chooses the window in their dialog (its title is theirs to
    // show); controlling it needs it shared first.
    for (cap, label) in
        [(Capability::ViewApp, t!("remote-view-app")), (Capability::ControlApp, t!("remote-control-app"))]
    {
        let needs_share = cap == Capability::ControlApp && !grants.view_app;
        let enabled = can_ask && !grants.has(cap) && !needs_share && view.allows(cap);
        let tip = if !view.allows(cap) {
            t!("tool-not-allowed")
        } else if grants.has(cap) {
            t!("remote-already")
        } else if primary.is_some() && needs_share {
            t!("remote-app-share-first")
        } else {
            why.clone()
        };
        let b = ui
            .add_enabled(enabled, egui::Button::new(label))
            .on_hover_text(t!("remote-app-tip"))
            .on_disabled_hover_text(tip);
        if b.clicked()
            && let Some(p) = &primary
        {
            commands.session(HostCommand::Request { to: p.id, capability: cap });
            view.waiting_for = Some(cap);
            view.paused = false;
        }
    }
    stop_grants_ui(ui, primary.as_ref(), view, commands);
}

/// Stop viewing and Stop control: the CSR ends what they no longer need (the customer's agent
/// ends it and tells them who did). Stopping the view stops control of it too.
pub(super) fn stop_grants_ui(
    ui: &mut egui::Ui,
    primary: Option<&ParticipantInfo>,
    view: &mut SessionView,
    commands: &mut Commands,
) {
    let Some(p) = primary.filter(|p| p.grants.sees_screen() || p.grants.controls()) else { return };
    ui.add_space(space::XS);
    let stopped = ui.horizontal_wrapped(|ui| stop_buttons(ui, p, false)).inner;
    if let Some(cap) = stopped {
        commands.session(HostCommand::EndGrant { to: p.id, capability: cap });
        let view_ends = cap.ends_with().is_some();
        view.released |= view_ends;
        view.notice = Some(if view_ends {
            t!("notice-you-stopped-view", name = p.name.clone())
        } else {
            t!("notice-you-stopped-control", name = p.name.clone())
        });
    }
}

/// A Stop button for each screen grant customer `p` gave (control first: it can end alone,
/// while stopping a view ends its control too); the grant whose Stop was clicked. Both the
/// hosting console and a colleague's console in control show them.
pub(crate) fn stop_buttons(ui: &mut egui::Ui, p: &ParticipantInfo, small: bool) -> Option<Capability> {
    let mut clicked = None;
    for cap in [Capability::Control, Capability::ControlApp, Capability::View, Capability::ViewApp] {
        if !p.grants.has(cap) {
            continue;
        }
        let (label, tip) = if cap.ends_with().is_some() {
            (t!("remote-stop-view"), t!("remote-stop-view-tip", name = p.name.clone()))
        } else {
            (t!("remote-stop-control"), t!("remote-stop-control-tip", name = p.name.clone()))
        };
        let button = egui::Button::new(label);
        let button = if small { button.small() } else { button };
        if ui.add(button).on_hover_text(tip).clicked() {
            clicked = Some(cap);
        }
    }
    clicked
}

pub(super) fn system_info_ui(ui: &mut egui::Ui, view: &mut SessionView, offset: i32, commands: &mut Commands) {
    ui.heading(t!("sysinfo-heading"));
    ui.label(t!("sysinfo-explain"));
    ui.add_space(space::XS);
    let waiting = view.waiting_for.is_some();
    let customers: Vec<ParticipantInfo> =
        view.participants.iter().filter(|p| p.present && !p.role.is_csr()).cloned().collect();
    if customers.is_empty() {
        ui.weak(t!("remote-no-customer"));
    }
    for p in customers {
        let allowed = view.allows(Capability::SystemInfo);
        let tip = if allowed { t!("remote-waiting") } else { t!("tool-not-allowed") };
        let b = ui
            .add_enabled(!waiting && allowed, egui::Button::new(t!("sysinfo-request", name = p.name.clone())))
            .on_disabled_hover_text(tip);
        if b.clicked() {
            commands.session(HostCommand::Request { to: p.id, capability: Capability::SystemInfo });
            view.waiting_for = Some(Capability::SystemInfo);
        }
    }
    ui.add_space(space::S);
    ui.separator();
    ui.strong(t!("sysinfo-received-heading"));
    if view.reports.is_empty() {
        ui.weak(t!("sysinfo-none"));
    }
    for r in &mut view.reports {
        ui.horizontal(|ui| {
            ui.label(format!("{} · {}", r.name, clock(r.at_ms, offset)));
            if ui.button(t!("sysinfo-open")).clicked() {
                r.open = true;
            }
        });
    }
}

pub(super) fn viewer_strip(
    ui: &mut egui::Ui,
    view: &mut SessionView,
    primary: Option<&ParticipantInfo>,
    control: bool,
    commands: &mut Commands,
) {
    ui.horizontal_wrapped(|ui| {
        if let (Some(p), true) = (primary, view.monitors.len() > 1) {
            let name = |i: Option<u32>| match i.and_then(|i| view.monitors.get(i as usize).map(|m| (i, m))) {
                Some((i, m)) => format!("{}: {} ({}x{})", i + 1, m.name, m.width, m.height),
                None => t!("viewer-all-monitors"),
            };
            let mut chosen = view.monitor;
            let l = ui.label(t!("viewer-monitor"));
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
                commands.session(HostCommand::SelectMonitor { to: p.id, index: chosen });
            }
            ui.separator();
        }
        if ui.add(egui::Button::selectable(!view.actual_size, t!("viewer-fit"))).clicked() {
            view.actual_size = false;
        }
        if ui.add(egui::Button::selectable(view.actual_size, t!("viewer-actual-size"))).clicked() {
            view.actual_size = true;
        }
        let keys = ui.ctx().format_shortcut(&FULL_SCREEN_KEY);
        if ui.button(t!("viewer-full-screen")).on_hover_text(t!("viewer-full-screen-tip", keys = keys)).clicked() {
            set_full_screen(ui.ctx(), view, true);
        }
        if control {
            ui.separator();
            ui.menu_button(t!("viewer-send-keys"), |ui| {
                for (label, key, modifiers) in special_keys() {
                    if ui.button(label).clicked() {
                        commands.session(HostCommand::Input(InputEvent::Key { key, down: true, modifiers }));
                        commands.session(HostCommand::Input(InputEvent::Key { key, down: false, modifiers }));
                        ui.close();
                    }
                }
            });
            let mut capture = !view.keyboard_released;
            ui.checkbox(&mut capture, t!("viewer-capture-keyboard")).on_hover_text(t!("viewer-capture-keyboard-tip"));
            view.keyboard_released = !capture;
        }
    });
}

/// The special key combinations the key menu sends: what the CSR reads, and the key.
pub(super) fn special_keys() -> Vec<(&'static str, Key, Modifiers)> {
    let m = |ctrl, alt, shift, meta| Modifiers { shift, ctrl, alt, meta };
    vec![
        ("Ctrl+Alt+Del", Key::Delete, m(true, true, false, false)),
        ("Ctrl+Shift+Esc", Key::Escape, m(true, false, true, false)),
        ("Alt+Tab", Key::Tab, m(false, true, false, false)),
        ("Alt+F4", Key::F(4), m(false, true, false, false)),
        ("Ctrl+Esc", Key::Escape, m(true, false, false, false)),
        ("Win+D", Key::Char('d'), m(false, false, false, true)),
    ]
}

/// Switches the viewer between the window and the whole display.
pub(crate) const FULL_SCREEN_KEY: egui::KeyboardShortcut =
    egui::KeyboardShortcut::new(egui::Modifiers::NONE, egui::Key::F11);

/// Puts the viewer in the whole display, or back in the window.
pub(crate) fn set_full_screen(ctx: &egui::Context, view: &mut SessionView, on: bool) {
    view.full_screen = on;
    ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
}
