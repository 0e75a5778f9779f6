//! The console with the team's support site: the sign-in form and who is signed in, in every
//! look; signing in to a real site, the sign-in kept (for this user only) across a restart, and
//! each customer invite given a 9-digit code that the site resolves to that invite.

use super::*;
use deskside_proto::cert::{Identity as Vouched, Tool as CertTool, Tools};

const PASSWORD: &str = "a long and good password";

/// Two session types as a site lists them: seeing only (tracking code required), and everything.
fn site_types() -> Vec<deskside_proto::site::SessionTypeInfo> {
    let info = |id, name: &str, tracking_required, tools: Tools| deskside_proto::site::SessionTypeInfo {
        id,
        name: name.into(),
        tracking_required,
        tools: tools.iter().map(|t| t.key().to_owned()).collect(),
    };
    vec![info(2, "Look only", true, Tools::of(&[CertTool::View])), info(1, "Remote support", false, Tools::ALL)]
}

/// A site on loopback with Sam Rivera of Acme Support as its first CSR.
fn support_site(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> deskside_site::Running {
    rt.block_on(async {
        let store =
            deskside_site::store::Store::open(&format!("sqlite://{}", dir.join("site.db").display())).await.unwrap();
        let init = deskside_site::Init {
            organisation: "Acme Support".into(),
            site_address: "https://support.acme.example".into(),
            admin_email: "sam@acme.example".into(),
            admin_name: "Sam Rivera".into(),
            admin_password: PASSWORD.into(),
        };
        let clock = deskside_site::system_clock();
        deskside_site::init(&store, &init, clock()).await.unwrap();
        deskside_site::start(store, "127.0.0.1:0".parse().unwrap(), clock).await.unwrap()
    })
}

/// The store of the `site` kept in `dir`, its address, a client of it, and Sam's sign-in to
/// it kept where a console finds it (the path returned).
fn signed_in(
    rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    site: &deskside_site::Running,
) -> (deskside_site::store::Store, String, deskside_net::site::SiteClient, std::path::PathBuf) {
    let db = format!("sqlite://{}", dir.join("site.db").display());
    let store = rt.block_on(deskside_site::store::Store::open(&db)).unwrap();
    let address = format!("http://{}", site.addr);
    let client = deskside_net::site::SiteClient::new(&address, &[]).unwrap();
    let signed = rt.block_on(client.sign_in("sam@acme.example", PASSWORD)).unwrap();
    let kept = dir.join("site-sign-in.json");
    std::fs::write(&kept, serde_json::json!({"site": address, "signed": signed}).to_string()).unwrap();
    (store, address, client, kept)
}

/// A console whose settings name `site`, keeping its sign-in at `kept`.
fn app_with_site(rt: &tokio::runtime::Runtime, site: &str, kept: &std::path::Path) -> ConsoleApp {
    let dir = kept.parent().unwrap();
    let history = deskside_history::History::open(&dir.join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let mut cfg = config(rt, Ok(deskside_history::Recorder::spawn(history).unwrap()));
    cfg.history_path = Some(dir.join("history.sqlite3"));
    site.clone_into(&mut cfg.settings.site);
    cfg.settings.display_name = String::new();
    cfg.settings.organisation = String::new();
    cfg.site_path = Some(kept.to_owned());
    ConsoleApp::new(cfg)
}

#[test]
fn the_sign_in_form_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("site-sign-in.json");
    every_look(
        "start_site",
        |lang, theme| {
            let mut a = app_with_site(&rt, "https://support.acme.example", &kept);
            a.settings.language = Some(lang);
            a.settings.theme = theme;
            a
        },
        |h, lang| {
            h.get_by_label(if lang == Lang::En { "Support site" } else { "Sitio de soporte" });
            h.get_by_label(if lang == Lang::En { "Sign in" } else { "Acceder" });
        },
    );
}

/// A kept sign-in for this site shows who is signed in; one for another site, or expired, does not.
#[test]
fn a_kept_sign_in_shows_who_is_signed_in_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("site-sign-in.json");
    let signed = |site: &str, expires: u64| {
        serde_json::json!({"site": site, "signed": {"token": "a".repeat(64), "expires_unix_s": expires,
            "display_name": "Sam Rivera", "organisation": "Acme Support", "site_address": site}})
        .to_string()
    };
    let later = deskside_net::now_ms() / 1000 + 3600;
    std::fs::write(&kept, signed("https://support.acme.example", later)).unwrap();
    every_look(
        "start_signed_in",
        |lang, theme| {
            let mut a = app_with_site(&rt, "https://support.acme.example", &kept);
            a.settings.language = Some(lang);
            a.settings.theme = theme;
            // The site's types, as if it had answered (the test goes to no site).
            a.site.as_mut().unwrap().types = site_types();
            a
        },
        |h, lang| {
            h.get_by_label_contains(if lang == Lang::En {
                "Signed in to support.acme.example as Sam Rivera"
            } else {
                "Ha accedido a support.acme.example como Sam Rivera"
            });
            // The site's names are fixed, and its first type is chosen.
            let Screen::Start(form) = &h.state().screen else { panic!("not the start screen") };
            assert_eq!((form.csr_name.as_str(), form.session_type.as_str()), ("Sam Rivera", "Look only"));
            assert!(h.query_by_role_and_label(egui::Role::TextInput, say(lang, "Your name", "Su nombre")).is_none());
        },
    );
    for (site, expires) in [("https://other.example", later), ("https://support.acme.example", 1)] {
        std::fs::write(&kept, signed(site, expires)).unwrap();
        let a = app_with_site(&rt, "https://support.acme.example", &kept);
        assert!(a.site.as_ref().unwrap().signed.is_none(), "{site} until {expires}");
    }
    // No site in the settings: no sign-in at all.
    let a = app_with_site(&rt, "", &kept);
    assert!(a.site.is_none());
}

