//! Scoring runs: `pocketgan eval RUN` ([`report`]: load a run folder, score
//! it with [`crate::metrics`], print) and `pocketgan compare` ([`compare`]:
//! train every objective with one budget and several seeds, one table;
//! [`compare_runs`]: one run of a row, and the table rows of its runs;
//! [`recipes`]: its rows; [`dump`]: what it generated, as files; [`text`]:
//! a text model's prompts against what it drew).

pub mod compare;
pub mod compare_runs;
pub mod dump;
pub mod recipes;
pub mod report;
pub mod sound;
pub mod text;
pub mod translation;
