//! A site's line to the internet with the rate, delay, jitter and loss of a real one, for every
//! packet of every protocol (these machines have no `netem`).
//!
//! The router's WAN interface and its port on the public bridge are two TAP devices instead of a
//! veth pair, and threads of this process pass the Ethernet frames between them: each frame is
//! put through a [`Shaper`] (the rules, sans-IO: time passed in) that says when it leaves, or
//! that it is lost, and a writer thread sends it then. ARP, IPv4, IPv6, UDP and TCP all take the
//! same line, so a direct path between peers is as slow as the path to the relay.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::Netns;

/// One direction of a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    /// Most kilobits per second (the frames' bytes, Ethernet header included).
    pub rate_kbit: u32,
    /// Added to every frame.
    pub one_way: Duration,
    /// Each frame is held up to this much more or less than `one_way` (uniformly at random), but
    /// never overtakes the frame before it, as on one real path.
    pub jitter: Duration,
    /// Frames lost at random, in percent.
    pub loss_percent: f64,
}

/// How long a line's queue may get before frames are dropped: what a home router or a mobile
/// network buffers in front of a slow line.
pub const QUEUE: Duration = Duration::from_millis(100);

/// A site's line: `down` to the site, `up` from it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Profile {
    /// Its name (`dsl`, `4g`, ...).
    pub name: &'static str,
    /// From the internet to the site.
    pub down: Link,
    /// From the site to the internet.
    pub up: Link,
}

impl Profile {
    /// The named lines of `cargo xtask bench --network`.
    pub const NAMES: [&'static str; 4] = ["dsl", "4g", "far", "awful"];

    /// The lossy lines' twins without their random loss, to measure what the loss alone costs.
    pub const LOSSLESS_TWINS: [&'static str; 3] = ["4g-noloss", "far-noloss", "awful-noloss"];

    /// The line called `name`: `dsl` (6/1 Mbit/s, 30 ms one way), `4g` (12/4 Mbit/s, 45 ms, 15 ms
    /// jitter, 1 % loss), `far` (50 Mbit/s, 90 ms, 0.2 % loss: an ocean away) or `awful`
    /// (1.5 Mbit/s, 150 ms, 3 % loss); or one of [`Profile::LOSSLESS_TWINS`], the same line as the
    /// name before `-noloss` but losing nothing at random.
    ///
    /// # Errors
    /// No such line.
    pub fn named(name: &str) -> anyhow::Result<Profile> {
        if let Some(twin) = Profile::LOSSLESS_TWINS.iter().find(|t| **t == name) {
            let line = Profile::named(name.trim_end_matches("-noloss"))?;
            let clean = |l: Link| Link { loss_percent: 0.0, ..l };
            return Ok(Profile { name: twin, down: clean(line.down), up: clean(line.up) });
        }
        let ms = Duration::from_millis;
        let link = |rate_kbit, one_way, jitter, loss_percent| Link {
            rate_kbit,
            one_way: ms(one_way),
            jitter: ms(jitter),
            loss_percent,
        };
        Ok(match name {
            "dsl" => Profile { name: "dsl", down: link(6_000, 30, 0, 0.0), up: link(1_000, 30, 0, 0.0) },
            "4g" => Profile { name: "4g", down: link(12_000, 45, 15, 1.0), up: link(4_000, 45, 15, 1.0) },
            "far" => Profile { name: "far", down: link(50_000, 90, 0, 0.2), up: link(50_000, 90, 0, 0.2) },
            "awful" => Profile { name: "awful", down: link(1_500, 150, 0, 3.0), up: link(1_500, 150, 0, 3.0) },
            other => bail!(
                "unknown network {other}: lan, {}, or a lossless twin: {}",
                Profile::NAMES.join(", "),
                Profile::LOSSLESS_TWINS.join(", ")
            ),
        })
    }

    /// The round trip the line adds, without jitter or queueing.
    #[must_use]
    pub fn round_trip(&self) -> Duration {
        self.down.one_way + self.up.one_way
    }
}

/// What became of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It leaves at this time.
    Leaves(Instant),
    /// Lost at random.
    Lost,
    /// The queue was full.
    Dropped,
}

/// The rules of one direction of a line: a queue in front of a link of `rate_kbit` (frames
/// leave one after another, each taking its bytes' time), then `one_way` (± `jitter`) on the way.
#[derive(Debug)]
pub struct Shaper {
    link: Link,
    /// When the link has sent everything queued so far.
    busy_until: Option<Instant>,
    /// When the last frame passed on leaves (the next never leaves before it).
    last: Option<Instant>,
    rng: u64,
}

impl Shaper {
    /// A line direction; `seed` makes its random losses and jitter repeatable.
    #[must_use]
    pub fn new(link: Link, seed: u64) -> Shaper {
        Shaper { link, busy_until: None, last: None, rng: seed | 1 }
    }

