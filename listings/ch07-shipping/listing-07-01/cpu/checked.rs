// ANCHOR: all
//! The same, with the question asked at run time: AVX-512F where the CPU has
//! it, plain code everywhere else.
use std::arch::x86_64::{_mm512_add_pd, _mm512_loadu_pd, _mm512_storeu_pd};
use std::hint::black_box;

#[target_feature(enable = "avx512f")]
fn add8_avx512(a: &[f64; 8], b: &[f64; 8]) -> [f64; 8] {
    let mut out = [0.0; 8];
    // SAFETY: the pointers cover 8 f64 each; the loads and stores are unaligned ones.
    unsafe {
        let s = _mm512_add_pd(_mm512_loadu_pd(a.as_ptr()), _mm512_loadu_pd(b.as_ptr()));
        _mm512_storeu_pd(out.as_mut_ptr(), s);
    }
    out
}

fn add8(a: &[f64; 8], b: &[f64; 8]) -> ([f64; 8], &'static str) {
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has just said that it executes AVX-512F instructions.
        (unsafe { add8_avx512(a, b) }, "AVX-512F")
    } else {
        (std::array::from_fn(|i| a[i] + b[i]), "baseline")
    }
}

fn main() {
    let (a, b) = (black_box([1.0; 8]), black_box([2.0; 8]));
    let (sum, path) = add8(&a, &b);
    println!("{} ({path} path)", sum.iter().sum::<f64>());
}
// ANCHOR_END: all
