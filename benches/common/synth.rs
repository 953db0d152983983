//! Seeded synthetic road networks for benchmarks.
//!
//! * [`rural`] looks like a rural road network: clustered settlements (small
//!   street grids), a sparse trunk network joining them (long chains of
//!   degree-2 nodes), and tree-like tracks branching off anywhere. Node ids
//!   follow construction order, as OSM ids roughly follow mapping order.
//! * [`grid`] is the square 4-neighbour grid of the measurements.
//!
//! Both return a [`Network`]: node positions in metres, and two-way arcs
//! `(tail, head, time_s, dist_m)` timed at a class speed. [`facilities`]
//! seeds one service at pseudo-random nodes. Same arguments, same network:
//! everything is seeded.

#![allow(dead_code)]

use remoteness::search::Seed;

/// Arcs `(tail, head, time_s, dist_m)`.
pub type Arcs = Vec<(u32, u32, f64, f64)>;

/// A synthetic network.
pub struct Network {
    /// Node positions `(x, y)`, metres.
    pub xy: Vec<(f64, f64)>,
    /// Arcs.
    pub arcs: Arcs,
}

#[path = "../../tests/support/rng.rs"]
mod rng;
pub use rng::Rng;

struct Builder {
    xy: Vec<(f64, f64)>,
    arcs: Arcs,
    rng: Rng,
}

impl Builder {
    fn node(&mut self, x: f64, y: f64) -> u32 {
        self.xy.push((x, y));
        (self.xy.len() - 1) as u32
    }

    /// A two-way segment at `kmh` (±10 % per segment).
    fn link(&mut self, a: u32, b: u32, kmh: f64) {
        let (pa, pb) = (self.xy[a as usize], self.xy[b as usize]);
        let len = ((pa.0 - pb.0).powi(2) + (pa.1 - pb.1).powi(2)).sqrt();
        let speed = kmh * (0.9 + 0.2 * self.rng.f64()) / 3.6;
        let t = len / speed;
        self.arcs.push((a, b, t, len));
        self.arcs.push((b, a, t, len));
    }
}

