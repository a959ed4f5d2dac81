//! The crate's layout: no module imports, directly or through others, a module that imports it,
//! so each can be read and changed knowing only those it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The `.rs` files at or under `path`.
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return if path.extension().is_some_and(|e| e == "rs") { vec![path.to_owned()] } else { vec![] };
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).expect("a readable folder") {
        files.extend(rust_files(&entry.expect("a folder entry").path()));
    }
    files
}

/// The modules `code` names through `crate::` (a path or a group), among `modules`.
fn named(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let ident =
        |text: &str| -> String { text.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            found.insert(ident(rest));
            continue;
        };
        // The first segment of every item of the group, nested groups skipped.
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    found.insert(ident(&group[start..i]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    found.insert(ident(&group[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    found.retain(|name| modules.contains(name));
    found
}

/// Every top-level module of `src/` with the modules its code (comments aside) names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut code = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/") {
        let path = entry.expect("an entry of src/").path();
        let name = path.file_stem().and_then(|n| n.to_str()).expect("a UTF-8 name").to_owned();
        if ["lib", "main", "bin"].contains(&name.as_str()) {
            continue;
        }
        let text: String = rust_files(&path)
            .iter()
            .flat_map(|file| {
                std::fs::read_to_string(file).expect("a readable source").lines().map(str::to_owned).collect::<Vec<_>>()
            })
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        if !text.is_empty() {
            code.insert(name, text);
        }
    }
    let modules: BTreeSet<String> = code.keys().cloned().collect();
    code.into_iter()
        .map(|(name, text)| {
            let mut named = named(&text, &modules);
            named.remove(&name);
            (name, named)
        })
        .collect()
}

/// A cycle of `graph` through `node`'s descendants, if any (`path` is the way from the root).
fn cycle<'a>(
    graph: &'a BTreeMap<String, BTreeSet<String>>,
    node: &'a str,
    path: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|n| *n == node) {
        return Some(path[at..].iter().chain([&node]).map(|n| (*n).to_owned()).collect());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node);
    for next in graph.get(node).into_iter().flatten() {
        if let Some(found) = cycle(graph, next, path, done) {
            return Some(found);
        }
    }
    path.pop();
    done.insert(node);
    None
}

#[test]
fn the_modules_import_each_other_in_no_cycle() {
    let graph = imports();
    // The reading sees the imports (grouped ones too), or the check below proves nothing.
    for (module, named) in [("follow", "store"), ("follow", "heads"), ("store", "prepare"), ("verify", "state")] {
        assert!(graph[module].contains(named), "{module} names {named}: {graph:?}");
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(found) = cycle(&graph, module, &mut Vec::new(), &mut done) {
            panic!("the modules {} import each other in a cycle", found.join(" → "));
        }
    }
}