#[test]
fn signed_in_each_customer_invite_gets_a_code_the_site_resolves() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let site = support_site(&rt, dir.path());
    let address = format!("http://{}", site.addr);
    let kept = dir.path().join("site-sign-in.json");
    let mut h = harness(app_with_site(&rt, &address, &kept));
    h.run();
    h.get_by_role_and_label(egui::Role::TextInput, "E-mail").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "E-mail").type_text("sam@acme.example");
    h.run_steps(2);
    // A wrong password first: said, and the form stays.
    h.get_by_role_and_label(egui::Role::PasswordInput, "Password").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::PasswordInput, "Password").type_text("not my password");
    h.run_steps(2);
    h.get_by_label("Sign in").click();
    run_until(&mut h, "the wrong password is said", |h| {
        h.query_by_label("The e-mail address or password is not right.").is_some()
    });
    h.get_by_role_and_label(egui::Role::PasswordInput, "Password").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::PasswordInput, "Password").type_text(PASSWORD);
    h.run_steps(2);
    h.get_by_label("Sign in").click();
    run_until(&mut h, "signed in", |h| h.query_by_label_contains("as Sam Rivera (Acme Support)").is_some());
    // The site's names fill the form; the sign-in is kept for this user alone.
    let Screen::Start(form) = &h.state().screen else { panic!("not the start screen") };
    assert_eq!((form.csr_name.as_str(), form.organisation.as_str()), ("Sam Rivera", "Acme Support"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(!std::fs::read_to_string(&kept).unwrap().contains(PASSWORD), "the password is never kept");

    h.get_by_label("Start session").click();
    run_until(&mut h, "the customer invite's code shows", |h| h.query_by_label_contains("Code to read out:").is_some());
    let (invite, code) = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        let inv = view.invites[0].clone();
        let Some((_, deskside_console::session_view::ShortCodeState::Ready(code))) =
            view.short_codes.iter().find(|(s, _)| *s == inv.secret)
        else {
            panic!("no code: {:?}", view.short_codes)
        };
        (inv, code.clone())
    };
    assert_eq!(code.len(), 11, "three groups of three digits: {code}");
    // The customer's agent types it and gets exactly this invite, once.
    let client = deskside_net::site::SiteClient::new(&address, &[]).unwrap();
    let short = deskside_proto::site::ShortCode::parse(&code).unwrap();
    assert_eq!(rt.block_on(client.resolve(short)).unwrap().0, invite);
    assert_eq!(rt.block_on(client.resolve(short)).unwrap_err(), deskside_net::site::SiteError::UnknownCode);
    // An invite for a colleague gets none: it is not read out to a customer.
    h.get_by_label("Support representative").click();
    h.run_steps(2);
    h.get_by_label("New invite").click();
    h.run_steps(10);
    h.get_by_label("Copy link");
    assert!(h.query_by_label_contains("Code to read out:").is_none());
    // A restart keeps the sign-in.
    let again = app_with_site(&rt, &address, &kept);
    assert_eq!(again.site.as_ref().unwrap().signed.as_ref().unwrap().display_name, "Sam Rivera");
    rt.block_on(site.shutdown()).unwrap();
}

