//! Deskside's network lab, for tests and benchmarks: network namespaces joined by veth pairs, a
//! "public" network (a bridge, 203.0.113.0/24, TEST-NET-3) where the team's relay runs, and
//! virtual home or office routers in front of private networks, made with nftables:
//!
//! - [`Nat::Cone`]: a masquerade whose WAN side drops every packet it did not ask for, a
//!   port-restricted cone NAT (the port a connection leaves on stays the same for every peer,
//!   and only peers it sent to may answer). Without the drop, Linux re-maps the port after the
//!   first unsolicited packet of a punch, and punching fails even here.
//! - [`Nat::Symmetric`]: the same with `fully-random` port mapping: a new public port for each
//!   peer, so no punch can work.
//! - [`Site::block_udp`]: the router drops all UDP from its network (an office firewall), so only
//!   TCP (HTTPS to the relay) leaves.
//!
//! The code runs in the namespaces in-process: [`Netns::runtime`] is a tokio runtime whose every
//! thread has entered the namespace, so every socket made on it is in there. Needs root, `ip`
//! (iproute2) and `nft` (nftables); nothing leaves the lab (the namespaces have no route out).
//! Everything is removed when the [`Lab`] is dropped.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, bail};

/// The relay's address on the public network.
pub const RELAY_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
/// The team's relay token in the lab.
pub const TOKEN: &str = "lab-team-token-5Jk8Qw2Zr7Xv";

/// How a router maps its network's connections to its public address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nat {
    /// Port-restricted cone: one public port per inside port, unsolicited packets dropped.
    Cone,
    /// Symmetric: a new random public port for every peer.
    Symmetric,
}

/// What a site's router lets out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Everything goes out.
    Nothing,
    /// No UDP: only TCP leaves.
    Udp,
    /// Nothing leaves.
    Everything,
}

/// One network namespace of the lab.
#[derive(Clone, Debug)]
pub struct Netns {
    /// Its name (under `/var/run/netns`).
    pub name: String,
}

impl Netns {
    /// Runs `ip` with `args` in this namespace.
    ///
    /// # Errors
    /// `ip` failed, in its own words.
    pub fn ip(&self, args: &[&str]) -> anyhow::Result<()> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run("ip", &all, None)
    }

    /// Runs `program` with `args` in this namespace.
    ///
    /// # Errors
    /// It failed, in its own words.
    pub fn exec(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let mut all = vec!["netns", "exec", &self.name, program];
        all.extend_from_slice(args);
        run("ip", &all, None)
    }

    /// Loads the nftables `rules` into this namespace.
    ///
    /// # Errors
    /// `nft` refused them, in its own words.
    pub fn nft(&self, rules: &str) -> anyhow::Result<()> {
        run("ip", &["netns", "exec", &self.name, "nft", "-f", "-"], Some(rules))
    }

    /// A tokio runtime (two workers) whose every thread is in this namespace: sockets made by
    /// tasks on it are in the lab. Block on it from outside only to wait: a future run by
    /// `block_on` runs on the calling thread, so spawn the work and await its handle.
    ///
    /// # Errors
    /// The namespace cannot be entered.
    pub fn runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        let path = format!("/var/run/netns/{}", self.name);
        let file = std::sync::Arc::new(std::fs::File::open(&path).with_context(|| format!("cannot open {path}"))?);
        let name = self.name.clone();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(format!("lab-{}", self.name))
            .enable_all()
            .on_thread_start(move || {
                // A thread outside the lab would let the code under test talk to the real
                // network: better no thread at all.
                if let Err(e) = rustix::thread::move_into_link_name_space(
                    std::os::fd::AsFd::as_fd(&*file),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                ) {
                    eprintln!("cannot enter the lab's namespace {name}: {e}");
                    std::process::abort();
                }
            })
            .build()
            .context("cannot start a runtime")
    }
}

/// A private network behind a router: the router and one machine on it.
#[derive(Debug)]
pub struct Site {
    /// The router.
    pub router: Netns,
    /// The machine behind it.
    pub machine: Netns,
    /// The router's public address.
    pub public_ip: Ipv4Addr,
    /// The machine's private address.
    pub private_ip: Ipv4Addr,
}

impl Site {
    /// What the router lets out of the site's network from now on.
    ///
    /// # Errors
    /// `nft` refused.
    pub fn block(&self, what: Block) -> anyhow::Result<()> {
        let _ = self.router.exec("nft", &["delete", "table", "inet", "block"]);
        let rule = match what {
            Block::Nothing => return Ok(()),
            Block::Udp => "meta l4proto udp drop",
            Block::Everything => "drop",
        };
        self.router.nft(&format!(
            "table inet block {{\n chain out {{\n  type filter hook forward priority -10; policy accept;\n  \
             iifname \"lan\" {rule}\n }}\n}}\n"
        ))
    }

