#![allow(clippy::unwrap_used, clippy::many_single_char_names, missing_docs)] // A test: a panic is a failure with its message.

//! The video path: content that changes every frame is coded as H.264 inside one rectangle,
//! everything else stays pixel-exact, text never turns lossy, and once the motion stops the
//! rectangle returns to pixel-exact. Hostile video updates are refused without a panic.

use deskside_codec::video::{HOT_GAP_MS, VIDEO_IDLE_MS};
use deskside_codec::{CodecError, Decoder, Encoder, FrameRef, Rect, VideoConfig};
use deskside_proto::{ScreenMsg, VideoUpdate};
use proptest::prelude::*;

const W: u32 = 384;
const H: u32 = 256;
/// Where the "video" plays: tiles (1, 1) to (4, 2) of 64 pixels.
const PLAYER: Rect = Rect { x: 64, y: 64, w: 256, h: 128 };
const FRAME_MS: u64 = 33;

/// A desktop: flat background with a line of two-colour "text", and a video playing in
/// [`PLAYER`] at picture number `t`.
fn desktop(t: u32) -> Vec<u8> {
    let mut v = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let i = ((y * W + x) * 4) as usize;
            let inside = (PLAYER.x..PLAYER.x + PLAYER.w).contains(&x) && (PLAYER.y..PLAYER.y + PLAYER.h).contains(&y);
            let px = if inside {
                // Smooth moving colour with fine grain: many colours, like a film.
                let (xf, yf, tf) = (x as f32, y as f32, t as f32);
                let base = ((xf * 0.05 + tf * 0.3).sin() + (yf * 0.07 - tf * 0.2).cos()) * 60.0 + 128.0;
                let grain = ((x * 7 + y * 13 + t * 3) % 5) as f32;
                [(base + grain) as u8, (255.0 - base) as u8, (base * 0.5 + 40.0 + grain) as u8, 0]
            } else if y > 220 && y < 232 && (x / 3 + y) % 4 == 0 {
                [20, 20, 20, 0] // text
            } else {
                [235, 230, 225, 0]
            };
            v[i..i + 4].copy_from_slice(&px);
        }
    }
    v
}

fn frame(data: &[u8]) -> FrameRef<'_> {
    FrameRef { width: W, height: H, stride: W as usize * 4, data }
}

fn apply_all(dec: &mut Decoder, msgs: &[ScreenMsg]) {
    let mut done = None;
    for m in msgs {
        done = dec.apply(m).unwrap();
    }
    done.expect("the last batch completes the frame");
}

/// Whether the decoder's pixel at (x, y) equals the BGRX source exactly.
fn exact(dec: &Decoder, bgrx: &[u8], x: u32, y: u32) -> bool {
    let i = ((y * W + x) * 4) as usize;
    dec.rgba()[i..i + 4] == [bgrx[i + 2], bgrx[i + 1], bgrx[i], 255]
}

fn assert_exact_everywhere(dec: &Decoder, bgrx: &[u8]) {
    for y in 0..H {
        for x in 0..W {
            assert!(exact(dec, bgrx, x, y), "pixel ({x}, {y}) differs");
        }
    }
}

/// Peak signal-to-noise ratio of the decoder's picture inside `r`, in dB.
fn psnr(dec: &Decoder, bgrx: &[u8], r: Rect) -> f64 {
    let mut sum = 0.0;
    let mut n = 0.0;
    for y in r.y..r.y + r.h {
        for x in r.x..r.x + r.w {
            let i = ((y * W + x) * 4) as usize;
            for (d, s) in [(0, 2), (1, 1), (2, 0)] {
                let e = f64::from(dec.rgba()[i + d]) - f64::from(bgrx[i + s]);
                sum += e * e;
                n += 1.0;
            }
        }
    }
    10.0 * (255.0 * 255.0 / (sum / n).max(1e-9)).log10()
}

/// Encodes `screen` at `now_ms`, which must stay lossless, and checks the console's picture is
/// pixel-exact after it.
fn step_lossless(enc: &mut Encoder, dec: &mut Decoder, screen: &[u8], now_ms: u64) {
    let u = enc.encode_at(&frame(screen), None, now_ms).unwrap().expect("a change");
    assert!(!u.video, "stays lossless");
    apply_all(dec, &u.batches);
    assert_exact_everywhere(dec, screen);
}

fn video_of(msgs: &[ScreenMsg]) -> Option<&VideoUpdate> {
    msgs.iter().find_map(|m| match m {
        ScreenMsg::Batch { video, .. } => video.as_ref(),
        _ => None,
    })
}

