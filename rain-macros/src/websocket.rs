//! `#[websocket]`: parse, validate, expand.
//!
//! ```text
//! #[websocket("chat/dummy socket")]                       inside a #[component] module
//! #[websocket("lobby", component = crate::chat)]          anywhere, naming the component module
//! #[websocket("room", guard = require_user)]              a guard run on connect
//! #[websocket("room", guard = [require_user, not_banned])] several, run in order
//! #[websocket("room", event_guard = no_shouting)]         a guard run before every event
//! #[websocket("cursor", event_rate = 120)]                its own event rate (0: no limit)
//! #[websocket("cursor", event_burst = 240)]               its own event burst (at least 1)
//! #[websocket("feed", idle_timeout = "10m")]              its own idle timeout, or "never"
//! ```
//!
//! A limit the attribute does not set is the app's (`rain_core::limits`).
//!
//! Inside a component module, `#[component]` has already added the hidden argument
//! `__rain_component("name", "version")`, so the socket knows its component without resolving
//! any path. The expansion is the handler, unchanged, and one constant `SocketRegistration`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{
    Expr, FnArg, Item, ItemFn, Lit, LitStr, Meta, ReturnType, Token, Type,
    ext::IdentExt,
    parse::{Parse, ParseStream, Parser},
    punctuated::Punctuated,
    spanned::Spanned,
};

use crate::{
    names, paths,
    settings::Settings,
    signature,
    syntax::{self, Errors, set_once},
};

/// The hidden argument through which `#[component]` tells a socket its component.
pub(crate) const HIDDEN_COMPONENT: &str = "__rain_component";

/// The right form of a handler, shown when the item is not one.
const HANDLER_FORM: &str =
    "`#[websocket]` goes on an `async fn`: `async fn handler(socket: SocketRef) { ... }`";

