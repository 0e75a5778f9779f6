#![allow(clippy::unwrap_used, clippy::many_single_char_names, missing_docs)] // A test: a panic is a failure with its message.

//! The codec reconstructs the screen pixel-exact, sends nothing for an unchanged screen, refuses
//! an update on a missing base, and survives hostile input.

use deskside_codec::{CodecError, Decoder, Encoder, FrameRef, MAX_PIXELS};
use deskside_proto::{ScreenMsg, Tile, TileData};
use proptest::prelude::*;

/// A BGRX test screen: a gradient with some "text" noise.
fn screen(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((width * height * 4) as usize);
    for y in 0..height {
        for x in 0..width {
            let n = x.wrapping_mul(31).wrapping_add(y.wrapping_mul(17)).wrapping_add(seed);
            let ink = u8::from(n % 7 == 0) * 200;
            v.extend_from_slice(&[(x as u8) ^ ink, (y as u8).wrapping_add(ink), (n >> 3) as u8, 0]);
        }
    }
    v
}

fn frame(data: &[u8], width: u32, height: u32) -> FrameRef<'_> {
    FrameRef { width, height, stride: width as usize * 4, data }
}

fn assert_same(dec: &Decoder, bgrx: &[u8]) {
    assert_eq!(dec.rgba().len(), bgrx.len());
    for (i, (d, s)) in dec.rgba().chunks_exact(4).zip(bgrx.chunks_exact(4)).enumerate() {
        assert_eq!(d, &[s[2], s[1], s[0], 255], "pixel {i}");
    }
}

fn apply_all(dec: &mut Decoder, msgs: &[ScreenMsg]) -> Vec<deskside_codec::Rect> {
    let mut done = None;
    for m in msgs {
        done = dec.apply(m).unwrap();
    }
    done.expect("the last batch completes the frame")
}

#[test]
fn key_frame_then_deltas_are_pixel_exact() {
    let (w, h) = (200, 130); // not a multiple of the tile size
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    let a = screen(w, h, 0);
    let msgs = enc.encode(&frame(&a, w, h)).unwrap().unwrap();
    apply_all(&mut dec, &msgs.batches);
    assert_same(&dec, &a);

    let mut b = a.clone();
    for x in 70..90 {
        b[(100 * w as usize + x) * 4] ^= 0xFF;
    }
    let delta = enc.encode(&frame(&b, w, h)).unwrap().unwrap();
    assert_eq!(delta.tiles, 1, "one changed tile");
    let dirty = apply_all(&mut dec, &delta.batches);
    assert_eq!(dirty.len(), 1);
    assert_same(&dec, &b);
}

#[test]
fn an_unchanged_screen_sends_nothing() {
    let (w, h) = (128, 128);
    let mut enc = Encoder::default();
    let a = screen(w, h, 5);
    assert!(enc.encode(&frame(&a, w, h)).unwrap().is_some());
    assert!(enc.encode(&frame(&a, w, h)).unwrap().is_none());
    assert!(enc.encode(&frame(&a, w, h)).unwrap().is_none());
}

#[test]
fn a_padded_stride_is_read_correctly() {
    let (w, h) = (70, 40);
    let stride = 80 * 4;
    let tight = screen(w, h, 3);
    let mut padded = vec![0xEE; stride * h as usize];
    for y in 0..h as usize {
        padded[y * stride..y * stride + w as usize * 4]
            .copy_from_slice(&tight[y * w as usize * 4..(y + 1) * w as usize * 4]);
    }
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    let msgs = enc.encode(&FrameRef { width: w, height: h, stride, data: &padded }).unwrap().unwrap();
    apply_all(&mut dec, &msgs.batches);
    assert_same(&dec, &tight);
}

