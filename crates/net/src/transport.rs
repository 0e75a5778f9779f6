//! The QUIC transport: iroh endpoints (QUIC on noq, TLS 1.3 with rustls, hole punching, relay
//! fallback), built with the minimal preset so that nothing but the relays a team configured is
//! ever contacted, and sized for Deskside's streams. A joining side connects to the endpoint id
//! its invite names and to no other: the handshake proves the id, so there is no certificate to
//! pin.

use std::net::SocketAddr;

use deskside_proto::ALPN;
use iroh::endpoint::{Connection, QuicTransportConfig, VarInt, presets};
use iroh::{Endpoint, RelayMode};

/// Most bytes one stream may have in flight unread: above the largest message on any stream
/// (a 4 MiB screen batch is read as it arrives), enough for a far link's bandwidth-delay product.
pub const STREAM_WINDOW_BYTES: u32 = 2 * 1024 * 1024;
/// Most bytes a whole connection may have in flight unread, every stream together, once the peer
/// is admitted: what one peer can make this side buffer in QUIC.
pub const CONNECTION_WINDOW_BYTES: u32 = 16 * 1024 * 1024;
/// The same before the host has admitted the peer: room for the hello and nothing else.
pub const UNADMITTED_WINDOW_BYTES: u32 = 128 * 1024;
/// Unidirectional streams an admitted peer may have open at once (screen, input, inventory,
/// files).
pub const MAX_UNI_STREAMS: u32 = 16;

/// Datagrams a side holds unread, bytes. Only the host sends any (screen acknowledgements, 17
/// bytes, read at once by the agent); the host reads none, and QUIC drops the oldest beyond this
/// (QUIC sends datagrams only from a side that would take some, so the host has the buffer too).
pub const DATAGRAM_BUFFER_BYTES: usize = 16 * 1024;

/// QUIC's congestion controller, for every connection this program makes from now on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Congestion {
    /// BBR (version 3), the default: paced to the measured rate and round trip.
    Bbr,
    /// CUBIC, QUIC's usual default, which backs off at every loss (kept to compare against).
    Cubic,
}

static CUBIC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Chooses the congestion controller of the connections made from now on (a benchmark compares
/// them; the product uses the default, [`Congestion::Bbr`]).
pub fn use_congestion(c: Congestion) {
    CUBIC.store(c == Congestion::Cubic, std::sync::atomic::Ordering::Relaxed);
}

/// The congestion controller chosen ([`use_congestion`]).
#[must_use]
pub fn congestion() -> Congestion {
    if CUBIC.load(std::sync::atomic::Ordering::Relaxed) { Congestion::Cubic } else { Congestion::Bbr }
}

impl Congestion {
    /// `bbr` or `cubic`.
    ///
    /// # Errors
    /// Any other name.
    pub fn parse(s: &str) -> Result<Congestion, String> {
        match s {
            "bbr" => Ok(Congestion::Bbr),
            "cubic" => Ok(Congestion::Cubic),
            other => Err(format!("unknown congestion controller {other} (bbr or cubic)")),
        }
    }

    /// Its name, as [`Congestion::parse`] takes it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Congestion::Bbr => "bbr",
            Congestion::Cubic => "cubic",
        }
    }
}

fn congestion_controller() -> std::sync::Arc<dyn iroh::endpoint::ControllerFactory + Send + Sync> {
    if congestion() == Congestion::Cubic {
        std::sync::Arc::new(noq_proto::congestion::CubicConfig::default())
    } else {
        std::sync::Arc::new(noq_proto::congestion::Bbr3Config::default())
    }
}

fn transport(uni_streams: u32, bidi_streams: u32, window: u32) -> QuicTransportConfig {
    QuicTransportConfig::builder()
        // BBR, not the default CUBIC: CUBIC takes every lost packet for congestion, and on a
        // line that loses 1 % at random (4G, hotel Wi-Fi) it keeps the window so small that a
        // 12 Mbit/s line carries under 2; BBR paces to the rate and round trip it measures.
        // docs/PERFORMANCE.md, "Congestion control", has the figures.
        .congestion_controller_factory(congestion_controller())
        .datagram_receive_buffer_size(Some(DATAGRAM_BUFFER_BYTES))
        // A short outage (a few seconds of Wi-Fi trouble) is ridden out inside the connection;
        // a longer one ends it after ten seconds, and the participant comes back to their seat
        // with a resumption ticket (see `Session::handle_drop`).
        .keep_alive_interval(std::time::Duration::from_secs(2))
        .max_idle_timeout(Some(VarInt::from_u32(10_000).into()))
        .max_concurrent_uni_streams(VarInt::from_u32(uni_streams))
        .max_concurrent_bidi_streams(VarInt::from_u32(bidi_streams))
        // Sized for the real streams: one connection never makes this side buffer without limit.
        .stream_receive_window(VarInt::from_u32(STREAM_WINDOW_BYTES))
        .receive_window(VarInt::from_u32(window))
        .send_window(u64::from(CONNECTION_WINDOW_BYTES))
        .build()
}

