//! `#[intent]`: parse, validate, expand.
//!
//! ```text
//! #[intent(category = "c", action = "a")]                  on an `async fn`: a server intent
//! #[intent(category = "c", action = "a", view = "index")]  on `const NAME: () = ();`: a view intent
//! #[intent(category = "c", action = "a", guard = require_user)]  guards, run before it is answered
//! #[intent(category = "c", action = "a", component = crate::chat)]  outside a #[component] module
//! ```
//!
//! Inside a component module, `#[component]` has already added the hidden argument
//! `__rain_component("name", "version")`, as it does for sockets. The expansion is the item,
//! unchanged; one constant `IntentRegistration`; and a hidden `#[macro_export]` macro named
//! after the category and action ([`names::intent_item`]). Exported macros all live at the
//! crate's root, so two intents of one category and action anywhere in one crate define the same
//! macro twice, which does not compile (`E0428`, pointing at both attributes). Across crates,
//! `Registry::discover` reports them, naming both places.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{
    Expr, ExprLit, Item, ItemConst, ItemFn, Lit, LitStr, Meta, Token, Type,
    ext::IdentExt,
    parse::{ParseStream, Parser},
    punctuated::Punctuated,
    spanned::Spanned,
};

use crate::{
    names, paths, signature,
    syntax::{self, Errors, set_once},
    websocket::{self, Arg, HIDDEN_COMPONENT, HiddenKey, Owner},
};

mod server;

/// The hidden argument through which `#[component]` marks an intent it has reported as a
/// duplicate of an earlier one: it defines no hidden macro, so that it is not reported again.
pub(crate) const HIDDEN_DUPLICATE: &str = "__rain_duplicate";

/// The right form of the attribute, shown when an argument is missing.
const ATTRIBUTE_FORM: &str = "`#[intent(category = \"...\", action = \"...\")]`";

/// The forms of the item, shown when the item is neither.
const ITEM_FORM: &str = "`#[intent]` goes on an `async fn` (a server intent: `async fn handler(Data(context): \
                         Data<T>) -> Value { ... }`) or, with `view = \"...\"`, on `const NAME: () = ();` \
                         (a view intent)";

