//! How much of the screen may be on its way to the console at once (the customer's side).
//!
//! QUIC takes whatever is written into its buffers and sends it as fast as the path allows; on a
//! slow line a screen stream written as fast as frames come queues seconds of stale pictures in
//! front of the next change, and a key press waits behind all of them. So the console says
//! which frame it has shown ([`deskside_proto::ScreenAck`]), and the agent writes a new frame only
//! while what is unacknowledged is under a budget: the rate the console's acknowledgements show
//! over the path's shortest round trip plus a little ([`SLACK_MS`]), never under [`FLOOR`]. The
//! capture waits meanwhile, so the frame written next is of the screen as it is then.
//!
//! Sans-IO: the writer reports what it wrote ([`Flight::handle_written`]), the acknowledgements
//! and the path's round trip come in ([`Flight::handle_ack`], [`Flight::handle_rtt`]), time is
//! passed in, and [`Flight::poll_may_send`] says whether the next frame may go.

use std::collections::VecDeque;

/// Least budget, bytes: a frame of a few tiles always fits, and an unmeasured line starts here.
pub const FLOOR: u64 = 64 * 1024;
/// Added to the round trip for the budget: room for the console's decoding and the
/// acknowledgement's own way, and for the rate to grow (the budget is always a little more than
/// one round trip of what is delivered).
pub const SLACK_MS: u64 = 40;
/// With nothing acknowledged for this long (an acknowledgement lost, or a console that never
/// sends them), one more frame goes anyway; its acknowledgement covers all before it.
pub const STALL_MS: u64 = 250;
/// Frames remembered unacknowledged, at most (older ones count as delivered).
const MAX_OUT: usize = 256;
/// How long a measured rate, or a round trip, is remembered.
const WINDOW_MS: u64 = 2_000;
/// How long the shortest round trip is remembered.
const RTT_WINDOW_MS: u64 = 10_000;

#[derive(Clone, Copy, Debug)]
struct Sent {
    frame: u64,
    /// Bytes written on the stream up to and including this frame.
    end: u64,
    at_ms: u64,
}

/// The screen stream's frames in flight, and what the path has been seen to carry.
#[derive(Debug, Default)]
pub struct Flight {
    stream: Option<u64>,
    out: VecDeque<Sent>,
    written: u64,
    delivered: u64,
    /// When something was last written or acknowledged.
    progress_ms: u64,
    /// When the last acknowledgement came.
    acked_ms: Option<u64>,
    /// Delivery rate samples, bytes a second, with when they were taken.
    rates: VecDeque<(u64, f64)>,
    /// Round trip samples, milliseconds, with when they were taken.
    rtts: VecDeque<(u64, f64)>,
}

impl Flight {
    /// Nothing in flight, nothing measured.
    #[must_use]
    pub fn new() -> Flight {
        Flight::default()
    }

    /// Frames now go on stream `stream` (a new share): what was in flight on the last one is
    /// forgotten; what the path carries is still known.
    pub fn handle_stream(&mut self, stream: u64) {
        self.forget_stream();
        self.stream = Some(stream);
    }

    /// The screen stream was reset (the share ended): nothing of it is on its way any more.
    pub fn handle_stream_ended(&mut self) {
        self.forget_stream();
    }

    fn forget_stream(&mut self) {
        self.stream = None;
        self.out.clear();
        self.written = 0;
        self.delivered = 0;
        self.acked_ms = None;
    }

    /// Frame `frame`, `bytes` long, was written at `now_ms`.
    pub fn handle_written(&mut self, now_ms: u64, frame: u64, bytes: u64) {
        self.written += bytes;
        self.out.push_back(Sent { frame, end: self.written, at_ms: now_ms });
        while self.out.len() > MAX_OUT {
            if let Some(s) = self.out.pop_front() {
                self.delivered = self.delivered.max(s.end);
            }
        }
        self.progress_ms = now_ms;
    }

    /// The console showed frame `frame` of stream `stream` (and, so, every frame before it).
    /// Returns whether it counted: an acknowledgement of another stream, or of a frame not
    /// written or already acknowledged, changes nothing.
    pub fn handle_ack(&mut self, now_ms: u64, stream: u64, frame: u64) -> bool {
        if self.stream != Some(stream) {
            return false;
        }
        let Some(last) = self.out.iter().rposition(|s| s.frame == frame) else { return false };
        let first_written = self.out[0].at_ms;
        let end = self.out[last].end;
        let acked = end - self.delivered;
        // The bytes this acknowledgement covers, over the time since they began to go: the
        // later of the first one's writing and the acknowledgement before.
        let since = self.acked_ms.map_or(first_written, |a| a.max(first_written));
        let took_ms = now_ms.saturating_sub(since).max(1);
        self.rates.push_back((now_ms, acked as f64 * 1000.0 / took_ms as f64));
        self.delivered = end;
        self.out.drain(..=last);
        self.acked_ms = Some(now_ms);
        self.progress_ms = now_ms;
        forget_before(&mut self.rates, now_ms, WINDOW_MS);
        true
    }

    /// The path's smoothed round trip at `now_ms`, milliseconds.
    pub fn handle_rtt(&mut self, now_ms: u64, rtt_ms: f64) {
        if rtt_ms.is_finite() && rtt_ms >= 0.0 {
            self.rtts.push_back((now_ms, rtt_ms));
            forget_before(&mut self.rtts, now_ms, RTT_WINDOW_MS);
        }
    }