/// Opens a connection the host has just admitted to the streams an admitted peer uses: until
/// then it may open its one control stream, and send little more than its hello.
pub fn admitted(conn: &Connection) {
    conn.set_max_concurrent_uni_streams(VarInt::from_u32(MAX_UNI_STREAMS));
    conn.set_receive_window(VarInt::from_u32(CONNECTION_WINDOW_BYTES));
}

/// The support team's relays and the token they admit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relays {
    /// Their URLs (`https://...`).
    pub urls: Vec<String>,
    /// The token the relays admit.
    pub token: String,
    /// Certificates (DER) trusted for the relays instead of the public web roots (a lab, or a
    /// team's own CA on its consoles); empty: the program's ([`trust_relay_certificates`],
    /// `--relay-ca`), else the public web roots. A customer's agent learns only URLs and the
    /// token from its invite, so a relay strangers' agents use needs a certificate the public
    /// roots trust.
    pub roots: Vec<Vec<u8>>,
}

/// Certificates this program trusts for every relay whose [`Relays`] names none (set once, from
/// the command line: a team whose relays use its own certificate authority).
static PROGRAM_ROOTS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();

/// Trusts the certificates `pem` holds (PEM) for this program's relays, in place of the public
/// web roots, for every endpoint made from now on whose [`Relays`] names no roots of its own.
/// Once per program.
///
/// # Errors
/// The text holds no certificate, or the trust was already set.
pub fn trust_relay_certificates(pem: &[u8]) -> Result<usize, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in it".into());
    }
    let n = certs.len();
    PROGRAM_ROOTS.set(certs).map_err(|_| "the relays' certificates are already set".to_owned())?;
    Ok(n)
}

/// The relays' certificate trust: `roots` instead of the public web roots, if any, else the
/// program's ([`trust_relay_certificates`]).
fn trust(builder: iroh::endpoint::Builder, relays: &Relays) -> iroh::endpoint::Builder {
    let own = if relays.roots.is_empty() { PROGRAM_ROOTS.get().map(Vec::as_slice) } else { Some(&relays.roots[..]) };
    let Some(own) = own else { return builder };
    let roots = own.iter().map(|der| rustls::pki_types::CertificateDer::from(der.clone()));
    builder.ca_tls_config(iroh::tls::CaTlsConfig::custom_roots(roots))
}

/// The relays of `relays` (those that parse), or none.
fn relay_mode(relays: &Relays) -> RelayMode {
    let parsed: Vec<iroh::RelayUrl> = relays.urls.iter().filter_map(|u| u.parse().ok()).collect();
    if parsed.is_empty() {
        return RelayMode::Disabled;
    }
    let map: iroh::RelayMap = parsed.into_iter().collect();
    RelayMode::Custom(if relays.token.is_empty() { map } else { map.with_auth_token(relays.token.clone()) })
}

/// The host's endpoint: its identity's key, Deskside's ALPN, bound to `bind`, reachable through
/// `relays`. Before admission a peer may open one control stream and little else ([`admitted`]).
pub async fn host_endpoint(
    secret: iroh::SecretKey,
    bind: SocketAddr,
    relays: &Relays,
) -> Result<Endpoint, EndpointError> {
    let builder = Endpoint::builder(presets::Minimal)
        .secret_key(secret)
        .alpns(vec![ALPN.to_vec()])
        .relay_mode(relay_mode(relays))
        .transport_config(transport(0, 1, UNADMITTED_WINDOW_BYTES));
    let mut builder = trust(builder, relays);
    if bind.ip() == std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED) {
        // Every IPv4 address, and IPv6 too where the machine has it (the same port if one is
        // configured; a machine without IPv6 still hosts).
        builder = builder.clear_ip_transports().bind_addr(bind).map_err(|e| EndpointError::Address(e.to_string()))?;
        let v6 = SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, bind.port()));
        builder = builder
            .bind_addr_with_opts(v6, iroh::endpoint::BindOpts::default().set_is_required(false))
            .map_err(|e| EndpointError::Address(e.to_string()))?;
        return builder.bind().await.map_err(|e| bind_error(bind, &e));
    }
    bound(builder, bind).await
}

