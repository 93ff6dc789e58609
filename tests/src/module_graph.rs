//! The file-level import graph of every Rust crate in the repository, and
//! the cycles in it.
//!
//! A file imports another when one of its paths (`use crate::a::b`,
//! `super::x`, `self::y`, a child module's name, or the same written inline
//! in code) names an item in the other's module. Each path resolves to the
//! deepest module on it that has a file of its own, which is the file a
//! reader opens to find the item: a path through a `mod.rs` that re-exports
//! (`crate::nets::Generator`) depends on that `mod.rs`. Inline modules
//! (`mod tests { … }`) belong to their file. Comments and string literals
//! are not read, so intra-doc links do not count.
//!
//! Built on a small tokenizer rather than a full parser, because paths
//! inside macro invocations (`format!`, `vec!`, `matches!`) count too, and
//! those are token streams to any parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files and the imports between them, for one or more crates.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// Every file reached from a crate root through `mod` declarations.
    pub files: Vec<PathBuf>,
    /// `(from, to) → the first path in `from` that made the edge`.
    pub edges: BTreeMap<(usize, usize), String>,
}

impl ModuleGraph {
    /// The graph of the crates whose root files are `roots`.
    pub fn of_crates(roots: &[PathBuf]) -> Result<Self, String> {
        let mut graph = ModuleGraph::default();
        for root in roots {
            graph.add_crate(root)?;
        }
        Ok(graph)
    }

    fn add_crate(&mut self, root: &Path) -> Result<(), String> {
        // Pass 1: the module tree, module path → file index.
        let mut modules: BTreeMap<Vec<String>, usize> = BTreeMap::new();
        // Per file: its index, module path, tokens and child modules.
        let mut parsed: Vec<(usize, Vec<String>, Vec<Token>, BTreeSet<String>)> = Vec::new();
        let mut pending = vec![(root.to_path_buf(), Vec::<String>::new(), true)];
        while let Some((file, module, owns_dir)) = pending.pop() {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let tokens = tokenize(&text);
            let index = self.files.len();
            self.files.push(file.clone());
            modules.insert(module.clone(), index);
            let dir = if owns_dir {
                file.parent().unwrap_or(Path::new(".")).to_path_buf()
            } else {
                file.with_extension("")
            };
            let mut children = BTreeSet::new();
            for (inline, name) in module_declarations(&tokens) {
                if !inline.is_empty() {
                    // A file module declared inside an inline module: not
                    // used in this repository, and resolved like rustc
                    // would only with more bookkeeping.
                    return Err(format!("{}: `mod {name};` inside an inline module is not supported", file.display()));
                }
                let mut child = module.clone();
                child.push(name.clone());
                let flat = dir.join(format!("{name}.rs"));
                let nested = dir.join(&name).join("mod.rs");
                if flat.exists() {
                    pending.push((flat, child, false));
                } else if nested.exists() {
                    pending.push((nested, child, true));
                } else {
                    return Err(format!("{}: no file for `mod {name};`", file.display()));
                }
                children.insert(name);
            }
            parsed.push((index, module, tokens, children));
        }
        // Pass 2: every path, resolved to the file that holds its item.
        for (index, module, tokens, children) in &parsed {
            let written = paths(tokens);
            // Names that `use` brought into each scope: a later `name::item`
            // goes through them (`use crate::training; training::images::x`).
            let mut imported: BTreeMap<(Vec<String>, String), Vec<String>> = BTreeMap::new();
            let mut resolved = Vec::new();
            for w in &written {
                let mut context = module.clone();
                context.extend(w.inline.iter().cloned());
                let top_children = w.inline.is_empty().then_some(children);
                let absolute = match absolute_path(&context, &w.path, top_children) {
                    Some(a) => Some(a),
                    None if w.imported_as.is_none() => imported
                        .get(&(w.inline.clone(), w.path[0].clone()))
                        .map(|base| base.iter().chain(&w.path[1..]).cloned().collect()),
                    None => None,
                };
                if let (Some(a), Some(Some(alias))) = (&absolute, &w.imported_as) {
                    imported.insert((w.inline.clone(), alias.clone()), a.clone());
                }
                resolved.push(absolute);
            }
            for (w, absolute) in written.iter().zip(resolved) {
                let Some(absolute) = absolute else { continue };
                let target = (0..=absolute.len()).rev().find_map(|n| modules.get(&absolute[..n]));
                if let Some(&target) = target
                    && target != *index
                {
                    self.edges.entry((*index, target)).or_insert_with(|| w.path.join("::"));
                }
            }
        }
        Ok(())
    }

