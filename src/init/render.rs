//! The commented TOML written by `init`.

use std::fmt::Write as _;
use std::path::Path;

use super::{relative_to, Entry, Guesses, LayerGuess, Role};

/// A TOML string literal.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A path as written in the config: relative to its folder, `/`-separated.
fn path_text(dir: &Path, path: &Path) -> String {
    let rel = relative_to(dir, path);
    quote(&rel.to_string_lossy().replace('\\', "/"))
}

/// Wraps `text` into comment lines of at most 78 columns, the first
/// prefixed by `first`, the others by `rest`.
fn comment(out: &mut String, first: &str, rest: &str, text: &str) {
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > 78 {
            let _ = writeln!(out, "{line}");
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    let _ = writeln!(out, "{line}");
}

fn entry(out: &mut String, e: &Entry) {
    match &e.value {
        Some(v) if e.note.is_empty() => {
            let _ = writeln!(out, "{} = {}", e.key, quote(v));
        }
        Some(v) => {
            let line = format!("{} = {}", e.key, quote(v));
            let pad = 34usize.saturating_sub(line.chars().count()).max(1);
            if line.chars().count() + pad + e.note.chars().count() + 2 <= 100 {
                let _ = writeln!(out, "{line}{}# {}", " ".repeat(pad), e.note);
            } else {
                comment(out, "# ", "# ", &e.note);
                let _ = writeln!(out, "{line}");
            }
        }
        None => comment(
            out,
            &format!("# {} = ?  (", e.key),
            "#   ",
            &format!("{})", e.note),
        ),
    }
}

fn table(out: &mut String, header: &str, dir: &Path, l: &LayerGuess) {
    let _ = writeln!(out);
    let name = l.path.file_name().map_or_else(
        || l.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    comment(out, "# ", "# ", &format!("{name}: {}.", l.why));
    for n in &l.notes {
        comment(out, "# ", "#   ", &format!("{n}."));
    }
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "path = {}", path_text(dir, &l.path));
    for e in &l.entries {
        entry(out, e);
    }
}

/// The config text; `dir` is the folder the config is written to (paths
/// are relative to it), `config` its path (for the command shown).
pub fn render(g: &Guesses, dir: &Path, config: &Path) -> String {
    let mut out = String::new();
    let missing = g.missing();
    let config_name = config.file_name().map_or_else(
        || "config.toml".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let _ = writeln!(
        out,
        "# Written by `remoteness init` from {} file{}: check each guess, then run\n\
         #   remoteness run {config_name} --out out",
        g.layers.len(),
        if g.layers.len() == 1 { "" } else { "s" }
    );
    if missing.is_empty() {
        let _ = writeln!(out, "# Every field the run needs was guessed.");
    } else {
        comment(
            &mut out,
            "# ",
            "# ",
            "A line `# key = ?  (why)` is a key that could not be guessed: fill it in and \
             remove the `#`, or leave it out where it is optional. Not guessed:",
        );
        for m in &missing {
            let _ = writeln!(out, "#   {m}");
        }
    }
    let by = |r: Role| g.layers.iter().filter(move |l| l.role == r);
    let osm = by(Role::Osm).next();
    let zones = by(Role::Zones).next();
    comment(
        &mut out,
        "# ",
        "# ",
        "Services: the defaults (health, school, water and power, with their thresholds; \
         see the README) apply; add [services.NAME] tables to change them.",
    );
    if zones.is_none() {
        comment(
            &mut out,
            "# ",
            "# ",
            "No zone layer: zones are H3 cells (resolution 6; set `h3_resolution` under \
             [zones] for finer or coarser cells).",
        );
    }
    let _ = writeln!(out, "\n[inputs]");
    if let Some(l) = osm {
        comment(&mut out, "# ", "# ", &format!("{}.", l.why));
        let _ = writeln!(out, "osm = {}", path_text(dir, &l.path));
    }
    for l in by(Role::Osm).skip(1) {
        comment(
            &mut out,
            "# ",
            "# ",
            &format!(
                "{}: a second OpenStreetMap extract; only one is read (merge them first).",
                l.path.display()
            ),
        );
    }
    for l in by(Role::Settlements) {
        table(&mut out, "[[inputs.settlements]]", dir, l);
    }
    for l in by(Role::Facilities) {
        table(&mut out, "[[inputs.facilities]]", dir, l);
    }
    for l in by(Role::Roads) {
        table(&mut out, "[[inputs.roads]]", dir, l);
    }
    if let Some(l) = zones {
        table(&mut out, "[inputs.zones]", dir, l);
    }
    for l in by(Role::Census) {
        let complete = l.entries.iter().all(|e| e.value.is_some());
        if complete && zones.is_some() {
            table(&mut out, "[inputs.census]", dir, l);
        } else {
            let _ = writeln!(out);
            comment(
                &mut out,
                "# ",
                "# ",
                &format!(
                    "{}: {}. Left out until its keys are known (the run needs both):",
                    l.path.display(),
                    l.why
                ),
            );
            let _ = writeln!(out, "# [inputs.census]");
            let _ = writeln!(out, "# path = {}", path_text(dir, &l.path));
            for e in &l.entries {
                let mut s = String::new();
                entry(&mut s, e);
                for line in s.lines() {
                    if line.starts_with('#') {
                        let _ = writeln!(out, "{line}");
                    } else {
                        let _ = writeln!(out, "# {line}");
                    }
                }
            }
        }
    }
    for l in by(Role::Unused) {
        let _ = writeln!(out);
        comment(
            &mut out,
            "# ",
            "# ",
            &format!("{}: {}.", l.path.display(), l.why),
        );
    }
    out
}
