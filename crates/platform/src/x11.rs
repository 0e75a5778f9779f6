//! The fast Linux capture path: X11 shared memory (MIT-SHM) for the pixels and the DAMAGE
//! extension for what changed, so an idle screen costs nothing and a change is seen at once.
//!
//! The frame lives in one shared-memory segment reused for every capture: no per-frame
//! allocation and no copy. This is the workspace's unsafe code (but for the lab's namespace
//! switch): mapping the segment and reading it while the X server is not writing to it (between
//! replies). A capture reads again only the rows the damage reported since the last one
//! (full-width bands, into the same rows of the segment): every change is reported as damage, so
//! the other rows are still the screen's.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use deskside_codec::{FrameRef, Rect};
use rustix::event::{PollFd, PollFlags};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _, ReportLevel};
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use deskside_codec::CursorImage;
use deskside_proto::{MAX_CURSOR_SIDE, MonitorInfo};

use crate::{Changes, CursorState, PlatformError, ScreenSource};

/// Most rectangles reported for one change before they are merged into their bounding box.
const MAX_RECTS: usize = 256;

/// Bands of damaged rows closer than this are read from the X server in one request.
const BAND_GAP: u32 = 16;

/// What the next capture reads from the X server into the segment.
#[derive(Debug)]
enum Grab {
    /// The whole screen: nothing is known about the segment (the first capture, or after an
    /// error).
    All,
    /// Only these full-width bands of rows `y0..y1`, the damage taken since the last capture:
    /// every other row in the segment is current except where damage not yet taken says
    /// otherwise, and that damage is read after the wait that takes it.
    Rows(Vec<(u32, u32)>),
    /// Nothing was waited for since the last capture: the caller looks at everything again,
    /// so everything is read.
    Unwaited,
}

impl Grab {
    /// Adds the damage of one more wait to what the next capture reads.
    fn add(&mut self, rects: &[Rect]) {
        match self {
            Grab::All => {}
            Grab::Rows(bands) => *bands = to_bands(bands.iter().copied(), rects),
            Grab::Unwaited => *self = Grab::Rows(to_bands(std::iter::empty(), rects)),
        }
    }
}

fn err(e: impl std::fmt::Display) -> PlatformError {
    PlatformError::Capture(e.to_string())
}

/// A shared-memory mapping, unmapped when dropped.
struct Mapping {
    ptr: *mut std::ffi::c_void,
    len: usize,
}

impl Drop for Mapping {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly what mmap returned, and no slice of it outlives
        // `self` (slices are only lent out with `&self`'s lifetime).
        unsafe {
            let _ = rustix::mm::munmap(self.ptr, self.len);
        }
    }
}

/// The X11 screen through shared memory, with damage tracking.
pub struct X11Source {
    conn: RustConnection,
    root: u32,
    width: u32,
    height: u32,
    seg: u32,
    map: Mapping,
    damage: u32,
    region: u32,
    /// The next wait reports everything (the first frame, or after an error).
    full: bool,
    /// The pointer's picture changed since it was last read.
    cursor_changed: bool,
    /// A damage event arrived and its damage was not taken yet.
    damaged: bool,
    /// What the next capture reads.
    grab: Grab,
    /// Rows read from the X server so far, for tests and benchmarks.
    rows_read: u64,
}