/// A rural network of exactly `nodes` nodes (see the module docs).
pub fn rural(nodes: usize, seed: u64) -> Network {
    let mut b = Builder {
        xy: Vec::with_capacity(nodes),
        arcs: Vec::with_capacity(nodes * 5 / 2),
        rng: Rng(seed),
    };
    // About one node per 120 m × 120 m of land.
    let side = (nodes as f64).sqrt() * 120.0;

    // Settlements: jittered street grids of 3×3 to 16×16 nodes, 80 m apart,
    // taking about 40 % of the nodes.
    let mut towns: Vec<(f64, f64, u32)> = Vec::new();
    while b.xy.len() < nodes * 2 / 5 {
        let k = 3 + b.rng.below(14);
        let (cx, cy) = (b.rng.f64() * side, b.rng.f64() * side);
        let base = b.xy.len() as u32;
        for i in 0..k {
            for j in 0..k {
                let jx = (b.rng.f64() - 0.5) * 20.0;
                let jy = (b.rng.f64() - 0.5) * 20.0;
                b.node(cx + i as f64 * 80.0 + jx, cy + j as f64 * 80.0 + jy);
            }
        }
        let id = |i: usize, j: usize| base + (i * k + j) as u32;
        for i in 0..k {
            for j in 0..k {
                if i + 1 < k {
                    b.link(id(i, j), id(i + 1, j), 30.0);
                }
                if j + 1 < k {
                    b.link(id(i, j), id(i, j + 1), 30.0);
                }
            }
        }
        towns.push((cx, cy, base));
    }

    // Trunk roads: each town to the nearest earlier town (a spanning tree)
    // and, for every other town, to its nearest town too: chains of nodes
    // every 150 m at 80 km/h.
    let nearest = |i: usize, upto: usize| {
        (0..upto).filter(|&j| j != i).min_by(|&a, &c| {
            let da = (towns[a].0 - towns[i].0).powi(2) + (towns[a].1 - towns[i].1).powi(2);
            let dc = (towns[c].0 - towns[i].0).powi(2) + (towns[c].1 - towns[i].1).powi(2);
            da.total_cmp(&dc)
        })
    };
    let mut links = Vec::new();
    for i in 1..towns.len() {
        links.push((i, nearest(i, i).expect("an earlier town")));
        if i % 2 == 0 {
            links.push((i, nearest(i, towns.len()).expect("another town")));
        }
    }
    for (i, j) in links {
        if b.xy.len() >= nodes * 3 / 4 {
            break;
        }
        let (a, c) = (towns[i].2, towns[j].2);
        let (pa, pc) = (b.xy[a as usize], b.xy[c as usize]);
        let len = ((pa.0 - pc.0).powi(2) + (pa.1 - pc.1).powi(2)).sqrt();
        let steps = ((len / 150.0) as usize).max(1);
        let mut prev = a;
        for s in 1..steps {
            let f = s as f64 / steps as f64;
            let wiggle = (b.rng.f64() - 0.5) * 40.0;
            let v = b.node(pa.0 + f * (pc.0 - pa.0) + wiggle, pa.1 + f * (pc.1 - pa.1));
            b.link(prev, v, 80.0);
            prev = v;
        }
        b.link(prev, c, 80.0);
    }

    // Tracks: random walks of 5–40 steps of about 100 m from any existing
    // node, at 20 km/h, until the node budget is spent (trees hanging off
    // the network; one in ten rejoins a nearby node, closing a loop).
    while b.xy.len() < nodes {
        let mut prev = b.rng.below(b.xy.len()) as u32;
        let mut heading = b.rng.f64() * std::f64::consts::TAU;
        let len = 5 + b.rng.below(36);
        for _ in 0..len {
            if b.xy.len() >= nodes {
                break;
            }
            heading += (b.rng.f64() - 0.5) * 0.8;
            let p = b.xy[prev as usize];
            let step = 60.0 + 80.0 * b.rng.f64();
            let v = b.node(p.0 + step * heading.cos(), p.1 + step * heading.sin());
            b.link(prev, v, 20.0);
            prev = v;
        }
        if b.rng.f64() < 0.1 && b.xy.len() > 1 {
            let back = prev.saturating_sub(1 + b.rng.below(50) as u32);
            if back != prev {
                b.link(prev, back, 20.0);
            }
        }
    }
    Network {
        xy: b.xy,
        arcs: b.arcs,
    }
}

/// A `side × side` grid with 4-neighbour arcs, 100 m apart, and times in
/// [1, 61) s.
pub fn grid(side: usize, seed: u64) -> Network {
    let mut rng = Rng(seed);
    let id = |x: usize, y: usize| (y * side + x) as u32;
    let mut arcs = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            for (nx, ny) in [(x + 1, y), (x, y + 1)] {
                if nx < side && ny < side {
                    let t = 1.0 + rng.f64() * 60.0;
                    arcs.push((id(x, y), id(nx, ny), t, t * 10.0));
                    arcs.push((id(nx, ny), id(x, y), t, t * 10.0));
                }
            }
        }
    }
    let xy = (0..side * side)
        .map(|i| ((i % side) as f64 * 100.0, (i / side) as f64 * 100.0))
        .collect();
    Network { xy, arcs }
}

/// One service's seeds: `facilities` facilities at distinct-ish
/// pseudo-random nodes, starting at zero.
pub fn facilities(nodes: usize, facilities: usize, seed: u64) -> Vec<Seed> {
    let mut rng = Rng(seed);
    (0..facilities as u32)
        .map(|i| Seed {
            node: rng.below(nodes) as u32,
            time_s: 0.0,
            dist_m: 0.0,
            source: i,
        })
        .collect()
}
