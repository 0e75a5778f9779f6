//! The look of both apps: every colour and spacing the UI uses comes from here, for the light and
//! the dark theme.

use egui::{Color32, Style, Theme, Visuals};
use serde::{Deserialize, Serialize};

/// The theme the CSR chose.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Follow the system's light or dark setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Colours with a meaning, for one theme.
#[derive(Clone, Copy, Debug)]
pub struct Tokens {
    /// Something good: a grant, a healthy link, viewing.
    pub ok: Color32,
    /// Waiting on someone, or a fair link.
    pub waiting: Color32,
    /// A problem: a poor link, an error.
    pub danger: Color32,
    /// A capability not granted (icons shown faintly).
    pub off: Color32,
    /// The accent of selected tools and focus.
    pub accent: Color32,
    /// Text on the accent.
    pub on_accent: Color32,
    /// The background of the session's state banner.
    pub banner_bg: Color32,
    /// The customer's sharing bar: it says something of theirs is shared, and must not be
    /// missed.
    pub sharing_bar: Color32,
    /// Text on the sharing bar.
    pub on_sharing_bar: Color32,
}

/// The light theme's colours.
pub const LIGHT: Tokens = Tokens {
    ok: Color32::from_rgb(0x1E, 0x7B, 0x45),
    waiting: Color32::from_rgb(0x9A, 0x5B, 0x00),
    danger: Color32::from_rgb(0xB3, 0x26, 0x1E),
    off: Color32::from_rgb(0xA8, 0xAD, 0xB4),
    accent: Color32::from_rgb(0x1F, 0x5F, 0xBF),
    on_accent: Color32::WHITE,
    banner_bg: Color32::from_rgb(0xEE, 0xF2, 0xF7),
    sharing_bar: Color32::from_rgb(0xB0, 0x2A, 0x2A),
    on_sharing_bar: Color32::WHITE,
};

/// The dark theme's colours.
pub const DARK: Tokens = Tokens {
    ok: Color32::from_rgb(0x5F, 0xCB, 0x8A),
    waiting: Color32::from_rgb(0xF0, 0xB4, 0x4C),
    danger: Color32::from_rgb(0xFF, 0x7B, 0x72),
    off: Color32::from_rgb(0x5C, 0x62, 0x6B),
    accent: Color32::from_rgb(0x4C, 0x8D, 0xF0),
    on_accent: Color32::WHITE,
    banner_bg: Color32::from_rgb(0x26, 0x2B, 0x33),
    sharing_bar: Color32::from_rgb(0xB0, 0x2A, 0x2A),
    on_sharing_bar: Color32::WHITE,
};

/// Spacing, in points.
pub mod space {
    /// Between a heading and its content.
    pub const XXS: f32 = 2.0;
    /// Between related items.
    pub const XS: f32 = 4.0;
    /// Between items in a group.
    pub const S: f32 = 8.0;
    /// Between groups.
    pub const M: f32 = 12.0;
    /// Around a section.
    pub const L: f32 = 16.0;
    /// Above a screen's title.
    pub const XL: f32 = 32.0;
    /// Width of the start and settings forms.
    pub const FORM_WIDTH: f32 = 420.0;
    /// Default width of the session's side panel.
    pub const SIDE_PANEL: f32 = 340.0;
}

/// The colours for what `ui` is drawn in.
#[must_use]
pub fn tokens(ui: &egui::Ui) -> &'static Tokens {
    if ui.visuals().dark_mode { &DARK } else { &LIGHT }
}

fn style(theme: Theme, style: &mut Style) {
    let t = match theme {
        Theme::Dark => &DARK,
        Theme::Light => &LIGHT,
    };
    style.visuals = match theme {
        Theme::Dark => Visuals::dark(),
        Theme::Light => Visuals::light(),
    };
    style.visuals.selection.bg_fill = t.accent;
    style.visuals.selection.stroke.color = t.on_accent;
    style.visuals.hyperlink_color = t.accent;
    style.visuals.warn_fg_color = t.waiting;
    style.visuals.error_fg_color = t.danger;
    style.spacing.item_spacing = egui::vec2(space::S, space::XS + 2.0);
    style.spacing.button_padding = egui::vec2(space::S, space::XS);
    style.spacing.interact_size.y = 24.0;
}

/// Applies the tokens to both of egui's themes and picks the one `choice` says.
pub fn apply(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.style_mut_of(Theme::Light, |s| style(Theme::Light, s));
    ctx.style_mut_of(Theme::Dark, |s| style(Theme::Dark, s));
    ctx.set_theme(match choice {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}