fn client_builder(relays: &Relays) -> Result<iroh::endpoint::Builder, EndpointError> {
    let secret = iroh::SecretKey::from_bytes(&crate::random_bytes::<32>().map_err(EndpointError::Random)?);
    let builder = Endpoint::builder(presets::Minimal)
        .secret_key(secret)
        .relay_mode(relay_mode(relays))
        .transport_config(transport(MAX_UNI_STREAMS, 0, CONNECTION_WINDOW_BYTES));
    Ok(trust(builder, relays))
}

/// A joining side's endpoint (a fresh key each time: a guest is known by its invite, not its
/// key), through `relays`. The host may open the streams it uses (input, files, a colleague's
/// screen); none bidirectional.
pub async fn client_endpoint(relays: &Relays) -> Result<Endpoint, EndpointError> {
    // Both families, any port.
    let any: SocketAddr = (std::net::Ipv4Addr::UNSPECIFIED, 0).into();
    client_builder(relays)?.bind().await.map_err(|e| bind_error(any, &e))
}

/// [`client_endpoint`] bound to `bind` only (tests play a peer from a chosen address).
pub async fn client_endpoint_on(bind: SocketAddr, relays: &Relays) -> Result<Endpoint, EndpointError> {
    bound(client_builder(relays)?, bind).await
}

async fn bound(builder: iroh::endpoint::Builder, bind: SocketAddr) -> Result<Endpoint, EndpointError> {
    let builder = builder.clear_ip_transports().bind_addr(bind).map_err(|e| EndpointError::Address(e.to_string()))?;
    builder.bind().await.map_err(|e| bind_error(bind, &e))
}

/// Why `bind` could not be bound, with the system's own words and whether the port is taken.
fn bind_error(bind: SocketAddr, e: &iroh::endpoint::BindError) -> EndpointError {
    let io = match e {
        iroh::endpoint::BindError::Sockets { source, .. }
        | iroh::endpoint::BindError::CreateQuicEndpoint { source, .. } => Some(source),
        _ => None,
    };
    let why = io.map_or_else(|| e.to_string(), ToString::to_string);
    let taken = io.is_some_and(|s| s.kind() == std::io::ErrorKind::AddrInUse);
    EndpointError::Bind { addr: bind, why, taken }
}

/// Why an endpoint could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// The address cannot be bound (taken, or not this machine's).
    #[error("cannot listen on {addr}: {why}")]
    Bind {
        /// Where.
        addr: SocketAddr,
        /// Why, in the system's words.
        why: String,
        /// Whether another program holds the port.
        taken: bool,
    },
    /// The address is not one an endpoint can use.
    #[error("{0}")]
    Address(String),
    /// No secure random numbers for a key.
    #[error("no secure random numbers: {0}")]
    Random(std::io::Error),
}

/// An endpoint that closes gracefully when the last of its owners lets go of it: the
/// connections' last words (a Leave, a refusal's reason) still go out. (An iroh endpoint that
/// is simply dropped stops at once, and its peers hear nothing but silence.)
#[derive(Clone, Debug)]
pub struct OwnedEndpoint(std::sync::Arc<EndpointCloser>);

#[derive(Debug)]
struct EndpointCloser(Endpoint);

impl OwnedEndpoint {
    /// Owns `endpoint`.
    #[must_use]
    pub fn new(endpoint: Endpoint) -> OwnedEndpoint {
        OwnedEndpoint(std::sync::Arc::new(EndpointCloser(endpoint)))
    }
}

impl std::ops::Deref for OwnedEndpoint {
    type Target = Endpoint;
    fn deref(&self) -> &Endpoint {
        &self.0.0
    }
}

impl Drop for EndpointCloser {
    fn drop(&mut self) {
        let endpoint = self.0.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            // Bounded: a peer that never answers does not keep it open for long.
            rt.spawn(async move {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(3), endpoint.close()).await;
            });
        }
    }
}
