//! Placement: the greedy against brute force and the MILP on random
//! instances, the interchange never worse, limits and bad input.

use remoteness::placement::flow::Capacities;
use remoteness::placement::{
    evaluate, exact, greedy, interchange, solve, value_of, Limits, Objective, PlacementError,
    Problem,
};

use crate::common::Rng;

/// A random instance: `n` settlements, `c` candidates each reaching a few
/// settlements at random times; some settlements already served.
fn random_problem(rng: &mut Rng, n: usize, c: usize, objective: Objective) -> Problem {
    let weight = (0..n).map(|_| (1 + rng.below(100)) as f64).collect();
    let current = (0..n)
        .map(|_| match rng.below(4) {
            0 => f64::INFINITY,
            1 => 10.0 + rng.f64() * 20.0,
            _ => 40.0 + rng.f64() * 100.0,
        })
        .collect();
    let rows = (0..c)
        .map(|_| {
            let mut row: Vec<(u32, f64)> = (0..1 + rng.below(n.min(6)))
                .map(|_| (rng.below(n) as u32, rng.f64() * 90.0))
                .collect();
            row.sort_by_key(|r| r.0);
            row.dedup_by_key(|r| r.0);
            row
        })
        .collect();
    Problem {
        weight,
        current,
        rows,
        cost: vec![1.0; c],
        zone: vec![None; c],
        objective,
        capacities: None,
    }
}

const COVERAGE: Objective = Objective::Coverage {
    threshold_min: 30.0,
};
const MEDIAN: Objective = Objective::Median { cap_min: 120.0 };

fn limits(k: usize) -> Limits {
    Limits {
        k,
        ..Limits::default()
    }
}

#[test]
fn greedy_is_optimal_for_one_site_and_within_1_minus_1_over_e_for_two_and_three() {
    let mut rng = Rng(7);
    for case in 0..300 {
        let objective = if case % 2 == 0 { COVERAGE } else { MEDIAN };
        let (n, c) = (4 + rng.below(12), 2 + rng.below(9));
        let p = random_problem(&mut rng, n, c, objective);
        let base = evaluate(&p, &[]);
        for k in 1..=3.min(p.rows.len()) {
            let g = greedy::greedy(&p, &limits(k)).unwrap();
            let chosen: Vec<usize> = g.sites.iter().map(|s| s.candidate).collect();
            // The incremental value is the slow definition's.
            let slow = evaluate(&p, &chosen);
            assert!(
                (g.value - slow).abs() <= 1e-9 * slow.abs().max(1.0),
                "{case}"
            );
            let (opt, _) = exact::brute_force(&p, k);
            if k == 1 {
                assert!(
                    (g.value - opt).abs() <= 1e-9 * opt.abs().max(1.0),
                    "case {case}"
                );
            }
            let bound = base + (1.0 - 1.0 / std::f64::consts::E) * (opt - base);
            assert!(
                g.value >= bound - 1e-9,
                "case {case} k {k}: {} < {bound}",
                g.value
            );
            // The online bound is an upper bound on the optimum.
            let ub = g.upper_bound.unwrap();
            assert!(
                ub >= opt - 1e-9 * opt.abs().max(1.0),
                "case {case}: ub {ub} < opt {opt}"
            );
        }
    }
}

#[test]
fn interchange_never_worsens_and_solve_reports_the_final_order() {
    let mut rng = Rng(11);
    for case in 0..200 {
        let objective = if case % 2 == 0 { COVERAGE } else { MEDIAN };
        let (n, c) = (6 + rng.below(20), 4 + rng.below(12));
        let p = random_problem(&mut rng, n, c, objective);
        let k = 1 + rng.below(3.min(p.rows.len()));
        let g = greedy::greedy(&p, &limits(k)).unwrap();
        let chosen: Vec<usize> = g.sites.iter().map(|s| s.candidate).collect();
        let (swapped, _) = interchange::interchange(&p, &limits(k), &chosen, 0);
        assert!(
            evaluate(&p, &swapped) >= evaluate(&p, &chosen) - 1e-9,
            "case {case}"
        );
        let s = solve(&p, &limits(k)).unwrap();
        let sites: Vec<usize> = s.sites.iter().map(|x| x.candidate).collect();
        assert_eq!(sites, swapped);
        let slow = evaluate(&p, &sites);
        assert!((s.value - slow).abs() <= 1e-9 * slow.abs().max(1.0));
        // Gains add up to the value.
        let sum: f64 = s.base + s.sites.iter().map(|x| x.gain).sum::<f64>();
        assert!((sum - s.value).abs() <= 1e-9 * s.value.abs().max(1.0));
    }
}