    /// Bytes written and not yet acknowledged.
    #[must_use]
    pub fn in_flight(&self) -> u64 {
        self.written - self.delivered
    }

    /// The highest delivery rate seen lately, bytes a second.
    #[must_use]
    pub fn rate(&self) -> Option<f64> {
        self.rates.iter().map(|(_, r)| *r).reduce(f64::max)
    }

    /// The shortest round trip seen lately, milliseconds.
    #[must_use]
    pub fn min_rtt_ms(&self) -> Option<f64> {
        self.rtts.iter().map(|(_, r)| *r).reduce(f64::min)
    }

    /// Most bytes unacknowledged before the next frame waits.
    #[must_use]
    pub fn budget(&self) -> u64 {
        let Some(rate) = self.rate() else { return FLOOR };
        let rtt = self.min_rtt_ms().unwrap_or(0.0);
        ((rate * (rtt + SLACK_MS as f64) / 1000.0) as u64).max(FLOOR)
    }

    /// Whether the next frame may be written at `now_ms`.
    #[must_use]
    pub fn poll_may_send(&self, now_ms: u64) -> bool {
        self.out.is_empty() || self.in_flight() < self.budget() || now_ms.saturating_sub(self.progress_ms) >= STALL_MS
    }
}

fn forget_before(v: &mut VecDeque<(u64, f64)>, now_ms: u64, window: u64) {
    while v.front().is_some_and(|(t, _)| now_ms.saturating_sub(*t) > window) {
        v.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_goes_at_once_on_an_idle_stream_whatever_its_size() {
        let mut f = Flight::new();
        f.handle_stream(3);
        assert!(f.poll_may_send(0));
        f.handle_written(0, 1, 4_000_000);
        // 4 MB unacknowledged: the next waits.
        assert!(!f.poll_may_send(10));
        // The console showed it after 2 s: 2 MB/s.
        assert!(f.handle_ack(2_000, 3, 1));
        assert_eq!(f.in_flight(), 0);
        assert!(f.poll_may_send(2_000));
        assert_eq!(f.rate(), Some(2_000_000.0));
    }

    #[test]
    fn the_budget_is_the_rate_over_the_shortest_round_trip_plus_slack() {
        let mut f = Flight::new();
        f.handle_stream(3);
        f.handle_rtt(0, 90.0);
        f.handle_rtt(100, 60.0);
        f.handle_rtt(200, 75.0);
        f.handle_written(0, 1, 750_000);
        assert!(f.handle_ack(1_000, 3, 1)); // 750 kB/s: 6 Mbit/s
        // 750 kB/s × (60 + 40) ms.
        assert_eq!(f.budget(), 75_000);
        f.handle_written(1_000, 2, 50_000);
        assert!(f.poll_may_send(1_001));
        f.handle_written(1_001, 3, 50_000);
        assert!(!f.poll_may_send(1_002), "100 kB in flight is over the 75 kB budget");
        // One acknowledgement covers every frame up to it.
        assert!(f.handle_ack(1_150, 3, 3));
        assert_eq!(f.in_flight(), 0);
    }

    #[test]
    fn an_unmeasured_line_starts_at_the_floor() {
        let mut f = Flight::new();
        f.handle_stream(0);
        assert_eq!(f.budget(), FLOOR);
        f.handle_written(0, 1, 10_000);
        assert!(f.poll_may_send(1));
        f.handle_written(1, 2, FLOOR);
        assert!(!f.poll_may_send(2));
    }

    #[test]
    fn a_lost_acknowledgement_holds_the_screen_back_only_briefly() {
        let mut f = Flight::new();
        f.handle_stream(0);
        f.handle_written(0, 1, 1_000_000);
        assert!(!f.poll_may_send(STALL_MS - 1));
        assert!(f.poll_may_send(STALL_MS));
        f.handle_written(STALL_MS, 2, 1_000);
        // The second frame's acknowledgement covers the first.
        assert!(f.handle_ack(STALL_MS + 50, 0, 2));
        assert_eq!(f.in_flight(), 0);
    }

    #[test]
    fn acknowledgements_that_do_not_fit_change_nothing() {
        let mut f = Flight::new();
        f.handle_stream(7);
        f.handle_written(0, 1, 100_000);
        f.handle_written(1, 2, 100_000);
        // Another stream's, a frame never written, a frame from the future.
        assert!(!f.handle_ack(5, 8, 1));
        assert!(!f.handle_ack(5, 7, 0));
        assert!(!f.handle_ack(5, 7, 99));
        assert_eq!(f.in_flight(), 200_000);
        assert!(f.handle_ack(6, 7, 1));
        // Already acknowledged.
        assert!(!f.handle_ack(7, 7, 1));
        assert_eq!(f.in_flight(), 100_000);
        // A new share forgets the old stream's frames.
        f.handle_stream_ended();
        assert_eq!(f.in_flight(), 0);
        assert!(f.poll_may_send(8));
        f.handle_stream(9);
        assert!(!f.handle_ack(8, 7, 2));
    }

    #[test]
    fn what_is_never_acknowledged_is_bounded() {
        let mut f = Flight::new();
        f.handle_stream(1);
        for i in 0..10_000u64 {
            f.handle_written(i * 300, i, 10);
        }
        assert!(f.out.len() <= MAX_OUT);
        assert!(f.in_flight() <= MAX_OUT as u64 * 10);
    }
}
