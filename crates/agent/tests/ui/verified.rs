//! Who is behind the invite, vouched for by the organisation: the "Verified" mark before joining
//! and in the session, and a request the organisation does not allow refused by the agent itself
//! (the host here allows itself everything, as a changed console would), with the customer told.

use super::*;
use deskside_agent::app::CodeState;
use deskside_proto::cert::{CertBody, Certificate, Tool, Tools, Trust, public_key};

const ORG: [u8; 32] = [3; 32];

/// The fixed host, certified by Acme Support for "Look only" (seeing the screen, nothing else),
/// but holding itself to nothing.
fn certified_host() -> HostHandle {
    let host = fixed_host();
    let now_s = deskside_net::now_ms() / 1000;
    let body = CertBody {
        endpoint: fixture_identity().id,
        csr_name: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        site_address: "https://support.acme.example".into(),
        session_type: "Look only".into(),
        tools: Tools::of(&[Tool::View]),
        issued_unix_s: now_s - 60,
        expires_unix_s: now_s + 3600,
    };
    let policy = deskside_session::Policy { certificate: Some(Certificate::sign(&ORG, &body)), tools: Tools::ALL };
    host.send(HostCommand::SetPolicy(Box::new(policy))).unwrap();
    host
}

/// An agent whose 9-digit code the site already resolved to `invite`, with the site's keys.
fn by_code(rt: &tokio::runtime::Runtime, invite: deskside_proto::Invite, keys: Vec<[u8; 32]>, lang: Lang) -> AgentApp {
    let mut a = agent(rt, "123 456 789", lang);
    let trust = Trust { site: "support.acme.example".into(), keys };
    a.code = Some(("123 456 789".into(), CodeState::Ready(invite, trust)));
    // The site it came through (not asked again: the code is looked up already).
    a.site = Some(deskside_net::site::SiteClient::new("https://support.acme.example", &[]).unwrap());
    a
}

#[test]
fn a_verified_console_is_marked_and_held_to_its_tools_in_both_languages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(async { certified_host() });
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::Es] {
        let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
        let mut h = harness(by_code(&rt, inv, vec![public_key(&ORG)], lang));
        let verified = say(
            lang,
            "Verified: Sam Rivera, Acme Support (support.acme.example)",
            "Verificado: Sam Rivera, Acme Support (support.acme.example)",
        );
        run_until(&mut h, "the verified preview", |h| h.query_by_label(verified).is_some());
        h.get_by_label("Look only");
        assert!(h.query_by_label_contains(say(lang, "could not be verified", "No se pudo verificar")).is_none());
        shot(&mut h, &format!("agent_verified_preview_{}", suffix(lang)));
        results.extend_harness(&mut h);
        h.get_by_label(say(lang, "Join", "Entrar")).click();
        run_until(&mut h, "joined", |h| {
            h.query_by_label(say(lang, "Connected to Sam Rivera", "Conectado con Sam Rivera")).is_some()
        });
        h.get_by_label(verified);
        let me = match &h.state().screen {
            AgentScreen::Session(s) => s.handle.welcome().you,
            _ => panic!("not in the session"),
        };
        // The console asks to control: the organisation does not allow it, so the customer is
        // not even asked, and is told.
        host.send(HostCommand::Request { to: me, capability: Capability::Control }).unwrap();
        let refused = say(
            lang,
            "Sam Rivera asked for your mouse and keyboard, which Acme Support does not allow in this session. Deskside refused it without asking you.",
            "Sam Rivera pidió su ratón y su teclado, que Acme Support no permite en esta sesión. Deskside lo rechazó sin preguntarle.",
        );
        run_until(&mut h, "the refusal told", |h| h.query_by_label(refused).is_some());
        match &h.state().screen {
            AgentScreen::Session(s) => {
                assert!(s.handle.gate().consent().pending().is_none(), "nothing to answer");
                assert!(!s.handle.gate().allows(Capability::Control));
            }
            _ => panic!("not in the session"),
        }
        shot(&mut h, &format!("agent_verified_refused_{}", suffix(lang)));
        results.extend_harness(&mut h);
    }
    // The same console, checked against keys it was not signed with: a plain warning, and the
    // certificate's names are not shown as the organisation's word.
    let inv = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let mut h = harness(by_code(&rt, inv, vec![public_key(&[4; 32])], Lang::En));
    run_until(&mut h, "the warning", |h| {
        h.query_by_label("This person's organisation could not be verified. Only continue if you called them.")
            .is_some()
    });
    assert!(h.query_by_label_contains("Verified:").is_none());
    results.unwrap();
}
