//! Host hand-over over loopback QUIC: the CSR whose console hosts the session hands control to a
//! colleague, then the session itself; the colleague's console hosts it from the state it was
//! sent, and the customer's agent goes there by itself, back to the same seat with the grants it
//! had (no new consent), the chat and the notes kept.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use deskside_agent::engine::Event;
use std::sync::Arc;

use common::*;
use deskside_net::host::{HostCommand, HostConfig, HostEvent, start_host_from};
use deskside_net::{CsrLink, Identity};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{AppKind, Capability, ChatTarget, InviteRole, ParticipantId, Role, SessionId, ToHost};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_moves_to_the_colleague_in_control_and_the_customer_follows_without_new_consent() {
    let mut sam = host();
    let screen = SyntheticSource::new(64, 48, pattern(2));
    let mut agent = join(&invite(&sam), synthetic_options("Ana", &screen, &RecordingSink::default())).await.unwrap();
    let list = participants(&mut sam, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;
    sam.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    participants(&mut sam, |p| p.iter().any(|p| p.id == ana && p.grants.view)).await;
    sam.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "Hello Ana".into() }).unwrap();

    // Kim joins from her console; Sam hands her control.
    let csr_invite = sam.invite(InviteRole::Csr, HALF_HOUR_MS).unwrap();
    let now_s = deskside_net::now_ms() / 1000;
    let link = deskside_net::guest::join(&csr_invite, "Kim", AppKind::Console, now_s).await.unwrap();
    let kim_link = CsrLink::serve(link, Arc::new(|| {}));
    let kim = kim_link.welcome.you;
    sam.send(HostCommand::TransferControl { to: kim }).unwrap();
    participants(&mut sam, |p| p.iter().any(|p| p.id == kim && p.role == Role::CsrInControl)).await;

    // Sam hands the session over and leaves; Kim's console receives everything.
    sam.send(HostCommand::HandOver { notes: "Printer offline since 9:12.".into() }).unwrap();
    let mut state = None;
    until("the state reaches Kim", || {
        state = kim_link.take_hand_over();
        state.is_some()
    })
    .await;
    let state = state.unwrap();
    assert_eq!(state.notes, "Printer offline since 9:12.");
    assert!(state.chat.iter().any(|l| l.text == "Hello Ana" && l.from_name == "Sam Rivera"));

    // Kim's console hosts it and says where; Ana's agent goes there by itself.
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: Identity::generate().unwrap(),
        relays: deskside_net::transport::Relays::default(),
        session: deskside_session::SessionConfig {
            id: SessionId([0; 16]),
            csr_name: String::new(),
            organisation: String::new(),
            session_type: String::new(),
            tracking_code: String::new(),
        },
    };
    let mut kim_host = start_host_from(cfg, &state, Arc::new(|| {})).unwrap();
    let ready = ToHost::HostReady { host: kim_host.reach() };
    assert!(kim_link.send(ready));
    host_event(&mut sam, |e| match e {
        HostEvent::HandedOver { to_name } if to_name == "Kim" => Some(()),
        _ => None,
    })
    .await;
    // The customer is told the session moves, then is back with Kim named as the one in control.
    agent_event(&mut agent, |e| matches!(e, deskside_agent::engine::AgentEvent::Session(Event::Moved)).then_some(()))
        .await;
    let welcome = agent_event(&mut agent, |e| match e {
        deskside_agent::engine::AgentEvent::Session(Event::Reconnected(w)) => Some(w.clone()),
        _ => None,
    })
    .await;
    assert_eq!(welcome.csr_name, "Kim");
    let list = participants(&mut kim_host, |p| p.iter().any(|p| p.id == ana && !p.away && p.present)).await;
    let her = list.iter().find(|p| p.id == ana).unwrap();
    assert!(her.grants.view, "the grant she made stays: no new consent");
    assert_eq!(her.role, Role::PrimaryCustomer);
    assert_eq!(list.iter().find(|p| p.id == ParticipantId(0)).unwrap().name, "Kim");
    assert!(agent.gate().consent().pending().is_none(), "nothing was asked again");
    assert!(agent.gate().allows(Capability::View));
    // The identity words she sees are now those of Kim's console.
    assert_eq!(agent.invite().host.id, kim_host.id());
    // Her screen reaches Kim's console.
    until("Kim sees her screen", || kim_host.screen().lock().unwrap().active).await;
}
