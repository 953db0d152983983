//! The output folder built beside its place and swapped in whole
//! ([`Staged`]), and the checks that refuse an unusable `--out` before
//! anything is computed ([`check_output_folder`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{io_err, WriteError};

/// The folder and file name of `path`.
fn split_name(path: &Path) -> (PathBuf, String) {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (parent, base)
}

/// An output folder built in a fresh sibling folder and swapped in whole.
///
/// Files go to `.NAME.tmp-PID-N/` beside the output folder `NAME`; on
/// [`Staged::commit`] the previous `NAME` (if any) is moved aside, the new
/// folder renamed into place, and the old one deleted. Until then the
/// previous output is untouched; if the run fails or is dropped, the staging
/// folder is removed. The output folder may not hold any input (it is
/// replaced whole), and an existing folder is replaced only when it is empty
/// or a previous output (it has a `run.json`).
///
/// Files may be staged from several threads at once (`&self`).
pub struct Staged {
    dir: PathBuf,
    staging: PathBuf,
    files: Mutex<Vec<PathBuf>>,
    committed: bool,
}

/// Absolute, with symbolic links resolved as far as the path exists.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => resolved(parent).join(name),
        (_, Some(name)) => std::env::current_dir().unwrap_or_default().join(name),
        _ => p.to_path_buf(),
    }
}

/// Checks, before anything is computed, that `dir` can be the output
/// folder: it is not, and does not hold, any of `inputs`, and it is absent,
/// empty or a previous output (it has a `run.json`).
pub fn check_output_folder(dir: &Path, inputs: &[PathBuf]) -> Result<(), WriteError> {
    let refuse = |message: String| WriteError::Refused {
        path: dir.to_path_buf(),
        message,
    };
    let target = resolved(dir);
    if target.parent().is_none() {
        return Err(refuse("the output cannot be the root folder".into()));
    }
    for input in inputs {
        let input = resolved(input);
        if input.starts_with(&target) {
            return Err(refuse(format!(
                "it holds the input {}, and the output folder is replaced whole: it would \
                 overwrite an input; choose another --out",
                input.display()
            )));
        }
    }
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(refuse("exists and is not a folder".into())),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
            let empty = entries.next().is_none();
            if !empty && !dir.join("run.json").is_file() {
                return Err(refuse(
                    "the folder is not empty and holds no run.json, so it is not a previous \
                     output; the output folder is replaced whole: choose an empty or new folder"
                        .into(),
                ));
            }
            Ok(())
        }
        Err(_) => Ok(()),
    }
}

impl Staged {
    /// Starts staging the output folder `dir`. `inputs` are the run's input
    /// files: an output folder that is, or holds, one of them is refused
    /// before anything is written.
    pub fn new(dir: &Path, inputs: &[PathBuf]) -> Result<Self, WriteError> {
        check_output_folder(dir, inputs)?;
        let refuse = |message: String| WriteError::Refused {
            path: dir.to_path_buf(),
            message,
        };
        let target = resolved(dir);
        let parent = match target.parent() {
            Some(p) => p.to_path_buf(),
            None => return Err(refuse("the output cannot be the root folder".into())),
        };
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let staging = parent.join(format!(".{name}.tmp-{}-{seq}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir(&staging).map_err(io_err(&staging))?;
        Ok(Staged {
            dir: target,
            staging,
            files: Mutex::new(Vec::new()),
            committed: false,
        })
    }

    /// The staging path of `name`, its folder created.
    fn place(&self, name: &str) -> Result<PathBuf, WriteError> {
        let path = self.staging.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(PathBuf::from(name));
        Ok(path)
    }

    /// Writes `name` with `fill`, synced to disk.
    pub fn file(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let path = self.place(name)?;
        let f = std::fs::File::create(&path).map_err(io_err(&path))?;
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w)
            .and_then(|_| w.flush())
            .and_then(|_| w.get_ref().sync_all())
            .map_err(|source| WriteError::Io {
                path: self.dir.join(name),
                source,
            })
    }

    /// Has `fill` create `name` at a path (for writers that need one, such
    /// as GDAL's).
    pub fn path_file(
        &self,
        name: &str,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<(), WriteError> {
        let path = self.place(name)?;
        fill(&path).map_err(|message| WriteError::Encode {
            path: self.dir.join(name),
            message,
        })
    }

    /// Renders `report.html` in `lang` from the files staged so far (see
    /// [`crate::report`]) and stages it, so the report matches the outputs.
    pub fn report(&self, lang: crate::report::Lang) -> Result<(), WriteError> {
        let html = crate::report::render_dir(&self.staging, lang)?;
        self.file(crate::report::REPORT_FILE, |w| w.write_all(html.as_bytes()))
    }

    /// Swaps the staged folder in for the output folder; returns the paths
    /// of the files written, in name order.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, WriteError> {
        let (parent, name) = split_name(&self.dir);
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let had_old = self.dir.exists();
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
            std::fs::rename(&self.dir, &old).map_err(io_err(&self.dir))?;
        }
        if let Err(source) = std::fs::rename(&self.staging, &self.dir) {
            if had_old {
                let _ = std::fs::rename(&old, &self.dir);
            }
            return Err(WriteError::Io {
                path: self.dir.clone(),
                source,
            });
        }
        self.committed = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        let mut files = std::mem::take(
            self.files
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        files.sort();
        Ok(files.iter().map(|f| self.dir.join(f)).collect())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
