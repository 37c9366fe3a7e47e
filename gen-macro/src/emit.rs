//! Stage 4, emit: the fn with its new signature, and the lowered body as a generator.
//!
//! ```text
//! #[generator(yield = Y, send = S)]      fn f(args) -> impl Generator<S, Yield = Y, Return = R>
//! fn f(args) -> R { body }        ==>    {
//!                                            generator::<Y, S, D, R, _, _>(move |co| async move {
//!                                                lowered body
//!                                            })
//!                                        }
//! ```
//!
//! On an `async fn` the same, with `async_generator` and `impl AsyncGenerator<..>` (and
//! `Stream` when `send = ()`): the body is the same `async` block, which may also `.await`.
//!
//! The body's capability `co` comes from `generator`, which makes it with the generator's
//! own types (inferred, never spelled again, so an elided lifetime in `Y` is the
//! signature's) and identity.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::check::mentions_impl;

/// What `emit` needs to know about the generator.
pub struct Generator<'a> {
    pub item: syn::ItemFn,
    pub yield_ty: TokenStream,
    pub send_ty: TokenStream,
    /// `send = ()`: the generator may also be `IntoIterator` (if it returns `()`).
    pub send_is_unit: bool,
    /// An `async fn`: an async generator.
    pub asynchronous: bool,
    /// The body contains `yield_from!` (so the runtime keeps its trampoline shortcut).
    pub delegates: bool,
    /// A trait method's declaration: only the signature is written, and `body` holds the
    /// errors to report (if any), emitted before it.
    pub declaration: bool,
    /// `#[asyncio::async_generator]`: the fn returns this `AsyncGen<Y, S, E>` handle of the
    /// generator (whose yield and send types are the wrapped ones).
    pub async_gen: Option<TokenStream>,
    pub krate: &'a syn::Path,
    pub co: &'a Ident,
}

