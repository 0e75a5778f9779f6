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
//! - [`Site::block`]: the router drops all UDP from its network (an office firewall), so only
//!   TCP (HTTPS to the relay) leaves, or everything.
//! - [`Lab::site_on`]: the router's line to the public network has a [`Profile`] (rate, delay,
//!   jitter and loss each way, for every packet): a [`Wire`] of two TAP devices and threads of
//!   this process in place of a veth pair, since these machines have no `netem`. [`Lab::probe`]
//!   checks what a line adds.
//!
//! The code runs in the namespaces in-process: [`Netns::runtime`] is a tokio runtime whose every
//! thread has entered the namespace, so every socket made on it is in there. Needs root, `ip`
//! (iproute2) and `nft` (nftables); nothing leaves the lab (the namespaces have no route out).
//! Everything is removed when the [`Lab`] is dropped.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, bail};

pub mod postgres;
pub mod wine;
pub mod wire;
pub use wire::{Link, Profile, Wire};
mod probe;
pub use probe::Probe;

/// CPU time, in clock ticks, of the process or thread `entry` names under `/proc` (a pid,
/// `self`, or `self/task/TID`); 0 if it cannot be read.
#[must_use]
pub fn cpu_ticks(entry: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{entry}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12) // utime, stime (fields 14 and 15 of the whole line)
}

/// The relay's address on the public network.
pub const RELAY_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
/// The public network's IPv6 prefix (`2001:db8::/64`, the documentation range): the public network
/// and the machines on it have IPv6 too; the private networks behind routers do not.
const PUBLIC_V6: [u16; 4] = [0x2001, 0xdb8, 0, 0];

