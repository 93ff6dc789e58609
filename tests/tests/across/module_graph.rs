//! No file in the repository imports a file that imports it back: the
//! house rule that keeps each concern below the ones that use it.

use pocketgan_tests::emulator::repo_root;
use pocketgan_tests::module_graph::{ModuleGraph, crate_roots};

#[test]
fn no_import_cycles_between_files() {
    let root = repo_root();
    let roots = crate_roots(&root);
    // Every crate of the workspace, the boards' workspace and the fuzz crate.
    for expected in ["shared/src/lib.rs", "host-trainer/src/lib.rs", "firmware/src/lib.rs", "boards/emulated/src/main.rs"] {
        assert!(roots.contains(&root.join(expected)), "{expected} not found among the crate roots");
    }
    let graph = ModuleGraph::of_crates(&roots).unwrap();
    assert!(graph.files.len() > 100, "only {} files read", graph.files.len());
    let cycles = graph.cycles();
    let shown: Vec<String> = cycles.iter().map(|c| c.replace(&format!("{}/", root.display()), "")).collect();
    assert!(cycles.is_empty(), "{} import cycles between files; move what both sides need below both:\n\n{}", cycles.len(), shown.join("\n\n"));
}

#[test]
fn host_trainer_concerns_use_only_the_ones_before_them() {
    // lib.rs lists the concerns bottom-up; each may use only those above it
    // in that list, so the folders stay in layers, not just free of cycles.
    let root = repo_root();
    let src = root.join("host-trainer/src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let order: Vec<&str> = lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    assert!(order.len() >= 10, "lib.rs lists {order:?}");
    let graph = ModuleGraph::of_crates(&[src.join("lib.rs")]).unwrap();
    let concern = |i: usize| -> Option<usize> {
        let relative = graph.files[i].strip_prefix(&src).ok()?;
        let first = relative.components().next()?.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        order.iter().position(|m| *m == first)
    };
    let mut upward = Vec::new();
    for (&(from, to), via) in &graph.edges {
        if let (Some(a), Some(b)) = (concern(from), concern(to))
            && b > a
        {
            upward.push(format!("{} uses {} ({via})", order[a], order[b]));
        }
    }
    assert!(upward.is_empty(), "concerns using ones listed after them in host-trainer/src/lib.rs:\n{}", upward.join("\n"));
}
