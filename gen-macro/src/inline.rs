//! `generator_block!(yield = Y, send = S, move { body })`: a generator as an expression that
//! captures its environment like a `move` closure. The same stages as the attribute (the
//! keys are parsed by `parse`, the body checked by `check` and lowered by `lower`); only the
//! output differs: an expression instead of a fn, so the return type is inferred.
//!
//! ```text
//! generator_block!(yield = Y, move { body })
//!   ==>  { generator::<Y, S, D, _, _, _>(move |co| async move { lowered body }) }
//! ```

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};

use crate::check::{self, Kind};
use crate::errors::Errors;
use crate::{default_crate, lower, parse};

/// The whole expansion of one `generator_block!`.
pub fn expand(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let (args, body) = split(input);
    let Some(Body {
        asyncness,
        block,
        span,
    }) = body
    else {
        return syn::Error::new(
            span_of_end(),
            "generator_block! needs a body: `generator_block!(yield = u32, move { .. })` (or \
             `async move { .. }` for an async generator); the keys are those of #[generator]",
        )
        .to_compile_error();
    };
    let mut args = parse::parse_args(args, &mut errors);
    if args.boxed.take().is_some() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`boxed` is for #[generator] fns (a boxed trait object as the return type); box \
             an inline generator yourself: `Box::pin(generator_block!(..))`",
        ));
    }
    let krate = args.krate.take().unwrap_or_else(default_crate);
    check::types(&mut args, &mut errors);
    let mut block: syn::Block = match syn::parse2(block) {
        Ok(block) => block,
        Err(error) => return error.to_compile_error(),
    };
    let kind = if asyncness {
        Kind::AsyncGenerator
    } else {
        Kind::Generator
    };
    // The block's type is inferred: no `?`-in-a-unit-generator check.
    let found = check::body(&block, kind, false, &krate, &mut errors);
    let co = Ident::new("__cogen_co", Span::mixed_site());
    let expect = Ident::new("__cogen_expect", Span::mixed_site());
    let yield_check = crate::emit::yield_check(args.yield_ty.as_ref(), &expect);
    let statements = match errors.into_error() {
        None => {
            lower::lower(&mut block, &co, &krate, &expect, false);
            let statements = &block.stmts;
            quote!(#(#statements)*)
        }
        Some(errors) => {
            let errors = errors.to_compile_error();
            let paths = found.point_paths;
            quote!(#errors #(let _ = #paths!(@__cogen_lowered);)* ::core::unreachable!())
        }
    };
    let unit = |ty: Option<syn::Type>| ty.map_or_else(|| quote!(()), |ty| ty.to_token_stream());
    let yield_ty = unit(args.yield_ty);
    let send_ty = unit(args.send_ty);
    let delegates = found.delegates;
    let make = if asyncness {
        quote!(async_generator)
    } else {
        quote!(generator)
    };
    let mut braces = proc_macro2::Group::new(Delimiter::Brace, statements);
    braces.set_span(span);
    let returned = Ident::new("__cogen_return", Span::mixed_site());
    let once = Ident::new("__cogen_once", Span::mixed_site());
    quote_spanned! {Span::mixed_site()=> {
        // As in the attribute's expansion: the closure can make the body only once.
        struct __CogenOnce;
        let #once = __CogenOnce;
        #krate::__private::#make::<#yield_ty, #send_ty, #delegates, _, _, _>(
            #[allow(unused_variables)]
            move |#co| {
            let #once = #once;
            async move {
            #yield_check
            #[allow(unused_braces)]
            let #returned = #braces;
            #[allow(unreachable_code, clippy::needless_return)]
            return #returned;
        }})
    }}
}

struct Body {
    asyncness: bool,
    block: TokenStream,
    span: Span,
}

/// The keys, and the `move { .. }` / `async move { .. }` at the end.
fn split(input: TokenStream) -> (TokenStream, Option<Body>) {
    let mut tokens: Vec<TokenTree> = input.into_iter().collect();
    let Some(TokenTree::Group(group)) = tokens.last() else {
        return (tokens.into_iter().collect(), None);
    };
    if group.delimiter() != Delimiter::Brace {
        return (tokens.into_iter().collect(), None);
    }
    let is_ident = |token: Option<&TokenTree>, name: &str| matches!(token, Some(TokenTree::Ident(i)) if i == name);
    let n = tokens.len();
    if n < 2 || !is_ident(tokens.get(n - 2), "move") {
        return (tokens.into_iter().collect(), None);
    }
    let asyncness = n >= 3 && is_ident(tokens.get(n - 3), "async");
    let group = group.clone();
    tokens.truncate(n - if asyncness { 3 } else { 2 });
    // The comma between the keys and the body.
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
        tokens.pop();
    }
    let body = Body {
        asyncness,
        block: group.to_token_stream(),
        span: group.span(),
    };
    (tokens.into_iter().collect(), Some(body))
}

fn span_of_end() -> Span {
    Span::call_site()
}
