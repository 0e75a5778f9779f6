//! `deskside-screenbench`: measures screen sharing end to end. Run by `cargo xtask bench`.
//!
//! `deskside-screenbench [--secs N] [--out PATH] [--paths direct,relay] [--network lan,dsl,...]
//! [--congestion bbr,cubic]`
//! coordinates: it starts a private 1920x1080 Xvfb, hosts a session (the console's side, without
//! a window) on loopback QUIC or in a NAT lab (through the team's relay, or punched through
//! the routers; on a network other than `lan`, the console's site has that line: see
//! `deskside_lab::Profile`), starts itself as the agent in a second process (in the lab's
//! customer network there) so each side's CPU is measured apart, and runs the workloads on each
//! path of each network in turn, printed side by side.
//! The roles `agent` and `paint` are that second process and the video workload's painter.
//!
//! The agent role grants itself consent: this binary is a benchmark harness and is never shipped.

use deskside_net::transport::Congestion;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("agent") => {
            if let Some(c) = args.get(2) {
                deskside_net::transport::use_congestion(Congestion::parse(c).map_err(anyhow::Error::msg)?);
            }
            deskside_bench::agent(args.get(1).map_or("", String::as_str))
        }
        Some("paint") => deskside_bench::paint(),
        _ => {
            let mut secs = 20u64;
            let mut out = std::path::PathBuf::from("target/bench/screen.json");
            let mut only: Vec<String> = Vec::new();
            let mut paths = vec![deskside_bench::Path::Direct];
            let mut networks = vec![deskside_bench::Network(None)];
            let mut congestion = vec![Congestion::Bbr];
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--secs" => secs = it.next().and_then(|s| s.parse().ok()).unwrap_or(secs),
                    "--out" => out = it.next().map_or(out, Into::into),
                    "--only" => only = it.next().map(|v| v.split(',').map(str::to_owned).collect()).unwrap_or_default(),
                    "--paths" => paths = list(it.next(), "direct", deskside_bench::Path::parse)?,
                    "--network" => networks = list(it.next(), "lan", deskside_bench::Network::parse)?,
                    "--congestion" => {
                        congestion = list(it.next(), "bbr", |c| Congestion::parse(c).map_err(anyhow::Error::msg))?;
                    }
                    other => {
                        anyhow::bail!(
                            "unknown argument {other}; usage: deskside-screenbench [--secs N] [--out PATH] [--only idle,typing,...] [--paths direct,relay] [--network lan,dsl,4g,far,awful,4g-noloss,far-noloss,awful-noloss] [--congestion bbr,cubic]"
                        )
                    }
                }
            }
            // Each congestion controller in turn, on every network and path (both sides use it).
            for c in &congestion {
                deskside_net::transport::use_congestion(*c);
                println!("\n== QUIC congestion control: {}", c.name());
                let out =
                    if congestion.len() > 1 { out.with_extension(format!("{}.json", c.name())) } else { out.clone() };
                deskside_bench::coordinate(secs, &out, &only, &paths, &networks)?;
            }
            Ok(())
        }
    }
}

/// A comma-separated argument's items, each parsed (`default` when the argument is missing).
fn list<T>(arg: Option<&String>, default: &str, parse: fn(&str) -> anyhow::Result<T>) -> anyhow::Result<Vec<T>> {
    arg.map_or(default, String::as_str).split(',').map(parse).collect()
}
