//! The extract as a file: opening it, its header's required features, and
//! read errors turned into `LoadError`s that say what is wrong and how to
//! re-encode it.

use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, PrimitiveBlock};
use rayon::prelude::*;

use crate::load::LoadError;

pub(super) fn pbf_error(path: &Path, e: osmpbf::Error) -> LoadError {
    use osmpbf::{BlobError, ErrorKind};
    match e.kind() {
        ErrorKind::Io(io) if io.kind() != std::io::ErrorKind::UnexpectedEof => LoadError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(io.kind(), io.to_string()),
        },
        ErrorKind::Io(_) => LoadError::Format {
            path: path.to_path_buf(),
            message: "truncated .osm.pbf: the file ends inside a block".into(),
        },
        ErrorKind::Blob(BlobError::Empty) => LoadError::Format {
            path: path.to_path_buf(),
            message: "a block has neither raw nor zlib data: it is probably lz4-, zstd- or \
                      lzma-compressed, which this reader does not support; re-encode with \
                      zlib (e.g. `osmium cat IN -o OUT.osm.pbf -f pbf,pbf_compression=zlib`)"
                .into(),
        },
        _ => LoadError::Format {
            path: path.to_path_buf(),
            message: format!("not a valid .osm.pbf (corrupt or truncated): {e}"),
        },
    }
}

fn open(path: &Path) -> Result<BlobReader<std::io::BufReader<std::fs::File>>, LoadError> {
    if crate::files::regular_file(path)? == 0 {
        return Err(LoadError::Format {
            path: path.to_path_buf(),
            message: "the file is empty (0 bytes): not an .osm.pbf extract".into(),
        });
    }
    let file = crate::files::open(path)?;
    BlobReader::new_seekable(std::io::BufReader::new(file)).map_err(|e| pbf_error(path, e))
}

/// Blocks read ahead per thread: each batch is decoded in parallel while
/// the file is not being read.
pub(super) const BATCH_PER_THREAD: usize = 4;
/// A batch stops at the first block starting this far past its first (a
/// block is at most 32 MiB, most are a few hundred KiB), so a hostile file
/// of large blocks holds little more than this in memory at many threads.
pub(super) const BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// A data block holds nodes (plain or dense).
pub(super) const NODES: u8 = 1;
/// A data block holds ways.
pub(super) const WAYS: u8 = 2;
/// A data block holds relations.
pub(super) const RELATIONS: u8 = 4;

/// Where each data block of a file starts and what it holds (a bit per
/// kind), as a full pass ([`for_each_block`]) found them: a later pass
/// reads only the blocks holding what it looks for ([`for_each_planned`]).
/// An extract sorted by type has its nodes in the first blocks, so the
/// pass for node coordinates skips the ways and relations, the relation
/// pass everything else.
#[derive(Debug, Default, Clone)]
pub(super) struct Plan {
    blocks: Vec<(u64, u8)>,
}

impl Plan {
    /// Records a data block starting at `at`, holding `kinds`.
    pub(super) fn record(&mut self, at: u64, kinds: u8) {
        self.blocks.push((at, kinds));
    }

    /// The offsets of the blocks holding any of `kinds`, in file order.
    pub(super) fn offsets(&self, kinds: u8) -> Vec<u64> {
        self.blocks
            .iter()
            .filter(|b| b.1 & kinds != 0)
            .map(|b| b.0)
            .collect()
    }
}

/// What `block` holds.
fn kinds(block: &PrimitiveBlock) -> u8 {
    let mut k = 0;
    for g in block.groups() {
        if g.nodes().next().is_some() || g.dense_nodes().next().is_some() {
            k |= NODES;
        }
        if g.ways().next().is_some() {
            k |= WAYS;
        }
        if g.relations().next().is_some() {
            k |= RELATIONS;
        }
    }
    k
}