/// The Invite panel with the 9-digit code the site gave the customer invite, large, with Copy.
#[test]
fn the_invite_panel_shows_the_code_to_read_out() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "invite_site_code",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.participants.truncate(1);
            view.chat.clear();
            view.short_codes = vec![(
                fixed_invite().secret,
                deskside_console::session_view::ShortCodeState::Ready("123 456 789".into()),
            )];
            in_session(&rt, lang, theme, Tool::Invite, view)
        },
        |h, lang| {
            h.get_by_label(say(lang, "Code to read out:", "Código para dictar:"));
            h.get_by_label("123 456 789");
            h.get_by_label(say(lang, "Copy 9-digit code", "Copiar código de 9 cifras"));
        },
    );
}

/// Signed in, Sam starts a "Look only" session: the site vouches for this console to the
/// customer, whose agent shows it as verified; the tools the type does not allow are disabled
/// with the reason, and a request for one is refused by the host as well; the session's record
/// arrives in the site's reports when it ends. The whole path, end to end.
#[test]
fn a_signed_in_session_is_vouched_for_and_held_to_its_type() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let site = support_site(&rt, dir.path());
    let (store, address, client, kept) = signed_in(&rt, dir.path(), &site);
    let now = deskside_net::now_ms() / 1000;
    rt.block_on(store.add_session_type("Look only", true, Tools::of(&[CertTool::View]), None, now)).unwrap();
    let mut h = harness(app_with_site(&rt, &address, &kept));
    run_until(&mut h, "the site's types", |h| h.state().site.as_ref().is_some_and(|s| s.types.len() == 2));
    if let Screen::Start(form) = &mut h.state_mut().screen {
        form.session_type = "Look only".into();
    }
    h.run_steps(2);
    // The type needs a tracking code: said before anything starts.
    h.get_by_label("Start session").click();
    h.run_steps(2);
    h.get_by_label_contains("needs a tracking code");
    if let Screen::Start(form) = &mut h.state_mut().screen {
        form.tracking_code = "T-77".into();
    }
    h.get_by_label("Start session").click();
    run_until(&mut h, "the code shows", |h| h.query_by_label_contains("Code to read out:").is_some());
    let code = {
        let Screen::Session(view) = &h.state().screen else { panic!("no session") };
        assert_eq!(view.certified.as_ref().map(|c| c.tools), Some(Tools::of(&[CertTool::View])));
        view.short_codes.iter().find_map(|(_, s)| match s {
            deskside_console::session_view::ShortCodeState::Ready(c) => Some(c.clone()),
            _ => None,
        })
    };
    // The customer's agent resolves the code and joins, checking the console's certificate.
    let short = deskside_proto::site::ShortCode::parse(&code.unwrap()).unwrap();
    let (invite, trust) = rt.block_on(client.resolve(short)).unwrap();
    let screen = SyntheticSource::new(64, 48, |x, y| [x as u8, y as u8, 40, 0]);
    let opts = AgentOptions { trust: Some(trust), ..ana_options(&screen, &RecordingSink::default()) };
    let ana = rt.block_on(start(invite, opts, Arc::new(|| {}))).unwrap();
    match ana.gate().guest().identity() {
        Vouched::Verified { body, .. } => {
            assert_eq!((body.csr_name.as_str(), body.organisation.as_str()), ("Sam Rivera", "Acme Support"));
            assert_eq!((body.session_type.as_str(), body.tools), ("Look only", Tools::of(&[CertTool::View])));
        }
        other @ Vouched::Unverified(_) => panic!("the agent did not verify the console: {other:?}"),
    }
    run_until(&mut h, "Ana is in", |h| {
        let Screen::Session(v) = &h.state().screen else { return false };
        v.primary().is_some()
    });
    // Chat, files and system information are not for this type: disabled, and why.
    for tool in ["Chat", "File transfer", "System info"] {
        let b = h.get_by_role_and_label(egui::Role::Button, tool);
        assert!(b.accesskit_node().is_disabled(), "{tool} is offered");
    }
    h.get_by_role_and_label(egui::Role::Button, "Remote control").click();
    h.run_steps(2);
    assert!(h.get_by_label("Control desktop").accesskit_node().is_disabled());
    assert!(!h.get_by_label("View desktop").accesskit_node().is_disabled());
    // Asked anyway (a script, a changed console): the host refuses it, and says why.
    let ana_id = ana.welcome().you;
    let ask = deskside_net::host::HostCommand::Request { to: ana_id, capability: deskside_proto::Capability::Control };
    h.state().host().unwrap().send(ask).unwrap();
    run_until(&mut h, "the refusal", |h| {
        h.query_by_label_contains("Not allowed for this session type by your organisation").is_some()
    });
    assert!(ana.gate().consent().pending().is_none(), "the customer was not asked");
    // What the type allows is asked as usual.
    h.get_by_label("View desktop").click();
    run_until(&mut h, "Ana is asked to share her screen", |_| ana.gate().consent().pending().is_some());
    // A certificate about to run out is renewed by itself (for whoever joins next).
    let soon = deskside_net::now_ms() / 1000 + 60;
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.certified.as_mut().unwrap().expires_unix_s = soon;
    }
    run_until(&mut h, "the certificate renewed", |h| {
        let Screen::Session(v) = &h.state().screen else { return false };
        v.certified.as_ref().is_some_and(|c| c.expires_unix_s > soon + 3000)
    });
    // Sam ends the session: its record arrives in the site's reports, with Ana and her consent.
    h.get_by_label("End session…").click();
    h.run_steps(2);
    if let Screen::Session(view) = &mut h.state_mut().screen {
        view.end_notes = "Looked at the printer settings.".into();
    }
    h.get_by_role_and_label(egui::Role::Button, "End session").click();
    run_until(&mut h, "the summary shows", |h| h.query_by_label("Session ended").is_some());
    let all = || rt.block_on(store.reports(&deskside_site::store::ReportQuery::default(), 10)).unwrap().0;
    run_until(&mut h, "the report is on the site", |_| !all().is_empty());
    let got = all();
    assert_eq!((got[0].session_type.as_str(), got[0].tracking_code.as_str()), ("Look only", "T-77"));
    assert_eq!(got[0].customers, ["Ana López"]);
    let (_, body) = rt.block_on(store.report(got[0].id)).unwrap().unwrap();
    let report: deskside_proto::report::Report = serde_json::from_str(&body).unwrap();
    assert_eq!(report.end_notes, "Looked at the printer settings.");
    assert!(report.participants.iter().any(|p| p.name == "Ana López" && p.role == "primary customer"));
    assert!(report.consents.iter().all(|c| c.capability != "control mouse and keyboard" || !c.granted));
    rt.block_on(site.shutdown()).unwrap();
}

