//! Several people in one session, over loopback QUIC: chat reaches only the readers it names
//! (a CSR-only line never reaches a customer), and a CSR who is not in control cannot end the
//! session; control goes to the second CSR, who asks the customer in their own name, and comes
//! back. The second CSR is a real console-kind participant speaking the protocol directly.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, AgentHandle};
use deskside_net::framed::{read_msg, write_msg};
use deskside_net::guest::GuestLink;
use deskside_net::host::{HostCommand, HostEvent};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    AppKind, Capability, ChatTarget, InviteRole, MAX_CONTROL_MSG_BYTES, ParticipantId, Role, ToGuest, ToHost,
};

fn opts(name: &str) -> deskside_agent::engine::AgentOptions {
    synthetic_options(name, &SyntheticSource::new(16, 16, pattern(0)), &RecordingSink::default())
}

async fn second_csr(host: &deskside_net::HostHandle) -> GuestLink {
    let inv = host.invite(InviteRole::Csr, HALF_HOUR_MS).unwrap();
    deskside_net::guest::join(&inv, "Kim Lee", AppKind::Console, deskside_net::now_ms() / 1000).await.unwrap()
}

/// Every chat text `agent` receives up to and including `last`.
async fn agent_chat_until(agent: &mut AgentHandle, last: &str) -> Vec<String> {
    let mut seen = Vec::new();
    agent_event(agent, |e| {
        if let AgentEvent::Session(Event::Chat(l)) = e {
            seen.push(l.text.clone());
            return (l.text == last).then_some(());
        }
        None
    })
    .await;
    seen
}

/// Every chat text the raw CSR link receives up to and including `last`.
async fn csr_chat_until(link: &mut GuestLink, last: &str) -> Vec<String> {
    let mut seen = Vec::new();
    tokio::time::timeout(WAIT, async {
        loop {
            if let ToGuest::Chat(l) = read_msg::<ToGuest>(&mut link.recv, MAX_CONTROL_MSG_BYTES).await.unwrap() {
                seen.push(l.text.clone());
                if l.text == last {
                    return;
                }
            }
        }
    })
    .await
    .unwrap();
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_reaches_only_the_readers_it_names() {
    let mut host = host();
    let mut ana = join(&invite(&host), opts("Ana")).await.unwrap();
    let mut bo = join(&invite(&host), opts("Bo")).await.unwrap();
    let mut kim = second_csr(&host).await;
    let list = participants(&mut host, |p| p.iter().filter(|p| p.present).count() == 4).await;
    let ana_id = list.iter().find(|p| p.name == "Ana").unwrap().id;

    host.send(HostCommand::Chat { to: ChatTarget::Csrs, text: "internal: printer model is EOL".into() }).unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Participant(ana_id), text: "just for Ana".into() }).unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "hello all".into() }).unwrap();

    // Lines travel in order on each connection: by "hello all", everything earlier has arrived.
    assert_eq!(agent_chat_until(&mut ana, "hello all").await, vec!["just for Ana", "hello all"]);
    assert_eq!(agent_chat_until(&mut bo, "hello all").await, vec!["hello all"]);
    assert_eq!(csr_chat_until(&mut kim, "hello all").await, vec!["internal: printer model is EOL", "hello all"]);

    // A customer cannot reach past the rule either: Bo writes to the CSRs; Ana never sees it.
    assert!(bo.chat(ChatTarget::Csrs, "only for support".into()));
    host_event(&mut host, |e| matches!(e, HostEvent::Chat(l) if l.text == "only for support").then_some(())).await;
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "second round".into() }).unwrap();
    assert_eq!(agent_chat_until(&mut ana, "second round").await, vec!["second round"]);
    assert_eq!(csr_chat_until(&mut kim, "second round").await, vec!["only for support", "second round"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csr_who_is_not_in_control_cannot_end_the_session() {
    let mut host = host();
    let mut ana = join(&invite(&host), opts("Ana")).await.unwrap();
    let mut kim = second_csr(&host).await;
    participants(&mut host, |p| p.iter().any(|p| p.name == "Kim Lee")).await;
    write_msg(&mut kim.send, &ToHost::End { notes: "bye".into() }, MAX_CONTROL_MSG_BYTES).await.unwrap();
    let refused = tokio::time::timeout(WAIT, async {
        loop {
            if let ToGuest::Refused { rule } = read_msg::<ToGuest>(&mut kim.recv, MAX_CONTROL_MSG_BYTES).await.unwrap()
            {
                return rule;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(refused, deskside_proto::Rule::NotInControl);
    // The session goes on: the customer still hears the CSR in control, and nothing ended.
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "still here".into() }).unwrap();
    agent_event(&mut ana, |e| matches!(e, AgentEvent::Session(Event::Chat(l)) if l.text == "still here").then_some(()))
        .await;
    assert!(!std::iter::from_fn(|| host.try_event()).any(|e| matches!(e, HostEvent::Ended { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_goes_to_the_second_csr_and_back() {
    let mut host = host();
    let mut ana = join(&invite(&host), opts("Ana")).await.unwrap();
    let mut kim = second_csr(&host).await;
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Kim Lee")).await;
    let (kim_id, ana_id) =
        (list.iter().find(|p| p.name == "Kim Lee").unwrap().id, list.iter().find(|p| p.name == "Ana").unwrap().id);

    // The host's CSR hands control to Kim: everyone sees the new roles.
    host.send(HostCommand::TransferControl { to: kim_id }).unwrap();
    participants(&mut host, |p| {
        p.iter().any(|p| p.id == kim_id && p.role == Role::CsrInControl)
            && p.iter().any(|p| p.id == ParticipantId(0) && p.role == Role::Csr)
    })
    .await;
    // Kim asks the customer; the request names Kim.
    let request = ToHost::Request { to: ana_id, capability: Capability::View };
    write_msg(&mut kim.send, &request, MAX_CONTROL_MSG_BYTES).await.unwrap();
    until("Kim's request reaches Ana", || agent_pending_from(&ana, "Kim Lee")).await;
    // The previous CSR watches: cannot end.
    host.send(HostCommand::End { notes: String::new() }).unwrap();
    let refused = host_event(&mut host, |e| match e {
        HostEvent::Refused(rule) => Some(*rule),
        _ => None,
    })
    .await;
    assert_eq!(refused, deskside_proto::Rule::NotInControl);
    // Kim gives control back; the host's CSR ends the session.
    write_msg(&mut kim.send, &ToHost::TransferControl { to: ParticipantId(0) }, MAX_CONTROL_MSG_BYTES).await.unwrap();
    participants(&mut host, |p| p.iter().any(|p| p.id == ParticipantId(0) && p.role == Role::CsrInControl)).await;
    host.send(HostCommand::End { notes: "done".into() }).unwrap();
    host_event(&mut host, |e| matches!(e, HostEvent::Ended { .. }).then_some(())).await;
    agent_event(&mut ana, |e| matches!(e, AgentEvent::Session(Event::Closed(_))).then_some(())).await;
}

fn agent_pending_from(agent: &AgentHandle, who: &str) -> bool {
    agent.gate().consent().pending().is_some_and(|p| p.from_name == who && p.capability == Capability::View)
}
