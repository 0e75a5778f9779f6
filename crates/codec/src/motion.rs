//! Scroll and move detection: finding where changed content came from, so it can be sent as a
//! [`CopyRect`] instead of pixels.
//!
//! A probe (one row segment of the new frame, inside the damaged area, that is not uniform and
//! did change) is searched for in the reference frame (what the decoder holds) at every offset
//! within [`RANGE`] pixels. Each match is grown into the largest rectangle that equals the
//! reference at that offset, and the largest wins if it is worth a copy.

use deskside_proto::CopyRect;

use crate::{FrameRef, Rect};

/// Probe length in pixels.
const PROBE: u32 = 64;
/// Largest move searched, in pixels, each way on each axis.
const RANGE: i32 = 192;
/// Smallest area a copy must cover to be used, in pixels.
const MIN_AREA: u64 = 64 * 64;
/// Matches grown per probe before the best is taken.
const MAX_CANDIDATES: usize = 16;

/// Whether `c` lies inside a `width` x `height` screen (source and destination).
#[must_use]
pub fn copy_fits(c: &CopyRect, width: u32, height: u32) -> bool {
    let inside = |x: u32, y: u32| {
        u64::from(x) + u64::from(c.w) <= u64::from(width) && u64::from(y) + u64::from(c.h) <= u64::from(height)
    };
    c.w > 0 && c.h > 0 && inside(c.src_x, c.src_y) && inside(c.x, c.y)
}

/// Applies `c` to a 4-byte-per-pixel buffer of `stride` bytes a row; overlap-safe. The caller has
/// checked [`copy_fits`].
pub fn apply_copy(buf: &mut [u8], stride: usize, c: &CopyRect) {
    let row = c.w as usize * 4;
    let one = |buf: &mut [u8], i: u32| {
        let s = (c.src_y + i) as usize * stride + c.src_x as usize * 4;
        let d = (c.y + i) as usize * stride + c.x as usize * 4;
        buf.copy_within(s..s + row, d);
    };
    if c.y > c.src_y {
        (0..c.h).rev().for_each(|i| one(buf, i));
    } else {
        (0..c.h).for_each(|i| one(buf, i));
    }
}

/// Looks in `area` of `new` for content that `reference` (same size, `width * 4` bytes a row)
/// holds elsewhere.
#[must_use]
pub fn find_move(new: &FrameRef<'_>, reference: &[u8], area: Rect) -> Option<CopyRect> {
    let m =
        Matcher { new, reference, stride: new.width as usize * 4, w: i64::from(new.width), h: i64::from(new.height) };
    // Damage comes from outside: clip it to the screen first.
    let (x0, y0) = (area.x.min(new.width), area.y.min(new.height));
    let (x1, y1) = (area.x.saturating_add(area.w).min(new.width), area.y.saturating_add(area.h).min(new.height));
    let area = Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    if area.w < PROBE * 2 || area.h < 16 || reference.len() < m.stride * new.height as usize {
        return None;
    }
    for (fy, fx) in [(2, 2), (1, 1)] {
        let py = area.y + area.h * fy / 4;
        let px = (area.x + area.w * fx / 4).saturating_sub(PROBE / 2).min(new.width - PROBE);
        let probe = m.new_row(py, px, PROBE);
        let first = &probe[..4];
        if probe.chunks_exact(4).all(|p| p == first) || probe == m.ref_row(py, px, PROBE) {
            continue; // uniform or unchanged: says nothing about where it came from
        }
        let mut best: Option<(u64, CopyRect)> = None;
        let mut candidates = 0;
        // Nearest offsets first: real moves between two frames are usually small.
        for (dx, dy) in rings(RANGE) {
            let (sx, sy) = (i64::from(px) + i64::from(dx), i64::from(py) + i64::from(dy));
            if sy < 0 || sy >= m.h || sx < 0 || sx + i64::from(PROBE) > m.w {
                continue;
            }
            let at = sy as usize * m.stride + sx as usize * 4;
            if reference[at..at + 4] != *first || reference[at..at + PROBE as usize * 4] != *probe {
                continue;
            }
            let c = m.grow(px, py, dx, dy, area);
            let size = u64::from(c.w) * u64::from(c.h);
            if best.is_none_or(|(b, _)| size > b) {
                best = Some((size, c));
            }
            candidates += 1;
            if candidates >= MAX_CANDIDATES {
                break;
            }
        }
        if let Some((_, c)) = best.filter(|(size, _)| *size >= MIN_AREA) {
            return Some(c);
        }
    }
    None
}

