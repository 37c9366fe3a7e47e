//! Stage 2, check: find every misuse, in the attribute, the signature and the body, and
//! report all of it at the user's own spans in one pass.
//!
//! A yield point suspends the generator whose body it is written in. Inside a closure, an
//! `async` block or a `const` block it would belong to a different function, which cannot
//! suspend this generator: that is an error, as is `.await` in a generator that is not
//! `async` (it suspends only at its yield points). Nested items are left alone: a nested
//! `#[generator]` fn checks its own body, and a yield point in any other item reaches the
//! facade macro's fallback, which explains itself.
//!
//! A `yield_!` inside the arguments of another macro (`println!("{}", yield_!(x))`,
//! `tokio::select!`) is allowed: `lower` hands that macro a `yield_!` that carries the
//! capability and expands to a safe `.await`; wherever the macro puts it, the yield point
//! checks at run time that its own generator polls it. A `yield_from!` there is an error:
//! its future keeps pointers past a poll and must be awaited where it is written.

use quote::ToTokens;
use syn::visit::{self, Visit};

use crate::errors::Errors;
use crate::parse::{self, Point};
use crate::scope::Scope;

/// What the checker found about the body: the macro paths of its yield points (so that a
/// stand-in body can still use the user's imports) and whether it delegates.
pub struct Body {
    pub point_paths: Vec<syn::Path>,
    pub delegates: bool,
}

/// What the attribute makes of the fn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `#[generator] fn`: a [`Generator`](https://docs.rs/cogen).
    Generator,
    /// `#[generator] async fn`: an `AsyncGenerator`, whose body may `.await`.
    AsyncGenerator,
    /// `#[asyncio::coroutine] fn`.
    Coroutine,
}

/// `#[asyncio::coroutine]` fixes the yield and send types: a key for either is an error.
pub fn coroutine_keys(args: &mut parse::Args, errors: &mut Errors) {
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
}

/// The yield and send types must be named types.
pub fn types(args: &mut parse::Args, errors: &mut Errors) {
    for ty in [&mut args.yield_ty, &mut args.send_ty] {
        if let Some(named) = ty
            && mentions_impl(named.to_token_stream())
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
}

/// What the fn becomes: an `async fn` makes an async generator (not a coroutine: an
/// asyncio coroutine awaits with `yield_from!`). `const` and `extern` fns cannot be
/// generators: report it, then drop the keyword so the rest of the expansion is still
/// well-formed.
pub fn signature(sig: &mut syn::Signature, coroutine: bool, errors: &mut Errors) -> Kind {
    let mut kind = if coroutine {
        Kind::Coroutine
    } else {
        Kind::Generator
    };
    if let Some(token) = sig.asyncness.take() {
        if coroutine {
            errors.push(syn::Error::new(
                token.span,
                "#[coroutine] fn cannot be `async`: an asyncio coroutine is a generator that \
                 awaits with `yield_from!(..)`; remove `async` (for a body that `.await`s std \
                 futures, use #[generator] on the `async fn`: an async generator)",
            ));
        } else {
            kind = Kind::AsyncGenerator;
        }
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
    if let syn::ReturnType::Type(_, ty) = &sig.output
        && let syn::Type::ImplTrait(bounds) = &**ty
        && let Some(named) = bounds.bounds.iter().find_map(|bound| match bound {
            syn::TypeParamBound::Trait(t) => t
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .filter(|name| GENERATOR_LIKE.contains(&name.as_str())),
            _ => None,
        })
    {
        errors.push(syn::Error::new_spanned(
            ty,
            format!(
                "the return type of a #[generator] fn is the generator's return value (what \
                 `return` or the end of the body completes it with), not the generator: \
                 #[generator] writes `-> impl Generator<..>` itself; remove `-> impl {named}<..>` \
                 (or write the type of the value the body returns), and name what it yields \
                 with `#[generator(yield = ..)]`"
            ),
        ));
        // Reported; no return type keeps the expansion free of follow-on errors.
        sig.output = syn::ReturnType::Default;
    }
    if let Some(variadic) = sig.variadic.take() {
        errors.push(syn::Error::new_spanned(
            variadic,
            "#[generator] fn cannot be variadic",
        ));
    }
    kind
}

/// The traits a return type `impl Trait` names when it was meant as the generator itself.
const GENERATOR_LIKE: &[&str] = &[
    "Iterator",
    "IntoIterator",
    "Generator",
    "AsyncGenerator",
    "Stream",
    "Coroutine",
];

/// Report every misuse in `body`. `returns_unit`: the fn's written return type is `()`.
pub fn body(
    body: &syn::Block,
    kind: Kind,
    returns_unit: bool,
    krate: &syn::Path,
    errors: &mut Errors,
) -> Body {
    let mut checker = Checker {
        krate,
        kind,
        returns_unit,
        scopes: Vec::new(),
        errors: Errors::default(),
        point_paths: Vec::new(),
        delegates: false,
    };
    checker.visit_block(body);
    errors.extend(checker.errors);
    Body {
        point_paths: checker.point_paths,
        delegates: checker.delegates,
    }
}

struct Checker<'a> {
    krate: &'a syn::Path,
    kind: Kind,
    returns_unit: bool,
    /// The nested scopes (closure, async block, ...) around the current node.
    scopes: Vec<Scope>,
    errors: Errors,
    point_paths: Vec<syn::Path>,
    delegates: bool,
}

impl Checker<'_> {
    fn point(&mut self, point: Point, mac: &syn::Macro) {
        let span = macro_name_span(mac);
        self.point_paths.push(mac.path.clone());
        if point == Point::YieldFrom {
            self.delegates = true;
        }
        if let Some(scope) = self.scopes.last() {
            let (scope, advice) = scope.misuse();
            self.errors.push(syn::Error::new(
                span,
                format!(
                    "`{}` cannot be used inside {scope} in a #[generator] fn: {advice}",
                    point.name()
                ),
            ));
        }
        match parse::operand(mac) {
            Ok(Some(operand)) => self.visit_expr(&operand),
            Ok(None) if point == Point::YieldFrom => self.errors.push(syn::Error::new(
                span,
                "`yield_from!` needs something to delegate to: `yield_from!(generator)` or, \
                 when `send = ()`, `yield_from!(iterable)`",
            )),
            Ok(None) => {}
            Err(error) => {
                self.errors.push(error);
                self.nested_points(mac.tokens.clone(), None);
            }
        }
    }

    /// Report every `yield_from!` inside the tokens of another macro's invocation (a
    /// `yield_!` there is lowered to one that works wherever the macro puts it).
    fn nested_points(&mut self, tokens: proc_macro2::TokenStream, macro_name: Option<&str>) {
        let tokens: Vec<_> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            if let Some((point, _)) = Point::of_tokens(&tokens[i..]) {
                if let proc_macro2::TokenTree::Ident(ident) = token {
                    self.point_paths.push(ident.clone().into());
                }
                if point == Point::YieldFrom {
                    self.delegates = true;
                }
            }
            if let Some((Point::YieldFrom, _)) = Point::of_tokens(&tokens[i..]) {
                let inside = macro_name.map_or_else(String::new, |m| format!(" (`{m}!`)"));
                self.errors.push(syn::Error::new(
                    token.span(),
                    format!(
                        "`yield_from!` cannot be used inside another macro's arguments{inside} \
                         in a #[generator] fn: its delegation must be awaited where it is \
                         written, and that macro decides where its arguments go; bind it \
                         first: `let value = yield_from!(..);` and pass `value` (a `yield_!` \
                         works there)"
                    ),
                ));
            }
            if let proc_macro2::TokenTree::Group(group) = token {
                self.nested_points(group.stream(), macro_name);
            }
        }
    }
}

