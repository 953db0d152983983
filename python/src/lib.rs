//! `remoteness._remoteness`: the engine behind the Python package.
//!
//! An [`Engine`] is a prepared study (inputs loaded, network built once)
//! made from a config (TOML text, or JSON of the same tables) and layers
//! handed over as Arrow tables with WKB geometry. Its results are the very
//! tables the command line writes (`write::layers`, `write::measures`,
//! `write::compare`, `write::placement`), handed back as Arrow: no Python
//! object per feature crosses, and the computation runs without the GIL.
//! Errors raise `RemotenessError` with the command line's message: the
//! error, then each cause on its own `caused by:` line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;

use remoteness::config::{parse_raw, PlaceObjective, RawConfig, Settings};
use remoteness::load::formats::{arrow as arrow_in, MemoryLayers};
use remoteness::pipeline::{Analysis, Execution, Quiet, Study};
use remoteness::placement::request::{place, Request};
use remoteness::scenario::run::run_all;
use remoteness::scenario::{scenario_set, ScenarioSet};
use remoteness::write::compare::{self, Compared};
use remoteness::write::{layers, measures, placement as place_out, run_json, Table};

create_exception!(
    _remoteness,
    RemotenessError,
    PyException,
    "An input, setting or scenario that remoteness cannot use; the message names the file, feature and field."
);

/// The command line's rendering of an error: the error, then its causes.
fn raise(e: anyhow::Error) -> PyErr {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        msg.push_str(&format!("\n  caused by: {cause}"));
    }
    RemotenessError::new_err(msg)
}

fn table(py: Python<'_>, t: &Table) -> PyResult<Py<PyAny>> {
    let batch = remoteness::write::arrow::table_to_batch(t).map_err(|e| raise(e.into()))?;
    let schema = batch.schema();
    Ok(PyTable::try_new(vec![batch], schema)?
        .into_pyarrow(py)?
        .unbind())
}

/// The three result layers (and the catchment polygons, when on) and
/// `run.json` of an analysis.
fn analysis_dict<'py>(
    py: Python<'py>,
    a: &Analysis,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("settlements", table(py, &layers::settlements_table(a))?)?;
    d.set_item("zones", table(py, &layers::zones_table(a))?)?;
    d.set_item("facilities", table(py, &measures::facilities_table(a))?)?;
    if let Some(c) = &a.catchments {
        let t = remoteness::write::catchments::catchments_table(c);
        d.set_item("catchments", table(py, &t)?)?;
    }
    let doc = run_json::run_json(a, &["python".to_string()], threads, &[], 0.0);
    d.set_item("run_json", doc.to_string())?;
    Ok(d)
}

/// The config from its text, with `overrides` (JSON tables) merged over
/// it key by key. Without overrides a TOML config is parsed as the command
/// line parses it, so its errors give the same line and key.
fn read_config(
    text: &str,
    format: &str,
    overrides: Option<&str>,
    origin: &Path,
) -> anyhow::Result<RawConfig> {
    let bad = |e: &dyn std::fmt::Display| anyhow::anyhow!("config {}: {e}", origin.display());
    let mut value: serde_json::Value = match (format, overrides) {
        ("toml", None) => return Ok(parse_raw(text, origin)?),
        ("toml", Some(_)) => {
            parse_raw(text, origin)?;
            let t: toml::Table = toml::from_str(text).map_err(|e| bad(&e))?;
            serde_json::to_value(t).map_err(|e| bad(&e))?
        }
        ("json", _) => serde_json::from_str(text).map_err(|e| bad(&e))?,
        (f, _) => anyhow::bail!("config format `{f}`: expected `toml` or `json`"),
    };
    if let Some(o) = overrides {
        let o: serde_json::Value =
            serde_json::from_str(o).map_err(|e| anyhow::anyhow!("overrides: {e}"))?;
        merge(&mut value, o);
    }
    serde_json::from_value(value).map_err(|e| bad(&e))
}

/// Merges `over` into `base`: tables key by key, anything else replaced.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

struct Inner {
    study: Study,
    seasons: ScenarioSet,
}