    fn random(&mut self) -> f64 {
        // xorshift64*: repeatable and plenty for losing packets.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A frame of `len` bytes arrived at `now`.
    pub fn handle_frame(&mut self, now: Instant, len: usize) -> Verdict {
        if self.link.loss_percent > 0.0 && self.random() * 100.0 < self.link.loss_percent {
            return Verdict::Lost;
        }
        let start = self.busy_until.map_or(now, |b| b.max(now));
        if start - now > QUEUE {
            return Verdict::Dropped;
        }
        let bits = len as f64 * 8.0;
        let sent = start + Duration::from_secs_f64(bits / (f64::from(self.link.rate_kbit.max(1)) * 1000.0));
        self.busy_until = Some(sent);
        let jitter = self.link.jitter.as_secs_f64();
        let delay = (self.link.one_way.as_secs_f64() + (self.random() * 2.0 - 1.0) * jitter).max(0.0);
        let mut leaves = sent + Duration::from_secs_f64(delay);
        if let Some(last) = self.last {
            leaves = leaves.max(last);
        }
        self.last = Some(leaves);
        Verdict::Leaves(leaves)
    }
}

/// Frames each direction of a [`Wire`] passed, lost and dropped so far.
#[derive(Debug, Default)]
pub struct Counts {
    /// Passed on.
    pub passed: AtomicU64,
    /// Lost at random.
    pub lost: AtomicU64,
    /// Dropped for a full queue.
    pub dropped: AtomicU64,
}

/// A line between two TAP devices, running until dropped.
#[derive(Debug)]
pub struct Wire {
    /// The profile it runs.
    pub profile: Profile,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    tids: Arc<Mutex<Vec<i32>>>,
    /// Down (to the site) and up.
    pub counts: Arc<[Counts; 2]>,
}

type Queue = Arc<(Mutex<VecDeque<(Instant, Vec<u8>)>>, Condvar)>;

/// Most frames held in one direction, whatever the queue's time says.
const HELD: usize = 16_384;

impl Wire {
    /// Makes a TAP device `inside_name` in `inside` (the site's router) and one `outside_name` in
    /// `outside` (the public network), and passes frames between them as `profile` says. Neither
    /// is up or addressed yet.
    ///
    /// # Errors
    /// No `/dev/net/tun`, or a namespace cannot be entered.
    pub fn start(
        inside: &Netns,
        inside_name: &str,
        outside: &Netns,
        outside_name: &str,
        profile: Profile,
    ) -> anyhow::Result<Wire> {
        let inner = Arc::new(tap_in(inside, inside_name)?);
        let outer = Arc::new(tap_in(outside, outside_name)?);
        let stop = Arc::new(AtomicBool::new(false));
        let tids = Arc::new(Mutex::new(Vec::new()));
        let counts: Arc<[Counts; 2]> = Arc::new([Counts::default(), Counts::default()]);
        let mut threads = Vec::new();
        for (i, (from, to, link)) in
            [(outer.clone(), inner.clone(), profile.down), (inner, outer, profile.up)].into_iter().enumerate()
        {
            let queue: Queue = Arc::new((Mutex::new(VecDeque::new()), Condvar::new()));
            let mut shaper = Shaper::new(link, 0x5eed_0000 + i as u64);
            let (q, s, t, c) = (queue.clone(), stop.clone(), tids.clone(), counts.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("wire-read-{i}"))
                    .spawn(move || {
                        note_tid(&t);
                        read_frames(&from, &s, |frame| {
                            let verdict = shaper.handle_frame(Instant::now(), frame.len());
                            let counts = &c[i];
                            match verdict {
                                Verdict::Leaves(at) => {
                                    let (lock, ready) = &*q;
                                    let Ok(mut held) = lock.lock() else { return };
                                    if held.len() < HELD {
                                        held.push_back((at, frame.to_vec()));
                                        ready.notify_one();
                                    } else {
                                        counts.dropped.fetch_add(1, Ordering::Relaxed);
                                    }
                                }
                                Verdict::Lost => {
                                    counts.lost.fetch_add(1, Ordering::Relaxed);
                                }
                                Verdict::Dropped => {
                                    counts.dropped.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        });
                    })
                    .context("cannot start the wire")?,
            );
            let (s, t, c) = (stop.clone(), tids.clone(), counts.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("wire-write-{i}"))
                    .spawn(move || {
                        note_tid(&t);
                        write_frames(&queue, &to, &s, &c[i]);
                    })
                    .context("cannot start the wire")?,
            );
        }
        Ok(Wire { profile, stop, threads, tids, counts })
    }