impl X11Source {
    /// Opens `display` (or `DISPLAY` when `None`) with MIT-SHM and DAMAGE.
    pub fn open(display: Option<&str>) -> Result<X11Source, PlatformError> {
        let (conn, screen_num) = x11rb::connect(display).map_err(err)?;
        let screen = &conn.setup().roots[screen_num];
        let (root, width, height) =
            (screen.root, u32::from(screen.width_in_pixels), u32::from(screen.height_in_pixels));
        if screen.root_depth != 24 && screen.root_depth != 32 {
            return Err(err(format!("unsupported colour depth {}", screen.root_depth)));
        }
        for ext in [shm::X11_EXTENSION_NAME, damage::X11_EXTENSION_NAME, xfixes::X11_EXTENSION_NAME] {
            if conn.extension_information(ext).map_err(err)?.is_none() {
                return Err(err(format!("the X server lacks the {ext} extension")));
            }
        }
        conn.shm_query_version().map_err(err)?.reply().map_err(err)?;
        conn.damage_query_version(1, 1).map_err(err)?.reply().map_err(err)?;
        conn.xfixes_query_version(5, 0).map_err(err)?.reply().map_err(err)?;

        let len = width as usize * height as usize * 4;
        let fd = rustix::fs::memfd_create("deskside-capture", rustix::fs::MemfdFlags::CLOEXEC).map_err(err)?;
        rustix::fs::ftruncate(&fd, len as u64).map_err(err)?;
        #[allow(unsafe_code)]
        // SAFETY: a fresh shared mapping of a memfd we just sized to `len`; nothing else maps it
        // in this process, and it is unmapped only by `Mapping::drop`.
        let ptr = unsafe {
            rustix::mm::mmap(
                std::ptr::null_mut(),
                len,
                rustix::mm::ProtFlags::READ | rustix::mm::ProtFlags::WRITE,
                rustix::mm::MapFlags::SHARED,
                &fd,
                0,
            )
        }
        .map_err(err)?;
        let map = Mapping { ptr, len };
        let seg = conn.generate_id().map_err(err)?;
        conn.shm_attach_fd(seg, fd, false).map_err(err)?;
        let damage = conn.generate_id().map_err(err)?;
        conn.damage_create(damage, root, ReportLevel::NON_EMPTY).map_err(err)?;
        let region = conn.generate_id().map_err(err)?;
        conn.xfixes_create_region(region, &[]).map_err(err)?;
        conn.sync().map_err(err)?;
        conn.xfixes_select_cursor_input(root, xfixes::CursorNotifyMask::DISPLAY_CURSOR).map_err(err)?;
        conn.sync().map_err(err)?;
        Ok(X11Source {
            conn,
            root,
            width,
            height,
            seg,
            map,
            damage,
            region,
            full: true,
            cursor_changed: true,
            damaged: false,
            grab: Grab::All,
            rows_read: 0,
        })
    }

    /// Rows of the screen read from the X server so far: a change of a few lines reads those
    /// lines, not the whole screen.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// Reads rows `y0..y1` of the screen into the same rows of the segment. Returns the
    /// request's cookie; the image is there once its reply arrives.
    fn request_rows(
        &self,
        (y0, y1): (u32, u32),
    ) -> Result<x11rb::cookie::Cookie<'_, RustConnection, shm::GetImageReply>, PlatformError> {
        let offset = y0 * self.width * 4;
        self.conn
            .shm_get_image(
                self.root,
                0,
                y0 as i16,
                self.width as u16,
                (y1 - y0) as u16,
                !0,
                ImageFormat::Z_PIXMAP.into(),
                self.seg,
                offset,
            )
            .map_err(err)
    }

    /// Takes the damage accumulated so far: the changed rectangles, clipped to the screen.
    fn take_damage(&mut self) -> Result<Vec<Rect>, PlatformError> {
        self.conn.damage_subtract(self.damage, x11rb::NONE, self.region).map_err(err)?;
        let reply = self.conn.xfixes_fetch_region(self.region).map_err(err)?.reply().map_err(err)?;
        let (w, h) = (self.width as i32, self.height as i32);
        let mut rects: Vec<Rect> = reply
            .rectangles
            .iter()
            .filter_map(|r| {
                let (x0, y0) = (i32::from(r.x).clamp(0, w), i32::from(r.y).clamp(0, h));
                let (x1, y1) = (
                    (i32::from(r.x) + i32::from(r.width)).clamp(0, w),
                    (i32::from(r.y) + i32::from(r.height)).clamp(0, h),
                );
                (x1 > x0 && y1 > y0).then(|| Rect {
                    x: x0 as u32,
                    y: y0 as u32,
                    w: (x1 - x0) as u32,
                    h: (y1 - y0) as u32,
                })
            })
            .collect();
        if rects.len() > MAX_RECTS {
            let x0 = rects.iter().map(|r| r.x).min().unwrap_or(0);
            let y0 = rects.iter().map(|r| r.y).min().unwrap_or(0);
            let x1 = rects.iter().map(|r| r.x + r.w).max().unwrap_or(0);
            let y1 = rects.iter().map(|r| r.y + r.h).max().unwrap_or(0);
            rects = vec![Rect { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }];
        }
        Ok(rects)
    }

    /// Reads every event the socket holds, without blocking, into the flags.
    fn drain_events(&mut self) -> Result<(), PlatformError> {
        while let Some(ev) = self.conn.poll_for_event().map_err(err)? {
            match ev {
                Event::DamageNotify(_) => self.damaged = true,
                Event::XfixesCursorNotify(_) => self.cursor_changed = true,
                _ => {}
            }
        }
        Ok(())
    }
}

