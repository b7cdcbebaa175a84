//! What both macros read from the user's tokens the same way: collected errors, arguments given
//! once, doc comments and the keyword that names an item's kind.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use syn::{Attribute, Expr, ExprLit, Item, Lit, Meta, spanned::Spanned};

/// Every mistake found so far, reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds a mistake.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds a mistake at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Adds a mistake that covers all of `tokens` (a whole type, a whole attribute).
    pub(crate) fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// `Err` with every mistake, if there is one.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Stores the value of argument `key`, or reports it when it was given already.
pub(crate) fn set_once<T>(slot: &mut Option<T>, value: T, key: &syn::Path, errors: &mut Errors) {
    if slot.is_some() {
        let name = key
            .get_ident()
            .map_or_else(|| "argument".to_owned(), ToString::to_string);
        errors.at(
            key.span(),
            format!("duplicate argument `{name}`; give each argument once"),
        );
    } else {
        *slot = Some(value);
    }
}

/// Whether `attr` invokes the macro `name`, however its path is written (`websocket`,
/// `rain_core::websocket`, `prelude::websocket`).
pub(crate) fn is_attribute(attr: &Attribute, name: &str) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

/// The text of the doc comments among `attrs`, common indentation removed, lines joined with `\n`.
///
/// Docs that are not string literals (`#[doc = include_str!("...")]`) are left out: their text is
/// not known while the macro runs.
pub(crate) fn doc_text(attrs: &[Attribute]) -> String {
    let docs: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(doc) => match &doc.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    // Not `str::lines`, which gives no line at all for the empty text of a bare `///`.
    let lines: Vec<&str> = docs
        .iter()
        .flat_map(|doc| doc.split('\n'))
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let indent = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let common = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| indent(line))
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(common..).unwrap_or_default().trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The attributes of an item, if it is one syn understands.
pub(crate) fn attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(item) => &mut item.attrs,
        Item::Enum(item) => &mut item.attrs,
        Item::ExternCrate(item) => &mut item.attrs,
        Item::Fn(item) => &mut item.attrs,
        Item::ForeignMod(item) => &mut item.attrs,
        Item::Impl(item) => &mut item.attrs,
        Item::Macro(item) => &mut item.attrs,
        Item::Mod(item) => &mut item.attrs,
        Item::Static(item) => &mut item.attrs,
        Item::Struct(item) => &mut item.attrs,
        Item::Trait(item) => &mut item.attrs,
        Item::TraitAlias(item) => &mut item.attrs,
        Item::Type(item) => &mut item.attrs,
        Item::Union(item) => &mut item.attrs,
        Item::Use(item) => &mut item.attrs,
        _ => return None,
    })
}

/// The keyword that says what kind of item `item` is (`fn`, `struct`, `mod`, ...): where a
/// macro placed on the wrong kind of item points.
pub(crate) fn keyword_span(item: &Item) -> Span {
    match item {
        Item::Const(item) => item.const_token.span,
        Item::Enum(item) => item.enum_token.span,
        Item::ExternCrate(item) => item.extern_token.span,
        Item::Fn(item) => item.sig.fn_token.span,
        Item::ForeignMod(item) => item.abi.extern_token.span,
        Item::Impl(item) => item.impl_token.span,
        Item::Macro(item) => item.mac.path.span(),
        Item::Mod(item) => item.mod_token.span,
        Item::Static(item) => item.static_token.span,
        Item::Struct(item) => item.struct_token.span,
        Item::Trait(item) => item.trait_token.span,
        Item::TraitAlias(item) => item.trait_token.span,
        Item::Type(item) => item.type_token.span,
        Item::Union(item) => item.union_token.span,
        Item::Use(item) => item.use_token.span,
        _ => item.span(),
    }
}

/// The user's item followed by the errors found in it: what a macro emits when it cannot expand,
/// so that one mistake does not turn into many and editors keep seeing the item.
pub(crate) fn item_with_errors(item: impl quote::ToTokens, errors: syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    quote::quote!(#item #errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(tokens: TokenStream) -> Vec<Attribute> {
        syn::parse2::<syn::ItemFn>(tokens).unwrap().attrs
    }

    #[test]
    fn doc_text_joins_lines_and_removes_common_indentation() {
        let attrs = attrs(quote::quote! {
            /// Answers every `hello`.
            ///
            /// ```
            ///     indented
            /// ```
            #[inline]
            fn f() {}
        });
        assert_eq!(
            doc_text(&attrs),
            "Answers every `hello`.\n\n```\n    indented\n```"
        );
    }

    #[test]
    fn doc_text_of_block_comments_and_none() {
        let attrs = attrs(quote::quote! {
            #[doc = "\n   one\n   two\n"]
            fn f() {}
        });
        assert_eq!(doc_text(&attrs), "one\ntwo");
        assert_eq!(doc_text(&[]), "");
    }
}
