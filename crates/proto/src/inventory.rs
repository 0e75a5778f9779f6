//! The machine's inventory (system information), as the agent sends it once the customer has
//! allowed it and chosen the sections: a few tables of text, one per [`SectionKind`].
//!
//! Every string in it comes from the customer's machine (process names, package names, disk
//! labels) and is untrusted: bounded here, shown as plain text and escaped in reports.

use serde::{Deserialize, Serialize};

/// Largest inventory message, in bytes.
pub const MAX_INVENTORY_BYTES: usize = 4 * 1024 * 1024;
/// Most rows in one section.
pub const MAX_ROWS: usize = 20_000;
/// Longest cell, in bytes.
pub const MAX_CELL_BYTES: usize = 1024;

/// One part of the inventory. Key-value sections hold `[field, value]` rows whose field is one
/// of the stable keys documented on the variant (the UI translates them); table sections hold
/// one row per thing with the columns documented on the variant.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// `[field, value]`; fields `os`, `os-version`, `kernel`, `hostname`, `uptime`,
    /// `architecture`.
    System,
    /// `[field, value]`; fields `model`, `cores`, `threads`, `frequency`.
    Cpu,
    /// `[field, value]`; fields `total`, `available`, `swap-total`, `swap-used`.
    Memory,
    /// `[name, mount point, file system, total, free]`.
    Disks,
    /// `[interface, addresses, hardware address]`.
    Network,
    /// `[name, resolution, position]`.
    Displays,
    /// `[device, driver]`.
    Gpu,
    /// `[name, charge, state]`.
    Battery,
    /// `[name, version]`.
    Software,
    /// `[process id, name, CPU, memory]`.
    Processes,
}

impl SectionKind {
    /// Every section, in the order a report shows them.
    pub const ALL: [SectionKind; 10] = [
        SectionKind::System,
        SectionKind::Cpu,
        SectionKind::Memory,
        SectionKind::Disks,
        SectionKind::Network,
        SectionKind::Displays,
        SectionKind::Gpu,
        SectionKind::Battery,
        SectionKind::Software,
        SectionKind::Processes,
    ];

    /// How many cells each row of this section has.
    #[must_use]
    pub fn columns(self) -> usize {
        match self {
            SectionKind::System | SectionKind::Cpu | SectionKind::Memory | SectionKind::Gpu | SectionKind::Software => {
                2
            }
            SectionKind::Network | SectionKind::Displays | SectionKind::Battery => 3,
            SectionKind::Processes => 4,
            SectionKind::Disks => 5,
        }
    }

    /// Whether rows are `[field, value]` pairs rather than a table.
    #[must_use]
    pub fn is_key_value(self) -> bool {
        matches!(self, SectionKind::System | SectionKind::Cpu | SectionKind::Memory)
    }
}

/// One section's rows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Which section.
    pub kind: SectionKind,
    /// Its rows, each with [`SectionKind::columns`] cells.
    pub rows: Vec<Vec<String>>,
}

/// The inventory of one machine.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    /// When it was collected, ms since the Unix epoch (the customer's clock).
    pub collected_unix_ms: u64,
    /// The sections sent, each kind at most once.
    pub sections: Vec<Section>,
}

impl Inventory {
    /// Checks every bound: each kind at most once, at most [`MAX_ROWS`] rows, each with exactly
    /// its section's cells, each cell at most [`MAX_CELL_BYTES`] without control characters.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        let mut seen = Vec::with_capacity(self.sections.len());
        self.sections.iter().all(|s| {
            let fresh = !seen.contains(&s.kind);
            seen.push(s.kind);
            fresh
                && s.rows.len() <= MAX_ROWS
                && s.rows.iter().all(|r| {
                    r.len() == s.kind.columns()
                        && r.iter().all(|c| c.len() <= MAX_CELL_BYTES && !c.chars().any(char::is_control))
                })
        })
    }

    /// The section of `kind`, if sent.
    #[must_use]
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }

    /// The same inventory with only the sections `keep` says yes to.
    #[must_use]
    pub fn only(&self, keep: impl Fn(SectionKind) -> bool) -> Inventory {
        Inventory {
            collected_unix_ms: self.collected_unix_ms,
            sections: self.sections.iter().filter(|s| keep(s.kind)).cloned().collect(),
        }
    }
}

