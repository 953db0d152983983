//! The capacity-aware measures end to end on both fixtures (invariants,
//! every method switched on), zone ranking by a measure, and bad capacity
//! or measure settings.

use std::path::Path;

use remoteness::config::{Method, Settings};
use remoteness::pipeline::{analyse, Analysis, Execution, Quiet};
use remoteness::write::measures::facilities_table;

use crate::common::{fixture, run_bin};

const FIXTURES: [&str; 2] = ["liechtenstein/liechtenstein.toml", "tata/tata.toml"];

/// A fixture's settings with every catchment method on for every service
/// that has catchments, and 2SFCA/G2SFCA over 45 minutes.
fn all_methods(cfg: &str) -> Settings {
    let mut s = Settings::load(&fixture(cfg)).unwrap();
    for spec in s.measures.catchment.values_mut() {
        spec.methods = Method::ALL.to_vec();
        spec.cutoff_min = 45.0;
    }
    s
}

fn check(a: &Analysis, cfg: &str) {
    let population = a.dataset.populations();
    assert!(!a.measures.catchment.is_empty(), "{cfg}");
    for sc in &a.measures.catchment {
        let name = &a.settings.services[sc.service].name;
        assert_eq!(sc.methods.len(), 4, "{cfg} {name}");
        for r in &sc.methods {
            // Every settlement has a value (0 out of reach) unless its location is invalid.
            for (x, s) in r.access.iter().zip(&a.dataset.settlements) {
                assert_eq!(x.is_some(), s.valid);
                assert!(x.is_none_or(|v| v >= 0.0 && v.is_finite()));
            }
            // Σ_i P_i A_i = capacity of the facilities that see some demand.
            let shared: f64 = r
                .access
                .iter()
                .zip(&population)
                .map(|(x, p)| x.unwrap_or(0.0) * p)
                .sum();
            let reached: f64 = r
                .ratio
                .iter()
                .zip(&sc.capacity)
                .filter(|(q, _)| q.is_some())
                .map(|(_, c)| c)
                .sum();
            assert!(
                (shared - reached).abs() <= 1e-9 * reached.max(1.0),
                "{cfg} {name} {:?}: Σ P·A = {shared}, capacity within reach = {reached}",
                r.method
            );
            // When every settlement with people reaches a facility of the
            // service and every facility sees demand, all capacity is shared.
            if r.ratio.iter().all(Option::is_some) {
                let total: f64 = sc.capacity.iter().sum();
                assert!((shared - total).abs() <= 1e-9 * total.max(1.0));
            }
        }
        // 2SFCA with one facility of capacity 1: A = 1 / population in reach.
        assert_eq!(sc.reach.len(), sc.capacity.len());
    }
    // Coverage grows with the threshold, and covered + not covered = all people placed.
    let placed: f64 = a
        .dataset
        .settlements
        .iter()
        .filter(|s| s.valid)
        .map(|s| s.settlement.population.0)
        .sum();
    for (s, cov) in a.settings.services.iter().zip(&a.measures.coverage) {
        let Some(flags) = cov else { continue };
        for w in flags.windows(2) {
            for (lo, hi) in w[0].iter().zip(&w[1]) {
                assert!(
                    !(lo == &Some(true) && hi == &Some(false)),
                    "{cfg} {}: coverage shrinks",
                    s.name
                );
            }
        }
        let totals = remoteness::catchment::coverage::totals(
            flags,
            &a.settings.measures.coverage_min,
            &population,
            0..population.len(),
        );
        for t in &totals {
            assert!((t.covered + t.not_covered - placed).abs() < 1e-6);
        }
        assert!(totals.windows(2).all(|w| w[0].covered <= w[1].covered));
        // The flags agree with the nearest-facility time.
        let sa = &a.access[a
            .settings
            .services
            .iter()
            .position(|x| x.name == s.name)
            .unwrap()];
        for (k, thr) in a.settings.measures.coverage_min.iter().enumerate() {
            for (i, x) in sa.access.iter().enumerate() {
                if a.dataset.settlements[i].valid {
                    assert_eq!(
                        flags[k][i],
                        Some(x.time.is_some_and(|t| t.minutes() <= *thr))
                    );
                }
            }
        }
    }
    // Gravity index within [0, 1], with 0 and 1 attained.
    let g = a.measures.gravity.as_ref().unwrap();
    assert!(g.centres > 0, "{cfg}: no centre");
    let idx: Vec<f64> = g.index.iter().flatten().copied().collect();
    assert!(idx.iter().all(|x| (0.0..=1.0).contains(x)));
    assert!(idx.contains(&0.0) && idx.contains(&1.0));
}

