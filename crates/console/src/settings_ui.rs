//! The settings screen: the CSR edits a copy of the settings and saves it whole, or cancels.

use deskside_i18n::{Lang, t};
use egui::{RichText, TextEdit};

use crate::settings::{MAX_SESSION_TYPES, Problem, SessionType, Settings};
use crate::theme::{ThemeChoice, space};

/// The settings being edited.
pub struct SettingsDraft {
    /// The values as edited so far.
    pub settings: Settings,
    /// The port as typed.
    pub port: String,
    /// The relays as typed, one a line.
    pub relays: String,
    /// Why the last Save did not happen.
    pub error: Option<String>,
}

/// What the settings screen asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum SettingsAction {
    /// Nothing yet.
    None,
    /// Close without saving.
    Cancel,
    /// Save these settings and close.
    Save(Settings),
}

/// A problem in words.
#[must_use]
pub fn problem_words(p: Problem) -> String {
    match p {
        Problem::Name => t!("settings-problem-name"),
        Problem::Organisation => t!("settings-problem-organisation"),
        Problem::NoTypes => t!("settings-problem-no-types"),
        Problem::TypeName => t!("settings-problem-type-name"),
        Problem::DuplicateType => t!("settings-problem-duplicate-type"),
        Problem::TooManyTypes => t!("settings-problem-too-many-types", max = MAX_SESSION_TYPES),
        Problem::Relay => t!("settings-problem-relay", max = deskside_proto::invite::MAX_RELAYS),
        Problem::RelayToken => t!("settings-problem-relay-token"),
        Problem::Site => t!("settings-problem-site"),
    }
}

impl SettingsDraft {
    /// A draft of `current`.
    #[must_use]
    pub fn new(current: &Settings) -> SettingsDraft {
        SettingsDraft {
            settings: current.clone(),
            port: current.port.to_string(),
            relays: current.relays.join("\n"),
            error: None,
        }
    }

    /// Draws the screen.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> SettingsAction {
        let mut action = SettingsAction::None;
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("settings-scroll").show(ui, |ui| {
                ui.add_space(space::L);
                ui.heading(t!("settings-title"));
                ui.add_space(space::M);
                let s = &mut self.settings;
                egui::Grid::new("settings-form").num_columns(2).spacing([space::M, space::S + 2.0]).show(ui, |ui| {
                    let l = ui.label(t!("settings-name"));
                    ui.add(TextEdit::singleline(&mut s.display_name).hint_text(t!("start-name-hint")))
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(t!("settings-organisation"));
                    ui.text_edit_singleline(&mut s.organisation).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(t!("settings-language"));
                    let system = t!("settings-language-system", name = Lang::system().native_name());
                    let shown = s.language.map_or_else(|| system.clone(), |l| l.native_name().to_owned());
                    egui::ComboBox::from_id_salt("settings-language")
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut s.language, None, system);
                            for lang in Lang::ALL {
                                ui.selectable_value(&mut s.language, Some(lang), lang.native_name());
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(t!("settings-theme"));
                    let theme_name = |c: ThemeChoice| match c {
                        ThemeChoice::System => t!("settings-theme-system"),
                        ThemeChoice::Light => t!("settings-theme-light"),
                        ThemeChoice::Dark => t!("settings-theme-dark"),
                    };
                    egui::ComboBox::from_id_salt("settings-theme")
                        .selected_text(theme_name(s.theme))
                        .show_ui(ui, |ui| {
                            for c in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
                                ui.selectable_value(&mut s.theme, c, theme_name(c));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label(t!("settings-port"));
                    ui.add(TextEdit::singleline(&mut self.port).desired_width(80.0))
                        .labelled_by(l.id)
                        .on_hover_text(t!("settings-port-tip"));
                    ui.end_row();
                    let l = ui.label(t!("settings-relays"));
                    ui.add(TextEdit::multiline(&mut self.relays).desired_rows(2).desired_width(320.0))
                        .labelled_by(l.id)
                        .on_hover_text(t!("settings-relays-tip"));
                    ui.end_row();
                    let l = ui.label(t!("settings-relay-token"));
                    ui.add(TextEdit::singleline(&mut s.relay_token).password(true).desired_width(320.0))
                        .labelled_by(l.id)
                        .on_hover_text(t!("settings-relay-token-tip"));
                    ui.end_row();
                    let l = ui.label(t!("settings-site"));
                    ui.add(TextEdit::singleline(&mut s.site).hint_text(t!("settings-site-hint")).desired_width(320.0))
                        .labelled_by(l.id)
                        .on_hover_text(t!("settings-site-tip"));
                    ui.end_row();
                });
                ui.add_space(space::L);
                ui.strong(t!("settings-session-types"));
                ui.weak(t!("settings-session-types-explain"));
                let mut remove = None;
                for (i, st) in s.session_types.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        ui.add(TextEdit::singleline(&mut st.name).desired_width(240.0)).widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::TextInput,
                                true,
                                t!("settings-type-name", number = i + 1),
                            )
                        });
                        ui.checkbox(&mut st.tracking_code_required, t!("settings-type-required"));
                        if ui.button(t!("settings-type-remove")).clicked() {
                            remove = Some(i);
                        }
                    });
                }
                if let Some(i) = remove {
                    s.session_types.remove(i);
                }
                if ui
                    .add_enabled(s.session_types.len() < MAX_SESSION_TYPES, egui::Button::new(t!("settings-type-add")))
                    .clicked()
                {
                    s.session_types.push(SessionType::new("", false));
                }
                ui.add_space(space::L);
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                    ui.add_space(space::S);
                }
                ui.horizontal(|ui| {
                    if ui.button(RichText::new(t!("settings-save")).strong()).clicked() {
                        action = self.check();
                    }
                    if ui.button(t!("settings-cancel")).clicked() {
                        action = SettingsAction::Cancel;
                    }
                });
            });
        });
        action
    }

    fn check(&mut self) -> SettingsAction {
        let Ok(port) = self.port.trim().parse::<u16>() else {
            self.error = Some(t!("settings-problem-port"));
            return SettingsAction::None;
        };
        let mut s = self.settings.clone();
        s.port = port;
        s.relays = self.relays.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        s.relay_token = s.relay_token.trim().to_owned();
        s.site = s.site.trim().trim_end_matches('/').to_owned();
        s.display_name = s.display_name.trim().to_owned();
        s.organisation = s.organisation.trim().to_owned();
        for st in &mut s.session_types {
            st.name = st.name.trim().to_owned();
        }
        if let Some(p) = s.problem() {
            self.error = Some(problem_words(p));
            return SettingsAction::None;
        }
        self.error = None;
        SettingsAction::Save(s)
    }
}
