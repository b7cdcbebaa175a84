//! The TypeScript types of Rust payload types, collected through `ts-rs`.
//!
//! Payload types become TypeScript through `ts-rs`: a derive (`#[derive(TS)]`) with stable
//! releases that reads serde's attributes (`rename`, `rename_all`, `tag`, `flatten`, ...), so one
//! type definition drives the wire format and its TypeScript. (`specta` does the same job but has
//! been in release candidates for its current major version, and brings a type registry we do
//! not need: ours is the socket registry.)
//!
//! An event declaration names its payload's type by a function of a [`TypeScript`] collector;
//! the bindings generator and the `/rain` page each run those functions over one collector.

use std::{any::TypeId, collections::BTreeMap, fmt::Write as _};

use ts_rs::{TS, TypeVisitor};

/// Collects the TypeScript declarations that payload types need.
pub struct TypeScript {
    config: ts_rs::Config,
    declarations: BTreeMap<String, Declaration>,
    clashes: Vec<String>,
}

struct Declaration {
    type_id: TypeId,
    rust: &'static str,
    text: String,
}

impl std::fmt::Debug for TypeScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeScript")
            .field(
                "declarations",
                &self.declarations.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl TypeScript {
    /// An empty collection.
    pub(crate) fn new() -> Self {
        Self {
            // JSON numbers are what arrives in the browser, whatever the Rust integer width.
            config: ts_rs::Config::new().with_large_int("number"),
            declarations: BTreeMap::new(),
            clashes: Vec::new(),
        }
    }

    /// The TypeScript name of `T`, after declaring it and every type it uses.
    pub fn type_of<T: TS + ?Sized + 'static>(&mut self) -> String {
        self.visit::<T>();
        T::name(&self.config)
    }
}

impl TypeVisitor for TypeScript {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() {
            // Built-in types (numbers, strings, `Option`, `Vec`, ...) need no declaration, but
            // what they contain may: their generics are what they contain. (Their
            // `visit_dependencies` would skip past the contained types to *their* dependencies,
            // bypassing the check below, and never end on a recursive type like `JsonValue`.)
            T::visit_generics(self);
            return;
        }
        let name = T::ident(&self.config);
        if let Some(known) = self.declarations.get(&name) {
            if known.type_id != TypeId::of::<T::WithoutGenerics>() {
                self.clashes.push(format!(
                    "two types are named `{name}` in TypeScript: `{}` and `{}`; rename one with `#[ts(rename = \"...\")]`",
                    known.rust,
                    std::any::type_name::<T>()
                ));
            } else {
                // Declared already, but maybe with other type arguments (`Paged<A>`, then
                // `Paged<B>`): those need declaring too.
                T::visit_generics(self);
            }
            return;
        }
        let mut text = String::new();
        if let Some(docs) = T::docs() {
            text.push_str(&docs);
            if !docs.ends_with('\n') {
                text.push('\n');
            }
        }
        let _ = write!(text, "export {}", T::decl(&self.config));
        self.declarations.insert(
            name,
            Declaration {
                type_id: TypeId::of::<T::WithoutGenerics>(),
                rust: std::any::type_name::<T>(),
                text,
            },
        );
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// What the bindings generator reads of a collection.
impl TypeScript {
    /// The first clash found: two Rust types with one TypeScript name.
    pub(crate) fn first_clash(&self) -> Option<&str> {
        self.clashes.first().map(String::as_str)
    }

    /// The names declared, sorted.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.declarations.keys().map(String::as_str)
    }

    /// The declarations' text, sorted by name.
    pub(crate) fn declarations(&self) -> impl Iterator<Item = &str> {
        self.declarations.values().map(|d| d.text.as_str())
    }
}