#[test]
fn solid_tiles_are_one_colour() {
    let (w, h) = (64, 64);
    let data: Vec<u8> = std::iter::repeat_n([10u8, 20, 30, 0], 64 * 64).flatten().collect();
    let mut enc = Encoder::default();
    let msgs = enc.encode(&frame(&data, w, h)).unwrap().unwrap();
    let ScreenMsg::Batch { tiles, .. } = &msgs.batches[0] else { panic!("not a batch") };
    assert_eq!(tiles[0].data, TileData::Solid([10, 20, 30, 255]));
    let mut dec = Decoder::new();
    apply_all(&mut dec, &msgs.batches);
    assert_same(&dec, &data);
}

#[test]
fn a_large_frame_is_split_into_bounded_batches() {
    let (w, h) = (1920, 1080);
    let mut enc = Encoder::default();
    let a = screen(w, h, 11);
    let msgs = enc.encode(&frame(&a, w, h)).unwrap().unwrap();
    assert!(msgs.batches.len() > 1);
    for b in &msgs.batches {
        let bytes = postcard::to_stdvec(b).unwrap();
        assert!(bytes.len() <= deskside_proto::MAX_SCREEN_MSG_BYTES);
    }
    let mut dec = Decoder::new();
    apply_all(&mut dec, &msgs.batches);
    assert_same(&dec, &a);
}

#[test]
fn an_update_on_a_missing_base_is_refused_until_a_key_frame() {
    let (w, h) = (128, 64);
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    let a = screen(w, h, 0);
    let b = screen(w, h, 1);
    let c = screen(w, h, 2);
    let first = enc.encode(&frame(&a, w, h)).unwrap().unwrap();
    apply_all(&mut dec, &first.batches);
    let _lost = enc.encode(&frame(&b, w, h)).unwrap().unwrap();
    let next = enc.encode(&frame(&c, w, h)).unwrap().unwrap();
    assert_eq!(dec.apply(&next.batches[0]), Err(CodecError::MissingBase));
    // The sender resets (a full refresh) and the screen is exact again.
    enc.reset();
    let key = enc.encode(&frame(&c, w, h)).unwrap().unwrap();
    apply_all(&mut dec, &key.batches);
    assert_same(&dec, &c);
}

#[test]
fn a_size_change_starts_a_key_frame() {
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    let a = screen(100, 100, 0);
    apply_all(&mut dec, &enc.encode(&frame(&a, 100, 100)).unwrap().unwrap().batches);
    let b = screen(150, 90, 0);
    let msgs = enc.encode(&frame(&b, 150, 90)).unwrap().unwrap();
    apply_all(&mut dec, &msgs.batches);
    assert_eq!((dec.width(), dec.height()), (150, 90));
    assert_same(&dec, &b);
}

fn batch(width: u32, height: u32, tile_size: u16, tiles: Vec<Tile>) -> ScreenMsg {
    ScreenMsg::Batch { frame: 1, base: None, width, height, tile_size, copies: vec![], video: None, tiles, last: true }
}

