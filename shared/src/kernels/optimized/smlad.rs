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
//! board.

use super::chunk::{Chunk, MAX_STEPS};

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

/// Shared prologue and chunk loop. Arguments (AAPCS): r0 sums, r1 chunks,
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
            concat!("movs r5, #", $step_bytes),
            "mul r4, r4, r5",
            "adr.w r5, 9f",
            "subs r5, r5, r4",
            "orr r5, r5, #1",
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

/// Four channels: accumulators r0–r3, inputs r4–r7, weights r8–r11,
/// input pointer r12, weight pointer lr.
///
/// # Safety
/// `chunks` points to `n ≥ 1` chunks; `1 ≤ steps ≤ MAX_STEPS`; every chunk's
/// `steps · 8` inputs from `x` and `steps · 32` weights from `w` are
/// readable; `x` and `w` are 4-byte aligned.
#[unsafe(naked)]
pub unsafe extern "C" fn dot_block(sums: &mut [i32; 4], chunks: *const Chunk, n: usize, x: *const i16, w: *const i16, steps: usize) {
    smlad_kernel!(
        "84",
        "ldm r0, {{r0-r3}}",
        "stm r4, {{r0-r3}}",
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
    )
}

/// One channel: accumulator r0, otherwise as [`dot_block`].
///
/// # Safety
/// As [`dot_block`], with `steps · 8` weights per chunk.
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
