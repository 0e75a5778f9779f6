//! Screen sources.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskside_codec::{CursorImage, FrameRef, Rect};
use deskside_proto::MonitorInfo;

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

/// The real screen, through scrap. Not `Send`: create it on the thread that captures.
pub struct ScrapSource {
    capturer: scrap::Capturer,
    width: u32,
    height: u32,
    /// scrap's frame borrows the capturer only for the call, so it is copied here (reused).
    buf: Vec<u8>,
}

impl ScrapSource {
    /// Opens the primary display.
    pub fn primary() -> Result<ScrapSource, PlatformError> {
        let display = scrap::Display::primary().map_err(|e| PlatformError::Capture(e.to_string()))?;
        let (width, height) = (display.width() as u32, display.height() as u32);
        let capturer = scrap::Capturer::new(display).map_err(|e| PlatformError::Capture(e.to_string()))?;
        Ok(ScrapSource { capturer, width, height, buf: Vec::new() })
    }
}

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