/// A "Look only" session as Sam sees it: what the type does not allow disabled in the toolbar.
#[test]
fn tools_a_session_type_does_not_allow_are_disabled_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "session_look_only",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.certified = Some(deskside_console::site::Certified::new(2, Tools::of(&[CertTool::View]), u64::MAX));
            in_session(&rt, lang, theme, Tool::RemoteControl, view)
        },
        |h, lang| {
            let chat = h.get_by_role_and_label(egui::Role::Button, "Chat");
            assert!(chat.accesskit_node().is_disabled());
            assert!(
                h.get_by_label(say(lang, "Control desktop", "Controlar escritorio")).accesskit_node().is_disabled()
            );
        },
    );
}

/// Signed in, every session Sam ends reaches the site's reports once; while the site cannot be
/// reached, its report waits (the start screen says so) and is sent once the site is back.
#[test]
fn ended_sessions_reach_the_sites_reports_once_even_after_the_site_was_down() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let site = support_site(&rt, dir.path());
    let (store, address, _, kept) = signed_in(&rt, dir.path(), &site);
    let mut h = harness(app_with_site(&rt, &address, &kept));
    run_until(&mut h, "the site's types", |h| h.state().site.as_ref().is_some_and(|s| !s.types.is_empty()));
    let reports = |store: &deskside_site::store::Store| {
        rt.block_on(store.reports(&deskside_site::store::ReportQuery::default(), 10)).unwrap().0
    };
    let begin = |h: &mut Harness<'_, ConsoleApp>, tracking: &str| {
        if let Screen::Start(form) = &mut h.state_mut().screen {
            form.tracking_code = tracking.into();
        }
        h.get_by_label("Start session").click();
        run_until(h, "the session starts", |h| h.query_by_label("End session…").is_some());
    };
    let end = |h: &mut Harness<'_, ConsoleApp>, notes: &str| {
        h.get_by_label("End session…").click();
        h.run_steps(2);
        if let Screen::Session(view) = &mut h.state_mut().screen {
            view.end_notes = notes.into();
        }
        h.get_by_role_and_label(egui::Role::Button, "End session").click();
        run_until(h, "the summary shows", |h| h.query_by_label("Session ended").is_some());
        h.get_by_label("Start another session").click();
        h.run_steps(2);
    };
    begin(&mut h, "T-1");
    end(&mut h, "Reset the password.");
    run_until(&mut h, "the report is on the site", |_| !reports(&store).is_empty());
    let got = reports(&store);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].csr_name.as_str(), got[0].tracking_code.as_str()), ("Sam Rivera", "T-1"));
    assert_eq!(got[0].session_type, "Remote support");
    let (_, body) = rt.block_on(store.report(got[0].id)).unwrap().unwrap();
    assert_eq!(serde_json::from_str::<deskside_proto::report::Report>(&body).unwrap().end_notes, "Reset the password.");

    // The site goes down during the next session; its report waits, and the start screen says so.
    begin(&mut h, "T-2");
    let at = site.addr;
    rt.block_on(site.shutdown()).unwrap();
    end(&mut h, "Printer fixed.");
    run_until(&mut h, "the report waits", |h| h.query_by_label_contains("waiting to be sent to").is_some());
    h.get_by_label_contains("One session report is waiting to be sent to");
    h.get_by_label_contains("The last try failed:");
    if let Ok(image) = h.render() {
        let _ = image.save(std::env::temp_dir().join("console-reports-waiting.png"));
    }
    // Back (at the same address): the waiting report is sent, the first is not sent again.
    let site =
        rt.block_on(async { deskside_site::start(store.clone(), at, deskside_site::system_clock()).await.unwrap() });
    h.state_mut().reports.as_mut().unwrap().schedule.next_s = 0;
    run_until(&mut h, "the waiting report is sent", |_| reports(&store).len() == 2);
    run_until(&mut h, "nothing waits any more", |h| h.query_by_label_contains("waiting to be sent to").is_none());
    let got = reports(&store);
    assert_eq!(got.iter().map(|r| r.tracking_code.as_str()).collect::<Vec<_>>(), ["T-2", "T-1"]);
    // Every session is marked in the history as confirmed by the site.
    let history = deskside_history::History::open(&dir.path().join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    assert!(history.unreported(&address, 10).unwrap().is_empty());
    assert_eq!(history.unreported_count(&address).unwrap(), 0);
    rt.block_on(site.shutdown()).unwrap();
}