/// Calls `scan` on each data block of the file, decoding and scanning the
/// blocks in parallel (rayon), and `merge` on what each gave, in file
/// order: the result is the same as a sequential read's, whatever the
/// number of threads. The error is the one a sequential read meets first.
/// Returns the file's [`Plan`].
pub(super) fn for_each_block<T: Send>(
    path: &Path,
    scan: impl Fn(&PrimitiveBlock) -> T + Sync,
    merge: impl FnMut(T),
) -> Result<Plan, LoadError> {
    let mut blobs = open(path)?;
    let mut plan = Plan::default();
    let next = |blobs: &mut BlobReader<_>| blobs.next();
    scan_blobs(path, &mut blobs, next, &scan, merge, Some(&mut plan))?;
    Ok(plan)
}

/// As [`for_each_block`], on the blocks of `plan` holding any of `kinds`
/// only: what it gives is what a full pass gives when `scan` finds nothing
/// in the other blocks.
pub(super) fn for_each_planned<T: Send>(
    path: &Path,
    plan: &Plan,
    kinds: u8,
    scan: impl Fn(&PrimitiveBlock) -> T + Sync,
    merge: impl FnMut(T),
) -> Result<(), LoadError> {
    let mut blobs = open(path)?;
    let mut offsets = plan.offsets(kinds).into_iter();
    let next = move |blobs: &mut BlobReader<_>| {
        offsets
            .next()
            .map(|o| blobs.blob_from_offset(osmpbf::ByteOffset(o)))
    };
    scan_blobs(path, &mut blobs, next, &scan, merge, None)
}

/// Reads blobs with `next` in batches, scans each batch's data blocks in
/// parallel and merges in file order (see [`for_each_block`]); records the
/// blocks in `plan` when given.
fn scan_blobs<R: std::io::Read + std::io::Seek + Send, T: Send>(
    path: &Path,
    blobs: &mut BlobReader<R>,
    mut next: impl FnMut(&mut BlobReader<R>) -> Option<Result<osmpbf::Blob, osmpbf::Error>>,
    scan: &(impl Fn(&PrimitiveBlock) -> T + Sync),
    mut merge: impl FnMut(T),
    mut plan: Option<&mut Plan>,
) -> Result<(), LoadError> {
    let batch_len = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    loop {
        let mut batch = Vec::with_capacity(batch_len);
        let (mut read_error, mut last, mut first) = (None, false, None);
        while batch.len() < batch_len {
            match next(blobs) {
                Some(Ok(b)) => {
                    let at = b.offset().map_or(0, |o| o.0);
                    let start = *first.get_or_insert(at);
                    batch.push(b);
                    if at.saturating_sub(start) >= BATCH_BYTES {
                        break;
                    }
                }
                Some(Err(e)) => {
                    read_error = Some(e);
                    last = true;
                    break;
                }
                None => {
                    last = true;
                    break;
                }
            }
        }
        let scanned: Vec<Result<Option<(T, u8)>, osmpbf::Error>> = batch
            .par_iter()
            .map(|blob| match blob.decode()? {
                BlobDecode::OsmData(block) => Ok(Some((scan(&block), kinds(&block)))),
                BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => Ok(None),
            })
            .collect();
        let offsets: Vec<u64> = batch
            .iter()
            .map(|b| b.offset().map_or(0, |o| o.0))
            .collect();
        drop(batch);
        for (result, at) in scanned.into_iter().zip(offsets) {
            if let Some((t, k)) = result.map_err(|e| pbf_error(path, e))? {
                if let Some(p) = plan.as_deref_mut() {
                    p.record(at, k);
                }
                merge(t);
            }
        }
        if let Some(e) = read_error {
            return Err(pbf_error(path, e));
        }
        if last {
            return Ok(());
        }
    }
}

/// Features an extract may require that this reader handles.
const SUPPORTED_FEATURES: &[&str] = &["OsmSchema-V0.6", "DenseNodes", "HistoricalInformation"];

