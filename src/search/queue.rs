//! A two-level priority queue on exact `(time, source, node)` keys.
//!
//! **Order**: items leave in ascending `(time, source, node)`, time compared
//! exactly — the order of the reference search's binary heap. For finite
//! non-negative floats the IEEE 754 bit pattern read as an integer orders
//! like the value, so an item is one `u128`:
//! `bits(time) · 2⁶⁴ + source · 2³² + node`.
//!
//! **Levels**: a coarse *bucket* `k = ⌊time / δ⌋` (Dial's bucket queue,
//! circular over `B` slots), and one small binary heap holding the exact keys
//! of the current bucket only. An item whose bucket is the current one goes
//! straight into the small heap; a later one into its slot; items beyond the
//! circular window (`k ≥ current + B`: seeds far away, or an arc longer than
//! the window) into an overflow heap. Because `⌊t/δ⌋` is monotone in `t`,
//! every item outside the small heap is strictly later than every item in
//! it, so popping the small heap's least key pops the global least key.
//!
//! **Monotone**: like every bucket queue it needs pushed keys to be at least
//! the last popped one — true in Dijkstra's algorithm with non-negative
//! arcs, since `fl(t + w) ≥ t`.
//!
//! **Cost**: push `O(1)` into a slot; the small heap holds about
//! `frontier × δ / window` items, so its `O(log)` is a few levels instead of
//! `log₂ frontier`; advancing the bucket scans empty slots, `O(range / δ)`
//! in all. `δ` is a tuning knob only: any positive `δ` gives the same order.
//!
//! **Memory**: an emptied slot's buffer goes to a pool the next slot to
//! fill takes from, so the room kept is that of the slots holding items at
//! one time (a national extract's search: 0.2–0.4 M keys) rather than each
//! of 65 536 slots' fullest bucket (2–4 M keys, 30–70 MB).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Packs `(time, source, node)` into one ordered key; `time ≥ 0`, finite.
#[inline]
fn pack(time: f64, source: u32, node: u32) -> u128 {
    // `+ 0.0` turns −0 into +0, whose bits order correctly.
    (u128::from((time + 0.0).to_bits()) << 64) | (u128::from(source) << 32) | u128::from(node)
}

#[inline]
fn unpack(key: u128) -> (f64, u32, u32) {
    (
        f64::from_bits((key >> 64) as u64),
        (key >> 32) as u32,
        key as u32,
    )
}

/// The queue (see the module docs).
#[derive(Debug)]
pub struct BucketQueue {
    /// `1 / δ`.
    inv_delta: f64,
    /// Current bucket.
    current: u64,
    /// Exact keys of the current bucket.
    small: BinaryHeap<Reverse<u128>>,
    /// Circular slots: slot `k mod B` holds bucket `k` for
    /// `current < k < current + B`.
    slots: Vec<Vec<u128>>,
    /// Items in `slots`.
    in_slots: usize,
    /// Items at or beyond `current + B` when pushed, by bucket.
    overflow: BinaryHeap<Reverse<(u64, u128)>>,
    /// Emptied slots' buffers, handed to the next slot that fills: the
    /// buffers in use are those of the slots holding items at one time,
    /// not one per slot each as large as the fullest bucket it ever held.
    spare: Vec<Vec<u128>>,
}

impl BucketQueue {
    /// An empty queue with bucket width `delta` seconds (positive, finite)
    /// and `slots` circular slots (rounded up to a power of two).
    pub fn new(delta: f64, slots: usize) -> Self {
        assert!(
            delta > 0.0 && delta.is_finite(),
            "bucket width must be positive"
        );
        let slots = slots.max(2).next_power_of_two();
        BucketQueue {
            inv_delta: 1.0 / delta,
            current: 0,
            small: BinaryHeap::new(),
            slots: (0..slots).map(|_| Vec::new()).collect(),
            in_slots: 0,
            overflow: BinaryHeap::new(),
            spare: Vec::new(),
        }
    }