impl ScreenSource for X11Source {
    fn wait_for_change(&mut self, timeout: Duration) -> Result<Changes, PlatformError> {
        if std::mem::take(&mut self.full) {
            self.take_damage()?;
            self.grab = Grab::All;
            return Ok(Changes::Unknown);
        }
        let deadline = Instant::now() + timeout;
        loop {
            self.drain_events()?;
            if std::mem::take(&mut self.damaged) {
                let rects = self.take_damage()?;
                self.conn.flush().map_err(err)?;
                self.grab.add(&rects);
                return Ok(if rects.is_empty() { Changes::None } else { Changes::Areas(rects) });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.cursor_changed {
                self.grab.add(&[]);
                return Ok(Changes::None);
            }
            let ms = i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX);
            let fd = self.conn.stream().as_fd();
            let mut fds = [PollFd::new(&fd, PollFlags::IN)];
            let timeout =
                rustix::event::Timespec { tv_sec: i64::from(ms / 1000), tv_nsec: i64::from(ms % 1000) * 1_000_000 };
            rustix::event::poll(&mut fds, Some(&timeout)).map_err(err)?;
        }
    }

    fn monitors(&mut self) -> Result<Vec<MonitorInfo>, PlatformError> {
        let reply = self.conn.randr_get_monitors(self.root, true).map_err(err)?.reply().map_err(err)?;
        let mut out = Vec::new();
        for m in reply.monitors.iter().take(deskside_proto::MAX_MONITORS) {
            let name = self
                .conn
                .get_atom_name(m.name)
                .map_err(err)?
                .reply()
                .map(|n| String::from_utf8_lossy(&n.name).into_owned());
            let (x, y) = (u32::try_from(m.x).unwrap_or(0), u32::try_from(m.y).unwrap_or(0));
            // Clip to the screen: a monitor may reach past it.
            let width = u32::from(m.width).min(self.width.saturating_sub(x));
            let height = u32::from(m.height).min(self.height.saturating_sub(y));
            if width > 0 && height > 0 {
                // Printable and bounded, whatever the server says (by characters, not bytes).
                let name: String = name.unwrap_or_default().chars().filter(|c| !c.is_control()).take(32).collect();
                out.push(MonitorInfo { name, x, y, width, height, primary: m.primary });
            }
        }
        // A monitor that is the whole screen adds nothing to "all monitors" when there are others.
        if out.len() > 1 {
            out.retain(|m| (m.x, m.y, m.width, m.height) != (0, 0, self.width, self.height));
        }
        Ok(out)
    }

    fn cursor(&mut self) -> Result<Option<CursorState>, PlatformError> {
        self.drain_events()?;
        self.cursor_state().map(Some)
    }

    fn capture(&mut self) -> Result<Option<FrameRef<'_>>, PlatformError> {
        // Only what changed since the last capture is read: the rest of the segment is
        // already the screen. A capture not preceded by a wait reads everything.
        let bands = match std::mem::replace(&mut self.grab, Grab::Unwaited) {
            Grab::All | Grab::Unwaited => vec![(0, self.height)],
            Grab::Rows(bands) => bands,
        };
        // All requests first, then the replies: one round trip however many bands. (A cookie
        // dropped unread on an error has its reply discarded.)
        let read = bands.iter().map(|&band| self.request_rows(band)).collect::<Result<Vec<_>, _>>();
        let done = read.and_then(|cookies| cookies.into_iter().try_for_each(|c| c.reply().map(drop).map_err(err)));
        if let Err(e) = done {
            self.full = true;
            return Err(e);
        }
        self.rows_read += bands.iter().map(|&(y0, y1)| u64::from(y1 - y0)).sum::<u64>();
        #[allow(unsafe_code)]
        // SAFETY: the mapping is `len` bytes and lives as long as `self`; the X server wrote
        // the image before sending the reply we just received and writes again only when asked
        // by the next `capture`, which needs `&mut self` and so cannot overlap this borrow.
        let data = unsafe { std::slice::from_raw_parts(self.map.ptr.cast::<u8>(), self.map.len) };
        Ok(Some(FrameRef { width: self.width, height: self.height, stride: self.width as usize * 4, data }))
    }
}

