//! A whole support session over real loopback QUIC with a synthetic screen and a recording
//! input sink: join, consent, frames, input, chat, stop, leave and end.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::time::Duration;

use common::*;
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, CloseReason};
use deskside_net::host::{HostCommand, HostEvent, HostHandle};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, ChatTarget, InputEvent, Key, Modifiers, MouseButton, Refusal, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session() {
    let mut host = host();
    let screen = SyntheticSource::new(320, 200, pattern(0));
    let sink = RecordingSink::default();
    let mut agent = join(&invite(&host), synthetic_options("Ana", &screen, &sink)).await.unwrap();

    // The agent learns who is asking before anything is shared.
    assert_eq!(agent.welcome().csr_name, "Sam Rivera");
    assert_eq!(agent.welcome().organisation, "Acme Support");
    assert_eq!(agent.welcome().role, Role::PrimaryCustomer);
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;

    // Nothing leaves the machine before consent.
    host.send(HostCommand::Request { to: ana, capability: Capability::View }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    let request = agent.gate().consent().pending().unwrap().request;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(host.screen().lock().unwrap().generation, 0, "no frame before viewing is allowed");

    // Viewing allowed: the screen arrives pixel-exact, and then every change.
    agent.answer(request, true);
    host_event(&mut host, |e| {
        matches!(e, HostEvent::ConsentAnswered { allowed: true, capability: Capability::View, .. }).then_some(())
    })
    .await;
    let (w, h, px) = screen.pixels();
    until("the first frame arrives pixel-exact", || screen_matches(&host, w, h, &px)).await;
    screen.paint(320, 200, pattern(9));
    let (w, h, px) = screen.pixels();
    until("the changed frame arrives pixel-exact", || screen_matches(&host, w, h, &px)).await;
    // An unchanged screen sends nothing more.
    let gen_before = host.screen().lock().unwrap().generation;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(host.screen().lock().unwrap().generation, gen_before);

    // Input without control is refused by the host and never injected.
    host.send(HostCommand::Input(InputEvent::MouseMove { x: 5, y: 5 })).unwrap();
    host_event(&mut host, |e| matches!(e, HostEvent::Refused(_)).then_some(())).await;
    assert!(sink.events().is_empty());

    // Control allowed: input arrives in order.
    host.send(HostCommand::Request { to: ana, capability: Capability::Control }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.control)).await;
    let sent = vec![
        InputEvent::MouseMove { x: 100, y: 50 },
        InputEvent::MouseButton { button: MouseButton::Left, down: true },
        InputEvent::MouseButton { button: MouseButton::Left, down: false },
        InputEvent::Wheel { dx: 0, dy: 2 },
        InputEvent::Key {
            key: Key::Char('c'),
            down: true,
            modifiers: Modifiers { ctrl: true, ..Modifiers::default() },
        },
        InputEvent::Key {
            key: Key::Char('c'),
            down: false,
            modifiers: Modifiers { ctrl: true, ..Modifiers::default() },
        },
        InputEvent::Text("hola, qué tal".into()),
    ];
    for ev in &sent {
        host.send(HostCommand::Input(ev.clone())).unwrap();
    }
    until("all input is injected", || sink.events().len() == sent.len()).await;
    assert_eq!(sink.events(), sent);

    // Chat both ways, with sender and time.
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "Hi Ana, I can see your screen.".into() }).unwrap();
    let line = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::Chat(l)) => Some(l.clone()),
        _ => None,
    })
    .await;
    assert_eq!((line.from_name.as_str(), line.text.as_str()), ("Sam Rivera", "Hi Ana, I can see your screen."));
    assert!(line.at_unix_ms > 0);
    assert!(agent.chat(ChatTarget::Everyone, "Thanks!".into()));
    let line = host_event(&mut host, |e| match e {
        HostEvent::Chat(l) if l.from == ana => Some(l.clone()),
        _ => None,
    })
    .await;
    assert_eq!((line.from_name.as_str(), line.text.as_str()), ("Ana", "Thanks!"));

    // Stop: control is cut on the agent itself; the host hears of it.
    agent.stop(Capability::Control);
    assert!(!agent.gate().allows(Capability::Control));
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.control)).await;
    agent.stop(Capability::View);
    until("the screen share stops", || !host.screen().lock().unwrap().active).await;

    // End: only the CSR can; the agent is told and everything stops.
    host.send(HostCommand::End { notes: "Printer driver reinstalled.".into() }).unwrap();
    let notes = host_event(&mut host, |e| match e {
        HostEvent::Ended { notes } => Some(notes.clone()),
        _ => None,
    })
    .await;
    assert_eq!(notes, "Printer driver reinstalled.");
    let why = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
        _ => None,
    })
    .await;
    assert_eq!(why, CloseReason::EndedBy("Sam Rivera".into()));
    assert!(agent.gate().consent().grants().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_agent_leaves_the_session_at_once() {
    let mut host = host();
    let screen = SyntheticSource::new(64, 64, pattern(1));
    let sink = RecordingSink::default();
    let agent = join(&invite(&host), synthetic_options("Cy", &screen, &sink)).await.unwrap();
    participants(&mut host, |p| p.iter().any(|p| p.name == "Cy" && p.present)).await;
    // The window closes: its handle goes, and the host hears a Leave (not a lost connection,
    // whose seat would be held for a minute).
    drop(agent);
    participants(&mut host, |p| p.iter().any(|p| p.name == "Cy" && !p.present && !p.away)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_can_leave_and_the_csr_sees_it() {
    let mut host = host();
    let screen = SyntheticSource::new(64, 64, pattern(1));
    let sink = RecordingSink::default();
    let mut agent = join(&invite(&host), synthetic_options("Bo", &screen, &sink)).await.unwrap();
    participants(&mut host, |p| p.iter().any(|p| p.name == "Bo" && p.present)).await;
    agent.leave();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Bo" && !p.present)).await;
    assert_eq!(list.len(), 2);
    let why = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
        _ => None,
    })
    .await;
    assert_eq!(why, CloseReason::Refused(Refusal::Left));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_cuts_frames_while_the_console_keeps_asking() {
    let mut host = host();
    let screen = SyntheticSource::new(128, 128, pattern(0));
    let sink = RecordingSink::default();
    let mut agent = join(&invite(&host), synthetic_options("Cy", &screen, &sink)).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Cy")).await;
    let cy = list.iter().find(|p| p.name == "Cy").unwrap().id;
    host.send(HostCommand::Request { to: cy, capability: Capability::View }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    until("frames arrive", || host.screen().lock().unwrap().generation > 0).await;
    // The screen keeps changing, so frames keep flowing until Stop.
    let mut seed = 0;
    agent.stop(Capability::View);
    assert!(!agent.gate().allows(Capability::View), "Stop takes effect on the agent at once");
    // The agent resets the share's stream: once the host sees it end, no frame can follow
    // without a new grant.
    until("the share ends", || !host.screen().lock().unwrap().active).await;
    let after_stop = host.screen().lock().unwrap().generation;
    for _ in 0..10 {
        seed += 1;
        screen.paint(128, 128, pattern(seed));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(host.screen().lock().unwrap().generation, after_stop, "no frame after Stop");
    // The console asks again: nothing flows until the customer answers again.
    host.send(HostCommand::Request { to: cy, capability: Capability::View }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(host.screen().lock().unwrap().generation, after_stop);
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    let (w, h, px) = screen.pixels();
    until("sharing resumes with a full, exact frame", || screen_matches(&host, w, h, &px)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_cuts_input_while_the_console_keeps_sending() {
    let mut host = host();
    let screen = SyntheticSource::new(64, 64, pattern(3));
    let sink = RecordingSink::default();
    let mut agent = join(&invite(&host), synthetic_options("Ed", &screen, &sink)).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ed")).await;
    let ed = list.iter().find(|p| p.name == "Ed").unwrap().id;
    host.send(HostCommand::Request { to: ed, capability: Capability::Control }).unwrap();
    agent_event(&mut agent, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ed && p.grants.control)).await;
    // The console moves the pointer every 10 ms, before, during and after Stop.
    let mut x = 0;
    let mut move_once = |host: &HostHandle| {
        x += 1;
        let _ = host.send(HostCommand::Input(InputEvent::MouseMove { x: x % 64, y: 1 }));
    };
    for _ in 0..20 {
        move_once(&host);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    until("input arrives", || !sink.events().is_empty()).await;
    agent.stop(Capability::Control);
    let at_stop = sink.events().len();
    for _ in 0..40 {
        move_once(&host);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // At most the one event already being injected when Stop was pressed.
    assert!(sink.events().len() <= at_stop + 1, "{} events after Stop", sink.events().len() - at_stop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn making_another_customer_primary_stops_the_old_primarys_sharing_on_its_agent() {
    let mut host = host();
    let screen = SyntheticSource::new(64, 64, pattern(4));
    let mut ana = join(&invite(&host), synthetic_options("Ana", &screen, &RecordingSink::default())).await.unwrap();
    let bo = join(&invite(&host), synthetic_options("Bo", &screen, &RecordingSink::default())).await.unwrap();
    let list = participants(&mut host, |p| p.iter().filter(|p| p.present).count() == 3).await;
    let id = |name: &str| list.iter().find(|p| p.name == name).unwrap().id;
    let (ana_id, bo_id) = (id("Ana"), id("Bo"));
    host.send(HostCommand::Request { to: ana_id, capability: Capability::View }).unwrap();
    agent_event(&mut ana, |e| (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())).await;
    let request = ana.gate().consent().pending().unwrap().request;
    ana.answer(request, true);
    until("Ana's frames arrive", || host.screen().lock().unwrap().generation > 0).await;

    host.send(HostCommand::Promote { to: bo_id }).unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.id == bo_id && p.role == Role::PrimaryCustomer)).await;
    assert!(list.iter().any(|p| p.id == ana_id && p.role == Role::SecondaryCustomer && !p.grants.view));
    until("Ana's agent stops sharing by itself", || !ana.gate().allows(Capability::View)).await;
    until("the host shows nothing of Ana any more", || !host.screen().lock().unwrap().active).await;
    let frozen = host.screen().lock().unwrap().generation;
    for seed in 10..20 {
        screen.paint(64, 64, pattern(seed));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(host.screen().lock().unwrap().generation, frozen, "no frame from the old primary");
    // Bo is the one asked for the screen now.
    host.send(HostCommand::Request { to: bo_id, capability: Capability::View }).unwrap();
    until("Bo is asked", || bo.gate().consent().pending().is_some()).await;
}
