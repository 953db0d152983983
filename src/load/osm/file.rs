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

/// Calls `scan` on each data block of the file, decoding and scanning the
/// blocks in parallel (rayon), and `merge` on what each gave, in file
/// order: the result is the same as a sequential read's, whatever the
/// number of threads. The error is the one a sequential read meets first.
pub(super) fn for_each_block<T: Send>(
    path: &Path,
    scan: impl Fn(&PrimitiveBlock) -> T + Sync,
    mut merge: impl FnMut(T),
) -> Result<(), LoadError> {
    let mut blobs = open(path)?;
    let batch_len = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    loop {
        let mut batch = Vec::with_capacity(batch_len);
        let (mut read_error, mut last, mut first) = (None, false, None);
        while batch.len() < batch_len {
            match blobs.next() {
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
        let scanned: Vec<Result<Option<T>, osmpbf::Error>> = batch
            .par_iter()
            .map(|blob| match blob.decode()? {
                BlobDecode::OsmData(block) => Ok(Some(scan(&block))),
                BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => Ok(None),
            })
            .collect();
        drop(batch);
        for result in scanned {
            if let Some(t) = result.map_err(|e| pbf_error(path, e))? {
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
