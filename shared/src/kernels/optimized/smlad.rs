//! The dot products of [`super::dot`] in Cortex-M4/M7/M33 assembly, built on
//! `SMLAD` (two 16 × 16-bit multiplies and both additions in one
//! instruction).
//!
//! Written by hand, in naked functions, because the loop needs fourteen
//! registers: four accumulators, four registers of inputs (eight int16
//! values), four of weights, and the two stream pointers; inline `asm!`
//! operands cannot use r6 (LLVM's base pointer) or r7 (the Thumb frame
//! pointer). Left to itself, LLVM compiles the portable loop of
//! [`super::dot`] for this core into `SMLABB`s, one 16-bit
//! multiply-accumulate per instruction, not `SMLAD` (checked with
//! `arm-none-eabi-objdump -d` on the emulated board's build: every `SMLAD`
//! in the binary is in this file).
//!
//! One step (eight inputs) of the four-channel loop is one `LDM` of inputs,
//! then per channel one `LDM` of its eight weights and four `SMLAD`s:
//! 21 instructions for 32 multiply-accumulates. The steps are unrolled
//! [`MAX_STEPS`] times and entered part-way (Duff's device), so there is no
//! loop counter per step; every instruction of a step has a 32-bit encoding,
//! so a step is exactly 84 bytes (24 for one channel) and the entry point is
//! `end − steps · 84`. Integer sums wrap exactly as the portable loops' do,
//! so results are identical, which `bench-layers` checks on the emulated
//! board (its M4 and M33 builds).

use super::chunk::{BlockRun, Chunk, MAX_STEPS};

// The unrolled length is spelled out in the assembly below.
const _: () = assert!(MAX_STEPS == 32);

/// Naked functions are assembled with the target's base features, not
/// `-C target-cpu`: ARMv8-M Mainline's base has no DSP extension even where
/// the core has it (this module is only built when it does), and LLVM's
/// assembler knows no `.arch_extension dsp`. Naming the core turns it on.
#[cfg(armv8m_main)]
macro_rules! dsp_directive {
    () => {
        ".cpu cortex-m33"
    };
}
/// ARMv7E-M always has the DSP extension.
#[cfg(not(armv8m_main))]
macro_rules! dsp_directive {
    () => {
        ""
    };
}

/// `$entry` = label `9` (the end of the unrolled steps) − `$steps · $bytes`,
/// Thumb bit set: where a chunk of `$steps` steps of `$bytes` bytes enters
/// the unrolled loop (Duff's device). `$steps` is overwritten.
macro_rules! entry_address {
    ($entry:literal, $steps:literal, $bytes:literal) => {
        concat!(
            "mov ", $entry, ", #", $bytes, "\n",
            "mul ", $steps, ", ", $steps, ", ", $entry, "\n",
            "adr.w ", $entry, ", 9f\n",
            "subs ", $entry, ", ", $entry, ", ", $steps, "\n",
            "orr ", $entry, ", ", $entry, ", #1"
        )
    };
}

/// The one-channel loop's prologue and chunk loop. Arguments (AAPCS): r0 sums, r1 chunks,
/// r2 chunk count (≥ 1), r3 staged inputs; on the stack: weights, steps.
/// Frame after the prologue: [sp] entry address, [sp+4] next chunk,
/// [sp+8] chunks left, [sp+12] sums, [sp+16] inputs, [sp+56] weights,
/// [sp+60] steps.
macro_rules! smlad_kernel {
    ($step_bytes:literal, $load_sums:literal, $store_sums:literal, $step:literal) => {
        core::arch::naked_asm!(
            dsp_directive!(),
            "push {{r4-r11, lr}}",
            "sub sp, #20",
            "ldr r4, [sp, #60]",
            entry_address!("r5", "r4", $step_bytes),
            "str r5, [sp]",
            "str r1, [sp, #4]",
            "str r2, [sp, #8]",
            "str r0, [sp, #12]",
            "str r3, [sp, #16]",
            $load_sums,
            "2:",
            "ldr r4, [sp, #4]",
            "ldm r4!, {{r12, lr}}",
            "str r4, [sp, #4]",
            "ldr r5, [sp, #16]",
            "add.w r12, r5, r12, lsl #1",
            "ldr r5, [sp, #56]",
            "add.w lr, r5, lr, lsl #1",
            "ldr r5, [sp]",
            "bx r5",
            ".rept 32",
            $step,
            ".endr",
            "9:",
            "ldr r4, [sp, #8]",
            "subs r4, r4, #1",
            "str r4, [sp, #8]",
            "bne 2b",
            "ldr r4, [sp, #12]",
            $store_sums,
            "add sp, #20",
            "pop {{r4-r11, pc}}",
        )
    };
}

