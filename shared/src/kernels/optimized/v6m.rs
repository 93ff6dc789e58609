//! The four-channel dot products of [`super::dot`] in ARMv6-M (Cortex-M0+)
//! assembly: no `SMLAD`, no `SMLAL`, only Thumb-1's single-cycle 32-bit
//! `MULS`, so the floor is three instructions a multiply-accumulate (load
//! the weight, multiply, add).
//!
//! - Accumulators live in the high registers r8–r11: Thumb-1's `ADD` takes
//!   them (without flags), which leaves the low registers for operands.
//! - Inputs are loaded two at a time (`LDR` of a word of two int16 values,
//!   then `SXTH` and `ASRS #16`): three instructions serve eight MACs.
//! - Weights are loaded with `LDRH` at immediate offsets: a step's 32
//!   weights span exactly the 62 bytes an offset can reach. `LDRH`
//!   zero-extends (the core has no `LDRSH` with an immediate offset), so the
//!   unpacked weights hold `w + 32768` (see `unpack::WEIGHT_BIAS`) and each
//!   dot product is corrected by `32768 · Σx` afterwards.
//!
//! One step (eight inputs, four channels) is 110 instructions for 32 MACs
//! (3.44 a MAC), all 16-bit: 220 bytes, unrolled [`MAX_STEPS`] times and
//! entered part-way, as the `SMLAD` loops are.

use super::chunk::{BlockRun, Chunk, MAX_STEPS};
use crate::format::packed::{BLOCK, LANES};

const _: () = assert!(MAX_STEPS == 32);

/// `sums` (whole blocks) plus, or without `accumulate` set to, each block's
/// four dot products: [`super::dot::dot_blocks`] on this core. The
/// arguments are as there and already checked: at least one chunk, steps in
/// `1..=MAX_STEPS`, at least one block.
#[allow(clippy::too_many_arguments)]
pub fn dot_blocks(sums: &mut [i32], accumulate: bool, chunks: &[Chunk], sum_x: Option<i32>, x: &[i16], w: &[i16], block_values: usize, steps: usize) {
    let blocks = sums.len() / BLOCK;
    let correction = bias_correction(chunks, x, steps, sum_x);
    // Bounds, which the assembly does not check: every block's weights.
    let _ = &w[(blocks - 1) * block_values..][..chunks.iter().map(|c| c.w as usize * BLOCK).max().unwrap_or(0) + steps * LANES * BLOCK];
    let run = BlockRun::new(sums, accumulate, chunks, x, w, block_values, steps);
    // SAFETY: the chunks' inputs were just read in bounds; the weights'
    // bounds checked above; `x` and `w` are 4-byte aligned (the `u32`
    // staging buffer, offsets multiples of LANES); `sums` holds `blocks`
    // whole blocks; counts and steps as the caller checked.
    unsafe { dot_blocks_asm(&run) };
    for s in &mut sums[..blocks * BLOCK] {
        *s = s.wrapping_sub(correction);
    }
}

/// What the weights' bias adds to a dot product over `chunks`: `32768 · Σx`
/// (wrapping, like the sums), with `Σx` from the caller (the staged pixels'
/// sums) or summed here. Checks every chunk's inputs are in bounds, which the
/// assembly does not.
fn bias_correction(chunks: &[Chunk], x: &[i16], steps: usize, sum_x: Option<i32>) -> i32 {
    let mut sum = 0i32;
    for c in chunks {
        let inputs = &x[c.x as usize..][..steps * LANES];
        if sum_x.is_none() {
            sum = inputs.iter().fold(sum, |s, &v| s.wrapping_add(v as i32));
        }
    }
    bias_of(sum_x.unwrap_or(sum))
}

/// `32768 · Σx`, wrapping: what weights biased by 32768 add to a dot
/// product whose inputs sum to `sum_x`.
#[inline(always)]
fn bias_of(sum_x: i32) -> i32 {
    sum_x.wrapping_mul(1 << 15)
}

