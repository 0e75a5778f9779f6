//! System information end to end over loopback QUIC: nothing travels before the customer allows
//! it, what travels is this machine's real inventory with only the sections the customer kept,
//! and the grant is over once it has arrived.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use deskside_agent::engine::Event;
use deskside_net::host::{HostCommand, HostEvent};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, SectionKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_machines_inventory_reaches_the_csr_only_as_allowed_and_chosen() {
    let mut host = host();
    let mut agent = join(
        &invite(&host),
        synthetic_options("Ana", &SyntheticSource::new(32, 32, pattern(1)), &RecordingSink::default()),
    )
    .await
    .unwrap();
    let ana = participants(&mut host, |p| p.iter().any(|p| p.name == "Ana")).await;
    let ana = ana.iter().find(|p| p.name == "Ana").unwrap().id;
    let inventory = tokio::task::spawn_blocking(|| deskside_platform::inventory::gather(deskside_net::now_ms(), &[]))
        .await
        .unwrap();

    assert!(inventory.is_valid());
    // Not allowed: the engine refuses to send.
    assert!(!agent.send_inventory(inventory.clone()), "nothing is sent without the grant");

    // Asked, allowed; the customer leaves the running programs out.
    host.send(HostCommand::Request { to: ana, capability: Capability::SystemInfo }).unwrap();
    until("the request arrives", || agent.gate().consent().pending().is_some()).await;
    let req = agent.gate().consent().pending().unwrap().request;
    agent.answer(req, true);
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && p.grants.system_info)).await;
    assert!(agent.send_inventory(inventory.only(|k| k != SectionKind::Processes)));

    let (who, got) = host_event(&mut host, |e| match e {
        e @ (HostEvent::Refused(_) | HostEvent::InputRefused) => panic!("{e:?}"),
        HostEvent::SystemInfo { participant, inventory } => Some((*participant, inventory.clone())),
        _ => None,
    })
    .await;
    assert_eq!(who, ana);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let system = got.section(SectionKind::System).unwrap();
    assert!(system.rows.contains(&vec!["hostname".to_owned(), hostname.trim().to_owned()]), "{system:?}");
    assert!(got.section(SectionKind::Memory).unwrap().rows.iter().any(|r| r[0] == "total"));
    assert!(got.section(SectionKind::Software).unwrap().rows.iter().any(|r| r[0] == "dpkg"), "the package list");
    assert!(got.section(SectionKind::Processes).is_none(), "the section the customer left out");

    // It was for one inventory: the grant is over on both sides.
    agent_event(&mut agent, |e| {
        matches!(e, deskside_agent::engine::AgentEvent::Session(Event::InventorySent)).then_some(())
    })
    .await;
    assert!(!agent.gate().allows(Capability::SystemInfo));
    participants(&mut host, |p| p.iter().any(|p| p.id == ana && !p.grants.system_info)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_customer_may_be_asked_for_system_information_but_not_the_screen() {
    let mut host = host();
    let screen = SyntheticSource::new(32, 32, pattern(1));
    let _ana = join(&invite(&host), synthetic_options("Ana", &screen, &RecordingSink::default())).await.unwrap();
    let bo = join(&invite(&host), synthetic_options("Bo", &screen, &RecordingSink::default())).await.unwrap();
    let list = participants(&mut host, |p| p.iter().any(|p| p.name == "Bo")).await;
    let bo_id = list.iter().find(|p| p.name == "Bo").unwrap().id;
    host.send(HostCommand::Request { to: bo_id, capability: Capability::SystemInfo }).unwrap();
    until("the request arrives", || bo.gate().consent().pending().is_some()).await;
    assert_eq!(bo.gate().consent().pending().unwrap().capability, Capability::SystemInfo);
    host.send(HostCommand::Request { to: bo_id, capability: Capability::View }).unwrap();
    let why = host_event(&mut host, |e| match e {
        HostEvent::Refused(rule) => Some(*rule),
        _ => None,
    })
    .await;
    assert_eq!(why, deskside_proto::Rule::NotPrimaryCustomer);
}