/// Plays `pictures` frames of the video, 30 a second, from `start`; returns how many updates
/// carried video.
fn play(enc: &mut Encoder, dec: &mut Decoder, start: u32, pictures: u32) -> u32 {
    let mut with_video = 0;
    for t in start..start + pictures {
        let screen = desktop(t);
        if let Some(update) = enc.encode_at(&frame(&screen), None, u64::from(t) * FRAME_MS).unwrap() {
            with_video += u32::from(update.video);
            apply_all(dec, &update.batches);
        }
        // Outside the player, the picture stays pixel-exact at every frame.
        for (x, y) in [(0, 0), (10, 225), (W - 1, H - 1), (PLAYER.x - 1, PLAYER.y), (PLAYER.x + PLAYER.w, 100)] {
            assert!(exact(dec, &screen, x, y), "pixel ({x}, {y}) outside the video differs at picture {t}");
        }
    }
    with_video
}

#[test]
fn a_playing_video_is_coded_as_video_in_its_rectangle_only() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let with_video = play(&mut enc, &mut dec, 0, 30);
    assert!(with_video >= 20, "most of a second of playback travels as video, got {with_video} of 30");
    assert_eq!(enc.video_rect(), Some(PLAYER), "the video rectangle is the player's tiles");
    let last = desktop(29);
    let quality = psnr(&dec, &last, PLAYER);
    assert!(quality > 28.0, "the video looks like the video: PSNR {quality:.1} dB");
    // The text line below the player is pixel-exact throughout.
    for x in 0..W {
        for y in 221..232 {
            assert!(exact(&dec, &last, x, y));
        }
    }
}

#[test]
fn when_the_video_stops_the_rectangle_returns_to_pixel_exact() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    play(&mut enc, &mut dec, 0, 20);
    assert!(enc.video_rect().is_some());
    // Paused: the screen stays as it is. Before the idle time nothing is sent...
    let paused = desktop(19);
    let soon = 19 * FRAME_MS + VIDEO_IDLE_MS / 2;
    assert!(enc.encode_at(&frame(&paused), Some(&[]), soon).unwrap().is_none());
    assert!(enc.video_rect().is_some());
    // ...after it, the rectangle is sent losslessly, without any damage reported.
    let later = 19 * FRAME_MS + VIDEO_IDLE_MS + 1;
    let refresh = enc.encode_at(&frame(&paused), Some(&[]), later).unwrap().expect("a lossless refresh");
    assert!(!refresh.video);
    assert_eq!(refresh.tiles, 8, "every tile of the player, whole");
    apply_all(&mut dec, &refresh.batches);
    assert_exact_everywhere(&dec, &paused);
    assert_eq!(enc.video_rect(), None);
    // And then the screen is idle again: nothing to send.
    assert!(enc.encode_at(&frame(&paused), None, later + 100).unwrap().is_none());
}

#[test]
fn playback_that_resumes_goes_back_to_video() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    play(&mut enc, &mut dec, 0, 15);
    let paused = desktop(14);
    let refresh = enc.encode_at(&frame(&paused), Some(&[]), 14 * FRAME_MS + VIDEO_IDLE_MS + 1).unwrap().unwrap();
    apply_all(&mut dec, &refresh.batches);
    assert_exact_everywhere(&dec, &paused);
    // Resumes a second later: lossless for a few frames, then video again.
    let mut with_video = 0;
    for t in 15..45 {
        let screen = desktop(t);
        let now = 14 * FRAME_MS + 1000 + u64::from(t - 15) * FRAME_MS;
        if let Some(u) = enc.encode_at(&frame(&screen), None, now).unwrap() {
            with_video += u32::from(u.video);
            apply_all(&mut dec, &u.batches);
        }
    }
    assert!(with_video >= 20, "video again, got {with_video}");
}

/// Text that changes every frame (a fast terminal) has few colours per tile: it never warms.
#[test]
fn text_never_turns_into_video() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    for t in 0..60u32 {
        let mut screen = vec![0u8; (W * H * 4) as usize];
        for y in 0..H {
            for x in 0..W {
                let ink = (x / 2 + y / 3 + t * 5) % 7 == 0 && y % 16 < 12;
                let px = if ink { [30, 200, 40, 0] } else { [10, 10, 10, 0] };
                let i = ((y * W + x) * 4) as usize;
                screen[i..i + 4].copy_from_slice(&px);
            }
        }
        step_lossless(&mut enc, &mut dec, &screen, u64::from(t) * FRAME_MS);
    }
    assert_eq!(enc.video_rect(), None);
}

