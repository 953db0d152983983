//! Small closed choices of the config, shared by the defaults and the
//! validated settings (a leaf: it imports nothing of the config).

use serde::Serialize;

/// How the gravity sum is rescaled to the index (`[gravity] transform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GravityTransform {
    /// Min–max of `ln G` (the sum spans orders of magnitude).
    Log,
    /// Min–max of `G`.
    Linear,
}

impl GravityTransform {
    /// Every transform.
    pub const ALL: [GravityTransform; 2] = [GravityTransform::Log, GravityTransform::Linear];

    /// Name in the config.
    pub fn key(self) -> &'static str {
        match self {
            GravityTransform::Log => "log",
            GravityTransform::Linear => "linear",
        }
    }
}