#[test]
fn fixtures_satisfy_the_invariants_and_parallel_equals_sequential() {
    for cfg in FIXTURES {
        let par = analyse(all_methods(cfg), Execution::Parallel, &Quiet).unwrap();
        let seq = analyse(all_methods(cfg), Execution::Sequential, &Quiet).unwrap();
        check(&par, cfg);
        assert_eq!(par.measures, seq.measures, "{cfg}");
        assert_eq!(par.zone_measures, seq.zone_measures, "{cfg}");
        assert_eq!(
            facilities_table(&par).rows,
            facilities_table(&seq).rows,
            "{cfg}"
        );
        let t = par.timings.iter().find(|(k, _)| k == "measure").unwrap();
        eprintln!(
            "{cfg}: measure stage (catchment, score, zones) {:.3} s",
            t.1
        );
    }
}

#[test]
fn zones_rank_by_a_measure_worst_first() {
    let mut s = all_methods("tata/tata.toml");
    s.measures.rank_by = s.measures.rank_field(&s.services, "hlth_e2sf").unwrap();
    let a = analyse(s, Execution::Parallel, &Quiet).unwrap();
    let k = a
        .measures
        .catchment
        .iter()
        .position(|c| a.settings.services[c.service].code == "hlth")
        .unwrap();
    let r = a.measures.catchment[k]
        .methods
        .iter()
        .position(|m| m.method == Method::Enhanced)
        .unwrap();
    let mut by_rank: Vec<_> = a.zone_stats.iter().collect();
    by_rank.sort_by_key(|z| z.rank);
    let vals: Vec<f64> = by_rank
        .iter()
        .filter(|z| z.settlements > 0)
        .map(|z| a.zone_measures[z.zone].catchment[k][r].unwrap())
        .collect();
    assert!(vals.windows(2).all(|w| w[0] <= w[1]), "{vals:?}");
    assert!(by_rank[0].priority);

    // People not covered: most first; priority only where someone is not covered.
    let mut s = all_methods("tata/tata.toml");
    s.measures.rank_by = s.measures.rank_field(&s.services, "schl_np30").unwrap();
    let a = analyse(s, Execution::Parallel, &Quiet).unwrap();
    let k = a
        .settings
        .services
        .iter()
        .position(|x| x.code == "schl")
        .unwrap();
    let mut by_rank: Vec<_> = a.zone_stats.iter().collect();
    by_rank.sort_by_key(|z| z.rank);
    let np: Vec<f64> = by_rank
        .iter()
        .filter(|z| z.settlements > 0)
        .map(|z| a.zone_measures[z.zone].coverage[k].as_ref().unwrap()[1].not_covered)
        .collect();
    assert!(np.windows(2).all(|w| w[0] >= w[1]), "{np:?}");
    for z in &by_rank {
        if z.priority {
            assert!(a.zone_measures[z.zone].coverage[k].as_ref().unwrap()[1].not_covered > 0.0);
        }
    }
}

