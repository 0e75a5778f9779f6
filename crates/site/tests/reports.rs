//! Session reports over real HTTP on loopback, on SQLite and on a real PostgreSQL: a console's
//! report is kept once however often it is resent, under the signed-in CSR's name whatever the
//! report claims, found by every search, counted, and refused whole when it is hostile.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Db, Postgres, T0, TestClock, client, error_of, report, site, token};
use deskside_proto::report::{MAX_REPORT_BYTES, Report, Stored};
use deskside_site::store::{NewAccount, ReportQuery, Role};
use reqwest::StatusCode;

async fn send(s: &common::Site, token: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    client()
        .post(s.url("/api/v1/reports"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn stored(s: &common::Site, token: &str, r: &Report) -> Stored {
    let resp = send(s, token, serde_json::to_vec(r).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn a_report_is_kept_once_under_the_signed_in_csr(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let sam = token(&s).await;
    let first = report(1, "Ana Gómez", "TCK-1042", "Remote support", T0);
    let kept = stored(&s, &sam, &first).await;
    assert!(kept.new);
    // The answer was lost and the console sends it again: nothing new is stored.
    let again = stored(&s, &sam, &first).await;
    assert_eq!((again.id, again.new), (kept.id, false));
    let (rows, total) = s.store.reports(&ReportQuery::default(), 100).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].csr_name, "Sam Rivera", "the CSR is the account, not what the report says");
    assert_eq!(rows[0].customers, vec!["Ana Gómez".to_owned()]);
    let (_, body) = s.store.report(kept.id).await.unwrap().unwrap();
    assert_eq!(serde_json::from_str::<Report>(&body).unwrap(), first, "kept whole, as sent");

    // A colleague who hosted the same session after a hand-over reports their part.
    let hash = deskside_site::secret::hash_password("another good password").unwrap();
    let kim = NewAccount { email: "kim@acme.example", display_name: "Kim Lee", password_hash: &hash, role: Role::Csr };
    s.store.add_account(&kim, None, clock.now()).await.unwrap();
    let r = common::sign_in(&client(), &s, "kim@acme.example", "another good password").await;
    let kim_token = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let part = report(1, "Ana Gómez", "TCK-1042", "Remote support", T0 + 30 * 60_000);
    assert!(stored(&s, &kim_token, &part).await.new);
    stored(&s, &kim_token, &report(2, "Bo Chen", "TCK-7", "Look only", T0 + 86_400_000)).await;
    stored(&s, &sam, &report(3, "50% O'Brien_", "", "Look only", T0 + 2 * 86_400_000)).await;

    // Every search, and SQL's wildcards and quotes taken literally.
    let find = |q: ReportQuery| {
        let store = s.store.clone();
        async move { store.reports(&q, 100).await.unwrap().0.into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    let q = ReportQuery::default;
    assert_eq!(find(q()).await.len(), 4);
    assert_eq!(find(ReportQuery { csr: "kim".into(), ..q() }).await.len(), 2);
    assert_eq!(find(ReportQuery { customer: "ANA".into(), ..q() }).await.len(), 2);
    assert_eq!(find(ReportQuery { tracking: "tck-7".into(), ..q() }).await.len(), 1);
    assert_eq!(find(ReportQuery { session_type: "look".into(), ..q() }).await.len(), 2);
    assert_eq!(find(ReportQuery { customer: "50%".into(), ..q() }).await.len(), 1);
    assert_eq!(find(ReportQuery { customer: "%".into(), ..q() }).await.len(), 1, "% is a character here");
    assert_eq!(find(ReportQuery { customer: "_".into(), ..q() }).await.len(), 1);
    assert_eq!(find(ReportQuery { customer: "' OR '1'='1".into(), ..q() }).await.len(), 0);
    let day = ReportQuery { from_ms: Some(T0 + 86_400_000), until_ms: Some(T0 + 2 * 86_400_000), ..q() };
    assert_eq!(find(day).await.len(), 1);
    let (per_csr, per_type) = s.store.report_counts(&q()).await.unwrap();
    assert_eq!(per_csr, vec![("Kim Lee".to_owned(), 2), ("Sam Rivera".to_owned(), 2)]);
    assert_eq!(per_type, vec![("Look only".to_owned(), 2), ("Remote support".to_owned(), 2)]);
    s.running.shutdown().await.unwrap();
}

async fn hostile_reports_are_refused_whole(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let sam = token(&s).await;
    let good = report(9, "Ana", "T", "Remote support", T0);
    // Without a sign-in, or with a made-up token.
    let r = client().post(s.url("/api/v1/reports")).json(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(send(&s, &"0".repeat(64), serde_json::to_vec(&good).unwrap()).await.status(), StatusCode::UNAUTHORIZED);
    // Malformed, unknown fields, out of bounds.
    let bad = |f: &dyn Fn(&mut Report)| {
        let mut r = good.clone();
        f(&mut r);
        serde_json::to_vec(&r).unwrap()
    };
    for body in [
        b"{not json".to_vec(),
        br#"{"uid": 1}"#.to_vec(),
        serde_json::to_vec(&serde_json::json!({"extra": true})).unwrap(),
        bad(&|r| r.uid = "1' OR '1'='1".into()),
        bad(&|r| r.ended_ms = 0),
        bad(&|r| r.notes = "x".repeat(deskside_proto::MAX_NOTES_BYTES + 1)),
        bad(&|r| r.participants = vec![r.participants[0].clone(); 10_000]),
        bad(&|r| r.chat[0].from_name = "a\u{7}bell".into()),
    ] {
        let r = send(&s, &sam, body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let e = error_of(r).await;
        assert!(e == "bad_report" || e == "bad_request", "{e}");
    }
    // Larger than any report: refused on its length alone, before a byte of it is read.
    let mut tcp = tokio::net::TcpStream::connect(s.running.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {sam}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        MAX_REPORT_BYTES + 1
    );
    tokio::io::AsyncWriteExt::write_all(&mut tcp, head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 64];
    let n = tokio::io::AsyncReadExt::read(&mut tcp, &mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 413"), "{}", String::from_utf8_lossy(&answer[..n]));
    // A large, valid one (a long chat) is taken.
    let mut long = good.clone();
    long.chat = vec![long.chat[0].clone(); 2_000];
    long.chat.iter_mut().for_each(|c| c.text = "x".repeat(1_000));
    assert!(stored(&s, &sam, &long).await.new);
    assert_eq!(s.store.reports(&ReportQuery::default(), 10).await.unwrap().1, 1, "only the valid one is kept");
    // A disabled CSR's console can send no more.
    s.store.execute_raw("UPDATE accounts SET disabled = 1").await.unwrap();
    let other = report(10, "Ana", "T", "Remote support", T0);
    assert_eq!(send(&s, &sam, serde_json::to_vec(&other).unwrap()).await.status(), StatusCode::UNAUTHORIZED);
    s.running.shutdown().await.unwrap();
}

async fn all(pg: Option<&Postgres>) {
    a_report_is_kept_once_under_the_signed_in_csr(pg).await;
    hostile_reports_are_refused_whole(pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_on_sqlite() {
    all(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_on_postgresql() {
    let pg = Postgres::start().unwrap();
    all(Some(&pg)).await;
}
