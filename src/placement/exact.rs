//! Exact optima of small placement problems: every `k`-subset (brute
//! force, for tests), and the coverage problem as a mixed-integer program
//! solved by `microlp` (pure Rust), to measure the heuristic's gap.

use super::{Objective, Problem};

/// The best `k` sites by trying every subset (ties: the first subset in
/// lexicographic order). Only for small problems: `C(n, k)` subsets.
pub fn brute_force(p: &Problem, k: usize) -> (f64, Vec<usize>) {
    let n = p.rows.len();
    let k = k.min(n);
    let mut best = (f64::NEG_INFINITY, Vec::new());
    let mut idx: Vec<usize> = (0..k).collect();
    loop {
        let v = super::evaluate(p, &idx);
        if v > best.0 {
            best = (v, idx.clone());
        }
        // Next combination: the rightmost index that can still move.
        let mut i = k;
        while i > 0 && idx[i - 1] == n - k + (i - 1) {
            i -= 1;
        }
        if i == 0 {
            return best;
        }
        idx[i - 1] += 1;
        for j in i..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// The optimum of the coverage problem with at most `k` sites, as a MILP:
/// maximise `Σ p_i y_i` over settlements not yet covered, with
/// `y_i ≤ Σ_{c covers i} x_c`, `Σ x_c ≤ k`, `x` binary, `0 ≤ y ≤ 1`; plus
/// the people already covered. `None` for the median objective, or when
/// the solver fails.
pub fn milp_coverage(p: &Problem, k: usize) -> Option<(f64, Vec<usize>)> {
    let Objective::Coverage { threshold_min } = p.objective else {
        return None;
    };
    use microlp::{ComparisonOp, OptimizationDirection, Problem as Lp};
    let covered_now: f64 = p
        .current
        .iter()
        .zip(&p.weight)
        .filter(|(&d, _)| d <= threshold_min)
        .map(|(_, &w)| w)
        .sum();
    let mut lp = Lp::new(OptimizationDirection::Maximize);
    let x: Vec<_> = (0..p.rows.len()).map(|_| lp.add_binary_var(0.0)).collect();
    // Who can cover each settlement that is not covered yet.
    let mut coverers: Vec<Vec<usize>> = vec![Vec::new(); p.weight.len()];
    for (c, row) in p.rows.iter().enumerate() {
        for &(i, t) in row {
            let i = i as usize;
            if t <= threshold_min && p.current[i] > threshold_min && p.weight[i] > 0.0 {
                coverers[i].push(c);
            }
        }
    }
    for (i, cs) in coverers.iter().enumerate() {
        if cs.is_empty() {
            continue;
        }
        let y = lp.add_var(p.weight[i], (0.0, 1.0));
        let mut terms: Vec<(microlp::Variable, f64)> = vec![(y, 1.0)];
        terms.extend(cs.iter().map(|&c| (x[c], -1.0)));
        lp.add_constraint(terms, ComparisonOp::Le, 0.0);
    }
    lp.add_constraint(
        x.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>(),
        ComparisonOp::Le,
        k as f64,
    );
    let outcome = lp.solve().ok()?;
    if !outcome.is_optimal() {
        return None;
    }
    let microlp::SolveOutcome::Solution(sol) = outcome else {
        return None;
    };
    let sites: Vec<usize> = x
        .iter()
        .enumerate()
        .filter(|(_, &v)| sol[v] > 0.5)
        .map(|(c, _)| c)
        .collect();
    Some((covered_now + sol.objective(), sites))
}
