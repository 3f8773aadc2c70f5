// ANCHOR: all
//! The numeric kernel of listing 3-1, in plain Rust: no pyo3, no numpy, so
//! `rustc --test` compiles it alone, in any profile, with any sanitizer.

// ANCHOR: interp
/// The value at fractional position `t`, interpolated linearly between
/// `x[floor(t)]` and the element after it; `None` when `t` is outside.
pub fn interp(x: &[f64], t: f64) -> Option<f64> {
    if x.is_empty() || !(0.0..=(x.len() - 1) as f64).contains(&t) {
        return None;
    }
    let i = t as usize;
    let f = t - i as f64;
    // SAFETY: BROKEN ON PURPOSE. `t <= len - 1`, so `i < len` holds, but
    // `i + 1 < len` does not when `t == len - 1`: that read is one past
    // the end. Multiplied by `f == 0.0`, it does not change the result.
    unsafe { Some(x.get_unchecked(i) * (1.0 - f) + x.get_unchecked(i + 1) * f) }
}
// ANCHOR_END: interp

#[cfg(test)]
mod tests {
    use super::interp;

    #[test]
    fn interp_at_the_last_element() {
        let x = vec![0.0, 1.0, 2.0];
        assert_eq!(interp(&x, 2.0), Some(2.0));
    }
}
// ANCHOR_END: all
