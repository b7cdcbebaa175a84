//! The expansion of a server intent: the checks of its function's arguments (and of its answer),
//! the function `call_intent` is given, and the TypeScript of its context and answer.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{
    FnArg, GenericArgument, ItemFn, PathArguments, ReturnType, Type, ext::IdentExt,
    spanned::Spanned,
};

use crate::{paths, signature};

/// The checks of `function`'s arguments and answer, and the `IntentProvider::Server` (`kind`) it
/// is registered as.
pub(super) fn expand(function: &ItemFn, kind: &TokenStream) -> (TokenStream, TokenStream) {
    let ident = &function.sig.ident;
    let handler = ident.unraw().to_string();
    let call = paths::call_intent(ident.span());
    let (socket, context) = (
        syn::Ident::new("__rain_socket", Span::mixed_site()),
        syn::Ident::new("__rain_context", Span::mixed_site()),
    );
    let context_type = match context_type(function) {
        Some(ty) if !names_impl_trait(ty) => {
            let some = paths::some();
            let write = type_script(paths::type_of(), ty);
            quote!(#some(#write))
        }
        _ => paths::none(),
    };
    let (answered, answer_type, wrapper) = answer(function);
    let checks = signature::argument_checks(function, paths::assert_intent_argument);
    let states = signature::state_types(function);
    (
        quote!(#checks #wrapper),
        quote! {
            #kind::Server {
                handler: #handler,
                call: |#socket, #context| #call(#socket, #context, #answered),
                context: #context_type,
                answer: #answer_type,
                states: #states,
            }
        },
    )
}

/// The type of the context: the `T` of the first `Data<T>` (or `TryData<T>`) argument.
fn context_type(function: &ItemFn) -> Option<&Type> {
    function.sig.inputs.iter().find_map(|arg| {
        let FnArg::Typed(arg) = arg else { return None };
        let Type::Path(ty) = &*arg.ty else {
            return None;
        };
        let last = ty.path.segments.last()?;
        if last.ident != "Data" && last.ident != "TryData" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            GenericArgument::Type(context) if args.args.len() == 1 => Some(context),
            _ => None,
        }
    })
}

/// Whether `ty` has an `impl Trait` in it, which no other code can name.
fn names_impl_trait(ty: &Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|token| matches!(&token, proc_macro2::TokenTree::Ident(ident) if ident == "impl"))
}

/// A function that writes the TypeScript of `wrapper::<ty>`: typed when it is `ts_rs::TS`,
/// `unknown` otherwise.
fn type_script(wrapper: TokenStream, ty: &Type) -> TokenStream {
    let traits = paths::type_script_traits();
    let ts = syn::Ident::new("__rain_ts", Span::mixed_site());
    quote! {
        |#ts| {
            use #traits;
            (&#wrapper::<#ty>::new()).type_script(#ts)
        }
    }
}

/// How a server intent's function answers: the function `call_intent` is given, the TypeScript
/// of the answer, and the wrapper that function is, if it is one.
///
/// A function that returns nothing, a `Result<T, E>` or an `Ack<T>` is acked as an event
/// handler is, and given as it is. One that returns any other type `R` is wrapped in a function
/// returning `Ack<R>`, so that any `Serialize` value is an answer (`R` is checked to be one, on
/// its span).
fn answer(function: &ItemFn) -> (TokenStream, TokenStream, TokenStream) {
    let ident = &function.sig.ident;
    let returned = match &function.sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some(&**ty),
    };
    let acked = match returned {
        None => true,
        Some(Type::Tuple(tuple)) if tuple.elems.is_empty() => true,
        Some(Type::Path(path)) => path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Result" || last.ident == "Ack"),
        Some(_) => false,
    };
    let unit: Type = syn::parse_quote!(());
    let returned = returned.unwrap_or(&unit);
    let answer_type = |wrapper| match names_impl_trait(returned) {
        true => paths::unknown_type(),
        false => type_script(wrapper, returned),
    };
    if acked {
        return (
            ident.to_token_stream(),
            answer_type(paths::answer_of()),
            TokenStream::new(),
        );
    }
    // Named as the function, in a block of its own, so that errors name the user's function;
    // `self::` names the module's, past the block.
    let ack = paths::ack();
    let arguments: Vec<syn::Ident> = (0..function.sig.inputs.len())
        .map(|index| syn::Ident::new(&format!("__rain_argument_{index}"), Span::mixed_site()))
        .collect();
    let types = function.sig.inputs.iter().filter_map(|arg| match arg {
        FnArg::Typed(arg) => Some(&arg.ty),
        FnArg::Receiver(_) => None,
    });
    let check = match names_impl_trait(returned) {
        true => TokenStream::new(),
        false => {
            let assert = paths::assert_intent_answer(returned.span());
            quote_spanned!(returned.span()=> const _: () = #assert::<#returned>();)
        }
    };
    let defined = quote_spanned! {returned.span()=>
        #check
        async fn #ident(#(#arguments: #types),*) -> #ack<#returned> {
            #ack(self::#ident(#(#arguments),*).await)
        }
    };
    (
        ident.to_token_stream(),
        answer_type(paths::type_of()),
        defined,
    )
}
