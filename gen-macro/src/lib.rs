//! The `#[generator]` attribute of [cogen](https://docs.rs/cogen). Use it through the
//! `cogen` facade, which documents it.
//!
//! The macro is a small compiler in four stages, one file each:
//! `parse` (attribute and item) → `check` (every misuse, all errors collected) →
//! `lower` (yield points to `.await`s) → `emit` (the new fn). `errors` collects what the
//! stages report; `scope` says which parts of a body are bodies of their own.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use proc_macro2::{Ident, Span};
use quote::{ToTokens, quote};

mod check;
mod emit;
mod errors;
mod inline;
mod lower;
mod parse;
mod scope;

use errors::Errors;

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn generator(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = parse::parse_args(args.into(), &mut errors);
    expand(args, false, None, errors, item.into()).into()
}

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn coroutine(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut args = parse::parse_args(args.into(), &mut errors);
    check::coroutine_keys(&mut args, &mut errors);
    let krate = args.krate.clone().unwrap_or_else(default_crate);
    args.yield_ty = Some(syn::parse_quote!(#krate::asyncio::Suspend));
    args.send_ty = Some(syn::parse_quote!(#krate::asyncio::Resume));
    expand(args, true, None, errors, item.into()).into()
}

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn async_generator(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut args = parse::parse_args(args.into(), &mut errors);
    check::types(&mut args, &mut errors);
    let unit = || syn::parse_quote!(());
    let item_ty = args.yield_ty.take().unwrap_or_else(unit);
    let send_ty = args.send_ty.take().unwrap_or_else(unit);
    let mut item: proc_macro2::TokenStream = item.into();
    // Said here in the async generator's own words (`check` would speak of a coroutine).
    if let Ok(mut function) = syn::parse2::<syn::ItemFn>(item.clone())
        && let Some(token) = function.sig.asyncness.take()
    {
        errors.push(syn::Error::new(
            token.span,
            "#[asyncio::async_generator] fn cannot be `async`: its body awaits with \
             `yield_from!(..)` and hands out items with `yield_!(..)`; remove `async`",
        ));
        item = function.into_token_stream();
    }
    expand(args, true, Some((item_ty, send_ty)), errors, item).into()
}

/// The `E` of an async generator's `Result<(), E>`.
fn async_gen_error(sig: &syn::Signature) -> Result<syn::Type, syn::Error> {
    let message = "an #[asyncio::async_generator] fn must return `Result<(), E>` (its items are \
                   yielded with `yield_!`; `E` is its error, with `From<Cancelled>` and \
                   `From<GeneratorExit>`)";
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return Err(syn::Error::new_spanned(&sig.ident, message));
    };
    if let syn::Type::Path(path) = &**ty
        && path.qself.is_none()
        && let Some(last) = path.path.segments.last()
        && last.ident == "Result"
        && let syn::PathArguments::AngleBracketed(generic) = &last.arguments
        && generic.args.len() == 2
        && let (
            Some(syn::GenericArgument::Type(syn::Type::Tuple(ok))),
            Some(syn::GenericArgument::Type(error)),
        ) = (generic.args.first(), generic.args.last())
        && ok.elems.is_empty()
    {
        return Ok(error.clone());
    }
    Err(syn::Error::new_spanned(ty, message))
}

// Documented where users see it: on the `cogen` facade's re-export.
#[allow(missing_docs)]
#[proc_macro]
pub fn generator_block(input: TokenStream) -> TokenStream {
    inline::expand(input.into()).into()
}

fn default_crate() -> syn::Path {
    syn::parse_quote!(::cogen)
}

/// parse → check → lower → emit.
fn expand(
    mut args: parse::Args,
    coroutine: bool,
    async_gen: Option<(syn::Type, syn::Type)>,
    mut errors: Errors,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    let (mut item, declaration) = match parse::parse_item(item.clone()) {
        Ok(parsed) => parsed,
        Err(error) => {
            // Not a fn: report, and leave the item as it was so nothing else breaks.
            errors.push(error);
            let errors = errors.into_error().map(|e| e.to_compile_error());
            return quote!(#errors #item);
        }
    };
    let krate = args.krate.take().unwrap_or_else(default_crate);
    check::types(&mut args, &mut errors);
    // What a `yield_!`'s value must be: the declared type (an async generator's item).
    let declared_yield = match &async_gen {
        Some((item_ty, _)) => Some(item_ty.clone()),
        None => args.yield_ty.clone(),
    };
    // An async generator's body is a generator of wrapped yields (items and awaits).
    let async_gen = async_gen.map(|(item_ty, send_ty)| {
        let error = async_gen_error(&item.sig).unwrap_or_else(|error| {
            errors.push(error);
            // Reported; a well-formed return type keeps the stand-in free of follow-on errors.
            item.sig.output =
                syn::parse_quote!(-> ::core::result::Result<(), #krate::asyncio::Cancelled>);
            syn::parse_quote!(#krate::asyncio::Cancelled)
        });
        let private = quote!(#krate::asyncio::__async_gen);
        args.yield_ty = Some(syn::parse_quote!(#private::Yielded<#item_ty>));
        args.send_ty = Some(syn::parse_quote!(#private::Sent<#send_ty, #error>));
        quote!(#krate::asyncio::AsyncGen<#item_ty, #send_ty, #error>)
    });
    let kind = check::signature(&mut item.sig, coroutine, &mut errors);
    let returns_unit = match &item.sig.output {
        syn::ReturnType::Default => true,
        syn::ReturnType::Type(_, ty) => matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()),
    };
    let body = check::body(&item.block, kind, returns_unit, &krate, &mut errors);

    let co = Ident::new("__cogen_co", Span::mixed_site());
    let expect = Ident::new("__cogen_expect", Span::mixed_site());
    let send_is_unit = match &args.send_ty {
        None => true,
        Some(syn::Type::Tuple(tuple)) => tuple.elems.is_empty(),
        Some(_) => false,
    };
    let unit_or = |ty: Option<syn::Type>| ty.map_or_else(|| quote!(()), |ty| ty.to_token_stream());
    let brace = item.block.brace_token.span;
    let statements = match errors.into_error() {
        // A trait method's declaration has no body: only its signature is written, after
        // the errors, if any.
        Some(errors) if declaration => errors.to_compile_error(),
        None if declaration => proc_macro2::TokenStream::new(),
        None => {
            lower::lower(&mut item.block, &co, &krate, &expect, async_gen.is_some());
            let statements = &item.block.stmts;
            quote!(#(#statements)*)
        }
        Some(errors) => {
            // Keep the signature so callers still type-check; the body is replaced, so the
            // errors above are the only ones. The yield macros are still invoked (with the
            // marker only), so the user's imports of them do not add "unused import"
            // warnings to the errors.
            let errors = errors.to_compile_error();
            let paths = body.point_paths;
            quote!(#errors #(let _ = #paths!(@__cogen_lowered);)* ::core::unreachable!())
        }
    };
    emit::emit(
        emit::Generator {
            item,
            yield_ty: unit_or(args.yield_ty),
            send_ty: unit_or(args.send_ty),
            send_is_unit,
            asynchronous: kind == check::Kind::AsyncGenerator,
            delegates: body.delegates,
            declaration,
            boxed: args.boxed,
            async_gen,
            krate: &krate,
            co: &co,
            yield_check: emit::yield_check(declared_yield.as_ref(), &expect),
        },
        brace,
        statements,
    )
}
