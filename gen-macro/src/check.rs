//! Stage 2, check: find every misuse in the body and report it at the user's own span.
//!
//! A yield point suspends the generator whose body it is written in. Inside a closure, an
//! `async` block, a `const` block or a nested item it would belong to a different function,
//! which cannot suspend this generator: that is an error, as is `.await` (a generator body
//! suspends only at its yield points).
//!
//! So is a yield point inside the arguments of another macro (`println!("{}", yield_!(x))`):
//! the macro decides where its arguments end up, and one that moves them into an `async`
//! block would let a yield future escape its generator and be polled by another one, with
//! the other one's yield type. Soundness rests on this rule: every yield point is an
//! expression of the body itself, awaited where it is written.

use syn::visit::{self, Visit};

use crate::parse::{Errors, Point};

/// What the checker found: every misuse (`None` when the body is clean), and the macro
/// paths of the yield points, so that a stand-in body can still use the user's imports.
pub struct Checked {
    pub errors: Option<syn::Error>,
    pub point_paths: Vec<syn::Path>,
}

/// Report every misuse in `body`.
pub fn check(body: &syn::Block, krate: &syn::Path) -> Checked {
    let mut checker = Checker {
        krate,
        scopes: Vec::new(),
        errors: Errors::default(),
        point_paths: Vec::new(),
    };
    checker.visit_block(body);
    Checked {
        errors: checker.errors.into_error(),
        point_paths: checker.point_paths,
    }
}

struct Checker<'a> {
    krate: &'a syn::Path,
    /// The nested scopes (closure, async block, ...) around the current node.
    scopes: Vec<&'static str>,
    errors: Errors,
    point_paths: Vec<syn::Path>,
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

    /// Report every yield point inside the tokens of another macro's invocation.
    fn nested_points(&mut self, tokens: proc_macro2::TokenStream, macro_name: Option<&str>) {
        let tokens: Vec<_> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            if let Some((point, _)) = Point::of_tokens(&tokens[i..]) {
                if let proc_macro2::TokenTree::Ident(ident) = token {
                    self.point_paths.push(ident.clone().into());
                }
                let name = point.name();
                let inside = macro_name.map_or_else(String::new, |m| format!(" (`{m}!`)"));
                self.errors.push(syn::Error::new(
                    token.span(),
                    format!(
                        "`{name}` cannot be used inside another macro's arguments{inside} in a \
                         #[generator] fn: that macro decides where its arguments go, and could \
                         move the yield point out of the generator; bind it first: \
                         `let value = {name}(..);` and pass `value`"
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
fn macro_name_span(mac: &syn::Macro) -> proc_macro2::Span {
    mac.path
        .segments
        .last()
        .map_or_else(proc_macro2::Span::call_site, |segment| segment.ident.span())
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
        if let syn::Item::Macro(item) = node
            && item.mac.path.is_ident("macro_rules")
        {
            return;
        }
        // A nested `#[generator]` fn: its yield points are its own, checked by its own
        // expansion.
        if let syn::Item::Fn(item) = node
            && item.attrs.iter().any(|attr| {
                attr.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "generator")
            })
        {
            return;
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
            self.point_paths.push(node.path.clone());
            self.point(point, macro_name_span(node));
            match node.parse_body::<syn::Expr>() {
                Ok(arg) => self.visit_expr(&arg),
                Err(_) => self.nested_points(node.tokens.clone(), None),
            }
        } else {
            let name = node.path.segments.last().map(|s| s.ident.to_string());
            self.nested_points(node.tokens.clone(), name.as_deref());
        }
    }
}
