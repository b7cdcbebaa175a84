//! What `#[websocket]` handlers and `#[intent]` functions share: the form of a function that is
//! called with extractors alone, and one compile-time check per argument that it is one.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{FnArg, ItemFn, Signature, Type, spanned::Spanned};

use crate::{paths, syntax::Errors};

/// Checks that `sig` is a free, non-generic, safe `async fn`; `what` names it in the messages
/// (`` a `#[websocket]` handler ``), `form` is the message for a function that is not `async`.
pub(crate) fn check_async_fn(sig: &Signature, what: &str, form: &str, errors: &mut Errors) {
    if sig.asyncness.is_none() {
        errors.at(sig.fn_token.span, form);
    }
    if let Some(unsafety) = sig.unsafety {
        errors.at(
            unsafety.span,
            format!("{what} cannot be `unsafe`; remove `unsafe`"),
        );
    }
    let generic = format!("{what} cannot be generic; give its arguments concrete types");
    if !sig.generics.params.is_empty() {
        errors.spanned(&sig.generics, &generic);
    } else if let Some(clause) = &sig.generics.where_clause {
        errors.spanned(clause, &generic);
    }
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(receiver) => errors.spanned(
                receiver,
                format!("{what} cannot take `self`; make it a free `async fn`"),
            ),
            FnArg::Typed(arg) => {
                if let Type::ImplTrait(ty) = &*arg.ty {
                    errors.spanned(ty, &generic);
                }
            }
        }
    }
}

/// One compile-time check per argument, `assert::<Type>()` named at the argument's type, so that
/// a type which is not an extractor is reported on it.
pub(crate) fn argument_checks(function: &ItemFn, assert: fn(Span) -> TokenStream) -> TokenStream {
    function
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(arg) => Some(&arg.ty),
            FnArg::Receiver(_) => None,
        })
        .map(|ty| {
            let assert = assert(ty.span());
            quote_spanned!(ty.span()=> const _: () = #assert::<#ty>();)
        })
        .collect()
}

/// The registration's `states`: for each argument, a function giving the type it reads with
/// `State<T>`, if it does. Which one it is, method resolution tells (see
/// `rain_core::__private::Probe`), so that an alias of `State<T>` is seen through.
pub(crate) fn state_types(function: &ItemFn) -> TokenStream {
    let (probe, not_state, state_of) = (paths::probe(), paths::not_state(), paths::state_of());
    let each = function
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(arg) if !matches!(&*arg.ty, Type::ImplTrait(_)) => Some(&arg.ty),
            _ => None,
        })
        .map(|ty| {
            quote_spanned! {ty.span()=> {
                const STATE: #state_of = || {
                    use #not_state as _;
                    #probe::<#ty>::new().state_type()
                };
                STATE
            }}
        });
    quote!(&[#(#each),*])
}
