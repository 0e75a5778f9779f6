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

async fn an_administrator_adds_a_csr_who_sets_their_own_password(pg: Option<&Postgres>, tag: &str) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let b = Browser::start("en").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("What a support representative may start").await;
    b.click("nav a[href='/admin/accounts']").await;
    b.wait_for_text("The people who sign in").await;
    // Kim is added without a password: a one-time link is made for her.
    b.type_in("#new-name", "Kim Lee").await;
    b.type_in("#new-email", "Kim@Acme.example").await;
    b.click("#add-account").await;
    b.wait_for_text("Send Kim Lee this link.").await;
    b.wait_for_text("Has not set a password yet").await;
    let link = b.script("return document.querySelector('#link').value").await.as_str().unwrap().to_owned();
    assert!(link.starts_with("https://support.acme.example/admin/set-password?t="), "{link}");
    let mail = b.script("return document.querySelector('#mail-link').getAttribute('href')").await;
    assert!(mail.as_str().unwrap().starts_with("mailto:kim%40acme.example?subject="), "{mail}");
    b.screenshot(&shots().join(format!("accounts-en{tag}.png"))).await;
    let path = link.trim_start_matches("https://support.acme.example").to_owned();
    // She cannot sign in before she set it; then she opens the link (no sign-in needed).
    let kim = |password: &'static str| {
        let s = &s;
        async move { common::sign_in(&client(), s, "kim@acme.example", password).await.status() }
    };
    let k = Browser::start("en").await;
    k.go(&s.url(&path)).await;
    k.wait_for_text("For Kim Lee (kim@acme.example).").await;
    k.type_in("#password", "kims own good password").await;
    k.type_in("#again", "kims own good passwore").await;
    k.click("#set-password").await;
    k.wait_for_text("The two passwords are not the same.").await;
    k.type_in("#password", "kims own good password").await;
    k.type_in("#again", "kims own good password").await;
    k.click("#set-password").await;
    k.wait_for_text("Your password is set.").await;
    k.screenshot(&shots().join(format!("password-set-en{tag}.png"))).await;
    assert_eq!(kim("kims own good password").await, StatusCode::OK);
    // The link works once.
    k.go(&s.url(&path)).await;
    k.wait_for_text("This link does not work any more").await;
    k.quit().await;
    // Disabled, her console's sign-in ends and she cannot sign in; enabled, she can again.
    let r = common::sign_in(&client(), &s, "kim@acme.example", "kims own good password").await;
    let kim_token = r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    b.go(&s.url("/admin/accounts")).await;
    let kim_row = b
        .script("return [...document.querySelectorAll('tr.account')].find(r => r.textContent.includes('Kim Lee')).id")
        .await;
    let row = format!("#{}", kim_row.as_str().unwrap());
    b.click(&format!("{row} button[value=disable]")).await;
    b.wait_for_text("Kim Lee's account is changed.").await;
    b.wait_for_text("Disabled").await;
    let types = client().get(s.url("/api/v1/session-types")).bearer_auth(&kim_token).send().await.unwrap();
    assert_eq!(types.status(), StatusCode::UNAUTHORIZED, "her sign-in ended");
    assert_eq!(kim("kims own good password").await, StatusCode::FORBIDDEN);
    b.click(&format!("{row} button[value=enable]")).await;
    b.wait_for_text("Active").await;
    assert_eq!(kim("kims own good password").await, StatusCode::OK);
    // Made an administrator, then reset: her password stops working until she uses the new link.
    b.click(&format!("{row} button[value=admin]")).await;
    b.wait_for_text("Make support representative").await;
    b.click(&format!("{row} button[value=reset]")).await;
    b.wait_for_text("Send Kim Lee this link.").await;
    assert_eq!(kim("kims own good password").await, StatusCode::UNAUTHORIZED);
    let again = b.script("return document.querySelector('#link').value").await.as_str().unwrap().to_owned();
    assert_ne!(again, link);
    let r = client().get(s.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "the first link stays used");
    // Sam cannot change his own account, nor add a second account with Kim's address.
    assert_eq!(b.script("return document.querySelectorAll('tr.account button').length").await, 3, "only Kim's");
    b.type_in("#new-name", "Kim again").await;
    b.type_in("#new-email", "kim@acme.example").await;
    b.click("#add-account").await;
    b.wait_for_text("An account with this e-mail address exists already.").await;
    assert_eq!(b.script("return document.querySelector('#new-name').value").await, "Kim again", "what was typed stays");
    // Every change is in the audit log.
    b.go(&s.url("/admin/audit")).await;
    for action in [
        "account added",
        "password set",
        "account disabled",
        "account enabled",
        "made an administrator",
        "password reset",
    ] {
        b.wait_for_text(action).await;
    }
    b.quit().await;
    let b = Browser::start("es").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("Tipos de sesión").await;
    b.go(&s.url("/admin/accounts")).await;
    b.wait_for_text("Restablecer contraseña").await;
    b.screenshot(&shots().join(format!("accounts-es{tag}.png"))).await;
    b.quit().await;
    s.running.shutdown().await.unwrap();
}

