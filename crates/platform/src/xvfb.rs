//! A private virtual X display: tests, benchmarks and the demo start one so they neither need nor
//! disturb a real desktop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running Xvfb, stopped when dropped.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb with one `width` x `height` 24-bit screen on a display number Xvfb chooses
    /// itself (`-displayfd`): one another X server holds, or one being started at the same time,
    /// is never taken.
    pub fn start(width: u32, height: u32) -> std::io::Result<Xvfb> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", &format!("{width}x{height}x24"), "-nolisten", "tcp", "-ac"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("Xvfb gave no output"))?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new().name("xvfb-displayfd".into()).spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        })?;
        // Xvfb writes the number once its display accepts clients.
        let line = rx.recv_timeout(Duration::from_secs(15)).unwrap_or_default();
        if let Ok(n) = line.trim().parse::<u32>() {
            return Ok(Xvfb { child, display: format!(":{n}") });
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(std::io::Error::other(format!("Xvfb did not start a display (it said {:?})", line.trim())))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_started_together_are_each_their_own() {
        let (a, b) = (Xvfb::start(64, 48).unwrap(), Xvfb::start(64, 48).unwrap());
        assert_ne!(a.display(), b.display());
        for x in [&a, &b] {
            let n = x.display().trim_start_matches(':');
            assert!(std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists(), "{} accepts clients", x.display());
        }
    }
}