#[test]
fn hostile_updates_are_refused_without_panic() {
    let mut dec = Decoder::new();
    assert_eq!(dec.apply(&batch(0, 10, 64, vec![])), Err(CodecError::BadDimensions));
    assert_eq!(dec.apply(&batch(u32::MAX, u32::MAX, 64, vec![])), Err(CodecError::BadDimensions));
    let side = (MAX_PIXELS as f64).sqrt() as u32 + 2;
    assert_eq!(dec.apply(&batch(side, side, 64, vec![])), Err(CodecError::BadDimensions));
    // Few pixels, but a side no renderer can show (a hostile customer's one-message crash).
    assert_eq!(dec.apply(&batch(65_536, 2, 64, vec![])), Err(CodecError::BadDimensions));
    assert_eq!(dec.apply(&batch(2, 65_536, 64, vec![])), Err(CodecError::BadDimensions));
    // Three 4K monitors side by side are an honest screen and are taken.
    assert!(dec.apply(&batch(11_520, 2160, 64, vec![])).is_ok());
    assert_eq!(dec.apply(&batch(64, 64, 3, vec![])), Err(CodecError::BadTile));
    let outside = Tile { col: 5, row: 0, area: None, data: TileData::Solid([0; 4]) };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![outside])), Err(CodecError::BadTile));
    let garbage = Tile { col: 0, row: 0, area: None, data: TileData::Lz4(vec![0xFF; 40]) };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![garbage])), Err(CodecError::Corrupt));
    // Valid LZ4 of the wrong size.
    let short = Tile { col: 0, row: 0, area: None, data: TileData::Lz4(lz4_flex::block::compress(&[1; 100])) };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![short])), Err(CodecError::Corrupt));
    // A bomb: tiny input claiming a huge output cannot exceed the tile buffer.
    let bomb = Tile { col: 0, row: 0, area: None, data: TileData::Lz4(lz4_flex::block::compress(&vec![0; 1 << 20])) };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![bomb])), Err(CodecError::Corrupt));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decoder_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut dec = Decoder::new();
        if let Ok(msg) = deskside_proto::decode::<ScreenMsg>(&bytes) {
            let _ = dec.apply(&msg);
            prop_assert!(dec.rgba().len() as u64 <= MAX_PIXELS * 4);
        }
    }

    #[test]
    fn decoder_never_panics_on_arbitrary_tiles(
        w in 1u32..300, h in 1u32..300, ts in 0u16..300,
        tiles in proptest::collection::vec((any::<u16>(), any::<u16>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..8)
    ) {
        let mut dec = Decoder::new();
        let tiles = tiles.into_iter().map(|(c, r, d)| Tile { col: c % 8, row: r % 8, area: None, data: TileData::Lz4(d) }).collect();
        let _ = dec.apply(&batch(w, h, ts, tiles));
        prop_assert!(dec.rgba().len() <= (w * h * 4) as usize);
    }

    #[test]
    fn any_sequence_of_screens_round_trips(seeds in proptest::collection::vec(0u32..4, 1..6), w in 1u32..150, h in 1u32..150) {
        let mut enc = Encoder::new(16);
        let mut dec = Decoder::new();
        for s in seeds {
            let data = screen(w, h, s);
            if let Some(msgs) = enc.encode(&frame(&data, w, h)).unwrap() {
                apply_all(&mut dec, &msgs.batches);
            }
            assert_same(&dec, &data);
        }
    }
}

#[test]
fn damage_limits_what_is_examined_and_stays_exact() {
    let (w, h) = (256, 192);
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    let a = screen(w, h, 0);
    apply_all(&mut dec, &enc.encode_damaged(&frame(&a, w, h), None).unwrap().unwrap().batches);
    // Two changes; damage reports only the first: only that one is sent.
    let mut b = a.clone();
    b[(10 * w as usize + 10) * 4] ^= 0xFF;
    b[(150 * w as usize + 200) * 4] ^= 0xFF;
    let damage = [deskside_codec::Rect { x: 5, y: 5, w: 10, h: 10 }];
    let update = enc.encode_damaged(&frame(&b, w, h), Some(&damage)).unwrap().unwrap();
    assert_eq!(update.tiles, 1);
    apply_all(&mut dec, &update.batches);
    // Damage that over-reports sends only what really changed; an empty damage sends nothing.
    let all = [deskside_codec::Rect { x: 0, y: 0, w, h }];
    let update = enc.encode_damaged(&frame(&b, w, h), Some(&all)).unwrap().unwrap();
    assert_eq!(update.tiles, 1, "the unreported change is found when damage covers it");
    apply_all(&mut dec, &update.batches);
    assert_same(&dec, &b);
    assert!(enc.encode_damaged(&frame(&b, w, h), Some(&[])).unwrap().is_none());
    // Damage beyond the screen is clipped, never a panic.
    let outside = [
        deskside_codec::Rect { x: 250, y: 190, w: 1000, h: 1000 },
        deskside_codec::Rect { x: 999, y: 999, w: 1, h: 1 },
    ];
    assert!(enc.encode_damaged(&frame(&b, w, h), Some(&outside)).unwrap().is_none());
}

