//! Deskside's platform seam: what the agent needs from the machine it runs on.
//!
//! - [`ScreenSource`]: frames of the screen. [`ScrapSource`] captures the real display with
//!   scrap (X11 shared memory on Linux, DXGI on Windows, Core Graphics on macOS);
//!   [`SyntheticSource`] paints a known pattern for tests.
//! - [`InputSink`]: where the CSR's input lands. [`EnigoSink`] injects it with enigo (`XTest` on
//!   Linux); [`RecordingSink`] keeps it for tests.
//! - [`xvfb`]: a private virtual X display for tests, benchmarks and the demo (Unix only).
//!
//! scrap and enigo are themselves the per-platform seams: this crate holds no other
//! platform-specific code, and the agent knows nothing below these traits.

mod capture;
mod inject;
#[cfg(unix)]
pub mod xvfb;

pub use capture::{ScrapSource, ScreenSource, SyntheticSource};
pub use inject::{EnigoSink, InputSink, RecordingSink};

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