#[test]
fn the_milp_agrees_with_brute_force() {
    let mut rng = Rng(5);
    for case in 0..80 {
        let (n, c) = (5 + rng.below(10), 3 + rng.below(7));
        let p = random_problem(&mut rng, n, c, COVERAGE);
        let k = 1 + rng.below(3.min(p.rows.len()));
        let (opt, _) = exact::brute_force(&p, k);
        let (milp, sites) = exact::milp_coverage(&p, k).expect("solves");
        assert!(
            (milp - opt).abs() <= 1e-6 * opt.max(1.0),
            "case {case}: {milp} vs {opt}"
        );
        assert!(sites.len() <= k);
        assert!((evaluate(&p, &sites) - opt).abs() <= 1e-6 * opt.max(1.0));
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = Rng(3);
    let p = random_problem(&mut rng, 400, 300, MEDIAN);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| solve(&p, &limits(12)).unwrap())
    };
    let (a, b) = (run(1), run(4));
    assert_eq!(a.sites, b.sites);
    assert_eq!(a.value.to_bits(), b.value.to_bits());
}

#[test]
fn limits_are_checked_and_kept() {
    let mut rng = Rng(9);
    let mut p = random_problem(&mut rng, 30, 10, COVERAGE);
    assert_eq!(
        greedy::greedy(&p, &limits(11)).unwrap_err(),
        PlacementError::TooManySites {
            k: 11,
            candidates: 10
        }
    );
    assert_eq!(
        greedy::greedy(&p, &limits(0)).unwrap_err(),
        PlacementError::ZeroK
    );
    p.cost = (0..10).map(|c| 5.0 + c as f64).collect();
    let budget = Limits {
        k: 10,
        budget: Some(4.0),
        ..Limits::default()
    };
    assert!(matches!(
        greedy::greedy(&p, &budget),
        Err(PlacementError::Budget { .. })
    ));
    let budget = Limits {
        k: 10,
        budget: Some(20.0),
        ..Limits::default()
    };
    let s = solve(&p, &budget).unwrap();
    let spent: f64 = s.sites.iter().map(|x| p.cost[x.candidate]).sum();
    assert!(spent <= 20.0);
    // Every site serves at least the minimum when chosen.
    let min = Limits {
        k: 5,
        min_people: 60.0,
        ..Limits::default()
    };
    for site in solve(&p, &min).unwrap().sites {
        assert!(site.people >= 60.0, "{site:?}");
    }
    // One site in each listed zone first.
    p.zone = (0..10).map(|c| Some(c % 3)).collect();
    let zoned = Limits {
        k: 4,
        zones_first: vec![2, 0],
        ..Limits::default()
    };
    let s = solve(&p, &zoned).unwrap();
    let zones: Vec<Option<usize>> = s.sites.iter().map(|x| p.zone[x.candidate]).collect();
    let useful = |z: usize| (0..10).any(|c| p.zone[c] == Some(z) && evaluate(&p, &[c]) > s.base);
    for z in [2, 0] {
        assert_eq!(zones.contains(&Some(z)), useful(z), "zone {z}: {zones:?}");
    }
    assert!(useful(2) || useful(0), "the case tests nothing");
    assert_eq!(s.forced, [2, 0].iter().filter(|&&z| useful(z)).count());
    let too_many = Limits {
        k: 1,
        zones_first: vec![0, 1],
        ..Limits::default()
    };
    assert!(matches!(
        greedy::greedy(&p, &too_many),
        Err(PlacementError::ZonesExceedK { .. })
    ));
}

mod end_to_end {
    use std::path::Path;

    use crate::common::{copy_tata, fixture, run_bin, run_command};

