//! Widening a run of stored int8 weights to the int16 values the inner
//! loops read (see [`crate::format::packed`] for the stored order).

/// XORed into every unpacked weight's bits. Zero, except on ARMv6-M
/// (Cortex-M0+), whose multiply loop loads weights with `LDRH`: that core
/// has no `LDRSH` with an immediate offset, and `LDRH` zero-extends, so the
/// buffer holds `w + 32768` there (`w ^ 0x8000` as 16 bits) and the loop
/// subtracts `32768 · Σx` from each dot product (`v6m.rs`).
pub const WEIGHT_BIAS: u16 = if cfg!(all(target_arch = "arm", not(target_feature = "thumb2"))) { 0x8000 } else { 0 };

/// The weight an unpacked value stands for.
#[inline(always)]
pub fn weight(v: i16) -> i32 {
    (v as u16 ^ WEIGHT_BIAS) as i16 as i32
}

/// Writes the int16 values of the stored weight bytes `bytes` (a whole
/// number of groups of four, starting at a group) to `out` (as long).
#[inline]
pub fn unpack(bytes: &[u8], out: &mut [i16]) {
    let n = bytes.len().min(out.len()) / 4 * 4;
    let (bytes, out) = (&bytes[..n], &mut out[..n]);
    #[cfg(all(target_arch = "arm", target_feature = "dsp"))]
    let (bytes, out) = {
        // Sixteen values per pass of the SXTB16 loop, from word-aligned
        // weights; the rest (and an unaligned model) below.
        let bulk = if bytes.as_ptr() as usize % 4 == 0 && out.as_ptr() as usize % 4 == 0 { n / 16 * 16 } else { 0 };
        if bulk > 0 {
            // SAFETY: `bulk` bytes are readable from `bytes` and `bulk`
            // int16 values writable at `out`, both 4-byte aligned (checked
            // just above), and `bulk / 16 ≥ 1`.
            unsafe { super::smlad::unpack_weights(bytes.as_ptr().cast(), out.as_mut_ptr().cast(), bulk / 16) };
        }
        (&bytes[bulk..], &mut out[bulk..])
    };
    #[cfg(all(target_arch = "arm", not(target_feature = "thumb2")))]
    if bytes.as_ptr() as usize % 4 == 0 && out.as_ptr() as usize % 4 == 0 {
        return unpack_biased_words(bytes, out);
    }
    let bias = WEIGHT_BIAS as i16;
    for (o, b) in out.chunks_exact_mut(4).zip(bytes.chunks_exact(4)) {
        o[0] = b[0] as i8 as i16 ^ bias;
        o[1] = b[2] as i8 as i16 ^ bias;
        o[2] = b[1] as i8 as i16 ^ bias;
        o[3] = b[3] as i8 as i16 ^ bias;
    }
}

/// The biased unpacking ([`WEIGHT_BIAS`] = 0x8000) a word at a time, with
/// no sign extension: for a stored byte `b` (the weight `v` in two's
/// complement), `v + 32768 = 0x7F80 + (b ^ 0x80)`, so flipping every byte's
/// top bit, masking bytes 0 and 2 (then 1 and 3) into the two 16-bit lanes
/// and adding 0x7F80 to both lanes (which cannot carry: at most 0x807F)
/// gives the stored order's two int16 pairs. About two instructions a
/// weight on a Cortex-M0+. `bytes` and `out` 4-byte aligned, whole words.
#[cfg(any(test, all(target_arch = "arm", not(target_feature = "thumb2"))))]
fn unpack_biased_words(bytes: &[u8], out: &mut [i16]) {
    // SAFETY: every bit pattern is a valid u32; `align_to` hands back only
    // the aligned middle, which is everything for aligned whole words (the
    // caller's condition; anything else is left to the byte loop's caller).
    let (head, words, _) = unsafe { bytes.align_to::<u32>() };
    let (out_head, pairs, _) = unsafe { out.align_to_mut::<u32>() };
    assert!(head.is_empty() && out_head.is_empty(), "unpack_biased_words takes aligned buffers");
    for (o, &w) in pairs.chunks_exact_mut(2).zip(words) {
        let w = u32::from_le(w) ^ 0x8080_8080;
        o[0] = (w & 0x00FF_00FF) + 0x7F80_7F80;
        o[1] = ((w >> 8) & 0x00FF_00FF) + 0x7F80_7F80;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::{unpack, weight};
    use crate::format::packed::{Packing, PackedWeights};

    #[test]
    fn unpacked_values_are_the_logical_weights_in_index_order() {
        let p = Packing { channels: 6, taps: 4, depth: 10 };
        let n = p.values().unwrap();
        let value = |o: usize, t: usize, i: usize| ((o * 37 + t * 11 + i * 5) % 256) as u8 as i8;
        let mut bytes = std::vec![0u8; n];
        p.pack(value, &mut bytes);
        let stored = PackedWeights::from_le_bytes(&bytes);
        let mut out = std::vec![0x5555i16; n];
        unpack(&bytes, &mut out);
        for (at, &v) in out.iter().enumerate() {
            assert_eq!(weight(v), stored.get(at) as i32, "value {at}");
        }
        assert_eq!(weight(out[p.index(5, 3, 9)]), value(5, 3, 9) as i32);
    }

    #[test]
    fn word_at_a_time_biasing_is_plus_32768() {
        let bytes: std::vec::Vec<u8> = (0..=255u8).collect();
        let mut words = std::vec![0u32; 128];
        // SAFETY: u32 memory seen as i16 pairs: aligned, every pattern valid.
        let out = unsafe { core::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<i16>(), 256) };
        let bytes_words: std::vec::Vec<u32> = bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        // SAFETY: as above, u32 memory seen as bytes.
        let aligned = unsafe { core::slice::from_raw_parts(bytes_words.as_ptr().cast::<u8>(), 256) };
        super::unpack_biased_words(aligned, out);
        for (at, &v) in out.iter().enumerate() {
            let stored = bytes[crate::format::packed::stored_at(at)] as i8 as i32;
            assert_eq!(v as u16 as i32, stored + 32768, "value {at}");
        }
    }
}
