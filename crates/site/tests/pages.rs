//! The administrator's pages in a real browser (Debian's Chromium through chromedriver), on
//! SQLite and on a real PostgreSQL: sign-in (a cookie planted before it is never taken over),
//! adding a session type, reading the audit log, signing out, in English and Spanish; and what
//! an attacker would try: a form without the form token, from another origin, oversized, SQL in
//! a name, a CSR at the admin pages. The sessions' reports: searched, opened with everything
//! in them shown as text, exported as CSV (no formula survives) with the export in the audit
//! log. Screenshots of every page go to `target/site-pages/`.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::browser::Browser;
use common::{ADMIN, Db, PASSWORD, Postgres, T0, TestClock, client, report, site_with, token};
use deskside_proto::cert::{Tool, Tools};
use reqwest::StatusCode;

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/site-pages")
}

async fn sign_in(b: &Browser, s: &common::Site, password: &str) {
    b.go(&s.url("/admin/sign-in")).await;
    b.type_in("#email", ADMIN).await;
    b.type_in("#password", password).await;
    b.click("#sign-in").await;
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// The sign-in form posted as a browser would, by a client that does not follow redirects.
async fn post_sign_in(c: &reqwest::Client, s: &common::Site, password: &str) -> reqwest::Response {
    c.post(s.url("/admin/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", ADMIN), ("password", password)]))
        .send()
        .await
        .unwrap()
}

fn cookie_of(cookies: &serde_json::Value) -> Option<String> {
    cookies.as_array()?.iter().find(|c| c["name"] == "deskside_site").map(|c| c["value"].as_str().unwrap().to_owned())
}

async fn an_administrator_adds_a_session_type_in_the_browser(pg: Option<&Postgres>, tag: &str) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let b = Browser::start("en").await;
    // Not signed in: the pages send the browser to sign in.
    b.go(&s.url("/admin")).await;
    b.wait_for_text("Sign in with your support site account.").await;
    assert!(b.url().await.ends_with("/admin/sign-in"));
    b.screenshot(&shots().join(format!("sign-in-en{tag}.png"))).await;
    // A token planted before the sign-in (session fixation) is not the one the sign-in makes.
    let planted = "ab".repeat(32);
    b.add_cookie("deskside_site", &planted).await;
    sign_in(&b, &s, "not the password").await;
    b.wait_for_text("The e-mail address or password is not right.").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("What a support representative may start").await;
    let token = cookie_of(&b.cookies().await).expect("signed in");
    assert_ne!(token, planted);
    // A session type, its name with markup and SQL in it, shown as typed and stored as typed.
    let name = "Look only <b>'); DROP TABLE session_types; --";
    b.type_in("#name", name).await;
    b.click("#tracking").await;
    b.click("#tool-view").await;
    b.click("#add-type").await;
    b.wait_for_text(&format!("Session type \"{name}\" added.")).await;
    b.wait_for_text("View the screen").await;
    assert_eq!(b.script("return document.querySelectorAll('b').length").await, 0, "nothing typed is markup");
    b.screenshot(&shots().join(format!("types-en{tag}.png"))).await;
    let kinds = s.store.session_types(false).await.unwrap();
    let added = kinds.iter().find(|t| t.name == name).expect("stored as typed");
    assert!(added.tracking_required);
    assert_eq!(added.tools, Tools::of(&[Tool::View]));
    // The same name again, and none at all, are explained and change nothing.
    b.type_in("#name", name).await;
    b.click("#tool-chat").await;
    b.click("#add-type").await;
    b.wait_for_text("A session type with that name is offered already.").await;
    b.clear("#name").await;
    b.type_in("#name", "Nothing allowed").await;
    b.click("#add-type").await;
    b.wait_for_text("Please allow at least one tool.").await;
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 2);
    // A form whose form token is not the sign-in's (as another page would send it) is refused.
    b.clear("#name").await;
    b.type_in("#name", "Forged").await;
    b.click("#tool-view").await;
    b.script("const f = document.querySelector('#add-type').form; f.querySelector('input[name=csrf]').value = 'forged'; f.submit(); return 0").await;
    b.wait_for_text("This form has expired").await;
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 2, "nothing added");
    // The audit log names who did what.
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("session type added").await;
    b.wait_for_text("Sam Rivera").await;
    b.wait_for_text("site initialised").await;
    b.screenshot(&shots().join(format!("audit-en{tag}.png"))).await;
    // Signing out ends the sign-in in the store too: the old cookie opens nothing.
    b.go(&s.url("/admin")).await;
    b.click("nav button").await;
    b.wait_for_text("Sign in with your support site account.").await;
    let r = client().get(s.url("/admin")).header("cookie", format!("deskside_site={token}")).send().await.unwrap();
    assert!(r.url().path().ends_with("/admin/sign-in"), "the old sign-in still opens {}", r.url());
    b.quit().await;

    // The same pages in Spanish, for a browser that asks for it.
    let b = Browser::start("es").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("Tipos de sesión").await;
    b.wait_for_text("Ver la pantalla").await;
    b.screenshot(&shots().join(format!("types-es{tag}.png"))).await;
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("Registro de auditoría").await;
    b.screenshot(&shots().join(format!("audit-es{tag}.png"))).await;
    b.quit().await;
    s.running.shutdown().await.unwrap();
}

