//! The organisation's policy, on both sides: the host refuses a tool the session type does not
//! allow, and the customer's agent, holding a verified certificate, refuses it too, even when
//! the host it talks to would not (a changed console).

use deskside_proto::cert::{CertBody, CertError, Certificate, Identity, Tool, Tools, Trust, Unverified, public_key};
use deskside_proto::{Capability, ChatTarget, FileId, OfferedFile};
use deskside_session::guest::{Event, Local, Task};
use deskside_session::host::HOST_CSR;
use deskside_session::pair::Pair;
use deskside_session::{Policy, RuleError};

const ORG: [u8; 32] = [3; 32];
/// The host id every [`Pair`] invite names.
const HOST_ID: [u8; 32] = [1; 32];

fn certificate(p: &Pair, tools: Tools, endpoint: [u8; 32]) -> Certificate {
    let now_s = p.now() / 1000;
    Certificate::sign(
        &ORG,
        &CertBody {
            endpoint,
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            site_address: "https://support.acme.example".into(),
            session_type: "Look only".into(),
            tools,
            issued_unix_s: now_s,
            expires_unix_s: now_s + 3600,
        },
    )
}

fn trust() -> Trust {
    Trust { site: "support.acme.example".into(), keys: vec![public_key(&ORG)] }
}

fn file() -> OfferedFile {
    OfferedFile { id: FileId(1), name: "fix.sh".into(), size: 10, sha256: [1; 32] }
}

#[test]
fn the_host_refuses_what_the_session_type_does_not_allow() {
    let mut p = Pair::new("Sam Rivera");
    let only = Tools::of(&[Tool::View, Tool::OneApp]);
    p.at_host(|s, _| s.set_policy(Policy { certificate: None, tools: only }));
    let ana = p.join_customer("Ana");
    let kim = p.join_csr("Kim");
    p.at_host(|s, _| {
        assert_eq!(s.request(HOST_CSR, ana, Capability::Control), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.request(HOST_CSR, ana, Capability::ControlApp), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.request(HOST_CSR, ana, Capability::Files), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.request(HOST_CSR, ana, Capability::SystemInfo), Err(RuleError::NotAllowedByOrganisation));
        assert!(s.request(HOST_CSR, ana, Capability::ViewApp).is_ok());
        assert_eq!(s.offer_file(HOST_CSR, file()), Err(RuleError::NotAllowedByOrganisation));
        assert!(s.offered_files().is_empty());
    });
    // No chat tool: the CSRs still talk among themselves, nobody talks with the customer.
    p.at_host(|s, now| {
        assert_eq!(s.chat(now, HOST_CSR, ChatTarget::Everyone, "hi"), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.chat(now, HOST_CSR, ChatTarget::Participant(ana), "hi"), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.chat(now, ana, ChatTarget::Csrs, "hi"), Err(RuleError::NotAllowedByOrganisation));
        assert_eq!(s.chat(now, HOST_CSR, ChatTarget::Csrs, "Kim, look at this"), Ok(()));
        assert_eq!(s.chat(now, HOST_CSR, ChatTarget::Participant(kim), "and this"), Ok(()));
    });
    // The customer's own chat is refused at the host too, with the rule.
    p.local(ana, Local::Chat { to: ChatTarget::Everyone, text: "hello?".into() });
    assert!(p.events(ana).contains(&Event::Refused(RuleError::NotAllowedByOrganisation)));
    // Without a site, everything is allowed as before.
    let mut p = Pair::new("Sam Rivera");
    let bo = p.join_customer("Bo");
    p.at_host(|s, _| assert!(s.request(HOST_CSR, bo, Capability::Control).is_ok()));
}