#[test]
fn zones_rank_by_severity_burden_or_any_zone_column() {
    // Severity recomputed from the settlements: the mean over the services
    // with a trip anywhere of each zone's share of people beyond.
    let base = analyse(all_methods("tata/tata.toml"), Execution::Parallel, &Quiet).unwrap();
    let services = &base.settings.services;
    let active: Vec<usize> = (0..services.len())
        .filter(|&s| base.scores.per_service[s].iter().any(|x| x.value.is_some()))
        .collect();
    assert!(!active.is_empty());
    for z in &base.zone_stats {
        let members: Vec<usize> = (0..base.dataset.settlements.len())
            .filter(|&i| base.zone_of[i] == Some(z.zone) && base.scores.composite[i].is_some())
            .collect();
        let pop: f64 = members
            .iter()
            .map(|&i| base.dataset.settlements[i].settlement.population.0)
            .sum();
        if pop <= 0.0 {
            assert_eq!(z.severity, None);
            continue;
        }
        let mean_share = active
            .iter()
            .map(|&s| {
                members
                    .iter()
                    .filter(|&&i| base.scores.per_service[s][i].beyond == Some(true))
                    .map(|&i| base.dataset.settlements[i].settlement.population.0)
                    .sum::<f64>()
                    / pop
            })
            .sum::<f64>()
            / active.len() as f64;
        assert!(
            (z.severity.unwrap() - mean_share).abs() < 1e-12,
            "zone {}",
            z.zone
        );
    }
    // Both ranks are always there: burden is the default rank, and the
    // severity rank orders severity worst first.
    let mut by_sev: Vec<_> = base.zone_stats.iter().collect();
    by_sev.sort_by_key(|z| z.rank_severity);
    let sev: Vec<f64> = by_sev.iter().map_while(|z| z.severity).collect();
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
    assert!(base.zone_stats.iter().all(|z| z.rank == z.rank_burden));
    // The most cut-off zone is not the most burdened one here: the two
    // views differ, which is why both are written.
    let first_sev = by_sev[0];
    assert_ne!(first_sev.rank_burden, 1);

    // rank_by = "severity" puts that order in `rank`; "burden" is the
    // default; any service column ranks highest first.
    for (field, check) in [
        ("severity", 0),
        ("burden", 1),
        ("hlth_oshr", 2),
        ("schl_min", 3),
        ("pop", 4),
    ] {
        let mut s = all_methods("tata/tata.toml");
        s.measures.rank_by = s
            .measures
            .rank_field(&s.services, field)
            .unwrap_or_else(|| panic!("{field} refused"));
        let a = analyse(s, Execution::Parallel, &Quiet).unwrap();
        let mut by_rank: Vec<_> = a.zone_stats.iter().filter(|z| z.settlements > 0).collect();
        by_rank.sort_by_key(|z| z.rank);
        let code = |c: &str| {
            a.settings
                .services
                .iter()
                .position(|x| x.code == c)
                .unwrap()
        };
        let vals: Vec<f64> = by_rank
            .iter()
            .map(|z| match check {
                0 => z.severity.unwrap_or(-1.0),
                1 => z.burden,
                2 => z.services[code("hlth")].share_beyond,
                3 => z.services[code("schl")].mean_value.unwrap_or(-1.0),
                _ => z.population,
            })
            .collect();
        assert!(vals.windows(2).all(|w| w[0] >= w[1]), "{field}: {vals:?}");
        if check == 0 {
            assert!(a.zone_stats.iter().all(|z| z.rank == z.rank_severity));
        }
    }
}

/// Algeria's 69 wilayas with the Ministry of Health's registry: ranked by
/// burden, In Guezzam (every one of its 11,202 people beyond 60 min of a
/// hospital) comes last; by severity it is among the first ten, with the
/// other wilayas of the far south.
#[test]
fn severity_does_not_bury_a_small_cut_off_wilaya() {
    let s = Settings::load(&fixture("algeria/algeria_health.toml")).unwrap();
    let a = analyse(s, Execution::Parallel, &Quiet).unwrap();
    assert_eq!(a.zone_stats.len(), 69);
    let z = a
        .zone_stats
        .iter()
        .find(|z| a.zones[z.zone].name == "In Guezzam")
        .unwrap();
    assert_eq!(z.severity, Some(1.0));
    assert_eq!(z.rank_burden, 69);
    assert!(z.rank_severity <= 10, "{}", z.rank_severity);
    // Every wilaya ahead of it by severity is at least as cut off.
    for o in &a.zone_stats {
        if o.rank_severity < z.rank_severity {
            assert_eq!(o.severity, Some(1.0), "{}", a.zones[o.zone].name);
        }
    }
}

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

