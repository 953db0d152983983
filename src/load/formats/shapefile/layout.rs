//! The byte layout of a shapefile's parts, checked before any decoder
//! reads them: sidecars found in either case, header lengths, record counts,
//! and every `.shp` record's declared counts against its length (corrupt
//! counts would make the decoder allocate gigabytes), and dBase overflow
//! cells.

use std::path::{Path, PathBuf};

use super::format_error;
use crate::load::LoadError;

/// The file beside `path` with extension `ext`, in either case
/// (`roads.SHP` with `roads.DBF`, or `roads.shp` with `roads.dbf`).
pub(super) fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    for e in [ext.to_string(), ext.to_ascii_uppercase()] {
        let p = path.with_extension(e);
        if p.is_file() {
            return Some(p);
        }
    }
    let stem = path.file_stem()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_stem() == Some(stem)
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| x.eq_ignore_ascii_case(ext))
        })
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// An error when the `.ext` file `bytes` is shorter than its `header`.
pub(super) fn shorter_than(
    path: &Path,
    ext: &str,
    bytes: &[u8],
    header: usize,
) -> Result<(), LoadError> {
    if bytes.len() >= header {
        return Ok(());
    }
    Err(format_error(
        path,
        format!(
            "the .{ext} is {} bytes, shorter than its {header}-byte header: the file is empty or \
             truncated",
            bytes.len()
        ),
    ))
}

/// Checks the `.shp` main header: its file code and that the file is as
/// long as the header says.
pub(super) fn check_shp(path: &Path, shp: &[u8]) -> Result<(), LoadError> {
    shorter_than(path, "shp", shp, 100)?;
    let code = be_u32(shp, 0);
    if code != 9994 {
        return Err(format_error(
            path,
            format!("not a shapefile: the .shp starts with file code {code}, not 9994"),
        ));
    }
    let declared = u64::from(be_u32(shp, 24)) * 2;
    if declared > shp.len() as u64 {
        return Err(format_error(
            path,
            format!(
                "the .shp is truncated: its header says {declared} bytes, the file has {}",
                shp.len()
            ),
        ));
    }
    Ok(())
}

/// Checks every `.shp` record's declared part and point counts against its
/// length, so that no reader allocates for counts the file cannot hold (a
/// corrupt record may claim billions of points).
pub(super) fn check_records(path: &Path, shp: &[u8]) -> Result<(), LoadError> {
    let le = |at: usize| {
        u64::from(u32::from_le_bytes([
            shp[at],
            shp[at + 1],
            shp[at + 2],
            shp[at + 3],
        ]))
    };
    let end = (u64::from(be_u32(shp, 24)) * 2).min(shp.len() as u64) as usize;
    let (mut at, mut k) = (100usize, 0usize);
    while at + 8 <= end {
        let content = be_u32(shp, at + 4) as usize * 2;
        let body = at + 8;
        if body + content > shp.len() {
            return Err(format_error(
                path,
                format!("shape record {k} runs past the end of the file: it is truncated"),
            ));
        }
        if content < 4 {
            return Err(format_error(
                path,
                format!("shape record {k} is {content} bytes, too short for its shape type: the file is corrupt"),
            ));
        }
        {
            let ty = le(body);
            let (fixed, counts) = match ty {
                // Polyline, polygon, multipatch (+ Z, M): bbox, parts, points.
                3 | 5 | 13 | 15 | 23 | 25 | 31 if content >= 44 => {
                    let (parts, points) = (le(body + 36), le(body + 40));
                    let per_part = if ty == 31 { 8 } else { 4 };
                    (44, parts * per_part + points * 16)
                }
                // Multipoint (+ Z, M): bbox, points.
                8 | 18 | 28 if content >= 40 => (40, le(body + 36) * 16),
                3 | 5 | 13 | 15 | 23 | 25 | 31 | 8 | 18 | 28 => (u64::MAX, 0),
                // Points read a fixed size whatever the record says: a
                // shorter record would put the reader out of step.
                0 => (4, 0),
                1 => (20, 0),
                21 => (28, 0),
                11 => (36, 0),
                _ => {
                    return Err(format_error(
                        path,
                        format!(
                            "shape record {k} has the unknown shape type {ty}: the file is corrupt"
                        ),
                    ))
                }
            };
            // Part starts must rise within the points: rings are sized by
            // their differences.
            let parts_ok = match ty {
                3 | 5 | 13 | 15 | 23 | 25 | 31
                    if fixed != u64::MAX && fixed + counts <= content as u64 =>
                {
                    let (parts, points) = (le(body + 36) as usize, le(body + 40));
                    let mut prev = 0;
                    (0..parts).all(|j| {
                        let start = le(body + 44 + 4 * j);
                        let ok = start >= prev && start <= points;
                        prev = start;
                        ok
                    })
                }
                _ => true,
            };
            if fixed == u64::MAX || fixed + counts > content as u64 || !parts_ok {
                return Err(format_error(
                    path,
                    format!(
                        "shape record {k} declares more parts or points than its {content} bytes \
                         hold, or parts outside its points: the file is corrupt"
                    ),
                ));
            }
        }
        at = body + content;
        k += 1;
    }
    Ok(())
}