impl X11Source {
    fn cursor_state(&mut self) -> Result<CursorState, PlatformError> {
        let pointer = self.conn.query_pointer(self.root).map_err(err)?.reply().map_err(err)?;
        let mut state = CursorState { x: i32::from(pointer.root_x), y: i32::from(pointer.root_y), shape: None };
        if std::mem::take(&mut self.cursor_changed) {
            let img = self.conn.xfixes_get_cursor_image().map_err(err)?.reply().map_err(err)?;
            let (w, h) = (img.width.min(MAX_CURSOR_SIDE), img.height.min(MAX_CURSOR_SIDE));
            if w > 0 && h > 0 && img.cursor_image.len() >= usize::from(img.width) * usize::from(img.height) {
                let mut rgba = Vec::with_capacity(usize::from(w) * usize::from(h) * 4);
                for y in 0..usize::from(h) {
                    for x in 0..usize::from(w) {
                        // Premultiplied ARGB, one u32 a pixel.
                        let [blue, green, red, alpha] = img.cursor_image[y * usize::from(img.width) + x].to_le_bytes();
                        rgba.extend_from_slice(&[red, green, blue, alpha]);
                    }
                }
                state.shape = Some(CursorImage {
                    width: w,
                    height: h,
                    hot_x: img.xhot.min(w - 1),
                    hot_y: img.yhot.min(h - 1),
                    rgba,
                });
            }
        }
        Ok(state)
    }
}

impl Drop for X11Source {
    fn drop(&mut self) {
        let _ = self.conn.damage_destroy(self.damage);
        let _ = self.conn.xfixes_destroy_region(self.region);
        let _ = self.conn.shm_detach(self.seg);
        let _ = self.conn.flush();
    }
}

/// The full-width bands of rows `y0..y1` that cover `bands` and `rects`, in order; bands less
/// than [`BAND_GAP`] rows apart are one.
fn to_bands(bands: impl Iterator<Item = (u32, u32)>, rects: &[Rect]) -> Vec<(u32, u32)> {
    let mut rows: Vec<(u32, u32)> =
        bands.chain(rects.iter().map(|r| (r.y, r.y + r.h))).filter(|(y0, y1)| y1 > y0).collect();
    rows.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (y0, y1) in rows {
        match out.last_mut() {
            Some((_, end)) if y0 <= *end + BAND_GAP => *end = (*end).max(y1),
            _ => out.push((y0, y1)),
        }
    }
    out
}

/// The customer's application windows on X11: the root's viewable children, with a title, in
/// stacking order; their clients found through `WM_STATE` when a window manager frames them.
pub struct X11Windows {
    conn: RustConnection,
    root: u32,
    width: u32,
    height: u32,
    atoms: [u32; 4],
}

/// Most top-level windows looked at (a hostile or broken desktop cannot make the agent spin).
const MAX_TOP_LEVEL: usize = 1024;

impl X11Windows {
    /// Connects to `display` (or `DISPLAY` when `None`).
    pub fn open(display: Option<&str>) -> Result<X11Windows, PlatformError> {
        let (conn, screen_num) = x11rb::connect(display).map_err(err)?;
        let screen = &conn.setup().roots[screen_num];
        let (root, width, height) =
            (screen.root, u32::from(screen.width_in_pixels), u32::from(screen.height_in_pixels));
        let mut atoms = [0; 4];
        for (slot, name) in atoms.iter_mut().zip(["WM_STATE", "_NET_WM_NAME", "UTF8_STRING", "WM_NAME"]) {
            *slot = conn.intern_atom(false, name.as_bytes()).map_err(err)?.reply().map_err(err)?.atom;
        }
        Ok(X11Windows { conn, root, width, height, atoms })
    }

    /// The root's children, bottom first, that are shown (override-redirect ones too: menus and
    /// tooltips of other programs cover the shared window like any other).
    fn stack(&self) -> Result<Vec<(u32, bool)>, PlatformError> {
        use x11rb::protocol::xproto::MapState;
        let tree = self.conn.query_tree(self.root).map_err(err)?.reply().map_err(err)?;
        let mut out = Vec::new();
        for w in tree.children.into_iter().take(MAX_TOP_LEVEL) {
            let Ok(Ok(attrs)) = self.conn.get_window_attributes(w).map(x11rb::cookie::Cookie::reply) else {
                continue;
            };
            if attrs.map_state == MapState::VIEWABLE {
                out.push((w, attrs.override_redirect));
            }
        }
        Ok(out)
    }

