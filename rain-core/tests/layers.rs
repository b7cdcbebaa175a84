//! The crate's layers import only downward, and no module of `rain-macros` imports another in a
//! cycle: read from the source with `syn`, as ARCHITECTURE.md describes.
//!
//! A reading of the source rather than of the compiler (`cargo-modules` reads rust-analyzer's
//! model and takes minutes to install): every `crate::…`, `super::…` and `self::…` path in a `use`
//! or in code names the module it comes from; names that `lib.rs` re-exports are followed to their
//! layer. Unit tests (`#[cfg(test)]` items and `tests.rs` files) may name anything.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// rain-core's layers, from the bottom up: each may import only itself and those before it.
/// `testing` (the test server and client, behind the `testing` feature) sits on top of the app.
const LAYERS: &[&str] = &["base", "socket", "registry", "features", "app", "testing"];

/// The longest a source file may be, in lines, unless it is listed here with its reason.
const MAX_LINES: usize = 600;
const LONG_FILES: &[(&str, &str)] = &[];

/// Every `.rs` file under `dir`, with its module path (`socket/pipeline.rs` is `socket::pipeline`).
fn modules(dir: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(dir).unwrap().with_extension("");
                let mut module: Vec<String> = relative
                    .iter()
                    .map(|part| part.to_string_lossy().into_owned())
                    .collect();
                if module
                    .last()
                    .is_some_and(|m| m == "mod" || m == "lib" || m == "main")
                {
                    module.pop();
                }
                if module == ["private"] {
                    module = vec!["__private".to_owned()];
                }
                out.push((path, module));
            }
        }
    }
    out.sort();
    out
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// The module paths a file names: `crate::a::b` as `[a, b]`, `super::x` resolved from `module`.
#[derive(Default)]
struct Paths {
    module: Vec<String>,
    found: BTreeSet<Vec<String>>,
}