    fn place(config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
        run_command("place", config, out, extra)
    }

    /// The run failed, and its message holds every needle.
    fn refused(o: &std::process::Output, needles: &[&str]) {
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "accepted");
        for n in needles {
            assert!(err.contains(n), "no `{n}` in: {err}");
        }
    }

    /// Runs the `scenario.toml` that `place` wrote into `out` through
    /// `scenarios`, into `sc`.
    fn rerun(cfg: &Path, out: &Path, sc: &Path) {
        let o = run_bin(&[
            "scenarios",
            cfg.to_str().unwrap(),
            "--scenarios",
            out.join("scenario.toml").to_str().unwrap(),
            "--out",
            sc.to_str().unwrap(),
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    fn json(p: &Path) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn beyond(run: &serde_json::Value, service: &str) -> f64 {
        run["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == service)
            .unwrap()["population_beyond"]
            .as_f64()
            .unwrap()
    }

    #[test]
    fn tata_health_k5_rerun_as_a_scenario_reproduces_the_gain() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("place");
        let cfg = fixture("tata/tata.toml");
        let o = place(
            &cfg,
            &out,
            &["--service", "health", "--k", "5", "--exact-max", "1000"],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let run = json(&out.join("run.json"));
        let gain = run["gain"].as_f64().unwrap();
        assert!(gain > 0.0);
        // Never above the exact optimum, and the bound is above both.
        let exact = run["exact"]["value"].as_f64().unwrap() - run["base"].as_f64().unwrap();
        assert!(gain <= exact + 1e-6);
        assert!(
            run["upper_bound"].as_f64().unwrap() >= run["exact"]["value"].as_f64().unwrap() - 1e-6
        );
        // The curve ends at the value; the sites layer has the five sites.
        let curve = std::fs::read_to_string(out.join("curve.csv")).unwrap();
        assert_eq!(curve.lines().count(), 1 + 6);
        let sites = json(&out.join("sites.geojson"));
        assert_eq!(sites["features"].as_array().unwrap().len(), 5);
        // The scenario file, run as is, gives the same people brought within
        // the threshold.
        let sc = tmp.path().join("scenarios");
        rerun(&cfg, &out, &sc);
        let base = json(&sc.join("baseline/run.json"));
        let after = json(&sc.join("place_health_5/run.json"));
        let rerun = beyond(&base, "health") - beyond(&after, "health");
        assert!((rerun - gain).abs() <= 1e-6 * gain, "{rerun} vs {gain}");
    }

    #[test]
    fn relocation_of_every_health_facility_rerun_as_a_scenario_matches() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path();
        copy_tata(data);
        // The baseline's health facilities, all removable.
        let base_out = data.join("base");
        let o = crate::common::run_config(&data.join("tata.toml"), &base_out, &[]);
        assert!(o.status.success());
        let mut rdr = csv::Reader::from_path(base_out.join("facilities.csv")).unwrap();
        let ids: Vec<String> = rdr
            .deserialize::<std::collections::HashMap<String, String>>()
            .map(|r| r.unwrap())
            .filter(|r| r["service"] == "health")
            .map(|r| format!("{:?}", r["fac_id"]))
            .collect();
        assert!(ids.len() > 5);
        let cfg = data.join("c.toml");
        let text = std::fs::read_to_string(data.join("tata.toml")).unwrap();
        std::fs::write(
            &cfg,
            format!("{text}\n[placement]\nremovable = [{}]\n", ids.join(", ")),
        )
        .unwrap();
        let out = data.join("place");
        let k = (ids.len() - 3).to_string();
        let o = place(&cfg, &out, &["--service", "health", "--k", &k]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let run = json(&out.join("run.json"));
        assert_eq!(run["removable"].as_array().unwrap().len(), ids.len());
        // With k below the current count and every facility movable, the
        // sites still cover at least as many people as the kept ones would.
        let value = run["value"].as_f64().unwrap();
        let sc = data.join("scenarios");
        rerun(&cfg, &out, &sc);
        let after = json(&sc.join(format!("place_health_{k}/run.json")));
        let covered = after["counts"]["population"].as_f64().unwrap() - beyond(&after, "health");
        assert!(
            (covered - value).abs() <= 1e-6 * value,
            "{covered} vs {value}"
        );
        // An unknown removable id is an error naming it.
        std::fs::write(
            &cfg,
            format!("{text}\n[placement]\nremovable = [\"no-such\"]\n"),
        )
        .unwrap();
        let o = place(&cfg, &data.join("x"), &["--service", "health", "--k", "2"]);
        assert!(!o.status.success());
        assert!(String::from_utf8_lossy(&o.stderr).contains("no-such"));
    }

    #[test]
    fn tata_capacity_answer_is_the_linear_programme_value_of_its_sites() {
        use remoteness::placement::flow::Capacities;
        use remoteness::placement::{exact, Objective, Problem};
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path();
        copy_tata(data);
        let text = std::fs::read_to_string(data.join("tata.toml")).unwrap();
        let cfg = data.join("c.toml");
        std::fs::write(
            &cfg,
            format!("{text}\n[placement]\nobjective = \"capacity\"\npeople_per_capacity = 20000\n"),
        )
        .unwrap();
        let out = data.join("place");
        let problem = data.join("problem.json");
        let o = place(
            &cfg,
            &out,
            &[
                "--service",
                "health",
                "--k",
                "3",
                "--exact-max",
                "0",
                "--export-problem",
                problem.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let run = json(&out.join("run.json"));
        assert_eq!(run["objective"]["capacity"]["threshold_min"], 60.0);
        let (base, value) = (
            run["base"].as_f64().unwrap(),
            run["value"].as_f64().unwrap(),
        );
        // Every site serves at most its capacity; the curve rises.
        let sites = json(&out.join("sites.geojson"));
        let feats = sites["features"].as_array().unwrap();
        assert_eq!(feats.len(), 3);
        for f in feats {
            let g = f["properties"]["gain"].as_f64().unwrap();
            assert!(g > 0.0 && g <= 20000.0 + 1e-6, "{g}");
            assert_eq!(f["properties"]["room"], 20000.0);
        }
        // The reported value is the linear programme's for the existing
        // facilities and the sites, on the exported problem.
        let d = json(&problem);
        let rows: Vec<Vec<(u32, f64)>> = serde_json::from_value(d["rows"].clone()).unwrap();
        let ids: Vec<String> = serde_json::from_value(d["candidates"].clone()).unwrap();
        let caps = &d["capacities"];
        let weight: Vec<f64> = serde_json::from_value(d["weight"].clone()).unwrap();
        let p = Problem {
            current: vec![f64::INFINITY; weight.len()],
            weight,
            cost: vec![1.0; rows.len()],
            zone: vec![None; rows.len()],
            objective: Objective::Capacity {
                threshold_min: 60.0,
            },
            capacities: Some(Capacities {
                site_people: serde_json::from_value(caps["site_people"].clone()).unwrap(),
                existing_rows: serde_json::from_value(caps["existing_rows"].clone()).unwrap(),
                existing_people: serde_json::from_value(caps["existing_people"].clone()).unwrap(),
            }),
            rows,
        };
        assert!(p.capacities.as_ref().unwrap().existing_rows.len() > 5);
        let chosen: Vec<usize> = feats
            .iter()
            .map(|f| {
                let id = f["properties"]["site_id"].as_str().unwrap();
                ids.iter().position(|c| c == id).unwrap()
            })
            .collect();
        let lp_base = exact::capacity_value(&p, &[]).unwrap();
        let lp = exact::capacity_value(&p, &chosen).unwrap();
        assert!((lp_base - base).abs() <= 0.01, "{lp_base} vs {base}");
        assert!((lp - value).abs() <= 0.01, "{lp} vs {value}");
        // The scenario adds the sites with their capacity.
        let sc = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
        assert_eq!(sc.matches("capacity = 1\n").count(), 3, "{sc}");
    }

    #[test]
    fn a_closed_stdout_is_not_a_panic() {
        use std::process::{Command, Stdio};
        let tmp = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_remoteness"))
            .args([
                "place",
                fixture("tata/tata.toml").to_str().unwrap(),
                "--service",
                "health",
                "--k",
                "5",
                "--out",
                tmp.path().join("o").to_str().unwrap(),
                "-q",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert!(o.status.success());
    }

    #[test]
    fn bad_placement_input_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path();
        copy_tata(data);
        let base = std::fs::read_to_string(data.join("tata.toml")).unwrap();
        let with = |extra: &str| {
            let p = data.join("c.toml");
            std::fs::write(&p, format!("{base}\n{extra}")).unwrap();
            p
        };
        let out = data.join("out");
        // More sites than candidates.
        std::fs::write(
            data.join("cands.geojson"),
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"a","cost":5},"geometry":{"type":"Point","coordinates":[-7.4,30.0]}},
{"type":"Feature","properties":{"id":"b","cost":7},"geometry":{"type":"Point","coordinates":[-7.0,30.1]}}]}"#,
        )
        .unwrap();
        let layer = "[placement]\ncandidates = \"layer\"\ncost_field = \"cost\"\n[placement.layer]\npath = \"cands.geojson\"\nid_field = \"id\"\n";
        let o = place(&with(layer), &out, &["--service", "health", "--k", "3"]);
        refused(&o, &["k = 3", "cands.geojson"]);
        assert!(!out.exists());
        // A budget no candidate fits names the layer.
        let o = place(
            &with(layer),
            &out,
            &["--service", "health", "--budget", "4"],
        );
        refused(&o, &["budget", "cands.geojson"]);
        // A candidate layer with no usable point.
        std::fs::write(
            data.join("empty.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","cost":1},"geometry":null}]}"#,
        )
        .unwrap();
        let o = place(
            &with("[placement]\ncandidates = \"layer\"\n[placement.layer]\npath = \"empty.geojson\"\n"),
            &out,
            &["--service", "health", "--k", "1"],
        );
        refused(&o, &["empty.geojson", "candidate"]);
        // A bad cost names file, feature and field.
        std::fs::write(
            data.join("badcost.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","cost":-1},"geometry":{"type":"Point","coordinates":[-7.4,30.0]}}]}"#,
        )
        .unwrap();
        let o = place(
            &with("[placement]\ncandidates = \"layer\"\ncost_field = \"cost\"\n[placement.layer]\npath = \"badcost.geojson\"\nid_field = \"id\"\n"),
            &out,
            &["--service", "health", "--k", "1"],
        );
        refused(&o, &["badcost.geojson", "id=a", "cost"]);
        // The capacity objective needs people per unit of capacity.
        let o = place(
            &with("[placement]\nobjective = \"capacity\"\n"),
            &out,
            &["--service", "health", "--k", "1"],
        );
        refused(&o, &["placement.people_per_capacity"]);
        let o = place(
            &with(""),
            &out,
            &["--service", "health", "--k", "1", "--objective", "capacity"],
        );
        refused(&o, &["people_per_capacity", "c.toml"]);
        let o = place(
            &with("[placement]\nobjective = \"capacity\"\npeople_per_capacity = 100\nsite_capacity = -2\n"),
            &out,
            &["--service", "health", "--k", "1"],
        );
        refused(&o, &["placement.site_capacity", "-2"]);
        // A candidate's capacity that is not a number names file, feature
        // and field.
        std::fs::write(
            data.join("badcap.geojson"),
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","beds":"many"},"geometry":{"type":"Point","coordinates":[-7.4,30.0]}}]}"#,
        )
        .unwrap();
        let o = place(
            &with("[placement]\nobjective = \"capacity\"\npeople_per_capacity = 100\ncandidates = \"layer\"\n[placement.layer]\npath = \"badcap.geojson\"\nid_field = \"id\"\ncapacity_field = \"beds\"\n"),
            &out,
            &["--service", "health", "--k", "1"],
        );
        refused(&o, &["badcap.geojson", "id=a", "beds"]);
        assert!(!out.exists());
        // An unknown service.
        let o = place(&with(""), &out, &["--service", "market", "--k", "1"]);
        assert!(String::from_utf8_lossy(&o.stderr).contains("no such service"));
        assert!(!out.exists());
    }
}