/// Photographic content that changes slowly (a slideshow) stays lossless too.
#[test]
fn slowly_changing_pictures_stay_lossless() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    for t in 0..12u32 {
        step_lossless(&mut enc, &mut dec, &desktop(t * 10), u64::from(t) * (HOT_GAP_MS + 50));
    }
}

#[test]
fn a_key_frame_during_video_is_all_lossless() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    play(&mut enc, &mut dec, 0, 20);
    enc.reset();
    let screen = desktop(20);
    let key = enc.encode_at(&frame(&screen), None, 20 * FRAME_MS).unwrap().unwrap();
    assert!(!key.video);
    let mut fresh = Decoder::new();
    apply_all(&mut fresh, &key.batches);
    assert_exact_everywhere(&fresh, &screen);
    assert_eq!(enc.video_rect(), None);
}

/// A stream that is cut (the console's decoder starts over) recovers with a key frame, video
/// included: a video update on a decoder that never saw the stream's key picture is refused.
#[test]
fn video_without_its_key_picture_is_refused() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let mut updates = Vec::new();
    for t in 0..20u32 {
        if let Some(u) = enc.encode_at(&frame(&desktop(t)), None, u64::from(t) * FRAME_MS).unwrap() {
            apply_all(&mut dec, &u.batches);
            updates.push(u);
        }
    }
    let first_video = updates.iter().position(|u| u.video).expect("video started");
    let later = updates.iter().skip(first_video + 1).position(|u| u.video).expect("more video") + first_video + 1;
    // A decoder that holds the right base picture but skipped the key video update.
    let mut other = Decoder::new();
    for (i, u) in updates.iter().enumerate().take(later) {
        if i == first_video {
            // Same frame numbering, without the video: what a decoder that lost it would hold.
            let stripped: Vec<ScreenMsg> = u
                .batches
                .iter()
                .map(|m| match m.clone() {
                    ScreenMsg::Batch { frame, base, width, height, tile_size, copies, tiles, last, .. } => {
                        ScreenMsg::Batch { frame, base, width, height, tile_size, copies, video: None, tiles, last }
                    }
                    other => other,
                })
                .collect();
            apply_all(&mut other, &stripped);
        } else {
            apply_all(&mut other, &u.batches);
        }
    }
    assert!(!video_of(&updates[later].batches).unwrap().key);
    assert_eq!(other.apply(&updates[later].batches[0]), Err(CodecError::MissingBase));
}

/// A complete 128x128 frame update with 64-pixel tiles.
fn batch_128(frame: u64, base: Option<u64>, video: Option<VideoUpdate>, tiles: Vec<deskside_proto::Tile>) -> ScreenMsg {
    ScreenMsg::Batch { frame, base, width: 128, height: 128, tile_size: 64, copies: vec![], video, tiles, last: true }
}

fn delta_with(video: VideoUpdate) -> ScreenMsg {
    batch_128(2, Some(1), Some(video), vec![])
}

fn decoder_with_base() -> Decoder {
    let mut dec = Decoder::new();
    let solid = |i: u16| deskside_proto::Tile {
        col: i % 2,
        row: i / 2,
        area: None,
        data: deskside_proto::TileData::Solid([1, 2, 3, 255]),
    };
    dec.apply(&batch_128(1, None, None, (0..4).map(solid).collect())).unwrap();
    dec
}

#[test]
fn hostile_video_updates_are_refused() {
    let ok = VideoUpdate { x: 0, y: 0, w: 64, h: 64, half: false, key: true, data: vec![0, 0, 0, 1, 0x67, 1, 2, 3] };
    let cases = [
        (VideoUpdate { x: 100, ..ok.clone() }, CodecError::BadTile),
        (VideoUpdate { y: u32::MAX, ..ok.clone() }, CodecError::BadTile),
        (VideoUpdate { w: 1, ..ok.clone() }, CodecError::BadTile),
        (VideoUpdate { h: 0, ..ok.clone() }, CodecError::BadTile),
        (VideoUpdate { data: vec![0; deskside_proto::MAX_VIDEO_BYTES + 1], ..ok.clone() }, CodecError::BadTile),
        (VideoUpdate { key: false, ..ok.clone() }, CodecError::MissingBase),
        (ok.clone(), CodecError::Corrupt),
        (VideoUpdate { data: vec![], ..ok.clone() }, CodecError::Corrupt),
    ];
    for (bad, why) in cases {
        let mut dec = decoder_with_base();
        assert_eq!(dec.apply(&delta_with(bad.clone())), Err(why), "{bad:?}");
    }
    // In a key frame, only a stream's first picture: nothing before it to continue.
    let key = batch_128(1, None, Some(VideoUpdate { key: false, ..ok.clone() }), vec![]);
    assert_eq!(Decoder::new().apply(&key), Err(CodecError::BadTile));
    let key = batch_128(1, None, Some(ok), vec![]);
    assert_eq!(Decoder::new().apply(&key), Err(CodecError::Corrupt));
}

