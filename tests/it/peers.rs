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

#[test]
fn agrees_with_scipy_dijkstra() {
    if !python_has_scipy() {
        assert!(
            std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
            "REMOTENESS_REQUIRE_PEERS is set but python3 cannot import numpy and scipy"
        );
        eprintln!("skipped: python3 with numpy and scipy not available");
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
        let out = Command::new("python3")
            .args(["-c", SCRIPT, path.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Vec<Option<f64>> = serde_json::from_slice(&out.stdout).unwrap();
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