/// Saves r4–r11 and lr (Thumb-1 pushes only low registers: r8–r11 go
/// through r4–r7).
macro_rules! save_registers {
    () => {
        "push {{r4-r7, lr}}
         mov r4, r8
         mov r5, r9
         mov r6, r10
         mov r7, r11
         push {{r4-r7}}"
    };
}

/// Restores what [`save_registers`] saved and returns.
macro_rules! restore_registers_and_return {
    () => {
        "pop {{r4-r7}}
         mov r8, r4
         mov r9, r5
         mov r10, r6
         mov r11, r7
         pop {{r4-r7, pc}}"
    };
}

/// Two inputs (the word at `[r6, #x]`) against the four channels' weights at
/// `[r7, #w]`, `[r7, #w + 16]`, … and `[r7, #w + 2]`, …: 27 instructions.
macro_rules! pair {
    ($x:literal, $w0:literal, $w1:literal, $w2:literal, $w3:literal, $w4:literal, $w5:literal, $w6:literal, $w7:literal) => {
        concat!(
            "ldr r3, [r6, #", $x, "]\n",
            "sxth r0, r3\n",
            "asrs r1, r3, #16\n",
            "ldrh r2, [r7, #", $w0, "]\n muls r2, r0, r2\n add r8, r2\n",
            "ldrh r2, [r7, #", $w1, "]\n muls r2, r1, r2\n add r8, r2\n",
            "ldrh r2, [r7, #", $w2, "]\n muls r2, r0, r2\n add r9, r2\n",
            "ldrh r2, [r7, #", $w3, "]\n muls r2, r1, r2\n add r9, r2\n",
            "ldrh r2, [r7, #", $w4, "]\n muls r2, r0, r2\n add r10, r2\n",
            "ldrh r2, [r7, #", $w5, "]\n muls r2, r1, r2\n add r10, r2\n",
            "ldrh r2, [r7, #", $w6, "]\n muls r2, r0, r2\n add r11, r2\n",
            "ldrh r2, [r7, #", $w7, "]\n muls r2, r1, r2\n add r11, r2\n",
        )
    };
}

/// One step: inputs 0–7 at r6, the block's 4 × 8 weights at r7 (channel
/// `c`'s input `i` at byte `2 · (8c + i)`), then both pointers move on.
macro_rules! step {
    () => {
        concat!(
            pair!("0", "0", "2", "16", "18", "32", "34", "48", "50"),
            pair!("4", "4", "6", "20", "22", "36", "38", "52", "54"),
            pair!("8", "8", "10", "24", "26", "40", "42", "56", "58"),
            pair!("12", "12", "14", "28", "30", "44", "46", "60", "62"),
            "adds r6, #16\n",
            "adds r7, #64\n",
        )
    };
}