/// A real picture coded for another rectangle size is refused: the decoded picture must be
/// exactly the rectangle's.
#[test]
fn a_picture_of_the_wrong_size_is_refused() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let mut key_video = None;
    for t in 0..20u32 {
        if let Some(u) = enc.encode_at(&frame(&desktop(t)), None, u64::from(t) * FRAME_MS).unwrap() {
            key_video = key_video.or_else(|| video_of(&u.batches).filter(|v| v.key).cloned());
            apply_all(&mut dec, &u.batches);
        }
    }
    let mut v = key_video.expect("a key picture");
    v.x = 0;
    v.y = 0;
    v.w = 128;
    v.h = 64; // the picture is 256 x 128
    let mut dec = decoder_with_base();
    assert_eq!(dec.apply(&delta_with(v)), Err(CodecError::Corrupt));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Arbitrary bytes as a key video picture never panic the decoder.
    #[test]
    fn video_decoder_never_panics(
        data in proptest::collection::vec(any::<u8>(), 0..4096),
        prefix in any::<bool>(),
        w in 2u32..128,
        h in 2u32..128,
        half in any::<bool>(),
    ) {
        let mut bytes = if prefix { vec![0, 0, 0, 1, 0x67] } else { vec![] };
        bytes.extend_from_slice(&data);
        let mut dec = decoder_with_base();
        let _ = dec.apply(&delta_with(VideoUpdate { x: 0, y: 0, w, h, half, key: true, data: bytes }));
    }
}

/// Captures faster than the video's rate (every 10 ms) code at most 30 pictures a second, and a
/// change that had to wait is coded on a later call even without damage.
#[test]
fn video_pictures_are_paced_and_the_last_one_is_never_dropped() {
    let config = VideoConfig::default();
    let mut enc = Encoder::default().with_video(config);
    let mut dec = Decoder::new();
    play(&mut enc, &mut dec, 0, 20);
    assert!(enc.video_rect().is_some());
    let start = 19 * FRAME_MS + 40;
    let mut pictures = 0;
    let mut last = Vec::new();
    for i in 0..100u32 {
        last = desktop(20 + i);
        if let Some(u) = enc.encode_at(&frame(&last), None, start + u64::from(i) * 10).unwrap() {
            pictures += u32::from(u.video);
            apply_all(&mut dec, &u.batches);
        }
    }
    assert!((25..=31).contains(&pictures), "one second at 100 captures a second: {pictures} pictures");
    let end = start + 99 * 10;
    if enc.video_pending() {
        let u = enc.encode_at(&frame(&last), Some(&[]), end + 40).unwrap().expect("the waiting picture");
        assert!(u.video);
        apply_all(&mut dec, &u.batches);
    }
    assert!(!enc.video_pending());
    assert!(psnr(&dec, &last, PLAYER) > 28.0, "the console shows the last picture");
}

/// A rectangle over the configured pixel budget is coded at half size each way and scaled back
/// up by the console; it still looks like the video, and returns to pixel-exact when it stops.
#[test]
fn a_large_rectangle_is_coded_at_half_size_and_returns_exact() {
    let config = VideoConfig { max_coded_pixels: 128 * 64, ..VideoConfig::default() };
    let mut enc = Encoder::default().with_video(config);
    let mut dec = Decoder::new();
    let mut halves = 0;
    for t in 0..30u32 {
        let screen = desktop(t);
        if let Some(u) = enc.encode_at(&frame(&screen), None, u64::from(t) * FRAME_MS).unwrap() {
            halves += u32::from(video_of(&u.batches).is_some_and(|v| v.half));
            apply_all(&mut dec, &u.batches);
        }
    }
    assert!(halves >= 20, "coded at half size: {halves}");
    let last = desktop(29);
    let quality = psnr(&dec, &last, PLAYER);
    assert!(quality > 24.0, "still the video: PSNR {quality:.1} dB");
    let refresh = enc.encode_at(&frame(&last), Some(&[]), 29 * FRAME_MS + VIDEO_IDLE_MS + 1).unwrap().unwrap();
    apply_all(&mut dec, &refresh.batches);
    assert_exact_everywhere(&dec, &last);
}

