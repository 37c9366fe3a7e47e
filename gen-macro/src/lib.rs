//! The `#[generator]` attribute of [cogen](https://docs.rs/cogen). Use it through the
//! `cogen` facade, which documents it.
//!
//! The macro is a small compiler in four stages, one file each:
//! `parse` (attribute and item) → `check` (misuse, all errors collected) →
//! `lower` (yield points to `.await`s) → `emit` (the new fn), in `src/{stage}.rs`.

use proc_macro::TokenStream;
use proc_macro2::{Ident, Span};
use quote::{ToTokens, quote};

mod check;
mod emit;
mod lower;
mod parse;

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn generator(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into()).into()
}

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = parse::Errors::default();
    let (mut args, args_error) = parse::parse_args(args.into());
    if let Some(error) = args_error {
        errors.push(error);
    }
    for (ty, key) in [(&mut args.yield_ty, "yield"), (&mut args.send_ty, "send")] {
        if let Some(given) = ty.take() {
            errors.push(syn::Error::new_spanned(
                given,
                format!(
                    "#[coroutine] fixes the `{key}` type (a coroutine yields `asyncio::Suspend` \
                     and is sent `asyncio::Resume`); remove `{key} = ..`, or use \
                     #[generator] for a generator with other types"
                ),
            ));
        }
    }
    let krate = args.krate.clone().unwrap_or_else(default_crate);
    args.yield_ty = Some(syn::parse_quote!(#krate::asyncio::Suspend));
    args.send_ty = Some(syn::parse_quote!(#krate::asyncio::Resume));
    expand_with(args, errors, item.into()).into()
}

fn default_crate() -> syn::Path {
    syn::parse_quote!(::cogen)
}

fn expand(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let mut errors = parse::Errors::default();
    let (args, args_error) = parse::parse_args(args);
    if let Some(error) = args_error {
        errors.push(error);
    }
    expand_with(args, errors, item)
}

fn expand_with(
    mut args: parse::Args,
    mut errors: parse::Errors,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    for ty in [&mut args.yield_ty, &mut args.send_ty] {
        if let Some(named) = ty
            && emit::mentions_impl(named.to_token_stream())
        {
            errors.push(syn::Error::new_spanned(
                &*named,
                "the yield and send types of #[generator] must be named: `impl Trait` is not \
                 supported there (name the type, or use `Box<dyn Trait>`)",
            ));
            // Reported; `()` in its place keeps the expansion free of follow-on errors.
            *ty = None;
        }
    }
    let mut item = match parse::parse_item(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            // Not a fn: report, and leave the item as it was so nothing else breaks.
            errors.push(error);
            let errors = errors.into_error().map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    check_signature(&mut item.sig, &mut errors);

    let krate = args.krate.unwrap_or_else(default_crate);
    let co = Ident::new("__cogen_co", Span::mixed_site());
    let yield_ty = args
        .yield_ty
        .map_or_else(|| quote!(()), |ty| ty.to_token_stream());
    let send_is_unit = match &args.send_ty {
        None => true,
        Some(syn::Type::Tuple(tuple)) => tuple.elems.is_empty(),
        Some(_) => false,
    };
    let send_ty = args
        .send_ty
        .map_or_else(|| quote!(()), |ty| ty.to_token_stream());

    let checked = check::check(&item.block, &krate);
    let delegates = checked
        .point_paths
        .iter()
        .any(|path| parse::Point::of_path(path, &krate) == Some(parse::Point::YieldFrom));
    if let Some(error) = checked.errors {
        errors.push(error);
    }
    let brace = item.block.brace_token.span;
    let body = match errors.into_error() {
        None => {
            lower::lower(&mut item.block, &co, &krate);
            let statements = &item.block.stmts;
            quote!(#(#statements)*)
        }
        Some(errors) => {
            // Keep the signature so callers still type-check; the body is replaced, so the
            // errors above are the only ones.
            // The yield macros are still invoked (expanding to nothing), so the user's
            // imports of them do not add "unused import" warnings to the errors.
            let errors = errors.to_compile_error();
            let paths = checked.point_paths;
            quote!(#errors #(#paths!(@__cogen_lowered);)* ::core::unreachable!())
        }
    };
    emit::emit(
        emit::Generator {
            item,
            yield_ty,
            send_ty,
            send_is_unit,
            delegates,
            krate: &krate,
            co: &co,
        },
        brace,
        body,
    )
}

/// `async`, `const` and `extern` fns cannot be generators: report it, then drop the keyword
/// so the rest of the expansion is still well-formed.
fn check_signature(sig: &mut syn::Signature, errors: &mut parse::Errors) {
    if let Some(token) = sig.asyncness.take() {
        errors.push(syn::Error::new(
            token.span,
            "#[generator] fn cannot be `async`: the generator is already a state machine that \
             suspends at `yield_!`; remove `async` (and delegate with `yield_from!` instead of \
             `.await`)",
        ));
    }
    if let Some(token) = sig.constness.take() {
        errors.push(syn::Error::new(
            token.span,
            "#[generator] fn cannot be `const`: a generator runs at run time; remove `const`",
        ));
    }
    if let Some(abi) = sig.abi.take() {
        errors.push(syn::Error::new_spanned(
            abi,
            "#[generator] fn cannot have an ABI: it returns an opaque generator type; remove \
             the `extern`",
        ));
    }
    if let Some(variadic) = sig.variadic.take() {
        errors.push(syn::Error::new_spanned(
            variadic,
            "#[generator] fn cannot be variadic",
        ));
    }
}
