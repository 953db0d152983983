//! Exact optima of small placement problems: every `k`-subset (brute
//! force, for tests), and the coverage and capacity problems as
//! mixed-integer programmes solved by `microlp` (pure Rust), to measure the
//! heuristic's gap.

use super::{Objective, Problem};

/// Why there is no exact optimum.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExactError {
    /// No programme for this objective.
    #[error("no exact programme for the {0} objective")]
    NotApplicable(&'static str),
    /// Too many facility–settlement pairs.
    #[error("{pairs} facility-settlement pairs, more than the {max} the programme takes")]
    TooLarge {
        /// Pairs.
        pairs: usize,
        /// Limit.
        max: usize,
    },
    /// The solver stopped without an optimum.
    #[error("the solver stopped without a proven optimum: {0}")]
    Solver(String),
}

/// The solution of a solved programme, or why there is none.
fn solved(
    outcome: Result<microlp::SolveOutcome, microlp::Error>,
) -> Result<microlp::Solution, ExactError> {
    let outcome = outcome.map_err(|e| ExactError::Solver(e.to_string()))?;
    if !outcome.is_optimal() {
        return Err(ExactError::Solver("no optimality proof".into()));
    }
    match outcome {
        microlp::SolveOutcome::Solution(sol) => Ok(sol),
        microlp::SolveOutcome::Interrupted(_) => Err(ExactError::Solver("interrupted".into())),
    }
}

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

/// Most facility–settlement pairs for the capacity MILP (one variable and
/// one linking constraint each).
pub const MAX_MILP_PAIRS: usize = 10_000;

/// The exact optimum with at most `k` sites, when there is a MILP for the
/// objective and the instance is small enough: coverage, and capacity up
/// to [`MAX_MILP_PAIRS`] pairs.
pub fn milp(p: &Problem, k: usize) -> Result<(f64, Vec<usize>), ExactError> {
    match p.objective {
        Objective::Coverage { .. } => milp_coverage(p, k),
        Objective::Capacity { .. } => {
            let pairs: usize = p.rows.iter().map(Vec::len).sum::<usize>()
                + p.capacities
                    .as_ref()
                    .map_or(0, |c| c.existing_rows.iter().map(Vec::len).sum::<usize>());
            if pairs > MAX_MILP_PAIRS {
                return Err(ExactError::TooLarge {
                    pairs,
                    max: MAX_MILP_PAIRS,
                });
            }
            milp_capacity(p, k)
        }
        Objective::Median { .. } | Objective::Center { .. } => {
            Err(ExactError::NotApplicable(p.objective.as_str()))
        }
    }
}

