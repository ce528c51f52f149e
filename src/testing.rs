//! What the crate's own tests share.

/// The next state of a 64-bit linear congruential generator (Knuth's MMIX
/// constants): reproducible test cases without a dependency. The high bits
/// of a state are the random ones.
pub(crate) fn lcg(state: u64) -> u64 {
    state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407)
}

/// Reproducible pseudo-random numbers of 53 bits each, from a seed.
pub(crate) fn numbers(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed = lcg(seed);
        seed >> 11
    }
}
