//! One profile's view of the network: how it may use each segment
//! ([`SegmentUses`]), a scenario's edits of segments, and the profile's
//! reversed graph in the search's layout ([`ProfileGraph`]).

use std::sync::OnceLock;

use super::{Csr, Grouping, SearchArc, SearchGraph};
use crate::config::Profile;
use crate::index::network::RoadNetwork;
use crate::model::Oneway;
use crate::units::{KmPerHour, Meters};

/// How a profile may use a segment: speed and permitted directions.
#[derive(Debug, Clone, Copy)]
pub struct SegmentUse {
    /// Speed on the segment.
    pub speed: KmPerHour,
    /// Travel from `a` to `b` allowed.
    pub forward: bool,
    /// Travel from `b` to `a` allowed.
    pub backward: bool,
}

/// How a profile may use each segment of the network: one code per
/// segment into a table of the distinct uses (a few speeds and directions
/// serve millions of segments), read as `uses[segment]` like a slice of
/// `Option<SegmentUse>`. A code is one byte while there are at most 256
/// distinct uses (the table's first entry, `None`, included), four beyond.
#[derive(Debug, Clone, Default)]
pub struct SegmentUses {
    /// Index into `table` of each segment's use.
    code: Codes,
    /// The distinct uses; `table[0]` is `None`.
    table: Vec<Option<SegmentUse>>,
}

/// The codes of [`SegmentUses`], as narrow as the table allows.
#[derive(Debug, Clone)]
enum Codes {
    /// At most 256 distinct uses.
    Narrow(Vec<u8>),
    /// More.
    Wide(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::Narrow(Vec::new())
    }
}

impl Codes {
    fn len(&self) -> usize {
        match self {
            Codes::Narrow(c) => c.len(),
            Codes::Wide(c) => c.len(),
        }
    }

    #[inline]
    fn get(&self, k: usize) -> usize {
        match self {
            Codes::Narrow(c) => usize::from(c[k]),
            Codes::Wide(c) => c[k] as usize,
        }
    }

    /// Appends `code`, widening every code first when it needs more than
    /// a byte.
    fn push(&mut self, code: u32) {
        match self {
            Codes::Narrow(c) => match u8::try_from(code) {
                Ok(narrow) => c.push(narrow),
                Err(_) => {
                    let mut wide: Vec<u32> = Vec::with_capacity(c.capacity());
                    wide.extend(c.iter().map(|&k| u32::from(k)));
                    wide.push(code);
                    *self = Codes::Wide(wide);
                }
            },
            Codes::Wide(c) => c.push(code),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Codes::Narrow(c) => c.shrink_to_fit(),
            Codes::Wide(c) => c.shrink_to_fit(),
        }
    }
}

impl SegmentUses {
    /// Number of segments.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether there is no segment.
    pub fn is_empty(&self) -> bool {
        self.code.len() == 0
    }

    /// Each segment's use, in segment order.
    pub fn iter(&self) -> impl Iterator<Item = &Option<SegmentUse>> + '_ {
        (0..self.len()).map(|k| &self[k])
    }
}

impl std::ops::Index<usize> for SegmentUses {
    type Output = Option<SegmentUse>;

    #[inline]
    fn index(&self, segment: usize) -> &Option<SegmentUse> {
        &self.table[self.code.get(segment)]
    }
}

impl FromIterator<Option<SegmentUse>> for SegmentUses {
    fn from_iter<I: IntoIterator<Item = Option<SegmentUse>>>(uses: I) -> Self {
        let uses = uses.into_iter();
        let mut codes: rustc_hash::FxHashMap<(u64, bool, bool), u32> = Default::default();
        let mut out = SegmentUses {
            code: Codes::Narrow(Vec::with_capacity(uses.size_hint().0)),
            table: vec![None],
        };
        for u in uses {
            let c = match u {
                None => 0,
                Some(u) => *codes
                    .entry((u.speed.0.to_bits(), u.forward, u.backward))
                    .or_insert_with(|| {
                        out.table.push(Some(u));
                        out.table.len() as u32 - 1
                    }),
            };
            out.code.push(c);
        }
        out.code.shrink_to_fit();
        out
    }
}

/// A scenario's edit of one segment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentEdit {
    /// Unusable for every profile.
    pub closed: bool,
    /// A new road class (speeds and access follow the profile's table).
    pub class: Option<String>,
    /// Speed changes in order: `(profile or all, set km/h or factor)`.
    pub speeds: Vec<(Option<String>, SpeedChange)>,
}

/// A change of speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpeedChange {
    /// New speed, km/h.
    Set(f64),
    /// Factor on the current speed.
    Scale(f64),
}

