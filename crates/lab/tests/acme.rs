//! The team's relay gets its certificate over ACME, as it would from Let's Encrypt when it faces
//! the internet: here from pebble (Debian's ACME test server) on the lab's public network, which
//! checks the relay's name with the TLS-ALPN-01 challenge on the relay's own HTTPS port. Once
//! issued, the relay serves that certificate, and a client that trusts only the ACME server's
//! root completes a TLS handshake with it under its name.
//!
//! Needs root, iproute2, nftables, pebble and curl (`cargo xtask ci` installs them).
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use deskside_lab::{Lab, RELAY_IP, TOKEN};
use rustls::pki_types::pem::PemObject as _;

const NAME: &str = "relay.lab.example";

/// pebble, in the lab's public network, stopped when dropped.
struct Pebble(std::process::Child);

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_gets_its_certificate_over_acme_and_serves_it() {
    let lab = Lab::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The relay's name, for pebble's own lookups (there is no DNS in the lab).
    lab.public.hosts(&format!("127.0.0.1 localhost\n{RELAY_IP} {NAME}\n")).unwrap();
    // pebble's own HTTPS certificate (the relay's ACME client is told to trust it).
    let ck = rcgen::generate_simple_self_signed(vec![RELAY_IP.to_string()]).unwrap();
    std::fs::write(dir.path().join("pebble.crt"), ck.cert.pem()).unwrap();
    std::fs::write(dir.path().join("pebble.key"), ck.signing_key.serialize_pem()).unwrap();
    let config = format!(
        r#"{{"pebble": {{"listenAddress": "{RELAY_IP}:14000", "managementListenAddress": "{RELAY_IP}:15000",
            "certificate": "{crt}", "privateKey": "{key}", "httpPort": 80, "tlsPort": 443,
            "ocspResponderURL": "", "externalAccountBindingRequired": false}}}}"#,
        crt = dir.path().join("pebble.crt").display(),
        key = dir.path().join("pebble.key").display(),
    );
    std::fs::write(dir.path().join("pebble.json"), config).unwrap();
    let log = std::fs::File::create(dir.path().join("pebble.log")).unwrap();
    let _pebble = Pebble(
        Command::new("ip")
            .args(["netns", "exec", &lab.public.name, "pebble", "-config"])
            .arg(dir.path().join("pebble.json"))
            // No random waits before validating, no nonces refused at random: a steady test.
            .env("PEBBLE_VA_NOSLEEP", "1")
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("pebble runs (apt-get install pebble)"),
    );

    let at = |port| SocketAddr::new(IpAddr::V4(RELAY_IP), port);
    let cfg = deskside_relay::Config {
        http_bind: at(80),
        tls: None,
        acme: Some(deskside_relay::AcmeFile {
            https_bind: at(443),
            quic_bind: at(7842),
            domains: vec![NAME.into()],
            contact: "ops@lab.example".into(),
            directory: Some(format!("https://{RELAY_IP}:14000/dir")),
            cache_dir: dir.path().join("acme-cache"),
            directory_ca: Some(dir.path().join("pebble.crt")),
        }),
        tokens: vec![TOKEN.into()],
        limits: deskside_relay::LimitsFile::default(),
    };
    cfg.check().unwrap();
    let public = lab.public.runtime().unwrap();
    // pebble listening first.
    public
        .spawn(async {
            for _ in 0..200 {
                if tokio::net::TcpStream::connect((RELAY_IP, 14000)).await.is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("pebble did not listen");
        })
        .await
        .unwrap();
    let relay = public.spawn(async move { deskside_relay::start(&cfg).await }).await.unwrap().unwrap();

    // The root pebble issues under (made when it starts), from its management port.
    let root = Command::new("ip")
        .args(["netns", "exec", &lab.public.name, "curl", "-ksSf"])
        .arg(format!("https://{RELAY_IP}:15000/roots/0"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(root.status.success(), "pebble's root");
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(&root.stdout) {
        roots.add(c.unwrap()).unwrap();
    }
    let client = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    );

    // Issued (ordered, challenged on 443, finalised) within a minute, then served.
    let served = public
        .spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_mins(1);
            let mut last = String::new();
            while std::time::Instant::now() < deadline {
                match handshake(&client) {
                    Ok(()) => return Ok(()),
                    Err(e) => last = e,
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            Err(last)
        })
        .await
        .unwrap();
    let pebble_log = std::fs::read_to_string(dir.path().join("pebble.log")).unwrap_or_default();
    assert_eq!(served, Ok(()), "the relay serves an ACME certificate for {NAME}; pebble said:\n{pebble_log}");
    assert!(
        std::fs::read_dir(dir.path().join("acme-cache")).unwrap().next().is_some(),
        "the account and certificate are kept for the next start"
    );
    public.spawn(relay.shutdown()).await.unwrap();
    public.shutdown_background();
}

/// A TLS handshake with the relay under its name, trusting only `client`'s roots.
fn handshake(client: &Arc<rustls::ClientConfig>) -> Result<(), String> {
    let name = rustls::pki_types::ServerName::try_from(NAME).map_err(|e| e.to_string())?;
    let mut conn = rustls::ClientConnection::new(client.clone(), name).map_err(|e| e.to_string())?;
    let mut sock = std::net::TcpStream::connect((RELAY_IP, 443)).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: relay.lab.example\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    if text.starts_with("HTTP/1.1 200") { Ok(()) } else { Err(format!("answered {text:?}")) }
}