/// The optimum of the coverage problem with at most `k` sites, as a MILP:
/// maximise `Σ p_i y_i` over settlements not yet covered, with
/// `y_i ≤ Σ_{c covers i} x_c`, `Σ x_c ≤ k`, `x` binary, `0 ≤ y ≤ 1`; plus
/// the people already covered.
pub fn milp_coverage(p: &Problem, k: usize) -> Result<(f64, Vec<usize>), ExactError> {
    let Objective::Coverage { threshold_min } = p.objective else {
        return Err(ExactError::NotApplicable(p.objective.as_str()));
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
    let sol = solved(lp.solve())?;
    let sites: Vec<usize> = x
        .iter()
        .enumerate()
        .filter(|(_, &v)| sol[v] > 0.5)
        .map(|(c, _)| c)
        .collect();
    Ok((covered_now + sol.objective(), sites))
}

/// The capacity-aware objective as a linear programme: `x_if ≥ 0` people
/// of settlement `i` served by facility `f` within the threshold,
/// `Σ_f x_if ≤ p_i`, `Σ_i x_if ≤ cap_f` for the existing facilities and
/// `≤ cap_c y_c` for the candidates, `y_c` binary with `Σ y_c ≤ k` (and
/// `x_ic ≤ p_i y_c`, which tightens the relaxation); maximise `Σ x_if`.
/// With `fixed`, the candidates open are exactly those (a plain linear
/// programme: the slow, obvious value of a set).
fn capacity_programme(
    p: &Problem,
    fixed: Option<&[usize]>,
    k: usize,
) -> Result<(f64, Vec<usize>), ExactError> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem as Lp, Variable};
    let (Objective::Capacity { .. }, Some(caps)) = (p.objective, p.capacities.as_ref()) else {
        return Err(ExactError::NotApplicable(p.objective.as_str()));
    };
    let mut lp = Lp::new(OptimizationDirection::Maximize);
    let mut by_settlement: Vec<Vec<Variable>> = vec![Vec::new(); p.weight.len()];
    let mut facility = |lp: &mut Lp, rows: &mut dyn Iterator<Item = u32>| -> Vec<(Variable, u32)> {
        rows.filter(|&i| p.weight[i as usize] > 0.0)
            .map(|i| {
                let x = lp.add_var(1.0, (0.0, f64::INFINITY));
                by_settlement[i as usize].push(x);
                (x, i)
            })
            .collect()
    };
    for (row, &cap) in caps.existing_rows.iter().zip(&caps.existing_people) {
        let xs = facility(&mut lp, &mut row.iter().copied());
        let terms: Vec<(Variable, f64)> = xs.iter().map(|&(x, _)| (x, 1.0)).collect();
        lp.add_constraint(terms, ComparisonOp::Le, cap);
    }
    let candidates: Vec<usize> = match fixed {
        Some(sites) => sites.to_vec(),
        None => (0..p.rows.len()).collect(),
    };
    let mut ys = Vec::new();
    for &c in &candidates {
        let xs = facility(&mut lp, &mut p.rows[c].iter().map(|&(i, _)| i));
        let cap = caps.site_people[c];
        let mut terms: Vec<(Variable, f64)> = xs.iter().map(|&(x, _)| (x, 1.0)).collect();
        if fixed.is_some() {
            lp.add_constraint(terms, ComparisonOp::Le, cap);
            continue;
        }
        // Rows scaled to coefficients near 1 (people range over orders of
        // magnitude; unscaled, the solver can meet a singular basis).
        let y = lp.add_binary_var(0.0);
        ys.push((c, y));
        if cap > 0.0 {
            for t in terms.iter_mut() {
                t.1 = 1.0 / cap;
            }
            terms.push((y, -1.0));
            lp.add_constraint(terms, ComparisonOp::Le, 0.0);
        } else {
            lp.add_constraint(terms, ComparisonOp::Le, 0.0);
        }
        for &(x, i) in &xs {
            lp.add_constraint(
                [(x, 1.0 / p.weight[i as usize]), (y, -1.0)],
                ComparisonOp::Le,
                0.0,
            );
        }
    }
    for (i, xs) in by_settlement.iter().enumerate() {
        if !xs.is_empty() {
            let terms: Vec<(Variable, f64)> = xs.iter().map(|&x| (x, 1.0)).collect();
            lp.add_constraint(terms, ComparisonOp::Le, p.weight[i]);
        }
    }
    if fixed.is_none() {
        let terms: Vec<(Variable, f64)> = ys.iter().map(|&(_, y)| (y, 1.0)).collect();
        lp.add_constraint(terms, ComparisonOp::Le, k as f64);
    }
    let sol = solved(lp.solve())?;
    let sites = match fixed {
        Some(s) => s.to_vec(),
        None => ys
            .iter()
            .filter(|&&(_, y)| sol[y] > 0.5)
            .map(|&(c, _)| c)
            .collect(),
    };
    Ok((sol.objective(), sites))
}

/// People served by the existing facilities and `sites` under the
/// capacities, by linear programming (the oracle of the flow).
pub fn capacity_value(p: &Problem, sites: &[usize]) -> Result<f64, ExactError> {
    capacity_programme(p, Some(sites), sites.len()).map(|(v, _)| v)
}

/// The optimum of the capacity-aware objective with at most `k` sites,
/// as a MILP (see `capacity_programme`); the number of pairs grows with
/// the candidates' rows, so only for small instances.
pub fn milp_capacity(p: &Problem, k: usize) -> Result<(f64, Vec<usize>), ExactError> {
    capacity_programme(p, None, k)
}