/// Reads an inventory from its postcard bytes, checking every bound of [`Inventory::is_valid`]
/// as it goes, before anything is allocated for it: a section count, a row count or a cell
/// length past its bound, a kind twice, a row with another number of cells, a cell that is not
/// UTF-8 or holds control characters, or trailing bytes are refused at once. What it returns
/// equals what `postcard` would decode, and is valid. (A general decoder would allocate for
/// every row and cell a hostile inventory claims before any bound could be looked at.)
pub fn decode_inventory(body: &[u8]) -> Result<Inventory, crate::FrameError> {
    let mut r = Reader { body, at: 0 };
    let collected_unix_ms = r.varint()?;
    let count = r.len(SectionKind::ALL.len())?;
    let mut sections: Vec<Section> = Vec::with_capacity(count);
    for _ in 0..count {
        let kind = *SectionKind::ALL
            .get(usize::try_from(r.varint()?).map_err(|_| crate::FrameError::Malformed)?)
            .ok_or(crate::FrameError::Malformed)?;
        if sections.iter().any(|s| s.kind == kind) {
            return Err(crate::FrameError::Malformed);
        }
        let rows = r.len(MAX_ROWS)?;
        let mut out = Vec::with_capacity(rows.min(r.left()));
        for _ in 0..rows {
            let cells = r.len(kind.columns())?;
            if cells != kind.columns() {
                return Err(crate::FrameError::Malformed);
            }
            let mut row = Vec::with_capacity(cells);
            for _ in 0..cells {
                let n = r.len(MAX_CELL_BYTES)?;
                let text = std::str::from_utf8(r.take(n)?).map_err(|_| crate::FrameError::Malformed)?;
                if text.chars().any(char::is_control) {
                    return Err(crate::FrameError::Malformed);
                }
                row.push(text.to_owned());
            }
            out.push(row);
        }
        sections.push(Section { kind, rows: out });
    }
    if r.left() != 0 {
        return Err(crate::FrameError::Malformed);
    }
    Ok(Inventory { collected_unix_ms, sections })
}

/// Postcard's pieces, read with bounds.
struct Reader<'a> {
    body: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.body.len() - self.at
    }

    /// An unsigned LEB128 varint of at most 64 bits (postcard's integers and lengths).
    fn varint(&mut self) -> Result<u64, crate::FrameError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.body.get(self.at).ok_or(crate::FrameError::Malformed)?;
            self.at += 1;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(crate::FrameError::Malformed);
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(crate::FrameError::Malformed)
    }

    /// A length of at most `max`.
    fn len(&mut self, max: usize) -> Result<usize, crate::FrameError> {
        usize::try_from(self.varint()?).ok().filter(|n| *n <= max).ok_or(crate::FrameError::Malformed)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], crate::FrameError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.body.len()).ok_or(crate::FrameError::Malformed)?;
        let out = &self.body[self.at..end];
        self.at = end;
        Ok(out)
    }
}