fn public_v6(host: u16) -> Ipv6Addr {
    let [a, b, c, d] = PUBLIC_V6;
    Ipv6Addr::new(a, b, c, d, 0, 0, 0, host)
}
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

    /// Gives programs started in this namespace (`ip netns exec`) `text` as their `/etc/hosts`:
    /// names for the lab's addresses, with no DNS server. Removed with the lab.
    ///
    /// # Errors
    /// `/etc/netns` cannot be written.
    pub fn hosts(&self, text: &str) -> anyhow::Result<()> {
        let dir = std::path::Path::new("/etc/netns").join(&self.name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("hosts"), text)?;
        Ok(())
    }

    /// Runs `f` on a thread of its own that has entered this namespace, and waits for it: the
    /// sockets and devices it makes are in the lab, and stay there when used from anywhere.
    ///
    /// # Errors
    /// The namespace cannot be entered, the thread not started, or `f` failed.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
        let path = format!("/var/run/netns/{}", self.name);
        let file = std::fs::File::open(&path).with_context(|| format!("cannot open {path}"))?;
        std::thread::Builder::new()
            .name(format!("lab-{}", self.name))
            .spawn(move || {
                rustix::thread::move_into_link_name_space(
                    std::os::fd::AsFd::as_fd(&file),
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .context("cannot enter the lab's namespace")?;
                f()
            })
            .context("cannot start a thread")?
            .join()
            .map_err(|_| anyhow::anyhow!("a thread in the lab's namespace {} panicked", self.name))?
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

/// A machine on the public network.
#[derive(Debug)]
pub struct Machine {
    /// Its namespace.
    pub ns: Netns,
    /// Its IPv4 address.
    pub ip: Ipv4Addr,
    /// Its IPv6 address.
    pub ip6: Ipv6Addr,
}

impl Machine {
    /// Takes its IPv4 address away: it is reached, and reaches others, over IPv6 only.
    ///
    /// # Errors
    /// `ip` refused.
    pub fn drop_ipv4(&self) -> anyhow::Result<()> {
        self.ns.ip(&["addr", "del", &format!("{}/24", self.ip), "dev", "eth0"])
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
    /// The site's line to the internet, when it has a profile.
    pub wire: Option<Wire>,
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
        let public = lab.netns("pub", true)?;
        public.ip(&["link", "add", "br0", "type", "bridge"])?;
        public.ip(&["addr", "add", &format!("{RELAY_IP}/24"), "dev", "br0"])?;
        public.ip(&["addr", "add", &format!("{}/64", public_v6(1)), "dev", "br0", "nodad"])?;
        public.ip(&["link", "set", "br0", "up"])?;
        lab.public = public;
        Ok(lab)
    }

    fn netns(&mut self, role: &str, ipv6: bool) -> anyhow::Result<Netns> {
        let ns = Netns { name: format!("{}{role}", self.prefix) };
        run("ip", &["netns", "add", &ns.name], None)
            .context("cannot make a network namespace (the lab needs root and iproute2)")?;
        self.made.push(ns.clone());
        ns.ip(&["link", "set", "lo", "up"])?;
        if ipv6 {
            // Addresses usable at once, without duplicate detection's wait.
            ns.exec("sysctl", &["-qw", "net.ipv6.conf.all.accept_dad=0"])?;
            ns.exec("sysctl", &["-qw", "net.ipv6.conf.default.accept_dad=0"])?;
        } else {
            // The lab's routers do not route IPv6.
            ns.exec("sysctl", &["-qw", "net.ipv6.conf.all.disable_ipv6=1"])?;
            ns.exec("sysctl", &["-qw", "net.ipv6.conf.default.disable_ipv6=1"])?;
        }
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

    /// A machine with its own public addresses (IPv4 and IPv6), no router in front.
    ///
    /// # Errors
    /// `ip` failed.
    pub fn public_machine(&mut self, name: &str) -> anyhow::Result<Machine> {
        let n = self.next_site;
        self.next_site += 1;
        let ns = self.netns(name, true)?;
        let ip = Ipv4Addr::new(203, 0, 113, 100 + n);
        self.to_public(&ns, &format!("m{n}"), "eth0", ip)?;
        let ip6 = public_v6(0x100 + u16::from(n));
        ns.ip(&["addr", "add", &format!("{ip6}/64"), "dev", "eth0", "nodad"])?;
        Ok(Machine { ns, ip, ip6 })
    }

    /// A private network behind a router doing `nat`, with one machine on it.
    ///
    /// # Errors
    /// `ip` or `nft` failed.
    pub fn site(&mut self, name: &str, nat: Nat) -> anyhow::Result<Site> {
        self.site_on(name, nat, None)
    }

    /// [`Lab::site`] whose router's line to the public network is `line` (its rate, delay,
    /// jitter and loss, for everything the site sends and receives), or the lab's own (which adds
    /// nothing).
    ///
    /// # Errors
    /// `ip` or `nft` failed, or the line cannot be made.
    pub fn site_on(&mut self, name: &str, nat: Nat, line: Option<Profile>) -> anyhow::Result<Site> {
        let n = self.next_site;
        self.next_site += 1;
        let router = self.netns(&format!("{name}r"), false)?;
        let machine = self.netns(name, false)?;
        let public_ip = Ipv4Addr::new(203, 0, 113, 10 * n);
        let port = format!("r{n}");
        let wire = match line {
            None => {
                self.to_public(&router, &port, "wan", public_ip)?;
                None
            }
            Some(profile) => {
                let wire = Wire::start(&router, "wan", &self.public, &port, profile)?;
                self.public.ip(&["link", "set", &port, "master", "br0", "up"])?;
                router.ip(&["addr", "add", &format!("{public_ip}/24"), "dev", "wan"])?;
                router.ip(&["link", "set", "wan", "up"])?;
                Some(wire)
            }
        };
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
        Ok(Site { router, machine, public_ip, private_ip, wire })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.made.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", &ns.name]).status();
            let _ = std::fs::remove_dir_all(std::path::Path::new("/etc/netns").join(&ns.name));
        }
    }
}

/// The lab relays' certificate: one per process, for every [`relay_ip`] (a test makes every endpoint
/// of its process trust it: `deskside_net::transport::trust_relay_certificates` with
/// [`relay_certificate_pem`]).
struct Certificate {
    cert_pem: String,
    key_pem: String,
}

fn certificate() -> &'static Certificate {
    static CERT: std::sync::OnceLock<Certificate> = std::sync::OnceLock::new();
    CERT.get_or_init(|| {
        let names = (1..=3).map(|n| relay_ip(n).to_string()).collect::<Vec<_>>();
        let ck = rcgen::generate_simple_self_signed(names).expect("a certificate");
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
    /// The relay as its own process (`deskside-relay`), when started so.
    process: Option<std::process::Child>,
    ip: Ipv4Addr,
    _dir: TempDir,
}

/// The address of the lab's relay number `n` (1: [`RELAY_IP`]).
#[must_use]
pub fn relay_ip(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(203, 0, 113, n)
}

impl LabRelay {
    /// Starts it in `lab`'s public network, on [`RELAY_IP`].
    ///
    /// # Errors
    /// It could not start, in its words.
    pub async fn start(lab: &Lab) -> anyhow::Result<LabRelay> {
        LabRelay::start_at(lab, 1, None).await
    }

    /// Starts relay number `n` (1 to 3, on [`relay_ip`]), `far` away if given: everything
    /// between it and the rest of the lab (HTTPS and address discovery) is held that long in
    /// each direction, by forwarders in front of it.
    ///
    /// # Errors
    /// It could not start, in its words.
    pub async fn start_at(lab: &Lab, n: u8, far: Option<std::time::Duration>) -> anyhow::Result<LabRelay> {
        anyhow::ensure!((1..=3).contains(&n), "the lab has relays 1 to 3");
        let ip = relay_ip(n);
        if n > 1 {
            // Already there if this relay ran before in this lab.
            let _ = lab.public.ip(&["addr", "add", &format!("{ip}/24"), "dev", "br0"]);
        }
        let dir = TempDir::new()?;
        let cert = certificate();
        std::fs::write(dir.0.join("relay.crt"), &cert.cert_pem)?;
        std::fs::write(dir.0.join("relay.key"), &cert.key_pem)?;
        let at = |port| SocketAddr::new(IpAddr::V4(ip), port);
        // Behind forwarders, the relay itself listens on other ports.
        let (https, quic) = if far.is_some() { (8443, 17842) } else { (443, 7842) };
        let cfg = deskside_relay::Config {
            http_bind: at(if far.is_some() { 8080 } else { 80 }),
            tls: Some(deskside_relay::TlsFiles {
                https_bind: at(https),
                quic_bind: at(quic),
                cert_chain: dir.0.join("relay.crt"),
                key: dir.0.join("relay.key"),
            }),
            acme: None,
            tokens: vec![TOKEN.into()],
            limits: deskside_relay::LimitsFile::default(),
        };
        let runtime = lab.public.runtime()?;
        let running = runtime.spawn(async move { deskside_relay::start(&cfg).await }).await??;
        if let Some(one_way) = far {
            runtime.spawn(delay::tcp(at(443), at(https), one_way)).await??;
            runtime.spawn(delay::udp(at(7842), at(quic), one_way)).await??;
        }
        Ok(LabRelay { running: Some(running), runtime: Some(runtime), process: None, ip, _dir: dir })
    }

    /// Starts `program` (the `deskside-relay` binary) as the lab's relay 1, a process of its own
    /// in the public network (so its CPU can be measured apart), with the same configuration.
    ///
    /// # Errors
    /// It did not start, or did not listen within 10 s.
    pub async fn start_process(lab: &Lab, program: &std::path::Path) -> anyhow::Result<LabRelay> {
        let dir = TempDir::new()?;
        let cert = certificate();
        std::fs::write(dir.0.join("relay.crt"), &cert.cert_pem)?;
        std::fs::write(dir.0.join("relay.key"), &cert.key_pem)?;
        let config = format!(
            "{{\"http_bind\": \"{RELAY_IP}:80\", \"tls\": {{\"https_bind\": \"{RELAY_IP}:443\", \
             \"quic_bind\": \"{RELAY_IP}:7842\", \"cert_chain\": \"{}\", \"key\": \"{}\"}}, \"tokens\": [\"{TOKEN}\"]}}",
            dir.0.join("relay.crt").display(),
            dir.0.join("relay.key").display()
        );
        std::fs::write(dir.0.join("relay.json"), config)?;
        let log = std::fs::File::create(dir.0.join("relay.log"))?;
        let child = Command::new("ip")
            .args(["netns", "exec", &lab.public.name])
            .arg(program)
            .arg("--config")
            .arg(dir.0.join("relay.json"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let runtime = lab.public.runtime()?;
        let relay = LabRelay { running: None, runtime: Some(runtime), process: Some(child), ip: RELAY_IP, _dir: dir };
        let rt = relay.runtime.as_ref().context("no runtime")?;
        let listening = rt
            .spawn(async {
                let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
                while tokio::time::Instant::now() < deadline {
                    if tokio::net::TcpStream::connect((RELAY_IP, 443)).await.is_ok() {
                        return true;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                false
            })
            .await?;
        anyhow::ensure!(listening, "{} did not listen on {RELAY_IP}:443 within 10 s", program.display());
        Ok(relay)
    }

    /// The relay process's id, when it runs as one.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(std::process::Child::id)
    }

    /// Its URL.
    #[must_use]
    pub fn url(&self) -> String {
        format!("https://{}", self.ip)
    }

    /// How many endpoint connections it carries now.
    #[must_use]
    pub fn connected(&self) -> usize {
        self.running.as_ref().map_or(0, deskside_relay::Running::connected)
    }

    /// Stops it (a relay that crashes or is switched off).
    pub async fn kill(&mut self) {
        if let (Some(running), Some(rt)) = (self.running.take(), &self.runtime) {
            let _ = rt.spawn(running.shutdown()).await;
        }
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // The forwarders in front of it go too.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for LabRelay {
    fn drop(&mut self) {
        drop(self.running.take());
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub mod delay;

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
