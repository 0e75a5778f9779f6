//! A site's line (`Lab::site_on`): every packet takes its rate, delay and loss, in both
//! directions, and the lab adds nothing beyond it. Needs root, iproute2 and nftables.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use deskside_lab::{Lab, Link, Nat, Profile, RELAY_IP};

const BYTES: usize = 500_000;

fn line(rate_kbit: u32, one_way_ms: u64, loss_percent: f64) -> Link {
    Link { rate_kbit, one_way: Duration::from_millis(one_way_ms), jitter: Duration::ZERO, loss_percent }
}

#[test]
fn a_line_adds_its_round_trip_to_every_packet_and_the_lab_adds_nothing_more() {
    let mut lab = Lab::new().unwrap();
    let plain = lab.site("plain", Nat::Cone).unwrap();
    let dsl = lab.site_on("dsl", Nat::Cone, Some(Profile::named("dsl").unwrap())).unwrap();

    let without = lab.probe(&plain.machine, 100).unwrap();
    let with = lab.probe(&dsl.machine, 100).unwrap();
    eprintln!("without a line: {without}\nthrough dsl: {with}");
    // Nothing is lost on either, and every probe through the line took its 60 ms round trip.
    assert_eq!(without.round_trips.len(), 100);
    assert_eq!(with.round_trips.len(), 100);
    assert!(with.round_trip(0.0).unwrap() >= Duration::from_millis(60), "{with}");
    // The lab's own part is small against the line's: the line is what a bench measures.
    let lab_part = without.round_trip(0.5).unwrap();
    assert!(with.round_trip(0.5).unwrap() >= lab_part + Duration::from_millis(55), "{without} / {with}");
    // The wire counted what it passed, in both directions.
    let wire = dsl.wire.as_ref().unwrap();
    assert!(wire.counts[0].passed.load(std::sync::atomic::Ordering::Relaxed) >= 100);
    assert!(wire.counts[1].passed.load(std::sync::atomic::Ordering::Relaxed) >= 100);
}

#[test]
fn a_line_loses_what_its_profile_says_each_way() {
    let mut lab = Lab::new().unwrap();
    let lossy = Profile { name: "lossy", down: line(100_000, 1, 10.0), up: line(100_000, 1, 10.0) };
    let site = lab.site_on("lossy", Nat::Cone, Some(lossy)).unwrap();
    let probe = lab.probe(&site.machine, 400).unwrap();
    eprintln!("through a 10 % line each way: {probe}");
    // 1 - 0.9² = 19 % of round trips lost, give or take what 400 draws allow.
    assert!((10.0..30.0).contains(&probe.lost_percent()), "{probe}");
}

#[test]
fn a_line_carries_no_more_than_its_rate_and_tcp_gets_through_whole() {
    let mut lab = Lab::new().unwrap();
    // Slow down (to the site), fast up: the download below takes the line's time.
    let slow = Profile { name: "slow", down: line(2_000, 5, 0.0), up: line(50_000, 5, 0.0) };
    let site = lab.site_on("slow", Nat::Cone, Some(slow)).unwrap();
    let listener = lab.public.run(|| Ok(TcpListener::bind(SocketAddr::from((RELAY_IP, 0)))?)).unwrap();
    let to = listener.local_addr().unwrap();
    let serving = std::thread::Builder::new()
        .name("serving".into())
        .spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let data: Vec<u8> = (0..BYTES).map(|i| (i % 251) as u8).collect();
            s.write_all(&data).unwrap();
        })
        .unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let client = site.machine.run(move || Ok(TcpStream::connect(to)?)).unwrap();
    let mut client = client;
    client.read_to_end(&mut got).unwrap();
    let took = start.elapsed();
    serving.join().unwrap();
    eprintln!("{BYTES} bytes down a 2 Mbit/s line in {took:?}");
    assert_eq!(got.len(), BYTES);
    assert!(got.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8), "the bytes arrived as sent");
    // Payload alone takes 2 s at 2 Mbit/s; headers make it longer, never shorter.
    assert!(took >= Duration::from_secs(2), "{took:?}");
}
