//! `#[component]`: parse, claim the sockets, validate, expand.
//!
//! ```text
//! #[component(name = "intents-example", version = "1.0", assets = "components/intents-example")]
//! mod intents_example { ... }
//! ```
//!
//! The expansion keeps the module's items as they are and appends the component's key
//! (`__RAIN_COMPONENT`, which `#[websocket(component = path)]` names), the embedded assets if any,
//! and one constant `ComponentRegistration`. Every `#[websocket]` and `#[intent]` inside the module
//! that names no component is given the hidden argument `__rain_component("name", "version")`. An
//! intent whose category and action an earlier one of the module has is reported here, naming
//! both, and given the hidden argument `__rain_duplicate`, so that it is not reported again.

use std::path::Path;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{
    Attribute, Expr, ExprLit, ImplItemFn, Item, ItemMod, Lit, LitStr, MacroDelimiter, Meta,
    MetaList, Token, TraitItemFn,
    parse::Parser,
    punctuated::Punctuated,
    spanned::Spanned,
    visit_mut::{self, VisitMut},
};

use crate::{
    intent::{self, Declared},
    names, paths,
    syntax::{self, Errors, set_once},
    websocket,
};

/// The right form of the attribute, shown when an argument is missing.
const ATTRIBUTE_FORM: &str = "`#[component(name = \"...\", version = \"...\")]`";

/// Expands `#[component(args)] item`.
pub(crate) fn component(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => return syntax::item_with_errors(item, error),
    };
    let args = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args);
    let mut errors = Errors::default();
    let args = read_args(args, &mut errors);
    // Done first and whatever else is wrong, so that the sockets inside never report that they
    // have no component on top of the component's own mistakes.
    let claimed = claim_sockets(&mut item, &args);
    match validate(args, &item, claimed, errors) {
        Ok(component) => expand(component, item),
        Err(errors) => syntax::item_with_errors(item, errors),
    }
}

// ---------------------------------------------------------------------------------------------
// Parse: syntax only.

/// The arguments as given, each one at most once.
#[derive(Default)]
struct Args {
    name: Option<LitStr>,
    version: Option<LitStr>,
    assets: Option<LitStr>,
    /// The keys given, with a right value or not.
    given: Vec<&'static str>,
    /// Whether the list parsed and every key in it is known. Only then is a key reported missing:
    /// an unknown key is most likely a misspelled missing one.
    complete: bool,
}

/// Reads `name = "..."`, `version = "..."` and `assets = "..."`, reporting any other argument, any
/// argument given twice and any value that is not a string.
fn read_args(args: syn::Result<Punctuated<Meta, Token![,]>>, errors: &mut Errors) -> Args {
    let mut read = Args::default();
    let args = match args {
        Ok(args) => args,
        Err(error) => {
            errors.push(error);
            return read;
        }
    };
    read.complete = true;
    for arg in args {
        let key = arg.path();
        let (key_name, slot) = match key.get_ident().map(ToString::to_string).as_deref() {
            Some("name") => ("name", &mut read.name),
            Some("version") => ("version", &mut read.version),
            Some("assets") => ("assets", &mut read.assets),
            _ => {
                read.complete = false;
                let shown = key.to_token_stream().to_string().replace(' ', "");
                errors.at(
                    key.span(),
                    format!("unknown argument `{shown}`; expected `name`, `version` or `assets`"),
                );
                continue;
            }
        };
        read.given.push(key_name);
        let value = match &arg {
            Meta::NameValue(arg) => match &arg.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(value),
                    ..
                }) => Ok(value.clone()),
                other => Err(syn::Error::new(
                    other.span(),
                    format!("expected a string: `{key_name} = \"...\"`"),
                )),
            },
            _ => Err(syn::Error::new(
                arg.span(),
                format!("expected a value: `{key_name} = \"...\"`"),
            )),
        };
        match value {
            Ok(value) => set_once(slot, value, key, errors),
            Err(error) => errors.push(error),
        }
    }
    read
}

// ---------------------------------------------------------------------------------------------
// Claim: tell every socket inside the module its component.