#[test]
fn center_is_exact_for_one_site_and_never_lengthens_the_longest_trip() {
    use remoteness::placement::center;
    let mut rng = Rng(13);
    for case in 0..200 {
        let (n, c) = (4 + rng.below(12), 2 + rng.below(9));
        let cap = 100.0;
        let p = random_problem(&mut rng, n, c, Objective::Center { cap_min: cap });
        let base = center::longest(&p, &[], cap);
        for k in 1..=3.min(c) {
            let s = solve(&p, &limits(k)).unwrap();
            let sites: Vec<usize> = s.sites.iter().map(|x| x.candidate).collect();
            let got = center::longest(&p, &sites, cap);
            assert!(
                (got + s.value).abs() < 1e-9,
                "case {case}: value is minus the longest trip"
            );
            assert!(got <= base + 1e-12, "case {case}");
            // Brute force over every k-subset of the longest trip.
            let mut best = f64::INFINITY;
            let mut idx: Vec<usize> = (0..k).collect();
            loop {
                best = best.min(center::longest(&p, &idx, cap));
                let mut i = k;
                while i > 0 && idx[i - 1] == c - k + (i - 1) {
                    i -= 1;
                }
                if i == 0 {
                    break;
                }
                idx[i - 1] += 1;
                for j in i..k {
                    idx[j] = idx[j - 1] + 1;
                }
            }
            if k == 1 {
                assert!(
                    (got - best).abs() < 1e-9,
                    "case {case}: {got} vs optimum {best}"
                );
            }
            assert!(got >= best - 1e-9);
        }
    }
    let p = random_problem(&mut rng, 10, 5, Objective::Center { cap_min: 100.0 });
    let budget = Limits {
        k: 2,
        budget: Some(3.0),
        ..Limits::default()
    };
    assert!(matches!(
        solve(&p, &budget),
        Err(PlacementError::Unsupported { .. })
    ));
}