/// Checks that the file starts with an `OSMHeader` block whose required
/// features this reader supports (a file cut to a few bytes has none).
pub(super) fn check_header(path: &Path) -> Result<(), LoadError> {
    let fail = |message: String| LoadError::Format {
        path: path.to_path_buf(),
        message,
    };
    let file = crate::files::open(path)?;
    let mut blobs = BlobReader::new(std::io::BufReader::new(file));
    let blob = match blobs.next() {
        None => {
            return Err(fail(
                "truncated or not an .osm.pbf: it holds no complete block (an extract starts \
                 with an OSMHeader block)"
                    .into(),
            ))
        }
        Some(b) => b.map_err(|e| pbf_error(path, e))?,
    };
    if !matches!(blob.get_type(), osmpbf::BlobType::OsmHeader) {
        return Err(fail(
            "not an .osm.pbf: the first block is not an OSMHeader block".into(),
        ));
    }
    let header = blob.to_headerblock().map_err(|e| pbf_error(path, e))?;
    if let Some(f) = header
        .required_features()
        .iter()
        .find(|f| !SUPPORTED_FEATURES.contains(&f.as_str()))
    {
        return Err(fail(format!(
            "the extract requires the feature `{}`, which this reader does not support \
             (supported: {}); re-export it with osmium (`osmium cat IN -o OUT.osm.pbf`)",
            crate::load::excerpt(f),
            SUPPORTED_FEATURES.join(", ")
        )));
    }
    Ok(())
}

/// The first element whose tags could not all be decoded (a string index
/// out of range, or text that is not UTF-8): the decoder stops at such a
/// tag, so the element's other tags would be lost without a word.
#[derive(Default)]
pub(super) struct BadTags(pub(super) Option<String>);

impl BadTags {
    /// Keeps the first of `self` and a later block's `other`.
    pub(super) fn append(&mut self, other: BadTags) {
        if self.0.is_none() {
            self.0 = other.0;
        }
    }

    pub(super) fn check(&mut self, what: &str, id: i64, decoded: usize, raw: usize) {
        if decoded < raw && self.0.is_none() {
            self.0 = Some(format!(
                "{what}/{id}: tag {} of {raw} cannot be decoded (a string-table index out of \
                 range, or text that is not UTF-8): the extract is corrupt",
                decoded + 1
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts of (nodes, ways, relations) in a block.
    fn count(b: &PrimitiveBlock) -> (usize, usize, usize) {
        b.groups().fold((0, 0, 0), |c, g| {
            (
                c.0 + g.nodes().count() + g.dense_nodes().count(),
                c.1 + g.ways().count(),
                c.2 + g.relations().count(),
            )
        })
    }

    /// A planned pass over the blocks holding one kind finds every element
    /// of that kind a full pass finds, in the same order, and reads fewer
    /// blocks (Liechtenstein is sorted: nodes, then ways, then relations).
    #[test]
    fn planned_passes_find_what_full_passes_find() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/liechtenstein/liechtenstein.osm.pbf");
        let ids = |b: &PrimitiveBlock, kind: u8| -> Vec<i64> {
            let mut v = Vec::new();
            for g in b.groups() {
                if kind == NODES {
                    v.extend(g.nodes().map(|n| n.id()));
                    v.extend(g.dense_nodes().map(|n| n.id()));
                } else if kind == WAYS {
                    v.extend(g.ways().map(|w| w.id()));
                } else {
                    v.extend(g.relations().map(|r| r.id()));
                }
            }
            v
        };
        let mut total = (0, 0, 0);
        let plan = for_each_block(&path, count, |c| {
            total = (total.0 + c.0, total.1 + c.1, total.2 + c.2)
        })
        .unwrap();
        assert!(
            total.0 > 100_000 && total.1 > 10_000 && total.2 > 100,
            "{total:?}"
        );
        for kind in [NODES, WAYS, RELATIONS] {
            let (mut full, mut planned) = (Vec::new(), Vec::new());
            for_each_block(&path, |b| ids(b, kind), |v| full.extend(v)).unwrap();
            let mut blocks = 0;
            for_each_planned(
                &path,
                &plan,
                kind,
                |b| ids(b, kind),
                |v| {
                    planned.extend(v);
                    blocks += 1;
                },
            )
            .unwrap();
            assert_eq!(planned, full, "kind {kind}");
            assert!(blocks < plan.blocks.len(), "kind {kind}: {blocks} blocks");
        }
    }
}