/// A screen of text: `colours` distinct colours in small glyph-like patterns.
fn text_screen(w: u32, h: u32, colours: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            // Each character cell gets a pseudo-random glyph, as real text does.
            let glyph = ((x / 6).wrapping_mul(2_654_435_761) ^ (y / 13).wrapping_mul(40_503)) >> 7 & 7;
            let on = (x % 6) * (y % 13) % (glyph + 2) == 0;
            let c = if on { 1 + (x / 6 + y / 13) % (colours - 1) } else { 0 };
            v.extend_from_slice(&[(c * 37) as u8, (c * 91) as u8, (255 - c * 13) as u8, 0]);
        }
    }
    v
}

#[test]
fn text_tiles_use_a_palette_and_stay_exact() {
    for colours in [2, 3, 4, 5, 16] {
        let (w, h) = (200, 90); // edge tiles of odd widths too
        let data = text_screen(w, h, colours);
        let mut enc = Encoder::default();
        let msgs = enc.encode(&frame(&data, w, h)).unwrap().unwrap();
        let ScreenMsg::Batch { tiles, .. } = &msgs.batches[0] else { panic!("not a batch") };
        assert!(tiles.iter().any(|t| matches!(t.data, TileData::Palette { .. })), "{colours} colours");
        let mut dec = Decoder::new();
        apply_all(&mut dec, &msgs.batches);
        assert_same(&dec, &data);
    }
    // Beyond 16 colours a tile is not a palette tile.
    let many = screen(64, 64, 3);
    let msgs = Encoder::default().encode(&frame(&many, 64, 64)).unwrap().unwrap();
    let ScreenMsg::Batch { tiles, .. } = &msgs.batches[0] else { panic!("not a batch") };
    assert!(matches!(tiles[0].data, TileData::Lz4(_)));
}

#[test]
fn hostile_palette_tiles_are_refused() {
    let mut dec = Decoder::new();
    let packed = lz4_flex::block::compress(&[0xFF; 8 * 64]);
    let one_colour =
        Tile { col: 0, row: 0, area: None, data: TileData::Palette { colors: vec![[0; 3]], indices: packed.clone() } };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![one_colour])), Err(CodecError::Corrupt));
    let too_many = Tile {
        col: 0,
        row: 0,
        area: None,
        data: TileData::Palette { colors: vec![[0; 3]; 17], indices: packed.clone() },
    };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![too_many])), Err(CodecError::Corrupt));
    // Three colours use 2 bits; index 3 names no colour.
    let bad_index = Tile {
        col: 0,
        row: 0,
        area: None,
        data: TileData::Palette { colors: vec![[0; 3]; 3], indices: lz4_flex::block::compress(&[0xFF; 16 * 64]) },
    };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![bad_index])), Err(CodecError::Corrupt));
    let short = Tile {
        col: 0,
        row: 0,
        area: None,
        data: TileData::Palette { colors: vec![[0; 3]; 2], indices: packed[..4].to_vec() },
    };
    assert_eq!(dec.apply(&batch(64, 64, 64, vec![short])), Err(CodecError::Corrupt));
}

/// Moves a `bw` x `bh` block of `src` by (`dx`, `dy`), filling where it was with `bg`.
fn moved(src: &[u8], w: u32, block: (u32, u32, u32, u32), to: (u32, u32), bg: [u8; 4]) -> Vec<u8> {
    let (bx, by, bw, bh) = block;
    let mut out = src.to_vec();
    for y in by..by + bh {
        for x in bx..bx + bw {
            let i = ((y * w + x) * 4) as usize;
            out[i..i + 4].copy_from_slice(&bg);
        }
    }
    for y in 0..bh {
        for x in 0..bw {
            let s = (((by + y) * w + bx + x) * 4) as usize;
            let d = (((to.1 + y) * w + to.0 + x) * 4) as usize;
            out[d..d + 4].copy_from_slice(&src[s..s + 4]);
        }
    }
    out
}