async fn hostile_requests_to_the_pages_are_refused(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let _ = client();
    let c = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = post_sign_in(&c, &s, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    let page = c.get(s.url("/admin")).header("cookie", &cookie).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let add = |origin: &'static str, body: String| {
        c.post(s.url("/admin/session-types"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    // From another site's page, with the right token even: refused.
    let body = format!("csrf={csrf}&name=Evil&tool=view");
    assert_eq!(add("https://evil.example", body.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    // An unknown tool, a name with a line break, and a body past the limit.
    let host = format!("http://{}", s.running.addr);
    let origin: &'static str = Box::leak(host.into_boxed_str());
    let r = add(origin, format!("csrf={csrf}&name=Root&tool=root_shell")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = add(origin, format!("csrf={csrf}&name=Two%0Alines&tool=view")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = add(origin, format!("csrf={csrf}&name={}&tool=view", "x".repeat(20_000))).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 1, "nothing added");
    // A CSR (not an administrator) is shown why, and may change nothing.
    s.store.execute_raw("UPDATE accounts SET role = 'csr'").await.unwrap();
    let r = c.get(s.url("/admin")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = add(origin, format!("csrf={csrf}&name=Sneaky&tool=view")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 1, "nothing added");
    // Wrong passwords through the pages count like the consoles' (five, then a wait).
    for _ in 0..5 {
        let r = post_sign_in(&c, &s, "wrong").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = post_sign_in(&c, &s, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    s.running.shutdown().await.unwrap();
}

async fn an_administrator_searches_opens_and_exports_reports(pg: Option<&Postgres>, tag: &str) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    // Three sessions reported by the console, as it sends them.
    let t = token(&s).await;
    let mut formula = report(3, "=HYPERLINK(\"http://evil.example\")", "TCK-9", "Look only", T0 + 86_400_000);
    formula.end_notes = "Customer hung up.".into();
    for r in [
        report(1, "Ana Gómez", "TCK-1042", "Remote support", T0),
        report(2, "Bo Chen", "", "Remote support", T0 + 3_600_000),
        formula,
    ] {
        let resp = client().post(s.url("/api/v1/reports")).bearer_auth(&t).json(&r).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let b = Browser::start("en").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("What a support representative may start").await;
    b.click("nav a[href='/admin/reports']").await;
    b.wait_for_text("3 sessions match.").await;
    assert_eq!(b.script("return document.querySelectorAll('#reports tr.report').length").await, 3);
    assert_eq!(b.script("return document.querySelector('#per-type tbody tr td:nth-child(2)').textContent").await, "2");
    b.screenshot(&shots().join(format!("reports-en{tag}.png"))).await;
    // A search by customer, then the report itself.
    b.type_in("#customer", "ana").await;
    b.click("#search").await;
    b.wait_for_text("One session matches.").await;
    b.click("#reports tr.report a").await;
    b.wait_for_text("Printer queue stuck").await;
    b.wait_for_text("<script>alert(1)</script> my printer").await;
    b.wait_for_text("view screen").await;
    b.wait_for_text("driver.deb").await;
    b.wait_for_text("Fixed.").await;
    assert_eq!(b.script("return document.querySelectorAll('script').length").await, 0, "what customers typed is text");
    assert_eq!(b.script("return document.querySelector('#report-csr').textContent").await, "Sam Rivera");
    b.screenshot(&shots().join(format!("report-en{tag}.png"))).await;
    // A date that is not one is explained.
    b.go(&s.url("/admin/reports?from=yesterday")).await;
    b.wait_for_text("Please give dates as year-month-day").await;
    // The export, with the browser's sign-in: every line, and no cell a spreadsheet would run.
    let cookie = format!("deskside_site={}", cookie_of(&b.cookies().await).unwrap());
    let r = client().get(s.url("/admin/reports.csv?type=look")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""), "{csv}");
    let r = client().get(s.url("/admin/reports.json")).header("cookie", &cookie).send().await.unwrap();
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!((json["matching"].as_u64(), json["reports"].as_array().map(Vec::len)), (Some(3), Some(3)));
    assert_eq!(json["reports"][0]["report"]["end_notes"], "Customer hung up.");
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("reports exported").await;
    b.quit().await;
    // In Spanish.
    let b = Browser::start("es").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("Tipos de sesión").await;
    b.go(&s.url("/admin/reports")).await;
    b.wait_for_text("Coinciden 3 sesiones.").await;
    b.screenshot(&shots().join(format!("reports-es{tag}.png"))).await;
    b.quit().await;
    // Not for a CSR.
    s.store.execute_raw("UPDATE accounts SET role = 'csr'").await.unwrap();
    for path in ["/admin/reports", "/admin/reports/1", "/admin/reports.csv", "/admin/reports.json"] {
        let r = client().get(s.url(path)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_sqlite() {
    an_administrator_adds_a_session_type_in_the_browser(None, "").await;
    hostile_requests_to_the_pages_are_refused(None).await;
    an_administrator_searches_opens_and_exports_reports(None, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_postgresql() {
    let pg = Postgres::start();
    an_administrator_adds_a_session_type_in_the_browser(Some(&pg), "-pg").await;
    hostile_requests_to_the_pages_are_refused(Some(&pg)).await;
    an_administrator_searches_opens_and_exports_reports(Some(&pg), "-pg").await;
}