const CAPACITY: Objective = Objective::Capacity {
    threshold_min: 30.0,
};

/// A random capacitated instance: `n` settlements, `c` candidates and up to
/// three existing facilities, each reaching a few settlements, with
/// capacities small enough to bind (whole people, so that the flow's
/// thousandths and the programme agree exactly).
fn capacity_problem(rng: &mut Rng, n: usize, c: usize) -> Problem {
    let mut p = random_problem(rng, n, c, CAPACITY);
    let reach = |rng: &mut Rng| {
        let mut row: Vec<u32> = (0..1 + rng.below(n.min(6)))
            .map(|_| rng.below(n) as u32)
            .collect();
        row.sort_unstable();
        row.dedup();
        row
    };
    let existing = rng.below(4);
    p.capacities = Some(Capacities {
        site_people: (0..c).map(|_| (10 + rng.below(150)) as f64).collect(),
        existing_rows: (0..existing).map(|_| reach(rng)).collect(),
        existing_people: (0..existing).map(|_| (5 + rng.below(100)) as f64).collect(),
    });
    p
}

#[test]
fn the_capacity_flow_equals_the_linear_programme_whatever_the_order() {
    let mut rng = Rng(21);
    for case in 0..300 {
        let (n, c) = (4 + rng.below(14), 2 + rng.below(8));
        let p = capacity_problem(&mut rng, n, c);
        let mut sites: Vec<usize> = (0..c).filter(|_| rng.below(2) == 0).collect();
        let lp = exact::capacity_value(&p, &sites).expect("solves");
        let flow = value_of(&p, &sites);
        assert!(
            (flow - lp).abs() <= 1e-6 * lp.max(1.0),
            "case {case}: flow {flow} lp {lp}"
        );
        sites.reverse();
        let back = value_of(&p, &sites);
        assert!(
            (back - lp).abs() <= 1e-6 * lp.max(1.0),
            "case {case}: reversed {back} lp {lp}"
        );
        // Never more than the people, nor than the capacities.
        let caps = p.capacities.as_ref().unwrap();
        let people: f64 = p.weight.iter().sum();
        let capacity: f64 = caps.existing_people.iter().sum::<f64>()
            + sites.iter().map(|&s| caps.site_people[s]).sum::<f64>();
        assert!(flow <= people.min(capacity) + 1e-9, "case {case}");
    }
}

