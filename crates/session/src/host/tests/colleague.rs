//! A colleague on their own console, in control: invites made at their asking, and the answers
//! to what they asked, reach them; a colleague not in control cannot make or revoke invites.

use super::*;

fn with_kim() -> (Session, ParticipantId, ParticipantId) {
    let mut s = session();
    let ana = join(&mut s, 1, "Ana");
    s.add_invite(0, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(1, &hello(5, "Kim", AppKind::Console)).unwrap();
    drain(&mut s);
    (s, ana, kim)
}

/// The request customer `who` was just sent.
fn asked(s: &mut Session, who: ParticipantId) -> u32 {
    sent_to(&drain(s), who)
        .into_iter()
        .find_map(|m| match m {
            ToGuest::ConsentRequest { request, .. } => Some(*request),
            _ => None,
        })
        .expect("they are asked")
}

#[test]
fn a_colleague_in_control_gets_the_invite_they_asked_for_and_hears_when_it_is_used() {
    let (mut s, _, kim) = with_kim();
    // Not in control: refused, and nothing is asked of the driver.
    s.handle_message(2, kim, ToHost::MakeInvite { role: InviteRole::Customer }).unwrap();
    let out = drain(&mut s);
    assert!(matches!(sent_to(&out, kim)[..], [ToGuest::Refused { rule: RuleError::NotInControl }]));
    assert!(!out.iter().any(|o| matches!(o, Output::Event(SessionEvent::InviteAsked { .. }))));

    s.transfer_control(HOST_CSR, kim).unwrap();
    drain(&mut s);
    s.handle_message(3, kim, ToHost::MakeInvite { role: InviteRole::Customer }).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::InviteAsked { by: kim, role: InviteRole::Customer })));
    // The driver makes it and hands it over.
    s.add_invite_for(3, kim, InviteRole::Customer, [7; 16], 30 * MIN).unwrap();
    let invite = deskside_proto::Invite {
        host: deskside_proto::HostAddr {
            id: [1; 32],
            relays: vec![],
            relay_token: String::new(),
            addrs: vec!["127.0.0.1:9".parse().unwrap()],
        },
        session: SessionId([9; 16]),
        role: InviteRole::Customer,
        secret: [7; 16],
        expires_unix_s: 1800,
    };
    s.give_invite(kim, invite.clone());
    assert!(matches!(&sent_to(&drain(&mut s), kim)[..], [ToGuest::InviteMade(i)] if **i == invite));

    // Ben joins with it: Kim hears that her invite was used.
    s.handle_hello(4, &hello(7, "Ben", AppKind::Agent)).unwrap();
    assert!(sent_to(&drain(&mut s), kim).contains(&&ToGuest::InviteUsed([7; 16])));
}

#[test]
fn a_colleague_not_in_control_cannot_revoke_and_invites_stay_bounded() {
    let (mut s, _, kim) = with_kim();
    s.add_invite(0, InviteRole::Customer, [8; 16], 30 * MIN).unwrap();
    s.handle_message(2, kim, ToHost::RevokeInvite { secret: [8; 16] }).unwrap();
    assert!(s.invites().iter().any(|i| i.secret == [8; 16] && !i.revoked), "not revoked by a colleague not in control");
    s.transfer_control(HOST_CSR, kim).unwrap();
    s.handle_message(3, kim, ToHost::RevokeInvite { secret: [8; 16] }).unwrap();
    assert!(s.invites().iter().any(|i| i.secret == [8; 16] && i.revoked));

    // A colleague in control asking for invite after invite: the session keeps at most so many
    // open, then says so.
    let mut made = 0;
    let refused = (0..1000u16).find_map(|n| {
        let [hi, lo] = n.to_be_bytes();
        let secret = [hi, lo, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        match s.add_invite_for(4, kim, InviteRole::Customer, secret, 30 * MIN) {
            Ok(()) => {
                made += 1;
                None
            }
            Err(rule) => Some(rule),
        }
    });
    assert_eq!(refused, Some(RuleError::TooManyInvites), "after {made} invites");
    // The two used invites and the revoked one made room; no open one was dropped.
    assert_eq!(made, 256);
    assert_eq!(s.invites().len(), 256);
}

#[test]
fn a_colleague_hears_the_answer_to_what_they_asked() {
    let (mut s, ana, kim) = with_kim();
    s.transfer_control(HOST_CSR, kim).unwrap();
    s.handle_message(2, kim, ToHost::Request { to: ana, capability: Capability::View }).unwrap();
    let request = asked(&mut s, ana);
    s.handle_message(3, ana, ToHost::ConsentAnswer { request, allowed: false }).unwrap();
    let out = drain(&mut s);
    let heard = ToGuest::ConsentAnswered { participant: ana, capability: Capability::View, allowed: false };
    assert!(sent_to(&out, kim).contains(&&heard));
    // The host's own console hears it too, and no customer does.
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::ConsentAnswered { allowed: false, .. }))));
    assert!(!sent_to(&out, ana).iter().any(|m| matches!(m, ToGuest::ConsentAnswered { .. })));
}