/// One step of four channels: eight inputs (r4–r7) against each channel's
/// eight weights (r8–r11, loaded in turn), into accumulators r0–r3. Every
/// instruction has a 32-bit encoding: 84 bytes.
macro_rules! block_step {
    () => {
        "ldm.w r12!, {{r4-r7}}
         ldm.w lr!, {{r8-r11}}
         smlad r0, r4, r8, r0
         smlad r0, r5, r9, r0
         smlad r0, r6, r10, r0
         smlad r0, r7, r11, r0
         ldm.w lr!, {{r8-r11}}
         smlad r1, r4, r8, r1
         smlad r1, r5, r9, r1
         smlad r1, r6, r10, r1
         smlad r1, r7, r11, r1
         ldm.w lr!, {{r8-r11}}
         smlad r2, r4, r8, r2
         smlad r2, r5, r9, r2
         smlad r2, r6, r10, r2
         smlad r2, r7, r11, r2
         ldm.w lr!, {{r8-r11}}
         smlad r3, r4, r8, r3
         smlad r3, r5, r9, r3
         smlad r3, r6, r10, r3
         smlad r3, r7, r11, r3"
    };
}

/// Runs of four-channel blocks: for each block, accumulators r0–r3 are
/// loaded from its four sums (or zeroed), every chunk is added (inputs r4–r7, weights
/// r8–r11, input pointer r12, weight pointer lr), and the sums are stored
/// back; then the weight base moves to the next block. One call covers all
/// of an output pixel's blocks, so the call's cost is paid once per pixel
/// (per output row of a linear layer: once per run of blocks).
///
/// Frame: [sp] entry address, [sp+4] next chunk, [sp+8] chunks left,
/// [sp+12] next sums, [sp+16] inputs, [sp+20] this block's weights,
/// [sp+24] blocks left, [sp+28] block bytes, [sp+32] first chunk,
/// [sp+36] chunk count, [sp+40] accumulate.
///
/// # Safety
/// `run` describes readable memory: for each block and chunk, `steps · 8`
/// inputs from `x` and `steps · 32` weights from the block's weights at
/// four times the chunk's weight offset; `x` and `w` 4-byte aligned;
/// `sums` writable for `4 · blocks` values; counts and steps as documented.
#[unsafe(naked)]
pub unsafe extern "C" fn dot_blocks(run: &BlockRun) {
    core::arch::naked_asm!(
        dsp_directive!(),
        "push {{r4-r11, lr}}",
        "sub sp, #44",
        "ldr r9, [r0, #32]",
        "str r9, [sp, #40]",
        "ldm r0, {{r1-r8}}",
        entry_address!("r9", "r5", "84"),
        "str r9, [sp]",
        "str r8, [sp, #12]",
        "str r3, [sp, #16]",
        "str r4, [sp, #20]",
        "str r6, [sp, #24]",
        "str r7, [sp, #28]",
        "str r1, [sp, #32]",
        "str r2, [sp, #36]",
        "1:",
        "ldr r4, [sp, #40]",
        "cbz r4, 3f",
        "ldr r4, [sp, #12]",
        "ldm r4, {{r0-r3}}",
        "b 4f",
        "3:",
        "movs r0, #0",
        "movs r1, #0",
        "movs r2, #0",
        "movs r3, #0",
        "4:",
        "ldr r4, [sp, #32]",
        "str r4, [sp, #4]",
        "ldr r4, [sp, #36]",
        "str r4, [sp, #8]",
        "2:",
        "ldr r4, [sp, #4]",
        "ldm r4!, {{r12, lr}}",
        "str r4, [sp, #4]",
        "ldr r5, [sp, #16]",
        "add.w r12, r5, r12, lsl #1",
        "ldr r5, [sp, #20]",
        "add.w lr, r5, lr, lsl #3",
        "ldr r5, [sp]",
        "bx r5",
        ".rept 32",
        block_step!(),
        ".endr",
        "9:",
        "ldr r4, [sp, #8]",
        "subs r4, r4, #1",
        "str r4, [sp, #8]",
        "bne 2b",
        "ldr r4, [sp, #12]",
        "stm r4!, {{r0-r3}}",
        "str r4, [sp, #12]",
        "ldr r4, [sp, #20]",
        "ldr r5, [sp, #28]",
        "add r4, r4, r5",
        "str r4, [sp, #20]",
        "ldr r4, [sp, #24]",
        "subs r4, r4, #1",
        "str r4, [sp, #24]",
        "bne 1b",
        "add sp, #44",
        "pop {{r4-r11, pc}}",
    )
}

