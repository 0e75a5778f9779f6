//! Timing what the CSR notices on a busy screen: a small window on the customer's screen that
//! turns black or white on each key press or click it gets, timed from the injected event to
//! the console's decoded picture showing the new colour (whatever else the screen is doing);
//! and the video painter's time stamp, read back from the console's picture, for how old the
//! picture the CSR sees is.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use deskside_net::SharedScreen;
use x11rb::connection::Connection as _;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ConfigureWindowAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, InputFocus, Rectangle, StackMode,
    WindowClass,
};
use x11rb::protocol::xtest::ConnectionExt as _;

/// The target's place and size on the 1920x1080 screen: bottom right, clear of the workloads'
/// windows.
const AT: (i16, i16) = (1800, 980);
const SIDE: u16 = 64;
/// Time between probes.
const EVERY: Duration = Duration::from_millis(300);
/// Longest wait for the console to show a probe's colour before it counts as missed.
const GIVE_UP: Duration = Duration::from_secs(3);

/// The probes' timings, milliseconds.
#[derive(Debug, Default)]
pub(crate) struct Reactions {
    pub(crate) key_ms: Vec<f64>,
    pub(crate) click_ms: Vec<f64>,
    /// Probes not timed: the console never showed the change within [`GIVE_UP`], or never showed
    /// the target as it was before it.
    pub(crate) missed: usize,
}

/// The probing thread, until [`Prober::finish`].
pub(crate) struct Prober {
    stop: Arc<AtomicBool>,
    tid: Arc<AtomicI32>,
    thread: std::thread::JoinHandle<Result<Reactions>>,
}

impl Prober {
    /// Puts the target on `display` and probes it every [`EVERY`], alternating a key press
    /// (`keycode`) and a click, until finished.
    pub(crate) fn start(display: &str, screen: Arc<Mutex<SharedScreen>>, keycode: u8) -> Result<Prober> {
        let stop = Arc::new(AtomicBool::new(false));
        let tid = Arc::new(AtomicI32::new(0));
        let (s, t, display) = (stop.clone(), tid.clone(), display.to_owned());
        let thread = std::thread::Builder::new().name("bench-probe".into()).spawn(move || {
            t.store(rustix::thread::gettid().as_raw_nonzero().get(), Ordering::Relaxed);
            probe(&display, &screen, keycode, &s)
        })?;
        Ok(Prober { stop, tid, thread })
    }

    /// The probing thread's CPU ticks so far (taken off the console's).
    pub(crate) fn ticks(&self) -> u64 {
        crate::thread_ticks(self.tid.load(Ordering::Relaxed))
    }

    /// Stops probing and gives the timings.
    pub(crate) fn finish(self) -> Result<Reactions> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_err(|_| anyhow::anyhow!("the probing thread panicked"))?
    }
}

/// Whether the console shows `grey` (0 or 255, within lossy coding's error) at the target.
fn shows(screen: &Mutex<SharedScreen>, grey: u8) -> bool {
    let Ok(s) = screen.lock() else { return false };
    let (x, y) = (AT.0 as usize + usize::from(SIDE) / 2, AT.1 as usize + usize::from(SIDE) / 2);
    if !s.active || s.width as usize <= x || s.height as usize <= y {
        return false;
    }
    let i = (y * s.width as usize + x) * 4;
    s.rgba.get(i..i + 3).is_some_and(|p| p.iter().all(|c| c.abs_diff(grey) < 48))
}