#[test]
fn the_agent_holds_a_console_to_its_certificate_even_when_the_host_would_not() {
    let mut p = Pair::new("Sam Rivera");
    p.set_trust(Some(trust()));
    // A console whose certificate allows seeing only, but which (changed, or buggy) allows
    // itself everything.
    let cert = certificate(&p, Tools::of(&[Tool::View]), HOST_ID);
    p.at_host(|s, _| s.set_policy(Policy { certificate: Some(cert), tools: Tools::ALL }));
    let ana = p.join_customer("Ana");
    match p.guest(ana).identity() {
        Identity::Verified { body, site } => {
            assert_eq!((body.csr_name.as_str(), body.organisation.as_str()), ("Sam Rivera", "Acme Support"));
            assert_eq!(site, "support.acme.example");
        }
        other @ Identity::Unverified(_) => panic!("not verified: {other:?}"),
    }
    p.events(ana);
    p.at_host(|s, _| s.request(HOST_CSR, ana, Capability::Control).map(|_| ())).unwrap();
    p.run();
    assert!(p.guest(ana).pending().is_none(), "the customer is not even asked");
    assert!(!p.guest(ana).allows(Capability::Control));
    let events = p.events(ana);
    assert!(
        events.contains(&Event::NotAllowed { capability: Capability::Control, by: "Sam Rivera".into() }),
        "{events:?}"
    );
    // The host heard a refusal.
    assert!(p.at_host(|s, _| s.participants().find(|x| x.id == ana).is_some_and(|x| !x.grants.control)));
    // What the certificate allows is asked as usual.
    p.at_host(|s, _| s.request(HOST_CSR, ana, Capability::View).map(|_| ())).unwrap();
    p.run();
    assert_eq!(p.guest(ana).pending().map(|r| r.capability), Some(Capability::View));
    // No chat and no files reach the customer.
    p.at_host(|s, now| s.chat(now, HOST_CSR, ChatTarget::Everyone, "run this").unwrap());
    p.at_host(|s, _| {
        s.offer_file(HOST_CSR, file()).unwrap();
        s.publish_files();
    });
    p.run();
    assert!(!p.events(ana).iter().any(|e| matches!(e, Event::Chat(_) | Event::FilesChanged)));
    assert!(!p.tasks(ana).iter().any(|t| matches!(t, Task::Offered(_))));
    // Back in the seat at a host that shows no certificate (a move to a console whose CSR is not
    // signed in, say): the customer is warned again, and what was certified stays the limit.
    let g = p.guest(ana);
    let welcome = deskside_proto::Welcome {
        you: ana,
        role: deskside_proto::Role::PrimaryCustomer,
        csr_name: "Sam Rivera".into(),
        organisation: "Acme Support".into(),
        session_type: "Look only".into(),
        tracking_code: String::new(),
        started_unix_ms: 0,
        participants: g.participants().to_vec(),
        certificate: None,
    };
    p.local(ana, Local::Resumed(Box::new(welcome)));
    assert_eq!(p.guest(ana).identity(), &Identity::Unverified(Unverified::NoCertificate));
    assert!(!p.guest(ana).tool_allowed(Tool::Chat));
    assert_eq!(p.guest(ana).held_by(), Some("Acme Support"), "the agent can still say whose limit it is");
    p.at_host(|s, _| s.request(HOST_CSR, ana, Capability::Control).map(|_| ())).unwrap();
    p.run();
    assert_ne!(p.guest(ana).pending().map(|r| r.capability), Some(Capability::Control), "still not asked");
}

#[test]
fn a_certificate_that_does_not_hold_leaves_the_console_unverified() {
    let other_site = Trust { site: "support.acme.example".into(), keys: vec![public_key(&[4; 32])] };
    let cases = [
        // For another console.
        (Some(trust()), Some([2; 32]), Identity::Unverified(Unverified::Refused(CertError::OtherEndpoint))),
        // Signed by a key the site does not publish.
        (Some(other_site), Some(HOST_ID), Identity::Unverified(Unverified::Refused(CertError::UnknownKey))),
        // No certificate at all, or no site to check it with.
        (Some(trust()), None, Identity::Unverified(Unverified::NoCertificate)),
        (None, Some(HOST_ID), Identity::Unverified(Unverified::NoSite)),
    ];
    for (trusted, endpoint, expected) in cases {
        let mut p = Pair::new("Sam Rivera");
        p.set_trust(trusted);
        let cert = endpoint.map(|e| certificate(&p, Tools::of(&[Tool::View]), e));
        p.at_host(|s, _| s.set_policy(Policy { certificate: cert, tools: Tools::ALL }));
        let ana = p.join_customer("Ana");
        assert_eq!(p.guest(ana).identity(), &expected);
        assert_eq!(p.guest(ana).held_by(), None);
        // Nothing is certified, so nothing is refused on the certificate's word: the customer
        // decides (and the agent warns them).
        p.at_host(|s, _| s.request(HOST_CSR, ana, Capability::Control).map(|_| ())).unwrap();
        p.run();
        assert_eq!(p.guest(ana).pending().map(|r| r.capability), Some(Capability::Control));
    }
}