/// Expands `#[intent(args)] item`.
pub(crate) fn intent(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => return syntax::item_with_errors(item, error),
    };
    let args = parse_args.parse2(args);
    match validate(args, &item) {
        Ok(intent) => expand(&intent, &item),
        Err(errors) => {
            // The argument checks still run when they can, so that their errors come with ours.
            let checks = match &item {
                Item::Fn(function) if function.sig.generics.params.is_empty() => {
                    let checks =
                        signature::argument_checks(function, paths::assert_intent_argument);
                    quote!(#[doc(hidden)] const _: () = { #checks };)
                }
                _ => TokenStream::new(),
            };
            syntax::item_with_errors(quote!(#item #checks), errors)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parse: syntax only.

/// The arguments of `#[intent(...)]` as written.
type Args = Punctuated<Arg, Token![,]>;

/// Parses comma-separated arguments, a trailing comma allowed.
pub(crate) fn parse_args(input: ParseStream<'_>) -> syn::Result<Args> {
    Punctuated::parse_terminated(input)
}

/// What `#[component]` reads of an intent's arguments to claim it: its category and action,
/// when both are string literals.
pub(crate) struct Declared {
    pub(crate) category: LitStr,
    pub(crate) action: LitStr,
}

/// The category and action `args` give, when both are string literals.
pub(crate) fn declared(args: &Args) -> Option<Declared> {
    let string = |key: &str| {
        args.iter().find_map(|arg| match arg {
            Arg::Meta(Meta::NameValue(arg)) if arg.path.is_ident(key) => match &arg.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(value),
                    ..
                }) => Some(value.clone()),
                _ => None,
            },
            _ => None,
        })
    };
    Some(Declared {
        category: string("category")?,
        action: string("action")?,
    })
}

/// Whether `args` say which component the intent belongs to.
pub(crate) fn names_component(args: &Args) -> bool {
    args.iter().any(|arg| match arg {
        Arg::Meta(meta) => {
            meta.path().is_ident("component") || meta.path().is_ident(HIDDEN_COMPONENT)
        }
        Arg::Literal(_) => false,
    })
}

// ---------------------------------------------------------------------------------------------
// Validate: every mistake, reported together.

/// An intent ready to expand.
struct Intent<'a> {
    category: LitStr,
    action: LitStr,
    owner: Owner,
    guards: Vec<syn::Path>,
    provider: Provider<'a>,
    /// Reported by `#[component]` as a duplicate: defines no hidden macro.
    duplicate: bool,
}

/// What answers the intent.
enum Provider<'a> {
    /// A server intent's function.
    Server(&'a ItemFn),
    /// A view intent's view, declared on a unit const.
    View { view: LitStr, item: &'a ItemConst },
}

/// The arguments, each read once.
#[derive(Default)]
struct Read {
    category: Option<LitStr>,
    action: Option<LitStr>,
    view: Option<(syn::Path, LitStr)>,
    path: Option<syn::Path>,
    hidden: Option<HiddenKey>,
    guards: Vec<syn::Path>,
    duplicate: bool,
    /// Whether a component was named at all, rightly or not.
    names_component: bool,
    /// Whether the list parsed and every key in it is known: only then is a key reported
    /// missing, since an unknown key is most likely a misspelled missing one.
    complete: bool,
    /// The keys given, with a right value or not.
    given: Vec<&'static str>,
}

fn validate(args: syn::Result<Args>, item: &Item) -> syn::Result<Intent<'_>> {
    let mut errors = Errors::default();
    let read = match args {
        Ok(args) => read_args(args, &mut errors),
        Err(error) => {
            errors.push(error);
            Read::default()
        }
    };
    let missing: Vec<String> = ["category", "action"]
        .into_iter()
        .filter(|key| !read.given.contains(key))
        .map(|key| format!("`{key}`"))
        .collect();
    if read.complete && !missing.is_empty() {
        errors.at(
            Span::call_site(),
            format!(
                "missing {}; expected {ATTRIBUTE_FORM}",
                missing.join(" and ")
            ),
        );
    }
    let owner = match (read.path, read.hidden) {
        // A path the user wrote wins over what an enclosing `#[component]` would say.
        (Some(path), _) => Some(Owner::Path(path)),
        (None, Some(HiddenKey { name, version })) => Some(Owner::Key { name, version }),
        (None, None) if read.names_component => None,
        (None, None) => {
            errors.at(
                Span::call_site(),
                "`#[intent]` must be inside a `#[component]` module, or name its component: \
                 `#[intent(category = \"...\", action = \"...\", component = path::to::component_module)]`",
            );
            None
        }
    };
    let provider = validate_item(item, read.view, &mut errors);
    errors.finish()?;
    match (read.category, read.action, owner, provider) {
        (Some(category), Some(action), Some(owner), Some(provider)) => Ok(Intent {
            category,
            action,
            owner,
            guards: read.guards,
            provider,
            duplicate: read.duplicate,
        }),
        // Every missing piece was reported above.
        _ => Err(syn::Error::new(Span::call_site(), ATTRIBUTE_FORM)),
    }
}

/// Reads every argument, reporting those that are wrong.
fn read_args(args: Args, errors: &mut Errors) -> Read {
    let mut read = Read {
        complete: true,
        ..Read::default()
    };
    let expected = "expected `category = \"...\"`, `action = \"...\"`, `view = \"...\"`, \
                    `guard = path` and, outside a `#[component]` module, \
                    `component = path::to::component_module`";
    for arg in args {
        let meta = match arg {
            Arg::Meta(meta) => meta,
            Arg::Literal(literal) => {
                read.complete = false;
                errors.at(
                    literal.span(),
                    format!("`#[intent]` takes named arguments; {expected}"),
                );
                continue;
            }
        };
        let key = meta.path();
        read.names_component |= key.is_ident("component") || key.is_ident(HIDDEN_COMPONENT);
        let name = key.get_ident().map(ToString::to_string);
        match (name.as_deref(), &meta) {
            (Some(key @ ("category" | "action" | "view")), _) => {
                let key: &'static str = match key {
                    "category" => "category",
                    "action" => "action",
                    _ => "view",
                };
                read.given.push(key);
                let Some(value) = string_value(&meta, key, errors) else {
                    continue;
                };
                let check = match key {
                    "view" => names::check_view(&value.value()),
                    _ => names::check_intent_name(key, &value.value()),
                };
                if let Err(message) = check {
                    errors.at(value.span(), message);
                }
                match key {
                    "category" => set_once(&mut read.category, value, meta.path(), errors),
                    "action" => set_once(&mut read.action, value, meta.path(), errors),
                    _ => set_once(
                        &mut read.view,
                        (meta.path().clone(), value),
                        meta.path(),
                        errors,
                    ),
                }
            }
            (Some("guard"), Meta::NameValue(arg)) => {
                websocket::guard_paths(&arg.value, "guard", &mut read.guards, errors);
            }
            (Some("component"), Meta::NameValue(arg)) => {
                match websocket::component_path(&arg.value) {
                    Ok(value) => set_once(&mut read.path, value, &arg.path, errors),
                    Err(error) => errors.push(error),
                }
            }
            (Some(HIDDEN_DUPLICATE), Meta::Path(_)) => read.duplicate = true,
            (Some(HIDDEN_COMPONENT), Meta::List(arg)) => match arg.parse_args::<HiddenKey>() {
                Ok(value) => set_once(&mut read.hidden, value, &arg.path, errors),
                Err(error) => errors.push(error),
            },
            (Some("guard"), _) => errors.spanned(
                &meta,
                "expected `guard = path::to::guard` or `guard = [guard_a, guard_b]`",
            ),
            (Some("component"), _) => {
                errors.spanned(&meta, "expected `component = path::to::component_module`")
            }
            _ => {
                read.complete = false;
                let shown = name.unwrap_or_else(|| key.to_token_stream().to_string());
                errors.at(
                    key.span(),
                    format!("unknown argument `{shown}`; {expected}"),
                );
            }
        }
    }
    read
}

