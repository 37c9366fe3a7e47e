//! Stage 4, emit: the fn with its new signature, and the lowered body as a generator.
//!
//! ```text
//! #[generator(yield = Y, send = S)]        fn f(args) -> impl Generator<S, Yield = Y, Return = R>
//! fn f(args) -> R { body }          ==>    {
//!                                              let co = Co::<Y, S>::new();
//!                                              co.generator::<R, _>(async move { lowered body })
//!                                          }
//! ```

use proc_macro2::{Ident, TokenStream};
use quote::{ToTokens, quote};

/// What `emit` needs to know about the generator.
pub struct Generator<'a> {
    pub item: syn::ItemFn,
    pub yield_ty: TokenStream,
    pub send_ty: TokenStream,
    /// `send = ()`: the generator is also `IntoIterator`.
    pub send_is_unit: bool,
    pub krate: &'a syn::Path,
    pub co: &'a Ident,
}

/// The rewritten fn. `body` replaces the item's body (the lowered one, or a stand-in when
/// the checks failed).
pub fn emit(generator: Generator<'_>, body: TokenStream) -> TokenStream {
    let Generator {
        item,
        yield_ty,
        send_ty,
        send_is_unit,
        krate,
        co,
    } = generator;
    let syn::ItemFn {
        attrs, vis, sig, ..
    } = item;
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
    let iterator = send_is_unit.then(|| quote!(+ ::core::iter::IntoIterator<Item = #yield_ty>));
    let syn::Signature {
        unsafety,
        fn_token,
        ident,
        generics,
        inputs,
        ..
    } = sig;
    let (_, _, where_clause) = generics.split_for_impl();
    let params = &generics.params;
    let params = if params.is_empty() {
        quote!()
    } else {
        quote!(<#params>)
    };
    quote! {
        #(#attrs)*
        #vis #unsafety #fn_token #ident #params (#inputs)
            -> impl #krate::Generator<#send_ty, Yield = #yield_ty, Return = #return_ty> #iterator
        #where_clause
        {
            let #co = #krate::__private::Co::<#yield_ty, #send_ty>::new();
            #co.generator::<#return_hint, _>(async move #body)
        }
    }
}

fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
