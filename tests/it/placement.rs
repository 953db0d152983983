//! Placement: the greedy against brute force and the MILP on random
//! instances, the interchange never worse, limits and bad input.

use remoteness::placement::{
    evaluate, exact, greedy, interchange, solve, Limits, Objective, PlacementError, Problem,
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