fn probe(display: &str, screen: &Mutex<SharedScreen>, keycode: u8, stop: &AtomicBool) -> Result<Reactions> {
    let (x, num) = x11rb::connect(Some(display)).context("the prober cannot reach the display")?;
    let root = x.setup().roots[num].root;
    let (white, black) = (x.setup().roots[num].white_pixel, x.setup().roots[num].black_pixel);
    let w = x.generate_id()?;
    x.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        w,
        root,
        AT.0,
        AT.1,
        SIDE,
        SIDE,
        0,
        WindowClass::INPUT_OUTPUT,
        x11rb::COPY_FROM_PARENT,
        &CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(white)
            .event_mask(EventMask::KEY_PRESS | EventMask::BUTTON_PRESS),
    )?;
    x.map_window(w)?;
    let gc = x.generate_id()?;
    x.create_gc(gc, w, &CreateGCAux::new().foreground(white))?;
    x.flush()?;
    let mut presses = 0u32;
    let grey = |n: u32| if n.is_multiple_of(2) { 255u8 } else { 0 };
    let mut out = Reactions::default();
    let (cx, cy) = (AT.0 + SIDE as i16 / 2, AT.1 + SIDE as i16 / 2);
    for n in 0u32.. {
        let tick = Instant::now();
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let key = n.is_multiple_of(2);
        // Timed only from a console that shows the target as it is now (else a stale picture
        // that happens to have the next colour would count as an instant answer).
        let before = Instant::now();
        while !shows(screen, grey(presses)) && before.elapsed() < GIVE_UP && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(1));
        }
        if !shows(screen, grey(presses)) {
            out.missed += 1;
            continue;
        }
        // Above whatever the workload mapped since.
        x.configure_window(w, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE))?;
        if key {
            x.set_input_focus(InputFocus::POINTER_ROOT, w, x11rb::CURRENT_TIME)?;
            x.xtest_fake_input(2, keycode, 0, root, 0, 0, 0)?; // KeyPress
            x.xtest_fake_input(3, keycode, 0, root, 0, 0, 0)?; // KeyRelease
        } else {
            x.xtest_fake_input(6, 0, 0, root, cx, cy, 0)?; // MotionNotify
            x.xtest_fake_input(4, 1, 0, root, 0, 0, 0)?; // ButtonPress
            x.xtest_fake_input(5, 1, 0, root, 0, 0, 0)?; // ButtonRelease
        }
        x.flush()?;
        let sent = Instant::now();
        // The application's part: the press arrives, it repaints.
        let mut handled = false;
        while !handled && sent.elapsed() < GIVE_UP {
            match x.poll_for_event()? {
                Some(Event::KeyPress(_) | Event::ButtonPress(_)) => {
                    presses += 1;
                    let colour = if grey(presses) == 255 { white } else { black };
                    x.change_gc(gc, &x11rb::protocol::xproto::ChangeGCAux::new().foreground(colour))?;
                    x.poly_fill_rectangle(w, gc, &[Rectangle { x: 0, y: 0, width: SIDE, height: SIDE }])?;
                    x.flush()?;
                    handled = true;
                }
                Some(_) => {}
                None => std::thread::sleep(Duration::from_micros(100)),
            }
        }
        let mut seen = false;
        while handled && sent.elapsed() < GIVE_UP {
            if shows(screen, grey(presses)) {
                seen = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        if seen {
            let ms = sent.elapsed().as_secs_f64() * 1000.0;
            if key { out.key_ms.push(ms) } else { out.click_ms.push(ms) }
        } else {
            out.missed += 1;
        }
        std::thread::sleep(EVERY.saturating_sub(tick.elapsed()));
    }
    Ok(out)
}

/// The painter's time stamp: 24 bits of milliseconds and 8 of check, as 32 blocks of 16x16
/// pixels (white for 1) along the top left of the screen.
pub(crate) const STAMP_BLOCK: u32 = 16;
pub(crate) const STAMP_BITS: u32 = 32;

/// Milliseconds of the wall clock, modulo 2^24 (what a stamp carries).
pub(crate) fn now_ms24() -> u32 {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    (ms & 0xff_ffff) as u32
}

fn check(ms24: u32) -> u32 {
    let [_, a, b, c] = ms24.to_be_bytes();
    u32::from(a ^ b ^ c ^ 0xa5)
}

/// The stamp's 32 bits for `ms24`.
pub(crate) fn stamp_bits(ms24: u32) -> u32 {
    ((ms24 & 0xff_ffff) << 8) | check(ms24 & 0xff_ffff)
}

/// The age in milliseconds of the picture the console shows, from the painter's stamp in it
/// (`None` while no whole stamp shows).
pub(crate) fn picture_age_ms(screen: &Mutex<SharedScreen>) -> Option<u32> {
    let bits = {
        let s = screen.lock().ok()?;
        if !s.active || s.width < STAMP_BLOCK * STAMP_BITS || s.height < STAMP_BLOCK {
            return None;
        }
        let mut bits = 0u32;
        for i in 0..STAMP_BITS {
            let (x, y) = ((i * STAMP_BLOCK + STAMP_BLOCK / 2) as usize, (STAMP_BLOCK / 2) as usize);
            let p = (y * s.width as usize + x) * 4;
            let px = s.rgba.get(p..p + 3)?;
            let light = (u32::from(px[0]) + u32::from(px[1]) + u32::from(px[2])) / 3 > 128;
            bits = (bits << 1) | u32::from(light);
        }
        bits
    };
    let ms24 = bits >> 8;
    (check(ms24) == bits & 0xff).then(|| now_ms24().wrapping_sub(ms24) & 0xff_ffff).filter(|age| *age < 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_and_a_damaged_one_does_not() {
        let ms = now_ms24();
        let bits = stamp_bits(ms);
        assert_eq!(bits >> 8, ms);
        assert_eq!(check(bits >> 8), bits & 0xff);
        // One bit of time wrong: the check no longer matches.
        assert_ne!(check((bits >> 8) ^ 0x10), bits & 0xff);
    }
}