/// Makes `text` a valid cell: control characters become spaces, and it is cut (on a character
/// boundary) to [`MAX_CELL_BYTES`].
#[must_use]
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CELL_BYTES));
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > MAX_CELL_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(sections: Vec<Section>) -> Inventory {
        Inventory { collected_unix_ms: 1, sections }
    }

    #[test]
    fn bounds_are_checked() {
        let ok = Section { kind: SectionKind::Software, rows: vec![vec!["bash".into(), "5.2".into()]] };
        assert!(inv(vec![ok.clone()]).is_valid());
        assert!(!inv(vec![ok.clone(), ok.clone()]).is_valid(), "a section twice");
        let short = Section { kind: SectionKind::Disks, rows: vec![vec!["sda".into()]] };
        assert!(!inv(vec![short]).is_valid(), "wrong number of cells");
        let control = Section { kind: SectionKind::Software, rows: vec![vec!["a\u{1b}[31m".into(), "1".into()]] };
        assert!(!inv(vec![control]).is_valid(), "control characters");
        let long =
            Section { kind: SectionKind::Software, rows: vec![vec!["x".repeat(MAX_CELL_BYTES + 1), "1".into()]] };
        assert!(!inv(vec![long]).is_valid(), "a cell too long");
        let many =
            Section { kind: SectionKind::Software, rows: vec![vec![String::new(), String::new()]; MAX_ROWS + 1] };
        assert!(!inv(vec![many]).is_valid(), "too many rows");
    }

    #[test]
    fn the_bounded_reader_reads_what_postcard_writes_and_refuses_claims_past_a_bound() {
        let honest = inv(vec![
            Section { kind: SectionKind::System, rows: vec![vec!["hostname".into(), "box ü".into()]] },
            Section {
                kind: SectionKind::Disks,
                rows: vec![vec!["sda".into(), "/".into(), "ext4".into(), "1".into(), "2".into()]],
            },
            Section { kind: SectionKind::Processes, rows: vec![] },
        ]);
        let bytes = postcard::to_stdvec(&honest).unwrap();
        assert_eq!(decode_inventory(&bytes), Ok(honest.clone()));
        assert!(decode_inventory(&[&bytes[..], &[0]].concat()).is_err(), "trailing bytes");
        assert!(decode_inventory(&bytes[..bytes.len() - 1]).is_err(), "cut short");
        // Claims past a bound are refused from the claim itself, before anything is allocated.
        let claim = |sections: u64, rows: u64| {
            let mut b = vec![1u8];
            let mut push = |mut v: u64| {
                while v >= 0x80 {
                    b.push((v as u8) | 0x80);
                    v >>= 7;
                }
                b.push(v as u8);
            };
            push(sections);
            push(8); // Software
            push(rows);
            b
        };
        assert!(decode_inventory(&claim(11, 0)).is_err(), "more sections than kinds");
        assert!(decode_inventory(&claim(1, u64::MAX)).is_err(), "a row count past the bound");
        assert!(decode_inventory(&claim(1, MAX_ROWS as u64 + 1)).is_err());
        for bad in [
            inv(vec![Section {
                kind: SectionKind::Software,
                rows: vec![vec!["x".repeat(MAX_CELL_BYTES + 1), "1".into()]],
            }]),
            inv(vec![Section { kind: SectionKind::Software, rows: vec![vec!["a\u{1b}".into(), "1".into()]] }]),
            inv(vec![Section { kind: SectionKind::Disks, rows: vec![vec!["sda".into()]] }]),
            inv(vec![
                Section { kind: SectionKind::Gpu, rows: vec![] },
                Section { kind: SectionKind::Gpu, rows: vec![] },
            ]),
        ] {
            assert!(!bad.is_valid());
            assert!(decode_inventory(&postcard::to_stdvec(&bad).unwrap()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cells_are_made_safe() {
        assert_eq!(cell("a\tb\nc"), "a b c");
        let long = "é".repeat(MAX_CELL_BYTES);
        let c = cell(&long);
        assert!(c.len() <= MAX_CELL_BYTES && c.chars().all(|c| c == 'é'));
    }

    #[test]
    fn sections_can_be_left_out() {
        let a = Section { kind: SectionKind::System, rows: vec![vec!["hostname".into(), "box".into()]] };
        let b = Section { kind: SectionKind::Processes, rows: vec![] };
        let only = inv(vec![a.clone(), b]).only(|k| k != SectionKind::Processes);
        assert_eq!(only.sections, vec![a]);
    }
}