/// A prepared study.
#[pyclass(frozen, module = "remoteness._remoteness")]
struct Engine {
    inner: Mutex<Inner>,
    pool: rayon::ThreadPool,
    threads: usize,
}

impl Engine {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Inner) -> anyhow::Result<T> + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut inner = self
                .inner
                .lock()
                .map_err(|_| anyhow::anyhow!("an earlier call failed while running"))?;
            let inner: &mut Inner = &mut inner;
            self.pool.install(|| f(inner))
        })
        .map_err(raise)
    }
}

#[pymethods]
impl Engine {
    /// `config`: TOML text (`format="toml"`) or JSON of the same tables;
    /// `origin` names it in messages; relative paths resolve against
    /// `base_dir`. `layers` maps a name used as a path in the config
    /// (`memory:NAME`) to an Arrow table with WKB geometry and its CRS
    /// (WKT, PROJ JSON or an identifier; None when the table has none).
    #[new]
    #[pyo3(signature = (config, origin, base_dir, layers, format = "toml", overrides = None, threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        config: &str,
        origin: &str,
        base_dir: &str,
        layers: HashMap<String, (PyTable, Option<String>)>,
        format: &str,
        overrides: Option<&str>,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let origin = PathBuf::from(origin);
        let base = PathBuf::from(base_dir);
        let threads = match threads {
            Some(0) => return Err(RemotenessError::new_err("threads = 0: give at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| raise(e.into()))?;
        let mut memory = MemoryLayers::default();
        for (name, (t, crs)) in layers {
            let path = PathBuf::from(format!("memory:{name}"));
            let (batches, _) = t.into_inner();
            let raw = arrow_in::read(&batches, &path, crs).map_err(|e| raise(e.into()))?;
            memory.layers.insert(path, raw);
        }
        let format = format.to_string();
        let overrides = overrides.map(str::to_string);
        let overrides = overrides.as_deref();
        let inner = py
            .detach(|| {
                pool.install(|| -> anyhow::Result<Inner> {
                    let raw = read_config(config, &format, overrides, &origin)?;
                    let settings = Settings::from_raw(raw, &base, &origin)?;
                    let dataset = remoteness::load::load_with(&settings, &memory)?;
                    let seasons = scenario_set(&settings, &dataset.roads, None)?;
                    let study = Study::prepare(settings, dataset, &Quiet);
                    Ok(Inner { study, seasons })
                })
            })
            .map_err(raise)?;
        Ok(Engine {
            inner: Mutex::new(inner),
            pool,
            threads,
        })
    }

    /// The baseline: `settlements`, `zones`, `facilities` (Arrow tables)
    /// and `run_json` (text).
    fn run<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let a = self.with(py, |inner| {
            Ok(inner.study.analyse(Execution::Parallel, &Quiet))
        })?;
        analysis_dict(py, &a, self.threads)
    }

    /// Names of the services, in config order.
    fn services(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |inner| {
            Ok(inner
                .study
                .settings
                .services
                .iter()
                .map(|s| s.name.clone())
                .collect())
        })
    }