/// Where errors about a macro invocation should point: its name.
pub fn macro_name_span(mac: &syn::Macro) -> proc_macro2::Span {
    mac.path
        .segments
        .last()
        .map_or_else(proc_macro2::Span::call_site, |segment| segment.ident.span())
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_expr(&mut self, node: &'ast syn::Expr) {
        match Scope::of_expr(node) {
            Some(scope) => {
                self.scopes.push(scope);
                visit::visit_expr(self, node);
                self.scopes.pop();
            }
            None => visit::visit_expr(self, node),
        }
    }

    // A body of its own, checked by its own expansion (a nested `#[generator]`) or by the
    // facade macro's fallback.
    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_expr_await(&mut self, node: &'ast syn::ExprAwait) {
        let advice = match self.kind {
            Kind::AsyncGenerator => None,
            Kind::Generator => Some(
                "`.await` cannot be used in the body of a #[generator] fn that is not `async`: \
                 a generator suspends only at `yield_!`; make it an `async fn` (an async \
                 generator, whose body may `.await` any future), or, to run another generator \
                 to completion, delegate to it with `yield_from!(..)`",
            ),
            Kind::Coroutine => Some(
                "`.await` cannot be used in a #[coroutine] body: a coroutine awaits with \
                 `yield_from!(..)` (`yield_from!(asyncio::sleep(d))`, `yield_from!(&task)`)",
            ),
        };
        if self.scopes.is_empty()
            && let Some(advice) = advice
        {
            self.errors
                .push(syn::Error::new(node.await_token.span, advice));
        }
        visit::visit_expr_await(self, node);
    }

    fn visit_expr_try(&mut self, node: &'ast syn::ExprTry) {
        // The body is an `async` block: rustc's own message speaks of one.
        if self.scopes.is_empty() && self.returns_unit {
            self.errors.push(syn::Error::new(
                node.question_token.span,
                "`?` cannot be used in a #[generator] fn that returns `()`: `?` completes the \
                 generator with the error, so its return type must be able to hold one; \
                 declare it, e.g. `-> Result<(), E>` (the generator's return value, \
                 `Complete(Err(e))`), or `-> Option<()>`, and end the body with `Ok(())` \
                 (`Some(())`)",
            ));
        }
        visit::visit_expr_try(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        if parse::is_generator_block(&node.path) {
            // A generator of its own, checked by its own expansion.
            return;
        }
        if let Some(point) = Point::of_path(&node.path, self.krate) {
            self.point(point, node);
        } else {
            let name = node.path.segments.last().map(|s| s.ident.to_string());
            self.nested_points(node.tokens.clone(), name.as_deref());
        }
    }
}

pub fn mentions_impl(tokens: proc_macro2::TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(group.stream()),
        _ => false,
    })
}
