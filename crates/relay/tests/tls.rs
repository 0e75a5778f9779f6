//! The team's relay as it faces the internet: HTTPS with the team's certificate (read from PEM
//! files) and QUIC address discovery. A console and a customer whose endpoints trust that
//! certificate connect through it, on loopback, with no direct address given; an endpoint that
//! does not trust it never gets through (and says so as for a network that lets nothing out); a certificate file that is not one stops the relay
//! from starting, in words.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use deskside_net::transport::Relays;
use deskside_net::{JoinError, now_ms};
use deskside_proto::{AppKind, InviteRole};

mod common;

use common::{TOKEN, host_via};

/// A certificate for 127.0.0.1, written as PEM files in `dir`; its DER.
fn certificate(dir: &Path) -> Vec<u8> {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    std::fs::write(dir.join("relay.crt"), ck.cert.pem()).unwrap();
    std::fs::write(dir.join("relay.key"), ck.signing_key.serialize_pem()).unwrap();
    ck.cert.der().to_vec()
}

fn config(dir: &Path) -> deskside_relay::Config {
    deskside_relay::Config {
        http_bind: "127.0.0.1:0".parse().unwrap(),
        tls: Some(deskside_relay::TlsFiles {
            https_bind: "127.0.0.1:0".parse().unwrap(),
            quic_bind: "127.0.0.1:0".parse().unwrap(),
            cert_chain: dir.join("relay.crt"),
            key: dir.join("relay.key"),
        }),
        acme: None,
        tokens: vec![TOKEN.into()],
        limits: deskside_relay::LimitsFile::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_goes_through_the_relay_over_https_with_address_discovery() {
    let dir = tempfile::tempdir().unwrap();
    let der = certificate(dir.path());
    let relay = deskside_relay::start(&config(dir.path())).await.unwrap();
    assert!(relay.quic_addr().is_some(), "QUIC address discovery is served");
    let url = relay.url("127.0.0.1").unwrap();
    assert!(url.starts_with("https://"), "{url}");
    let relays = Relays { urls: vec![url.clone()], token: TOKEN.into(), roots: vec![der.clone()] };
    let host = host_via(relays.clone());
    let invite = host.invite(InviteRole::Customer, 600_000).unwrap();
    let to = iroh::EndpointAddr::new(iroh::EndpointId::from_bytes(&invite.host.id).unwrap())
        .with_relay_url(url.parse().unwrap());

    // An endpoint that trusts the team's certificate reaches the host through the relay alone.
    let client = deskside_net::transport::client_endpoint(&relays).await.unwrap();
    let conn =
        tokio::time::timeout(std::time::Duration::from_secs(10), client.connect(to.clone(), deskside_proto::ALPN))
            .await
            .expect("connected in time")
            .unwrap();
    assert_eq!(conn.remote_id().as_bytes(), &invite.host.id);
    client.close().await;

    // One that trusts only the public roots cannot use this relay (nor tell it from a network
    // that intercepts HTTPS): the customer hears that neither the computer nor the relay could
    // be reached, and what a firewall must let through.
    let mut only_relay = invite.clone();
    only_relay.host.addrs.clear();
    let err = deskside_net::guest::join(&only_relay, "Ana", AppKind::Agent, now_ms() / 1000).await.err().unwrap();
    let port = relay.https_addr().unwrap().port();
    assert_eq!(err, JoinError::Blocked { host: "127.0.0.1".into(), tcp_port: port, udp_port: 7842 });
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_file_that_is_not_one_stops_the_relay_in_words() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path());
    std::fs::write(dir.path().join("relay.crt"), "not a certificate").unwrap();
    let err = deskside_relay::start(&config(dir.path())).await.err().unwrap().to_string();
    assert!(
        err.contains("cannot use the certificate") && err.contains("relay.crt") && err.contains("no certificate"),
        "{err}"
    );
    // A real certificate, its key missing.
    certificate(dir.path());
    std::fs::remove_file(dir.path().join("relay.key")).unwrap();
    let err = deskside_relay::start(&config(dir.path())).await.err().unwrap().to_string();
    assert!(err.contains("cannot use the certificate") && err.contains("relay.key"), "{err}");
}
