//! The start screen (a new session, or joining a colleague's) and the summary after one ends.

use deskside_i18n::t;
use deskside_session::clock;
use egui::{Align, Layout, RichText, TextEdit};

use crate::app::{ConsoleApp, Screen, StartForm, duration, history_button, settings_button};
use crate::site::SiteAccount;
use crate::theme::space;

impl ConsoleApp {
    pub(super) fn start_ui(&mut self, ui: &mut egui::Ui) {
        self.poll_joining(ui.ctx());
        self.poll_starting();
        let joining = self.joining.is_some();
        let starting = self.starting.is_some();
        let mut join = false;
        let mut start = false;
        let (has_history, mut open_history, mut open_settings) = (self.history_path.is_some(), false, false);
        let history_problem = self.history_problem();
        let settings_problem = self.settings_problem.clone();
        let settings = &self.settings;
        let rt = self.runtime.clone();
        let mut site = self.site.as_mut();
        let reports = self.reports.as_ref().map(|o| (o.waiting, o.problem.clone()));
        let Screen::Start(form) = &mut self.screen else {
            return;
        };
        // Signed in to the team's site: its names for the CSR and its session types, fixed.
        let site_types: Option<Vec<(String, bool)>> = site
            .as_ref()
            .filter(|s| s.signed.is_some())
            .map(|s| s.types.iter().map(|t| (t.name.clone(), t.tracking_required)).collect());
        let types: Vec<(String, bool)> = site_types.clone().unwrap_or_else(|| {
            settings.session_types.iter().map(|t| (t.name.clone(), t.tracking_code_required)).collect()
        });
        let fixed = site_types.is_some();
        let required = types.iter().any(|(n, r)| *r && *n == form.session_type);
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
                        if let Some(site) = &mut site {
                            site_ui(ui, site, &rt, reports.clone());
                            ui.add_space(space::L);
                        }
                        start_form_ui(ui, form, fixed, &types, required);
                        ui.add_space(space::L);
                        let label = if starting { t!("start-starting") } else { t!("start-button") };
                        if ui.add_enabled(!starting, egui::Button::new(RichText::new(label).strong())).clicked() {
                            start = true;
                        }
                        if let Some(err) = &form.error {
                            ui.add_space(space::S);
                            ui.colored_label(ui.visuals().error_fg_color, err);
                        }
                        problems_ui(ui, history_problem.as_deref(), settings_problem.as_deref());
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

    pub(super) fn summary_ui(&mut self, ui: &mut egui::Ui) {
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
            if let Some(why) = &s.why {
                ui.label(why);
            }
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
                let names: Vec<String> = s
                    .participants
                    .iter()
                    .map(|p| format!("{} ({})", p.name, deskside_i18n::words::role(p.role)))
                    .collect();
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

/// The session's fields: the CSR's name and organisation (the site's, `fixed`, when signed in),
/// the session type among `types` (name, tracking code required) and the tracking code.
fn start_form_ui(ui: &mut egui::Ui, form: &mut StartForm, fixed: bool, types: &[(String, bool)], required: bool) {
    egui::Grid::new("start-form").num_columns(2).spacing([space::M, space::S + 2.0]).show(ui, |ui| {
        let l = ui.label(t!("start-name"));
        if fixed {
            ui.label(RichText::new(&form.csr_name).strong()).on_hover_text(t!("site-fixed-name")).labelled_by(l.id);
        } else {
            ui.add(TextEdit::singleline(&mut form.csr_name).hint_text(t!("start-name-hint"))).labelled_by(l.id);
        }
        ui.end_row();
        let l = ui.label(t!("start-organisation"));
        if fixed {
            ui.label(RichText::new(&form.organisation).strong()).on_hover_text(t!("site-fixed-name")).labelled_by(l.id);
        } else {
            ui.text_edit_singleline(&mut form.organisation).labelled_by(l.id);
        }
        ui.end_row();
        let l = ui.label(t!("start-session-type"));
        egui::ComboBox::from_id_salt("session-type")
            .selected_text(form.session_type.clone())
            .show_ui(ui, |ui| {
                for (name, _) in types {
                    ui.selectable_value(&mut form.session_type, name.clone(), name);
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
        let l = ui.label(if required { t!("start-tracking-code-required") } else { t!("start-tracking-code") });
        let hint = if required { t!("start-tracking-hint-required") } else { t!("start-tracking-hint") };
        ui.add(TextEdit::singleline(&mut form.tracking_code).hint_text(hint)).labelled_by(l.id);
        ui.end_row();
    });
}

/// The team's site on the start screen: sign in with e-mail and password, or who is signed in
/// with Sign out, and the sessions' reports still waiting to be sent to it (`reports`: how many,
/// and why the last try failed).
fn site_ui(
    ui: &mut egui::Ui,
    site: &mut SiteAccount,
    rt: &tokio::runtime::Handle,
    reports: Option<(u64, Option<String>)>,
) {
    ui.strong(t!("site-heading"));
    if let Some(signed) = &site.signed {
        let words = t!(
            "site-signed-in",
            site = site.name(),
            name = signed.display_name.clone(),
            organisation = signed.organisation.clone()
        );
        let mut out = false;
        ui.horizontal_wrapped(|ui| {
            ui.label(words);
            out = ui.button(t!("site-sign-out")).clicked();
        });
        if out {
            site.sign_out(rt);
        }
    } else {
        let mut go = false;
        egui::Grid::new("site-sign-in").num_columns(2).spacing([space::M, space::S]).show(ui, |ui| {
            let l = ui.label(t!("site-email"));
            ui.add(TextEdit::singleline(&mut site.email).hint_text(t!("site-email-hint"))).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t!("site-password"));
            let r = ui.add(TextEdit::singleline(&mut site.password).password(true)).labelled_by(l.id);
            go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
        });
        let busy = site.signing_in();
        let label = if busy { t!("site-signing-in") } else { t!("site-sign-in") };
        go |= ui.add_enabled(!busy, egui::Button::new(label)).clicked();
        if go && !busy {
            site.sign_in(rt);
        }
    }
    if let Some(e) = &site.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if let Some((waiting, problem)) = reports.filter(|(n, _)| *n > 0) {
        let words = t!("reports-waiting", count = waiting, site = site.name());
        let r = ui.label(RichText::new(words).color(ui.visuals().weak_text_color()));
        r.on_hover_text(t!("reports-waiting-tip"));
        if let Some(why) = problem {
            ui.colored_label(ui.visuals().warn_fg_color, t!("reports-problem", why = why));
        }
    }
}

/// What keeps the console from working fully: the history not kept, the settings unreadable.
fn problems_ui(ui: &mut egui::Ui, history: Option<&str>, settings: Option<&str>) {
    if let Some(why) = history {
        ui.add_space(space::S);
        ui.colored_label(ui.visuals().warn_fg_color, t!("start-history-problem", why = why));
    }
    if let Some(why) = settings {
        ui.add_space(space::S);
        ui.colored_label(ui.visuals().warn_fg_color, t!("start-settings-problem", why = why));
    }
}
