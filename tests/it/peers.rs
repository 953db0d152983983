//! The search against scipy's `csgraph.dijkstra` (multi-source, `min_only`)
//! on the same random graphs. Needs python3 with numpy and scipy; CI installs
//! them and sets `REMOTENESS_REQUIRE_PEERS=1`, which turns their absence into
//! a failure instead of a skip.

use std::io::Write;
use std::process::Command;

use remoteness::index::SearchGraph;
use remoteness::search::multi_source;

const SCRIPT: &str = r#"
import json, sys
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
case = json.load(open(sys.argv[1]))
n = case["n"]
# A virtual node n joins every seed at its starting cost; scipy keeps the
# smallest of parallel arcs only if we reduce them first.
best = {}
for u, v, t in case["arcs"] + [[n, s[0], s[1]] for s in case["seeds"]]:
    if u == v:
        continue
    best[(u, v)] = min(t, best.get((u, v), float("inf")))
rows = [k[0] for k in best]; cols = [k[1] for k in best]; w = [best[k] for k in best]
g = csr_matrix((w, (rows, cols)), shape=(n + 1, n + 1))
d = dijkstra(g, directed=True, indices=[n], min_only=True)
print(json.dumps([None if not np.isfinite(x) else float(x) for x in d[:n]]))
"#;

fn python_has_scipy() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy, scipy.sparse.csgraph"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The standard output of python3 running `script` on the file `arg`.
fn python(script: &str, arg: &std::path::Path) -> Vec<u8> {
    let out = Command::new("python3")
        .args(["-c", script, arg.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether scipy is there; without it the test is skipped, unless CI
/// requires the peers (`REMOTENESS_REQUIRE_PEERS`).
fn scipy_or_skip() -> bool {
    if python_has_scipy() {
        return true;
    }
    assert!(
        std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
        "REMOTENESS_REQUIRE_PEERS is set but python3 cannot import numpy and scipy"
    );
    eprintln!("skipped: python3 with numpy and scipy not available");
    false
}

#[test]
fn agrees_with_scipy_dijkstra() {
    if !scipy_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = crate::common::Rng(2024);
    for case in 0..10 {
        // Times are strictly positive: scipy treats an explicit zero in a
        // sparse matrix as a missing arc.
        let (n, arcs, seeds) = crate::common::random_case(&mut rng, 2000, 20, 0.1);
        let ours = multi_source(&SearchGraph::from_arcs(n, arcs.clone()), &seeds);
        let json = serde_json::json!({
            "n": n,
            "arcs": arcs.iter().map(|a| (a.0, a.1, a.2)).collect::<Vec<_>>(),
            "seeds": seeds.iter().map(|s| (s.node, s.time_s)).collect::<Vec<_>>(),
        });
        let path = dir.path().join(format!("case{case}.json"));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(json.to_string().as_bytes())
            .unwrap();
        let theirs: Vec<Option<f64>> = serde_json::from_slice(&python(SCRIPT, &path)).unwrap();
        for (v, t) in theirs.iter().enumerate() {
            match t {
                Some(t) => assert!(
                    (ours.time_s[v] - t).abs() <= 1e-9 * t.max(1.0),
                    "case {case} node {v}: {} vs scipy {t}",
                    ours.time_s[v]
                ),
                None => assert!(ours.time_s[v].is_infinite(), "case {case} node {v}"),
            }
        }
    }
}

const MAX_FLOW: &str = r#"
import json, sys
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow
out = []
for case in json.load(open(sys.argv[1])):
    w, facs = case["weight"], case["facilities"]
    n, m = len(w), len(facs)
    src, sink = n + m, n + m + 1
    big = int(sum(w)) + 1
    rows, cols, caps = [], [], []
    for i, x in enumerate(w):
        rows.append(src); cols.append(i); caps.append(int(x))
    for f, (cap, reach) in enumerate(facs):
        rows.append(n + f); cols.append(sink); caps.append(int(cap))
        for i in reach:
            rows.append(i); cols.append(n + f); caps.append(big)
    g = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(n + m + 2, n + m + 2))
    out.append(int(maximum_flow(g, src, sink).flow_value))
print(json.dumps(out))
"#;

/// The capacity objective's flow (kept and grown site by site) against
/// scipy's `maximum_flow` on the same settlements, facilities and reach.
#[test]
fn capacity_flow_agrees_with_scipy_maximum_flow() {
    use remoteness::placement::flow::Capacities;
    use remoteness::placement::{value_of, Objective, Problem};
    if !scipy_or_skip() {
        return;
    }
    let mut rng = crate::common::Rng(77);
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for _ in 0..40 {
        let n = 20 + rng.below(200);
        let c = 5 + rng.below(40);
        let e = rng.below(6);
        let reach = |rng: &mut crate::common::Rng| {
            let mut r: Vec<u32> = (0..1 + rng.below(15))
                .map(|_| rng.below(n) as u32)
                .collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        let weight: Vec<f64> = (0..n).map(|_| rng.below(500) as f64).collect();
        let rows: Vec<Vec<(u32, f64)>> = (0..c)
            .map(|_| reach(&mut rng).into_iter().map(|i| (i, 1.0)).collect())
            .collect();
        let caps = Capacities {
            site_people: (0..c).map(|_| (1 + rng.below(2000)) as f64).collect(),
            existing_rows: (0..e).map(|_| reach(&mut rng)).collect(),
            existing_people: (0..e).map(|_| (1 + rng.below(2000)) as f64).collect(),
        };
        let sites: Vec<usize> = (0..c).filter(|_| rng.below(3) == 0).collect();
        let facilities: Vec<(f64, Vec<u32>)> = caps
            .existing_people
            .iter()
            .copied()
            .zip(caps.existing_rows.iter().cloned())
            .chain(sites.iter().map(|&s| {
                (
                    caps.site_people[s],
                    rows[s].iter().map(|&(i, _)| i).collect(),
                )
            }))
            .collect();
        cases.push(serde_json::json!({"weight": weight, "facilities": facilities}));
        let p = Problem {
            current: vec![f64::INFINITY; n],
            weight,
            cost: vec![1.0; c],
            zone: vec![None; c],
            rows,
            objective: Objective::Capacity {
                threshold_min: 60.0,
            },
            capacities: Some(caps),
        };
        ours.push(value_of(&p, &sites));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let theirs: Vec<i64> = serde_json::from_slice(&python(MAX_FLOW, &path)).unwrap();
    assert_eq!(theirs.len(), ours.len());
    for (k, (o, t)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(*o, *t as f64, "case {k}: ours {o}, scipy {t}");
    }
}
