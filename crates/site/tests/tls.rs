//! The site serving HTTPS by itself (`serve --tls-cert --tls-key`): the agents' and consoles'
//! client (`deskside_net::site::SiteClient`) signs in, gets a code and resolves it over TLS,
//! trusting the site's certificate; plain HTTP to it gets nothing; a client that never finishes
//! its handshake holds nobody up; and the site stops when told, idle connection or not.

#![allow(clippy::unwrap_used)]

mod common;

use common::{ADMIN, Db, PASSWORD, TestClock, invite_code};
use deskside_net::site::{SiteClient, SiteError};
use tokio::io::AsyncWriteExt as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consoles_and_agents_reach_the_site_over_its_own_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("site.pem"), dir.path().join("site.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let tls = deskside_site::tls::config(&cert, &key).unwrap();
    // Files that are not a certificate and key are a clear error.
    assert!(deskside_site::tls::config(&key, &key).unwrap_err().to_string().contains("no certificate"));
    let db = Db::new(None);
    let clock = TestClock::new();
    let options = deskside_site::ServeOptions { tls: Some(tls), ..deskside_site::ServeOptions::default() };
    let s = common::serve(&db.url(), &clock, options).await;
    let port = s.running.addr.port();

    // A client that opens a connection and says nothing does not hold the site up.
    let mut idle = tokio::net::TcpStream::connect(s.running.addr).await.unwrap();
    idle.write_all(b"\x16\x03\x01").await.unwrap();

    let site = SiteClient::new(&format!("https://127.0.0.1:{port}"), &[made.cert.der().to_vec()]).unwrap();
    let signed = site.sign_in(ADMIN, PASSWORD).await.unwrap();
    let invite = deskside_proto::Invite::parse(&invite_code(clock.now() + 3600)).unwrap();
    let (code, _) = site.new_code(&signed.token, &invite).await.unwrap();
    let (got, trust) = site.resolve(code).await.unwrap();
    assert_eq!(got, invite);
    assert_eq!(trust.site, format!("127.0.0.1:{port}"));
    assert_eq!(trust.keys.len(), 1);
    // A client that does not trust the certificate gets nothing.
    let stranger = SiteClient::new(&format!("https://127.0.0.1:{port}"), &[]).unwrap();
    assert!(matches!(stranger.keys().await, Err(SiteError::Unreachable(_))));
    // Plain HTTP to the TLS port gets no answer from the site.
    let plain = SiteClient::new(&format!("http://127.0.0.1:{port}"), &[]).unwrap();
    assert!(plain.keys().await.is_err());
    drop(idle);
    s.running.shutdown().await.unwrap();
}
