//! Encoder and decoder throughput on a 1920x1080 screen: a key frame, an unchanged frame (the
//! idle desktop: hashing only), a frame where one line of text changed (typing), text scrolled
//! by a line (a copy rectangle and the new line), and full-screen video pictures (H.264).

#![allow(clippy::unwrap_used, missing_docs)] // A benchmark: a panic is a failure with its message.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deskside_codec::{Decoder, Encoder, FrameRef, VideoConfig};

const W: u32 = 1920;
const H: u32 = 1080;

/// A desktop-like BGRX screen: flat background, a window, rows of "text".
fn desktop(seed: u32) -> Vec<u8> {
    let mut v = vec![0u8; (W * H * 4) as usize];
    for y in 0..H {
        for x in 0..W {
            let i = ((y * W + x) * 4) as usize;
            let in_window = (200..1400).contains(&x) && (150..900).contains(&y);
            let text =
                in_window && (y / 18) % 2 == 0 && (x.wrapping_mul(7) ^ y.wrapping_mul(13) ^ seed).is_multiple_of(5);
            let px = if text {
                [20, 20, 20, 0]
            } else if in_window {
                [250, 250, 250, 0]
            } else {
                [120, 80, 40, 0]
            };
            v[i..i + 4].copy_from_slice(&px);
        }
    }
    v
}

/// Full-screen moving, grainy content, picture `t` (what the benchmark's video workload paints).
#[allow(clippy::many_single_char_names)]
fn film(t: u32) -> Vec<u8> {
    let mut v = vec![0u8; (W * H * 4) as usize];
    let tf = t as f32 * 0.08;
    for y in 0..H {
        for x in 0..W {
            let (xf, yf) = (x as f32, y as f32);
            let s = ((xf * 0.01 + tf).sin() + (yf * 0.013 - tf * 1.3).cos() + ((xf + yf) * 0.005 + tf * 0.7).sin())
                * 42.0
                + 128.0;
            let n = ((x ^ y).wrapping_mul(2_654_435_761) >> 28) as u8;
            let i = ((y * W + x) * 4) as usize;
            v[i..i + 4].copy_from_slice(&[
                (s as u8).wrapping_add(n),
                (255.0 - s) as u8,
                ((s * 0.5 + 60.0) as u8).wrapping_add(n),
                0,
            ]);
        }
    }
    v
}

/// `src` scrolled up by `lines` text lines of 18 pixels inside the window, new text at the bottom.
fn scrolled(src: &[u8], seed: u32) -> Vec<u8> {
    let mut v = src.to_vec();
    let row = W as usize * 4;
    let (top, bottom, dy) = (150usize, 900usize, 18usize);
    v.copy_within((top + dy) * row..bottom * row, top * row);
    let fresh = desktop(seed);
    v[(bottom - dy) * row..bottom * row].copy_from_slice(&fresh[(bottom - dy) * row..bottom * row]);
    v
}

fn frame(data: &[u8]) -> FrameRef<'_> {
    FrameRef { width: W, height: H, stride: W as usize * 4, data }
}

fn bench(c: &mut Criterion) {
    let a = desktop(0);
    let mut typed = a.clone();
    for x in 400..420 {
        for y in 300..316 {
            let i = ((y * W + x) * 4) as usize;
            typed[i] = 0;
        }
    }
    let mut g = c.benchmark_group("codec_1080p");
    g.throughput(Throughput::Bytes(u64::from(W * H * 4)));
    g.bench_function("encode_key_frame", |b| {
        let mut enc = Encoder::default();
        b.iter(|| {
            enc.reset();
            enc.encode(&frame(&a)).unwrap()
        });
    });
    g.bench_function("encode_unchanged", |b| {
        let mut enc = Encoder::default();
        enc.encode(&frame(&a)).unwrap();
        b.iter(|| enc.encode(&frame(&a)).unwrap());
    });
    g.bench_function("encode_one_change", |b| {
        let mut enc = Encoder::default();
        let mut flip = false;
        b.iter(|| {
            flip = !flip;
            enc.encode(&frame(if flip { &typed } else { &a })).unwrap()
        });
    });
    g.bench_function("encode_scroll_one_line", |b| {
        // Each screen is the previous one scrolled by a line; damage covers the window.
        let screens: Vec<Vec<u8>> = std::iter::successors(Some(a.clone()), |s| Some(scrolled(s, 7))).take(16).collect();
        let window = [deskside_codec::Rect { x: 200, y: 150, w: 1200, h: 750 }];
        let mut enc = Encoder::default();
        enc.encode(&frame(&screens[0])).unwrap();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % screens.len();
            if i == 0 {
                enc.reset();
            }
            enc.encode_damaged(&frame(&screens[i]), Some(&window)).unwrap()
        });
    });
    let films: Vec<Vec<u8>> = (0..30).map(film).collect();
    let frame_ms = 34;
    g.bench_function("encode_video_picture", |b| {
        // Warm up into the video path, then code one picture of full-screen video per iteration.
        let mut enc = Encoder::default().with_video(VideoConfig::default());
        let mut now = 0;
        for f in &films {
            now += frame_ms;
            enc.encode_at(&frame(f), None, now).unwrap();
        }
        assert!(enc.video_rect().is_some(), "the video path is on");
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % films.len();
            now += frame_ms;
            enc.encode_at(&frame(&films[i]), None, now).unwrap()
        });
    });
    // A second of video as the console receives it: the lossless start, then H.264 pictures.
    let mut enc = Encoder::default().with_video(VideoConfig::default());
    let second: Vec<_> = films
        .iter()
        .enumerate()
        .filter_map(|(i, f)| enc.encode_at(&frame(f), None, i as u64 * frame_ms).unwrap())
        .collect();
    g.throughput(Throughput::Elements(second.len() as u64));
    g.bench_function("decode_video_second", |b| {
        b.iter(|| {
            let mut dec = Decoder::new();
            for u in &second {
                for m in &u.batches {
                    dec.apply(m).unwrap();
                }
            }
        });
    });
    g.throughput(Throughput::Bytes(u64::from(W * H * 4)));
    let key = Encoder::default().encode(&frame(&a)).unwrap().unwrap();
    g.bench_function("decode_key_frame", |b| {
        b.iter(|| {
            let mut dec = Decoder::new();
            for m in &key.batches {
                dec.apply(m).unwrap();
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
