//! How parallel stages run: on the rayon pool, or one item after another
//! (the sequential reference every parallel stage is tested against).

/// How services, facilities and scenarios are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// In parallel on the rayon pool.
    Parallel,
    /// One after another (the reference).
    Sequential,
}
