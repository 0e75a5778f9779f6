//! A private virtual X display: tests, benchmarks and the demo start one so they neither need nor
//! disturb a real desktop.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A running Xvfb, stopped when dropped.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb with one `width` x `height` 24-bit screen on a free display number.
    pub fn start(width: u32, height: u32) -> std::io::Result<Xvfb> {
        let base = 200 + (std::process::id() % 400) * 8;
        for _ in 0..40 {
            let n = base + NEXT.fetch_add(1, Ordering::SeqCst) % 3000;
            if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let mut child = Command::new("Xvfb")
                .arg(format!(":{n}"))
                .args(["-screen", "0", &format!("{width}x{height}x24"), "-nolisten", "tcp", "-ac"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            let socket = format!("/tmp/.X11-unix/X{n}");
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if child.try_wait()?.is_some() {
                    break; // That display was taken; try the next.
                }
                if Path::new(&socket).exists() {
                    return Ok(Xvfb { child, display: format!(":{n}") });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err(std::io::Error::other("could not start Xvfb on any display number"))
    }

    /// The display name, for `DISPLAY`.
    #[must_use]
    pub fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
