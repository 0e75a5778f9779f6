//! The benchmark's second process: the agent (joins, allows what is asked, reports its
//! counters) and the video workload's painter.

use std::io::BufRead as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, AgentOptions, start};
use deskside_platform::RecordingSink;
use deskside_proto::Invite;
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass};
use x11rb::wrapper::ConnectionExt as _;

use crate::target::{STAMP_BITS, STAMP_BLOCK, now_ms24, stamp_bits};
use crate::{HEIGHT, Sample, WIDTH, cpu_ticks};

/// The agent role: joins with `link`, allows whatever is asked, and answers `report` on stdin
/// with its connection's byte counts and its CPU time.
pub fn agent(link: &str) -> Result<()> {
    let invite = Invite::parse(link).map_err(|e| anyhow!("{e}"))?;
    // DESKSIDE_BENCH_AGENT_LOG=deskside_agent=debug: what the agent captures and sends, on stderr.
    if let Ok(filter) = std::env::var("DESKSIDE_BENCH_AGENT_LOG") {
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    }
    // Through the lab's relay: trust its certificate, as a team's own CA is trusted.
    if let Some(ca) = std::env::var_os("DESKSIDE_BENCH_RELAY_CA") {
        let pem = std::fs::read(&ca)?;
        deskside_net::transport::trust_relay_certificates(&pem).map_err(|e| anyhow!("{e}"))?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("deskside-net")
        .enable_all()
        .build()?;
    let (stdin_tx, mut stdin_lines) = tokio::sync::mpsc::channel::<String>(4);
    std::thread::Builder::new().name("bench-stdin".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(text) = line else { break };
            if stdin_tx.blocking_send(text).is_err() {
                break;
            }
        }
    })?;
    rt.block_on(async move {
        let opts = AgentOptions {
            input: Arc::new(|| Ok(Box::new(RecordingSink::default()))),
            max_fps: 60,
            ..AgentOptions::this_machine("Bench customer")
        };
        let mut handle = start(invite, opts, Arc::new(|| {})).await.map_err(|e| anyhow!("{e}"))?;
        let me = std::process::id().to_string();
        loop {
            tokio::select! {
                ev = handle.next_event() => match ev {
                    Some(AgentEvent::Session(Event::ConsentChanged)) => {
                        let pending = handle.gate().consent().pending().map(|p| p.request);
                        if let Some(request) = pending {
                            handle.answer(request, true);
                        }
                    }
                    Some(AgentEvent::Session(Event::Closed(_))) | None => return Ok(()),
                    Some(_) => {}
                },
                input = stdin_lines.recv() => match input.as_deref() {
                    Some("report") => {
                        let s = handle.connection_stats();
                        let sample = Sample { tx_bytes: s.udp_tx.bytes, rx_bytes: s.udp_rx.bytes, cpu_ticks: cpu_ticks(&me) };
                        println!("{}", serde_json::to_string(&sample)?);
                    }
                    Some(_) => {}
                    None => return Ok(()),
                },
            }
        }
    })
}

/// The video workload's painter: a full-screen window repainted 30 times a second with moving,
/// textured content, the way a playing video changes every pixel.
#[allow(clippy::many_single_char_names)] // x, y, w, t: the usual names in pixel code.
pub fn paint() -> Result<()> {
    let (x, screen_num) = x11rb::connect(None)?;
    let screen = &x.setup().roots[screen_num];
    let (root, visual, depth) = (screen.root, screen.root_visual, screen.root_depth);
    let w = x.generate_id()?;
    x.create_window(
        depth,
        w,
        root,
        0,
        0,
        WIDTH as u16,
        HEIGHT as u16,
        0,
        WindowClass::INPUT_OUTPUT,
        visual,
        &CreateWindowAux::new().override_redirect(1),
    )?;
    x.map_window(w)?;
    let gc = x.generate_id()?;
    x.create_gc(gc, w, &CreateGCAux::new())?;
    x.flush()?;
    let rows = 32u32;
    let mut strip = vec![0u8; (WIDTH * rows * 4) as usize];
    let mut stamp = vec![0u8; (STAMP_BLOCK * STAMP_BITS * STAMP_BLOCK * 4) as usize];
    let start = Instant::now();
    // The picture is a sum of three waves, one along x, one along y and one along the diagonal:
    // each is tabulated once a frame, so the painter costs little of the machine it measures.
    let mut along_x = vec![0f32; WIDTH as usize];
    // The last strip of `rows` runs past the bottom edge (X clips it).
    let mut along_y = vec![0f32; (HEIGHT + rows) as usize];
    let mut diagonal = vec![0f32; (WIDTH + HEIGHT + rows) as usize];
    for frame in 0u32.. {
        let tick = Instant::now();
        let t = frame as f32 * 0.08;
        for (i, v) in along_x.iter_mut().enumerate() {
            *v = (i as f32 * 0.01 + t).sin();
        }
        for (i, v) in along_y.iter_mut().enumerate() {
            *v = (i as f32 * 0.013 - t * 1.3).cos();
        }
        for (i, v) in diagonal.iter_mut().enumerate() {
            *v = (i as f32 * 0.005 + t * 0.7).sin();
        }
        for y0 in (0..HEIGHT).step_by(rows as usize) {
            for dy in 0..rows {
                let y = (y0 + dy) as f32;
                for xx in 0..WIDTH {
                    let v = (along_x[xx as usize] + along_y[(y0 + dy) as usize] + diagonal[(xx + y0 + dy) as usize])
                        * 42.0
                        + 128.0;
                    let i = ((dy * WIDTH + xx) * 4) as usize;
                    let n = ((xx ^ (y as u32)).wrapping_mul(2_654_435_761) >> 28) as u8; // grain
                    strip[i] = (v as u8).wrapping_add(n);
                    strip[i + 1] = (255.0 - v) as u8;
                    strip[i + 2] = ((v * 0.5 + 60.0) as u8).wrapping_add(n);
                }
            }
            x.put_image(ImageFormat::Z_PIXMAP, w, gc, WIDTH as u16, rows as u16, 0, y0 as i16, 0, 24, &strip)?;
        }
        // When this picture was made, for the benchmark to read back from the console's.
        let bits = stamp_bits(now_ms24());
        for (i, px) in stamp.chunks_exact_mut(4).enumerate() {
            let bit = (i as u32 % (STAMP_BLOCK * STAMP_BITS)) / STAMP_BLOCK;
            let on = (bits >> (STAMP_BITS - 1 - bit)) & 1 == 1;
            px.copy_from_slice(if on { &[255, 255, 255, 0] } else { &[0, 0, 0, 0] });
        }
        let side = STAMP_BLOCK as u16;
        x.put_image(ImageFormat::Z_PIXMAP, w, gc, side * STAMP_BITS as u16, side, 0, 0, 0, 24, &stamp)?;
        x.sync()?;
        if start.elapsed() > Duration::from_hours(1) {
            break;
        }
        std::thread::sleep(Duration::from_secs_f64(1.0 / 30.0).saturating_sub(tick.elapsed()));
    }
    Ok(())
}
