//! The capacity-aware objective: people served within the threshold when
//! each facility serves at most its capacity.
//!
//! With a set `F` of open facilities (the existing ones and the chosen
//! sites), people are assigned to facilities within the threshold, each
//! settlement at most its people and each facility at most its capacity;
//! the objective is the largest total so assigned: a maximum flow from the
//! settlements to the facilities. It is monotone and submodular in the
//! chosen set (the rank function of a transversal polymatroid), so the lazy
//! greedy and its bound hold as for coverage.
//!
//! The flow is kept and grown: opening facility `j` on a maximum flow, every
//! augmenting path ends at `j` (none existed before), so augmenting from `j`
//! until it is full or no path is left gives the maximum flow with `j`. A
//! path starts at a settlement with people not yet served, moves them to a
//! facility within its reach, whose freed place takes people from a
//! settlement already served there, and so on, to `j`. A candidate's gain is
//! that augmentation undone (an undo log), so the state can be shared.
//!
//! People are counted in whole thousandths ([`UNITS_PER_PERSON`]) so that
//! flows are exact integers: the search always ends, and the result is the
//! same whatever the order of evaluation.

use super::Problem;

/// Flow units per person (flows are integers of 0.001 person).
pub const UNITS_PER_PERSON: f64 = 1000.0;

/// Largest total in units (people × 1000) the flow accepts.
pub const MAX_UNITS: f64 = 4.0e18;

/// What the capacity-aware objective needs beyond the candidates' rows.
#[derive(Debug, Clone, Default)]
pub struct Capacities {
    /// People each candidate site can serve.
    pub site_people: Vec<f64>,
    /// Per existing facility of the service: the settlements within the
    /// threshold, in settlement order.
    pub existing_rows: Vec<Vec<u32>>,
    /// People each existing facility can serve.
    pub existing_people: Vec<f64>,
}

/// People as flow units (rounded to the nearest thousandth, at most
/// [`MAX_UNITS`]).
pub fn units(people: f64) -> u64 {
    if people.is_finite() && people > 0.0 {
        (people * UNITS_PER_PERSON).round().min(MAX_UNITS) as u64
    } else {
        0
    }
}

/// Flow units as people.
pub fn people(units: u64) -> f64 {
    units as f64 / UNITS_PER_PERSON
}

/// One change, to undo.
#[derive(Debug, Clone, Copy)]
enum Undo {
    /// A settlement's unserved units were this.
    Unserved(u32, u64),
    /// A facility's free units were this.
    Free(u32, u64),
    /// This settlement's assignment list grew by one.
    Pushed(u32),
    /// This entry of a settlement's assignment list was this.
    Assigned(u32, u32, u64),
    /// A facility was opened.
    Opened(u32),
}

/// A maximum flow of people to the open facilities (see the module docs).
/// Facility nodes: existing facility `e` is node `e`, candidate `c` node
/// `existing + c`.
#[derive(Debug, Clone)]
pub struct Flow {
    existing: usize,
    /// Unserved units per settlement.
    unserved: Vec<u64>,
    /// Per settlement, `(facility node, units)` assigned.
    assigned: Vec<Vec<(u32, u64)>>,
    /// Free units per facility node.
    free: Vec<u64>,
    /// Whether each facility node is open.
    open: Vec<bool>,
    /// Units served.
    served: u64,
    log: Vec<Undo>,
    logging: bool,
    // Search scratch: stamps, parents, queue.
    stamp: u32,
    seen_settlement: Vec<u32>,
    seen_facility: Vec<u32>,
    parent_settlement: Vec<u32>,
    parent_facility: Vec<u32>,
    queue: Vec<(bool, u32)>,
}