    fn title(&self, w: u32) -> Option<String> {
        let [_, net_name, utf8, wm_name] = self.atoms;
        for (prop, ty) in [(net_name, utf8), (wm_name, u32::from(x11rb::protocol::xproto::AtomEnum::ANY))] {
            if let Ok(Ok(reply)) = self.conn.get_property(false, w, prop, ty, 0, 256).map(x11rb::cookie::Cookie::reply)
                && !reply.value.is_empty()
            {
                let t = crate::app_window::clean_title(&String::from_utf8_lossy(&reply.value));
                if !t.is_empty() {
                    return Some(t);
                }
            }
        }
        None
    }

    fn has_wm_state(&self, w: u32) -> bool {
        self.conn
            .get_property(false, w, self.atoms[0], x11rb::protocol::xproto::AtomEnum::ANY, 0, 0)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|r| r.type_ != x11rb::NONE)
    }

    /// The application window inside top-level window `top`: itself, or (under a window
    /// manager) the child marked with `WM_STATE`.
    fn client_of(&self, top: u32) -> u32 {
        if self.has_wm_state(top) || self.title(top).is_some() {
            return top;
        }
        let children = self.conn.query_tree(top).ok().and_then(|c| c.reply().ok()).map(|t| t.children);
        children.unwrap_or_default().into_iter().take(64).find(|c| self.has_wm_state(*c)).unwrap_or(top)
    }

    /// The root's child that holds `w`.
    fn top_of(&self, mut w: u32) -> Result<u32, PlatformError> {
        for _ in 0..64 {
            let tree = self.conn.query_tree(w).map_err(err)?.reply().map_err(err)?;
            if tree.parent == self.root || tree.parent == x11rb::NONE {
                return Ok(w);
            }
            w = tree.parent;
        }
        Err(err("window nested too deeply"))
    }

    fn screen_rect(&self, x: i32, y: i32, w: i32, h: i32) -> Option<Rect> {
        crate::app_window::on_screen(x, y, x + w, y + h, self.width, self.height)
    }
}

impl crate::Windows for X11Windows {
    fn list(&mut self) -> Result<Vec<crate::WindowInfo>, PlatformError> {
        let mut out = Vec::new();
        for (top, override_redirect) in self.stack()?.into_iter().rev() {
            if override_redirect {
                continue;
            }
            let client = self.client_of(top);
            if let Some(title) = self.title(client) {
                out.push(crate::WindowInfo { id: u64::from(client), title });
            }
        }
        Ok(out)
    }

    fn view(&mut self, id: u64) -> Result<Option<crate::WindowView>, PlatformError> {
        let Ok(id) = u32::try_from(id) else { return Ok(None) };
        // A window that is gone answers with an error: it is no longer shown.
        let Ok(top) = self.top_of(id) else { return Ok(None) };
        let stack = self.stack()?;
        let Some(pos) = stack.iter().position(|(w, _)| *w == top) else { return Ok(None) };
        let Ok(Ok(geo)) = self.conn.get_geometry(id).map(x11rb::cookie::Cookie::reply) else { return Ok(None) };
        let Ok(Ok(at)) = self.conn.translate_coordinates(id, self.root, 0, 0).map(x11rb::cookie::Cookie::reply) else {
            return Ok(None);
        };
        let Some(rect) =
            self.screen_rect(i32::from(at.dst_x), i32::from(at.dst_y), i32::from(geo.width), i32::from(geo.height))
        else {
            return Ok(None);
        };
        let mut covered = Vec::new();
        for (above, _) in &stack[pos + 1..] {
            let Ok(Ok(g)) = self.conn.get_geometry(*above).map(x11rb::cookie::Cookie::reply) else { continue };
            let b = i32::from(g.border_width) * 2;
            let Some(r) =
                self.screen_rect(i32::from(g.x), i32::from(g.y), i32::from(g.width) + b, i32::from(g.height) + b)
            else {
                continue;
            };
            covered.extend(crate::app_window::covered_part(rect, r));
        }
        let focus = self.conn.get_input_focus().map_err(err)?.reply().map_err(err)?.focus;
        let focused = match focus {
            // No focus, or focus on the root: nothing of the application's.
            0 => false,
            // PointerRoot: the keyboard goes where the pointer is.
            1 => self.conn.query_pointer(self.root).map_err(err)?.reply().map_err(err)?.child == top,
            f if f == self.root => false,
            f => self.top_of(f).is_ok_and(|t| t == top),
        };
        Ok(Some(crate::WindowView { rect, covered, focused }))
    }

    fn pointer(&mut self) -> Result<(i32, i32), PlatformError> {
        let p = self.conn.query_pointer(self.root).map_err(err)?.reply().map_err(err)?;
        Ok((i32::from(p.root_x), i32::from(p.root_y)))
    }
}
