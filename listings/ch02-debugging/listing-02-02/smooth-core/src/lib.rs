// ANCHOR: all
//! The numerical kernel of listing 2-2: plain Rust, no Python.

use std::fmt;

/// Why [`window_means`] refused its input.
#[derive(Debug, PartialEq, Eq)]
pub enum WindowError {
    ZeroWidth,
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowError::ZeroWidth => write!(f, "width must be at least 1"),
        }
    }
}

impl std::error::Error for WindowError {}

// ANCHOR: window_means
/// The mean of every window of `width` consecutive elements of `a`:
/// `a.len() - width + 1` means, or none when the window is wider than `a`.
pub fn window_means(a: &[f64], width: usize) -> Result<Vec<f64>, WindowError> {
    if width == 0 {
        return Err(WindowError::ZeroWidth);
    }
    Ok(a.windows(width)
        .map(|w| w.iter().sum::<f64>() / width as f64)
        .collect())
}
// ANCHOR_END: window_means

// ANCHOR: tests
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_of_each_window() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(window_means(&a, 2), Ok(vec![1.5, 2.5, 3.5, 4.5]));
        assert_eq!(window_means(&a, 5), Ok(vec![3.0]));
    }

    #[test]
    fn a_window_wider_than_the_array_gives_no_means() {
        // The bug of listing 2-1, as a regression test.
        assert_eq!(window_means(&[0.0, 1.0, 2.0], 5), Ok(vec![]));
        assert_eq!(window_means(&[], 1), Ok(vec![]));
    }

    #[test]
    fn zero_width_is_an_error() {
        assert_eq!(window_means(&[1.0], 0), Err(WindowError::ZeroWidth));
        assert_eq!(
            WindowError::ZeroWidth.to_string(),
            "width must be at least 1"
        );
    }
}
// ANCHOR_END: tests
// ANCHOR_END: all