impl Flow {
    /// The flow of the existing facilities alone.
    pub fn new(p: &Problem, caps: &Capacities) -> Self {
        let n = p.weight.len();
        let existing = caps.existing_rows.len();
        let nodes = existing + p.rows.len();
        let mut free: Vec<u64> = caps.existing_people.iter().map(|&c| units(c)).collect();
        free.extend(caps.site_people.iter().map(|&c| units(c)));
        let mut flow = Flow {
            existing,
            unserved: p.weight.iter().map(|&w| units(w)).collect(),
            assigned: vec![Vec::new(); n],
            free,
            open: vec![false; nodes],
            served: 0,
            log: Vec::new(),
            logging: false,
            stamp: 0,
            seen_settlement: vec![0; n],
            seen_facility: vec![0; nodes],
            parent_settlement: vec![0; n],
            parent_facility: vec![0; nodes],
            queue: Vec::new(),
        };
        for e in 0..existing {
            flow.open(p, caps, e as u32);
        }
        flow
    }

    /// People served.
    pub fn value(&self) -> f64 {
        people(self.served)
    }

    /// People of settlement `i` served.
    pub fn served_at(&self, i: usize) -> u64 {
        self.assigned[i].iter().map(|&(_, u)| u).sum()
    }

    /// People candidate `c` would add, leaving the flow as it was.
    pub fn gain(&mut self, p: &Problem, caps: &Capacities, c: usize) -> f64 {
        let node = (self.existing + c) as u32;
        if self.open[node as usize] {
            return 0.0;
        }
        self.logging = true;
        let before = self.served;
        self.open(p, caps, node);
        let gain = self.served - before;
        self.rollback();
        self.logging = false;
        people(gain)
    }

    /// Opens candidate `c` (no effect when open).
    pub fn add(&mut self, p: &Problem, caps: &Capacities, c: usize) {
        self.open(p, caps, (self.existing + c) as u32);
    }

    fn row<'a>(&self, p: &'a Problem, caps: &'a Capacities, node: u32) -> RowIter<'a> {
        let node = node as usize;
        if node < self.existing {
            RowIter::Existing(caps.existing_rows[node].iter())
        } else {
            RowIter::Candidate(p.rows[node - self.existing].iter())
        }
    }

    fn set_unserved(&mut self, i: u32, v: u64) {
        if self.logging {
            self.log.push(Undo::Unserved(i, self.unserved[i as usize]));
        }
        self.unserved[i as usize] = v;
    }

    fn set_free(&mut self, f: u32, v: u64) {
        if self.logging {
            self.log.push(Undo::Free(f, self.free[f as usize]));
        }
        self.free[f as usize] = v;
    }

    /// Adds `delta` (may be negative) to the units settlement `i` sends
    /// to facility `f`.
    fn shift(&mut self, i: u32, f: u32, delta: i128) {
        let list = &mut self.assigned[i as usize];
        match list.iter().position(|&(g, _)| g == f) {
            Some(at) => {
                let old = list[at].1;
                list[at].1 = (old as i128 + delta) as u64;
                if self.logging {
                    self.log.push(Undo::Assigned(i, at as u32, old));
                }
            }
            None => {
                list.push((f, delta as u64));
                if self.logging {
                    self.log.push(Undo::Pushed(i));
                }
            }
        }
    }

    fn rollback(&mut self) {
        while let Some(u) = self.log.pop() {
            match u {
                Undo::Unserved(i, v) => self.unserved[i as usize] = v,
                Undo::Free(f, v) => self.free[f as usize] = v,
                Undo::Pushed(i) => {
                    self.assigned[i as usize].pop();
                }
                Undo::Assigned(i, at, v) => self.assigned[i as usize][at as usize].1 = v,
                Undo::Opened(f) => self.open[f as usize] = false,
            }
        }
    }

