//! `compare`'s tables made from a sweep's results: one table per data set,
//! one line per row, its finished seeds averaged; what has not finished
//! is listed under them.

use super::manifest::{Run, RunData, SweepDir};
use crate::eval::compare_runs::{image_table_head, image_table_row, toy_table_head, toy_table_row};
use anyhow::Result;

/// The tables (markdown) and how many runs have finished.
pub fn collect(dir: &SweepDir, runs: &[Run]) -> Result<(String, usize)> {
    let mut out = String::new();
    let mut finished = 0;
    let mut missing = Vec::new();
    // Data sets and rows in the manifest's order.
    let mut data_sets: Vec<&str> = Vec::new();
    for run in runs {
        if !data_sets.contains(&run.spec.data.as_str()) {
            data_sets.push(&run.spec.data);
        }
    }
    for data in data_sets {
        let of_data: Vec<&Run> = runs.iter().filter(|r| r.spec.data == data).collect();
        let mut rows: Vec<&str> = Vec::new();
        for run in &of_data {
            if !rows.contains(&run.recipe.label.as_str()) {
                rows.push(&run.recipe.label);
            }
        }
        let first = of_data[0];
        let steps: Vec<String> = {
            let mut s: Vec<usize> = of_data.iter().map(|r| r.spec.steps).collect();
            s.sort_unstable();
            s.dedup();
            s.iter().map(usize::to_string).collect()
        };
        out.push_str(&format!("\n## {data} ({} steps; sweep {})\n\n", steps.join("/"), dir.root.display()));
        match &first.data {
            RunData::Toy(toy) => out.push_str(&toy_table_head(toy.modes())),
            RunData::Images(..) => out.push_str(image_table_head()),
        }
        out.push('\n');
        for label in rows {
            let (mut toys, mut images, mut of_row) = (Vec::new(), Vec::new(), 0);
            for run in of_data.iter().filter(|r| r.recipe.label == label) {
                of_row += 1;
                match dir.read_result(&run.spec.id)? {
                    Some(result) => {
                        finished += 1;
                        toys.extend(result.toy);
                        images.extend(result.image);
                    }
                    None => missing.push(run.spec.id.clone()),
                }
            }
            let done = toys.len() + images.len();
            let shown = if done < of_row { format!("{label} ({done} of {of_row} seeds)") } else { label.to_string() };
            if done == 0 {
                out.push_str(&format!("| {shown} | - | - | - |\n"));
            } else if toys.is_empty() {
                out.push_str(&image_table_row(&shown, &images));
                out.push('\n');
            } else {
                out.push_str(&toy_table_row(&shown, &toys));
                out.push('\n');
            }
        }
    }
    if !missing.is_empty() {
        out.push_str(&format!("\n{} of {} runs not finished: {}\n", missing.len(), runs.len(), missing.join(", ")));
    }
    Ok((out, finished))
}
