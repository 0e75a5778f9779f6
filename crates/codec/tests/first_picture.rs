#![allow(clippy::unwrap_used, missing_docs)] // A test: a panic is a failure with its message.

//! A photographic screen's first picture (a key frame, or a photograph opened at once): coded
//! as video, a fraction of its lossless size, then made exact once it is still, a frame's share
//! at a time, while a change typed meanwhile still goes out at once. A photographic screen that
//! moves goes on as the video it started as.

use deskside_codec::video::VIDEO_IDLE_MS;
use deskside_codec::{Decoder, EncodedFrame, Encoder, FrameRef, Rect, VideoConfig};
use deskside_proto::{ScreenMsg, TileData};

const W: u32 = 1024;
const H: u32 = 640;
/// A photograph: tiles (1, 1) to (12, 8) of 64 pixels, 96 tiles.
const PHOTO: Rect = Rect { x: 64, y: 64, w: 768, h: 512 };
/// A line of "text" below it.
const TEXT: Rect = Rect { x: 64, y: 600, w: 400, h: 12 };

fn inside(r: Rect, x: u32, y: u32) -> bool {
    (r.x..r.x + r.w).contains(&x) && (r.y..r.y + r.h).contains(&y)
}

/// A flat desktop with a grainy photograph, shifted by `t` (0: still), and text that reads
/// `typed`.
fn desktop(t: u32, typed: u32) -> Vec<u8> {
    let mut v = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let i = ((y * W + x) * 4) as usize;
            let px = if inside(PHOTO, x, y) {
                let (xf, yf, tf) = (x as f32, y as f32, t as f32);
                let base = ((xf * 0.03 + tf * 0.3).sin() + (yf * 0.05).cos()) * 60.0 + 128.0;
                let grain = ((x * 7 + y * 13 + t * 5) % 9) as f32;
                [(base + grain) as u8, (250.0 - base + grain) as u8, (base * 0.5 + 30.0) as u8, 0]
            } else if inside(TEXT, x, y) && (x / 3 + y + typed).is_multiple_of(4) {
                [20, 20, 20, 0]
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

fn apply(dec: &mut Decoder, u: &EncodedFrame) {
    let mut done = None;
    for m in &u.batches {
        done = dec.apply(m).unwrap();
    }
    done.expect("the last batch completes the frame");
}

fn exact(dec: &Decoder, bgrx: &[u8], x: u32, y: u32) -> bool {
    let i = ((y * W + x) * 4) as usize;
    dec.rgba()[i..i + 4] == [bgrx[i + 2], bgrx[i + 1], bgrx[i], 255]
}

fn exact_in(dec: &Decoder, bgrx: &[u8], r: Rect) -> bool {
    (r.y..r.y + r.h).all(|y| (r.x..r.x + r.w).all(|x| exact(dec, bgrx, x, y)))
}

/// Bytes on the wire, about: tiles and video.
fn bytes(u: &EncodedFrame) -> usize {
    u.batches
        .iter()
        .map(|m| match m {
            ScreenMsg::Batch { video, tiles, .. } => {
                video.as_ref().map_or(0, |v| v.data.len())
                    + tiles
                        .iter()
                        .map(|t| match &t.data {
                            TileData::Solid(_) => 8,
                            TileData::Lz4(d) => d.len() + 8,
                            TileData::Palette { colors, indices } => colors.len() * 3 + indices.len() + 8,
                        })
                        .sum::<usize>()
            }
            _ => 0,
        })
        .sum()
}

fn psnr(dec: &Decoder, bgrx: &[u8], r: Rect) -> f64 {
    let (mut sum, mut n) = (0.0, 0.0);
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

#[test]
fn a_still_photograph_comes_first_as_video_then_exact_a_share_at_a_time() {
    let screen = desktop(0, 0);
    let lossless = Encoder::default().encode_at(&frame(&screen), None, 0).unwrap().unwrap();
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let first = enc.encode_at(&frame(&screen), None, 0).unwrap().unwrap();
    assert!(first.video, "the photograph's first picture is video");
    assert!(
        bytes(&first) * 4 < bytes(&lossless),
        "a fraction of the lossless picture: {} against {} bytes",
        bytes(&first),
        bytes(&lossless)
    );
    apply(&mut dec, &first);
    assert!(exact_in(&dec, &screen, TEXT), "text is exact from the start");
    assert!(exact_in(&dec, &screen, Rect { x: 0, y: 0, w: W, h: 64 }), "so is the desktop around it");
    let quality = psnr(&dec, &screen, PHOTO);
    assert!(quality > 25.0, "the photograph is recognisable: {quality:.1} dB");

    // Still: after VIDEO_IDLE_MS it is sent exactly, at most a share of the line per frame.
    let share = 64 * 1024;
    enc.set_refine_bytes(share);
    let mut now = VIDEO_IDLE_MS + 1;
    let mut frames = 0;
    let mut typed = 0;
    let mut current;
    loop {
        // Meanwhile the customer types: each change is in the very next frame.
        typed += 1;
        current = desktop(0, typed);
        let Some(u) = enc.encode_at(&frame(&current), Some(&[TEXT]), now).unwrap() else { break };
        assert!(!u.video, "still: no video any more");
        apply(&mut dec, &u);
        assert!(exact_in(&dec, &current, TEXT), "the typing shows in frame {frames}");
        // A share, the text, and at most one more tile (the one that crossed the share).
        assert!(bytes(&u) <= share + 64 * 64 * 4 + 4096, "frame {frames}: {} bytes", bytes(&u));
        frames += 1;
        now += 33;
        if !enc.refining() {
            break;
        }
        assert!(frames < 200, "the refinement ends");
    }
    assert!(frames > 4, "megabytes go in several frames, not one: {frames}");
    assert!(!enc.refining());
    assert!(exact_in(&dec, &current, Rect { x: 0, y: 0, w: W, h: H }), "the whole picture is exact at the end");
    assert_eq!(enc.encode_at(&frame(&current), Some(&[]), now).unwrap(), None, "and nothing more is sent");
}

#[test]
fn a_moving_photograph_goes_on_as_the_video_it_started_as() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    for t in 0..10u32 {
        let screen = desktop(t, 0);
        let u = enc.encode_at(&frame(&screen), None, u64::from(t) * 33).unwrap().unwrap();
        assert!(u.video, "picture {t} is video");
        assert_eq!(u.tiles, if t == 0 { u.tiles } else { 0 }, "only the key frame has tiles");
        apply(&mut dec, &u);
        assert!(exact_in(&dec, &screen, TEXT), "the text stays exact");
    }
    assert_eq!(enc.video_rect(), Some(PHOTO));
}

#[test]
fn a_small_picture_in_a_key_frame_stays_lossless() {
    // A few photographic tiles (an avatar, an icon): lossless at once, as before.
    let mut screen = desktop(0, 0);
    for y in 0..H {
        for x in 0..W {
            if inside(PHOTO, x, y) && !inside(Rect { x: 64, y: 64, w: 256, h: 128 }, x, y) {
                let i = ((y * W + x) * 4) as usize;
                screen[i..i + 4].copy_from_slice(&[235, 230, 225, 0]);
            }
        }
    }
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let u = enc.encode_at(&frame(&screen), None, 0).unwrap().unwrap();
    assert!(!u.video);
    apply(&mut dec, &u);
    assert!(exact_in(&dec, &screen, Rect { x: 0, y: 0, w: W, h: H }));
}

#[test]
fn a_photograph_opened_on_a_shared_screen_comes_first_as_video_too() {
    let mut flat = desktop(0, 0);
    for y in 0..H {
        for x in 0..W {
            if inside(PHOTO, x, y) {
                let i = ((y * W + x) * 4) as usize;
                flat[i..i + 4].copy_from_slice(&[235, 230, 225, 0]);
            }
        }
    }
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let mut dec = Decoder::new();
    let first = enc.encode_at(&frame(&flat), None, 0).unwrap().unwrap();
    assert!(!first.video, "a flat desktop is lossless");
    apply(&mut dec, &first);
    // The photograph opens: one change of 96 photographic tiles.
    let photo = desktop(0, 0);
    let u = enc.encode_at(&frame(&photo), Some(&[PHOTO]), 1000).unwrap().unwrap();
    assert!(u.video, "it comes as video");
    assert_eq!(u.tiles, 0, "none of its tiles losslessly");
    apply(&mut dec, &u);
    assert!(psnr(&dec, &photo, PHOTO) > 25.0);
    // Still: exact again after VIDEO_IDLE_MS.
    let mut now = 1000 + VIDEO_IDLE_MS + 1;
    while let Some(u) = enc.encode_at(&frame(&photo), Some(&[]), now).unwrap() {
        apply(&mut dec, &u);
        now += 33;
        assert!(now < 20_000, "the refinement ends");
    }
    assert!(exact_in(&dec, &photo, Rect { x: 0, y: 0, w: W, h: H }), "exact at the end, not video again");
}

/// A film that a slow line lets through a part at a time: each capture, far apart, finds more of
/// the screen painted. No capture sends a photographic area losslessly once it is large: it
/// goes into the video, whose rectangle grows to it.
#[test]
fn a_film_seen_a_part_at_a_time_on_a_slow_line_never_goes_lossless_in_bulk() {
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    enc.set_link_interval_ms(270);
    let mut dec = Decoder::new();
    let flat =
        desktop(0, 0).iter().enumerate().map(|(i, b)| if i % 4 == 3 { 0 } else { 230 + (*b & 1) }).collect::<Vec<u8>>();
    apply(&mut dec, &enc.encode_at(&frame(&flat), None, 0).unwrap().unwrap());
    let mut screen = flat.clone();
    for capture in 0..8u32 {
        // The painter has got this far down the photograph, with picture `capture`.
        let painted = (capture + 1) * 384;
        let film = desktop(capture + 1, 0);
        let rows = (PHOTO.y..(PHOTO.y + PHOTO.h).min(PHOTO.y + painted)).collect::<Vec<_>>();
        for y in rows {
            let start = ((y * W + PHOTO.x) * 4) as usize;
            let end = start + (PHOTO.w * 4) as usize;
            screen[start..end].copy_from_slice(&film[start..end]);
        }
        let now = 1_000 + u64::from(capture) * 270;
        let Some(u) = enc.encode_at(&frame(&screen), None, now).unwrap() else { continue };
        let lossless = u
            .batches
            .iter()
            .map(|m| match m {
                ScreenMsg::Batch { tiles, .. } => tiles.iter().filter(|t| matches!(t.data, TileData::Lz4(_))).count(),
                _ => 0,
            })
            .sum::<usize>();
        assert!(lossless < 64, "capture {capture}: {lossless} photographic tiles sent losslessly");
        apply(&mut dec, &u);
        assert!(exact_in(&dec, &screen, TEXT), "the text stays exact");
    }
    assert_eq!(enc.video_rect(), Some(PHOTO), "the whole photograph is video by now");
}
