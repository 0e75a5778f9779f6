//! Deskside's platform seam: what the agent needs from the machine it runs on.
//!
//! - [`ScreenSource`]: frames of the screen and what changed. On Linux, `X11Source` captures
//!   through X11 shared memory and learns what changed from the DAMAGE extension (the fast path);
//!   on Windows `GdiSource` copies the virtual desktop through GDI; `ScrapSource` is the portable
//!   path through scrap elsewhere (Core Graphics on macOS, X11 without shared memory);
//!   [`SyntheticSource`] paints a known pattern for tests. [`primary_screen`] picks.
//! - [`InputSink`]: where the CSR's input lands. [`EnigoSink`] injects it with enigo (`XTest` on
//!   Linux); [`RecordingSink`] keeps it for tests.
//! - [`Windows`]: the customer's application windows, for sharing or controlling one of them
//!   alone; [`window_pixels`] cuts a window out of a frame with everything covering it painted
//!   black. `X11Windows` on Linux, `Win32Windows` on Windows; [`FixedWindows`] for tests.
//! - [`xvfb`]: a private virtual X display for tests, benchmarks and the demo (Unix only).
//!
//! scrap and enigo are the portable seams; the platform-specific modules are `x11` (Linux) and
//! `windows` (Windows, which scrap cannot be cross-compiled for), behind the same traits. The
//! agent knows nothing below these traits.

pub mod app_window;
mod capture;
pub mod files;
mod inject;
pub mod inventory;
pub mod links;
#[cfg(windows)]
mod windows;
#[cfg(target_os = "linux")]
mod x11;
#[cfg(unix)]
pub mod xvfb;

pub use app_window::{FixedWindows, WindowInfo, WindowView, Windows, window_pixels};
#[cfg(not(windows))]
pub use capture::ScrapSource;
pub use capture::{Changes, CursorState, ScreenSource, SyntheticSource, cursor_from_backgrounds};
#[cfg(windows)]
pub use windows::{GdiSource, Win32Windows, link_handler, register_link_handler};
#[cfg(target_os = "linux")]
pub use x11::{X11Source, X11Windows};

/// The machine's primary screen through the best path available: X11 shared memory with damage
/// tracking on Linux when the X server offers it, GDI on Windows, scrap otherwise.
pub fn primary_screen() -> Result<Box<dyn ScreenSource>, PlatformError> {
    #[cfg(windows)]
    {
        Ok(Box::new(GdiSource::open()?))
    }
    #[cfg(not(windows))]
    {
        #[cfg(target_os = "linux")]
        match X11Source::open(None) {
            Ok(s) => return Ok(Box::new(s)),
            Err(e) => tracing::info!("fast X11 capture unavailable ({e}); using scrap"),
        }
        Ok(Box::new(ScrapSource::primary()?))
    }
}
pub use inject::{EnigoSink, InputSink, RecordingSink};

/// The windows of this machine's desktop. On Linux, X11's top-level windows; on Windows, the
/// desktop's; other systems do not offer one-application sharing yet (the agent says so instead
/// of sharing more).
pub fn desktop_windows() -> Result<Box<dyn Windows>, PlatformError> {
    #[cfg(target_os = "linux")]
    {
        Ok(Box::new(X11Windows::open(None)?))
    }
    #[cfg(windows)]
    {
        Ok(Box::new(Win32Windows::open()))
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        Err(PlatformError::Capture("sharing one application is not available on this system yet".into()))
    }
}

/// Why the platform could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// No display to capture (no X server, or no permission).
    #[error("cannot capture the screen: {0}")]
    Capture(String),
    /// Input could not be injected.
    #[error("cannot control the mouse and keyboard: {0}")]
    Inject(String),
}