#[test]
fn capacity_greedy_against_brute_force_and_the_milp() {
    let mut rng = Rng(23);
    for case in 0..150 {
        let (n, c) = (4 + rng.below(12), 2 + rng.below(7));
        let p = capacity_problem(&mut rng, n, c);
        let base = evaluate(&p, &[]);
        for k in 1..=3.min(c) {
            let g = greedy::greedy(&p, &limits(k)).unwrap();
            assert!((g.base - base).abs() <= 1e-6 * base.max(1.0), "case {case}");
            let chosen: Vec<usize> = g.sites.iter().map(|s| s.candidate).collect();
            let slow = evaluate(&p, &chosen);
            assert!(
                (g.value - slow).abs() <= 1e-6 * slow.max(1.0),
                "case {case}"
            );
            let (opt, _) = exact::brute_force(&p, k);
            if k == 1 {
                assert!((g.value - opt).abs() <= 1e-6 * opt.max(1.0), "case {case}");
            }
            let bound = base + (1.0 - 1.0 / std::f64::consts::E) * (opt - base);
            assert!(g.value >= bound - 1e-6, "case {case} k {k}");
            let ub = g.upper_bound.unwrap();
            assert!(
                ub >= opt - 1e-6 * opt.max(1.0),
                "case {case}: ub {ub} < {opt}"
            );
            let (milp, sites) = exact::milp_capacity(&p, k).expect("solves");
            assert!(
                (milp - opt).abs() <= 1e-6 * opt.max(1.0),
                "case {case}: {milp} vs {opt}"
            );
            assert!(sites.len() <= k);
            // The interchange never worsens it.
            let (swapped, _) = interchange::interchange(&p, &limits(k), &chosen, 0);
            assert!(evaluate(&p, &swapped) >= slow - 1e-6, "case {case}");
        }
    }
}