    /// Each cycle as the files on it, the first repeated at the end, with
    /// the path that makes each step; empty when the graph is acyclic.
    pub fn cycles(&self) -> Vec<String> {
        let n = self.files.len();
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(a, b) in self.edges.keys() {
            next[a].push(b);
        }
        // One cycle per strongly connected component is enough to act on.
        let components = strongly_connected(&next);
        let mut found = Vec::new();
        for component in components.iter().filter(|c| c.len() > 1) {
            let members: BTreeSet<usize> = component.iter().copied().collect();
            let start = *component.iter().min().expect("non-empty");
            if let Some(cycle) = shortest_cycle(start, &next, &members) {
                let mut text = self.files[cycle[0]].display().to_string();
                for pair in cycle.windows(2) {
                    let via = &self.edges[&(pair[0], pair[1])];
                    text.push_str(&format!("\n  → {} (via {via})", self.files[pair[1]].display()));
                }
                found.push(text);
            }
        }
        found
    }
}

/// The root files of every crate in `repo` (libraries, binaries, tests,
/// examples, benches, build scripts, fuzz targets), skipping `target/`.
pub fn crate_roots(repo: &Path) -> Vec<PathBuf> {
    let mut manifests = Vec::new();
    find_manifests(repo, &mut manifests);
    let mut roots = BTreeSet::new();
    for manifest in manifests {
        let dir = manifest.parent().expect("a file").to_path_buf();
        for fixed in ["src/lib.rs", "src/main.rs", "build.rs"] {
            let p = dir.join(fixed);
            if p.exists() {
                roots.insert(p);
            }
        }
        for folder in ["src/bin", "tests", "examples", "benches"] {
            let Ok(entries) = std::fs::read_dir(dir.join(folder)) else { continue };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "rs") {
                    roots.insert(p);
                } else if p.join("main.rs").exists() {
                    roots.insert(p.join("main.rs"));
                }
            }
        }
        // Targets with an explicit `path = "…rs"` (fuzz targets, renamed bins).
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("path = \"")
                    && let Some(path) = rest.strip_suffix('"')
                    && path.ends_with(".rs")
                {
                    roots.insert(dir.join(path));
                }
            }
        }
    }
    roots.into_iter().collect()
}

fn find_manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let p = entry.path();
        let name = entry.file_name();
        if p.is_dir() {
            if name != "target" && !name.to_string_lossy().starts_with('.') {
                find_manifests(&p, out);
            }
        } else if name == "Cargo.toml" {
            out.push(p);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

/// Identifiers and the punctuation that paths and `use` trees are made of;
/// comments, strings and character literals dropped.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if (c == 'r' || c == 'b') && is_raw_string_start(&chars, i) {
            let mut j = i + 1 + usize::from(c == 'b' && at(i + 1) == 'r');
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1; // the opening quote
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
        } else if c == 'b' && at(i + 1) == '"' {
            i = skip_string(&chars, i + 2);
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `r#type` is the identifier `type`.
            tokens.push(Token::Ident(word));
        } else if c == '$' && chars[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            tokens.push(Token::Ident("crate".into()));
            i += 6;
        } else {
            tokens.push(match c {
                ':' if at(i + 1) == ':' => {
                    i += 1;
                    Token::PathSep
                }
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                ';' => Token::Semi,
                '*' => Token::Star,
                _ => Token::Other,
            });
            i += 1;
        }
    }
    tokens
}

fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn is_raw_string_start(chars: &[char], i: usize) -> bool {
    // Not part of a longer identifier (`for`, `rb`): the previous char is no identifier char.
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i + 1;
    if chars[i] == 'b' {
        if chars.get(j) != Some(&'r') {
            return false;
        }
        j += 1;
    }
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

fn ident(t: Option<&Token>) -> Option<&str> {
    match t {
        Some(Token::Ident(s)) => Some(s),
        _ => None,
    }
}

/// `mod name;` declarations (file modules) with the inline modules they sit
/// in, and inline modules tracked for the paths inside them.
fn module_declarations(tokens: &[Token]) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    walk(tokens, |inline, i| {
        if ident(tokens.get(i)) == Some("mod")
            && let Some(name) = ident(tokens.get(i + 1))
            && tokens.get(i + 2) == Some(&Token::Semi)
        {
            out.push((inline.to_vec(), name.to_owned()));
        }
        None
    });
    out
}