/// The rewritten fn. `body` is the statements that replace the item's body (the lowered
/// ones, or a stand-in when the checks failed); they run in the `async` block after the
/// argument bindings, as in an `async fn`.
pub fn emit(
    generator: Generator<'_>,
    brace: proc_macro2::extra::DelimSpan,
    body: TokenStream,
) -> TokenStream {
    let Generator {
        item,
        yield_ty,
        send_ty,
        send_is_unit,
        asynchronous,
        delegates,
        declaration,
        async_gen,
        krate,
        co,
    } = generator;
    let syn::ItemFn {
        attrs, vis, sig, ..
    } = item;
    // Inner attributes (`#![allow(..)]`, `//!`) at the top of the body stay inside it.
    let (inner_attrs, attrs): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
    let return_ty = match &sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    // `impl Trait` cannot be named in a turbofish; let inference find it there.
    let return_hint = if mentions_impl(return_ty.clone()) {
        quote!(_)
    } else {
        return_ty.clone()
    };
    // `for x in gen()` only when nothing is lost: the sent values are `()`, and so is the
    // return value (a `Result` returned through `?` must not vanish in a `for` loop).
    // `IntoIter` is named so that auto traits (`Send`) show through it.
    let returns_unit = match &sig.output {
        syn::ReturnType::Default => true,
        syn::ReturnType::Type(_, ty) => matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()),
    };
    let iterator = (send_is_unit && returns_unit && !asynchronous).then(|| {
        quote! {
            + ::core::iter::IntoIterator<
                Item = #yield_ty,
                IntoIter = #krate::IntoIter<impl #krate::Generator<(), Yield = #yield_ty, Return = ()>>,
            >
        }
    });
    let syn::Signature {
        unsafety,
        fn_token,
        ident,
        generics,
        mut inputs,
        ..
    } = sig;
    // The user's own braces, so that "dropped here" points at their closing `}`.
    let mut block = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body);
    block.set_span(brace.join());
    // Binding the body's value to the return type makes a wrong return value an error at
    // the value itself, not at the attribute.
    let returned = Ident::new("__cogen_return", Span::mixed_site());
    let once = Ident::new("__cogen_once", Span::mixed_site());
    let (_, _, where_clause) = generics.split_for_impl();
    let params = &generics.params;
    let params = if params.is_empty() {
        quote!()
    } else {
        quote!(<#params>)
    };
    let (protocol, make) = if asynchronous {
        // A `Stream` when nothing can be sent (the return value is kept: `take_return`).
        // `FusedStream<Item = Y>` implies `Stream<Item = Y>` (naming both trips clippy's
        // `implied_bounds_in_impls` in the user's crate).
        let stream =
            send_is_unit.then(|| quote!(+ #krate::__private::FusedStream<Item = #yield_ty>));
        (
            quote!(#krate::AsyncGenerator<#send_ty, Yield = #yield_ty, Return = #return_ty> #stream),
            quote!(async_generator),
        )
    } else {
        (
            quote!(#krate::Generator<#send_ty, Yield = #yield_ty, Return = #return_ty>),
            quote!(generator),
        )
    };
    let output = match &async_gen {
        Some(handle) => handle.clone(),
        None => quote!(impl #protocol + ::core::fmt::Debug #iterator),
    };
    if declaration {
        // The implementations' `#[generator]` writes the same `impl` type, so they match it.
        let errors = block.stream();
        return quote! {
            #errors
            #(#attrs)*
            #unsafety #fn_token #ident #params (#inputs)
                -> #output
            #where_clause;
        };
    }
    let bind_arguments = capture_whole_arguments(&mut inputs);
    let made = quote! {
            #krate::__private::#make::<#yield_ty, #send_ty, #delegates, #return_hint, _, _>(
                #[allow(unused_variables)]
                move |#co| {
                let #once = #once;
                async move {
                #bind_arguments
                #[allow(unused_braces)]
                let #returned: #return_hint = #block;
                #[allow(unreachable_code, clippy::needless_return)]
                return #returned;
            }})
    };
    // `#[asyncio::async_generator]`: the handle of the generator.
    let made = match &async_gen {
        Some(_) => quote!(#krate::asyncio::__async_gen::new(#made)),
        None => made,
    };
    quote! {
        #(#attrs)*
        #vis #unsafety #fn_token #ident #params (#inputs)
            -> #output
        #where_clause
        {
            #(#inner_attrs)*
            // Moved into the closure, so that it can make the body only once, whoever calls it.
            struct __CogenOnce;
            let #once = __CogenOnce;
            #made
        }
    }
}

/// Move every argument into the body whole, as an `async fn` does.
///
/// An `async move` block captures only the parts of a variable it uses, so an argument the
/// body never mentions (or only reads a field of) would be dropped when the fn returns,
/// not when the generator finishes. Binding each argument at the top of the block keeps
/// all of it alive until the body ends (or the generator is closed or dropped), dropped
/// after the body's locals, like a plain fn's arguments. Arguments whose pattern is not a
/// plain name are renamed in the signature and destructured in the block.
fn capture_whole_arguments(
    inputs: &mut syn::punctuated::Punctuated<syn::FnArg, syn::Token![,]>,
) -> TokenStream {
    let mut bindings = TokenStream::new();
    for (index, input) in inputs.iter_mut().enumerate() {
        match input {
            syn::FnArg::Receiver(_) => bindings.extend(quote!(let _ = &self;)),
            syn::FnArg::Typed(typed) => {
                // `#[cfg]` on a parameter: the binding exists exactly when the parameter does.
                let cfgs: Vec<_> = typed
                    .attrs
                    .iter()
                    .filter(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr"))
                    .cloned()
                    .collect();
                match &mut *typed.pat {
                    syn::Pat::Ident(pat)
                        if pat.by_ref.is_none() && pat.subpat.is_none() && pat.ident != "self" =>
                    {
                        // Keep the name (rustdoc shows it); move `mut` into the body.
                        let mutability = pat.mutability.take();
                        let name = &pat.ident;
                        bindings.extend(quote! {
                            #(#cfgs)*
                            #[allow(clippy::redundant_locals, clippy::used_underscore_binding)]
                            let #mutability #name = #name;
                        });
                    }
                    pattern => {
                        let name = Ident::new(&format!("__cogen_arg{index}"), Span::mixed_site());
                        let pattern = std::mem::replace(
                            pattern,
                            // `mut`, so that a `ref mut` in the pattern can borrow it.
                            syn::Pat::Ident(syn::PatIdent {
                                attrs: vec![syn::parse_quote!(#[allow(unused_mut)])],
                                by_ref: None,
                                mutability: Some(Default::default()),
                                ident: name.clone(),
                                subpat: None,
                            }),
                        );
                        // `let _ = arg;` would not move `arg` in: bind it to its own name.
                        let pattern = match pattern {
                            syn::Pat::Wild(_) => quote!(#name),
                            other => other.to_token_stream(),
                        };
                        bindings.extend(quote!(#(#cfgs)* let #pattern = #name;));
                    }
                }
            }
        }
    }
    bindings
}
