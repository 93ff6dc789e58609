//! Widening a run of stored int8 weights to the int16 values the inner
//! loops read (see [`crate::format::packed`] for the stored order).

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
    for (o, b) in out.chunks_exact_mut(4).zip(bytes.chunks_exact(4)) {
        o[0] = b[0] as i8 as i16;
        o[1] = b[2] as i8 as i16;
        o[2] = b[1] as i8 as i16;
        o[3] = b[3] as i8 as i16;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::unpack;
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
            assert_eq!(v, stored.get(at), "value {at}");
        }
        assert_eq!(out[p.index(5, 3, 9)], value(5, 3, 9) as i16);
    }
}