/// Visits each token index with the inline modules around it; `visit` may
/// return an index to continue from (to skip a path it consumed).
fn walk(tokens: &[Token], mut visit: impl FnMut(&[String], usize) -> Option<usize>) {
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        if ident(tokens.get(i)) == Some("mod")
            && let Some(name) = ident(tokens.get(i + 1))
            && tokens.get(i + 2) == Some(&Token::Open)
        {
            depth += 1;
            inline.push((name.to_owned(), depth));
            i += 3;
            continue;
        }
        match tokens[i] {
            Token::Open => depth += 1,
            Token::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        i = visit(&names, i).unwrap_or(i + 1);
    }
}

/// A path as written, where it was written.
struct WrittenPath {
    /// The inline modules around it.
    inline: Vec<String>,
    /// Its segments.
    path: Vec<String>,
    /// For a path in a `use`, the name it is then known by.
    imported_as: Option<Option<String>>,
}

/// Every path of two or more segments, and each path of a `use` tree, with
/// the inline modules it sits in.
fn paths(tokens: &[Token]) -> Vec<WrittenPath> {
    let mut out = Vec::new();
    let mut previous_was_sep = false;
    walk(tokens, |inline, i| {
        let after_sep = std::mem::replace(&mut previous_was_sep, tokens[i] == Token::PathSep);
        if ident(tokens.get(i)) == Some("use") {
            let mut j = i + 1;
            if tokens.get(j) == Some(&Token::PathSep) {
                j += 1;
            }
            let mut trees = Vec::new();
            let end = use_tree(tokens, j, Vec::new(), &mut trees);
            out.extend(trees.into_iter().map(|(path, alias)| WrittenPath { inline: inline.to_vec(), path, imported_as: Some(alias) }));
            return Some(end.max(i + 1));
        }
        if after_sep {
            return None;
        }
        let first = ident(tokens.get(i))?;
        if tokens.get(i + 1) != Some(&Token::PathSep) {
            return None;
        }
        let mut path = vec![first.to_owned()];
        let mut j = i + 1;
        while tokens.get(j) == Some(&Token::PathSep) {
            match ident(tokens.get(j + 1)) {
                Some(seg) => {
                    path.push(seg.to_owned());
                    j += 2;
                }
                None => break,
            }
        }
        out.push(WrittenPath { inline: inline.to_vec(), path, imported_as: None });
        Some(j)
    });
    out
}

/// A path a `use` brings in, with the name it is known by afterwards
/// (none for a glob).
type Imported = (Vec<String>, Option<String>);

/// Expands the use tree starting at `i` under `prefix` into `out`; returns
/// the index after it.
fn use_tree(tokens: &[Token], mut i: usize, mut prefix: Vec<String>, out: &mut Vec<Imported>) -> usize {
    let named = |path: &Vec<String>| path.iter().rev().find(|s| *s != "self").cloned();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(seg)) => {
                prefix.push(seg.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::PathSep) {
                    i += 1;
                } else {
                    let mut alias = named(&prefix);
                    if ident(tokens.get(i)) == Some("as") {
                        alias = ident(tokens.get(i + 1)).map(str::to_owned);
                        i += 2;
                    }
                    out.push((prefix, alias));
                    return i;
                }
            }
            Some(Token::Star) => {
                out.push((prefix, None));
                return i + 1;
            }
            Some(Token::Open) => {
                i += 1;
                loop {
                    match tokens.get(i) {
                        Some(Token::Close) => return i + 1,
                        Some(Token::Comma) => i += 1,
                        None => return i,
                        _ => i = use_tree(tokens, i, prefix.clone(), out),
                    }
                }
            }
            _ => {
                if !prefix.is_empty() {
                    let alias = named(&prefix);
                    out.push((prefix, alias));
                }
                return i;
            }
        }
    }
}