/// What claiming found.
struct Claimed {
    /// The names of the sockets that belong to this component, in source order.
    sockets: Vec<LitStr>,
    /// The category and action of the intents that belong to this component, in source order.
    intents: Vec<Declared>,
    /// Each intent whose category and action an earlier one has, with that earlier one.
    duplicate_intents: Vec<(Declared, Declared)>,
    /// `#[websocket]`s and `#[intent]`s on methods or trait items, which cannot be either.
    on_methods: Vec<Attribute>,
}

/// Adds `__rain_component("name", "version")` to every `#[websocket]` and `#[intent]` inside the
/// module that names no component, with the name and version as far as they are known.
fn claim_sockets(item: &mut Item, args: &Args) -> Claimed {
    let value = |literal: &Option<LitStr>| {
        literal.as_ref().map_or_else(
            || LitStr::new("", Span::call_site()),
            |literal| LitStr::new(&literal.value(), literal.span()),
        )
    };
    let mut claim = Claim {
        hidden: {
            let hidden = syn::Ident::new(websocket::HIDDEN_COMPONENT, Span::call_site());
            let (name, version) = (value(&args.name), value(&args.version));
            quote!(#hidden(#name, #version))
        },
        claimed: Claimed {
            sockets: Vec::new(),
            intents: Vec::new(),
            duplicate_intents: Vec::new(),
            on_methods: Vec::new(),
        },
    };
    if let Item::Mod(module) = item
        && let Some((_, items)) = &mut module.content
    {
        for item in items {
            claim.visit_item_mut(item);
        }
    }
    claim.claimed
}

struct Claim {
    hidden: TokenStream,
    claimed: Claimed,
}

impl Claim {
    fn claim(&mut self, attr: &mut Attribute) {
        let args = match &attr.meta {
            Meta::Path(_) => None,
            Meta::List(list) => list.parse_args_with(websocket::Args::parse_terminated).ok(),
            // Not an attribute macro invocation; the compiler says so.
            Meta::NameValue(_) => return,
        };
        if let Some(args) = &args {
            if args.names_component() {
                return;
            }
            if let Some(name) = args.socket_name() {
                self.claimed.sockets.push(name.clone());
            }
        }
        add_arguments(attr, &self.hidden);
    }

    /// Claims an `#[intent]` as [`Claim::claim`] claims a `#[websocket]`, and marks one whose
    /// category and action an earlier intent of the module has.
    fn claim_intent(&mut self, attr: &mut Attribute) {
        let args = match &attr.meta {
            Meta::List(list) => list.parse_args_with(intent::parse_args).ok(),
            Meta::Path(_) => None,
            Meta::NameValue(_) => return,
        };
        if let Some(args) = &args {
            if intent::names_component(args) {
                return;
            }
            if let Some(declared) = intent::declared(args) {
                let earlier = self.claimed.intents.iter().find(|earlier| {
                    (earlier.category.value(), earlier.action.value())
                        == (declared.category.value(), declared.action.value())
                });
                if let Some(earlier) = earlier {
                    let earlier = Declared {
                        category: earlier.category.clone(),
                        action: earlier.action.clone(),
                    };
                    self.claimed.duplicate_intents.push((declared, earlier));
                    let duplicate = syn::Ident::new(intent::HIDDEN_DUPLICATE, Span::call_site());
                    let hidden = &self.hidden;
                    add_arguments(attr, &quote!(#duplicate, #hidden));
                    return;
                }
                self.claimed.intents.push(declared);
            }
        }
        add_arguments(attr, &self.hidden);
    }

    /// Removes the `#[websocket]`s and `#[intent]`s of a method, which can be neither, and
    /// records where they were.
    fn refuse(&mut self, attrs: &mut Vec<Attribute>) {
        attrs.retain(|attr| {
            let refused =
                syntax::is_attribute(attr, "websocket") || syntax::is_attribute(attr, "intent");
            if refused {
                self.claimed.on_methods.push(attr.clone());
            }
            !refused
        });
    }
}

/// Appends `arguments` to the arguments of `attr` (which gets a list if it had none).
fn add_arguments(attr: &mut Attribute, arguments: &TokenStream) {
    attr.meta = match &attr.meta {
        Meta::List(list) => {
            let tokens = &list.tokens;
            let comma = match tokens.clone().into_iter().last() {
                None => None,
                Some(proc_macro2::TokenTree::Punct(punct)) if punct.as_char() == ',' => None,
                Some(_) => Some(quote!(,)),
            };
            Meta::List(MetaList {
                tokens: quote!(#tokens #comma #arguments),
                ..list.clone()
            })
        }
        other => Meta::List(MetaList {
            path: other.path().clone(),
            delimiter: MacroDelimiter::Paren(Default::default()),
            tokens: arguments.clone(),
        }),
    };
}

impl VisitMut for Claim {
    fn visit_item_mut(&mut self, item: &mut Item) {
        if let Some(attrs) = syntax::attrs_mut(item) {
            // A component nested inside claims its own sockets and intents.
            if attrs
                .iter()
                .any(|attr| syntax::is_attribute(attr, "component"))
            {
                return;
            }
            for attr in attrs {
                if syntax::is_attribute(attr, "websocket") {
                    self.claim(attr);
                } else if syntax::is_attribute(attr, "intent") {
                    self.claim_intent(attr);
                }
            }
        }
        visit_mut::visit_item_mut(self, item);
    }

    fn visit_impl_item_fn_mut(&mut self, method: &mut ImplItemFn) {
        self.refuse(&mut method.attrs);
        visit_mut::visit_impl_item_fn_mut(self, method);
    }

    fn visit_trait_item_fn_mut(&mut self, method: &mut TraitItemFn) {
        self.refuse(&mut method.attrs);
        visit_mut::visit_trait_item_fn_mut(self, method);
    }
}

// ---------------------------------------------------------------------------------------------
// Validate: every mistake, reported together.

/// A component ready to expand.
struct Component {
    name: LitStr,
    version: LitStr,
    assets: Option<LitStr>,
    doc: String,
}

fn validate(
    args: Args,
    item: &Item,
    claimed: Claimed,
    mut errors: Errors,
) -> syn::Result<Component> {
    let Args {
        name,
        version,
        assets,
        given,
        complete,
    } = args;
    let missing: Vec<String> = ["name", "version"]
        .into_iter()
        .filter(|key| !given.contains(key))
        .map(|key| format!("`{key}`"))
        .collect();
    if complete && !missing.is_empty() {
        errors.at(
            Span::call_site(),
            format!(
                "missing {}; expected {ATTRIBUTE_FORM}",
                missing.join(" and ")
            ),
        );
    }
    for (literal, check) in [
        (
            &name,
            names::check_component_name as fn(&str) -> Result<(), String>,
        ),
        (&version, names::check_version),
    ] {
        if let Some(literal) = literal
            && let Err(message) = check(&literal.value())
        {
            errors.at(literal.span(), message);
        }
    }
    if let Some(assets) = &assets
        && let Err(message) = check_assets(&assets.value())
    {
        errors.at(assets.span(), message);
    }
    let module = match item {
        Item::Mod(
            module @ ItemMod {
                content: Some(_), ..
            },
        ) => Some(module),
        _ => None,
    };
    if module.is_none() {
        errors.at(
            syntax::keyword_span(item),
            "`#[component]` goes on an inline module: `mod name { ... }`",
        );
    }
    check_duplicate_sockets(&claimed.sockets, name.as_ref(), &mut errors);
    check_duplicate_intents(&claimed.duplicate_intents, name.as_ref(), &mut errors);
    for attr in claimed.on_methods {
        let message = match syntax::is_attribute(&attr, "intent") {
            true => {
                "`#[intent]` goes on a free `async fn` or a `const`, not on a method; move it out \
                 of the `impl` or `trait`"
            }
            false => {
                "`#[websocket]` goes on a free `async fn`, not on a method; move the handler out \
                 of the `impl` or `trait`"
            }
        };
        errors.spanned(attr, message);
    }
    errors.finish()?;
    match (module, name, version) {
        (Some(module), Some(name), Some(version)) => Ok(Component {
            name,
            version,
            assets,
            doc: syntax::doc_text(&module.attrs),
        }),
        // Reported above: the item is not a module, or a required argument is missing.
        _ => Err(syn::Error::new(Span::call_site(), ATTRIBUTE_FORM)),
    }
}

/// Reports every socket whose name an earlier socket of the component already has.
fn check_duplicate_sockets(sockets: &[LitStr], component: Option<&LitStr>, errors: &mut Errors) {
    let component = component.map_or_else(
        || "this component".to_owned(),
        |name| format!("component `{}`", name.value()),
    );
    for (index, socket) in sockets.iter().enumerate() {
        let name = socket.value();
        let earlier = sockets[..index]
            .iter()
            .filter(|s| s.value() == name)
            .count();
        if earlier == 0 {
            continue;
        }
        errors.at(
            socket.span(),
            format!("duplicate socket `{name}` in {component}"),
        );
        // The first declaration is shown once, however often its name is repeated.
        if earlier == 1
            && let Some(first) = sockets[..index].iter().find(|s| s.value() == name)
        {
            errors.at(
                first.span(),
                format!("socket `{name}` of {component} first declared here"),
            );
        }
    }
}

/// Reports every intent whose category and action an earlier intent of the component has, with
/// that earlier one.
fn check_duplicate_intents(
    duplicates: &[(Declared, Declared)],
    component: Option<&LitStr>,
    errors: &mut Errors,
) {
    let component = component.map_or_else(
        || "this component".to_owned(),
        |name| format!("component `{}`", name.value()),
    );
    let key = |declared: &Declared| (declared.category.value(), declared.action.value());
    for (index, (intent, first)) in duplicates.iter().enumerate() {
        let (category, action) = key(intent);
        errors.at(
            intent.category.span(),
            format!("duplicate intent `{category}` `{action}` in {component}"),
        );
        // The first declaration (the one every repetition is paired with) is shown once.
        let shown = duplicates[..index]
            .iter()
            .any(|(earlier, _)| key(earlier) == key(intent));
        if !shown {
            errors.at(
                first.category.span(),
                format!("intent `{category}` `{action}` of {component} first declared here"),
            );
        }
    }
}

/// Checks that `assets` names a folder relative to the crate's `Cargo.toml`, as `rust-embed`
/// resolves it.
fn check_assets(folder: &str) -> Result<(), String> {
    const FORM: &str =
        "a folder relative to the crate's `Cargo.toml`, like `assets = \"components/chat\"`";
    if folder.is_empty() {
        return Err(format!("`assets` is empty; expected {FORM}"));
    }
    if Path::new(folder).is_absolute() {
        return Err(format!("`assets` is an absolute path; expected {FORM}"));
    }
    // Only cargo sets the variable; without it, `rust-embed` reports a missing folder itself.
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) if !Path::new(&root).join(folder).is_dir() => Err(format!(
            "no folder `{folder}` in this crate; `assets` is {FORM}"
        )),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Expand: cannot fail.

fn expand(component: Component, mut item: Item) -> TokenStream {
    let Component {
        name,
        version,
        assets,
        doc,
    } = component;
    let key = paths::component_key();
    let registration = paths::component_registration();
    let submit = paths::submit();
    let location = paths::location(name.span());
    let rust_embed = paths::rust_embed();
    let (assets_type, assets_fns) = match assets {
        Some(folder) => {
            let crate_path = rust_embed.to_string().replace(' ', "");
            let fns = paths::assets_fns();
            let some = paths::some();
            (
                quote! {
                    #[derive(#rust_embed::RustEmbed)]
                    #[crate_path = #crate_path]
                    #[folder = #folder]
                    #[doc(hidden)]
                    struct __RainAssets;
                },
                quote! {
                    #some(#fns {
                        get: <__RainAssets as #rust_embed::RustEmbed>::get,
                        iter: <__RainAssets as #rust_embed::RustEmbed>::iter,
                    })
                },
            )
        }
        None => (TokenStream::new(), paths::none()),
    };
    // `__RAIN_COMPONENT` is `pub` so that `#[websocket(component = path)]` can name it from
    // anywhere in the crate; `unreachable_pub` would flag that inside a private module, and
    // `dead_code` a component whose sockets are all inside it (they copy the key, not name it).
    let generated = quote! {
        #[doc(hidden)]
        #[allow(dead_code, unreachable_pub)]
        pub const __RAIN_COMPONENT: #key = #key { name: #name, version: #version };

        #assets_type

        #[doc(hidden)]
        const _: () = {
            #submit! {
                #registration {
                    key: __RAIN_COMPONENT,
                    doc: #doc,
                    location: #location,
                    assets: #assets_fns,
                }
            }
        };
    };
    // Validation made sure the item is an inline module.
    if let Item::Mod(ItemMod {
        content: Some((_, items)),
        ..
    }) = &mut item
    {
        items.push(Item::Verbatim(generated));
    }
    item.into_token_stream()
}