    /// Runs the scenarios of a scenario file's `text` (`origin` names it;
    /// JSON when it ends in `.json`): `baseline` and each of `scenarios` as
    /// `run` gives them (with `name` and `description`; the layers only
    /// with `layers`), and the comparisons `comparison` (per scenario,
    /// service and zone) and `comparison_settlements`.
    #[pyo3(signature = (text, origin, layers = true))]
    fn scenarios<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        origin: &str,
        layers: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let origin = PathBuf::from(origin);
        let (baseline, outcomes) = self.with(py, |inner| {
            let mut set = scenario_set(
                &inner.study.settings,
                &inner.study.dataset.roads,
                Some((text, origin.as_path())),
            )?;
            for (name, edits) in &inner.seasons.seasons {
                set.seasons
                    .entry(name.clone())
                    .or_insert_with(|| edits.clone());
            }
            Ok(run_all(
                &mut inner.study,
                &set,
                Execution::Parallel,
                &Quiet,
            )?)
        })?;
        let d = PyDict::new(py);
        if layers {
            d.set_item("baseline", analysis_dict(py, &baseline, self.threads)?)?;
        }
        let list = pyo3::types::PyList::empty(py);
        for o in &outcomes {
            let od = if layers {
                analysis_dict(py, &o.analysis, self.threads)?
            } else {
                PyDict::new(py)
            };
            od.set_item("name", &o.name)?;
            od.set_item("description", &o.description)?;
            list.append(od)?;
        }
        d.set_item("scenarios", list)?;
        let compared = Compared::all(&outcomes);
        d.set_item(
            "comparison",
            table(py, &compare::zone_table(&baseline, &compared, false))?,
        )?;
        d.set_item(
            "comparison_settlements",
            table(py, &compare::settlement_table(&baseline, &compared))?,
        )?;
        Ok(d)
    }

    /// Places `k` new facilities of `service` (`[placement]` settings, with
    /// `objective` and `budget` overriding them for this call): `sites`,
    /// `curve` (Arrow tables), `scenario_toml` (text) and `summary` (JSON
    /// text: value, bound, gap, optimality, the exact check, timings).
    #[pyo3(signature = (service, k = None, objective = None, budget = None, exact_max = 2000))]
    fn place<'py>(
        &self,
        py: Python<'py>,
        service: &str,
        k: Option<usize>,
        objective: Option<&str>,
        budget: Option<f64>,
        exact_max: usize,
    ) -> PyResult<Bound<'py, PyDict>> {
        let req = Request {
            service: service.to_string(),
            k,
            exact_max,
        };
        let objective = match objective {
            None => None,
            Some(o) => Some(PlaceObjective::from_name(o, None).ok_or_else(|| {
                RemotenessError::new_err(format!(
                    "objective `{o}`: expected `coverage`, `median`, `center` or `capacity`"
                ))
            })?),
        };
        if let Some(b) = budget {
            if !(b.is_finite() && b > 0.0) {
                return Err(RemotenessError::new_err(format!(
                    "budget {b}: give a positive number"
                )));
            }
        }
        let (sites, curve, toml, summary) = self.with(py, |inner| {
            let study = &mut inner.study;
            let saved = study.settings.placement.clone();
            if let Some(o) = objective {
                study.settings.placement.objective = o;
            }
            if budget.is_some() {
                study.settings.placement.budget = budget;
            }
            let placed = place(study, &req, Execution::Parallel, &Quiet);
            study.settings.placement = saved;
            let placed = placed?;
            let (pl, sol) = (&placed.placement, &placed.solution);
            let summary = serde_json::json!({
                "service": service,
                "objective": pl.problem.objective,
                "unit": pl.problem.objective.unit(),
                "candidates": pl.candidates.len(),
                "candidate_source": placed.source,
                "k": placed.k,
                "base": sol.base,
                "value": sol.value,
                "gain": sol.value - sol.base,
                "upper_bound": sol.upper_bound,
                "gap": sol.gap(),
                "optimal": sol.optimal,
                "swaps": sol.swaps,
                "exact": placed.exact,
                "timings": placed.timings,
            });
            Ok((
                place_out::sites_table(study, pl, sol),
                place_out::curve_table(pl, sol),
                place_out::scenario_toml(
                    study,
                    pl,
                    sol,
                    &format!("place_{service}_{}", sol.sites.len()),
                ),
                summary.to_string(),
            ))
        })?;
        let d = PyDict::new(py);
        d.set_item("sites", table(py, &sites)?)?;
        d.set_item("curve", table(py, &curve)?)?;
        d.set_item("scenario_toml", toml)?;
        d.set_item("summary", summary)?;
        Ok(d)
    }
}

/// Reads a file as the loaders do (regular file, size limit, UTF-8), for
/// configs and scenario files named by path.
#[pyfunction]
fn read_text(path: &str) -> PyResult<String> {
    remoteness::files::read_text(Path::new(path)).map_err(|e| raise(e.into()))
}

#[pymodule]
fn _remoteness(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_function(wrap_pyfunction!(read_text, m)?)?;
    m.add("RemotenessError", m.py().get_type::<RemotenessError>())?;
    Ok(())
}
