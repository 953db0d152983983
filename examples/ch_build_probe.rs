use std::time::Instant;
use remoteness::config::Settings;
use remoteness::pipeline::{Quiet, Study};
fn main() {
    let cfg = std::env::args().nth(1).unwrap();
    let settings = Settings::load(std::path::Path::new(&cfg)).unwrap();
    let dataset = remoteness::load::load(&settings).unwrap();
    let study = Study::prepare(settings, dataset, &Quiet);
    for ctx in study.profiles.iter() {
        let g = &ctx.graph.reverse;
        let t = Instant::now();
        let h = remoteness::search::ch::Hierarchy::build(g);
        println!("{}: {} nodes {} arcs -> hierarchy {} arcs in {:.2} s", ctx.profile.name, g.node_count(), g.arc_count(), h.arc_count(), t.elapsed().as_secs_f64());
    }
}