/// Expands `#[websocket(args)] item`.
pub(crate) fn websocket(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse2::<Item>(item.clone()) {
        Ok(item) => item,
        Err(error) => return syntax::item_with_errors(item, error),
    };
    let args = Args::parse_terminated.parse2(args);
    match validate(args, &item) {
        Ok(socket) => expand(&socket),
        Err(errors) => {
            // The argument checks still run when they can, so that their errors come with ours.
            let checks = match &item {
                Item::Fn(handler) if handler.sig.generics.params.is_empty() => {
                    let checks = signature::argument_checks(handler, paths::assert_socket_argument);
                    quote!(#[doc(hidden)] const _: () = { #checks };)
                }
                _ => TokenStream::new(),
            };
            let item = quote!(#item #checks);
            syntax::item_with_errors(item, errors)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parse: syntax only.

/// The arguments of `#[websocket(...)]` as written: string literals and `key = value` or
/// `key(...)` items, in any order.
pub(crate) struct Args(Punctuated<Arg, Token![,]>);

/// One argument, not yet interpreted.
// A few per attribute, parsed once: boxing the larger variant would only make matching on it
// clumsier.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Arg {
    /// A literal: the socket name, when it is a string.
    Literal(Lit),
    /// `component = path` or the hidden `__rain_component("name", "version")`.
    Meta(Meta),
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Lit) {
            input.parse().map(Arg::Literal)
        } else {
            input.parse().map(Arg::Meta)
        }
    }
}

impl Args {
    /// Parses comma-separated arguments, a trailing comma allowed.
    pub(crate) fn parse_terminated(input: ParseStream<'_>) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(Args)
    }

    /// The socket name, if a string literal is among the arguments.
    pub(crate) fn socket_name(&self) -> Option<&LitStr> {
        self.0.iter().find_map(|arg| match arg {
            Arg::Literal(Lit::Str(name)) => Some(name),
            _ => None,
        })
    }

    /// Whether the arguments say which component the socket belongs to.
    pub(crate) fn names_component(&self) -> bool {
        self.0.iter().any(|arg| match arg {
            Arg::Meta(meta) => {
                meta.path().is_ident("component") || meta.path().is_ident(HIDDEN_COMPONENT)
            }
            Arg::Literal(_) => false,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Validate: every mistake, reported together.

/// A socket ready to expand.
struct Socket<'a> {
    name: LitStr,
    owner: Owner,
    handler: &'a ItemFn,
    guards: Guards,
    settings: Settings,
}

/// The guards of a socket, each a path to a function, in the order written.
#[derive(Default)]
struct Guards {
    /// `guard = ...`: run on connect.
    connect: Vec<syn::Path>,
    /// `event_guard = ...`: run before every event.
    event: Vec<syn::Path>,
}

/// The component a socket (or an intent) belongs to.
pub(crate) enum Owner {
    /// Named by the user: `component = crate::chat`.
    Path(syn::Path),
    /// Given by the enclosing `#[component]`: `__rain_component("chat", "1.0")`.
    Key { name: LitStr, version: LitStr },
}

/// The hidden `("name", "version")` arguments.
pub(crate) struct HiddenKey {
    pub(crate) name: LitStr,
    pub(crate) version: LitStr,
}

impl Parse for HiddenKey {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name = input.parse()?;
        input.parse::<Token![,]>()?;
        let version = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        Ok(HiddenKey { name, version })
    }
}

fn validate(args: syn::Result<Args>, item: &Item) -> syn::Result<Socket<'_>> {
    let mut errors = Errors::default();
    let mut settings = Settings::default();
    let (name, owner, guards) = match args {
        Ok(args) => validate_args(args, &mut settings, &mut errors),
        Err(error) => {
            errors.push(error);
            (None, None, Guards::default())
        }
    };
    let handler = validate_handler(item, &mut errors);
    errors.finish()?;
    match (name, owner, handler) {
        (Some(name), Some(owner), Some(handler)) => Ok(Socket {
            name,
            owner,
            handler,
            guards,
            settings,
        }),
        // Every missing piece was reported above.
        _ => Err(syn::Error::new(Span::call_site(), HANDLER_FORM)),
    }
}

/// Reads the socket name, the component, the guards and the socket's own limits (into
/// `settings`), reporting every argument that is wrong or missing.
fn validate_args(
    args: Args,
    settings: &mut Settings,
    errors: &mut Errors,
) -> (Option<LitStr>, Option<Owner>, Guards) {
    let mut name: Option<LitStr> = None;
    let mut guards = Guards::default();
    let mut path: Option<syn::Path> = None;
    let mut hidden: Option<HiddenKey> = None;
    // Whether a component was named at all, rightly or not: if so, it is not reported missing.
    let mut names_component = false;
    let expected = "expected the socket name, `guard = path`, `event_guard = path`, \
                    `event_rate = 120`, `event_burst = 240`, `idle_timeout = \"10m\"`, `recover = \"2m\"` and, outside \
                    a `#[component]` module, `component = path::to::component_module`";
    for arg in args.0 {
        if let Arg::Meta(meta) = &arg {
            names_component |=
                meta.path().is_ident("component") || meta.path().is_ident(HIDDEN_COMPONENT);
        }
        match arg {
            Arg::Literal(Lit::Str(literal)) => match &name {
                Some(_) => errors.at(
                    literal.span(),
                    "a `#[websocket]` has one socket name; remove this one",
                ),
                None => {
                    if let Err(message) = names::check_socket_name(&literal.value()) {
                        errors.at(literal.span(), message);
                    }
                    name = Some(literal);
                }
            },
            Arg::Literal(literal) => errors.at(
                literal.span(),
                "expected the socket name as a string: `#[websocket(\"chat/room\")]`",
            ),
            Arg::Meta(Meta::NameValue(arg)) if arg.path.is_ident("component") => {
                match component_path(&arg.value) {
                    Ok(value) => set_once(&mut path, value, &arg.path, errors),
                    Err(error) => errors.push(error),
                }
            }
            Arg::Meta(Meta::List(arg)) if arg.path.is_ident(HIDDEN_COMPONENT) => {
                match arg.parse_args::<HiddenKey>() {
                    Ok(value) => set_once(&mut hidden, value, &arg.path, errors),
                    Err(error) => errors.push(error),
                }
            }
            Arg::Meta(Meta::NameValue(arg)) if arg.path.is_ident("guard") => {
                guard_paths(&arg.value, "guard", &mut guards.connect, errors);
            }
            Arg::Meta(Meta::NameValue(arg)) if arg.path.is_ident("event_guard") => {
                guard_paths(&arg.value, "event_guard", &mut guards.event, errors);
            }
            Arg::Meta(meta) if Settings::takes(&meta) => settings.read(&meta, errors),
            Arg::Meta(meta) if meta.path().is_ident("component") => {
                errors.spanned(meta, "expected `component = path::to::component_module`")
            }
            Arg::Meta(meta)
                if meta.path().is_ident("guard") || meta.path().is_ident("event_guard") =>
            {
                let key = meta
                    .path()
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                errors.spanned(
                    meta,
                    format!("expected `{key} = path::to::guard` or `{key} = [guard_a, guard_b]`"),
                )
            }
            Arg::Meta(meta) => {
                let path = meta.path();
                let shown = path
                    .get_ident()
                    .map_or_else(|| path.to_token_stream().to_string(), ToString::to_string);
                errors.at(
                    path.span(),
                    format!("unknown argument `{shown}`; {expected}"),
                );
            }
        }
    }
    if name.is_none() {
        errors.at(
            Span::call_site(),
            "missing socket name; expected `#[websocket(\"chat/room\")]`",
        );
    }
    // A path the user wrote wins over what an enclosing `#[component]` would say.
    let owner = match (path, hidden) {
        (Some(path), _) => Some(Owner::Path(path)),
        (None, Some(HiddenKey { name, version })) => Some(Owner::Key { name, version }),
        (None, None) if names_component => None,
        (None, None) => {
            errors.at(
                Span::call_site(),
                "`#[websocket]` must be inside a `#[component]` module, or name its component: \
                 `#[websocket(\"...\", component = path::to::component_module)]`",
            );
            None
        }
    };
    (name, owner, guards)
}

/// The guards of `key = value`: one path, or a list of paths in brackets.
pub(crate) fn guard_paths(
    value: &Expr,
    key: &str,
    guards: &mut Vec<syn::Path>,
    errors: &mut Errors,
) {
    let single: Vec<&Expr> = match value {
        Expr::Array(list) if list.attrs.is_empty() => list.elems.iter().collect(),
        other => vec![other],
    };
    for value in single {
        match plain_path(value) {
            Some(path) => guards.push(path.clone()),
            None => errors.spanned(
                value,
                format!(
                    "expected a path to a guard function: `{key} = require_user` or \
                     `{key} = [require_user, not_banned]`"
                ),
            ),
        }
    }
}

/// The path of an expression that is only a path without generic arguments (`crate::chat`).
fn plain_path(value: &Expr) -> Option<&syn::Path> {
    match value {
        Expr::Path(path)
            if path.qself.is_none()
                && path.attrs.is_empty()
                && path.path.segments.iter().all(|s| s.arguments.is_none()) =>
        {
            Some(&path.path)
        }
        _ => None,
    }
}

/// The path of `component = path`: a plain path to a module.
pub(crate) fn component_path(value: &Expr) -> syn::Result<syn::Path> {
    let wrong = |value: &Expr| {
        syn::Error::new_spanned(
            value,
            "expected a path to a `#[component]` module: `component = crate::chat`",
        )
    };
    if let Some(path) = plain_path(value) {
        return Ok(path.clone());
    }
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(literal),
            ..
        }) => Err(syn::Error::new(
            literal.span(),
            format!(
                "expected a path to a `#[component]` module, not a string: `component = {}`",
                literal.value()
            ),
        )),
        other => Err(wrong(other)),
    }
}

