//! A shapefile: `.shp`, `.shx`, `.dbf`, `.prj` and `.cpg` cut from one input.
//!
//! Input layout: four little-endian `u32` lengths (of the `.shp`, `.shx`,
//! `.dbf` and `.prj` parts, each clamped to what is left), then the parts in
//! that order; whatever follows is the `.cpg`. An empty `.prj` or `.cpg` part
//! means no such file. See `fuzz/make_seeds.py` for the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::load::formats::read_layer;

fn take<'a>(rest: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(rest.len());
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    head
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let (header, mut rest) = data.split_at(16);
    let len = |i: usize| u32::from_le_bytes(header[4 * i..4 * i + 4].try_into().unwrap()) as usize;
    let shp = take(&mut rest, len(0));
    let shx = take(&mut rest, len(1));
    let dbf = take(&mut rest, len(2));
    let prj = take(&mut rest, len(3));
    let cpg = rest;
    let path = fuzz_support::write("layer.shp", shp);
    fuzz_support::write("layer.shx", shx);
    fuzz_support::write("layer.dbf", dbf);
    for (ext, part) in [("prj", prj), ("cpg", cpg)] {
        let name = format!("layer.{ext}");
        if part.is_empty() {
            fuzz_support::remove(&name);
        } else {
            fuzz_support::write(&name, part);
        }
    }
    let spec = fuzz_support::spec(&path, &[]);
    let layer = read_layer(&spec, None);
    fuzz_support::report("read_layer", &layer);
    if let Ok(layer) = layer {
        fuzz_support::roles(&layer.features, &path);
    }
});
