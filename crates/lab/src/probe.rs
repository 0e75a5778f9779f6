//! A ping through the lab: small UDP probes from a machine to an echo on the public network, to
//! check that the lab adds to a line no more delay or loss than its profile says.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::{Lab, Netns, RELAY_IP};

/// What the probes found.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Probes sent.
    pub sent: usize,
    /// The round trip of each probe that came back, shortest first.
    pub round_trips: Vec<Duration>,
}

impl Probe {
    /// Probes lost, in percent of those sent.
    #[must_use]
    pub fn lost_percent(&self) -> f64 {
        if self.sent == 0 {
            return 0.0;
        }
        (self.sent - self.round_trips.len()) as f64 * 100.0 / self.sent as f64
    }

    /// The `p` quantile (0 to 1) of the round trips.
    #[must_use]
    pub fn round_trip(&self, p: f64) -> Option<Duration> {
        let n = self.round_trips.len();
        (n > 0).then(|| self.round_trips[((n - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize])
    }
}

impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |p| self.round_trip(p).map_or_else(|| "-".to_owned(), |d| format!("{:.1}", d.as_secs_f64() * 1000.0));
        write!(
            f,
            "{} probes, {} lost ({:.1} %), round trip min {} / p50 {} / p95 {} / max {} ms",
            self.sent,
            self.sent - self.round_trips.len(),
            self.lost_percent(),
            ms(0.0),
            ms(0.5),
            ms(0.95),
            ms(1.0)
        )
    }
}

/// Time between probes.
const EVERY: Duration = Duration::from_millis(10);

impl Lab {
    /// Sends `count` probes of 64 bytes, 10 ms apart, from `from` to an echo on the public
    /// network and times each answer.
    ///
    /// # Errors
    /// A socket cannot be made in a namespace.
    pub fn probe(&self, from: &Netns, count: usize) -> anyhow::Result<Probe> {
        let echo = socket_in(&self.public, SocketAddr::from((RELAY_IP, 0)))?;
        let to = echo.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let echoing = std::thread::Builder::new().name("lab-echo".into()).spawn(move || {
            let mut buf = [0u8; 64];
            while !stopped.load(Ordering::Relaxed) {
                if let Ok((n, peer)) = echo.recv_from(&mut buf) {
                    let _ = echo.send_to(&buf[..n], peer);
                }
            }
        })?;
        let sock = socket_in(from, SocketAddr::from(([0, 0, 0, 0], 0)))?;
        sock.connect(to)?;
        let start = Instant::now();
        let sender = sock.try_clone()?;
        let sending = std::thread::Builder::new().name("lab-probe".into()).spawn(move || {
            let mut sent_at = Vec::with_capacity(count);
            for seq in 0..count as u32 {
                let mut probe = [0u8; 64];
                probe[..4].copy_from_slice(&seq.to_be_bytes());
                sent_at.push(Instant::now());
                let _ = sender.send(&probe);
                let next = start + EVERY * (seq + 1);
                std::thread::sleep(next.saturating_duration_since(Instant::now()));
            }
            sent_at
        })?;
        // Stragglers: the slowest line's round trip, queue and jitter, and then some.
        let deadline = start + EVERY * count as u32 + Duration::from_secs(2);
        let mut back: Vec<Option<Instant>> = vec![None; count];
        let mut buf = [0u8; 64];
        while Instant::now() < deadline {
            let Ok(n) = sock.recv(&mut buf) else { continue };
            let now = Instant::now();
            if n < 4 {
                continue;
            }
            let seq = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
            if let Some(slot @ None) = back.get_mut(seq) {
                *slot = Some(now);
            }
        }
        stop.store(true, Ordering::Relaxed);
        let sent_at = sending.join().map_err(|_| anyhow::anyhow!("the probe's sender panicked"))?;
        let _ = echoing.join();
        let mut round_trips: Vec<Duration> = sent_at
            .iter()
            .zip(&back)
            .filter_map(|(sent, back)| back.map(|b| b.saturating_duration_since(*sent)))
            .collect();
        round_trips.sort();
        Ok(Probe { sent: count, round_trips })
    }
}

/// A UDP socket of `ns` bound to `at`, reads giving up after 100 ms.
fn socket_in(ns: &Netns, at: SocketAddr) -> anyhow::Result<UdpSocket> {
    let sock = ns.run(move || UdpSocket::bind(at).with_context(|| format!("cannot bind {at}")))?;
    sock.set_read_timeout(Some(Duration::from_millis(100)))?;
    Ok(sock)
}
