//! Handing freed heap back to the system between stages.
//!
//! glibc returns freed memory to the system only from the top of an arena:
//! after the load stage frees the parsed roads (millions of small blocks),
//! or the snap stage its R-tree, the pages stay resident, and the large
//! arrays the next stages allocate (graphs, search records) are fresh
//! mappings that cannot reuse them. On a national extract that is some
//! 300–400 MB of resident memory holding nothing. [`release_freed`] asks
//! glibc to return every free page of every arena (`malloc_trim(0)`).
//! Live allocations are untouched: results cannot change. Elsewhere (musl,
//! macOS, Windows, whose allocators behave otherwise) it does nothing.

/// Returns the allocator's free pages to the system where that is a call
/// (glibc); whether anything was returned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed() -> bool {
    // SAFETY: `malloc_trim` takes no pointer and touches only free chunks,
    // under the lock of each arena it walks.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Returns the allocator's free pages to the system where that is a call
/// (glibc); whether anything was returned.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() -> bool {
    false
}

#[cfg(test)]
mod tests {
    /// Small blocks freed below a live one stay with glibc until released:
    /// the call then hands pages back (on glibc, the only allocator it
    /// calls).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_small_blocks_are_handed_back() {
        let mut blocks: Vec<Vec<u8>> = (0..20_000).map(|k| vec![k as u8; 4_000]).collect();
        let last = blocks.pop();
        drop(blocks);
        assert!(
            super::release_freed(),
            "80 MB of freed blocks, none returned"
        );
        drop(last);
    }
}
