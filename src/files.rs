//! Opening input files safely: only regular files, never more than a cap.
//!
//! Every reader goes through here, so an input that is a FIFO (which would
//! block forever), a device such as `/dev/zero` (endless), a folder or an
//! empty path is a clear error naming the file before anything is opened,
//! and no reader buffers more than [`MAX_INPUT_BYTES`].

use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The largest input file a reader loads into memory: 4 GiB. Larger inputs
/// are an error naming the file and this cap (a national `.osm.pbf` is
/// streamed and has no cap).
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// Why an input file cannot be read.
#[derive(Debug, Error)]
pub enum FileError {
    /// The configured path is empty.
    #[error("the path is empty: give a file name")]
    EmptyPath,
    /// Nothing at the path.
    #[error("{path}: no such file")]
    NotFound {
        /// File.
        path: PathBuf,
    },
    /// A folder where a file is expected.
    #[error("{path}: is a folder, not a file")]
    Folder {
        /// File.
        path: PathBuf,
    },
    /// A FIFO, socket or device.
    #[error("{path}: not a regular file ({kind}); inputs must be regular files")]
    NotRegular {
        /// File.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// Larger than the cap.
    #[error("{path}: {size} bytes is larger than the cap of {cap} bytes a reader loads")]
    TooLarge {
        /// File.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The cap.
        cap: u64,
    },
    /// Not UTF-8 text.
    #[error("{path}: {message}")]
    NotUtf8 {
        /// File.
        path: PathBuf,
        /// Where the first invalid byte is.
        message: String,
    },
    /// The system refused.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// What a path is, for messages.
fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    let _ = ft;
    "not a file"
}

/// Checks that `path` is a regular file (following symbolic links) and
/// returns its size in bytes.
pub fn regular_file(path: &Path) -> Result<u64, FileError> {
    if path.as_os_str().is_empty() {
        return Err(FileError::EmptyPath);
    }
    let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound {
            path: path.to_path_buf(),
        },
        _ => FileError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(FileError::Folder {
            path: path.to_path_buf(),
        });
    }
    if !ft.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(&ft),
        });
    }
    Ok(meta.len())
}

/// Opens a regular file for streaming (no size cap).
pub fn open(path: &Path) -> Result<std::fs::File, FileError> {
    regular_file(path)?;
    std::fs::File::open(path).map_err(|source| FileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a whole regular file of at most [`MAX_INPUT_BYTES`].
pub fn read(path: &Path) -> Result<Vec<u8>, FileError> {
    read_capped(path, MAX_INPUT_BYTES)
}

/// Reads a whole regular file of at most `cap` bytes; a file that grows
/// while it is read is cut at the cap and reported.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let size = regular_file(path)?;
    let too_large = |size| FileError::TooLarge {
        path: path.to_path_buf(),
        size,
        cap,
    };
    if size > cap {
        return Err(too_large(size));
    }
    let io = |source| FileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a whole regular file as UTF-8 text (a leading byte-order mark is
/// dropped); invalid UTF-8 is an error giving the line, column and byte.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = read(path)?;
    utf8(path, bytes)
}

/// `bytes` as UTF-8 text without a leading byte-order mark, or an error
/// naming the line, column and byte offset of the first invalid sequence.
pub fn utf8(path: &Path, mut bytes: Vec<u8>) -> Result<String, FileError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        FileError::NotUtf8 {
            path: path.to_path_buf(),
            message: format!(
                "not UTF-8 text: invalid byte 0x{:02X} at line {line}, column {column} \
                 (byte offset {at}); save the file as UTF-8",
                bytes[at]
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_column_and_byte() {
        let e = utf8(
            Path::new("x.geojson"),
            b"{\n  \"a\": \"\xE9t\xE9\"}".to_vec(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2, column 9"), "{e}");
        assert!(e.contains("byte offset 10"), "{e}");
        assert!(e.contains("0xE9"), "{e}");
    }

    #[test]
    fn a_bom_is_dropped() {
        let t = utf8(Path::new("x"), b"\xEF\xBB\xBF{}".to_vec()).unwrap();
        assert_eq!(t, "{}");
    }

    #[test]
    fn folders_empty_paths_and_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            regular_file(dir.path()),
            Err(FileError::Folder { .. })
        ));
        assert!(matches!(
            regular_file(Path::new("")),
            Err(FileError::EmptyPath)
        ));
        #[cfg(unix)]
        assert!(matches!(
            read(Path::new("/dev/zero")),
            Err(FileError::NotRegular { .. })
        ));
        let f = dir.path().join("big");
        std::fs::write(&f, [0u8; 100]).unwrap();
        assert!(matches!(
            read_capped(&f, 99),
            Err(FileError::TooLarge { size: 100, .. })
        ));
        assert_eq!(read_capped(&f, 100).unwrap().len(), 100);
    }
}