/// The block and chunk loops around the unrolled steps. The steps come
/// first (conditional branches reach only 256 bytes, so the loop heads sit
/// just after them); the function's first instruction jumps over them to
/// the prologue at 50.
///
/// Frame: [sp] entry address, [sp+4] next chunk, [sp+8] chunks left,
/// [sp+12] next sums, [sp+16] inputs, [sp+20] this block's weights,
/// [sp+24] blocks left, [sp+28] block bytes, [sp+32] first chunk,
/// [sp+36] chunk count, [sp+40] accumulate.
///
/// # Safety
/// As `smlad::dot_blocks`.
#[unsafe(naked)]
unsafe extern "C" fn dot_blocks_asm(run: &BlockRun) {
    core::arch::naked_asm!(
        "ldr r1, 70f",
        "bx r1",
        ".p2align 2",
        "70:",
        ".word 50f + 1",
        ".rept 32",
        step!(),
        ".endr",
        // A chunk is done.
        "9:",
        "ldr r4, [sp, #8]",
        "subs r4, #1",
        "str r4, [sp, #8]",
        "bne 20f",
        // A block is done: store its sums, move to the next block's weights.
        "ldr r4, [sp, #12]",
        "mov r0, r8",
        "mov r1, r9",
        "mov r2, r10",
        "mov r3, r11",
        "stm r4!, {{r0-r3}}",
        "str r4, [sp, #12]",
        "ldr r4, [sp, #20]",
        "ldr r5, [sp, #28]",
        "adds r4, r4, r5",
        "str r4, [sp, #20]",
        "ldr r4, [sp, #24]",
        "subs r4, #1",
        "str r4, [sp, #24]",
        "bne 10f",
        "add sp, #44",
        restore_registers_and_return!(),
        // A block starts: its accumulators from its sums, or zero.
        "10:",
        "ldr r4, [sp, #40]",
        "cmp r4, #0",
        "beq 11f",
        "ldr r4, [sp, #12]",
        "ldm r4!, {{r0-r3}}",
        "mov r8, r0",
        "mov r9, r1",
        "mov r10, r2",
        "mov r11, r3",
        "b 12f",
        "11:",
        "movs r0, #0",
        "mov r8, r0",
        "mov r9, r0",
        "mov r10, r0",
        "mov r11, r0",
        "12:",
        "ldr r4, [sp, #32]",
        "str r4, [sp, #4]",
        "ldr r4, [sp, #36]",
        "str r4, [sp, #8]",
        // A chunk starts: its input and weight pointers, then into the steps.
        "20:",
        "ldr r4, [sp, #4]",
        "ldm r4!, {{r0, r1}}",
        "str r4, [sp, #4]",
        "lsls r0, r0, #1",
        "ldr r6, [sp, #16]",
        "adds r6, r6, r0",
        "lsls r1, r1, #3",
        "ldr r7, [sp, #20]",
        "adds r7, r7, r1",
        "ldr r4, [sp, #0]",
        "bx r4",
        // The prologue: save r4–r11, copy the run into the frame.
        "50:",
        save_registers!(),
        "sub sp, #44",
        "ldr r1, [r0, #0]",
        "str r1, [sp, #32]",
        "ldr r1, [r0, #4]",
        "str r1, [sp, #36]",
        "ldr r1, [r0, #8]",
        "str r1, [sp, #16]",
        "ldr r1, [r0, #12]",
        "str r1, [sp, #20]",
        "ldr r1, [r0, #16]",
        "movs r2, #220",
        "muls r1, r2, r1",
        "ldr r2, 71f",
        "subs r2, r2, r1",
        "str r2, [sp, #0]",
        "ldr r1, [r0, #20]",
        "str r1, [sp, #24]",
        "ldr r1, [r0, #24]",
        "str r1, [sp, #28]",
        "ldr r1, [r0, #28]",
        "str r1, [sp, #12]",
        "ldr r1, [r0, #32]",
        "str r1, [sp, #40]",
        "b 10b",
        ".p2align 2",
        "71:",
        ".word 9b + 1",
    )
}

/// `sum` plus one channel's dot product over `chunks` (weights biased as
/// above, `sum_x` the chunks' inputs' sum if the caller has it):
/// [`super::dot::dot_one`] on this core. At least one chunk, steps in
/// `1..=MAX_STEPS`.
pub fn dot_one(sum: i32, chunks: &[Chunk], sum_x: Option<i32>, x: &[i16], w: &[i16], steps: usize) -> i32 {
    // One pass over the chunks: their inputs' and weights' bounds (the
    // assembly checks none), and Σx unless the caller has it.
    let mut sum_of_inputs = 0i32;
    for c in chunks {
        let inputs = &x[c.x as usize..][..steps * LANES];
        let _ = &w[c.w as usize..][..steps * LANES];
        if sum_x.is_none() {
            sum_of_inputs = inputs.iter().fold(sum_of_inputs, |s, &v| s.wrapping_add(v as i32));
        }
    }
    let correction = bias_of(sum_x.unwrap_or(sum_of_inputs));
    let run = OneRun { chunks: chunks.as_ptr(), count: chunks.len() as u32, x: x.as_ptr(), w: w.as_ptr(), steps: steps as u32 };
    // SAFETY: every chunk's inputs and weights were just checked in
    // bounds; `x` and `w` are 4-byte aligned (the `u32` staging buffer,
    // offsets multiples of LANES); counts and steps as the caller checked.
    let biased = unsafe { dot_one_asm(&run) };
    sum.wrapping_add(biased).wrapping_sub(correction)
}

