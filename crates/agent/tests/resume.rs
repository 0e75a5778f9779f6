//! A dropped connection, for real: the agent reaches the host through a UDP relay on loopback
//! that the test cuts (every packet dropped both ways, as when Wi-Fi goes) and restores. The host
//! holds the customer's seat; the agent says it is reconnecting and comes back by itself with its
//! resumption ticket, without a new invite and without asking the customer again: the same
//! participant, the grants it had, the screen again from a complete picture, and the chat said
//! while it was away (but never the CSRs' own).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use deskside_agent::engine::AgentEvent;
use deskside_agent::engine::Event;
use deskside_net::host::HostCommand;
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, ChatTarget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_customer_comes_back_to_the_same_seat_by_itself() {
    let mut host = host();
    let relay = relay(host.local_addr()).await;
    let mut invite = invite(&host);
    invite.host.addrs = vec![relay.addr];

    let screen = SyntheticSource::new(96, 64, pattern(3));
    let mut agent = join(&invite, synthetic_options("Ana", &screen, &RecordingSink::default())).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;
    host.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    let (w, h, pixels) = screen.pixels();
    until("the screen arrives", || screen_matches(&host, w, h, &pixels)).await;
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "Before the drop".into() }).unwrap();
    agent_event(&mut agent, |e| {
        matches!(e, AgentEvent::Session(Event::Chat(l)) if l.text == "Before the drop").then_some(())
    })
    .await;

    // The network goes: the host holds the seat (present, away, grants kept) ...
    relay.cut(true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.present && p.away && p.grants.view)).await;
    // ... and what is said meanwhile is kept for Ana, except what is for the CSRs only.
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "While you were away".into() }).unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Csrs, text: "CSRs only".into() }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::Reconnecting)).then_some(())).await;
    assert!(agent.gate().allows(Capability::View), "the customer's grant stays, with its Stop");

    // The network is back: the agent comes back by itself, to the same seat, with the chat.
    screen.paint(96, 64, pattern(9));
    relay.cut(false);
    let welcome = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::Reconnected(w)) => Some(w.clone()),
        _ => None,
    })
    .await;
    assert_eq!(welcome.you, ana);
    // The chat follows the welcome, all of it again, including what was said while away.
    let said = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::ChatBacklog(lines)) => {
            Some(lines.iter().map(|l| l.text.clone()).collect::<Vec<_>>())
        }
        _ => None,
    })
    .await;
    assert_eq!(said, vec!["Before the drop", "While you were away"]);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.present && !p.away && p.grants.view)).await;
    // No new consent was asked, and the screen comes again, as it is now.
    assert!(agent.gate().consent().pending().is_none());
    let (w, h, pixels) = screen.pixels();
    until("the screen arrives again", || screen_matches(&host, w, h, &pixels)).await;
    // The session goes on: chat both ways.
    assert!(agent.chat(ChatTarget::Everyone, "I'm back".into()));
    host_event(&mut host, |e| match e {
        deskside_net::host::HostEvent::Chat(l) if l.text == "I'm back" && l.from == ana => Some(()),
        _ => None,
    })
    .await;
}
