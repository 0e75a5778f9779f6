//! Encoder and decoder throughput on a 1920x1080 screen: a key frame, an unchanged frame (the
//! idle desktop: hashing only), and a frame where one line of text changed (typing).

#![allow(clippy::unwrap_used, missing_docs)] // A benchmark: a panic is a failure with its message.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deskside_codec::{Decoder, Encoder, FrameRef};

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