/// Checks that the item is an `async fn` that Socket.IO can call with extractors alone, and
/// returns it; whether it passed is in `errors`.
fn validate_handler<'a>(item: &'a Item, errors: &mut Errors) -> Option<&'a ItemFn> {
    let Item::Fn(handler) = item else {
        errors.at(syntax::keyword_span(item), HANDLER_FORM);
        return None;
    };
    let sig = &handler.sig;
    signature::check_async_fn(sig, "a `#[websocket]` handler", HANDLER_FORM, errors);
    if let ReturnType::Type(_, ty) = &sig.output {
        let unit = matches!(&**ty, Type::Tuple(tuple) if tuple.elems.is_empty());
        if !unit {
            errors.spanned(
                ty,
                "a `#[websocket]` handler returns nothing; remove the return type",
            );
        }
    }
    Some(handler)
}

// ---------------------------------------------------------------------------------------------
// Expand: cannot fail.

impl Owner {
    /// The component's key, as a registration stores it.
    pub(crate) fn expand(&self) -> TokenStream {
        match self {
            Owner::Path(path) => quote_spanned!(path.span()=> #path::__RAIN_COMPONENT),
            Owner::Key { name, version } => {
                let key = paths::component_key();
                quote!(#key { name: #name, version: #version })
            }
        }
    }
}

/// The event declaration of a typed socket: the `S` of the first `TypedSocket<S>` argument.
///
/// The socket is typed by what its handler takes, so the declaration is written once, in the
/// handler's signature, and the registration (hence the client bindings) follows it.
fn events(handler: &ItemFn) -> TokenStream {
    let declaration = handler.sig.inputs.iter().find_map(|arg| {
        let FnArg::Typed(arg) = arg else { return None };
        let syn::Type::Path(ty) = &*arg.ty else {
            return None;
        };
        let last = ty.path.segments.last()?;
        if last.ident != "TypedSocket" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(events) if args.args.len() == 1 => Some(events),
            _ => None,
        }
    });
    match declaration {
        Some(events) => {
            let (some, events_trait) = (paths::some(), paths::events_trait());
            quote_spanned!(events.span()=> #some(<#events as #events_trait>::EVENTS))
        }
        None => paths::none(),
    }
}

/// The guards as the registration stores them: the user's paths, each coerced to a `Guard` on
/// its own span, so that a function of another signature is reported there with both signatures.
pub(crate) fn guard_fns(guards: &[syn::Path]) -> TokenStream {
    let guard = paths::guard();
    let guards = guards
        .iter()
        .map(|path| quote_spanned!(path.span()=> { const GUARD: #guard = #path; GUARD }));
    quote!(&[#(#guards),*])
}

fn expand(socket: &Socket<'_>) -> TokenStream {
    let Socket {
        name,
        owner,
        handler,
        guards,
        settings,
    } = socket;
    let connect_guards = guard_fns(&guards.connect);
    let event_guards = guard_fns(&guards.event);
    let settings = settings.expand();
    let checks = signature::argument_checks(handler, paths::assert_socket_argument);
    let events = events(handler);
    let states = signature::state_types(handler);
    let ident = &handler.sig.ident;
    let handler_name = ident.unraw().to_string();
    let doc = syntax::doc_text(&handler.attrs);
    let location = paths::location(name.span());
    let mount = paths::mount(ident.span());
    let submit = paths::submit();
    let registration = paths::socket_registration();
    // Hygienic, so that a handler called `io` is not shadowed by the closure's argument.
    let io = syn::Ident::new("__rain_io", Span::mixed_site());
    let mount_arg = syn::Ident::new("__rain_mount", Span::mixed_site());
    let component = owner.expand();
    quote! {
        #handler

        #[doc(hidden)]
        const _: () = {
            #checks
            #submit! {
                #registration {
                    component: #component,
                    name: #name,
                    handler: #handler_name,
                    doc: #doc,
                    location: #location,
                    mount: |#io, #mount_arg| #mount(#io, #mount_arg, #ident),
                    events: #events,
                    guards: #connect_guards,
                    event_guards: #event_guards,
                    settings: #settings,
                    states: #states,
                }
            }
        };
    }
}
