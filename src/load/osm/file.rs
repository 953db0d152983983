//! The extract as a file: opening it, its header's required features, and
//! read errors turned into `LoadError`s that say what is wrong and how to
//! re-encode it.

use std::path::Path;

use osmpbf::ElementReader;

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

pub(super) fn open(
    path: &Path,
) -> Result<ElementReader<std::io::BufReader<std::fs::File>>, LoadError> {
    if crate::files::regular_file(path)? == 0 {
        return Err(LoadError::Format {
            path: path.to_path_buf(),
            message: "the file is empty (0 bytes): not an .osm.pbf extract".into(),
        });
    }
    let file = crate::files::open(path)?;
    Ok(ElementReader::new(std::io::BufReader::new(file)))
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
    let mut blobs = osmpbf::BlobReader::new(std::io::BufReader::new(file));
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
