//! The console with the team's support site: the sign-in form and who is signed in, in every
//! look; signing in to a real site, the sign-in kept (for this user only) across a restart, and
//! each customer invite given a 9-digit code that the site resolves to that invite.

use super::*;

const PASSWORD: &str = "a long and good password";

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

/// A console whose settings name `site`, keeping its sign-in at `kept`.
fn app_with_site(rt: &tokio::runtime::Runtime, site: &str, kept: &std::path::Path) -> ConsoleApp {
    let dir = kept.parent().unwrap();
    let history = deskside_history::History::open(&dir.join("history.sqlite3"), deskside_net::now_ms()).unwrap();
    let mut cfg = config(rt, Ok(deskside_history::Recorder::spawn(history).unwrap()));
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
            a
        },
        |h, lang| {
            h.get_by_label_contains(if lang == Lang::En {
                "Signed in to support.acme.example as Sam Rivera"
            } else {
                "Ha accedido a support.acme.example como Sam Rivera"
            });
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
    assert_eq!(rt.block_on(client.resolve(short)).unwrap(), invite);
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
