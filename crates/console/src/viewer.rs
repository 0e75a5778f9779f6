//! The remote screen viewer: paints the customer's screen scaled to fit, uploading only the
//! regions that changed, and turns the CSR's mouse and keyboard over it into input events in the
//! customer's screen coordinates, whatever the scaling.

use std::sync::Mutex;

use deskside_net::SharedScreen;
use deskside_proto::{InputEvent, Key, Modifiers, MouseButton};
use egui::{Color32, ColorImage, Event, EventFilter, Id, Rect, Sense, TextureHandle, TextureOptions, Vec2, pos2};

/// How the viewer shows the screen and what it sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewOptions {
    /// The CSR controls the customer's mouse (and keyboard, with `keyboard`).
    pub control: bool,
    /// Keys typed over the focused screen go to the customer.
    pub keyboard: bool,
    /// One customer pixel per screen point, scrolled, instead of scaled to fit.
    pub actual_size: bool,
}

/// The viewer's state between frames.
#[derive(Default)]
pub struct Viewer {
    /// The picture, in tiles no larger than the renderer's largest texture (a screen wider than
    /// that, three 4K monitors side by side, say, is several textures): each with its place in
    /// the picture, in pixels.
    tiles: Vec<(TextureHandle, [usize; 4])>,
    generation: u64,
    size: [usize; 2],
    last_pointer: Option<(u32, u32)>,
    /// Scrolling not yet sent, in notches.
    wheel: Vec2,
    /// The customer's pointer picture, and which generation of it.
    cursor: Option<(TextureHandle, [f32; 2], u64)>,
}

/// Scroll distance in points that makes one wheel notch.
const POINTS_PER_NOTCH: f32 = 40.0;
/// Wheel notches in one page of scrolling.
const NOTCHES_PER_PAGE: f32 = 10.0;

/// The viewer widget's id (stable, so keyboard focus survives layout changes).
#[must_use]
pub fn viewer_id() -> Id {
    Id::unique("deskside-remote-viewer")
}

impl Viewer {
    /// Whether a picture of the customer's screen has been received.
    #[must_use]
    pub fn has_picture(&self) -> bool {
        !self.tiles.is_empty()
    }

    /// Forgets the picture: the screen area is empty until a new share sends one.
    pub fn clear(&mut self) {
        *self = Viewer::default();
    }

    /// How many textures the picture is shown with (one unless it is wider or taller than the
    /// renderer allows).
    #[must_use]
    pub fn texture_count(&self) -> usize {
        self.tiles.len()
    }

