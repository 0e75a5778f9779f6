//! Application windows, for "view one application" and "control one application": which windows
//! the customer has open, where one of them is, which parts of it other windows cover, and
//! whether it has the keyboard focus.
//!
//! The shared picture is the window's rectangle cut out of the screen with every covered part
//! painted black ([`window_pixels`]): pixels of other windows or of the desktop are never sent,
//! even where they overlap the shared window.

use std::sync::{Arc, Mutex};

use deskside_codec::{FrameRef, Rect};

use crate::PlatformError;

/// Longest window title kept, in characters (titles come from other programs).
pub const MAX_TITLE_CHARS: usize = 80;

/// One application window the customer may choose to share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowInfo {
    /// The platform's number for it.
    pub id: u64,
    /// Its title, printable and bounded.
    pub title: String,
}

/// Where a window is right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowView {
    /// Its area, in screen pixels, clipped to the screen.
    pub rect: Rect,
    /// Parts of it that other windows cover, relative to `rect`'s corner.
    pub covered: Vec<Rect>,
    /// Whether it has the keyboard focus.
    pub focused: bool,
}

impl WindowView {
    /// Whether the screen point `(x, y)` shows this window: inside it and not covered.
    #[must_use]
    pub fn shows(&self, x: i32, y: i32) -> bool {
        let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y)) else {
            return false;
        };
        let inside = |r: &Rect, x: u32, y: u32| x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
        inside(&self.rect, x, y) && !self.covered.iter().any(|c| inside(c, x - self.rect.x, y - self.rect.y))
    }
}

/// The customer's application windows.
pub trait Windows: Send {
    /// The windows the customer may choose from, front-most first.
    fn list(&mut self) -> Result<Vec<WindowInfo>, PlatformError>;

    /// Where window `id` is now; `None` once it is closed or hidden.
    fn view(&mut self, id: u64) -> Result<Option<WindowView>, PlatformError>;

    /// Where the pointer is, in screen pixels.
    fn pointer(&mut self) -> Result<(i32, i32), PlatformError>;
}

/// Copies the part of `frame` that shows the window into `out` (tightly packed BGRX,
/// `rect.w * rect.h * 4` bytes) with every covered part black. `false` if the window's rectangle
/// does not fit the frame (nothing is copied then).
pub fn window_pixels(frame: &FrameRef<'_>, view: &WindowView, out: &mut Vec<u8>) -> bool {
    let r = view.rect;
    if r.w == 0 || r.h == 0 || r.x + r.w > frame.width || r.y + r.h > frame.height {
        return false;
    }
    let row = r.w as usize * 4;
    out.clear();
    out.reserve(row * r.h as usize);
    for y in r.y..r.y + r.h {
        let start = y as usize * frame.stride + r.x as usize * 4;
        match frame.data.get(start..start + row) {
            Some(line) => out.extend_from_slice(line),
            None => return false,
        }
    }
    for c in &view.covered {
        let (x0, y0) = (c.x.min(r.w), c.y.min(r.h));
        let (x1, y1) = ((c.x + c.w).min(r.w), (c.y + c.h).min(r.h));
        for y in y0..y1 {
            let line = y as usize * row;
            out[line + x0 as usize * 4..line + x1 as usize * 4].fill(0);
        }
    }
    true
}

/// The windows (front-most first) and the pointer of [`FixedWindows`].
type Desk = (Vec<(WindowInfo, WindowView)>, (i32, i32));

/// Windows a test sets: clones share them.
#[derive(Clone, Default)]
pub struct FixedWindows {
    state: Arc<Mutex<Desk>>,
}

impl FixedWindows {
    /// Sets the windows (front-most first) and where the pointer is.
    pub fn set(&self, windows: Vec<(WindowInfo, WindowView)>, pointer: (i32, i32)) {
        if let Ok(mut s) = self.state.lock() {
            *s = (windows, pointer);
        }
    }
}

impl Windows for FixedWindows {
    fn list(&mut self) -> Result<Vec<WindowInfo>, PlatformError> {
        Ok(self.state.lock().map(|s| s.0.iter().map(|(i, _)| i.clone()).collect()).unwrap_or_default())
    }

    fn view(&mut self, id: u64) -> Result<Option<WindowView>, PlatformError> {
        Ok(self.state.lock().ok().and_then(|s| s.0.iter().find(|(i, _)| i.id == id).map(|(_, v)| v.clone())))
    }