fn all_damage(w: u32, h: u32) -> [deskside_codec::Rect; 1] {
    [deskside_codec::Rect { x: 0, y: 0, w, h }]
}

#[test]
fn a_moved_window_travels_as_a_copy_and_stays_exact() {
    let (w, h) = (640, 480);
    let bg = [40, 40, 40, 0];
    let mut a: Vec<u8> = std::iter::repeat_n(bg, (w * h) as usize).flatten().collect();
    // A "window" of text at (100, 80), 300 x 200.
    let text = text_screen(300, 200, 3);
    for y in 0..200u32 {
        let d = (((80 + y) * w + 100) * 4) as usize;
        a[d..d + 1200].copy_from_slice(&text[(y * 1200) as usize..((y + 1) * 1200) as usize]);
    }
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    apply_all(&mut dec, &enc.encode(&frame(&a, w, h)).unwrap().unwrap().batches);
    // Dragged by (37, 21): not tile-aligned.
    let b = moved(&a, w, (100, 80, 300, 200), (137, 101), bg);
    let update = enc.encode_damaged(&frame(&b, w, h), Some(&all_damage(w, h))).unwrap().unwrap();
    assert_eq!(update.copies, 1);
    let ScreenMsg::Batch { copies, .. } = &update.batches[0] else { panic!("not a batch") };
    let c = copies[0];
    assert_eq!((i64::from(c.src_x) - i64::from(c.x), i64::from(c.src_y) - i64::from(c.y)), (-37, -21));
    let copied_bytes: usize = update.batches.iter().map(|m| postcard::to_stdvec(m).unwrap().len()).sum();
    let mut fresh = Encoder::default();
    fresh.encode(&frame(&a, w, h)).unwrap();
    let no_copy = fresh.encode(&frame(&b, w, h)).unwrap().unwrap();
    let tile_bytes: usize = no_copy.batches.iter().map(|m| postcard::to_stdvec(m).unwrap().len()).sum();
    assert!(copied_bytes * 3 < tile_bytes, "a copy is much smaller: {copied_bytes} vs {tile_bytes}");
    apply_all(&mut dec, &update.batches);
    assert_same(&dec, &b);
}

#[test]
fn scrolled_text_travels_as_a_copy_and_stays_exact() {
    let (w, h) = (480, 390);
    let a = text_screen(w, h, 2);
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    apply_all(&mut dec, &enc.encode(&frame(&a, w, h)).unwrap().unwrap().batches);
    // Scroll up by one 13-pixel line; a new line appears at the bottom.
    let mut b = a[(13 * w * 4) as usize..].to_vec();
    b.extend(std::iter::repeat_n([255u8, 255, 255, 0], (13 * w) as usize).flatten());
    let update = enc.encode_damaged(&frame(&b, w, h), Some(&all_damage(w, h))).unwrap().unwrap();
    assert_eq!(update.copies, 1);
    apply_all(&mut dec, &update.batches);
    assert_same(&dec, &b);
}

