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
use quote::{ToTokens, quote, quote_spanned};

use crate::check::mentions_impl;

/// What `emit` needs to know about the generator.
pub struct Generator<'a> {
    pub item: syn::ItemFn,
    pub yield_ty: TokenStream,
    /// The body's check of a yielded value (`yield_check`), at the top of the body.
    pub yield_check: TokenStream,
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
    /// `boxed` / `boxed_local`: a `Pin<Box<dyn ..>>` instead of `impl ..`.
    pub boxed: Option<crate::parse::Boxed>,
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
        mut yield_ty,
        mut send_ty,
        send_is_unit,
        asynchronous,
        delegates,
        declaration,
        boxed,
        async_gen,
        krate,
        co,
        yield_check,
    } = generator;
    let syn::ItemFn {
        attrs,
        vis,
        mut sig,
        ..
    } = item;
    // A boxed trait object needs one lifetime that everything it captures outlives; the
    // elided lifetimes of the arguments get names, so the types' elided lifetimes do too
    // (the one elision would give them), or rustc finds the signature inconsistent.
    let object_lifetime = boxed.map(|_| {
        let (object, output) = name_lifetimes(&mut sig);
        if let Some(output) = output {
            for ty in [&mut yield_ty, &mut send_ty] {
                *ty = name_elided(std::mem::take(ty), &output);
            }
            if let syn::ReturnType::Type(_, ty) = &mut sig.output {
                **ty = syn::parse2(name_elided(ty.to_token_stream(), &output))
                    .expect("a type with its lifetimes named is a type");
            }
        }
        object
    });
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
    let returns_unit = match &sig.output {
        syn::ReturnType::Default => true,
        syn::ReturnType::Type(_, ty) => matches!(&**ty, syn::Type::Tuple(t) if t.elems.is_empty()),
    };
    // The facade's `__iterable_generator!` adds the `IntoIterator` bound only when it has
    // the `alloc` feature (`IntoIter` boxes the generator): the facade's features decide
    // what the return type promises, not this macro's.
    let iterable = send_is_unit && returns_unit && !asynchronous;
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
    // What the fn returns, and how the generator made becomes it.
    let (returned_ty, wrap) = match (&async_gen, boxed, &object_lifetime) {
        // `#[asyncio::async_generator]`: the handle of the generator.
        (Some(handle), _, _) => (handle.clone(), quote!(#krate::asyncio::__async_gen::new)),
        (None, Some(boxed), Some(lifetime)) => {
            // Only the protocol: `Debug` and `IntoIterator` cannot join a trait object.
            let object = if asynchronous {
                quote!(#krate::AsyncGenerator<#send_ty, Yield = #yield_ty, Return = #return_ty>)
            } else {
                protocol.clone()
            };
            let send = (boxed == crate::parse::Boxed::Send).then(|| quote!(+ ::core::marker::Send));
            (
                quote!(::core::pin::Pin<#krate::__private::Box<dyn #object #send + #lifetime>>),
                quote!(#krate::__private::Box::pin),
            )
        }
        _ if iterable => (
            quote!(#krate::__iterable_generator!(#yield_ty; #protocol + ::core::fmt::Debug)),
            quote!(),
        ),
        _ => (quote!(impl #protocol + ::core::fmt::Debug), quote!()),
    };
    if declaration {
        // The implementations' `#[generator]` writes the same type, so they match it.
        let errors = block.stream();
        return quote! {
            #errors
            #(#attrs)*
            #unsafety #fn_token #ident #params (#inputs) -> #returned_ty
            #where_clause;
        };
    }
    let bind_arguments = capture_whole_arguments(&mut inputs);
    quote! {
        #(#attrs)*
        #vis #unsafety #fn_token #ident #params (#inputs) -> #returned_ty
        #where_clause
        {
            #(#inner_attrs)*
            // Moved into the closure, so that it can make the body only once, whoever calls it.
            struct __CogenOnce;
            let #once = __CogenOnce;
            #wrap(#krate::__private::#make::<#yield_ty, #send_ty, #delegates, #return_hint, _, _>(
                #[allow(unused_variables)]
                move |#co| {
                let #once = #once;
                async move {
                #bind_arguments
                #yield_check
                #[allow(unused_braces)]
                let #returned: #return_hint = #block;
                #[allow(unreachable_code, clippy::needless_return)]
                return #returned;
            }}))
        }
    }
}

/// `let expect = PhantomData::<fn(Y) -> Y>;`, the declared yield type (`declared`, as
/// written; `()` when there is none) that `lower` checks each yielded value against
/// (`TypedYield`). At the top of the body, outside the user's block, so that the type means
/// what it means in the signature whatever the block declares or imports.
pub fn yield_check(declared: Option<&syn::Type>, expect: &Ident) -> TokenStream {
    let declared = declared.map_or_else(|| quote!(()), ToTokens::to_token_stream);
    quote_spanned! {Span::mixed_site()=>
        #[allow(unused_variables)]
        let #expect = ::core::marker::PhantomData::<fn(#declared) -> #declared>;
    }
}

/// For a boxed generator: name every elided lifetime of the arguments, and add one lifetime
/// that every lifetime, type parameter, `impl Trait` argument and `Self` outlive: the trait
/// object's (what async-trait does for the same reason). Returns that lifetime.
fn name_lifetimes(sig: &mut syn::Signature) -> (syn::Lifetime, Option<syn::Lifetime>) {
    use syn::visit_mut::VisitMut;

    let object = syn::Lifetime::new("'__cogen", Span::call_site());
    struct Namer {
        named: Vec<syn::Lifetime>,
        object: syn::Lifetime,
    }
    impl Namer {
        fn fresh(&mut self, span: Span) -> syn::Lifetime {
            let lifetime =
                syn::Lifetime::new(&format!("'__cogen_elided{}", self.named.len()), span);
            self.named.push(lifetime.clone());
            lifetime
        }
    }
    impl VisitMut for Namer {
        fn visit_type_reference_mut(&mut self, node: &mut syn::TypeReference) {
            if node.lifetime.is_none() {
                node.lifetime = Some(self.fresh(node.and_token.span));
            }
            syn::visit_mut::visit_type_reference_mut(self, node);
        }
        fn visit_lifetime_mut(&mut self, node: &mut syn::Lifetime) {
            if node.ident == "_" {
                *node = self.fresh(node.apostrophe);
            }
        }
        fn visit_type_impl_trait_mut(&mut self, node: &mut syn::TypeImplTrait) {
            syn::visit_mut::visit_type_impl_trait_mut(self, node);
            node.bounds
                .push(syn::TypeParamBound::Lifetime(self.object.clone()));
        }
        // Lifetimes inside `Fn(&T)` bounds and `for<'a>` are not the argument's own.
        fn visit_parenthesized_generic_arguments_mut(
            &mut self,
            _: &mut syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
    }
    let mut namer = Namer {
        named: Vec::new(),
        object: object.clone(),
    };
    let mut has_receiver = false;
    let mut receiver_lifetime = None;
    let declared_lifetimes = sig.generics.lifetimes().count();
    for input in &mut sig.inputs {
        match input {
            syn::FnArg::Receiver(receiver) => {
                has_receiver = true;
                if let Some((and, lifetime)) = &mut receiver.reference {
                    if lifetime.is_none() {
                        let fresh = namer.fresh(and.span);
                        *lifetime = Some(fresh.clone());
                        if let syn::Type::Reference(reference) = &mut *receiver.ty {
                            reference.lifetime = Some(fresh);
                        }
                    }
                    receiver_lifetime.clone_from(lifetime);
                }
            }
            syn::FnArg::Typed(typed) => namer.visit_type_mut(&mut typed.ty),
        }
    }
    let generics = &mut sig.generics;
    // Lifetimes go before type and const parameters.
    let first_non_lifetime = |generics: &syn::Generics| {
        generics
            .params
            .iter()
            .position(|param| !matches!(param, syn::GenericParam::Lifetime(_)))
            .unwrap_or(generics.params.len())
    };
    for lifetime in &namer.named {
        let at = first_non_lifetime(generics);
        generics.params.insert(
            at,
            syn::GenericParam::Lifetime(syn::LifetimeParam::new(lifetime.clone())),
        );
    }
    // Each parameter outlives the object's lifetime, said where its other bounds are (in
    // both places, clippy's `multiple_bound_locations` would fire in the user's crate).
    let mut where_clause = generics.where_clause.take();
    for param in &mut generics.params {
        match param {
            syn::GenericParam::Lifetime(param) => {
                let lifetime = param.lifetime.clone();
                let in_where = where_clause.as_mut().and_then(|clause| {
                    clause
                        .predicates
                        .iter_mut()
                        .find_map(|predicate| match predicate {
                            syn::WherePredicate::Lifetime(bound) if bound.lifetime == lifetime => {
                                Some(&mut bound.bounds)
                            }
                            _ => None,
                        })
                });
                match in_where {
                    Some(bounds) => bounds.push(object.clone()),
                    None => param.bounds.push(object.clone()),
                }
            }
            syn::GenericParam::Type(param) => {
                let ident = param.ident.clone();
                let in_where = where_clause.as_mut().and_then(|clause| {
                    clause
                        .predicates
                        .iter_mut()
                        .find_map(|predicate| match predicate {
                            syn::WherePredicate::Type(bound)
                                if matches!(&bound.bounded_ty,
                                    syn::Type::Path(path) if path.path.is_ident(&ident)) =>
                            {
                                Some(&mut bound.bounds)
                            }
                            _ => None,
                        })
                });
                let bound = syn::TypeParamBound::Lifetime(object.clone());
                match in_where {
                    Some(bounds) => bounds.push(bound),
                    None => param.bounds.push(bound),
                }
            }
            syn::GenericParam::Const(_) => {}
        }
    }
    generics.where_clause = where_clause;
    let at = first_non_lifetime(generics);
    generics.params.insert(
        at,
        syn::GenericParam::Lifetime(syn::LifetimeParam::new(object.clone())),
    );
    let where_clause = generics.make_where_clause();
    if has_receiver {
        where_clause
            .predicates
            .push(syn::parse_quote!(Self: #object));
    }
    // The lifetime elision gives the output's elided lifetimes: `&self`'s, or the only one.
    let output = receiver_lifetime.or_else(|| {
        (declared_lifetimes == 0 && namer.named.len() == 1).then(|| namer.named[0].clone())
    });
    (object, output)
}

/// `tokens` (a type) with each elided lifetime (`&T`, `'_`) named `lifetime`.
fn name_elided(tokens: TokenStream, lifetime: &syn::Lifetime) -> TokenStream {
    use syn::visit_mut::VisitMut;
    struct Name<'a>(&'a syn::Lifetime);
    impl VisitMut for Name<'_> {
        fn visit_type_reference_mut(&mut self, node: &mut syn::TypeReference) {
            if node.lifetime.is_none() {
                node.lifetime = Some(self.0.clone());
            }
            syn::visit_mut::visit_type_reference_mut(self, node);
        }
        fn visit_lifetime_mut(&mut self, node: &mut syn::Lifetime) {
            if node.ident == "_" {
                *node = self.0.clone();
            }
        }
        fn visit_parenthesized_generic_arguments_mut(
            &mut self,
            _: &mut syn::ParenthesizedGenericArguments,
        ) {
        }
        fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
    }
    match syn::parse2::<syn::Type>(tokens.clone()) {
        Ok(mut ty) => {
            Name(lifetime).visit_type_mut(&mut ty);
            ty.into_token_stream()
        }
        Err(_) => tokens,
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