impl SegmentEdit {
    /// The speed for `profile` after the speed changes, from `base`.
    pub fn speed(&self, profile: &str, base: KmPerHour) -> KmPerHour {
        let mut v = base.0;
        for (p, c) in &self.speeds {
            if p.as_deref().is_none_or(|p| p == profile) {
                v = match *c {
                    SpeedChange::Set(k) => k,
                    SpeedChange::Scale(f) => v * f,
                };
            }
        }
        KmPerHour(v)
    }
}

/// Seconds to travel `len` along segment `i` used as `usage`, forwards
/// (`a → b`) or not: the flat time, times the network's slope factor in
/// that direction when `sloped`. Arcs and the trip model's partial
/// segments are timed here alike.
pub fn segment_time(
    net: &RoadNetwork,
    sloped: bool,
    i: usize,
    usage: SegmentUse,
    len: Meters,
    forward: bool,
) -> f64 {
    let flat = usage.speed.time_for(len).0;
    match sloped {
        true => flat * net.slope(i)[usize::from(!forward)],
        false => flat,
    }
}

/// One profile's view of the network.
#[derive(Debug, Clone)]
pub struct ProfileGraph {
    /// Profile name.
    pub profile: String,
    /// Whether its road times follow the network's slopes
    /// ([`RoadNetwork::sloped`]).
    pub sloped: bool,
    /// Use of each segment of the network (`None`: not usable).
    pub segment_use: SegmentUses,
    /// Forward graph (arcs in the direction of travel), built from
    /// `reverse` on first use ([`ProfileGraph::forward`]): only a scenario
    /// removing facilities needs it.
    forward: OnceLock<Csr>,
    /// Reversed graph, in the search's layout: searching it from facilities
    /// gives the time *to* the nearest facility from every node.
    pub reverse: SearchGraph,
    /// Number of usable segments.
    pub usable_segments: usize,
}

impl ProfileGraph {
    /// Builds a profile's graph. Arc time is `len_m / speed`, times the
    /// segment's slope factor in that direction when the network has slopes
    /// for this profile; `oneway` is honoured only when the profile says so.
    pub fn build(net: &RoadNetwork, profile: &Profile) -> Self {
        Self::build_edited(net, profile, |_| None)
    }

    /// As [`ProfileGraph::build`], with segments edited: `edit(segment)`
    /// gives the segment's edit, if any (a scenario's closures, class
    /// changes and speed changes).
    pub fn build_edited<'e>(
        net: &RoadNetwork,
        profile: &Profile,
        edit: impl Fn(usize) -> Option<&'e SegmentEdit>,
    ) -> Self {
        Self::from_uses(net, profile, Self::segment_uses(net, profile, edit))
    }

    /// How `profile` may use each segment of `net` under `edit` (`None`:
    /// not at all): the first half of [`ProfileGraph::build_edited`], a
    /// cheap pass, so that what needs only the usable segments (the
    /// segment R-tree) can be built beside the graphs.
    pub fn segment_uses<'e>(
        net: &RoadNetwork,
        profile: &Profile,
        edit: impl Fn(usize) -> Option<&'e SegmentEdit>,
    ) -> SegmentUses {
        net.assert_segments_kept();
        net.segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let r = &net.roads[s.road as usize];
                let e = edit(i);
                let class = e.and_then(|e| e.class.as_deref()).unwrap_or(&r.class);
                let speed = match e {
                    Some(e) if e.closed => None,
                    Some(e) => profile
                        .speed(class, r.maxspeed)
                        .map(|v| e.speed(&profile.name, v)),
                    None => profile.speed(class, r.maxspeed),
                };
                let speed = speed.filter(|v| v.0 > 0.0 && v.0.is_finite())?;
                let (forward, backward) = match (profile.oneway, r.oneway) {
                    (true, Oneway::Forward) => (true, false),
                    (true, Oneway::Backward) => (false, true),
                    _ => (true, true),
                };
                Some(SegmentUse {
                    speed,
                    forward,
                    backward,
                })
            })
            .collect()
    }

    /// The graph of `profile` on `net` with the segment uses
    /// `segment_use` (from [`ProfileGraph::segment_uses`]): arc time is
    /// `len_m / speed`, times the segment's slope factor in that direction
    /// when the network has slopes for this profile.
    pub fn from_uses(net: &RoadNetwork, profile: &Profile, segment_use: SegmentUses) -> Self {
        net.assert_segments_kept();
        let sloped = net.sloped(&profile.name);
        // The reverse graph is built straight from the segments, with no
        // arc list in between: its tails counted, then its arcs placed
        // ([`Grouping`]). Its arc order is a full sort of the arcs, so it
        // is the forward graph's `reversed()`, without the forward graph.
        let mut grouping = Grouping::new(net.node_count());
        let mut usable = 0;
        for (s, usage) in net.segments.iter().zip(segment_use.iter()) {
            let Some(usage) = usage else { continue };
            if usage.forward {
                grouping.count(s.b);
            }
            if usage.backward {
                grouping.count(s.a);
            }
            usable += 1;
        }
        grouping.counted(SearchArc {
            head: 0,
            time_s: 0.0,
            dist_m: 0.0,
        });
        for (i, (s, usage)) in net.segments.iter().zip(segment_use.iter()).enumerate() {
            let Some(usage) = *usage else { continue };
            let time = |forward| segment_time(net, sloped, i, usage, Meters(s.len_m), forward);
            // Reversed: a forward trip a → b is an arc b → a. Forward first.
            for (forward, usable, tail, head) in [
                (true, usage.forward, s.b, s.a),
                (false, usage.backward, s.a, s.b),
            ] {
                if usable {
                    let arc = SearchArc {
                        head,
                        time_s: time(forward),
                        dist_m: s.len_m,
                    };
                    grouping.place(tail, arc);
                }
            }
        }
        let (first_out, arcs) = grouping.finish(|a| (a.head, a.time_s, a.dist_m));
        let reverse = SearchGraph { first_out, arcs };
        ProfileGraph {
            profile: profile.name.clone(),
            sloped,
            segment_use,
            forward: OnceLock::new(),
            reverse,
            usable_segments: usable,
        }
    }
}