    fn pointer(&mut self) -> Result<(i32, i32), PlatformError> {
        Ok(self.state.lock().map(|s| s.1).unwrap_or_default())
    }
}

/// The part of the edges `left..right`, `top..bottom` (screen pixels, possibly off the screen)
/// that lies on a `width` x `height` screen; `None` when nothing does.
#[must_use]
pub fn on_screen(left: i32, top: i32, right: i32, bottom: i32, width: u32, height: u32) -> Option<Rect> {
    let (w, h) = (width as i32, height as i32);
    let (x0, y0) = (left.clamp(0, w), top.clamp(0, h));
    let (x1, y1) = (right.clamp(0, w), bottom.clamp(0, h));
    (x1 > x0 && y1 > y0).then(|| Rect { x: x0 as u32, y: y0 as u32, w: (x1 - x0) as u32, h: (y1 - y0) as u32 })
}

/// The part of `window` that `other` covers, relative to `window`'s corner; `None` when they do
/// not overlap.
#[must_use]
pub fn covered_part(window: Rect, other: Rect) -> Option<Rect> {
    let (x0, y0) = (other.x.max(window.x), other.y.max(window.y));
    let (x1, y1) = ((other.x + other.w).min(window.x + window.w), (other.y + other.h).min(window.y + window.h));
    (x1 > x0 && y1 > y0).then(|| Rect { x: x0 - window.x, y: y0 - window.y, w: x1 - x0, h: y1 - y0 })
}

/// A title from another program, made printable and bounded.
#[must_use]
pub fn clean_title(raw: &str) -> String {
    let t: String = raw.chars().filter(|c| !c.is_control()).take(MAX_TITLE_CHARS).collect();
    t.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_are_cut_to_the_screen_and_to_each_other() {
        assert_eq!(on_screen(-10, 5, 30, 500, 100, 80), Some(Rect { x: 0, y: 5, w: 30, h: 75 }));
        assert_eq!(on_screen(120, 0, 200, 10, 100, 80), None, "right of the screen");
        assert_eq!(on_screen(10, 10, 10, 20, 100, 80), None, "no width");
        let window = Rect { x: 10, y: 10, w: 50, h: 40 };
        let over = Rect { x: 40, y: 0, w: 100, h: 20 };
        assert_eq!(covered_part(window, over), Some(Rect { x: 30, y: 0, w: 20, h: 10 }));
        assert_eq!(covered_part(window, Rect { x: 60, y: 10, w: 5, h: 5 }), None, "beside, touching");
    }

    #[test]
    fn covered_parts_are_black_and_nothing_outside_is_copied() {
        // A 6x4 screen whose pixels say where they are.
        let (w, h) = (6u32, 4u32);
        let data: Vec<u8> = (0..h).flat_map(|y| (0..w).flat_map(move |x| [x as u8 + 1, y as u8 + 1, 9, 0])).collect();
        let frame = FrameRef { width: w, height: h, stride: w as usize * 4, data: &data };
        let view = WindowView {
            rect: Rect { x: 1, y: 1, w: 4, h: 2 },
            covered: vec![Rect { x: 2, y: 0, w: 5, h: 1 }],
            focused: true,
        };
        let mut out = Vec::new();
        assert!(window_pixels(&frame, &view, &mut out));
        let px: Vec<[u8; 4]> = out.chunks_exact(4).map(|p| [p[0], p[1], p[2], p[3]]).collect();
        assert_eq!(
            px,
            vec![
                [2, 2, 9, 0],
                [3, 2, 9, 0],
                [0, 0, 0, 0],
                [0, 0, 0, 0],
                [2, 3, 9, 0],
                [3, 3, 9, 0],
                [4, 3, 9, 0],
                [5, 3, 9, 0]
            ]
        );
        // A window reaching past the screen is not copied at all.
        let off = WindowView { rect: Rect { x: 4, y: 0, w: 4, h: 1 }, ..view.clone() };
        assert!(!window_pixels(&frame, &off, &mut out));
        assert!(view.shows(2, 2) && view.shows(4, 2));
        assert!(!view.shows(3, 1), "covered");
        assert!(!view.shows(0, 1) && !view.shows(5, 1) && !view.shows(-1, 1), "outside");
    }

    #[test]
    fn titles_are_printable_and_bounded() {
        assert_eq!(clean_title(" Mail\u{7} — Inbox\n"), "Mail — Inbox");
        assert_eq!(clean_title(&"x".repeat(500)).chars().count(), MAX_TITLE_CHARS);
    }
}