/// One channel: accumulator r0, inputs r4–r7, weights r8–r11, input
/// pointer r12, weight pointer lr.
///
/// # Safety
/// `chunks` points to `n ≥ 1` chunks; `1 ≤ steps ≤ MAX_STEPS`; every chunk's
/// `steps · 8` inputs from `x` and `steps · 8` weights from `w` are
/// readable; `x` and `w` are 4-byte aligned.
#[unsafe(naked)]
pub unsafe extern "C" fn dot_one(sums: &mut [i32; 1], chunks: *const Chunk, n: usize, x: *const i16, w: *const i16, steps: usize) {
    smlad_kernel!(
        "24",
        "ldr r0, [r0]",
        "str r0, [r4]",
        "ldm.w r12!, {{r4-r7}}
         ldm.w lr!, {{r8-r11}}
         smlad r0, r4, r8, r0
         smlad r0, r5, r9, r0
         smlad r0, r6, r10, r0
         smlad r0, r7, r11, r0"
    )
}

/// Sixteen stored weights (four words) per pass: `SXTB16` of each word
/// gives its first int16 pair, of the word rotated by 8 its second (the
/// file's order makes these the unpacked order, see
/// [`crate::format::packed`]); one `STM` writes the eight words. Twelve
/// instructions per sixteen weights.
///
/// # Safety
/// `src` readable for `passes · 16` bytes, `dst` writable for `passes · 32`
/// bytes, both 4-byte aligned; `passes ≥ 1`.
#[unsafe(naked)]
pub unsafe extern "C" fn unpack_weights(src: *const u32, dst: *mut u32, passes: usize) {
    core::arch::naked_asm!(
        dsp_directive!(),
        "push {{r4-r10, lr}}",
        "1:",
        "ldm r0!, {{r3, r5, r7, r9}}",
        "sxtb16 r4, r3, ror #8",
        "sxtb16 r3, r3",
        "sxtb16 r6, r5, ror #8",
        "sxtb16 r5, r5",
        "sxtb16 r8, r7, ror #8",
        "sxtb16 r7, r7",
        "sxtb16 r10, r9, ror #8",
        "sxtb16 r9, r9",
        "stm r1!, {{r3-r10}}",
        "subs r2, r2, #1",
        "bne 1b",
        "pop {{r4-r10, pc}}",
    )
}

