//! Whether the line reduces the customer's picture (the customer's side), so that the CSR's
//! console can say so in words: "Slow connection: the picture is reduced".
//!
//! The agent reduces the picture when the line carries less than the screen needs: the screen's
//! flow control ([`crate::flight`]) holds captures back, so pictures come less often and a
//! video's pictures are coded coarser. Each capture says whether it waited for the line
//! ([`Reduced::handle_capture`]). Over the last [`WINDOW_MS`], the state turns on when at least
//! half the captures were limited, over at least [`ON_MS`] of them (a moment's burst is not a slow
//! line); it turns off when under a quarter were, and not before it has been on for [`HOLD_MS`]
//! (the words do not flicker). [`Reduced::poll_changed`] says when to tell the console.

use std::collections::VecDeque;

/// The captures judged: those of this last stretch of time.
pub const WINDOW_MS: u64 = 2_000;
/// Limited captures must span at least this long to turn the state on.
pub const ON_MS: u64 = 1_000;
/// Once on, the state stays on at least this long.
pub const HOLD_MS: u64 = 3_000;
/// Captures remembered, at most (a capture thread makes at most 60 a second).
const MAX_CAPTURES: usize = 256;

/// The state, sans-IO: captures in, changes out, time passed in.
#[derive(Debug, Default)]
pub struct Reduced {
    /// The captures of the window: when, and whether limited.
    captures: VecDeque<(u64, bool)>,
    /// Since when the state is on.
    on_since_ms: Option<u64>,
    /// The state last reported, if any.
    told: Option<bool>,
}

impl Reduced {
    /// A state that starts as "not reduced", untold.
    #[must_use]
    pub fn new() -> Reduced {
        Reduced::default()
    }

    /// A capture at `now_ms`, `limited` when it waited for the line.
    pub fn handle_capture(&mut self, now_ms: u64, limited: bool) {
        self.captures.push_back((now_ms, limited));
        if self.captures.len() > MAX_CAPTURES {
            self.captures.pop_front();
        }
        self.handle_time(now_ms);
    }

    /// Time passes (also without captures: a still screen after a slow moment).
    pub fn handle_time(&mut self, now_ms: u64) {
        while self.captures.front().is_some_and(|(t, _)| now_ms.saturating_sub(*t) > WINDOW_MS) {
            self.captures.pop_front();
        }
        let total = self.captures.len();
        let limited: Vec<u64> = self.captures.iter().filter(|(_, l)| *l).map(|(t, _)| *t).collect();
        let span = limited.last().zip(limited.first()).map_or(0, |(b, a)| b - a);
        match self.on_since_ms {
            None if limited.len() * 2 >= total && span >= ON_MS => self.on_since_ms = Some(now_ms),
            Some(since) if limited.len() * 4 < total.max(1) && now_ms.saturating_sub(since) >= HOLD_MS => {
                self.on_since_ms = None;
            }
            _ => {}
        }
    }

    /// Whether the picture is reduced now.
    #[must_use]
    pub fn is_reduced(&self) -> bool {
        self.on_since_ms.is_some()
    }

    /// The state, once each time it changes from what was last told.
    pub fn poll_changed(&mut self) -> Option<bool> {
        let now = self.is_reduced();
        if self.told == Some(now) || (self.told.is_none() && !now) {
            return None;
        }
        self.told = Some(now);
        Some(now)
    }

    /// A new screen stream: the console knows nothing of this state yet.
    pub fn handle_stream(&mut self) {
        self.told = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captures every `every` ms from `from` to `to`, limited as `limited(i)` says.
    fn captures(r: &mut Reduced, from: u64, to: u64, every: u64, limited: impl Fn(usize) -> bool) {
        for (i, t) in (from..to).step_by(every as usize).enumerate() {
            r.handle_capture(t, limited(i));
        }
    }

    #[test]
    fn a_moment_or_now_and_then_of_waiting_says_nothing() {
        let mut r = Reduced::new();
        // Half a second of waiting for the line.
        captures(&mut r, 0, 500, 50, |_| true);
        captures(&mut r, 500, 5_000, 33, |_| false);
        assert!(!r.is_reduced());
        // One capture in five waits, for seconds (a far line's bursts).
        captures(&mut r, 5_000, 15_000, 33, |i| i % 5 == 0);
        assert!(!r.is_reduced());
        assert_eq!(r.poll_changed(), None);
    }

    #[test]
    fn a_slow_line_turns_it_on_once_and_recovery_turns_it_off_once() {
        let mut r = Reduced::new();
        // Most captures wait, for over a second: reduced.
        captures(&mut r, 0, 1_300, 100, |i| i % 3 != 0);
        assert!(r.is_reduced());
        assert_eq!(r.poll_changed(), Some(true));
        assert_eq!(r.poll_changed(), None, "said once");
        // Recovered: still said for a while (no flicker), then off, said once.
        captures(&mut r, 1_300, 3_000, 33, |_| false);
        assert!(r.is_reduced(), "held");
        captures(&mut r, 3_000, 4_200, 33, |_| false);
        assert!(!r.is_reduced());
        assert_eq!(r.poll_changed(), Some(false));
        assert_eq!(r.poll_changed(), None);
    }

    #[test]
    fn a_still_screen_after_a_slow_moment_lets_it_go() {
        let mut r = Reduced::new();
        captures(&mut r, 0, 1_500, 100, |_| true);
        assert!(r.is_reduced());
        // No captures at all for a while (nothing changes on the screen).
        r.handle_time(2_000);
        assert!(r.is_reduced());
        r.handle_time(5_000);
        assert!(!r.is_reduced());
    }

    #[test]
    fn a_new_stream_is_told_again() {
        let mut r = Reduced::new();
        captures(&mut r, 0, 1_100, 100, |_| true);
        assert_eq!(r.poll_changed(), Some(true));
        r.handle_stream();
        assert_eq!(r.poll_changed(), Some(true), "the new stream's console learns it too");
        // A fresh state is not reduced, and has nothing to say.
        let mut fresh = Reduced::new();
        fresh.handle_stream();
        assert_eq!(fresh.poll_changed(), None);
    }

    #[test]
    fn remembers_a_bounded_number_of_captures() {
        let mut r = Reduced::new();
        captures(&mut r, 0, 2_000, 1, |_| false);
        assert!(r.captures.len() <= MAX_CAPTURES);
    }
}