/// [`desktop`] with noise playing in the player: content that wants more bits than any link.
fn noisy(t: u32) -> Vec<u8> {
    let mut v = desktop(t);
    for y in PLAYER.y..PLAYER.y + PLAYER.h {
        for x in PLAYER.x..PLAYER.x + PLAYER.w {
            let n = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ t.wrapping_mul(83_492_791))
                .wrapping_mul(2_654_435_761);
            let i = ((y * W + x) * 4) as usize;
            v[i..i + 3].copy_from_slice(&n.to_le_bytes()[1..4]);
        }
    }
    v
}

/// Bytes of video sent in the first and the second half of three seconds of [`noisy`] playback
/// at `bps` (changed to `then_bps` halfway through, when given).
fn video_bytes(bps: u32, then_bps: Option<u32>) -> (usize, usize) {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    enc.set_video_bitrate(bps);
    let mut dec = Decoder::new();
    let (mut first, mut second) = (0, 0);
    for t in 0..90u32 {
        if t == 45
            && let Some(b) = then_bps
        {
            enc.set_video_bitrate(b);
        }
        if let Some(u) = enc.encode_at(&frame(&noisy(t)), None, u64::from(t) * FRAME_MS).unwrap() {
            let bytes = video_of(&u.batches).map_or(0, |v| v.data.len());
            if t < 45 {
                first += bytes;
            } else {
                second += bytes;
            }
            apply_all(&mut dec, &u.batches);
        }
    }
    (first, second)
}

/// The video's bit rate follows what it is given, also while a stream runs (quality adapts to
/// what the connection carries).
#[test]
fn the_video_bit_rate_follows_the_link() {
    // The player is 1.6 % of a 1080p screen: these give it about 1.6 Mbit/s and 240 kbit/s.
    let (rich, poor) = (100_000_000, 15_000_000);
    let (rich_bytes, _) = video_bytes(rich, None);
    let (poor_bytes, _) = video_bytes(poor, None);
    assert!(poor_bytes * 2 < rich_bytes, "a poorer link gets fewer bytes: {poor_bytes} vs {rich_bytes}");
    let (_, lowered) = video_bytes(rich, Some(poor));
    let (_, kept) = video_bytes(rich, None);
    assert!(lowered * 2 < kept, "lowered mid-stream: {lowered} vs {kept}");
}

/// Plays the video captured every `every_ms` (a line that lets captures come only so often),
/// with the encoder told so when `told`; returns how many updates carried video.
fn play_held_back(every_ms: u64, told: bool) -> u32 {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    if told {
        enc.set_link_interval_ms(every_ms);
    }
    let mut with_video = 0;
    for t in 0..20u32 {
        let screen = desktop(t * 10);
        if let Some(update) = enc.encode_at(&frame(&screen), None, u64::from(t) * every_ms).unwrap() {
            with_video += u32::from(update.video);
            apply_all(&mut dec, &update.batches);
        }
        for (x, y) in [(0, 0), (10, 225), (W - 1, H - 1)] {
            assert!(exact(&dec, &screen, x, y), "pixel ({x}, {y}) outside the video differs at capture {t}");
        }
    }
    with_video
}

#[test]
fn a_video_captured_far_apart_by_a_slow_line_is_still_coded_as_video() {
    // Captures 400 ms apart: without knowing why, each change looks like a pause, and the player
    // is sent whole and lossless every time.
    assert_eq!(play_held_back(400, false), 0);
    // Told the line holds captures back, the encoder treats it as the video it is.
    let with_video = play_held_back(400, true);
    // Only the key frame and the one after it (where the rectangle is found) are lossless.
    assert!(with_video >= 18, "{with_video} of 20 captures carried video");
    // Captures that come at the screen's own pace are judged as before (`HOT_GAP_MS`).
    const { assert!(HOT_GAP_MS < 400) };
}

/// An estimate of the line that wavers from picture to picture does not restart the stream (each
/// restart is a key picture, many pictures' worth of the rate); a rate that halves or worse
/// does, once.
#[test]
fn a_wavering_rate_does_not_restart_the_video_but_a_much_lower_one_does_once() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let mut keys = Vec::new();
    for t in 0..120u32 {
        let bps = match t {
            0..60 if t % 3 == 0 => 1_500_000,
            0..60 => 2_400_000,
            _ => 600_000,
        };
        enc.set_video_bitrate(bps);
        if let Some(u) = enc.encode_at(&frame(&noisy(t)), None, u64::from(t) * FRAME_MS).unwrap() {
            if video_of(&u.batches).is_some_and(|v| v.key) {
                keys.push(t);
            }
            apply_all(&mut dec, &u.batches);
        }
    }
    assert_eq!(keys.len(), 2, "the stream's first picture and one restart: {keys:?}");
    assert!(keys[1] >= 60, "the restart comes with the lower rate: {keys:?}");
}