    /// Gives the machine a new private address (`.3`, then `.4`, ...): its connections leave
    /// from a new address and, through the router, a new public port, as when a laptop moves to
    /// another network.
    ///
    /// # Errors
    /// `ip` refused.
    pub fn move_machine(&mut self) -> anyhow::Result<Ipv4Addr> {
        let [a, b, c, d] = self.private_ip.octets();
        let next = Ipv4Addr::new(a, b, c, d + 1);
        let router = Ipv4Addr::new(a, b, c, 1);
        self.machine.ip(&["addr", "del", &format!("{}/24", self.private_ip), "dev", "eth0"])?;
        self.machine.ip(&["addr", "add", &format!("{next}/24"), "dev", "eth0"])?;
        // Deleting the address took the route with it.
        self.machine.ip(&["route", "replace", "default", "via", &router.to_string()])?;
        self.private_ip = next;
        Ok(next)
    }
}

/// The lab: a public network and what is joined to it. Removed when dropped.
#[derive(Debug)]
pub struct Lab {
    prefix: String,
    /// The public network (where the relay runs, on [`RELAY_IP`]).
    pub public: Netns,
    made: Vec<Netns>,
    next_site: u8,
}

static LABS: AtomicU32 = AtomicU32::new(0);

impl Lab {
    /// A new lab with its public network.
    ///
    /// # Errors
    /// Not root, or `ip` is missing.
    pub fn new() -> anyhow::Result<Lab> {
        let n = LABS.fetch_add(1, Ordering::Relaxed);
        let prefix = format!("dsk{}x{n}", std::process::id() % 100_000);
        let mut lab = Lab { public: Netns { name: String::new() }, prefix, made: Vec::new(), next_site: 1 };
        let public = lab.netns("pub")?;
        public.ip(&["link", "add", "br0", "type", "bridge"])?;
        public.ip(&["addr", "add", &format!("{RELAY_IP}/24"), "dev", "br0"])?;
        public.ip(&["link", "set", "br0", "up"])?;
        lab.public = public;
        Ok(lab)
    }

    fn netns(&mut self, role: &str) -> anyhow::Result<Netns> {
        let ns = Netns { name: format!("{}{role}", self.prefix) };
        run("ip", &["netns", "add", &ns.name], None)
            .context("cannot make a network namespace (the lab needs root and iproute2)")?;
        self.made.push(ns.clone());
        ns.ip(&["link", "set", "lo", "up"])?;
        // IPv4 only: the lab's routers do not route IPv6.
        ns.exec("sysctl", &["-qw", "net.ipv6.conf.all.disable_ipv6=1"])?;
        ns.exec("sysctl", &["-qw", "net.ipv6.conf.default.disable_ipv6=1"])?;
        Ok(ns)
    }

    /// Joins `ns` to the public network at `ip` through a veth pair named `port` on the bridge
    /// and `ifname` in `ns`.
    fn to_public(&self, ns: &Netns, port: &str, ifname: &str, ip: Ipv4Addr) -> anyhow::Result<()> {
        self.public.ip(&["link", "add", port, "type", "veth", "peer", "name", ifname, "netns", &ns.name])?;
        self.public.ip(&["link", "set", port, "master", "br0", "up"])?;
        ns.ip(&["addr", "add", &format!("{ip}/24"), "dev", ifname])?;
        ns.ip(&["link", "set", ifname, "up"])
    }

    /// A machine with its own public address, no router in front.
    ///
    /// # Errors
    /// `ip` failed.
    pub fn public_machine(&mut self, name: &str) -> anyhow::Result<(Netns, Ipv4Addr)> {
        let n = self.next_site;
        self.next_site += 1;
        let ns = self.netns(name)?;
        let ip = Ipv4Addr::new(203, 0, 113, 100 + n);
        self.to_public(&ns, &format!("m{n}"), "eth0", ip)?;
        Ok((ns, ip))
    }