    /// Opens facility `node` and augments until it is full or no path is
    /// left.
    fn open(&mut self, p: &Problem, caps: &Capacities, node: u32) {
        if self.open[node as usize] {
            return;
        }
        self.open[node as usize] = true;
        if self.logging {
            self.log.push(Undo::Opened(node));
        }
        // Direct: the unserved people within reach, in settlement order.
        let row: Vec<u32> = self.row(p, caps, node).collect();
        for &i in &row {
            let free = self.free[node as usize];
            if free == 0 {
                return;
            }
            let u = self.unserved[i as usize];
            if u > 0 {
                let d = u.min(free);
                self.set_unserved(i, u - d);
                self.set_free(node, free - d);
                self.shift(i, node, d as i128);
                self.served += d;
            }
        }
        // Then through reassignments, shortest paths first.
        while self.free[node as usize] > 0 {
            let Some(end) = self.search(p, caps, node) else {
                return;
            };
            self.augment(node, end);
        }
    }

    /// Breadth-first search from facility `start` for a settlement with
    /// unserved people; parents are left in the scratch arrays.
    fn search(&mut self, p: &Problem, caps: &Capacities, start: u32) -> Option<u32> {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen_settlement.fill(0);
            self.seen_facility.fill(0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let mut queue = std::mem::take(&mut self.queue);
        queue.clear();
        queue.push((false, start));
        self.seen_facility[start as usize] = stamp;
        let mut head = 0;
        let mut found = None;
        'bfs: while head < queue.len() {
            let (is_settlement, x) = queue[head];
            head += 1;
            if is_settlement {
                // Facilities that serve x: x's people there can move.
                for &(f, u) in &self.assigned[x as usize] {
                    if u > 0 && self.seen_facility[f as usize] != stamp {
                        self.seen_facility[f as usize] = stamp;
                        self.parent_facility[f as usize] = x;
                        queue.push((false, f));
                    }
                }
            } else {
                // A facility with room to spare leads nowhere: on a maximum
                // flow nobody it reaches (directly or by moving people on)
                // is left unserved, or they would be using that room.
                if x != start && self.free[x as usize] > 0 {
                    continue;
                }
                for i in self.row(p, caps, x) {
                    if self.seen_settlement[i as usize] == stamp {
                        continue;
                    }
                    self.seen_settlement[i as usize] = stamp;
                    self.parent_settlement[i as usize] = x;
                    if self.unserved[i as usize] > 0 {
                        found = Some(i);
                        break 'bfs;
                    }
                    queue.push((true, i));
                }
            }
        }
        self.queue = queue;
        found
    }

    /// Pushes flow along the path the last search found, from settlement
    /// `end` back to facility `start`.
    fn augment(&mut self, start: u32, end: u32) {
        // Bottleneck.
        let mut delta = self.unserved[end as usize].min(self.free[start as usize]);
        let mut i = end;
        loop {
            let f = self.parent_settlement[i as usize];
            if f == start {
                break;
            }
            let j = self.parent_facility[f as usize];
            let sent = self.assigned[j as usize]
                .iter()
                .find(|&&(g, _)| g == f)
                .map_or(0, |&(_, u)| u);
            delta = delta.min(sent);
            i = j;
        }
        if delta == 0 {
            return;
        }
        let u = self.unserved[end as usize];
        self.set_unserved(end, u - delta);
        let free = self.free[start as usize];
        self.set_free(start, free - delta);
        self.served += delta;
        let mut i = end;
        loop {
            let f = self.parent_settlement[i as usize];
            self.shift(i, f, delta as i128);
            if f == start {
                break;
            }
            let j = self.parent_facility[f as usize];
            self.shift(j, f, -(delta as i128));
            i = j;
        }
    }
}

/// A facility's settlements within the threshold.
enum RowIter<'a> {
    Existing(std::slice::Iter<'a, u32>),
    Candidate(std::slice::Iter<'a, (u32, f64)>),
}

impl Iterator for RowIter<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        match self {
            RowIter::Existing(it) => it.next().copied(),
            RowIter::Candidate(it) => it.next().map(|&(i, _)| i),
        }
    }
}