async fn hostile_account_requests_are_refused(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let c = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = post_sign_in(&c, &s, PASSWORD).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let html = c.get(s.url("/admin/accounts")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let post = |path: &'static str, body: String| {
        c.post(s.url(path))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let add = |pairs: &[(&str, &str)]| form(pairs);
    // Without the form token, or with bad fields: nothing is added.
    let r =
        post("/admin/accounts", add(&[("name", "Eve"), ("email", "eve@x.example"), ("role", "admin")])).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for fields in [
        [("csrf", csrf.as_str()), ("name", "Eve"), ("email", "eve@x.example"), ("role", "root")],
        [("csrf", csrf.as_str()), ("name", "Two\nlines"), ("email", "eve@x.example"), ("role", "csr")],
        [("csrf", csrf.as_str()), ("name", "Eve"), ("email", "eve@x.example>'--"), ("role", "csr")],
        [("csrf", csrf.as_str()), ("name", "Eve"), ("email", "not an address"), ("role", "csr")],
        [("csrf", csrf.as_str()), ("name", "Eve"), ("email", "eve@x.example"), ("password", "short")],
    ] {
        let r = post("/admin/accounts", add(&fields)).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{fields:?}");
    }
    assert_eq!(s.store.accounts().await.unwrap().len(), 1, "nothing added");
    // One's own account, an unknown one, an unknown action.
    let me = format!("csrf={csrf}&do=disable");
    assert_eq!(post("/admin/accounts/1", me).await.unwrap().status(), StatusCode::BAD_REQUEST);
    let r = post("/admin/accounts/999", format!("csrf={csrf}&do=disable")).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = post("/admin/accounts/1%27%20OR%201=1", format!("csrf={csrf}&do=disable")).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(!s.store.accounts().await.unwrap()[0].disabled);
    // The store itself keeps one enabled administrator, whoever asks.
    let err = s.store.change_account(1, deskside_site::store::Change::Disable, 1, clock.now()).await.unwrap_err();
    assert!(matches!(err, deskside_site::store::StoreError::Refused(_)), "{err}");
    let csr = deskside_site::store::Change::Role(deskside_site::store::Role::Csr);
    assert!(s.store.change_account(1, csr, 1, clock.now()).await.is_err());
    // Links guessed in bulk: refused, counted, then a wait.
    for _ in 0..10 {
        let r = client().get(s.url(&format!("/admin/set-password?t={}", "ab".repeat(32)))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let r = client().get(s.url("/admin/set-password?t=%27%20OR%20%271%27=%271")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // A CSR at the accounts page.
    s.store.execute_raw("UPDATE accounts SET role = 'csr'").await.unwrap();
    let r = c.get(s.url("/admin/accounts")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    s.running.shutdown().await.unwrap();
}

async fn an_administrator_names_the_organisation_archives_a_type_and_keeps_reports_a_month(
    pg: Option<&Postgres>,
    tag: &str,
) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let t = token(&s).await;
    let old = report(1, "Ana", "OLD", "Remote support", T0 - 40 * 86_400_000);
    for r in [old, report(2, "Bo", "NEW", "Remote support", T0)] {
        let resp = client().post(s.url("/api/v1/reports")).bearer_auth(&t).json(&r).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
    let b = Browser::start("en").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("What a support representative may start").await;
    // The last session type cannot be archived: consoles need one.
    b.click("button[value=archive]").await;
    b.wait_for_text("The last session type is kept").await;
    s.store.add_session_type("Look only", false, Tools::of(&[Tool::View]), None, clock.now()).await.unwrap();
    b.go(&s.url("/admin")).await;
    let remote = s.store.session_types(false).await.unwrap().into_iter().find(|t| t.name == "Remote support").unwrap();
    b.click(&format!("#archive-{}", remote.id)).await;
    b.wait_for_text("Session type \"Remote support\" is offered no more.").await;
    let offered: Vec<String> = s.store.session_types(false).await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(offered, ["Look only"]);
    // The organisation: bad fields are explained and change nothing.
    b.click("nav a[href='/admin/organisation']").await;
    b.wait_for_text("What customers are shown").await;
    b.clear("#org-address").await;
    b.type_in("#org-address", "ftp://acme.example").await;
    b.click("#save-org").await;
    b.wait_for_text("Please give the site's address as https://").await;
    b.clear("#org-address").await;
    b.type_in("#org-address", "https://help.acme.example").await;
    b.clear("#org-retention").await;
    b.type_in("#org-retention", "forever").await;
    b.click("#save-org").await;
    b.wait_for_text("Please give a number of days from 0 to 3650.").await;
    assert_eq!(s.store.organisation().await.unwrap().unwrap().name, "Acme Support", "nothing changed yet");
    // Relays an invite could not carry, and a token too short.
    b.clear("#org-retention").await;
    b.type_in("#org-retention", "30").await;
    b.type_in("#org-relays", "ftp://relay.acme.example").await;
    b.click("#save-org").await;
    b.wait_for_text("Please give at most 3 relays").await;
    b.clear("#org-relays").await;
    b.type_in("#org-relays", "https://relay1.acme.example\nhttps://relay2.acme.example").await;
    b.type_in("#org-token", "short").await;
    b.click("#save-org").await;
    b.wait_for_text("The relay token must have 16 to 128").await;
    b.clear("#org-token").await;
    b.type_in("#org-token", "acme-team-relay-token").await;
    b.clear("#org-name").await;
    b.type_in("#org-name", "Acme Help Desk").await;
    b.clear("#org-retention").await;
    b.type_in("#org-retention", "30").await;
    b.click("#save-org").await;
    b.wait_for_text("Saved.").await;
    assert_eq!(b.script("return document.querySelector('header strong').textContent").await, "Acme Help Desk");
    b.screenshot(&shots().join(format!("organisation-en{tag}.png"))).await;
    // Consoles and their customers get the new names; the report older than a month is gone.
    let signed: serde_json::Value = common::sign_in(&client(), &s, ADMIN, PASSWORD).await.json().await.unwrap();
    assert_eq!(
        (signed["organisation"].as_str(), signed["site_address"].as_str()),
        (Some("Acme Help Desk"), Some("https://help.acme.example"))
    );
    let relays =
        client().get(s.url("/api/v1/relays")).bearer_auth(signed["token"].as_str().unwrap()).send().await.unwrap();
    let relays: deskside_proto::site::RelayList = relays.json().await.unwrap();
    assert_eq!(relays.urls, ["https://relay1.acme.example", "https://relay2.acme.example"]);
    assert_eq!(relays.token, "acme-team-relay-token");
    assert_eq!(client().get(s.url("/api/v1/relays")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let (left, _) = s.store.reports(&deskside_site::store::ReportQuery::default(), 10).await.unwrap();
    assert_eq!(left.iter().map(|r| r.tracking_code.as_str()).collect::<Vec<_>>(), ["NEW"]);
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("organisation changed").await;
    b.wait_for_text("relay token changed").await;
    assert!(!b.text().await.contains("acme-team-relay-token"), "the token is not in the log");
    b.wait_for_text("session type archived").await;
    b.quit().await;
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_sqlite() {
    an_administrator_adds_a_session_type_in_the_browser(None, "").await;
    hostile_requests_to_the_pages_are_refused(None).await;
    an_administrator_searches_opens_and_exports_reports(None, "").await;
    an_administrator_adds_a_csr_who_sets_their_own_password(None, "").await;
    hostile_account_requests_are_refused(None).await;
    an_administrator_names_the_organisation_archives_a_type_and_keeps_reports_a_month(None, "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_postgresql() {
    let pg = Postgres::start().unwrap();
    an_administrator_adds_a_session_type_in_the_browser(Some(&pg), "-pg").await;
    hostile_requests_to_the_pages_are_refused(Some(&pg)).await;
    an_administrator_searches_opens_and_exports_reports(Some(&pg), "-pg").await;
    an_administrator_adds_a_csr_who_sets_their_own_password(Some(&pg), "-pg").await;
    hostile_account_requests_are_refused(Some(&pg)).await;
    an_administrator_names_the_organisation_archives_a_type_and_keeps_reports_a_month(Some(&pg), "-pg").await;
}