impl Paths {
    fn add(&mut self, segments: Vec<String>) {
        let resolved = match segments.first().map(String::as_str) {
            Some("crate") => segments[1..].to_vec(),
            Some("super") => {
                let mut base = self.module.clone();
                let mut rest = &segments[..];
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            Some("self") => {
                let mut base = self.module.clone();
                base.extend(segments[1..].iter().cloned());
                base
            }
            _ => return,
        };
        if !resolved.is_empty() {
            self.found.insert(resolved);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                self.add(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                full.push(rename.ident.to_string());
                self.add(full);
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_cfg_test(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1 {
            self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}
}

/// The paths `file` names, from `module`.
fn paths_of(file: &Path, module: &[String]) -> BTreeSet<Vec<String>> {
    let text = fs::read_to_string(file).unwrap();
    let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut paths = Paths {
        module: module.to_vec(),
        ..Paths::default()
    };
    paths.visit_file(&parsed);
    paths.found
}

/// What each name that `lib.rs` re-exports stands for: `SocketRef` → `socket::socket_ref::SocketRef`.
fn root_names(lib: &Path) -> BTreeMap<String, Vec<String>> {
    fn walk(
        prefix: &mut Vec<String>,
        tree: &syn::UseTree,
        out: &mut BTreeMap<String, Vec<String>>,
    ) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                walk(prefix, &path.tree, out);
                prefix.pop();
            }
            syn::UseTree::Name(name) if name.ident == "self" => {
                out.insert(prefix.last().unwrap().clone(), prefix.clone());
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                full.push(name.ident.to_string());
                out.insert(name.ident.to_string(), full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                out.insert(rename.rename.to_string(), full);
            }
            syn::UseTree::Glob(_) => {}
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    walk(prefix, tree, out);
                }
            }
        }
    }
    let parsed = syn::parse_file(&fs::read_to_string(lib).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for item in parsed.items {
        if let syn::Item::Use(item) = item {
            walk(&mut Vec::new(), &item.tree, &mut out);
        }
    }
    out
}

fn is_test_file(file: &Path) -> bool {
    file.file_name().is_some_and(|n| n == "tests.rs")
}

#[test]
fn rain_core_layers_import_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let roots = root_names(&src.join("lib.rs"));
    let mut wrong = Vec::new();
    for (file, module) in modules(&src) {
        let Some(top) = module.first() else {
            continue; // lib.rs: the table of contents
        };
        if is_test_file(&file) {
            continue;
        }
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        let own = LAYERS.iter().position(|l| l == top);
        if top == "__private" {
            let text = fs::read_to_string(&file).unwrap();
            let parsed = syn::parse_file(&text).unwrap();
            for item in &parsed.items {
                if !matches!(item, syn::Item::Use(_)) {
                    wrong.push(format!("{name}: `__private` only re-exports"));
                }
            }
            continue;
        }
        let own = own.unwrap_or_else(|| panic!("{name}: `{top}` is not a layer of {LAYERS:?}"));
        for path in paths_of(&file, &module) {
            let resolved = match roots.get(&path[0]) {
                Some(target) if !LAYERS.contains(&path[0].as_str()) => target.clone(),
                _ => path.clone(),
            };
            let layer = &resolved[0];
            match LAYERS.iter().position(|l| l == layer) {
                Some(theirs) if theirs <= own => {}
                Some(_) => wrong.push(format!(
                    "{name} (layer `{top}`) imports `{}` from the layer above, `{layer}`",
                    path.join("::")
                )),
                None => wrong.push(format!(
                    "{name} names `crate::{}`, which is in no layer",
                    path.join("::")
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The module graph of a crate's top-level modules, from its source.
fn top_level_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let roots = root_names(&src.join("lib.rs"));
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let files = modules(src);
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|(_, m)| m.first().cloned())
        .collect();
    for (file, module) in &files {
        let Some(top) = module.first() else { continue };
        if is_test_file(file) {
            continue;
        }
        let entry = graph.entry(top.clone()).or_default();
        for path in paths_of(file, module) {
            let resolved = match roots.get(&path[0]) {
                Some(target) if !tops.contains(&path[0]) => target.clone(),
                _ => path,
            };
            if tops.contains(&resolved[0]) && &resolved[0] != top {
                entry.insert(resolved[0].clone());
            }
        }
    }
    graph
}

/// A cycle of `graph`, if it has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_cycle_in_either_crate() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    for src in [core.join("src"), core.join("../rain-macros/src")] {
        let graph = top_level_graph(&src);
        assert!(graph.len() > 3, "{}: {graph:?}", src.display());
        if let Some(cycle) = cycle(&graph) {
            panic!("{}: module cycle {}", src.display(), cycle.join(" -> "));
        }
    }
}

/// The files of one layer that import one another in a cycle, with the reason it is allowed.
///
/// The socket layer's public face is one knot: a guard sees the `SocketRef`; `SocketRef::on`
/// enters the pipeline (`on` → `state`); a socket's state holds its `#[websocket]`'s
/// configuration (`config`, and `early`, which reads it), and that configuration holds the
/// guards. `SocketRef::on` stays in `socket_ref.rs`, so that a bound it fails is reported as
/// `rain_core::SocketRef::on`.
const KNOTS: &[(&str, &[&str])] = &[(
    "socket",
    &["config", "early", "guard", "on", "socket_ref", "state"],
)];

/// Within each layer, the graph of its files (`socket::pipeline` is `pipeline`).
fn file_graphs(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let roots = root_names(&src.join("lib.rs"));
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (file, module) in modules(src) {
        if module.len() < 2 || is_test_file(&file) {
            continue;
        }
        let (layer, own) = (&module[0], &module[1]);
        let entry = graphs
            .entry(layer.clone())
            .or_default()
            .entry(own.clone())
            .or_default();
        for path in paths_of(&file, &module) {
            let resolved = match roots.get(&path[0]) {
                Some(target) if !LAYERS.contains(&path[0].as_str()) => target.clone(),
                _ => path,
            };
            if resolved.len() > 1 && &resolved[0] == layer && &resolved[1] != own {
                entry.insert(resolved[1].clone());
            }
        }
    }
    graphs
}

#[test]
fn the_files_of_a_layer_import_one_another_without_a_cycle_but_the_known_knot() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (layer, graph) in file_graphs(&src) {
        let knot = KNOTS
            .iter()
            .find(|(l, _)| *l == layer)
            .map_or(&[][..], |(_, files)| *files);
        // The knot as one node: any other cycle, through it or not, remains.
        let node = |file: &String| match knot.contains(&file.as_str()) {
            true => "(knot)".to_owned(),
            false => file.clone(),
        };
        let mut collapsed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, edges) in &graph {
            let from = node(file);
            let to = collapsed.entry(from.clone()).or_default();
            to.extend(edges.iter().map(node).filter(|n| *n != from));
        }
        if let Some(found) = cycle(&collapsed) {
            panic!("layer `{layer}`: file cycle {}", found.join(" -> "));
        }
        if !knot.is_empty() {
            assert!(
                cycle(&graph).is_some(),
                "the knot of `{layer}` is untied: drop it from KNOTS"
            );
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    let acyclic = graph
        .into_iter()
        .map(|(k, v)| (k.clone(), if k == "c" { BTreeSet::new() } else { v }))
        .collect();
    assert_eq!(cycle(&acyclic), None);
}

#[test]
fn no_source_file_is_over_600_lines_without_a_reason() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long = Vec::new();
    for src in [core.join("src"), core.join("../rain-macros/src")] {
        for (file, _) in modules(&src) {
            let lines = fs::read_to_string(&file).unwrap().lines().count();
            let name = file
                .strip_prefix(core.join(".."))
                .unwrap_or(&file)
                .display()
                .to_string();
            if lines > MAX_LINES && !LONG_FILES.iter().any(|(f, _)| name.ends_with(f)) {
                long.push(format!("{name}: {lines} lines"));
            }
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}