fn run(dir: &Path, facilities: &str, extra: &str) -> (bool, String) {
    write(
        dir,
        "s.csv",
        "id,lon,lat,pop\na,-7.9,29.7,30\nb,-7.95,29.75,20\n",
    );
    write(dir, "f.csv", facilities);
    write(
        dir,
        "c.toml",
        &format!(
            "[inputs]\n[[inputs.settlements]]\npath = \"s.csv\"\nid_field = \"id\"\npopulation_field = \"pop\"\n\
             [[inputs.facilities]]\npath = \"f.csv\"\nid_field = \"id\"\ncategory = \"health\"\ncapacity_field = \"beds\"\n\
             [services.health]\nprofile = \"walk\"\n{extra}"
        ),
    );
    let o = run_bin(&[
        "run",
        dir.join("c.toml").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
        "-q",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    (o.status.success(), err)
}

#[test]
fn bad_capacities_name_file_feature_and_field() {
    let d = tempfile::tempdir().unwrap();
    let (ok, err) = run(d.path(), "id,lon,lat,beds\nh1,-7.9,29.7,-3\n", "");
    assert!(!ok);
    assert!(
        err.contains("f.csv")
            && err.contains("h1")
            && err.contains("beds")
            && err.contains("-3 is out of range"),
        "{err}"
    );
    assert!(!d.path().join("out").join("run.json").exists());
    let (ok, err) = run(d.path(), "id,lon,lat,beds\nh1,-7.9,29.7,many\n", "");
    assert!(!ok);
    assert!(err.contains("h1") && err.contains("`many`"), "{err}");
    // A blank capacity counts 1, with a counted warning.
    let (ok, err) = run(
        d.path(),
        "id,lon,lat,beds\nh1,-7.9,29.7,\nh2,-7.95,29.75,4\n",
        "",
    );
    assert!(ok, "{err}");
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/run.json")).unwrap())
            .unwrap();
    assert_eq!(run_json["warnings"]["counts"]["capacity_missing"], 1);
    assert_eq!(run_json["measures"]["catchment"][0]["capacity"], 5.0);
    let fac = std::fs::read_to_string(d.path().join("out/facilities.csv")).unwrap();
    assert!(fac.lines().count() == 3, "{fac}");
}

#[test]
fn bad_measure_settings_name_the_key() {
    let d = tempfile::tempdir().unwrap();
    let f = "id,lon,lat,beds\nh1,-7.9,29.7,2\n";
    for (extra, key) in [
        (
            "[services.health.catchment]\nmethods = [\"4sfca\"]\n",
            "services.health.catchment.methods",
        ),
        (
            "[services.health.catchment]\nsteps_min = [10, 5]\n",
            "services.health.catchment.steps_min",
        ),
        (
            "[services.health.catchment]\nstep_weights = [1, 0.5]\n",
            "services.health.catchment.step_weights",
        ),
        (
            "[services.health.catchment]\ndecay = \"gaussian\"\nsigma_min = 0\n",
            "services.health.catchment.sigma_min",
        ),
        (
            "[coverage]\nthresholds_min = [30, 15]\n",
            "coverage.thresholds_min",
        ),
        (
            "[coverage]\nthresholds_min = [7.5]\n",
            "coverage.thresholds_min",
        ),
        ("[gravity]\nprofile = \"bike\"\n", "gravity.profile"),
        ("[gravity]\ntransform = \"sqrt\"\n", "gravity.transform"),
        ("[zones]\nrank_by = \"hlth_g2sf\"\n", "zones.rank_by"),
    ] {
        let (ok, err) = run(d.path(), f, extra);
        assert!(!ok, "{extra}");
        assert!(err.contains(key), "{extra}: {err}");
    }
    // A valid ranking measure runs.
    let (ok, err) = run(d.path(), f, "[zones]\nrank_by = \"hlth_np30\"\n");
    assert!(ok, "{err}");
}
