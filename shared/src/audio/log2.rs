//! `log2` of an energy in integers: the leading one's position, and the
//! fraction from a table of `log2(1 + i / 256)` with linear interpolation
//! between its entries.

/// Fractional bits of the results: the front end's log energies and
/// coefficients.
pub const LOG_FRAC_BITS: u32 = 8;

/// Fractional bits of the table's entries.
const TABLE_FRAC_BITS: u32 = 16;
/// Mantissa bits that pick an entry.
const INDEX_BITS: u32 = 8;

/// `floor(log2(1 + i / 256) · 2^16)` for `i` in `0..=256`, computed at
/// compile time bit by bit (squaring a Q62 mantissa), so every target
/// holds the same bits.
const TABLE: [u32; (1 << INDEX_BITS) + 1] = {
    let mut t = [0u32; (1 << INDEX_BITS) + 1];
    let mut i = 0;
    while i <= 1 << INDEX_BITS {
        let one: u128 = 1 << 62;
        let mut m = ((1u128 << INDEX_BITS) + i as u128) << (62 - INDEX_BITS);
        let mut frac = 0u32;
        if m >= 2 * one {
            frac = 1 << TABLE_FRAC_BITS;
        } else {
            let mut bit = TABLE_FRAC_BITS;
            while bit > 0 {
                bit -= 1;
                m = (m * m) >> 62;
                if m >= 2 * one {
                    m >>= 1;
                    frac |= 1 << bit;
                }
            }
        }
        t[i] = frac;
        i += 1;
    }
    t
};

/// `log2(x)` with [`LOG_FRAC_BITS`] fractional bits (truncated, within one
/// unit of the exact value); 0 for 0.
pub fn log2_q8(x: u64) -> i32 {
    if x == 0 {
        return 0;
    }
    let int = 63 - x.leading_zeros();
    // The 31 bits below the leading one: an entry, then the interpolation.
    let top = if int >= 31 { (x >> (int - 31)) as u32 } else { (x as u32) << (31 - int) };
    let below = 31 - INDEX_BITS;
    let index = ((top >> below) & ((1 << INDEX_BITS) - 1)) as usize;
    let weight = (top >> (below - 8)) & 0xff;
    let (lo, hi) = (TABLE[index], TABLE[index + 1]);
    let frac = lo + (((hi - lo) * weight) >> 8);
    ((int << LOG_FRAC_BITS) + (frac >> (TABLE_FRAC_BITS - LOG_FRAC_BITS))) as i32
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn the_table_is_log2_and_logs_are_within_a_unit() {
        for (i, &v) in TABLE.iter().enumerate() {
            let exact = (1.0 + i as f64 / 256.0).log2() * 65536.0;
            assert!(v as f64 <= exact + 1e-9 && exact - (v as f64) < 1.0, "entry {i}: {v} vs {exact}");
        }
        let mut x = 1u64;
        while x < u64::MAX / 7 {
            for y in [x, x + 1, x * 3 / 2, x * 2 - 1] {
                let exact = (y as f64).log2() * 256.0;
                let got = log2_q8(y) as f64;
                // Interpolating under a concave curve only ever falls short.
                assert!(got <= exact + 1e-6 && exact - got < 1.02, "log2({y}): {got} vs {exact}");
            }
            x = x * 7 / 4 + 1;
        }
        assert_eq!((log2_q8(0), log2_q8(1), log2_q8(2), log2_q8(1 << 40)), (0, 0, 256, 40 << 8));
    }
}