    /// A private network behind a router doing `nat`, with one machine on it.
    ///
    /// # Errors
    /// `ip` or `nft` failed.
    pub fn site(&mut self, name: &str, nat: Nat) -> anyhow::Result<Site> {
        let n = self.next_site;
        self.next_site += 1;
        let router = self.netns(&format!("{name}r"))?;
        let machine = self.netns(name)?;
        let public_ip = Ipv4Addr::new(203, 0, 113, 10 * n);
        self.to_public(&router, &format!("r{n}"), "wan", public_ip)?;
        router.ip(&["link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", &machine.name])?;
        router.ip(&["addr", "add", &format!("10.0.{n}.1/24"), "dev", "lan"])?;
        router.ip(&["link", "set", "lan", "up"])?;
        let private_ip = Ipv4Addr::new(10, 0, n, 2);
        machine.ip(&["addr", "add", &format!("{private_ip}/24"), "dev", "eth0"])?;
        machine.ip(&["link", "set", "eth0", "up"])?;
        machine.ip(&["route", "add", "default", "via", &format!("10.0.{n}.1")])?;
        router.exec("sysctl", &["-qw", "net.ipv4.ip_forward=1"])?;
        let mapping = match nat {
            Nat::Cone => "masquerade",
            Nat::Symmetric => "masquerade fully-random",
        };
        router.nft(&format!(
            "table ip nat {{\n chain post {{\n  type nat hook postrouting priority srcnat; policy accept;\n  \
             oifname \"wan\" {mapping}\n }}\n}}\n\
             table inet filter {{\n chain input {{\n  type filter hook input priority filter; policy accept;\n  \
             iifname \"wan\" ct state established,related accept\n  iifname \"wan\" drop\n }}\n \
             chain routed {{\n  type filter hook forward priority filter; policy drop;\n  \
             iifname \"lan\" oifname \"wan\" accept\n  \
             iifname \"wan\" oifname \"lan\" ct state established,related accept\n }}\n}}\n"
        ))?;
        Ok(Site { router, machine, public_ip, private_ip })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.made.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", &ns.name]).status();
        }
    }
}

/// The lab relay's certificate: one per process, for [`RELAY_IP`] (a test makes every endpoint
/// of its process trust it: `deskside_net::transport::trust_relay_certificates` with
/// [`relay_certificate_pem`]).
struct Certificate {
    cert_pem: String,
    key_pem: String,
}

fn certificate() -> &'static Certificate {
    static CERT: std::sync::OnceLock<Certificate> = std::sync::OnceLock::new();
    CERT.get_or_init(|| {
        let ck = rcgen::generate_simple_self_signed(vec![RELAY_IP.to_string()]).expect("a certificate");
        Certificate { cert_pem: ck.cert.pem(), key_pem: ck.signing_key.serialize_pem() }
    })
}

/// The lab relay's certificate (PEM), for endpoints to trust.
#[must_use]
pub fn relay_certificate_pem() -> &'static str {
    &certificate().cert_pem
}

/// The team's relay on the lab's public network: HTTPS on 443 and QUIC address discovery on
/// 7842 (the ports endpoints expect), plain HTTP on 80, admitting [`TOKEN`].
pub struct LabRelay {
    running: Option<deskside_relay::Running>,
    runtime: Option<tokio::runtime::Runtime>,
    _dir: TempDir,
}

impl LabRelay {
    /// Starts it in `lab`'s public network.
    ///
    /// # Errors
    /// It could not start, in its words.
    pub async fn start(lab: &Lab) -> anyhow::Result<LabRelay> {
        let dir = TempDir::new()?;
        let cert = certificate();
        std::fs::write(dir.0.join("relay.crt"), &cert.cert_pem)?;
        std::fs::write(dir.0.join("relay.key"), &cert.key_pem)?;
        let at = |port| SocketAddr::new(IpAddr::V4(RELAY_IP), port);
        let cfg = deskside_relay::Config {
            http_bind: at(80),
            tls: Some(deskside_relay::TlsFiles {
                https_bind: at(443),
                quic_bind: at(7842),
                cert_chain: dir.0.join("relay.crt"),
                key: dir.0.join("relay.key"),
            }),
            tokens: vec![TOKEN.into()],
            limits: deskside_relay::LimitsFile::default(),
        };
        let runtime = lab.public.runtime()?;
        let running = runtime.spawn(async move { deskside_relay::start(&cfg).await }).await??;
        Ok(LabRelay { running: Some(running), runtime: Some(runtime), _dir: dir })
    }

    /// Its URL.
    #[must_use]
    pub fn url(&self) -> String {
        format!("https://{RELAY_IP}")
    }

    /// Stops it (a relay that crashes or is switched off).
    pub async fn kill(&mut self) {
        if let (Some(running), Some(rt)) = (self.running.take(), &self.runtime) {
            let _ = rt.spawn(running.shutdown()).await;
        }
    }
}

impl Drop for LabRelay {
    fn drop(&mut self) {
        drop(self.running.take());
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A temporary folder, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "deskside-lab-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(program: &str, args: &[&str], input: Option<&str>) -> anyhow::Result<()> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().with_context(|| format!("cannot run {program} (the lab needs it)"))?;
    if let Some(text) = input {
        use std::io::Write as _;
        child.stdin.take().context("no stdin")?.write_all(text.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("{program} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
