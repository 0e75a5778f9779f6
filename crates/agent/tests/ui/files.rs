//! Files from the CSR, and browse and move files.

use super::*;

/// Files the CSR shares, in `lang`: the list with sizes and Download, then a download through the
/// window (saved under its name, a second copy numbered).
fn files_from_the_csr(lang: Lang) {
    let sfx = suffix(lang);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    let csr = tempfile::tempdir().unwrap();
    std::fs::write(csr.path().join("printer-driver.zip"), vec![1u8; 2_500_000]).unwrap();
    std::fs::write(csr.path().join("instructions.pdf"), vec![2u8; 48_000]).unwrap();
    let mut app = agent(&rt, &invite.to_link(), lang);
    app.download_dir = "/home/ana/Downloads".into();
    let mut h = harness(app);
    join_sam(&mut h, lang);
    // One after the other, so that they are listed in this order.
    host.send(HostCommand::ShareFiles(vec![csr.path().join("printer-driver.zip")])).unwrap();
    run_until(&mut h, "the first file is offered", |h| h.query_by_label("printer-driver.zip").is_some());
    host.send(HostCommand::ShareFiles(vec![csr.path().join("instructions.pdf")])).unwrap();
    run_until(&mut h, "both files are offered", |h| h.query_by_label("instructions.pdf").is_some());
    h.get_by_label(say(lang, "Files from Sam Rivera", "Archivos de Sam Rivera"));
    h.get_by_label("2.4 MiB");
    shot(&mut h, &format!("agent_files_{sfx}"));

    let downloads = tempfile::tempdir().unwrap();
    h.state_mut().download_dir = downloads.path().display().to_string();
    let download = say(lang, "Download", "Descargar");
    h.query_all_by_label(download).next().unwrap().click();
    let saved = say(lang, "Saved as printer-driver.zip", "Guardado como printer-driver.zip");
    run_until(&mut h, "the file is saved", |h| h.query_by_label(saved).is_some());
    assert_eq!(std::fs::read(downloads.path().join("printer-driver.zip")).unwrap(), vec![1u8; 2_500_000]);
    // A folder that does not exist is said plainly.
    h.state_mut().download_dir = downloads.path().join("nope").display().to_string();
    h.run_steps(2);
    h.get_by_label(download).click();
    run_until(&mut h, "the problem is said", |h| {
        h.query_by_label(say(
            lang,
            "That folder does not exist. Choose another one.",
            "Esa carpeta no existe. Elija otra.",
        ))
        .is_some()
    });
}

#[test]
fn files_from_the_csr_in_english() {
    files_from_the_csr(Lang::En);
}

#[test]
fn files_from_the_csr_in_spanish() {
    files_from_the_csr(Lang::Es);
}

fn browse_and_move(lang: Lang) {
    use deskside_proto::OnConflict;
    let sfx = suffix(lang);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut host = rt.block_on(async { fixed_host() });
    let invite = host.invite(deskside_proto::InviteRole::Customer, HALF_HOUR_MS).unwrap();
    // A fixed folder: its path shows in the questions.
    let folder = std::path::PathBuf::from(format!("/tmp/deskside-agent-moves-{sfx}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("scan.pdf"), vec![3u8; 120_000]).unwrap();
    let csr = tempfile::tempdir().unwrap();
    std::fs::write(csr.path().join("printer-driver.zip"), vec![1u8; 2_500_000]).unwrap();
    let mut h = harness(agent(&rt, &invite.to_link(), lang));
    join_sam(&mut h, lang);
    let ana = ParticipantId(1);
    host.send(HostCommand::Request { to: ana, capability: Capability::Files }).unwrap();
    let ask = say(lang, "Sam Rivera asks to browse your files", "Sam Rivera pide explorar sus archivos");
    run_until(&mut h, "the question", |h| h.query_by_label(ask).is_some());
    shot(&mut h, &format!("agent_consent_files_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    let bar = say(
        lang,
        "Sam Rivera may browse your files and ask to move them",
        "Sam Rivera puede explorar sus archivos y pedir moverlos",
    );
    run_until(&mut h, "the sharing bar", |h| h.query_by_label(bar).is_some());

    // A file from the CSR: the customer sees what, how big and where, and allows it.
    let into = folder.to_string_lossy().into_owned();
    let source = csr.path().join("printer-driver.zip");
    let push = HostCommand::Push { to: ana, source, folder: into.clone(), on_conflict: OnConflict::KeepBoth };
    host.send(push).unwrap();
    let question =
        say(lang, "Sam Rivera wants to put this on your computer", "Sam Rivera quiere poner esto en su ordenador");
    run_until(&mut h, "the move is asked", |h| h.query_by_label(question).is_some());
    h.get_by_label("printer-driver.zip (2.4 MiB)");
    shot(&mut h, &format!("agent_push_ask_{sfx}"));
    h.get_by_label(say(lang, "Allow", "Permitir")).click();
    let received = say(lang, "Received: 1 file", "Recibido: 1 archivo");
    run_until(&mut h, "the file arrives", |h| h.query_by_label(received).is_some());
    assert_eq!(std::fs::read(folder.join("printer-driver.zip")).unwrap(), vec![1u8; 2_500_000]);

    // A copy the CSR asks for: refused, nothing leaves.
    let pull = HostCommand::Pull {
        from: ana,
        folder: into,
        name: "scan.pdf".into(),
        into: csr.path().to_owned(),
        on_conflict: OnConflict::KeepBoth,
    };
    host.send(pull).unwrap();
    let question = say(
        lang,
        "Sam Rivera wants a copy of this from your computer",
        "Sam Rivera quiere una copia de esto de su ordenador",
    );
    run_until(&mut h, "the copy is asked", |h| h.query_by_label(question).is_some());
    shot(&mut h, &format!("agent_pull_ask_{sfx}"));
    h.get_by_label(say(lang, "Refuse", "Rechazar")).click();
    run_until(&mut h, "it is refused", |h| h.query_by_label(say(lang, "You refused it", "Usted lo rechazó")).is_some());
    shot(&mut h, &format!("agent_moves_{sfx}"));
    assert!(!csr.path().join("scan.pdf").exists());

    // Stop on the bar ends it; the CSR sees it.
    h.get_by_label(say(lang, "Stop", "Detener")).click();
    run_until(&mut h, "the bar goes", |h| h.query_by_label(bar).is_none());
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match host.next_event().await {
                    Some(HostEvent::Participants(list)) if list.iter().any(|p| p.id == ana && !p.grants.files) => {
                        break;
                    }
                    Some(_) => {}
                    None => panic!("host stopped"),
                }
            }
        })
        .await
        .unwrap();
    });
}

#[test]
fn browse_and_move_files_in_english() {
    browse_and_move(Lang::En);
}

#[test]
fn browse_and_move_files_in_spanish() {
    browse_and_move(Lang::Es);
}
