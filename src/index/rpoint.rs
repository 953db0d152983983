//! The point type of the engine's 3-D R-trees (unit vectors on the sphere).
//!
//! rstar's own `[f64; 3]` point builds every coordinate-wise result
//! (`min_point`, `sub`, the distances behind every query and the envelope
//! behind every comparison of a bulk load) through `array::map`, whose
//! closure chain the compiler inlines or not depending on how the crate is
//! split into codegen units: after an unrelated change, the segment R-tree's
//! bulk load ran 6× slower (0.09 → 0.56 s on 0.49 M road nodes). [`Unit3`]
//! writes its three coordinates out and asks for inlining, so that cost
//! stays put. The arithmetic, and so every result, is that of `[f64; 3]`.

/// A point on (or near) the unit sphere, as an rstar point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit3(pub [f64; 3]);

impl rstar::Point for Unit3 {
    type Scalar = f64;
    const DIMENSIONS: usize = 3;

    #[inline(always)]
    fn generate(mut generator: impl FnMut(usize) -> f64) -> Self {
        // Array expressions evaluate left to right, like `array::map`.
        Unit3([generator(0), generator(1), generator(2)])
    }

    #[inline(always)]
    fn nth(&self, index: usize) -> f64 {
        self.0[index]
    }

    #[inline(always)]
    fn nth_mut(&mut self, index: usize) -> &mut f64 {
        &mut self.0[index]
    }
}
