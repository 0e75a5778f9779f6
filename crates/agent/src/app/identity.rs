//! Who is behind the invite, as far as the agent can tell: a distinct "Verified" mark, with the
//! names the organisation's certificate gives and the site that vouches for them, only when the
//! certificate holds against that site's keys; otherwise what the console says of itself, under
//! a plain warning.

use deskside_i18n::t;
use deskside_proto::cert::{CertError, Identity, Unverified};
use egui::RichText;

use super::PreviewState;

/// The mark's colour: a calm green, legible in light and dark.
const VERIFIED: egui::Color32 = egui::Color32::from_rgb(0x1e, 0x8e, 0x3e);

/// What the console says of itself (not believed unless verified).
pub(super) struct Said<'a> {
    /// The CSR's name.
    pub csr_name: &'a str,
    /// Their organisation.
    pub organisation: &'a str,
    /// The session type.
    pub session_type: &'a str,
}

/// Shows `identity`: verified, the certificate's names; not, `said` and the warning. `heading`
/// shows the name large (before joining).
pub(super) fn identity_ui(ui: &mut egui::Ui, identity: &Identity, said: &Said<'_>, heading: bool) {
    match identity {
        Identity::Verified { body, site } => {
            if heading {
                ui.label(RichText::new(&body.csr_name).heading());
            }
            egui::Frame::new()
                .stroke(egui::Stroke::new(1.5, VERIFIED))
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(8, 4))
                .show(ui, |ui| {
                    let words = t!(
                        "agent-verified",
                        name = body.csr_name.clone(),
                        organisation = body.organisation.clone(),
                        site = site.clone()
                    );
                    ui.horizontal_wrapped(|ui| {
                        tick(ui);
                        ui.label(RichText::new(words).color(VERIFIED).strong())
                            .on_hover_text(t!("agent-verified-tip", site = site.clone()));
                    });
                });
            if !body.session_type.is_empty() {
                ui.label(RichText::new(&body.session_type).small());
            }
        }
        Identity::Unverified(why) => {
            if heading {
                ui.label(RichText::new(said.csr_name).heading());
            }
            if !said.organisation.is_empty() {
                ui.label(format!("{} · {}", said.organisation, said.session_type));
            }
            let warning = ui.colored_label(ui.visuals().warn_fg_color, t!("agent-unverified"));
            warning.on_hover_text(unverified_words(*why));
        }
    }
}

/// The verified mark: a tick drawn in the mark's colour (no font is needed for it).
fn tick(ui: &mut egui::Ui) {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    let p = |x: f32, y: f32| rect.left_top() + egui::vec2(x * rect.width(), y * rect.height());
    let stroke = egui::Stroke::new(2.0, VERIFIED);
    ui.painter().line_segment([p(0.15, 0.55), p(0.4, 0.8)], stroke);
    ui.painter().line_segment([p(0.4, 0.8), p(0.85, 0.2)], stroke);
}

/// Why it is not verified, for the customer who asks (hovering the warning).
fn unverified_words(why: Unverified) -> String {
    match why {
        Unverified::NoSite => t!("agent-unverified-no-site"),
        Unverified::NoCertificate => t!("agent-unverified-no-certificate"),
        Unverified::Refused(CertError::Expired | CertError::NotYetValid) => t!("agent-unverified-expired"),
        Unverified::Refused(_) => t!("agent-unverified-forged"),
    }
}

/// Who the customer is about to let in, as the host says, with the words to check aloud.
pub(super) fn preview_ui(ui: &mut egui::Ui, state: Option<&PreviewState>, words: &str, again: &mut bool) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        match state {
            None => {}
            Some(PreviewState::Checking(_)) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t!("agent-preview-checking"));
                });
            }
            Some(PreviewState::Ready(p)) => {
                ui.label(t!("agent-preview-about-to"));
                let said = Said {
                    csr_name: &p.preview.csr_name,
                    organisation: &p.preview.organisation,
                    session_type: &p.preview.session_type,
                };
                identity_ui(ui, &p.identity, &said, true);
            }
            Some(PreviewState::Failed(why, retry)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
                if *retry && ui.button(t!("agent-retry")).clicked() {
                    *again = true;
                }
            }
        }
        ui.label(RichText::new(t!("agent-join-words", words = words)).small());
    });
}
