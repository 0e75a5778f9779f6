//! Screen sources.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskside_codec::{CursorImage, FrameRef, Rect};
use deskside_proto::{MAX_CURSOR_SIDE, MonitorInfo};

use crate::PlatformError;

/// What changed on the screen since the last capture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// The source cannot tell: capture and compare everything.
    Unknown,
    /// Nothing changed within the wait.
    None,
    /// These areas changed (possibly more than changed, never less).
    Areas(Vec<Rect>),
}

/// Something that yields frames of a screen, as 32-bit BGRX pixels.
pub trait ScreenSource {
    /// Waits at most `timeout` for the screen to change and says what changed. Sources that
    /// cannot tell answer [`Changes::Unknown`] at once.
    fn wait_for_change(&mut self, timeout: Duration) -> Result<Changes, PlatformError> {
        let _ = timeout;
        Ok(Changes::Unknown)
    }

    /// The current frame, or `None` when the platform has no new one yet.
    fn capture(&mut self) -> Result<Option<FrameRef<'_>>, PlatformError>;

    /// The monitors that make up the screen, in its pixels; empty when the source cannot tell
    /// (then the whole screen is one).
    fn monitors(&mut self) -> Result<Vec<MonitorInfo>, PlatformError> {
        Ok(Vec::new())
    }

    /// Where the pointer is and, when it changed since the last call, its picture. `None` for
    /// sources that cannot tell.
    fn cursor(&mut self) -> Result<Option<CursorState>, PlatformError> {
        Ok(None)
    }
}

/// The pointer's position and, when it changed, its picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorState {
    /// Pointer x in screen pixels.
    pub x: i32,
    /// Pointer y in screen pixels.
    pub y: i32,
    /// The new picture, if it changed.
    pub shape: Option<CursorImage>,
}

/// A cursor's picture from the same cursor drawn on black and on white (BGRX, `side` square):
/// where the two agree the pixel is opaque; where white shows through, it is transparent by that
/// much. The picture is cut to what the cursor covers. Inverting pixels (the text cursor's XOR)
/// come out as opaque grey rather than inverted, as on other remote-support viewers.
#[must_use]
pub fn cursor_from_backgrounds(black: &[u8], white: &[u8], side: u16, hot_x: u32, hot_y: u32) -> Option<CursorImage> {
    let side_px = usize::from(side);
    if black.len() < side_px * side_px * 4 || white.len() < black.len().min(side_px * side_px * 4) {
        return None;
    }
    let mut rgba = vec![0u8; side_px * side_px * 4];
    let (mut right, mut bottom) = (0usize, 0usize);
    for i in 0..side_px * side_px {
        let (b, w) = (&black[i * 4..i * 4 + 3], &white[i * 4..i * 4 + 3]);
        // Transparency is how much the background shows: white minus black, per channel.
        let through = (0..3).map(|c| w[c].saturating_sub(b[c])).max().unwrap_or(0);
        let alpha = 255 - through;
        if alpha == 0 {
            continue;
        }
        // On black, the drawn colour is already premultiplied by its alpha.
        rgba[i * 4..i * 4 + 4].copy_from_slice(&[b[2], b[1], b[0], alpha]);
        right = right.max(i % side_px + 1);
        bottom = bottom.max(i / side_px + 1);
    }
    if right == 0 {
        return None;
    }
    let (width, height) = (right.min(usize::from(MAX_CURSOR_SIDE)), bottom.min(usize::from(MAX_CURSOR_SIDE)));
    let mut cut = Vec::with_capacity(width * height * 4);
    for row in rgba.chunks_exact(side_px * 4).take(height) {
        cut.extend_from_slice(&row[..width * 4]);
    }
    Some(CursorImage {
        width: width as u16,
        height: height as u16,
        hot_x: (hot_x as u16).min(width as u16 - 1),
        hot_y: (hot_y as u16).min(height as u16 - 1),
        rgba: cut,
    })
}

/// The real screen, through scrap. Not `Send`: create it on the thread that captures.
#[cfg(not(windows))]
pub struct ScrapSource {
    capturer: scrap::Capturer,
    width: u32,
    height: u32,
    /// scrap's frame borrows the capturer only for the call, so it is copied here (reused).
    buf: Vec<u8>,
}