    /// Shows the screen; with control, returns the input the CSR made over it. `name` is what
    /// screen readers call the picture.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        screen: &Mutex<SharedScreen>,
        opts: ViewOptions,
        name: &str,
    ) -> Vec<InputEvent> {
        self.update_texture(ui.ctx(), screen);
        if self.tiles.is_empty() {
            return Vec::new();
        }
        if opts.actual_size {
            egui::ScrollArea::both()
                .id_salt("viewer-scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| self.picture(ui, screen, opts, name, true))
                .inner
        } else {
            self.picture(ui, screen, opts, name, false)
        }
    }

    fn picture(
        &mut self,
        ui: &mut egui::Ui,
        screen: &Mutex<SharedScreen>,
        opts: ViewOptions,
        name: &str,
        actual_size: bool,
    ) -> Vec<InputEvent> {
        if self.tiles.is_empty() {
            return Vec::new();
        }
        let [w, h] = self.size;
        let (rect, scale) = if actual_size {
            let size = Vec2::new(w as f32, h as f32);
            (ui.allocate_exact_size(size, Sense::hover()).0, 1.0)
        } else {
            let avail = ui.available_size();
            let scale = (avail.x / w as f32).min(avail.y / h as f32).clamp(0.05, 1.0);
            let size = Vec2::new(w as f32 * scale, h as f32 * scale);
            let (outer, _) = ui.allocate_exact_size(avail, Sense::hover());
            (Rect::from_center_size(outer.center(), size), scale)
        };
        let control = opts.control;
        let sense = if control { Sense::click_and_drag() } else { Sense::hover() };
        let response = ui.interact(rect, viewer_id(), sense);
        let name = name.to_owned();
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &name));
        for (tex, [x, y, tw, th]) in &self.tiles {
            let at = rect.min + Vec2::new(*x as f32, *y as f32) * scale;
            let part = Rect::from_min_size(at, Vec2::new(*tw as f32, *th as f32) * scale);
            ui.painter().image(tex.id(), part, Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)), Color32::WHITE);
        }
        self.cursor_ui(ui, screen, rect, scale);
        if !control {
            return Vec::new();
        }
        if response.clicked() || response.drag_started() {
            response.request_focus();
        }
        let keyboard = opts.keyboard && response.has_focus();
        if keyboard {
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    viewer_id(),
                    EventFilter { tab: true, horizontal_arrows: true, vertical_arrows: true, escape: false },
                );
            });
            ui.painter().rect_stroke(rect, 0.0, (2.0, ui.visuals().selection.bg_fill), egui::StrokeKind::Outside);
        }
        let to_remote = |p: egui::Pos2| -> (u32, u32) {
            let x = ((p.x - rect.min.x) / scale).floor().clamp(0.0, (w - 1) as f32);
            let y = ((p.y - rect.min.y) / scale).floor().clamp(0.0, (h - 1) as f32);
            (x as u32, y as u32)
        };
        let mut out = Vec::new();
        if let Some(p) = response.hover_pos() {
            let remote = to_remote(p);
            if self.last_pointer != Some(remote) {
                self.last_pointer = Some(remote);
                out.push(InputEvent::MouseMove { x: remote.0, y: remote.1 });
            }
        }
        let focused = keyboard;
        let hovered = response.hovered();
        let events = ui.input(|i| i.events.clone());
        for ev in events {
            match ev {
                Event::PointerButton { pos, button, pressed, .. } if rect.contains(pos) || !pressed => {
                    let Some(button) = mouse_button(button) else {
                        continue;
                    };
                    if !rect.contains(pos) && self.last_pointer.is_none() {
                        continue;
                    }
                    let remote = to_remote(pos);
                    if self.last_pointer != Some(remote) {
                        self.last_pointer = Some(remote);
                        out.push(InputEvent::MouseMove { x: remote.0, y: remote.1 });
                    }
                    out.push(InputEvent::MouseButton { button, down: pressed });
                }
                Event::MouseWheel { unit, delta, .. } if hovered => {
                    // egui's delta moves the content; the protocol's notches scroll the view
                    // (positive is down), so the sign flips. Fractions (trackpads) accumulate.
                    let per_notch = match unit {
                        egui::MouseWheelUnit::Line => 1.0,
                        egui::MouseWheelUnit::Point => POINTS_PER_NOTCH,
                        egui::MouseWheelUnit::Page => 1.0 / NOTCHES_PER_PAGE,
                    };
                    self.wheel -= delta / per_notch;
                    let (dx, dy) = (self.wheel.x.trunc(), self.wheel.y.trunc());
                    self.wheel -= Vec2::new(dx, dy);
                    if dx != 0.0 || dy != 0.0 {
                        out.push(InputEvent::Wheel {
                            dx: dx.clamp(-100.0, 100.0) as i32,
                            dy: dy.clamp(-100.0, 100.0) as i32,
                        });
                    }
                }
                Event::Key { key, pressed, modifiers, .. } if focused => {
                    if let Some(k) = map_key(key, modifiers) {
                        let modifiers = Modifiers {
                            shift: modifiers.shift,
                            ctrl: modifiers.ctrl,
                            alt: modifiers.alt,
                            meta: modifiers.mac_cmd,
                        };
                        out.push(InputEvent::Key { key: k, down: pressed, modifiers });
                    }
                }
                Event::Text(text) if focused && !text.is_empty() => out.push(InputEvent::Text(text)),
                _ => {}
            }
        }
        out
    }

    /// Draws the customer's pointer where it is, scaled like the picture (the pixels never
    /// contain it).
    fn cursor_ui(&mut self, ui: &egui::Ui, screen: &Mutex<SharedScreen>, rect: Rect, scale: f32) {
        let Ok(s) = screen.lock() else { return };
        if let Some(shape) = &s.cursor_shape
            && self.cursor.as_ref().is_none_or(|c| c.2 != s.cursor_generation)
        {
            let size = [usize::from(shape.width), usize::from(shape.height)];
            let image = ColorImage::from_rgba_premultiplied(size, &shape.rgba);
            let tex = ui.ctx().load_texture("customer-cursor", image, TextureOptions::LINEAR);
            self.cursor = Some((tex, [f32::from(shape.hot_x), f32::from(shape.hot_y)], s.cursor_generation));
        }
        let (Some((x, y)), Some((tex, hot, _))) = (s.cursor, &self.cursor) else { return };
        let size = tex.size_vec2() * scale;
        let at = rect.min + (Vec2::new(x as f32, y as f32) - Vec2::from(*hot)) * scale;
        let r = Rect::from_min_size(at, size);
        if rect.intersects(r) {
            ui.painter().with_clip_rect(rect).image(
                tex.id(),
                r,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
    }

    fn update_texture(&mut self, ctx: &egui::Context, screen: &Mutex<SharedScreen>) {
        let Ok(mut s) = screen.lock() else { return };
        if s.generation == self.generation || s.width == 0 {
            return;
        }
        self.generation = s.generation;
        let (w, h) = (s.width as usize, s.height as usize);
        let (full, rects) = s.take_updates();
        if full || self.size != [w, h] || self.tiles.is_empty() {
            let side = ctx.input(|i| i.max_texture_side).max(64);
            self.tiles = tiles(w, h, side)
                .into_iter()
                .map(|t| {
                    let image = ColorImage::from_rgba_unmultiplied([t[2], t[3]], &cut(&s.rgba, w, t));
                    (ctx.load_texture("customer-screen", image, TextureOptions::LINEAR), t)
                })
                .collect();
            self.size = [w, h];
            return;
        }
        for r in rects {
            let r = [r.x as usize, r.y as usize, r.w as usize, r.h as usize];
            for (tex, t) in &mut self.tiles {
                // The part of the changed rectangle inside this tile, relative to the tile.
                let (x0, y0) = (r[0].max(t[0]), r[1].max(t[1]));
                let (x1, y1) = ((r[0] + r[2]).min(t[0] + t[2]), (r[1] + r[3]).min(t[1] + t[3]));
                if x1 <= x0 || y1 <= y0 {
                    continue;
                }
                let part = [x0, y0, x1 - x0, y1 - y0];
                let image = ColorImage::from_rgba_unmultiplied([part[2], part[3]], &cut(&s.rgba, w, part));
                tex.set_partial([x0 - t[0], y0 - t[1]], image, TextureOptions::LINEAR);
            }
        }
    }
}

/// A `w` x `h` picture cut into tiles of at most `side` pixels a side: `[x, y, width, height]`.
fn tiles(w: usize, h: usize, side: usize) -> Vec<[usize; 4]> {
    let mut out = Vec::new();
    for y in (0..h).step_by(side) {
        for x in (0..w).step_by(side) {
            out.push([x, y, side.min(w - x), side.min(h - y)]);
        }
    }
    out
}

/// The RGBA pixels of `part` (`[x, y, width, height]`) of a picture `w` pixels wide.
fn cut(rgba: &[u8], w: usize, part: [usize; 4]) -> Vec<u8> {
    let [x, y, pw, ph] = part;
    let mut px = Vec::with_capacity(pw * ph * 4);
    for row in y..y + ph {
        let start = (row * w + x) * 4;
        px.extend_from_slice(&rgba[start..start + pw * 4]);
    }
    px
}

fn mouse_button(b: egui::PointerButton) -> Option<MouseButton> {
    match b {
        egui::PointerButton::Primary => Some(MouseButton::Left),
        egui::PointerButton::Secondary => Some(MouseButton::Right),
        egui::PointerButton::Middle => Some(MouseButton::Middle),
        _ => None,
    }
}

/// Maps a key press to a protocol key. Printable keys pressed without Ctrl, Alt or the logo key
/// are left to the text event that egui sends with them, so nothing is typed twice.
fn map_key(key: egui::Key, m: egui::Modifiers) -> Option<Key> {
    use egui::Key as E;
    let chord = m.ctrl || m.alt || m.mac_cmd || m.command;
    Some(match key {
        E::Enter => Key::Enter,
        E::Escape => Key::Escape,
        E::Tab => Key::Tab,
        E::Backspace => Key::Backspace,
        E::Delete => Key::Delete,
        E::Insert => Key::Insert,
        E::Home => Key::Home,
        E::End => Key::End,
        E::PageUp => Key::PageUp,
        E::PageDown => Key::PageDown,
        E::ArrowLeft => Key::ArrowLeft,
        E::ArrowRight => Key::ArrowRight,
        E::ArrowUp => Key::ArrowUp,
        E::ArrowDown => Key::ArrowDown,
        E::Space if chord => Key::Space,
        E::F1 => Key::F(1),
        E::F2 => Key::F(2),
        E::F3 => Key::F(3),
        E::F4 => Key::F(4),
        E::F5 => Key::F(5),
        E::F6 => Key::F(6),
        E::F7 => Key::F(7),
        E::F8 => Key::F(8),
        E::F9 => Key::F(9),
        E::F10 => Key::F(10),
        E::F11 => Key::F(11),
        E::F12 => Key::F(12),
        other if chord => {
            let name = other.name();
            let mut chars = name.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphanumeric() => Key::Char(c.to_ascii_lowercase()),
                _ => return None,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_wider_than_a_texture_is_cut_into_tiles_that_cover_it_once() {
        assert_eq!(tiles(1920, 1080, 8192), vec![[0, 0, 1920, 1080]]);
        let t = tiles(11_520, 2160, 8192);
        assert_eq!(t, vec![[0, 0, 8192, 2160], [8192, 0, 3328, 2160]]);
        let area: usize = tiles(15_360, 9000, 4096).iter().map(|t| t[2] * t[3]).sum();
        assert_eq!(area, 15_360 * 9000);
        let rgba: Vec<u8> = (0..4 * 3 * 4).map(|i| i as u8).collect();
        assert_eq!(cut(&rgba, 4, [1, 1, 2, 1]), rgba[20..28].to_vec());
    }

    #[test]
    fn plain_letters_travel_as_text_chords_as_keys() {
        let none = egui::Modifiers::default();
        assert_eq!(map_key(egui::Key::A, none), None);
        assert_eq!(map_key(egui::Key::A, egui::Modifiers::CTRL), Some(Key::Char('a')));
        assert_eq!(map_key(egui::Key::Num5, egui::Modifiers::ALT), Some(Key::Char('5')));
        assert_eq!(map_key(egui::Key::Enter, none), Some(Key::Enter));
        assert_eq!(map_key(egui::Key::F5, none), Some(Key::F(5)));
        assert_eq!(map_key(egui::Key::Space, none), None);
    }
}
