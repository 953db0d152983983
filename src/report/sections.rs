//! The report's text sections: the zone ranking, access by service, data
//! coverage, and method and assumptions.

use std::fmt::Write as _;

use serde_json::Value;

use super::charts::{access_curve, with_unit, zone_distribution};
use super::data::{facilities_by_zone, Metric, RunData, ServiceInfo, Zone};
use super::i18n::{service_label, warning_label, Key, Lang};
use super::{bdi, esc};

fn svc_name(lang: Lang, svc: &ServiceInfo) -> String {
    service_label(lang, &svc.name)
}

/// Zones in rank order (unranked last, by id).
pub fn ranked(zones: &[Zone]) -> Vec<&Zone> {
    let mut v: Vec<&Zone> = zones.iter().collect();
    v.sort_by_key(|z| (z.rank.unwrap_or(u64::MAX), z.id.clone()));
    v
}

/// A zone's reason in `lang`: English as the run wrote it; other languages
/// rebuilt by the run's rule (services with at least `reason_min_share` of
/// the people beyond the threshold, worst first).
pub fn reason(lang: Lang, data: &RunData, z: &Zone) -> String {
    if lang == Lang::En {
        return z.reason.clone();
    }
    let min_share = data.run["settings"]["zones"]["reason_min_share"]
        .as_f64()
        .unwrap_or(0.25);
    let mut over: Vec<(usize, f64)> = z
        .share_beyond
        .iter()
        .enumerate()
        .filter_map(|(k, s)| s.filter(|&s| s >= min_share && s > 0.0).map(|s| (k, s)))
        .collect();
    over.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if over.is_empty() {
        return match z.reason.split_once(" is the main gap: ") {
            Some((name, rest)) => {
                let times = rest
                    .split_whitespace()
                    .find_map(|w| w.parse::<f64>().ok())
                    .unwrap_or(0.0);
                let svc = service_label(lang, name);
                lang.fill(Key::LargestComponent, &[&svc, &lang.num(times, 1)])
            }
            None => z.reason.clone(),
        };
    }
    over.iter()
        .map(|&(k, share)| {
            let svc = &data.services[k];
            lang.fill(
                Key::ReasonItem,
                &[
                    &svc_name(lang, svc),
                    &lang.pct(share, 0),
                    &with_unit(lang, svc, svc.threshold),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(if lang == Lang::Ar { "؛ " } else { " ; " })
}

/// The ranked table of all zones, priority zones marked.
pub fn ranking(lang: Lang, data: &RunData, zones: &[Zone]) -> String {
    let mut h = format!(
        "<p>{}</p><table class=\"rank\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(lang.t(Key::RankingNote)),
        esc(lang.t(Key::Rank)),
        esc(lang.t(Key::Zone)),
        esc(lang.t(Key::People)),
        esc(lang.t(Key::Composite)),
        esc(lang.t(Key::Burden)),
        esc(lang.t(Key::RankBurden)),
        esc(lang.t(Key::Severity)),
        esc(lang.t(Key::RankSeverity)),
        esc(lang.t(Key::Reason)),
    );
    for z in ranked(zones) {
        let _ = write!(
            h,
            "<tr data-zone-row=\"{}\"{}><td class=\"n\">{}{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&z.id),
            if z.priority { " class=\"prio\"" } else { "" },
            z.rank.map_or("–".into(), |r| r.to_string()),
            if z.priority {
                format!(" <span title=\"{0}\" aria-label=\"{0}\">★</span>", esc(lang.t(Key::Priority)))
            } else {
                String::new()
            },
            bdi(z.label()),
            lang.int(z.pop),
            lang.num(z.composite.unwrap_or(f64::NAN), 2),
            lang.int(z.burden.unwrap_or(f64::NAN)),
            z.rank_burden.map_or("–".into(), |r| r.to_string()),
            z.severity.map_or("–".into(), |s| lang.pct(s, 0)),
            z.rank_severity.map_or("–".into(), |r| r.to_string()),
            esc(&reason(lang, data, z)),
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// One block per service: people beyond, the access curve, the zones.
pub fn services(lang: Lang, data: &RunData) -> String {
    let mut h = String::new();
    for (k, svc) in data.services.iter().enumerate() {
        let how = if svc.straight_line {
            lang.t(Key::StraightLineService).to_string()
        } else {
            lang.fill(Key::ByProfile, &[&svc.profile])
        };
        let _ =
            write!(
            h,
            "<section class=\"service\" id=\"svc-{}\"><h3>{}</h3><p class=\"big\">{}</p><p>{}</p>",
            esc(&svc.code),
            bdi(&svc_name(lang, svc)),
            esc(&lang.fill(
                Key::BeyondSentence,
                &[
                    &lang.int(svc.population_beyond),
                    &lang.pct(svc.share_beyond, 1),
                    &with_unit(lang, svc, svc.threshold),
                ],
            )),
            esc(&lang.fill(
                Key::ThresholdSentence,
                &[&svc_name(lang, svc), &with_unit(lang, svc, svc.threshold), &how],
            )),
        );
        if svc.facilities == Some(0) {
            let _ = write!(
                h,
                "<p class=\"warn\">{}</p>",
                esc(lang.t(Key::NoFacilitySentence))
            );
        }
        let _ = write!(
            h,
            "<div class=\"pair\"><figure><figcaption>{}</figcaption>{}<p class=\"note\">{}</p></figure>",
            esc(lang.t(Key::AccessCurve)),
            access_curve(lang, data, k),
            esc(lang.t(Key::AccessCurveNote))
        );
        if data.zones.is_some() {
            let _ = write!(
                h,
                "<figure><figcaption>{}</figcaption>{}</figure>",
                esc(lang.t(Key::ByZone)),
                zone_distribution(lang, data, k)
            );
        }
        h.push_str("</div></section>");
    }
    h
}

/// Facilities per 10,000 people, zones without a facility, the warnings.
pub fn coverage(lang: Lang, data: &RunData) -> String {
    let population = data.run["counts"]["population"]
        .as_f64()
        .unwrap_or_else(|| data.settlements.iter().map(|s| s.pop).sum());
    let located: Vec<bool> = data
        .services
        .iter()
        .map(|s| data.facilities.iter().any(|f| f.service == s.name))
        .collect();
    let per10k = |n: f64, pop: f64| {
        if pop > 0.0 {
            lang.num(n / pop * 1e4, 1)
        } else {
            "–".into()
        }
    };
    let zones = data.zones.as_deref().unwrap_or_default();
    let counts = facilities_by_zone(zones, &data.services, &data.facilities);
    let mut h = format!(
        "<h3>{}</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(lang.t(Key::FacilitiesPer10k)),
        esc(lang.t(Key::Service)),
        esc(lang.t(Key::Facilities)),
        esc(lang.t(Key::Per10k)),
        esc(lang.t(Key::ZonesWithout)),
    );
    for (k, svc) in data.services.iter().enumerate() {
        let n = svc.facilities.unwrap_or(0) as f64;
        let without = if !located[k] && n > 0.0 {
            "–".to_string()
        } else {
            let names: Vec<String> = ranked(zones)
                .into_iter()
                .filter(|z| z.pop > 0.0)
                .filter(|z| {
                    let i = zones.iter().position(|q| std::ptr::eq(q, *z)).unwrap_or(0);
                    counts[i][k] == 0
                })
                .map(|z| bdi(z.label()))
                .collect();
            if names.is_empty() {
                esc(lang.t(Key::NoneFound))
            } else {
                names.join(", ")
            }
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            bdi(&svc_name(lang, svc)),
            lang.int(n),
            per10k(n, population),
            without
        );
    }
    h.push_str("</tbody></table>");
    for (k, svc) in data.services.iter().enumerate() {
        if !located[k] && svc.facilities.unwrap_or(0) > 0 {
            let _ = write!(
                h,
                "<p class=\"note\">{}</p>",
                esc(&lang.fill(Key::NotLocated, &[&svc_name(lang, svc)]))
            );
        }
    }
    if !zones.is_empty() {
        let _ = write!(
            h,
            "<p class=\"note\">{}</p><table class=\"cov\"><thead><tr><th>{}</th><th>{}</th>",
            esc(lang.t(Key::PointsLocated)),
            esc(lang.t(Key::Zone)),
            esc(lang.t(Key::People))
        );
        for (k, svc) in data.services.iter().enumerate() {
            if located[k] {
                let _ = write!(h, "<th>{}</th>", bdi(&svc_name(lang, svc)));
            }
        }
        h.push_str("</tr></thead><tbody>");
        for z in ranked(zones) {
            let i = zones.iter().position(|q| std::ptr::eq(q, z)).unwrap_or(0);
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td>",
                bdi(z.label()),
                lang.int(z.pop)
            );
            for (k, _) in data.services.iter().enumerate() {
                if located[k] {
                    let c = counts[i][k];
                    let cls = if c == 0 && z.pop > 0.0 {
                        " class=\"n zero\""
                    } else {
                        " class=\"n\""
                    };
                    let _ = write!(h, "<td{cls}>{} ({})</td>", c, per10k(c as f64, z.pop));
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(&warnings(lang, data));
    h
}

fn warnings(lang: Lang, data: &RunData) -> String {
    let w = &data.run["warnings"];
    let mut h = format!("<h3>{}</h3>", esc(lang.t(Key::WarningsTitle)));
    let counts = w["counts"].as_object().cloned().unwrap_or_default();
    if counts.is_empty() {
        let _ = write!(h, "<p>{}</p>", esc(lang.t(Key::NoWarnings)));
        return h;
    }
    h.push_str("<ul class=\"warnings\">");
    for (kind, n) in &counts {
        let _ = write!(
            h,
            "<li><strong>{}</strong> <code>{}</code>",
            esc(&lang.fill(
                Key::WarningCount,
                &[
                    &lang.int(n.as_f64().unwrap_or(0.0)),
                    &warning_label(lang, kind)
                ]
            )),
            esc(kind)
        );
        let examples: Vec<&Value> = w["examples"]
            .as_array()
            .map(|a| a.iter().filter(|e| e["kind"] == kind.as_str()).collect())
            .unwrap_or_default();
        if !examples.is_empty() {
            let _ = write!(
                h,
                "<p class=\"note\">{}</p><ul lang=\"en\" dir=\"ltr\">",
                esc(lang.t(Key::MessagesInEnglish))
            );
            for e in examples {
                let _ = write!(
                    h,
                    "<li><bdi>{}</bdi> {} <bdi>{}</bdi>: {}</li>",
                    esc(e["file"].as_str().unwrap_or_default()),
                    esc(e["field"].as_str().unwrap_or_default()),
                    esc(e["feature"].as_str().unwrap_or_default()),
                    esc(e["message"].as_str().unwrap_or_default())
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</li>");
    }
    h.push_str("</ul>");
    h
}

/// `key = value` for every leaf of `v` under `prefix`.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        Value::Array(a) if a.iter().any(|x| x.is_object()) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        Value::Null => {}
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Every parameter of the run, in words, then all settings as recorded.
pub fn method(lang: Lang, data: &RunData) -> String {
    let run = &data.run;
    let st = &run["settings"];
    let mut rows: Vec<(String, String)> = Vec::new();
    let mode = run["travel_mode"].as_str().unwrap_or_default();
    rows.push((
        lang.t(Key::TravelMode).into(),
        if mode == "straight_line" {
            lang.t(Key::StraightLine).into()
        } else {
            format!("{} ({mode})", lang.t(Key::RoadNetwork))
        },
    ));
    for svc in &data.services {
        let how = if svc.straight_line {
            lang.t(Key::StraightLineService).to_string()
        } else {
            lang.fill(Key::ByProfile, &[&svc.profile])
        };
        let unit = match svc.metric {
            Metric::Time => format!("{} {}", lang.num(svc.threshold, 0), lang.t(Key::Minutes)),
            Metric::Distance => format!("{} {}", lang.int(svc.threshold), lang.t(Key::Metres)),
        };
        rows.push((
            svc_name(lang, svc),
            format!("{} {unit}, {how}", lang.t(Key::Threshold)),
        ));
    }
    let t = &st["travel"];
    let metres = |x: &Value| {
        x.as_f64()
            .map(|v| format!("{} {}", lang.int(v), lang.t(Key::Metres)))
    };
    if let Some(c) = t["circuity"].as_f64() {
        rows.push((lang.t(Key::Circuity).into(), lang.num(c, 2)));
    }
    if let Some(m) = metres(&t["max_snap_m"]) {
        rows.push((lang.t(Key::MaxSnap).into(), m));
    }
    if let Some(m) = metres(&t["max_direct_m"]) {
        rows.push((lang.t(Key::MaxDirect).into(), m));
    }
    if let Some(profiles) = st["profiles"].as_object() {
        for (name, p) in profiles {
            for (key, field) in [
                (Key::NoRoadSpeed, "no_road_kmh"),
                (Key::OffroadSpeed, "offroad_kmh"),
            ] {
                if let Some(v) = p[field].as_f64() {
                    rows.push((
                        lang.fill(key, &[name]),
                        format!("{} {}", lang.num(v, 1), lang.t(Key::Speeds)),
                    ));
                }
            }
        }
    }
    if let Some(m) = st["population"]["mode"].as_str() {
        let rule = run["allocation"]["rule"]
            .as_str()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        rows.push((lang.t(Key::PopulationMode).into(), format!("{m}{rule}")));
    }
    let z = &st["zones"];
    if let Some(v) = z["priority_fraction"].as_f64() {
        rows.push((lang.t(Key::PriorityFraction).into(), lang.pct(v, 0)));
    }
    if let Some(v) = z["reason_min_share"].as_f64() {
        rows.push((lang.t(Key::ReasonMinShare).into(), lang.pct(v, 0)));
    }
    if let Some(v) = z["h3_resolution"].as_u64() {
        rows.push((lang.t(Key::H3Resolution).into(), v.to_string()));
    }
    if let Some(v) = run["counts"]["zone_source"].as_str() {
        rows.push((lang.t(Key::ZoneSource).into(), v.into()));
    }
    if let Some(v) = run["composite_max"].as_f64() {
        rows.push((lang.t(Key::CompositeMax).into(), lang.num(v, 0)));
    }
    if let Some(v) = st["measures"]["rank_by"].as_str() {
        rows.push((lang.t(Key::RankBy).into(), v.into()));
    }
    if let Some(v) = run["version"].as_str() {
        rows.push((lang.t(Key::Version).into(), v.into()));
    }
    let mut h = String::from("<dl class=\"params\">");
    for (k, v) in rows {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(&k), esc(&v));
    }
    let _ = write!(h, "</dl><p>{}</p>", esc(lang.t(Key::CompositeMethod)));
    if let Some(a) = run["assumptions"].as_array() {
        let _ = write!(
            h,
            "<h3>{}</h3><ul lang=\"en\" dir=\"ltr\">",
            esc(lang.t(Key::AssumptionsTitle))
        );
        for s in a.iter().filter_map(Value::as_str) {
            let _ = write!(h, "<li>{}</li>", esc(s));
        }
        h.push_str("</ul>");
    }
    if let Some(inputs) = run["inputs"].as_array() {
        let _ = write!(
            h,
            "<h3>{}</h3><ul dir=\"ltr\">",
            esc(lang.t(Key::InputsTitle))
        );
        for i in inputs {
            let sha = i["sha256"].as_str().unwrap_or_default();
            let _ = write!(
                h,
                "<li><code>{}</code> — {} B, sha256 <code>{}</code></li>",
                esc(i["path"].as_str().unwrap_or_default()),
                lang.int(i["bytes"].as_f64().unwrap_or(f64::NAN)),
                esc(&sha[..sha.len().min(16)])
            );
        }
        h.push_str("</ul>");
    }
    if let Some(cmd) = run["command"].as_array() {
        let words: Vec<&str> = cmd.iter().filter_map(Value::as_str).collect();
        let _ = write!(
            h,
            "<h3>{}</h3><pre dir=\"ltr\">{}</pre>",
            esc(lang.t(Key::CommandTitle)),
            esc(&words.join(" "))
        );
    }
    let mut all = Vec::new();
    flatten("", st, &mut all);
    let _ = write!(
        h,
        "<details><summary>{}</summary><table class=\"all\" dir=\"ltr\"><tbody>",
        esc(lang.t(Key::AllSettings))
    );
    for (k, v) in all {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
            esc(&k),
            esc(&v)
        );
    }
    h.push_str("</tbody></table></details>");
    h
}
