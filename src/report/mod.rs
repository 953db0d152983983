//! `report.html`: a run's results as one self-contained page for a council,
//! in English, French or Arabic.
//!
//! The report is rebuilt from the files a run wrote ([`data::load`]:
//! `run.json`, `zones.geojson`, `settlements.geojson`,
//! `facilities.geojson`, and for a `scenarios` folder `baseline/` and
//! `comparison.csv`), so it always matches them. The page makes no network
//! request: the map and charts are inline SVG drawn here, the style sheet
//! and the small script (the zone information panel) are inline, and it
//! uses the reader's system fonts.
//!
//! Sections: a map of the zones coloured by rank, priority zones outlined,
//! settlements sized by population and coloured by isolation class,
//! facilities as one symbol per service ([`map`]); the zones ranked by
//! burden; per service the people beyond the threshold, the access curve
//! and the distribution by zone ([`charts`]); data coverage and the run's
//! warnings; every parameter of the run ([`sections`]); the scenarios
//! against the baseline ([`scenarios`]). Labels are in [`i18n`], numbers
//! written per language in [`numbers`].

pub mod charts;
pub mod data;
pub mod i18n;
pub mod map;
pub mod numbers;
pub mod scenarios;
pub mod sections;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use data::{load, RunData};
pub use i18n::Lang;
use i18n::{service_label, Key};

