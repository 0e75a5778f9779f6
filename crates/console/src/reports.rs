//! The sessions' reports on their way to the team's site. A session the site vouched for is
//! marked in the history with the site's address when it begins; once it ended (or the console
//! found it ended unexpectedly), its report waits in the history until the site confirms it.
//! Nothing is lost: the history keeps the session whatever the site says, and a report is
//! marked sent only after the site answered that it has it. Nothing is sent twice: the site keeps
//! one report per session and CSR, so a resend after a lost answer stores nothing new.
//!
//! [`Schedule`] holds the rules (when to send, how long to wait after a failure; time passed
//! in); [`Outbox`] runs a round on the network runtime and the history's own connection.

use std::path::PathBuf;

use deskside_history::History;
use deskside_i18n::t;
use deskside_net::site::{SiteClient, SiteError};
use tokio::task::JoinHandle;

/// Most reports sent in one round (the next round follows at once when more wait).
pub const BATCH: usize = 20;
/// After a round that sent everything, the history is looked at again this often (a session
/// that ends asks for a round sooner, [`Schedule::soon`]).
pub const IDLE_S: u64 = 300;
/// The first wait after a failure; it doubles up to [`MAX_BACKOFF_S`].
pub const FIRST_BACKOFF_S: u64 = 30;
/// The longest wait between two tries.
pub const MAX_BACKOFF_S: u64 = 30 * 60;

/// How a round went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    /// Reports the site confirmed.
    pub sent: u64,
    /// Reports still waiting after the round.
    pub waiting: u64,
    /// Why the round stopped early, if it did.
    pub failed: Option<RoundError>,
}

/// Why a round stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoundError {
    /// The site did not take a report.
    Site(SiteError),
    /// The history could not be read or marked.
    History(String),
}

/// When the next round runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Not before this time (seconds since the Unix epoch).
    pub next_s: u64,
    backoff_s: u64,
}

impl Default for Schedule {
    fn default() -> Schedule {
        Schedule { next_s: 0, backoff_s: FIRST_BACKOFF_S }
    }
}

impl Schedule {
    /// Whether a round is due at `now_s`.
    #[must_use]
    pub fn due(&self, now_s: u64) -> bool {
        now_s >= self.next_s
    }

    /// A session ended: a round in `after_s` (its last entries reach the history first).
    pub fn soon(&mut self, now_s: u64, after_s: u64) {
        self.next_s = self.next_s.min(now_s + after_s);
    }

    /// Takes a round that ended at `now_s`.
    pub fn handle_round(&mut self, round: &Round, now_s: u64) {
        match &round.failed {
            None => {
                self.backoff_s = FIRST_BACKOFF_S;
                self.next_s = if round.waiting > 0 { now_s } else { now_s + IDLE_S };
            }
            Some(RoundError::Site(SiteError::TooManyAttempts(s))) => self.next_s = now_s + (*s).max(1),
            Some(_) => {
                self.next_s = now_s + self.backoff_s;
                self.backoff_s = (self.backoff_s * 2).min(MAX_BACKOFF_S);
            }
        }
    }
}

/// The reports waiting for one site, and the round under way.
pub struct Outbox {
    history: PathBuf,
    /// When the next round runs.
    pub schedule: Schedule,
    task: Option<JoinHandle<Round>>,
    /// Reports waiting after the last round (none known before the first).
    pub waiting: u64,
    /// Why the last round stopped early, in words.
    pub problem: Option<String>,
}

impl Outbox {
    /// The outbox of the history at `history`.
    #[must_use]
    pub fn new(history: PathBuf) -> Outbox {
        Outbox { history, schedule: Schedule::default(), task: None, waiting: 0, problem: None }
    }