/// What [`dot_one_run`] reads. `repr(C)`: loaded with one `LDM`.
#[repr(C)]
pub struct OneChannelRun {
    /// The chunks, the same for the four pixels.
    pub chunks: *const Chunk,
    /// Number of chunks (≥ 1).
    pub count: u32,
    /// The first pixel's staged inputs the chunks' input offsets start from.
    pub x: *const i16,
    /// The channel's weights.
    pub w: *const i16,
    /// Steps per chunk, `1..=MAX_STEPS`.
    pub steps: u32,
    /// Bytes from one pixel's inputs to the next's (a multiple of 4).
    pub delta_bytes: u32,
    /// The four pixels' sums, added to.
    pub sums: *mut i32,
}

/// One step of one channel for four output pixels: the channel's eight
/// weights (r4–r5, four at a time) against each pixel's eight inputs
/// (r6–r7, from the pixel pointers r8–r11), into accumulators r0–r3.
/// 26 instructions, all 32-bit: 104 bytes.
macro_rules! run_step {
    () => {
        concat!(run_half_step!(), "\n", run_half_step!())
    };
}

/// Half a step: four weights against each pixel's four inputs.
macro_rules! run_half_step {
    () => {
        "ldm.w lr!, {{r4, r5}}
         ldm.w r8!, {{r6, r7}}
         smlad r0, r6, r4, r0
         smlad r0, r7, r5, r0
         ldm.w r9!, {{r6, r7}}
         smlad r1, r6, r4, r1
         smlad r1, r7, r5, r1
         ldm.w r10!, {{r6, r7}}
         smlad r2, r6, r4, r2
         smlad r2, r7, r5, r2
         ldm.w r11!, {{r6, r7}}
         smlad r3, r6, r4, r3
         smlad r3, r7, r5, r3"
    };
}

/// One channel, four output pixels that read the same taps (a layer with a
/// single output channel, the image, would otherwise pay a chunk's set-up
/// per 8 · steps MACs): each weight load serves four pixels. 26
/// instructions per 32 MACs, plus 16 per chunk for the four pointers.
///
/// Frame: [sp] entry address, [sp+4] next chunk, [sp+8] chunks left,
/// [sp+12] sums, [sp+16] inputs, [sp+20] weights; r12 holds the delta.
///
/// # Safety
/// For each chunk and each pixel `j` in 0..4, `steps · 8` inputs from
/// `x + j · delta` and `steps · 8` weights from `w` at the chunk's offsets
/// are readable; `x`, `w` and `delta_bytes` 4-byte aligned; `sums` holds
/// four writable values; counts and steps as documented.
#[unsafe(naked)]
pub unsafe extern "C" fn dot_one_run(run: &OneChannelRun) {
    core::arch::naked_asm!(
        dsp_directive!(),
        "push {{r4-r11, lr}}",
        "sub sp, #24",
        "ldm r0, {{r1-r7}}",
        entry_address!("r9", "r5", "104"),
        "str r9, [sp]",
        "str r1, [sp, #4]",
        "str r2, [sp, #8]",
        "str r7, [sp, #12]",
        "str r3, [sp, #16]",
        "str r4, [sp, #20]",
        "mov r12, r6",
        "ldm r7, {{r0-r3}}",
        "2:",
        "ldr r4, [sp, #4]",
        "ldm r4!, {{r5, r6}}",
        "str r4, [sp, #4]",
        "ldr r4, [sp, #16]",
        "add.w r8, r4, r5, lsl #1",
        "add.w r9, r8, r12",
        "add.w r10, r9, r12",
        "add.w r11, r10, r12",
        "ldr r4, [sp, #20]",
        "add.w lr, r4, r6, lsl #1",
        "ldr r4, [sp]",
        "bx r4",
        ".rept 32",
        run_step!(),
        ".endr",
        "9:",
        "ldr r4, [sp, #8]",
        "subs r4, r4, #1",
        "str r4, [sp, #8]",
        "bne 2b",
        "ldr r4, [sp, #12]",
        "stm r4, {{r0-r3}}",
        "add sp, #24",
        "pop {{r4-r11, pc}}",
    )
}
