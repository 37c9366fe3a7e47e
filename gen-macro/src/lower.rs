//! Stage 3, lower: rewrite every yield point of the body into an `.await` on the body's
//! `Co` token. The body then becomes the `async` block that `emit` wraps.
//!
//! `yield_!(v)`        becomes `yield_! { @__cogen_lowered(co) v }`
//! `yield_from!(src)`  becomes `yield_from! { @__cogen_lowered(co) src }`
//!
//! and the lowering arms of those macros (in the facade, so `$crate` always names it)
//! expand to `co.yield_(v).await` and to the `yield_from!` dispatch plus `.await`.
//!
//! Only points the checker accepted are lowered: nested closures, `async` blocks and items
//! are left as they are (the checker has already reported any yield point inside them).

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote_spanned};
use syn::visit_mut::{self, VisitMut};

use crate::parse::{Point, macro_exprs};

/// Lower every yield point of `body` in place.
pub fn lower(body: &mut syn::Block, co: &Ident, krate: &syn::Path) {
    Lowerer { co, krate }.visit_block_mut(body);
}

struct Lowerer<'a> {
    co: &'a Ident,
    krate: &'a syn::Path,
}

impl Lowerer<'_> {
    /// The lowered form of one yield point: the same macro, called with the body's `Co`
    /// token, which its lowering arm turns into an `.await` (see the facade's `yield_!`).
    /// Calling the user's own macro path keeps their `use cogen::yield_` in use.
    fn point(&mut self, path: TokenStream, span: Span, arg: TokenStream) -> TokenStream {
        let co = self.co;
        let arg = self.tokens(arg);
        quote_spanned!(span=> #path! { @__cogen_lowered(#co) #arg })
    }

    /// The expression form of an argument, lowered; token-level when it is not an expression.
    fn tokens(&mut self, tokens: TokenStream) -> TokenStream {
        match syn::parse2::<syn::Expr>(tokens.clone()) {
            Ok(mut expr) => {
                self.visit_expr_mut(&mut expr);
                expr.into_token_stream()
            }
            Err(_) => self.scan(tokens),
        }
    }

    /// Lower bare `yield_!(..)` / `yield_from!(..)` found in a raw token stream.
    fn scan(&mut self, tokens: TokenStream) -> TokenStream {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = TokenStream::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Some((_, group)) = Point::of_tokens(&tokens[i..]) {
                let path = tokens[i].to_token_stream();
                out.extend(self.point(path, tokens[i].span(), group.stream()));
                i += 3;
                continue;
            }
            match &tokens[i] {
                TokenTree::Group(group) => {
                    let mut lowered = Group::new(group.delimiter(), self.scan(group.stream()));
                    lowered.set_span(group.span());
                    out.extend([TokenTree::Group(lowered)]);
                }
                other => out.extend([other.clone()]),
            }
            i += 1;
        }
        out
    }
}

impl VisitMut for Lowerer<'_> {
    fn visit_expr_mut(&mut self, node: &mut syn::Expr) {
        match node {
            syn::Expr::Macro(mac) => {
                if Point::of_path(&mac.mac.path, self.krate).is_some() {
                    let span = point_span(&mac.mac);
                    let path = mac.mac.path.to_token_stream();
                    let tokens = mac.mac.tokens.clone();
                    *node = syn::Expr::Verbatim(self.point(path, span, tokens));
                } else {
                    visit_mut::visit_expr_macro_mut(self, mac);
                }
            }
            // Separate functions and futures: not this generator's yield points.
            syn::Expr::Closure(_) | syn::Expr::Async(_) | syn::Expr::Const(_) => {}
            _ => visit_mut::visit_expr_mut(self, node),
        }
    }

    fn visit_stmt_mut(&mut self, node: &mut syn::Stmt) {
        if let syn::Stmt::Macro(stmt) = node {
            if Point::of_path(&stmt.mac.path, self.krate).is_some() {
                let expr = syn::Expr::Macro(syn::ExprMacro {
                    attrs: std::mem::take(&mut stmt.attrs),
                    mac: stmt.mac.clone(),
                });
                let semi = stmt.semi_token;
                *node = syn::Stmt::Expr(expr, semi);
            }
        }
        visit_mut::visit_stmt_mut(self, node);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, node: &mut syn::Macro) {
        if let Some(mut args) = macro_exprs(node) {
            args.iter_mut().for_each(|arg| self.visit_expr_mut(arg));
            node.tokens = args.into_token_stream();
        } else {
            node.tokens = self.scan(node.tokens.clone());
        }
    }
}

/// Where a yield point's errors should point: its macro name.
fn point_span(mac: &syn::Macro) -> Span {
    mac.path
        .segments
        .last()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}