/// What [`dot_one_asm`] reads.
#[repr(C)]
struct OneRun {
    chunks: *const Chunk,
    count: u32,
    x: *const i16,
    w: *const i16,
    steps: u32,
}

/// Two inputs (the word at `[r6, #x]`) against their two weights at
/// `[r7, #w]` and `[r7, #w + 2]`, into r8: 9 instructions.
macro_rules! one_pair {
    ($x:literal, $w0:literal, $w1:literal) => {
        concat!(
            "ldr r3, [r6, #", $x, "]\n",
            "sxth r0, r3\n",
            "asrs r1, r3, #16\n",
            "ldrh r2, [r7, #", $w0, "]\n muls r2, r0, r2\n add r8, r2\n",
            "ldrh r2, [r7, #", $w1, "]\n muls r2, r1, r2\n add r8, r2\n",
        )
    };
}

/// One step of one channel: 38 instructions, 76 bytes.
macro_rules! one_step {
    () => {
        concat!(
            one_pair!("0", "0", "2"),
            one_pair!("4", "4", "6"),
            one_pair!("8", "8", "10"),
            one_pair!("12", "12", "14"),
            "adds r6, #16\n",
            "adds r7, #16\n",
        )
    };
}

/// One channel's dot product (biased weights), returned in r0. Laid out
/// as [`dot_blocks_asm`]. Frame: [sp] entry address, [sp+4] next chunk,
/// [sp+8] chunks left, [sp+12] inputs, [sp+16] weights.
///
/// # Safety
/// `run` describes readable, 4-byte aligned memory for every chunk;
/// `count ≥ 1`, `1 ≤ steps ≤ MAX_STEPS`.
#[unsafe(naked)]
unsafe extern "C" fn dot_one_asm(run: &OneRun) -> i32 {
    core::arch::naked_asm!(
        "ldr r1, 70f",
        "bx r1",
        ".p2align 2",
        "70:",
        ".word 50f + 1",
        ".rept 32",
        one_step!(),
        ".endr",
        "9:",
        "ldr r4, [sp, #8]",
        "subs r4, #1",
        "str r4, [sp, #8]",
        "bne 20f",
        "mov r0, r8",
        "add sp, #20",
        restore_registers_and_return!(),
        "20:",
        "ldr r4, [sp, #4]",
        "ldm r4!, {{r0, r1}}",
        "str r4, [sp, #4]",
        "lsls r0, r0, #1",
        "ldr r6, [sp, #12]",
        "adds r6, r6, r0",
        "lsls r1, r1, #1",
        "ldr r7, [sp, #16]",
        "adds r7, r7, r1",
        "ldr r4, [sp, #0]",
        "bx r4",
        "50:",
        save_registers!(),
        "sub sp, #20",
        "ldr r1, [r0, #0]",
        "str r1, [sp, #4]",
        "ldr r1, [r0, #4]",
        "str r1, [sp, #8]",
        "ldr r1, [r0, #8]",
        "str r1, [sp, #12]",
        "ldr r1, [r0, #12]",
        "str r1, [sp, #16]",
        "ldr r1, [r0, #16]",
        "movs r2, #76",
        "muls r1, r2, r1",
        "ldr r2, 71f",
        "subs r2, r2, r1",
        "str r2, [sp, #0]",
        "movs r0, #0",
        "mov r8, r0",
        "b 20b",
        ".p2align 2",
        "71:",
        ".word 9b + 1",
    )
}