/// The team's relays, set on the site, are the ones a signed-in console's sessions go through
/// (a relay given for this run still comes first; without a sign-in, the console's own).
#[test]
fn a_signed_in_console_takes_the_teams_relays_from_its_site() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let site = support_site(&rt, dir.path());
    let (store, address, _, kept) = signed_in(&rt, dir.path(), &site);
    let team = deskside_proto::site::RelayList {
        urls: vec!["https://relay1.acme.example".into(), "https://relay2.acme.example".into()],
        token: "acme-team-relay-token".into(),
    };
    let org = rt.block_on(store.organisation()).unwrap().unwrap();
    rt.block_on(store.set_organisation(&org, 0, &team, 1, deskside_net::now_ms() / 1000)).unwrap();
    let mut h = harness(app_with_site(&rt, &address, &kept));
    run_until(&mut h, "the site's types and relays", |h| h.state().site.as_ref().is_some_and(|s| s.relays.is_some()));
    let own = deskside_net::transport::Relays {
        urls: vec!["https://own.example".into()],
        token: "own-relay-token-0123".into(),
        roots: vec![],
    };
    let site_account = h.state().site.as_ref();
    let used = deskside_console::site::SiteAccount::host_relays(None, site_account, own.clone());
    assert_eq!((used.urls, used.token.as_str()), (team.urls.clone(), "acme-team-relay-token"));
    let run = deskside_net::transport::Relays { urls: vec!["https://run.example".into()], ..own.clone() };
    assert_eq!(deskside_console::site::SiteAccount::host_relays(Some(&run), site_account, own.clone()), run);
    assert_eq!(deskside_console::site::SiteAccount::host_relays(None, None, own.clone()), own);
    rt.block_on(site.shutdown()).unwrap();
}