#[test]
fn system_information_a_colleague_asked_for_is_meant_for_them() {
    let (mut s, ana, kim) = with_kim();
    s.transfer_control(HOST_CSR, kim).unwrap();
    s.handle_message(2, kim, ToHost::Request { to: ana, capability: Capability::SystemInfo }).unwrap();
    let request = asked(&mut s, ana);
    s.handle_message(3, ana, ToHost::ConsentAnswer { request, allowed: true }).unwrap();
    s.handle_message(3, ana, ToHost::Grants(Grants { system_info: true, ..Grants::default() })).unwrap();
    drain(&mut s);
    let inventory = Inventory { collected_unix_ms: 5, sections: vec![] };
    s.handle_inventory(ana, inventory.clone()).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::SystemInfo { participant: ana, inventory, for_csr: kim })));
}

#[test]
fn a_file_a_colleague_shares_is_fetched_from_them_then_offered_and_they_hear_how_it_went() {
    let (mut s, ana, kim) = with_kim();
    let theirs = deskside_proto::OfferedFile { id: FileId(7), name: "notes.txt".into(), size: 100, sha256: [3; 32] };
    // Not in control: refused.
    s.handle_message(2, kim, ToHost::OfferFile(theirs.clone())).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), kim)[..], [ToGuest::Refused { rule: RuleError::NotInControl }]));
    assert_eq!(s.fetch_upload(kim, FileId(7), 0, [0; 32]), Err(RuleError::NoSuchFile), "nothing asked of her");

    s.transfer_control(HOST_CSR, kim).unwrap();
    drain(&mut s);
    s.handle_message(3, kim, ToHost::OfferFile(theirs.clone())).unwrap();
    let out = drain(&mut s);
    assert!(out.contains(&Output::Event(SessionEvent::UploadOffered { from: kim, file: theirs.clone() })));
    assert_eq!(s.uploads_from(kim), vec![theirs.clone()]);
    assert!(s.uploads_from(ana).is_empty());
    // The driver fetches it: only that file, within its size, and only from her.
    assert_eq!(s.fetch_upload(kim, FileId(7), 101, [0; 32]), Err(RuleError::NoSuchFile), "past its end");
    assert_eq!(s.fetch_upload(ana, FileId(7), 0, [0; 32]), Err(RuleError::NoSuchFile), "from someone else");
    s.fetch_upload(kim, FileId(7), 0, [0; 32]).unwrap();
    assert!(matches!(sent_to(&drain(&mut s), kim)[..], [ToGuest::FetchPulled { file: FileId(7), offset: 0, .. }]));

    // It arrived: offered to everyone under the host's number; Kim's console sees the list too.
    assert_eq!(s.uploaded(kim, FileId(7)), Some(theirs.clone()));
    assert!(!s.is_upload(kim, FileId(7)), "waited for no longer");
    assert!(s.uploads_from(kim).is_empty());
    let id = s.reserve_file();
    s.offer_file(kim, deskside_proto::OfferedFile { id, ..theirs }).unwrap();
    s.publish_files();
    let out = drain(&mut s);
    assert!(sent_to(&out, ana).iter().any(|m| matches!(m, ToGuest::FilesOffered { files, .. } if files[0].id == id)));
    assert!(sent_to(&out, kim).iter().any(|m| matches!(m, ToGuest::FilesOffered { .. })));

    // Ana downloads it: Kim hears how it went.
    s.handle_message(4, ana, ToHost::FileDone { file: id, outcome: FileOutcome::Done }).unwrap();
    let heard = ToGuest::FileDoneFor { participant: ana, file: id, outcome: FileOutcome::Done };
    assert!(sent_to(&drain(&mut s), kim).contains(&&heard));

    // Kim stops sharing it: the driver hears to stop sending it.
    s.handle_message(5, kim, ToHost::WithdrawFile { file: id }).unwrap();
    assert!(drain(&mut s).contains(&Output::Event(SessionEvent::FileWithdrawn { file: id })));
    assert!(s.offered_files().is_empty());
}

#[test]
fn a_colleague_is_told_when_the_session_began_and_its_tracking_code_across_hand_overs() {
    let mut s = session_at(1_000);
    s.add_invite(1_000, InviteRole::Csr, [5; 16], 30 * MIN).unwrap();
    let kim = s.handle_hello(9_000, &hello(5, "Kim", AppKind::Console)).unwrap();
    let welcome = sent_to(&drain(&mut s), kim)
        .into_iter()
        .find_map(|m| match m {
            ToGuest::Welcome(w) => Some(w.clone()),
            _ => None,
        })
        .expect("welcomed");
    assert_eq!((welcome.started_unix_ms, welcome.tracking_code.as_str()), (1_000, "T-1"));
    // Handed to Kim: her console's session began when Sam's did.
    s.transfer_control(HOST_CSR, kim).unwrap();
    let state = s.hand_over(kim, "", || Some([7; 16])).unwrap();
    assert_eq!(state.started_ms, 1_000);
    let at_kims = Session::from_hand_over(50_000, &state);
    assert_eq!(at_kims.started_ms(), 1_000);
}