/// A report error, naming the file at fault.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A file the report needs is not there.
    #[error("{path}: not found (is this the output folder of a finished remoteness run?)")]
    Missing {
        /// File.
        path: PathBuf,
    },
    /// A file cannot be read.
    #[error("{path}: cannot read")]
    Read {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A file is not valid JSON or CSV.
    #[error("{path}: cannot be parsed: {message}")]
    Parse {
        /// File.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A file parses but lacks what the report needs.
    #[error("{path}: {message}")]
    Invalid {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The report cannot be written.
    #[error("{path}: cannot write the report")]
    Write {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// The report's file name in an output folder.
pub const REPORT_FILE: &str = "report.html";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A name isolated from the surrounding text direction (`<bdi>`), so an
/// Arabic name in an English sentence, or a Latin one on the Arabic page,
/// keeps its own order.
pub fn bdi(s: &str) -> String {
    format!("<bdi>{}</bdi>", esc(s))
}

const CSS: &str = r#"
:root{--ink:#1b1b1b;--muted:#555;--line:#d6d6d6;--accent:#3f007d;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"Segoe UI","Noto Sans","Noto Sans Arabic","DejaVu Sans",Tahoma,sans-serif;font-size:17px;line-height:1.45;color:var(--ink);background:var(--bg)}
header,main,footer{max-width:1240px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:4px solid var(--accent)}
h1{font-size:2.1em;margin:.2em 0 0}
h2{font-size:1.55em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.15em}
h3{font-size:1.2em;margin:1.1em 0 .3em}
h4{margin:.3em 0}
.subtitle{font-size:1.2em;color:var(--muted);margin:.2em 0}
.summary{font-size:1.15em}
.keyfigs{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0}
.keyfigs li{border:1px solid var(--line);border-inline-start:6px solid var(--accent);padding:6px 12px;min-width:220px}
.keyfigs strong{font-size:1.3em;display:block}
nav ul{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0}
nav a{color:var(--accent)}
bdi{unicode-bidi:isolate}
.mapwrap{display:grid;grid-template-columns:minmax(0,1fr) 280px;gap:12px;align-items:start}
svg.map{width:100%;height:auto;max-height:85vh;background:#f7f7f7;border:1px solid var(--line)}
.map text{unicode-bidi:plaintext}
.zone{stroke:#fff;stroke-width:.8;cursor:pointer}
.zone:hover,.zone:focus,.zone.sel{stroke:#ffb000;stroke-width:3;outline:none}
.prio .casing{fill:none;stroke:#fff;stroke-width:6;pointer-events:none}
.prio .line{fill:none;stroke:#000;stroke-width:3;pointer-events:none}
.settl circle{stroke:#222;stroke-width:.6}
.fac path{fill:#111;stroke:#fff;stroke-width:.8}
.labels text{font-size:13px;font-weight:700;fill:#111;stroke:#fff;stroke-width:3.5px;stroke-linejoin:round;paint-order:stroke;text-anchor:middle;pointer-events:none}
.info{border:1px solid var(--line);padding:10px;min-height:120px;position:sticky;top:8px;background:#fff}
.info dl{display:grid;grid-template-columns:auto auto;gap:2px 10px;margin:0;font-size:.9em}
.info dt{color:var(--muted)}.info dd{margin:0}
.legend{display:flex;flex-wrap:wrap;gap:10px 36px;font-size:.92em}
.legend ul{list-style:none;padding:0;margin:0}
.legend p{margin:.2em 0}
.key{width:14px;height:14px;vertical-align:-2px}
.ramp{width:220px;height:14px;border:1px solid #999}
.ramp-ends{width:220px;display:flex;justify-content:space-between;direction:ltr}
.prio-key{display:inline-block;width:26px;height:12px;border:3px solid #000;vertical-align:-1px}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:start;vertical-align:top}
th{background:#f1eef6}
td.n{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.prio td{background:#f6f2fb;font-weight:600}
td.zero{color:#b00;font-weight:700}
td.better{color:#1a7a30}td.worse{color:#b00}
.big{font-size:1.25em;font-weight:600}
.note{color:var(--muted);font-size:.88em}
.warn{color:#b00}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:20px;align-items:start}
figure{margin:0}
figcaption{font-weight:700;margin-bottom:.3em}
svg.chart{width:100%;height:auto;max-width:620px}
.chart text{font-size:11px;fill:#444}
.chart .axis{font-size:12px;fill:#222}
.chart .grid line{stroke:#e2e2e2}
.curve{fill:none;stroke:var(--accent);stroke-width:2.2}
.thr{stroke:#c00;stroke-width:1.5;stroke-dasharray:5 3}
.thr-dot{fill:#c00}
.thr-label{fill:#c00 !important;font-size:12px !important}
svg.bar{width:160px;height:14px;display:block}
.bar rect{fill:#9e9ac8}
.bar .med{stroke:#000;stroke-width:2}
dl.params{display:grid;grid-template-columns:minmax(200px,max-content) 1fr;gap:4px 16px}
dl.params dt{font-weight:600}dl.params dd{margin:0}
pre{white-space:pre-wrap;word-break:break-all;background:#f5f5f5;padding:8px}
table.all{font-size:.8em}
footer{color:var(--muted);font-size:.85em;border-top:1px solid var(--line);margin-top:2em;padding-top:.5em;padding-bottom:2em}
@media (max-width:900px){.mapwrap,.pair{grid-template-columns:1fr}}
@media print{
 @page{size:A4;margin:12mm}
 body{font-size:11pt}
 header,main,footer{max-width:none;padding:0}
 nav,.info,.noprint{display:none}
 .mapwrap{grid-template-columns:1fr}
 svg.map{max-height:145mm}
 section.service,figure,tr{break-inside:avoid}
 .legend{font-size:9pt;flex-wrap:nowrap;gap:4px 18px}
 h2{break-after:avoid}
 #map{break-after:page}
 a{color:inherit;text-decoration:none}
}
"#;

const JS: &str = r#"
(function(){
var d=JSON.parse(document.getElementById('zone-data').textContent);
var panel=document.getElementById('info');
function el(t,txt){var e=document.createElement(t);if(txt!==undefined)e.textContent=txt;return e;}
function show(id){
 var z=d[id];if(!z||!panel)return;
 panel.replaceChildren();
 var h=el('h4');h.appendChild(el('bdi',z.name));panel.appendChild(h);
 var dl=el('dl');
 z.rows.forEach(function(r){dl.appendChild(el('dt',r[0]));dl.appendChild(el('dd',r[1]));});
 panel.appendChild(dl);
 document.querySelectorAll('.zone.sel').forEach(function(e){e.classList.remove('sel');});
 document.querySelectorAll('.zone').forEach(function(e){if(e.getAttribute('data-zone')===id)e.classList.add('sel');});
}
document.querySelectorAll('.zone').forEach(function(p){
 var id=p.getAttribute('data-zone');
 ['mouseenter','click','focus'].forEach(function(ev){p.addEventListener(ev,function(){show(id);});});
});
document.querySelectorAll('tr[data-zone-row]').forEach(function(r){
 r.addEventListener('click',function(){show(r.getAttribute('data-zone-row'));});
});
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(e){e.open=true;});});
})();
"#;

/// JSON for a `<script type="application/json">` block: `<` escaped so
/// the text cannot close the element.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The figures of each zone for the information panel.
fn zone_panel_data(lang: Lang, data: &RunData) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for z in data.zones.as_deref().unwrap_or_default() {
        let mut rows = vec![
            (
                lang.t(Key::Rank).to_string(),
                z.rank.map_or("–".into(), |r| r.to_string()),
            ),
            (
                lang.t(Key::Priority).to_string(),
                if z.priority {
                    format!("★ {}", lang.t(Key::Yes))
                } else {
                    "–".into()
                },
            ),
            (lang.t(Key::People).to_string(), lang.int(z.pop)),
            (
                lang.t(Key::Composite).to_string(),
                lang.num(z.composite.unwrap_or(f64::NAN), 2),
            ),
            (
                lang.t(Key::Burden).to_string(),
                lang.int(z.burden.unwrap_or(f64::NAN)),
            ),
        ];
        for (k, svc) in data.services.iter().enumerate() {
            let share = z.share_beyond.get(k).copied().flatten();
            let mean = z.mean.get(k).copied().flatten();
            rows.push((
                format!(
                    "{} — {}",
                    service_label(lang, &svc.name),
                    lang.t(Key::BeyondThreshold)
                ),
                format!(
                    "{} ({})",
                    share.map_or("–".into(), |s| lang.pct(s, 0)),
                    mean.map_or("–".into(), |v| charts::with_unit(lang, svc, v))
                ),
            ));
        }
        rows.push((
            lang.t(Key::Reason).to_string(),
            sections::reason(lang, data, z),
        ));
        m.insert(
            z.id.clone(),
            serde_json::json!({"name": z.label(), "rows": rows}),
        );
    }
    serde_json::Value::Object(m)
}

/// The whole page.
pub fn render(data: &RunData, lang: Lang) -> String {
    let counts = &data.run["counts"];
    let zones = data.zones.as_deref();
    let n_zones = zones.map_or(0, <[_]>::len);
    let n_priority = zones.map_or(0, |z| z.iter().filter(|z| z.priority).count());
    let population = counts["population"]
        .as_f64()
        .unwrap_or_else(|| data.settlements.iter().map(|s| s.pop).sum());
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body><header><h1>{}</h1><p class=\"subtitle\">{}</p><p class=\"summary\">{}</p><ul class=\"keyfigs\">",
        lang.code(),
        lang.dir(),
        esc(lang.t(Key::Title)),
        esc(lang.t(Key::Title)),
        esc(lang.t(Key::Subtitle)),
        esc(&lang.fill(
            Key::Summary,
            &[
                &lang.int(data.settlements.len() as f64),
                &lang.int(population),
                &lang.int(n_zones as f64),
                &lang.int(n_priority as f64),
            ],
        )),
    );
    for svc in &data.services {
        let _ = write!(
            h,
            "<li>{}<strong>{}</strong>{}</li>",
            bdi(&service_label(lang, &svc.name)),
            lang.pct(svc.share_beyond, 0),
            esc(&lang.fill(
                Key::KeyFigure,
                &[
                    &lang.int(svc.population_beyond),
                    &charts::with_unit(lang, svc, svc.threshold),
                ],
            )),
        );
    }
    h.push_str("</ul><nav><ul>");
    let mut toc = vec![("map", Key::MapTitle)];
    if zones.is_some() {
        toc.push(("ranking", Key::RankingTitle));
    }
    toc.extend([
        ("services", Key::ServicesTitle),
        ("coverage", Key::CoverageTitle),
    ]);
    if data.comparison.is_some() {
        toc.push(("scenarios", Key::ScenariosTitle));
    }
    toc.push(("method", Key::MethodTitle));
    for (id, k) in &toc {
        let _ = write!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(lang.t(*k)));
    }
    let _ = write!(
        h,
        "</ul></nav></header><main><section id=\"map\"><h2>{}</h2>",
        esc(lang.t(Key::MapTitle))
    );
    if zones.is_none() {
        let _ = write!(h, "<p class=\"warn\">{}</p>", esc(lang.t(Key::NoZones)));
    }
    let _ = write!(
        h,
        "<div class=\"mapwrap\">{}<aside id=\"info\" class=\"info\" aria-live=\"polite\">{}</aside></div>{}<p class=\"note\">{}</p></section>",
        map::map_svg(lang, data),
        esc(lang.t(Key::ClickZone)),
        map::legend(lang, data),
        esc(&lang.fill(Key::MapNote, &[&lang.num(map::SIMPLIFY_DEG, 3)]))
    );
    if data.settlements.len() > map::MAX_SETTLEMENTS {
        let _ = write!(
            h,
            "<p class=\"note\">{}</p>",
            esc(&lang.fill(
                Key::MapCapped,
                &[
                    &lang.int(map::MAX_SETTLEMENTS as f64),
                    &lang.int(data.settlements.len() as f64)
                ]
            ))
        );
    }
    if let Some(z) = zones {
        let _ = write!(
            h,
            "<section id=\"ranking\"><h2>{}</h2>{}</section>",
            esc(lang.t(Key::RankingTitle)),
            sections::ranking(lang, data, z)
        );
    }
    let _ = write!(
        h,
        "<section id=\"services\"><h2>{}</h2>{}</section><section id=\"coverage\"><h2>{}</h2>{}</section>",
        esc(lang.t(Key::ServicesTitle)),
        sections::services(lang, data),
        esc(lang.t(Key::CoverageTitle)),
        sections::coverage(lang, data)
    );
    if data.comparison.is_some() {
        let _ = write!(
            h,
            "<section id=\"scenarios\"><h2>{}</h2>{}</section>",
            esc(lang.t(Key::ScenariosTitle)),
            scenarios::section(lang, data)
        );
    }
    let _ = write!(
        h,
        "<section id=\"method\"><h2>{}</h2>{}</section></main><footer>{}</footer>\
         <script type=\"application/json\" id=\"zone-data\">{}</script><script>{JS}</script></body></html>",
        esc(lang.t(Key::MethodTitle)),
        sections::method(lang, data),
        esc(&lang.fill(
            Key::Footer,
            &[data.run["version"].as_str().unwrap_or_default()]
        )),
        script_json(&zone_panel_data(lang, data)),
    );
    h.push('\n');
    h
}

/// Reads the run in `dir` and renders its report.
pub fn render_dir(dir: &Path, lang: Lang) -> Result<String, ReportError> {
    Ok(render(&load(dir)?, lang))
}

/// Rebuilds the report of the run in `dir` into `out` (default
/// `dir/report.html`) and returns its path. The page is rendered in full
/// before anything is written, then written beside its place and renamed
/// over it: bad input leaves no report, and never a partial one.
pub fn write_report(dir: &Path, lang: Lang, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    let html = render_dir(dir, lang)?;
    let target = out.map_or_else(|| dir.join(REPORT_FILE), Path::to_path_buf);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| REPORT_FILE.into());
    let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let werr = |source| ReportError::Write {
        path: target.clone(),
        source,
    };
    if let Err(e) = std::fs::write(&tmp, html.as_bytes()) {
        let _ = std::fs::remove_file(&tmp);
        return Err(werr(e));
    }
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::remove_file(&tmp);
        return Err(werr(e));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("a<b & \"c\" 'd'"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(bdi("طاطا"), "<bdi>طاطا</bdi>");
        assert_eq!(
            script_json(&serde_json::json!({"n": "</script>&"})),
            "{\"n\":\"\\u003c/script\\u003e\\u0026\"}"
        );
    }
}
