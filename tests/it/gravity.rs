//! Gravity remoteness: a worked example by hand, and the same formula
//! through the whole engine on a small straight-line run.

use remoteness::catchment::fca::Pairs;
use remoteness::catchment::gravity::{accessibility, index, Transform};
use remoteness::config::Settings;
use remoteness::geometry::haversine;
use remoteness::pipeline::{analyse, Execution, Quiet};

/// Five settlements, two centres (population ≥ 1 000), cutoff 60 min,
/// floor 5 min. Costs settlement → centre, in minutes:
///
/// | settlement | pop  | → A (5 000) | → B (2 000) |
/// |------------|------|-------------|-------------|
/// | A (centre) | 5000 | 0           | 40          |
/// | B (centre) | 2000 | 40          | 0           |
/// | C          | 300  | 10          | 30          |
/// | D          | 100  | 50          | 90 (beyond) |
/// | E          | 50   | 100         | 80 (both beyond: nearest is B) |
///
/// Gravity sums `G = Σ P_j / max(c, 5)` over centres within 60 min:
///
/// * A: 5000/5 + 2000/40 = 1000 + 50 = 1050
/// * B: 5000/40 + 2000/5 = 125 + 400 = 525
/// * C: 5000/10 + 2000/30 = 500 + 66.67 = 566.67
/// * D: 5000/50 = 100 (B is beyond the cutoff)
/// * E: none within 60 min, so the nearest centre alone: 2000/80 = 25
///
/// Index (log): `IR = ln(1050 / G) / ln(1050 / 25) = ln(1050 / G) / ln 42`:
/// A 0, B ln 2 / ln 42 = 0.18545, C ln(1.85294) / ln 42 = 0.16501,
/// D ln 10.5 / ln 42 = 0.62910, E 1.
#[test]
fn worked_example() {
    let (a, b) = (0u32, 1u32);
    let costs = vec![
        (0, a, 0.0),
        (0, b, 40.0),
        (1, a, 40.0),
        (1, b, 0.0),
        (2, a, 10.0),
        (2, b, 30.0),
        (3, a, 50.0),
        (3, b, 90.0),
        (4, a, 100.0),
        (4, b, 80.0),
    ];
    let pairs = Pairs::from_triples(5, 2, costs);
    let centre_pop = [5000.0, 2000.0];
    let nearest = [
        Some((0, 0.0)),
        Some((1, 0.0)),
        Some((0, 10.0)),
        Some((0, 50.0)),
        Some((1, 80.0)),
    ];
    let g: Vec<f64> = accessibility(&pairs, &centre_pop, 60.0, 5.0, &nearest)
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let by_hand = [
        5000.0 / 5.0 + 2000.0 / 40.0,
        5000.0 / 40.0 + 2000.0 / 5.0,
        5000.0 / 10.0 + 2000.0 / 30.0,
        5000.0 / 50.0,
        2000.0 / 80.0,
    ];
    assert_eq!(by_hand, [1050.0, 525.0, 500.0 + 2000.0 / 30.0, 100.0, 25.0]);
    for (x, y) in g.iter().zip(by_hand) {
        assert!((x - y).abs() <= 1e-12 * y, "{x} vs {y}");
    }
    let ir: Vec<f64> = index(
        &g.iter().map(|x| Some(*x)).collect::<Vec<_>>(),
        Transform::Log,
    )
    .into_iter()
    .map(Option::unwrap)
    .collect();
    let ln42 = 42f64.ln();
    let expected = [
        0.0,
        2f64.ln() / ln42,
        (1050.0f64 / (500.0 + 2000.0 / 30.0)).ln() / ln42,
        10.5f64.ln() / ln42,
        1.0,
    ];
    for (x, y) in ir.iter().zip(expected) {
        assert!((x - y).abs() <= 1e-12, "{x} vs {y}");
    }
    assert!((ir[1] - 0.18545).abs() < 1e-5 && (ir[3] - 0.62910).abs() < 1e-5);
    // Linear rescaling: (1050 − G) / (1050 − 25).
    let lin = index(
        &g.iter().map(|x| Some(*x)).collect::<Vec<_>>(),
        Transform::Linear,
    );
    assert!((lin[1].unwrap() - 525.0 / 1025.0).abs() < 1e-12);
    // A settlement with no centre at all has no index.
    let none = accessibility(
        &pairs,
        &centre_pop,
        60.0,
        5.0,
        &[None, None, None, None, None],
    );
    assert!(none[4].is_none() && none[0].is_some());
}

#[test]
fn engine_computes_the_same_sums_on_a_straight_line_run() {
    // Four settlements on the equator, no roads: trips are straight line ×
    // circuity 1 at drive's no_road_kmh 60, so 0.1° (11.12 km) is 11.12 min.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.csv"),
        "id,lon,lat,pop\nA,0,0,5000\nB,0.2,0,2000\nC,0.1,0,300\nD,1.5,0,40\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("f.csv"), "id,lon,lat\nh,0,0\n").unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        r#"[inputs]
[[inputs.settlements]]
path = "s.csv"
id_field = "id"
population_field = "pop"
[[inputs.facilities]]
path = "f.csv"
id_field = "id"
category = "health"
[services.health]
profile = "drive"
[profiles.drive]
no_road_kmh = 60
[travel]
circuity = 1.0
[gravity]
cutoff_min = 30
floor_min = 5
"#,
    )
    .unwrap();
    let a = analyse(Settings::load(&cfg).unwrap(), Execution::Sequential, &Quiet).unwrap();
    let g = a.measures.gravity.as_ref().unwrap();
    assert_eq!(g.centres, 2);
    let pos: Vec<_> = a
        .dataset
        .settlements
        .iter()
        .map(|s| s.settlement.pos)
        .collect();
    let t = |i: usize, j: usize| haversine(pos[i], pos[j]).0 / (60.0 / 3.6) / 60.0;
    let term = |p: f64, c: f64| p / c.max(5.0);
    let expected = [
        term(5000.0, 0.0) + term(2000.0, t(0, 1)),
        term(5000.0, t(1, 0)) + term(2000.0, 0.0),
        term(5000.0, t(2, 0)) + term(2000.0, t(2, 1)),
        // D is 1.3° (144 min) from B, beyond 30 min: the nearest centre alone.
        term(2000.0, t(3, 1)),
    ];
    for (i, e) in expected.iter().enumerate() {
        let got = g.accessibility[i].unwrap();
        assert!((got - e).abs() <= 1e-9 * e, "settlement {i}: {got} vs {e}");
    }
    assert_eq!(g.fallback, 1);
    assert_eq!(g.index[0], Some(0.0));
    assert_eq!(g.index[3], Some(1.0));
}