/// Every offset with both coordinates within `range`, except (0, 0), in rings of increasing
/// distance.
fn rings(range: i32) -> impl Iterator<Item = (i32, i32)> {
    (1..=range).flat_map(|d| {
        let rows = (-d..=d).flat_map(move |dx| [(dx, -d), (dx, d)]);
        let cols = (-d + 1..d).flat_map(move |dy| [(-d, dy), (d, dy)]);
        rows.chain(cols)
    })
}

struct Matcher<'a> {
    new: &'a FrameRef<'a>,
    reference: &'a [u8],
    stride: usize,
    w: i64,
    h: i64,
}

impl Matcher<'_> {
    fn new_row(&self, y: u32, x: u32, len: u32) -> &[u8] {
        let s = y as usize * self.new.stride + x as usize * 4;
        &self.new.data[s..s + len as usize * 4]
    }

    fn ref_row(&self, y: u32, x: u32, len: u32) -> &[u8] {
        let s = y as usize * self.stride + x as usize * 4;
        &self.reference[s..s + len as usize * 4]
    }

    /// Whether `new`'s row `y`, columns `x0..x1`, equals the reference moved by (`dx`, `dy`).
    fn row_eq(&self, y: u32, x0: u32, x1: u32, dx: i32, dy: i32) -> bool {
        let (sy, sx0, sx1) =
            (i64::from(y) + i64::from(dy), i64::from(x0) + i64::from(dx), i64::from(x1) + i64::from(dx));
        if sy < 0 || sy >= self.h || sx0 < 0 || sx1 > self.w {
            return false;
        }
        self.new_row(y, x0, x1 - x0) == self.ref_row(sy as u32, sx0 as u32, x1 - x0)
    }

    /// Whether column `x`, rows `y0..y1`, equals the reference moved by (`dx`, `dy`).
    fn col_eq(&self, x: u32, y0: u32, y1: u32, dx: i32, dy: i32) -> bool {
        (y0..y1).all(|y| self.row_eq(y, x, x + 1, dx, dy))
    }

    /// The largest rectangle around the probe at (`px`, `py`), inside `area`, that matches the
    /// reference moved by (`dx`, `dy`).
    fn grow(&self, px: u32, py: u32, dx: i32, dy: i32, area: Rect) -> CopyRect {
        let (ax1, ay1) = (area.x + area.w, area.y + area.h);
        let (mut y0, mut y1) = (py, py + 1);
        while y0 > area.y && self.row_eq(y0 - 1, px, px + PROBE, dx, dy) {
            y0 -= 1;
        }
        while y1 < ay1 && self.row_eq(y1, px, px + PROBE, dx, dy) {
            y1 += 1;
        }
        let (mut x0, mut x1) = (px.max(area.x), (px + PROBE).min(ax1));
        while x0 > area.x && self.col_eq(x0 - 1, y0, y1, dx, dy) {
            x0 -= 1;
        }
        while x1 < ax1 && self.col_eq(x1, y0, y1, dx, dy) {
            x1 += 1;
        }
        CopyRect {
            src_x: (i64::from(x0) + i64::from(dx)) as u32,
            src_y: (i64::from(y0) + i64::from(dy)) as u32,
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_cover_every_offset_once_nearest_first() {
        let all: Vec<(i32, i32)> = rings(3).collect();
        assert_eq!(all.len(), 7 * 7 - 1);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
        assert!(all.windows(2).all(|p| p[0].0.abs().max(p[0].1.abs()) <= p[1].0.abs().max(p[1].1.abs())));
    }

    #[test]
    fn damage_outside_the_screen_is_clipped() {
        let data = vec![7u8; 64 * 64 * 4];
        let f = FrameRef { width: 64, height: 64, stride: 256, data: &data };
        assert_eq!(find_move(&f, &data, Rect { x: 999, y: 999, w: 5000, h: 5000 }), None);
        assert_eq!(find_move(&f, &data, Rect { x: 0, y: 0, w: u32::MAX, h: u32::MAX }), None);
    }
}
