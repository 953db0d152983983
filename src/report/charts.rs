//! Per-service charts: the access curve (cumulative share of people against
//! the time or distance to the nearest facility) and the distribution of
//! that metric by zone.
//!
//! Times are minutes; distances are shown in kilometres. Settlements with no
//! trip never reach the facility: the curve stays below 100 % by their
//! share.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::data::{weighted_quantiles, Metric, RunData, ServiceInfo};
use super::esc;
use super::i18n::{Key, Lang};

const W: f64 = 560.0;
const H: f64 = 250.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 40.0;

/// The axis value of a metric value (minutes, or kilometres for metres).
fn axis_value(svc: &ServiceInfo, v: f64) -> f64 {
    match svc.metric {
        Metric::Time => v,
        Metric::Distance => v / 1000.0,
    }
}

/// A metric value in words, with its unit (`45 min`, `5.0 km`).
pub fn with_unit(lang: Lang, svc: &ServiceInfo, v: f64) -> String {
    match svc.metric {
        Metric::Time => format!(
            "{}\u{a0}{}",
            lang.num(v, if v < 10.0 { 1 } else { 0 }),
            lang.t(Key::Minutes)
        ),
        Metric::Distance if v < 1000.0 => {
            format!("{}\u{a0}{}", lang.num(v, 0), lang.t(Key::Metres))
        }
        Metric::Distance => format!(
            "{}\u{a0}{}",
            lang.num(v / 1000.0, 1),
            lang.t(Key::Kilometres)
        ),
    }
}

/// A round step (1, 2 or 5 × 10^k) giving about five intervals on `range`.
fn nice_step(range: f64) -> f64 {
    let raw = (range / 5.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    mag * if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// The axis end for a service: at least 1.5 × the threshold, else the
/// 95th percentile of the people reached, rounded up to a step.
fn axis_max(svc: &ServiceInfo, pairs: &[(Option<f64>, f64)]) -> f64 {
    let reached: Vec<(Option<f64>, f64)> =
        pairs.iter().filter(|p| p.0.is_some()).copied().collect();
    let p95 = weighted_quantiles(&reached, &[0.95])[0].unwrap_or(0.0);
    let want = axis_value(svc, p95).max(1.5 * axis_value(svc, svc.threshold));
    let step = nice_step(want);
    ((want / step).ceil() * step).max(step)
}

/// `(metric, people)` of every settlement for service `k`.
fn pairs(data: &RunData, k: usize) -> Vec<(Option<f64>, f64)> {
    data.settlements
        .iter()
        .map(|s| (s.values.get(k).copied().flatten(), s.pop))
        .collect()
}

/// The access curve of service `k` (SVG).
pub fn access_curve(lang: Lang, data: &RunData, k: usize) -> String {
    let svc = &data.services[k];
    let mut pairs = pairs(data, k);
    let xmax = axis_max(svc, &pairs);
    pairs.sort_by(|a, b| {
        a.0.unwrap_or(f64::INFINITY)
            .total_cmp(&b.0.unwrap_or(f64::INFINITY))
    });
    let total: f64 = pairs.iter().map(|p| p.1.max(0.0)).sum();
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let sx = |x: f64| LEFT + pw * (x / xmax).clamp(0.0, 1.0);
    let sy = |share: f64| TOP + ph * (1.0 - share.clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" direction=\"ltr\" role=\"img\" aria-label=\"{}\">",
        esc(lang.t(Key::AccessCurve))
    );
    // Grid and axes.
    s.push_str("<g class=\"grid\">");
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = sy(q);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            lang.pct(q, 0)
        );
    }
    let step = nice_step(xmax);
    let mut x = 0.0;
    while x <= xmax + 1e-9 {
        let px = sx(x);
        let _ = write!(
            s,
            "<line x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{TOP}\" y2=\"{}\"/><text x=\"{px:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            TOP + ph,
            TOP + ph + 16.0,
            lang.num(x, if step < 1.0 { 1 } else { 0 })
        );
        x += step;
    }
    s.push_str("</g>");
    let axis = match svc.metric {
        Metric::Time => Key::TimeAxis,
        Metric::Distance => Key::DistanceAxis,
    };
    let _ = write!(
        s,
        "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text class=\"axis\" transform=\"translate(12 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        LEFT + pw / 2.0,
        H - 4.0,
        esc(lang.t(axis)),
        TOP + ph / 2.0,
        esc(lang.t(Key::ShareOfPeople))
    );
    // The step curve, one point per pixel column at most.
    if total > 0.0 {
        let mut pts = format!("{LEFT},{:.1}", sy(0.0));
        let mut acc = 0.0;
        let mut last_px = LEFT;
        let mut last_y = sy(0.0);
        let mut open = false;
        for (v, w) in &pairs {
            let Some(v) = v else { break };
            let xv = axis_value(svc, *v);
            if xv > xmax {
                break;
            }
            let px = (sx(xv) * 2.0).round() / 2.0;
            if px > last_px {
                // Close the last column at its final share, then step
                // across at that share: two points per half-pixel column
                // whatever the number of settlements.
                if open {
                    let _ = write!(pts, " {last_px},{last_y:.1}");
                }
                let _ = write!(pts, " {px},{last_y:.1}");
                last_px = px;
            }
            acc += w.max(0.0);
            last_y = sy(acc / total);
            open = true;
        }
        if open {
            let _ = write!(pts, " {last_px},{last_y:.1}");
        }
        let _ = write!(pts, " {},{last_y:.1}", sx(xmax));
        let _ = write!(s, "<polyline class=\"curve\" points=\"{pts}\"/>");
    }
    // The threshold and the share within it.
    let tx = sx(axis_value(svc, svc.threshold));
    let within = 1.0 - svc.share_beyond;
    let _ = write!(
        s,
        "<line class=\"thr\" x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"{TOP}\" y2=\"{}\"/>\
         <text class=\"thr-label\" x=\"{:.1}\" y=\"{}\">{} {}</text>",
        TOP + ph,
        tx + 4.0,
        TOP + 12.0,
        esc(lang.t(Key::Threshold)),
        esc(&with_unit(lang, svc, svc.threshold))
    );
    if within.is_finite() {
        let _ = write!(
            s,
            "<circle class=\"thr-dot\" cx=\"{tx:.1}\" cy=\"{:.1}\" r=\"4\"/><text class=\"thr-label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            sy(within),
            tx + 6.0,
            sy(within) + 16.0,
            lang.pct(within, 1)
        );
    }
    s.push_str("</svg>");
    s
}

