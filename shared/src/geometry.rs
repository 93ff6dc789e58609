//! Which input row or column each kernel tap of a convolution reads: the
//! geometry the model format checks layers against and every kernel
//! (reference and optimized) walks, kept below both.

/// For a convolution, the input row (or column) that kernel tap `k` reads
/// for output row `o`, if inside the input: `i = o · stride − padding + k`.
#[inline]
pub fn conv_source(o: i32, k: i32, stride: u8, padding: u8, input_len: u16) -> Option<usize> {
    let i = o * stride as i32 - padding as i32 + k;
    if i >= 0 && i < input_len as i32 { Some(i as usize) } else { None }
}

/// For a transposed convolution, the input row (or column) that kernel tap
/// `k` brings to output row `o`, if any: `o = i · stride − padding + k`.
#[inline]
pub fn transposed_source(o: i32, k: i32, stride: u8, padding: u8, input_len: u16) -> Option<usize> {
    let t = o + padding as i32 - k;
    if t < 0 || t % stride as i32 != 0 {
        return None;
    }
    let i = t / stride as i32;
    if i < input_len as i32 { Some(i as usize) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_sources() {
        // stride 2, padding 1, kernel 4, input 7 -> output 14
        assert_eq!(transposed_source(0, 1, 2, 1, 7), Some(0));
        assert_eq!(transposed_source(0, 0, 2, 1, 7), None); // t = 1, odd
        assert_eq!(transposed_source(13, 2, 2, 1, 7), Some(6));
        assert_eq!(transposed_source(13, 0, 2, 1, 7), Some(7).filter(|_| false)); // i=7 out of range
    }
}
