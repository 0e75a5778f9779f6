//! The chat, as both apps show it: whom the next line goes to (when the writer may choose), the
//! lines so far with their time and who wrote them, and a line to write (Enter or Send sends it).

use deskside_i18n::t;
use deskside_proto::{ChatLine, ChatTarget};
use egui::{RichText, ScrollArea, TextEdit};

/// One choice of whom to write to, with its name for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatTo {
    /// Who.
    pub target: ChatTarget,
    /// Their name, or "Everyone".
    pub name: String,
}

/// How a line not written to everyone is marked, in the reader's words.
type Aside<'a> = Box<dyn Fn(ChatTarget) -> String + 'a>;

/// The chat widget. Build it with [`Chat::new`], then [`Chat::show`] it.
pub struct Chat<'a> {
    id: &'a str,
    lines: &'a [ChatLine],
    draft: &'a mut String,
    offset_s: i32,
    to: Option<(&'a mut ChatTarget, Vec<ChatTo>)>,
    aside: Aside<'a>,
    max_height: f32,
    writable: bool,
}

impl<'a> Chat<'a> {
    /// The chat `id` (unique in the window) of `lines`, with the line being written in `draft`,
    /// times shown at `offset_s` from UTC. Lines go to everyone unless [`Chat::to`] says.
    pub fn new(id: &'a str, lines: &'a [ChatLine], draft: &'a mut String, offset_s: i32) -> Chat<'a> {
        Chat {
            id,
            lines,
            draft,
            offset_s,
            to: None,
            aside: Box::new(|_| String::new()),
            max_height: 320.0,
            writable: true,
        }
    }

    /// The writer chooses whom the next line goes to among `choices` (the first is the default).
    #[must_use]
    pub fn to(mut self, to: &'a mut ChatTarget, choices: Vec<ChatTo>) -> Chat<'a> {
        self.to = Some((to, choices));
        self
    }

    /// How a line not to everyone is marked ("to Ana", "(only to you)").
    #[must_use]
    pub fn aside(mut self, aside: impl Fn(ChatTarget) -> String + 'a) -> Chat<'a> {
        self.aside = Box::new(aside);
        self
    }

    /// The tallest the lines may grow before they scroll.
    #[must_use]
    pub fn max_height(mut self, height: f32) -> Chat<'a> {
        self.max_height = height;
        self
    }

    /// Only the lines, nothing to write (the session is over).
    #[must_use]
    pub fn read_only(mut self) -> Chat<'a> {
        self.writable = false;
        self
    }

    /// Draws the chat; the line to send, once the writer sends one (the draft is emptied).
    pub fn show(self, ui: &mut egui::Ui) -> Option<(ChatTarget, String)> {
        let Chat { id, lines, draft, offset_s, mut to, aside, max_height, writable } = self;
        if let Some((to, choices)) = to.as_mut().filter(|_| writable) {
            ui.horizontal(|ui| {
                let l = ui.label(t!("chat-send-to"));
                let chosen = choices.iter().find(|c| c.target == **to).map(|c| c.name.clone()).unwrap_or_default();
                egui::ComboBox::from_id_salt((id, "to"))
                    .selected_text(chosen)
                    .show_ui(ui, |ui| {
                        for c in choices.iter() {
                            ui.selectable_value(*to, c.target, &c.name);
                        }
                    })
                    .response
                    .labelled_by(l.id);
            });
        }
        ScrollArea::vertical().id_salt((id, "lines")).max_height(max_height).stick_to_bottom(true).show(ui, |ui| {
            if lines.is_empty() {
                ui.label(RichText::new(t!("chat-empty")).weak());
            }
            for line in lines {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(deskside_session::clock(line.at_unix_ms, offset_s)).small().weak());
                    ui.label(RichText::new(&line.from_name).strong());
                    if line.to != ChatTarget::Everyone {
                        ui.label(RichText::new(aside(line.to)).small().italics());
                    }
                    ui.label(&line.text);
                });
            }
        });
        if !writable {
            return None;
        }
        let mut send = false;
        ui.horizontal(|ui| {
            let l = ui.label(t!("chat-message"));
            let edit = ui
                .add(
                    TextEdit::singleline(draft)
                        .id_salt((id, "draft"))
                        .hint_text(t!("chat-hint"))
                        .desired_width(ui.available_width() - 70.0),
                )
                .labelled_by(l.id);
            if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                send = true;
                edit.request_focus();
            }
            if ui.button(t!("chat-send")).clicked() {
                send = true;
            }
        });
        if !send || draft.trim().is_empty() {
            return None;
        }
        let target = to.map_or(ChatTarget::Everyone, |(to, _)| *to);
        Some((target, std::mem::take(draft).trim().to_owned()))
    }
}