    /// Bucket width and slot count suited to arcs of typical time `typical`
    /// and largest time `max` (seconds): about 512 buckets per typical arc,
    /// so that the current bucket's heap stays small even with a wide
    /// frontier (on the benchmark networks 512 was 5–10 % faster than 32, and
    /// 2048 no better), and a window spanning the longest arc where that is
    /// affordable (at most 65 536 slots).
    pub fn for_arcs(typical: f64, max: f64) -> Self {
        const MAX_SLOTS: usize = 1 << 16;
        let mut delta = if typical > 0.0 && typical.is_finite() {
            typical / 512.0
        } else {
            1.0
        };
        if max.is_finite() && max / delta + 2.0 > MAX_SLOTS as f64 {
            delta = max / (MAX_SLOTS as f64 - 2.0);
        }
        let slots = if max.is_finite() {
            (max / delta) as usize + 2
        } else {
            MAX_SLOTS
        };
        BucketQueue::new(delta, slots.min(MAX_SLOTS))
    }

    /// Whether the queue holds no item.
    pub fn is_empty(&self) -> bool {
        self.small.is_empty() && self.in_slots == 0 && self.overflow.is_empty()
    }

    /// Empties the queue and starts again at time 0, keeping its buffers:
    /// `O(1)` when it is already empty (as after a search run to the end),
    /// `O(slots)` otherwise.
    pub fn reset(&mut self) {
        self.small.clear();
        self.overflow.clear();
        if self.in_slots > 0 {
            self.slots.iter_mut().for_each(Vec::clear);
            self.in_slots = 0;
        }
        self.current = 0;
    }

    #[inline]
    fn bucket(&self, time: f64) -> u64 {
        // Saturating float-to-int conversion; monotone in `time`.
        (time * self.inv_delta) as u64
    }

    /// Pushes `node` with key `(time, source)`: `time` finite, not negative,
    /// and the key not below the last popped key.
    #[inline]
    pub fn push(&mut self, time: f64, source: u32, node: u32) {
        debug_assert!(time >= 0.0 && time.is_finite());
        let key = pack(time, source, node);
        let k = self.bucket(time);
        debug_assert!(k >= self.current || self.in_slots + self.overflow.len() == 0);
        if k <= self.current {
            self.small.push(Reverse(key));
        } else if k - self.current < self.slots.len() as u64 {
            let mask = self.slots.len() - 1;
            let slot = &mut self.slots[k as usize & mask];
            if slot.capacity() == 0 {
                if let Some(buffer) = self.spare.pop() {
                    *slot = buffer;
                }
            }
            slot.push(key);
            self.in_slots += 1;
        } else {
            self.overflow.push(Reverse((k, key)));
        }
    }