/// Per zone (ranked): median, interquartile bar on a shared scale, and the
/// share beyond the threshold (HTML table).
pub fn zone_distribution(lang: Lang, data: &RunData, k: usize) -> String {
    let Some(zones) = data.zones.as_deref() else {
        return String::new();
    };
    let svc = &data.services[k];
    let all = pairs(data, k);
    let xmax = axis_max(svc, &all);
    let mut by_zone: HashMap<&str, Vec<(Option<f64>, f64)>> = HashMap::new();
    for s in &data.settlements {
        by_zone
            .entry(s.zone_id.as_str())
            .or_default()
            .push((s.values.get(k).copied().flatten(), s.pop));
    }
    let mut order: Vec<&super::data::Zone> = zones.iter().collect();
    order.sort_by_key(|z| (z.rank.unwrap_or(u64::MAX), z.id.clone()));
    let mut h = String::new();
    let _ = write!(
        h,
        "<table class=\"dist\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"bar-h\">{} (0–{})</th><th>{}</th></tr></thead><tbody>",
        esc(lang.t(Key::Rank)),
        esc(lang.t(Key::Zone)),
        esc(lang.t(Key::Median)),
        esc(lang.t(Key::Quartiles)),
        esc(&with_unit(lang, svc, match svc.metric {
            Metric::Time => xmax,
            Metric::Distance => xmax * 1000.0,
        })),
        esc(lang.t(Key::BeyondThreshold))
    );
    let bw = 160.0;
    let bx = |v: f64| (bw * (axis_value(svc, v) / xmax).clamp(0.0, 1.0) * 10.0).round() / 10.0;
    for z in order {
        let pairs = by_zone.get(z.id.as_str()).cloned().unwrap_or_default();
        let q = weighted_quantiles(&pairs, &[0.25, 0.5, 0.75]);
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        let beyond = z
            .share_beyond
            .get(k)
            .copied()
            .flatten()
            .filter(|_| z.pop > 0.0)
            .or_else(|| {
                (total > 0.0).then(|| {
                    pairs
                        .iter()
                        .filter(|p| p.0.is_none_or(|v| v > svc.threshold))
                        .map(|p| p.1)
                        .sum::<f64>()
                        / total
                })
            });
        let median = q[1].map_or("–".to_string(), |m| with_unit(lang, svc, m));
        let mut bar = format!(
            "<svg class=\"bar\" viewBox=\"0 0 {bw} 14\" direction=\"ltr\"><line class=\"thr\" x1=\"{t}\" x2=\"{t}\" y1=\"0\" y2=\"14\"/>",
            t = bx(svc.threshold)
        );
        if total > 0.0 {
            let lo = q[0].map_or(bw, bx);
            let hi = q[2].map_or(bw, bx);
            let _ = write!(
                bar,
                "<rect x=\"{lo}\" y=\"3\" width=\"{:.1}\" height=\"8\"/>",
                (hi - lo).max(1.0)
            );
            if let Some(m) = q[1] {
                let _ = write!(
                    bar,
                    "<line class=\"med\" x1=\"{0}\" x2=\"{0}\" y1=\"1\" y2=\"13\"/>",
                    bx(m)
                );
            }
        }
        bar.push_str("</svg>");
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td><bdi>{}</bdi></td><td class=\"n\">{}</td><td>{bar}</td><td class=\"n\">{}</td></tr>",
            z.rank.map_or("–".into(), |r| r.to_string()),
            esc(z.label()),
            median,
            beyond.map_or("–".into(), |b| lang.pct(b, 0))
        );
    }
    h.push_str("</tbody></table>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(100.0), 20.0);
        assert_eq!(nice_step(90.0), 20.0);
        assert_eq!(nice_step(7.0), 2.0);
        assert_eq!(nice_step(1000.0), 200.0);
        assert_eq!(nice_step(40.0), 10.0);
    }

    /// The access curve of 60,000 settlements: at most two points per
    /// half-pixel column, and at the end of each column the cumulative
    /// share of people within it (computed here independently).
    #[test]
    fn the_access_curve_has_two_points_per_column_at_most() {
        use super::super::data::Settlement;
        let n = 60_000;
        let settlements: Vec<Settlement> = (0..n)
            .map(|i| Settlement {
                name: String::new(),
                lon: 0.0,
                lat: 0.0,
                pop: (i % 7) as f64,
                zone_id: String::new(),
                composite: None,
                class: String::new(),
                // Minutes spread over 0–100, a tenth never reached.
                values: vec![(i % 10 != 0).then(|| ((i * 7919) % 100_000) as f64 / 1000.0)],
            })
            .collect();
        let svc = ServiceInfo {
            name: "health".into(),
            code: "hlth".into(),
            profile: "walk".into(),
            metric: Metric::Time,
            threshold: 60.0,
            straight_line: false,
            population_beyond: 0.0,
            share_beyond: 0.5,
            facilities: Some(1),
        };
        let data = RunData {
            run: serde_json::Value::Null,
            services: vec![svc],
            zones: None,
            settlements,
            facilities: Vec::new(),
            comparison: None,
        };
        let svg = access_curve(Lang::En, &data, 0);
        let pts: Vec<(f64, f64)> = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        let columns = 2.0 * (W - LEFT - RIGHT);
        assert!(
            pts.len() as f64 <= 2.0 * columns + 3.0,
            "{} points",
            pts.len()
        );
        // The share at the end of every column, by brute force.
        let total: f64 = data.settlements.iter().map(|s| s.pop).sum();
        let xmax = axis_max(&data.services[0], &pairs(&data, 0));
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let mut within: std::collections::BTreeMap<i64, f64> = Default::default();
        for s in &data.settlements {
            if let Some(v) = s.values[0].filter(|v| *v <= xmax) {
                let px = ((LEFT + pw * v / xmax) * 2.0).round() / 2.0;
                *within.entry((px * 2.0) as i64).or_default() += s.pop;
            }
        }
        let mut acc = 0.0;
        let mut checked = 0;
        for (col, w) in within {
            acc += w;
            let (x, y) = (col as f64 / 2.0, TOP + ph * (1.0 - acc / total));
            // The last point drawn in this column.
            let last = pts.iter().rev().find(|p| p.0 == x).unwrap();
            assert!(
                (last.1 - y).abs() <= 0.05 + 1e-9,
                "column {x}: {} vs {y}",
                last.1
            );
            checked += 1;
        }
        assert!(checked > 500, "{checked} columns");
    }
}
