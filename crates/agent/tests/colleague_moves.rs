//! A colleague in control on their own console browses and moves a customer's files through
//! the hosting console, end to end over loopback QUIC: the listing reaches them; a folder pulled
//! from the customer arrives in the folder they chose, byte for byte, after passing through the
//! host; a folder they push arrives at the customer's, byte for byte, only after the customer
//! allowed it; both show on their board as done; a colleague not in control is refused.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;

use common::*;
use deskside_agent::engine::{AgentHandle, AgentOptions};
use deskside_agent::transfer::RealDisk;
use deskside_net::CsrLink;
use deskside_net::host::{HostCommand, HostEvent};
use deskside_net::moves::{Direction, MoveInfo, MoveState};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{AppKind, Capability, FolderAt, InviteRole, OnConflict, Role, Rule};

fn options(name: &str) -> AgentOptions {
    let screen = SyntheticSource::new(64, 48, pattern(1));
    AgentOptions { disk: Arc::new(RealDisk), ..synthetic_options(name, &screen, &RecordingSink::default()) }
}

/// Waits for the first move the customer is asked about, and allows it.
async fn allow(agent: &AgentHandle) {
    until("the customer is asked", || !agent.move_asks().is_empty()).await;
    let ask = agent.move_asks().remove(0);
    agent.answer_move(ask.id, true);
}

/// Takes what the host said to Kim (as her console does every frame) until `f` finds it.
async fn kim_hears<T>(kim: &mut CsrLink, what: &str, mut f: impl FnMut(&HostEvent) -> Option<T>) -> T {
    let mut found = None;
    until(what, || {
        while let Some(ev) = kim.try_host_event() {
            if found.is_none() {
                found = f(&ev);
            }
        }
        found.is_some()
    })
    .await;
    found.unwrap()
}

/// Waits until Kim's board has her move of `name` over (her console takes events meanwhile).
async fn kims_move(kim: &mut CsrLink, name: &str, direction: Direction) -> MoveInfo {
    let mut found = None;
    until(&format!("Kim's move of {name} is over"), || {
        while kim.try_host_event().is_some() {}
        found = kim.moves().into_iter().find(|m| m.name == name && m.direction == direction && m.state.is_over());
        found.is_some()
    })
    .await;
    found.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_in_control_browses_and_moves_files_both_ways_through_the_host() {
    let customer = visible_tempdir();
    let customer_dir = customer.path().canonicalize().unwrap();
    let kims = visible_tempdir();
    let mut host = host();
    let agent = join(&invite(&host), options("Ana")).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = list.iter().find(|p| p.name == "Ana").unwrap().id;
    host.send(HostCommand::Request { to: ana, capability: Capability::Files }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let request = agent.gate().consent().pending().unwrap().request;
    agent.answer(request, true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.files)).await;

    // Kim joins from her console; not in control yet, she may not browse.
    let csr_invite = host.invite(InviteRole::Csr, HALF_HOUR_MS).unwrap();
    let link =
        deskside_net::guest::join(&csr_invite, "Kim", AppKind::Console, deskside_net::now_ms() / 1000).await.unwrap();
    let mut kim = CsrLink::serve(link, Arc::new(|| {}));
    let at = FolderAt::Path(customer_dir.to_string_lossy().into_owned());
    kim.command(HostCommand::ListFolder { with: ana, at: at.clone() }).unwrap();
    kim_hears(&mut kim, "Kim is refused", |e| matches!(e, HostEvent::Refused(Rule::NotInControl)).then_some(())).await;
    host.send(HostCommand::TransferControl { to: kim.me() }).unwrap();
    participants(&mut host, |p| p.iter().any(|p| p.id == kim.me() && p.role == Role::CsrInControl)).await;

    // She lists Ana's folder.
    let photos = customer_dir.join("Photos");
    std::fs::create_dir_all(photos.join("june")).unwrap();
    make_file(&photos.join("a.jpg"), 700_000, 1);
    make_file(&photos.join("june/b.jpg"), 1_300_000, 2);
    kim.command(HostCommand::ListFolder { with: ana, at }).unwrap();
    let listing = kim_hears(&mut kim, "the listing reaches Kim", |e| match e {
        HostEvent::Folder { participant, listing } if *participant == ana => Some(listing.clone()),
        _ => None,
    })
    .await
    .unwrap();
    assert_eq!(listing.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Photos"]);

    // She pulls the folder: Ana allows it, and it arrives in Kim's folder through the host.
    let pull = HostCommand::Pull {
        from: ana,
        folder: listing.path.clone(),
        name: "Photos".into(),
        into: kims.path().to_owned(),
        on_conflict: OnConflict::KeepBoth,
    };
    kim.command(pull).unwrap();
    allow(&agent).await;
    let m = kims_move(&mut kim, "Photos", Direction::Pull).await;
    assert_eq!((m.state, m.files, m.saved, m.failed, m.done), (MoveState::Done, 2, 2, 0, 2_000_000));
    assert_eq!(m.saved_as.as_deref(), Some(kims.path().join("Photos").as_path()), "saved where Kim chose");
    assert_eq!(tree(&kims.path().join("Photos")), tree(&photos));
    // Sam's console sees her move on the session's board.
    assert!(host.moves().iter().any(|m| m.name == "Photos" && m.state == MoveState::Done && m.saved_as.is_none()));

    // She pushes a folder of hers into Ana's: fetched from her console, then asked, then sent.
    let drivers = kims.path().join("Drivers");
    std::fs::create_dir_all(drivers.join("x64")).unwrap();
    make_file(&drivers.join("setup.exe"), 900_000, 3);
    make_file(&drivers.join("x64/driver.sys"), 100_000, 4);
    let push = HostCommand::Push {
        to: ana,
        source: drivers.clone(),
        folder: listing.path.clone(),
        on_conflict: OnConflict::KeepBoth,
    };
    kim.command(push).unwrap();
    until("the customer is asked", || {
        while kim.try_host_event().is_some() {}
        !agent.move_asks().is_empty()
    })
    .await;
    allow(&agent).await;
    let m = kims_move(&mut kim, "Drivers", Direction::Push).await;
    assert_eq!((m.state, m.files, m.saved, m.failed), (MoveState::Done, 2, 2, 0));
    assert_eq!(tree(&customer_dir.join("Drivers")), tree(&drivers));
}
