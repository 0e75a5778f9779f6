//! Where the benchmark's console and agent meet: a path (direct or through the team's relay) on
//! a network (`lan`, or a line of [`deskside_lab::Profile`] in front of the console's site).

use anyhow::{Context as _, Result, bail};
use deskside_lab::{Lab, LabRelay, Nat, Profile, Site};

/// Where the console and the agent meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Straight from one to the other: loopback QUIC on `lan`, else through the routers once a
    /// punch got through (both behind cone NATs).
    Direct,
    /// Through the team's relay in a NAT lab: the console behind a cone NAT, the agent behind a
    /// symmetric one, so no punch gets through (needs root).
    Relay,
}

impl Path {
    /// Its name on the command line and in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Path::Direct => "direct",
            Path::Relay => "relay",
        }
    }

    /// The path called `name`.
    ///
    /// # Errors
    /// No such path.
    pub fn parse(name: &str) -> Result<Path> {
        match name {
            "direct" => Ok(Path::Direct),
            "relay" => Ok(Path::Relay),
            other => bail!("unknown path {other}: direct or relay"),
        }
    }
}

/// A network the benchmark runs on: `lan` (nothing added), or a line in front of the console's
/// site that everything between console and agent (or relay) crosses once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Network(pub Option<Profile>);

impl Network {
    /// The network called `name`: `lan` or one of [`Profile::NAMES`].
    ///
    /// # Errors
    /// No such network.
    pub fn parse(name: &str) -> Result<Network> {
        if name == "lan" { Ok(Network(None)) } else { Ok(Network(Some(Profile::named(name)?))) }
    }

    /// Its name.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.map_or("lan", |p| p.name)
    }
}

/// What a path needs while it is used: the lab and its relay, and the runtime the console's side
/// runs on.
pub(crate) struct Place {
    pub(crate) rt: Option<tokio::runtime::Runtime>,
    /// The agent process is started in this namespace (none: here).
    pub(crate) agent_ns: Option<String>,
    /// The lab relay's certificate, for the agent process to trust.
    pub(crate) relay_ca: Option<std::path::PathBuf>,
    pub(crate) relays: deskside_net::transport::Relays,
    pub(crate) bind: std::net::SocketAddr,
    pub(crate) relay: Option<LabRelay>,
    /// The console's site (its line, if any, is in it) and the customer's.
    pub(crate) sites: Vec<Site>,
    /// What the lab's probe found through the console's line, printed with the results.
    pub(crate) probe: Option<deskside_lab::Probe>,
    // Dropped last: the namespaces go with it.
    lab: Option<(Lab, tempfile::TempDir)>,
}

impl Place {
    /// CPU ticks of the console's line (threads of this process).
    pub(crate) fn line_ticks(&self) -> u64 {
        self.sites.iter().filter_map(|s| s.wire.as_ref()).map(deskside_lab::Wire::cpu_ticks).sum()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
        self.relay.take();
        self.sites.clear();
        self.lab.take();
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("deskside-net").enable_all().build()
}

pub(crate) fn place(path: Path, network: Network) -> Result<Place> {
    if path == Path::Direct && network.0.is_none() {
        return Ok(Place {
            rt: Some(runtime()?),
            agent_ns: None,
            relay_ca: None,
            relays: deskside_net::transport::Relays::default(),
            bind: "127.0.0.1:0".parse()?,
            relay: None,
            sites: Vec::new(),
            probe: None,
            lab: None,
        });
    }
    let mut lab = crate::lab_trusted()?;
    // The shipped relay binary, a process of its own so its CPU is measured apart. A direct path
    // needs it too: the endpoints learn their public addresses from it and punch through.
    let program = std::env::current_exe()?.with_file_name("deskside-relay");
    anyhow::ensure!(
        program.exists(),
        "{} is missing: cargo build --release -p deskside-relay (cargo xtask bench does)",
        program.display()
    );
    let relay = runtime()?.block_on(LabRelay::start_process(&lab, &program))?;
    let sam = lab.site_on("sam", Nat::Cone, network.0)?;
    let ana = lab.site("ana", if path == Path::Relay { Nat::Symmetric } else { Nat::Cone })?;
    let probe = match network.0 {
        Some(_) => Some(lab.probe(&sam.machine, 200).context("cannot probe the console's line")?),
        None => None,
    };
    let dir = tempfile::tempdir()?;
    let ca = dir.path().join("lab-relay.pem");
    std::fs::write(&ca, deskside_lab::relay_certificate_pem())?;
    Ok(Place {
        rt: Some(sam.machine.runtime()?),
        agent_ns: Some(ana.machine.name.clone()),
        relay_ca: Some(ca),
        relays: deskside_net::transport::Relays {
            urls: vec![relay.url()],
            token: deskside_lab::TOKEN.into(),
            roots: Vec::new(),
        },
        bind: "0.0.0.0:0".parse()?,
        relay: Some(relay),
        sites: vec![sam, ana],
        probe,
        lab: Some((lab, dir)),
    })
}