    /// The CPU time of the wire's threads, in clock ticks (a process that runs a wire and measures
    /// its own CPU takes this off).
    #[must_use]
    pub fn cpu_ticks(&self) -> u64 {
        let tids = self.tids.lock().map(|t| t.clone()).unwrap_or_default();
        tids.iter().map(|tid| crate::cpu_ticks(&format!("self/task/{tid}"))).sum()
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn note_tid(tids: &Mutex<Vec<i32>>) {
    if let Ok(mut t) = tids.lock() {
        t.push(rustix::thread::gettid().as_raw_nonzero().get());
    }
}

/// Reads every frame from `tap` into `each` until `stop`.
fn read_frames(tap: &OwnedFd, stop: &AtomicBool, mut each: impl FnMut(&[u8])) {
    let mut buf = vec![0u8; 65_536];
    let tick = rustix::time::Timespec { tv_sec: 0, tv_nsec: 100_000_000 };
    while !stop.load(Ordering::Relaxed) {
        let mut fds = [rustix::event::PollFd::new(tap, rustix::event::PollFlags::IN)];
        if rustix::event::poll(&mut fds, Some(&tick)).is_err() {
            continue;
        }
        loop {
            match rustix::io::read(tap, &mut buf) {
                Ok(n) if n > 0 => each(&buf[..n]),
                Ok(_) | Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INTR) => break,
                // The device went away (the lab is being taken down).
                Err(_) => return,
            }
        }
    }
}

/// Writes each held frame to `tap` when it is due, until `stop`.
fn write_frames(queue: &Queue, tap: &OwnedFd, stop: &AtomicBool, counts: &Counts) {
    let (lock, ready) = &**queue;
    while !stop.load(Ordering::Relaxed) {
        let due = {
            let Ok(mut held) = lock.lock() else { return };
            while held.is_empty() && !stop.load(Ordering::Relaxed) {
                let Ok((h, _)) = ready.wait_timeout(held, Duration::from_millis(100)) else { return };
                held = h;
            }
            match held.front() {
                Some((at, _)) => *at,
                None => continue,
            }
        };
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let Some((_, frame)) = lock.lock().ok().and_then(|mut h| h.pop_front()) else { continue };
        // A TAP device takes a whole frame or nothing; a full one drops it, as a busy port would.
        if rustix::io::write(tap, &frame).is_ok() {
            counts.passed.fetch_add(1, Ordering::Relaxed);
        } else {
            counts.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A new TAP device called `name` in `ns` (the device lives as long as the descriptor).
fn tap_in(ns: &Netns, name: &str) -> anyhow::Result<OwnedFd> {
    anyhow::ensure!(!name.is_empty() && name.len() < 16, "bad interface name {name}");
    let name = name.to_owned();
    ns.run(move || {
        open_tap(&name).with_context(|| format!("cannot make the TAP device {name} (the lab needs /dev/net/tun)"))
    })
}

/// `struct ifreq` as `TUNSETIFF` takes it: a name and flags, padded to 40 bytes.
#[repr(C)]
struct IfReq {
    name: [u8; 16],
    flags: i16,
    pad: [u8; 22],
}

const IFF_TAP: i16 = 0x0002;
const IFF_NO_PI: i16 = 0x1000;
const TUNSETIFF: rustix::ioctl::Opcode = rustix::ioctl::opcode::write::<i32>(b'T', 202);

#[allow(unsafe_code)]
fn open_tap(name: &str) -> std::io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open("/dev/net/tun", OFlags::RDWR | OFlags::CLOEXEC | OFlags::NONBLOCK, Mode::empty())?;
    let mut req = IfReq { name: [0; 16], flags: IFF_TAP | IFF_NO_PI, pad: [0; 22] };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: TUNSETIFF is `_IOW('T', 202, int)` and reads and writes one `struct ifreq`, which
    // `IfReq` lays out exactly (16 bytes of name, the flags, the rest of the 40-byte union).
    unsafe {
        rustix::ioctl::ioctl(&fd, rustix::ioctl::Updater::<TUNSETIFF, IfReq>::new(&mut req))?;
    }
    Ok(fd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(rate_kbit: u32, one_way_ms: u64) -> Link {
        Link { rate_kbit, one_way: Duration::from_millis(one_way_ms), jitter: Duration::ZERO, loss_percent: 0.0 }
    }

    #[test]
    fn a_frame_leaves_after_its_bytes_time_and_the_delay() {
        let t0 = Instant::now();
        let mut s = Shaper::new(link(8_000, 30), 1);
        // 1000 bytes at 8 Mbit/s: 1 ms on the line, then 30 ms on the way.
        assert_eq!(s.handle_frame(t0, 1000), Verdict::Leaves(t0 + Duration::from_millis(31)));
        // The next waits for the line.
        assert_eq!(s.handle_frame(t0, 1000), Verdict::Leaves(t0 + Duration::from_millis(32)));
        // Later, the line is free again.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(s.handle_frame(t1, 1000), Verdict::Leaves(t1 + Duration::from_millis(31)));
    }

    #[test]
    fn a_full_queue_drops_what_comes_then_takes_frames_again() {
        let t0 = Instant::now();
        let mut s = Shaper::new(link(800, 0), 1); // 10 ms per 1000 bytes
        let mut passed = 0;
        for _ in 0..20 {
            if matches!(s.handle_frame(t0, 1000), Verdict::Leaves(_)) {
                passed += 1;
            }
        }
        // 100 ms of queue: the 11 frames that fit in it (the first starts at once).
        assert_eq!(passed, 11);
        assert_eq!(s.handle_frame(t0, 1000), Verdict::Dropped);
        assert!(matches!(s.handle_frame(t0 + Duration::from_millis(50), 1000), Verdict::Leaves(_)));
    }

    #[test]
    fn loss_is_about_what_the_link_says_and_repeatable() {
        let run = |seed| {
            let mut s = Shaper::new(Link { loss_percent: 3.0, ..link(1_000_000, 0) }, seed);
            let t0 = Instant::now();
            (0..100_000u64).filter(|i| s.handle_frame(t0 + Duration::from_millis(*i), 100) == Verdict::Lost).count()
        };
        let lost = run(7);
        assert!((2_700..3_300).contains(&lost), "{lost} of 100000 lost");
        assert_eq!(run(7), lost);
    }

    #[test]
    fn jitter_spreads_the_delay_but_never_reorders() {
        let t0 = Instant::now();
        let mut s = Shaper::new(Link { jitter: Duration::from_millis(15), ..link(100_000, 45) }, 3);
        let mut previous = t0;
        let (mut least, mut most) = (Duration::MAX, Duration::ZERO);
        for i in 0..2_000u64 {
            let at = t0 + Duration::from_millis(i * 20);
            let Verdict::Leaves(leaves) = s.handle_frame(at, 100) else { panic!("nothing is lost") };
            assert!(leaves >= previous, "frame {i} overtook the one before");
            previous = leaves;
            least = least.min(leaves - at);
            most = most.max(leaves - at);
        }
        assert!(least < Duration::from_millis(32) && least >= Duration::from_millis(30), "least {least:?}");
        assert!(most > Duration::from_millis(58) && most <= Duration::from_millis(61), "most {most:?}");
    }

    #[test]
    fn the_named_lines_are_the_issue_s() {
        let dsl = Profile::named("dsl").unwrap();
        assert_eq!((dsl.down.rate_kbit, dsl.up.rate_kbit), (6_000, 1_000));
        assert_eq!(dsl.round_trip(), Duration::from_millis(60));
        assert!(Profile::named("4g").unwrap().up.jitter > Duration::ZERO);
        assert!(Profile::named("isdn").is_err());
        for twin in Profile::LOSSLESS_TWINS {
            let (clean, lossy) =
                (Profile::named(twin).unwrap(), Profile::named(twin.trim_end_matches("-noloss")).unwrap());
            assert_eq!(clean.name, twin);
            assert_eq!((clean.down.loss_percent, clean.up.loss_percent), (0.0, 0.0));
            assert!(lossy.down.loss_percent > 0.0);
            assert_eq!(
                (clean.down.rate_kbit, clean.round_trip(), clean.up.jitter),
                (lossy.down.rate_kbit, lossy.round_trip(), lossy.up.jitter)
            );
        }
        for name in Profile::NAMES {
            assert_eq!(Profile::named(name).unwrap().name, name);
        }
    }
}