    /// Pops the least `(time, source, node)`.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, u32, u32)> {
        loop {
            if let Some(Reverse(key)) = self.small.pop() {
                return Some(unpack(key));
            }
            self.advance()?;
        }
    }

    /// The node that [`Self::pop`] returns next, if it is known without
    /// advancing to another bucket.
    #[inline]
    pub fn peek_node(&self) -> Option<u32> {
        self.small.peek().map(|Reverse(key)| *key as u32)
    }

    /// Moves to the next non-empty bucket and loads it into the small heap.
    fn advance(&mut self) -> Option<()> {
        let overflow_next = self.overflow.peek().map(|Reverse((k, _))| *k);
        let next = if self.in_slots == 0 {
            overflow_next?
        } else {
            let mask = self.slots.len() - 1;
            let mut k = self.current + 1;
            while self.slots[k as usize & mask].is_empty() && overflow_next != Some(k) {
                k += 1;
            }
            k
        };
        self.current = next;
        let mask = self.slots.len() - 1;
        let mut slot = std::mem::take(&mut self.slots[next as usize & mask]);
        self.in_slots -= slot.len();
        self.small.extend(slot.drain(..).map(Reverse));
        if slot.capacity() > 0 {
            self.spare.push(slot);
        }
        while let Some(Reverse((k, key))) = self.overflow.peek().copied() {
            if k != next {
                break;
            }
            self.overflow.pop();
            self.small.push(Reverse(key));
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut BucketQueue) -> Vec<(f64, u32, u32)> {
        std::iter::from_fn(|| q.pop()).collect()
    }

    #[test]
    fn pops_in_time_source_node_order_across_levels() {
        // Width 1 s, 4 slots: 0.5 and 0.7 share a bucket, 2.2 sits in a
        // slot, 100 overflows.
        let mut q = BucketQueue::new(1.0, 4);
        for (t, s, v) in [
            (100.0, 0, 9),
            (2.2, 2, 4),
            (0.7, 1, 7),
            (0.7, 1, 3),
            (0.5, 5, 1),
        ] {
            q.push(t, s, v);
        }
        assert_eq!(q.pop(), Some((0.5, 5, 1)));
        assert_eq!(q.pop(), Some((0.7, 1, 3)));
        // An equal key pushed now still leaves in node order.
        q.push(0.7, 1, 5);
        q.push(3.9, 0, 2);
        assert_eq!(
            drain(&mut q),
            vec![
                (0.7, 1, 5),
                (0.7, 1, 7),
                (2.2, 2, 4),
                (3.9, 0, 2),
                (100.0, 0, 9)
            ]
        );
    }

    #[test]
    fn reset_starts_again_at_zero() {
        let mut q = BucketQueue::new(1.0, 4);
        q.push(50.0, 0, 1);
        q.push(1.5, 0, 2);
        assert_eq!(q.pop(), Some((1.5, 0, 2)));
        q.reset();
        assert!(q.is_empty());
        q.push(0.5, 0, 3);
        q.push(2.5, 0, 4);
        assert_eq!(drain(&mut q), vec![(0.5, 0, 3), (2.5, 0, 4)]);
        assert!(q.is_empty());
    }

    #[test]
    fn negative_zero_is_zero() {
        let mut q = BucketQueue::new(1.0, 4);
        q.push(-0.0, 0, 1);
        assert_eq!(q.pop(), Some((0.0, 0, 1)));
    }

    #[test]
    fn every_pop_is_the_least_item_held() {
        // Interleaved pushes and pops against an ordered set as the model.
        use std::collections::BTreeSet;
        let mut q = BucketQueue::new(0.3, 8);
        let mut model = BTreeSet::new();
        let mut rng = crate::test_rng::Lcg::new(1);
        let mut rnd = |m: u64| rng.below(m as usize) as u64;
        let mut last = 0.0f64;
        for round in 0..500u32 {
            for j in 0..rnd(4) as u32 {
                // Mostly near the last key, sometimes far beyond the window.
                let step = if rnd(20) == 0 {
                    50.0
                } else {
                    rnd(40) as f64 / 10.0
                };
                let (t, s, v) = (last + step, rnd(3) as u32, round * 4 + j);
                q.push(t, s, v);
                model.insert(((t + 0.0).to_bits(), s, v));
            }
            for _ in 0..rnd(4) {
                let want = model.pop_first();
                let got = q.pop();
                assert_eq!(got.map(|(t, s, v)| (t.to_bits(), s, v)), want);
                if let Some((t, _, _)) = got {
                    last = t;
                }
            }
        }
        while let Some(want) = model.pop_first() {
            assert_eq!(q.pop().map(|(t, s, v)| (t.to_bits(), s, v)), Some(want));
        }
        assert_eq!(q.pop(), None);
    }

    /// Buckets filled one after another share one buffer: the slots keep
    /// about the fullest bucket's room once, not once per slot.
    #[test]
    fn slots_filled_in_turn_share_their_buffers() {
        let mut q = BucketQueue::new(1.0, 64);
        for k in 1..64u32 {
            for v in 0..1000 {
                q.push(f64::from(k) + 0.5, 0, v);
            }
            for v in 0..1000 {
                assert_eq!(q.pop(), Some((f64::from(k) + 0.5, 0, v)));
            }
        }
        let room: usize = q.slots.iter().chain(&q.spare).map(Vec::capacity).sum();
        assert!(
            room < 4 * 1024,
            "{room} keys of room kept for 1,000 at a time"
        );
    }

    /// A bucket reached from the overflow heap, its slot never filled,
    /// adds no empty buffer to the pool.
    #[test]
    fn an_overflow_bucket_pools_no_empty_buffer() {
        let mut q = BucketQueue::new(1.0, 4);
        for k in 0..3u32 {
            q.push(f64::from(100 * (k + 1)) + 0.5, 0, k);
        }
        for k in 0..3u32 {
            assert_eq!(q.pop(), Some((f64::from(100 * (k + 1)) + 0.5, 0, k)));
        }
        assert!(q.spare.iter().all(|b| b.capacity() > 0), "{:?}", q.spare);
    }
}
