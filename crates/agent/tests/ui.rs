//! The agent driven as a customer would, with `egui_kittest`: the join screen (good and bad
//! codes), the consent dialog, the sharing bar with Stop, and the end of the session, against a
//! real host over loopback. The host uses a fixed test certificate (tests/fixtures) so that the
//! identity words, and so the snapshots, never change.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use deskside_agent::AgentApp;
use deskside_agent::engine::AgentOptions;
use deskside_net::Identity;
use deskside_net::host::{HostCommand, HostConfig, HostHandle, start_host};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, SessionId};
use deskside_session::SessionConfig;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn fixture_identity() -> Identity {
    Identity::load_or_create(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")).unwrap()
}

fn fixed_host() -> HostHandle {
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: fixture_identity(),
        session: SessionConfig {
            id: SessionId([3; 16]),
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: String::new(),
        },
    };
    start_host(cfg, Arc::new(|| {})).unwrap()
}

fn options() -> AgentOptions {
    synthetic_options("", &SyntheticSource::new(64, 48, pattern(4)), &RecordingSink::default())
}

fn harness(app: AgentApp) -> Harness<'static, AgentApp> {
    Harness::builder().with_size([460.0, 520.0]).build_ui_state(|ui, app: &mut AgentApp| app.ui(ui), app)
}

fn run_until(h: &mut Harness<'_, AgentApp>, what: &str, mut done: impl FnMut(&Harness<'_, AgentApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn join_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(AgentApp::new(String::new(), "Ana López".into(), options(), rt.handle().clone(), 0));
    h.run();
    h.get_by_label("Join a support session");
    h.get_by_label("Join");
    h.snapshot("agent_join");
}

#[test]
fn a_mistyped_code_is_explained() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h =
        harness(AgentApp::new("04101-G0008-XXXXX".into(), "Ana López".into(), options(), rt.handle().clone(), 0));
    h.run();
    h.get_by_label("Join").click();
    h.run();
    h.get_by_label("This invite code is incomplete or has a typing mistake. Please check it or ask for a new one.");
    h.snapshot("agent_join_error");

    h.state_mut().invite_text = "https://example.com/join".into();
    h.get_by_label("Join").click();
    h.run();
    h.get_by_label("The invite code contains ':', which is not part of any invite code. Please check it.");
}

#[test]
fn join_consent_sharing_stop_and_end() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();

    // The link given on the command line (or pasted) fills the box; the customer clicks Join.
    let mut h = harness(AgentApp::new(invite.to_link(), "Ana López".into(), options(), rt.handle().clone(), 0));
    h.run();
    h.get_by_label_contains("confirm their identity with these words");
    h.get_by_label("Join").click();
    run_until(&mut h, "connected", |h| h.query_by_label("Connected to Sam Rivera").is_some());
    h.get_by_label("Nothing is shared. You will be asked before anything is.");
    let ana = rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.name == "Ana López")));
    let ana = ana.iter().find(|p| p.name == "Ana López").unwrap().id;

    // A request raises a dialog that names the CSR and says what it allows.
    host.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
    run_until(&mut h, "the consent dialog shows", |h| h.query_by_label("Sam Rivera asks to see your screen").is_some());
    h.get_by_label("They will see everything on your screen until you press Stop. They cannot click or type.");
    h.snapshot("agent_consent_view");
    h.get_by_label("Allow").click();
    run_until(&mut h, "the sharing bar shows", |h| h.query_by_label("Sam Rivera can see your screen").is_some());
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.view)));
    h.snapshot("agent_sharing");

    // Stop revokes at once, on the agent itself.
    h.get_by_label("Stop sharing screen").click();
    h.step();
    let deskside_agent::app::AgentScreen::Session(s) = &h.state().screen else { panic!("not in session") };
    assert!(!s.handle.gate().allows(Capability::View), "revoked in the frame that handled the click");
    h.step();
    assert!(h.query_by_label("Sam Rivera can see your screen").is_none());
    rt.block_on(participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.view)));

    // Control is asked separately.
    host.send(HostCommand::Request { to: ana, capability: Capability::Control }).unwrap();
    run_until(&mut h, "the control dialog shows", |h| {
        h.query_by_label("Sam Rivera asks to control your mouse and keyboard").is_some()
    });
    h.get_by_label("Deny").click();
    run_until(&mut h, "the dialog closes", |h| {
        h.query_by_label("Sam Rivera asks to control your mouse and keyboard").is_none()
    });

    // The CSR ends the session: the customer is told, everything has stopped.
    host.send(HostCommand::End { notes: String::new() }).unwrap();
    run_until(&mut h, "the end shows", |h| h.query_by_label("The session is over").is_some());
    h.get_by_label("Sam Rivera ended the session. Nothing is shared any more.");
    h.snapshot("agent_ended");
}