/// The string of `key = "..."`, or `None` with the mistake reported.
fn string_value(meta: &Meta, key: &str, errors: &mut Errors) -> Option<LitStr> {
    match meta {
        Meta::NameValue(arg) => match &arg.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(value),
                ..
            }) => Some(value.clone()),
            other => {
                errors.at(
                    other.span(),
                    format!("expected a string: `{key} = \"...\"`"),
                );
                None
            }
        },
        _ => {
            errors.spanned(meta, format!("expected a value: `{key} = \"...\"`"));
            None
        }
    }
}

/// Checks that the item is what the arguments call for: an `async fn` for a server intent, a
/// unit const for a view intent (`view`); whether it is is in `errors`.
fn validate_item<'a>(
    item: &'a Item,
    view: Option<(syn::Path, LitStr)>,
    errors: &mut Errors,
) -> Option<Provider<'a>> {
    match (item, view) {
        (Item::Const(item), Some((_, view))) => {
            let unit = matches!(&*item.ty, Type::Tuple(tuple) if tuple.elems.is_empty());
            if !unit {
                errors.spanned(
                    &item.ty,
                    "a view intent is declared on a unit const: `const SHOW_CHAT: () = ();`",
                );
            }
            Some(Provider::View { view, item })
        }
        (Item::Fn(_), Some((key, _))) => {
            errors.at(
                key.span(),
                "a view intent is answered by its view, so this function would never run; put \
                 `#[intent(..., view = \"...\")]` on `const NAME: () = ();`, or remove `view` to \
                 answer the intent with this function",
            );
            None
        }
        (Item::Fn(function), None) => {
            validate_function(function, errors);
            Some(Provider::Server(function))
        }
        (Item::Const(item), None) => {
            errors.at(
                item.const_token.span,
                "a const declares a view intent, which names the view that answers it: add \
                 `view = \"...\"`, or put `#[intent]` on an `async fn` to answer it with a function",
            );
            None
        }
        (other, _) => {
            errors.at(syntax::keyword_span(other), ITEM_FORM);
            None
        }
    }
}

/// Checks that a server intent's function is an `async fn` that can be called with extractors
/// alone; whether it is is in `errors`.
fn validate_function(function: &ItemFn, errors: &mut Errors) {
    let sig = &function.sig;
    signature::check_async_fn(sig, "an `#[intent]` function", ITEM_FORM, errors);
}

// ---------------------------------------------------------------------------------------------
// Expand: cannot fail.

/// The hidden macro that two intents of one category and action in one crate both define.
fn claim_macro(intent: &Intent<'_>) -> TokenStream {
    if intent.duplicate {
        return TokenStream::new();
    }
    let name = syn::Ident::new(
        &names::intent_item(&intent.category.value(), &intent.action.value()),
        Span::call_site(),
    );
    // Every token at the attribute, so that the compiler's error points at both attributes.
    quote_spanned! {Span::call_site()=>
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #name {
            () => {};
        }
    }
}

fn expand(intent: &Intent<'_>, item: &Item) -> TokenStream {
    let Intent {
        category,
        action,
        owner,
        guards,
        provider,
        ..
    } = intent;
    let component = owner.expand();
    let guards = websocket::guard_fns(guards);
    let location = paths::location(category.span());
    let (submit, registration, kind) = (
        paths::submit(),
        paths::intent_registration(),
        paths::intent_provider(),
    );
    let claim = claim_macro(intent);
    let (doc, checks, provided) = match provider {
        Provider::Server(function) => {
            let (checks, provided) = server::expand(function, &kind);
            (syntax::doc_text(&function.attrs), checks, provided)
        }
        Provider::View { view, item } => {
            let ident = &item.ident;
            let name = ident.unraw().to_string();
            (
                syntax::doc_text(&item.attrs),
                // The const is used by its intent.
                quote!(let _ = #ident;),
                quote!(#kind::View { view: #view, name: #name }),
            )
        }
    };
    quote! {
        #item

        #claim

        #[doc(hidden)]
        const _: () = {
            #checks
            #submit! {
                #registration {
                    component: #component,
                    category: #category,
                    action: #action,
                    doc: #doc,
                    location: #location,
                    guards: #guards,
                    provider: #provided,
                }
            }
        };
    }
}
