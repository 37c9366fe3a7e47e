//! Stage 2, check: find every misuse in the body and report it at the user's own span.
//!
//! A yield point suspends the generator whose body it is written in. Inside a closure, an
//! `async` block, a `const` block or a nested item it would belong to a different function,
//! which cannot suspend this generator: that is an error, as is `.await` (a generator body
//! suspends only at its yield points).

use syn::visit::{self, Visit};

use crate::parse::{Errors, Point, macro_exprs};

/// Report every misuse in `body`; `None` when it is clean.
pub fn check(body: &syn::Block, krate: &syn::Path) -> Option<syn::Error> {
    let mut checker = Checker {
        krate,
        scopes: Vec::new(),
        errors: Errors::default(),
    };
    checker.visit_block(body);
    checker.errors.into_error()
}

struct Checker<'a> {
    krate: &'a syn::Path,
    /// The nested scopes (closure, async block, ...) around the current node.
    scopes: Vec<&'static str>,
    errors: Errors,
}

impl Checker<'_> {
    fn in_scope(&mut self, scope: &'static str, visit: impl FnOnce(&mut Self)) {
        self.scopes.push(scope);
        visit(self);
        self.scopes.pop();
    }

    fn point(&mut self, point: Point, span: proc_macro2::Span) {
        if let Some(scope) = self.scopes.last() {
            let advice = match *scope {
                "a closure" => {
                    "a closure is a separate function and cannot suspend the generator; \
                     use a loop in the generator body instead (e.g. `for x in xs { yield_!(x) }` \
                     rather than `xs.for_each(|x| yield_!(x))`)"
                }
                "an `async` block" => {
                    "an `async` block is a separate future and cannot suspend \
                     the generator; write the yield point in the generator body itself"
                }
                _ => {
                    "it would belong to that item, not to the generator; write the yield point \
                     in the generator body itself"
                }
            };
            self.errors.push(syn::Error::new(
                span,
                format!(
                    "`{}` cannot be used inside {scope} in a #[generator] fn: {advice}",
                    point.name()
                ),
            ));
        }
    }

    /// Yield points written inside the tokens of another macro that are not expressions.
    fn scan_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<_> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            if let Some((point, group)) = Point::of_tokens(&tokens[i..]) {
                self.point(point, token.span());
                self.scan_tokens(group.stream());
            } else if let proc_macro2::TokenTree::Group(group) = token {
                self.scan_tokens(group.stream());
            }
        }
    }
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_expr_closure(&mut self, node: &'ast syn::ExprClosure) {
        self.in_scope("a closure", |this| visit::visit_expr_closure(this, node));
    }

    fn visit_expr_async(&mut self, node: &'ast syn::ExprAsync) {
        self.in_scope("an `async` block", |this| {
            visit::visit_expr_async(this, node)
        });
    }

    fn visit_expr_const(&mut self, node: &'ast syn::ExprConst) {
        self.in_scope("a `const` block", |this| {
            visit::visit_expr_const(this, node)
        });
    }

    fn visit_item(&mut self, node: &'ast syn::Item) {
        // A `macro_rules!` defined in the body is left alone: a yield point it produces
        // reaches the fallback `yield_!`, which explains itself.
        if let syn::Item::Macro(item) = node {
            if item.mac.path.is_ident("macro_rules") {
                return;
            }
        }
        self.in_scope("a nested item", |this| visit::visit_item(this, node));
    }

    fn visit_expr_await(&mut self, node: &'ast syn::ExprAwait) {
        if self.scopes.is_empty() {
            self.errors.push(syn::Error::new(
                node.await_token.span,
                "`.await` cannot be used in a #[generator] body: a generator suspends only at \
                 `yield_!`; to run another generator or coroutine to completion, delegate to \
                 it with `yield_from!(..)`",
            ));
        }
        visit::visit_expr_await(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        if let Some(point) = Point::of_path(&node.path, self.krate) {
            self.point(
                point,
                node.path
                    .segments
                    .last()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()),
            );
            match node.parse_body::<syn::Expr>() {
                Ok(arg) => self.visit_expr(&arg),
                Err(_) => self.scan_tokens(node.tokens.clone()),
            }
        } else if let Some(args) = macro_exprs(node) {
            args.iter().for_each(|arg| self.visit_expr(arg));
        } else {
            self.scan_tokens(node.tokens.clone());
        }
    }
}
