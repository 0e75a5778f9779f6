//! TLS 1.3-only configurations for both sides. The joining side accepts exactly one
//! certificate: the one whose SHA-256 fingerprint the invite carries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use deskside_proto::ALPN;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::Identity;

/// The server name the joining side asks for; the pinned verifier ignores names.
pub const SERVER_NAME: &str = "deskside";

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

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

fn transport(uni_streams: u32, bidi_streams: u32, window: u32) -> Arc<quinn::TransportConfig> {
    let mut t = quinn::TransportConfig::default();
    // A short outage (a few seconds of Wi-Fi trouble) is ridden out inside the connection; a
    // longer one ends it after ten seconds, and the participant comes back to their seat with a
    // resumption ticket (see `Session::handle_drop`).
    t.keep_alive_interval(Some(std::time::Duration::from_secs(2)));
    t.max_idle_timeout(Some(quinn::IdleTimeout::from(quinn::VarInt::from_u32(10_000))));
    t.max_concurrent_uni_streams(quinn::VarInt::from_u32(uni_streams));
    t.max_concurrent_bidi_streams(quinn::VarInt::from_u32(bidi_streams));
    // Quinn's defaults let one connection make this side buffer without limit (its connection
    // window is unbounded): sized for the real streams instead.
    t.stream_receive_window(quinn::VarInt::from_u32(STREAM_WINDOW_BYTES));
    t.receive_window(quinn::VarInt::from_u32(window));
    t.send_window(u64::from(CONNECTION_WINDOW_BYTES));
    Arc::new(t)
}

/// Opens a connection the host has just admitted to the streams an admitted peer uses: until
/// then it may open its one control stream, and send little more than its hello.
pub fn admitted(conn: &quinn::Connection) {
    conn.set_max_concurrent_uni_streams(quinn::VarInt::from_u32(MAX_UNI_STREAMS));
    conn.set_receive_window(quinn::VarInt::from_u32(CONNECTION_WINDOW_BYTES));
}

/// The host's QUIC server configuration.
pub fn server_config(id: &Identity) -> Result<quinn::ServerConfig, rustls::Error> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone()));
    let mut tls = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(id.cert_der.clone())], key)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto =
        quinn::crypto::rustls::QuicServerConfig::try_from(tls).map_err(|e| rustls::Error::General(e.to_string()))?;
    let mut cfg = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    // Before the hello: one control stream, a small window, no other stream (see [`admitted`]).
    cfg.transport_config(transport(0, 1, UNADMITTED_WINDOW_BYTES));
    Ok(cfg)
}

/// A joining side's QUIC client configuration pinned to `fingerprint`. `mismatch` is set when
/// the host presents any other certificate, so the caller can say so in plain words.
pub fn client_config(fingerprint: [u8; 32], mismatch: Arc<AtomicBool>) -> Result<quinn::ClientConfig, rustls::Error> {
    let provider = provider();
    let verifier = Arc::new(PinnedVerifier { fingerprint, mismatch, provider: provider.clone() });
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto =
        quinn::crypto::rustls::QuicClientConfig::try_from(tls).map_err(|e| rustls::Error::General(e.to_string()))?;
    let mut cfg = quinn::ClientConfig::new(Arc::new(crypto));
    // The host may open the streams it uses (input, files, a colleague's screen); none bidirectional.
    cfg.transport_config(transport(MAX_UNI_STREAMS, 0, CONNECTION_WINDOW_BYTES));
    Ok(cfg)
}

/// Accepts exactly the certificate with the pinned fingerprint, and checks that the handshake was
/// signed by its key.
#[derive(Debug)]
struct PinnedVerifier {
    fingerprint: [u8; 32],
    mismatch: Arc<AtomicBool>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if seen == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            self.mismatch.store(true, Ordering::SeqCst);
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