/// The path from the crate root that `path`, written in `context`, names;
/// `None` for paths into other crates. `children` are the file's own child
/// modules, which a path may start with.
fn absolute_path(context: &[String], path: &[String], children: Option<&BTreeSet<String>>) -> Option<Vec<String>> {
    let first = path.first()?;
    let (mut base, rest): (Vec<String>, &[String]) = match first.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (context.to_vec(), &path[1..]),
        "super" => {
            let mut base = context.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        name if children.is_some_and(|c| c.contains(name)) => (context.to_vec(), path),
        _ => return None,
    };
    // `self` inside a use group (`use a::{self, b}`) names the module itself.
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// Tarjan's strongly connected components.
fn strongly_connected(next: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        next: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        counter: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.counter);
        s.low[v] = s.counter;
        s.counter += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for k in 0..s.next[v].len() {
            let w = s.next[v][k];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = next.len();
    let mut s = State { next, index: vec![None; n], low: vec![0; n], on_stack: vec![false; n], stack: Vec::new(), counter: 0, out: Vec::new() };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

/// The shortest cycle through `start` within `members` (breadth first).
fn shortest_cycle(start: usize, next: &[Vec<usize>], members: &BTreeSet<usize>) -> Option<Vec<usize>> {
    let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &next[v] {
            if !members.contains(&w) {
                continue;
            }
            if w == start {
                // start → … → v → start, rebuilt backwards from v.
                let mut back = vec![v];
                while *back.last().expect("non-empty") != start {
                    back.push(came_from[back.last().expect("non-empty")]);
                }
                back.reverse();
                back.push(start);
                return Some(back);
            }
            if let std::collections::btree_map::Entry::Vacant(e) = came_from.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_in(files: &[(&str, &str)]) -> (tempfile::TempDir, ModuleGraph) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let graph = ModuleGraph::of_crates(&[dir.path().join("lib.rs")]).unwrap();
        (dir, graph)
    }

    fn edges(graph: &ModuleGraph) -> Vec<(String, String)> {
        let name = |i: usize| graph.files[i].file_name().unwrap().to_string_lossy().into_owned();
        let parent = |i: usize| graph.files[i].parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        let label = |i: usize| if name(i) == "mod.rs" { format!("{}/mod.rs", parent(i)) } else { name(i) };
        graph.edges.keys().map(|&(a, b)| (label(a), label(b))).collect()
    }

    #[test]
    fn finds_a_cycle_through_use_trees_and_inline_paths() {
        let (_dir, graph) = crate_in(&[
            ("lib.rs", "mod a;\nmod b;\n"),
            ("a.rs", "use crate::{b::{self, Thing as T}, c};\n"),
            ("b.rs", "// crate::a::nothing in a comment\nfn f() { let s = \"crate::a\"; crate::a::g(); }\n"),
        ]);
        assert!(edges(&graph).contains(&("a.rs".into(), "b.rs".into())));
        assert!(edges(&graph).contains(&("b.rs".into(), "a.rs".into())));
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(cycles[0].contains("a.rs") && cycles[0].contains("via crate::a::g"), "{}", cycles[0]);
    }

    #[test]
    fn super_in_inline_tests_and_children_of_mod_rs() {
        let (_dir, graph) = crate_in(&[
            ("lib.rs", "pub mod nets;\n"),
            ("nets/mod.rs", "mod dcgan;\npub use dcgan::Generator;\n#[cfg(test)]\nmod tests { use super::*; }\n"),
            ("nets/dcgan.rs", "use super::super::nets;\npub struct Generator;\nmod tests { use super::Generator; fn f() { let c = 'a'; let l: &'static str = \"\"; } }\n"),
        ]);
        let e = edges(&graph);
        assert!(e.contains(&("nets/mod.rs".into(), "dcgan.rs".into())), "{e:?}");
        assert!(e.contains(&("dcgan.rs".into(), "nets/mod.rs".into())), "{e:?}");
        assert_eq!(graph.cycles().len(), 1);
    }

    #[test]
    fn paths_through_an_imported_module_reach_its_children() {
        let (_dir, graph) = crate_in(&[
            ("lib.rs", "pub mod training;\npub mod cli;\n"),
            ("training/mod.rs", "pub mod images;\n"),
            ("training/images.rs", "pub fn train() { crate::cli::parse::f(); }\n"),
            ("cli/mod.rs", "pub mod parse;\n"),
            ("cli/parse.rs", "use crate::training as t;\npub fn f() {}\nfn g() { t::images::train(); }\n"),
        ]);
        let e = edges(&graph);
        assert!(e.contains(&("parse.rs".into(), "images.rs".into())), "{e:?}");
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(cycles[0].contains("via t::images::train"), "{}", cycles[0]);
    }

    #[test]
    fn an_acyclic_crate_has_no_cycles() {
        let (_dir, graph) = crate_in(&[
            ("lib.rs", "pub mod low;\npub mod high;\n"),
            ("low.rs", "pub fn f() {}\nmod tests { use super::f; }\n"),
            ("high.rs", "use crate::low;\nfn g() { low::f(); self::h(); }\nfn h() {}\n"),
        ]);
        assert_eq!(edges(&graph), vec![("high.rs".to_owned(), "low.rs".to_owned())]);
        assert!(graph.cycles().is_empty());
    }
}
