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