    /// Starts a round when one is due and the CSR is signed in (`token`) to `client`'s site;
    /// takes a round that finished. Returns whether a round is under way.
    pub fn poll(&mut self, rt: &tokio::runtime::Handle, client: &SiteClient, token: Option<&str>, now_s: u64) -> bool {
        if self.task.as_ref().is_some_and(JoinHandle::is_finished)
            && let Some(task) = self.task.take()
        {
            let round = rt.block_on(task).unwrap_or_else(|e| Round {
                sent: 0,
                waiting: self.waiting,
                failed: Some(RoundError::History(e.to_string())),
            });
            self.schedule.handle_round(&round, now_s);
            self.waiting = round.waiting;
            let site = client.host().to_owned();
            self.problem = match round.failed {
                None => None,
                Some(RoundError::History(why)) => Some(t!("reports-history-problem", why = why)),
                Some(RoundError::Site(e)) => Some(crate::site::site_error_words(&e, &site)),
            };
            if round.sent > 0 {
                tracing::info!(sent = round.sent, waiting = round.waiting, "session reports sent to the site");
            }
        }
        if self.task.is_none()
            && self.schedule.due(now_s)
            && let Some(token) = token
        {
            let (path, client, token) = (self.history.clone(), client.clone(), token.to_owned());
            self.task = Some(rt.spawn(round(path, client, token, now_s * 1000)));
        }
        self.task.is_some()
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, deskside_history::HistoryError> + Send + 'static,
) -> Result<T, RoundError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| RoundError::History(e.to_string())),
        Err(e) => Err(RoundError::History(e.to_string())),
    }
}

/// One round: up to [`BATCH`] waiting reports, oldest first, each marked once the site has it.
async fn round(path: PathBuf, client: SiteClient, token: String, now_ms: u64) -> Round {
    let site = client.address().to_owned();
    let (p, s) = (path.clone(), site.clone());
    let pending = blocking(move || {
        let h = History::open(&p, now_ms)?;
        let keys = h.unreported(&s, BATCH)?;
        keys.into_iter()
            .filter_map(|k| h.report(k).map(|r| r.map(|r| (k, r))).transpose())
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    let pending = match pending {
        Ok(p) => p,
        Err(e) => return Round { sent: 0, waiting: 0, failed: Some(e) },
    };
    let mut sent = 0;
    let mut failed = None;
    for (key, report) in pending {
        match client.report(&token, &report).await {
            Ok(_) => {
                let p = path.clone();
                if let Err(e) = blocking(move || History::open(&p, now_ms)?.reported(key, now_ms)).await {
                    failed = Some(e);
                    break;
                }
                sent += 1;
            }
            // The site refused this one report (it judged it invalid): it stays in the history
            // and is offered again later; the others go on.
            Err(SiteError::Refused(why)) => {
                tracing::warn!(session = report.uid, "the site refused a session report: {why}");
                failed = Some(RoundError::Site(SiteError::Refused(why)));
            }
            Err(e) => {
                failed = Some(RoundError::Site(e));
                break;
            }
        }
    }
    let waiting = blocking(move || History::open(&path, now_ms)?.unreported_count(&site)).await;
    match waiting {
        Ok(waiting) => Round { sent, waiting, failed },
        Err(e) => Round { sent, waiting: 0, failed: failed.or(Some(e)) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(waiting: u64, failed: Option<RoundError>) -> Round {
        Round { sent: 1, waiting, failed }
    }

    #[test]
    fn rounds_follow_each_other_while_reports_wait_and_back_off_after_failures() {
        let mut s = Schedule::default();
        assert!(s.due(0), "the first round runs at once");
        s.handle_round(&round(3, None), 100);
        assert!(s.due(100), "more wait: the next round follows");
        s.handle_round(&round(0, None), 100);
        assert_eq!(s.next_s, 100 + IDLE_S);
        s.soon(150, 2);
        assert_eq!(s.next_s, 152, "a session that ended is sent soon");
        let down = || Some(RoundError::Site(SiteError::Unreachable("no route".into())));
        s.handle_round(&round(1, down()), 200);
        assert_eq!(s.next_s, 200 + FIRST_BACKOFF_S);
        s.handle_round(&round(1, down()), 300);
        assert_eq!(s.next_s, 300 + 2 * FIRST_BACKOFF_S, "the wait doubles");
        for _ in 0..20 {
            s.handle_round(&round(1, down()), 400);
        }
        assert_eq!(s.next_s, 400 + MAX_BACKOFF_S, "up to its bound");
        s.handle_round(&round(1, Some(RoundError::Site(SiteError::TooManyAttempts(90)))), 500);
        assert_eq!(s.next_s, 590, "the site's own wait is kept");
        s.handle_round(&round(0, None), 600);
        s.handle_round(&round(1, down()), 700);
        assert_eq!(s.next_s, 700 + FIRST_BACKOFF_S, "a round that worked starts the waits over");
    }
}