#[cfg(not(windows))]
impl ScrapSource {
    /// Opens the primary display.
    pub fn primary() -> Result<ScrapSource, PlatformError> {
        let display = scrap::Display::primary().map_err(|e| PlatformError::Capture(e.to_string()))?;
        let (width, height) = (display.width() as u32, display.height() as u32);
        let capturer = scrap::Capturer::new(display).map_err(|e| PlatformError::Capture(e.to_string()))?;
        Ok(ScrapSource { capturer, width, height, buf: Vec::new() })
    }
}

#[cfg(not(windows))]
impl ScreenSource for ScrapSource {
    fn capture(&mut self) -> Result<Option<FrameRef<'_>>, PlatformError> {
        let (width, height) = (self.width, self.height);
        match self.capturer.frame() {
            Ok(frame) => {
                self.buf.clear();
                self.buf.extend_from_slice(&frame);
                let stride = self.buf.len() / height.max(1) as usize;
                Ok(Some(FrameRef { width, height, stride, data: &self.buf }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(PlatformError::Capture(e.to_string())),
        }
    }
}

/// A screen whose pixels a test sets. Clones share the same pixels.
#[derive(Clone)]
pub struct SyntheticSource {
    pixels: Arc<Mutex<(u32, u32, Vec<u8>)>>,
    copy: Vec<u8>,
}

impl SyntheticSource {
    /// A `width` x `height` screen filled with `pattern(x, y)` (BGRX).
    pub fn new(width: u32, height: u32, pattern: impl Fn(u32, u32) -> [u8; 4]) -> SyntheticSource {
        let s = SyntheticSource { pixels: Arc::new(Mutex::new((0, 0, Vec::new()))), copy: Vec::new() };
        s.paint(width, height, pattern);
        s
    }

    /// Repaints the whole screen (possibly at a new size).
    pub fn paint(&self, width: u32, height: u32, pattern: impl Fn(u32, u32) -> [u8; 4]) {
        let mut data = Vec::with_capacity(width as usize * height as usize * 4);
        for y in 0..height {
            for x in 0..width {
                data.extend_from_slice(&pattern(x, y));
            }
        }
        if let Ok(mut p) = self.pixels.lock() {
            *p = (width, height, data);
        }
    }

    /// The current pixels: `(width, height, BGRX)`.
    #[must_use]
    pub fn pixels(&self) -> (u32, u32, Vec<u8>) {
        self.pixels.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl ScreenSource for SyntheticSource {
    fn capture(&mut self) -> Result<Option<FrameRef<'_>>, PlatformError> {
        let (width, height) = {
            let p = self.pixels.lock().map_err(|_| PlatformError::Capture("poisoned".into()))?;
            self.copy.clear();
            self.copy.extend_from_slice(&p.2);
            (p.0, p.1)
        };
        Ok(Some(FrameRef { width, height, stride: width as usize * 4, data: &self.copy }))
    }
}

#[cfg(test)]
mod tests {
    use super::cursor_from_backgrounds;

    #[test]
    fn a_cursor_drawn_on_black_and_white_gives_its_colour_and_transparency() {
        // 4x4: one opaque red pixel, one half-transparent white one, the rest transparent.
        let side = 4usize;
        let (mut black, mut white) = (vec![0u8; side * side * 4], vec![255u8; side * side * 4]);
        black[0..4].copy_from_slice(&[0, 0, 255, 0]);
        white[0..4].copy_from_slice(&[0, 0, 255, 0]);
        let i = (side + 1) * 4;
        black[i..i + 4].copy_from_slice(&[128, 128, 128, 0]);
        white[i..i + 4].copy_from_slice(&[255, 255, 255, 0]);
        let img = cursor_from_backgrounds(&black, &white, side as u16, 9, 0).expect("a picture");
        assert_eq!((img.width, img.height, img.hot_x, img.hot_y), (2, 2, 1, 0));
        assert_eq!(&img.rgba[0..4], &[255, 0, 0, 255]);
        assert_eq!(&img.rgba[12..16], &[128, 128, 128, 128]);
        assert_eq!(&img.rgba[4..8], &[0, 0, 0, 0]);
        let (nothing_on_black, nothing_on_white) = (vec![0u8; side * side * 4], vec![255u8; side * side * 4]);
        assert!(
            cursor_from_backgrounds(&nothing_on_black, &nothing_on_white, side as u16, 0, 0).is_none(),
            "all clear"
        );
        assert!(cursor_from_backgrounds(&black[..8], &white, side as u16, 0, 0).is_none(), "short input");
    }
}