impl ProfileGraph {
    /// The forward graph: `reverse` with every arc reversed, built on first
    /// use (the same arcs in the same order as building it directly).
    pub fn forward(&self) -> &Csr {
        self.forward.get_or_init(|| {
            let g = &self.reverse;
            let mut grouping = Grouping::new(g.node_count());
            for a in &g.arcs {
                grouping.count(a.head);
            }
            grouping.counted((0, 0.0, 0.0));
            for u in 0..g.node_count() as u32 {
                for a in g.arcs(u) {
                    grouping.place(a.head, (u, a.time_s, a.dist_m));
                }
            }
            let (first_out, placed) = grouping.finish(|a| *a);
            Csr::from_grouped(first_out, placed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_uses_read_back_as_the_uses_they_were_built_from() {
        let speeds = [30.0, 0.1 + 0.2, 30.0, 5.0];
        let uses: Vec<Option<SegmentUse>> = (0..40)
            .map(|i| {
                (i % 5 != 0).then(|| SegmentUse {
                    speed: KmPerHour(speeds[i % 4]),
                    forward: i % 3 != 0,
                    backward: i % 7 != 0,
                })
            })
            .collect();
        let packed: SegmentUses = uses.iter().copied().collect();
        assert_eq!(packed.len(), uses.len());
        let same = |a: &Option<SegmentUse>, b: &Option<SegmentUse>| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.speed.0.to_bits() == b.speed.0.to_bits()
                    && (a.forward, a.backward) == (b.forward, b.backward)
            }
            _ => false,
        };
        for (k, u) in uses.iter().enumerate() {
            assert!(same(&packed[k], u), "segment {k}");
        }
        assert!(packed.iter().zip(&uses).all(|(a, b)| same(a, b)));
        assert!(packed.table.len() <= 1 + 3 * 4, "distinct uses only");
        assert!(matches!(packed.code, Codes::Narrow(_)));
    }

    /// Past 256 distinct uses the codes widen, the uses read back the same
    /// before and after.
    #[test]
    fn segment_uses_widen_past_256_distinct_uses() {
        // 255 speeds and `None` fill a byte; 256 do not.
        for distinct in [254usize, 255, 256, 300, 70_000] {
            let uses: Vec<Option<SegmentUse>> = (0..2 * distinct + 9)
                .map(|i| {
                    (i % 9 != 4).then(|| SegmentUse {
                        speed: KmPerHour(1.0 + (i % distinct) as f64),
                        forward: true,
                        backward: true,
                    })
                })
                .collect();
            let packed: SegmentUses = uses.iter().copied().collect();
            let table = packed.table.len();
            let narrow = matches!(packed.code, Codes::Narrow(_));
            assert_eq!(table, distinct + 1);
            assert_eq!(narrow, distinct <= 255, "{distinct} distinct uses");
            assert_eq!(packed.len(), uses.len());
            for (k, u) in uses.iter().enumerate() {
                let got = packed[k].map(|u| (u.speed.0.to_bits(), u.forward, u.backward));
                let want = u.map(|u| (u.speed.0.to_bits(), u.forward, u.backward));
                assert_eq!(got, want, "{distinct}: segment {k}");
            }
        }
    }
}