#[test]
fn hostile_copies_are_refused() {
    use deskside_proto::CopyRect;
    let mut dec = Decoder::new();
    let key = |copies| ScreenMsg::Batch {
        frame: 1,
        base: None,
        width: 64,
        height: 64,
        tile_size: 64,
        copies,
        video: None,
        tiles: vec![],
        last: true,
    };
    let c = CopyRect { src_x: 0, src_y: 0, x: 1, y: 1, w: 8, h: 8 };
    assert_eq!(dec.apply(&key(vec![c])), Err(CodecError::BadTile), "no copy in a key frame");
    dec.apply(&batch(64, 64, 64, vec![Tile { col: 0, row: 0, area: None, data: TileData::Solid([1, 2, 3, 255]) }]))
        .unwrap();
    let delta = |copies| ScreenMsg::Batch {
        frame: 2,
        base: Some(1),
        width: 64,
        height: 64,
        tile_size: 64,
        copies,
        video: None,
        tiles: vec![],
        last: true,
    };
    for bad in [
        CopyRect { src_x: 60, src_y: 0, x: 0, y: 0, w: 8, h: 8 },
        CopyRect { src_x: 0, src_y: 0, x: 0, y: 60, w: 8, h: 8 },
        CopyRect { src_x: u32::MAX, src_y: 0, x: 0, y: 0, w: 2, h: 2 },
        CopyRect { src_x: 0, src_y: 0, x: 0, y: 0, w: 0, h: 8 },
    ] {
        assert_eq!(dec.apply(&delta(vec![bad])), Err(CodecError::BadTile), "{bad:?}");
        dec.apply(&batch(64, 64, 64, vec![Tile { col: 0, row: 0, area: None, data: TileData::Solid([1, 2, 3, 255]) }]))
            .unwrap();
    }
    assert_eq!(dec.apply(&delta(vec![c; 17])), Err(CodecError::BadTile), "too many copies");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// Whatever the motion search finds (or wrongly guesses), the result is exact.
    #[test]
    fn moves_always_round_trip_exactly(
        bx in 0u32..200, by in 0u32..150, bw in 1u32..200, bh in 1u32..150,
        tx in 0u32..200, ty in 0u32..150, seed in 0u32..5, partial in any::<bool>(),
    ) {
        let (w, h) = (400, 300);
        let (bw, bh) = (bw.min(w - bx).min(w - tx), bh.min(h - by).min(h - ty));
        let a = text_screen(w, h, 2 + seed);
        let b = moved(&a, w, (bx, by, bw, bh), (tx, ty), [9, 9, 9, 0]);
        let mut enc = Encoder::new(32);
        let mut dec = Decoder::new();
        apply_all(&mut dec, &enc.encode(&frame(&a, w, h)).unwrap().unwrap().batches);
        let damage = if partial {
            vec![deskside_codec::Rect { x: bx.min(tx), y: by.min(ty), w: bw + bx.abs_diff(tx), h: bh + by.abs_diff(ty) }]
        } else {
            all_damage(w, h).to_vec()
        };
        if let Some(update) = enc.encode_damaged(&frame(&b, w, h), Some(&damage)).unwrap() {
            apply_all(&mut dec, &update.batches);
        }
        assert_same(&dec, &b);
    }
}

#[test]
fn a_typed_character_sends_only_its_cell() {
    let (w, h) = (256, 128);
    let mut a = text_screen(w, h, 2);
    let mut enc = Encoder::default();
    let mut dec = Decoder::new();
    apply_all(&mut dec, &enc.encode(&frame(&a, w, h)).unwrap().unwrap().batches);
    // One 6x13 character cell changes at (66, 39).
    for y in 39..52 {
        for x in 66..72 {
            let i = ((y * w + x) * 4) as usize;
            a[i] ^= 0xFF;
        }
    }
    let update = enc.encode(&frame(&a, w, h)).unwrap().unwrap();
    let ScreenMsg::Batch { tiles, .. } = &update.batches[0] else { panic!("not a batch") };
    assert_eq!(tiles.len(), 1);
    assert_eq!(tiles[0].area, Some(deskside_proto::TileArea { x: 2, y: 39, w: 6, h: 13 }));
    apply_all(&mut dec, &update.batches);
    assert_same(&dec, &a);
}

#[test]
fn a_tile_area_outside_its_tile_is_refused() {
    let mut dec = Decoder::new();
    for area in [
        deskside_proto::TileArea { x: 60, y: 0, w: 8, h: 8 },
        deskside_proto::TileArea { x: 0, y: 0, w: 0, h: 8 },
        deskside_proto::TileArea { x: 0, y: 63, w: 1, h: 2 },
    ] {
        let t = Tile { col: 0, row: 0, area: Some(area), data: TileData::Solid([0; 4]) };
        assert_eq!(dec.apply(&batch(64, 64, 64, vec![t])), Err(CodecError::BadTile), "{area:?}");
    }
}