#[test]
fn capacity_results_do_not_depend_on_the_thread_count() {
    let mut rng = Rng(29);
    let p = capacity_problem(&mut rng, 300, 200);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| solve(&p, &limits(12)).unwrap())
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.sites, four.sites);
    assert_eq!(one.value.to_bits(), four.value.to_bits());
}

/// The interchange with every candidate tried at every position (the
/// slow, obvious form of the pass).
fn interchange_every_candidate(p: &Problem, sites: &[usize]) -> (Vec<usize>, usize) {
    let mut sites = sites.to_vec();
    let mut swaps = 0;
    for _ in 0..50 {
        let mut improved = false;
        for pos in 0..sites.len() {
            let current = value_of(p, &sites);
            let mut best: Option<(usize, f64)> = None;
            for c in 0..p.rows.len() {
                if sites.contains(&c) {
                    continue;
                }
                let mut trial = sites.clone();
                trial[pos] = c;
                let v = value_of(p, &trial);
                if best.is_none_or(|b| v > b.1) {
                    best = Some((c, v));
                }
            }
            if let Some((c, v)) = best {
                if v > current + 1e-12 * current.abs().max(1.0) {
                    sites[pos] = c;
                    swaps += 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    (sites, swaps)
}

#[test]
fn the_bounded_interchange_equals_trying_every_candidate() {
    let mut rng = Rng(31);
    for case in 0..240 {
        let (n, c) = (6 + rng.below(30), 4 + rng.below(40));
        let p = match case % 3 {
            0 => random_problem(&mut rng, n, c, COVERAGE),
            1 => random_problem(&mut rng, n, c, MEDIAN),
            _ => capacity_problem(&mut rng, n, c),
        };
        let k = 1 + rng.below(4.min(c));
        let g = greedy::greedy(&p, &limits(k)).unwrap();
        let chosen: Vec<usize> = g.sites.iter().map(|s| s.candidate).collect();
        let fast = interchange::interchange(&p, &limits(k), &chosen, 0);
        let slow = interchange_every_candidate(&p, &chosen);
        let (vf, vs) = (value_of(&p, &fast.0), value_of(&p, &slow.0));
        assert!(
            (vf - vs).abs() <= 1e-9 * vs.abs().max(1.0),
            "case {case}: {vf} vs {vs}"
        );
        assert_eq!(fast, slow, "case {case}");
    }
}