/// The number of records the `.shx` indexes.
pub(super) fn shx_count(path: &Path, shx: &[u8]) -> Result<usize, LoadError> {
    if shx.len() < 100 || (shx.len() - 100) % 8 != 0 {
        return Err(format_error(
            path,
            format!(
                "the .shx is {} bytes, not a 100-byte header plus 8 bytes per record: it is \
                 empty or truncated",
                shx.len()
            ),
        ));
    }
    Ok((shx.len() - 100) / 8)
}

/// The (record, field) cells of numeric fields filled with `*`: dBase's
/// mark of a value too wide for its field, which the reader would
/// otherwise return as blank.
pub(super) fn overflow_cells(dbf: &[u8]) -> std::collections::HashSet<(usize, String)> {
    let mut out = std::collections::HashSet::new();
    let Ok((n, records)) = dbf_layout(Path::new(""), dbf) else {
        return out;
    };
    let record_len = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    // Field descriptors: 32 bytes each from byte 32, ended by 0x0D.
    let mut fields = Vec::new();
    let mut offset = 1; // the deletion flag
    let mut at = 32;
    while at + 32 <= records.start && dbf[at] != 0x0D {
        let d = &dbf[at..at + 32];
        let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
        let name = String::from_utf8_lossy(&d[..name_end]).into_owned();
        let len = d[16] as usize;
        if matches!(d[11], b'N' | b'F') {
            fields.push((name, offset, len));
        }
        offset += len;
        at += 32;
    }
    if record_len == 0 {
        return out;
    }
    for r in 0..n {
        let start = records.start + r * record_len;
        for (name, off, len) in &fields {
            let cell = dbf.get(start + off..start + off + len).unwrap_or_default();
            let cell = cell.trim_ascii();
            if !cell.is_empty() && cell.iter().all(|&b| b == b'*') {
                out.insert((r, name.clone()));
            }
        }
    }
    out
}

/// The `.dbf` header: record count, and the record area's byte range.
pub(super) fn dbf_layout(
    path: &Path,
    dbf: &[u8],
) -> Result<(usize, std::ops::Range<usize>), LoadError> {
    shorter_than(path, "dbf", dbf, 32)?;
    let n = u32::from_le_bytes([dbf[4], dbf[5], dbf[6], dbf[7]]) as usize;
    let header = u16::from_le_bytes([dbf[8], dbf[9]]) as usize;
    let record = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    let needed = n.saturating_mul(record).saturating_add(header);
    if record == 0 {
        return Err(format_error(
            path,
            "the .dbf header gives records of 0 bytes: the file is corrupt".into(),
        ));
    }
    if needed > dbf.len() || header < 33 {
        return Err(format_error(
            path,
            format!(
                "the .dbf is truncated: its header says {n} records of {record} bytes after a \
                 {header}-byte header ({needed} bytes), the file has {}",
                dbf.len()
            ),
        ));
    }
    Ok((n, header..needed))
}
