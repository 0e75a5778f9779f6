//! The organisation's word over real HTTP on loopback, on SQLite and on a real PostgreSQL:
//! session types for signed-in CSRs only, certificates that verify against the published keys
//! for their endpoint and hour only, none for a disabled CSR or a hostile request, and a key
//! rotation that no agent notices.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, Postgres, TestClock, client, error_of, invite_code, new_code, resolve, site, token};
use deskside_proto::cert::{CertError, Certificate, Tool, Tools};
use deskside_proto::site::{Issued, Keys, Resolved, SessionTypes, parse_keys};
use deskside_site::CERT_LIFETIME_S;
use reqwest::StatusCode;
use serde_json::{Value, json};

const CONSOLE: [u8; 32] = [5; 32];

async fn ask(s: &common::Site, token: &str, body: Value) -> reqwest::Response {
    client().post(s.url("/api/v1/certificate")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn certificate(s: &common::Site, token: &str, session_type: i64) -> Certificate {
    let r = ask(s, token, json!({"endpoint": hex::encode(CONSOLE), "session_type": session_type})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let issued: Issued = r.json().await.unwrap();
    assert_eq!(issued.expires_unix_s, s.clock.now() + CERT_LIFETIME_S);
    Certificate::from_hex(&issued.certificate).unwrap()
}

async fn published(s: &common::Site) -> Vec<[u8; 32]> {
    let keys: Keys = client().get(s.url("/api/v1/keys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(keys.organisation, "Acme Support");
    parse_keys(&keys.keys)
}

async fn types(s: &common::Site, token: &str) -> SessionTypes {
    let r = client().get(s.url("/api/v1/session-types")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn certificates_speak_for_one_console_one_type_and_one_hour(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let t = token(&s).await;
    // A new site offers one type with every tool; the admin adds another.
    let first = types(&s, &t).await.types;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].name.as_str(), first[0].tracking_required), ("Remote support", false));
    assert_eq!(first[0].tool_set(), Tools::ALL);
    let look = s.store.add_session_type("Look only", true, Tools::of(&[Tool::View]), None, clock.now()).await.unwrap();
    let listed = types(&s, &t).await.types;
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Look only", "Remote support"]);
    assert!(listed[0].tracking_required);
    assert_eq!(listed[0].tools, ["view"]);
    // Without a sign-in, neither types nor certificates.
    let r = client().get(s.url("/api/v1/session-types")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client()
        .post(s.url("/api/v1/certificate"))
        .json(&json!({"endpoint": hex::encode(CONSOLE), "session_type": look}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let cert = certificate(&s, &t, look).await;
    let keys = published(&s).await;
    assert_eq!(keys.len(), 1);
    let body = cert.verify(&keys, &CONSOLE, clock.now()).unwrap();
    assert_eq!((body.csr_name.as_str(), body.organisation.as_str()), ("Sam Rivera", "Acme Support"));
    assert_eq!((body.session_type.as_str(), body.tools), ("Look only", Tools::of(&[Tool::View])));
    assert_eq!(body.site_address, "https://support.acme.example");
    // For this console only, and for its hour only.
    assert_eq!(cert.verify(&keys, &[6; 32], clock.now()), Err(CertError::OtherEndpoint));
    clock.advance(CERT_LIFETIME_S + deskside_proto::cert::CLOCK_SKEW_S);
    assert_eq!(cert.verify(&keys, &CONSOLE, clock.now()), Err(CertError::Expired));
    // A customer resolving a code gets the keys with the invite.
    let t = token(&s).await;
    let v: Value = new_code(&s, &t, &invite_code(clock.now() + 600)).await.json().await.unwrap();
    let r = resolve(&client(), &s, v["code"].as_str().unwrap()).await;
    let resolved: Resolved = r.json().await.unwrap();
    assert_eq!(parse_keys(&resolved.keys), keys);
    // A disabled CSR is vouched for no more.
    s.store.execute_raw("UPDATE accounts SET disabled = 1").await.unwrap();
    let r = ask(&s, &t, json!({"endpoint": hex::encode(CONSOLE), "session_type": look})).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.running.shutdown().await.unwrap();
}

async fn hostile_certificate_requests_are_refused(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let t = token(&s).await;
    let bad = [
        (json!({"endpoint": "zz", "session_type": 1}), "bad_endpoint"),
        (json!({"endpoint": hex::encode([5; 31]), "session_type": 1}), "bad_endpoint"),
        (json!({"endpoint": "' OR 1=1 --", "session_type": 1}), "bad_endpoint"),
        (json!({"endpoint": hex::encode(CONSOLE), "session_type": 999}), "unknown_session_type"),
        (json!({"endpoint": hex::encode(CONSOLE), "session_type": "1; DROP TABLE org_keys"}), "bad_request"),
        (json!({"endpoint": hex::encode(CONSOLE), "session_type": 1, "tools": ["view"]}), "bad_request"),
    ];
    for (body, error) in bad {
        let r = ask(&s, &t, body.clone()).await;
        assert!(r.status().is_client_error(), "{body}");
        assert_eq!(error_of(r).await, error, "{body}");
    }
    let huge = client()
        .post(s.url("/api/v1/certificate"))
        .bearer_auth(&t)
        .body(vec![b' '; deskside_site::MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Asking without end is bounded per CSR.
    let limit = deskside_site::code::Limit::CERTIFICATES_PER_CSR.max;
    for _ in 0..limit {
        let r = ask(&s, &t, json!({"endpoint": hex::encode(CONSOLE), "session_type": 1})).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = ask(&s, &t, json!({"endpoint": hex::encode(CONSOLE), "session_type": 1})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The store is whole: the site still signs (after the hour) and the key is the same one.
    assert_eq!(published(&s).await.len(), 1);
    s.running.shutdown().await.unwrap();
}

async fn keys_rotate_without_an_agent_noticing(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let t = token(&s).await;
    let old = published(&s).await;
    let before = certificate(&s, &t, 1).await;
    // Step one: the next key is published, and signs nothing yet.
    let next = deskside_site::publish_next_key(&s.store, clock.now()).await.unwrap();
    assert!(deskside_site::publish_next_key(&s.store, clock.now()).await.is_err(), "one next key at a time");
    let during = published(&s).await;
    assert_eq!(during.len(), 2);
    assert!(during.contains(&next) && during.contains(&old[0]));
    assert_eq!(certificate(&s, &t, 1).await.key, old[0]);
    // An agent that fetched the keys now…
    let agent_keys = during;
    clock.advance(CERT_LIFETIME_S);
    // Step two: the next key signs; the old one is retired but still published.
    s.store.promote_next_key(None, clock.now()).await.unwrap();
    assert!(s.store.promote_next_key(None, clock.now()).await.is_err(), "nothing left to promote");
    let t = token(&s).await;
    let after = certificate(&s, &t, 1).await;
    assert_eq!(after.key, next);
    // …believes certificates of the new key, and so does an agent that fetches them now.
    assert!(after.verify(&agent_keys, &CONSOLE, clock.now()).is_ok());
    let now_keys = published(&s).await;
    assert!(after.verify(&now_keys, &CONSOLE, clock.now()).is_ok());
    assert!(now_keys.contains(&old[0]), "the retired key stays published for a certificate's lifetime");
    // Once every certificate of the old key has expired, it is published no more.
    clock.advance(CERT_LIFETIME_S + 1);
    let later = published(&s).await;
    assert_eq!(later, vec![next]);
    assert_eq!(before.verify(&later, &CONSOLE, clock.now()), Err(CertError::UnknownKey));
    // Every step is in the audit log.
    let log = s.store.audit_log(10).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|(_, _, a, _)| a.as_str()).collect();
    assert!(actions.contains(&"next signing key published") && actions.contains(&"signing key promoted"));
    s.running.shutdown().await.unwrap();
}

async fn all(pg: Option<&Postgres>) {
    certificates_speak_for_one_console_one_type_and_one_hour(pg).await;
    hostile_certificate_requests_are_refused(pg).await;
    keys_rotate_without_an_agent_noticing(pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_on_sqlite() {
    all(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_on_postgresql() {
    let pg = Postgres::start().unwrap();
    all(Some(&pg)).await;
}
