//! Stage 3, lower: rewrite every yield point of the body into an `.await` on the body's
//! `Co` token. The body then becomes the `async` block that `emit` wraps.
//!
//! ```text
//! yield_!(v)          =>  yield_!(@__cogen_lowered co.yield_(v).await)
//! yield_from!(src)    =>  yield_from!(@__cogen_lowered (match Source::new(src, co) {
//!                             source => (&&&&&&source).__cogen_kind().delegate(source),
//!                         }).await)
//! ```
//!
//! The lowered expression is built here, located at the user's own tokens so that type
//! errors point at them, and passed through the user's own macro path, whose lowering arm
//! returns it unchanged: that keeps the user's `use cogen::yield_` in use.
//!
//! Only the body's own expressions are lowered: the checker has rejected yield points in
//! closures, `async` blocks, nested items and other macros' arguments, so those are left
//! alone.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::visit_mut::{self, VisitMut};

use crate::parse::Point;

/// Lower every yield point of `body` in place.
pub fn lower(body: &mut syn::Block, co: &Ident, krate: &syn::Path) {
    Lowerer { co, krate }.visit_block_mut(body);
}

struct Lowerer<'a> {
    co: &'a Ident,
    krate: &'a syn::Path,
}

impl Lowerer<'_> {
    /// The lowered form of one yield point, the macro call `mac`.
    fn point(&mut self, point: Point, mac: &syn::Macro) -> TokenStream {
        let path = &mac.path;
        let name = mac
            .path
            .segments
            .last()
            .map_or_else(Span::call_site, |segment| segment.ident.span());
        // The edition and hygiene of this crate, at the user's location.
        let at = |span: Span| Span::mixed_site().located_at(span);
        let mut co = self.co.clone();
        co.set_span(at(name));
        // `.await` sits on the closing delimiter, so the lowered expression covers the
        // whole `yield_!(..)` in diagnostics.
        let end = at(macro_delimiter(mac).close());
        let lowered = match (point, mac.parse_body_with(optional_expr)) {
            (_, Err(error)) => error.to_compile_error(),
            (Point::Yield, Ok(None)) => {
                let await_ = quote_spanned!(end=> .await);
                quote_spanned!(at(name)=> #co.yield_(()) #await_)
            }
            (Point::Yield, Ok(Some(mut value))) => {
                self.visit_expr_mut(&mut value);
                let await_ = quote_spanned!(end=> .await);
                quote_spanned!(at(name)=> #co.yield_(#value) #await_)
            }
            (Point::YieldFrom, Ok(None)) => syn::Error::new(
                name,
                "`yield_from!` needs something to delegate to: `yield_from!(generator)` or, \
                 when `send = ()`, `yield_from!(iterable)`",
            )
            .to_compile_error(),
            (Point::YieldFrom, Ok(Some(mut source))) => {
                self.visit_expr_mut(&mut source);
                let krate = self.krate;
                let operand = source
                    .to_token_stream()
                    .into_iter()
                    .next()
                    .map_or(name, |token| token.span());
                // A `match`, not a `let`: temporaries of the operand then live until the
                // end of the statement, through the whole delegation, as in a `for` loop.
                let delegation = quote_spanned!(at(operand)=> (match #krate::__private::Source::new(#source, #co) {
                    source => {
                        #[allow(unused_imports)]
                        use #krate::__private::{
                            DelegateBoxed as _, DelegateBoxedDyn as _, DelegateGenerator as _,
                            DelegateIntoGenerator as _, DelegateIter as _, DelegateOther as _,
                        };
                        (&&&&&&source).__cogen_kind().delegate(source)
                    }
                }));
                let await_ = quote_spanned!(end=> .await);
                quote_spanned!(at(name)=> #delegation #await_)
            }
        };
        // Parentheses, not braces: a brace-delimited macro at the start of a statement
        // would end the statement (`yield_!(a) * 100` must stay one expression).
        quote_spanned!(at(name)=> #path!(@__cogen_lowered #lowered))
    }
}

impl VisitMut for Lowerer<'_> {
    fn visit_expr_mut(&mut self, node: &mut syn::Expr) {
        match node {
            syn::Expr::Macro(mac) => {
                if let Some(point) = Point::of_path(&mac.mac.path, self.krate) {
                    *node = syn::Expr::Verbatim(self.point(point, &mac.mac));
                }
            }
            // Separate functions and futures: not this generator's yield points.
            syn::Expr::Closure(_) | syn::Expr::Async(_) | syn::Expr::Const(_) => {}
            _ => visit_mut::visit_expr_mut(self, node),
        }
    }

    fn visit_stmt_mut(&mut self, node: &mut syn::Stmt) {
        if let syn::Stmt::Macro(stmt) = node
            && Point::of_path(&stmt.mac.path, self.krate).is_some()
        {
            let expr = syn::Expr::Macro(syn::ExprMacro {
                attrs: std::mem::take(&mut stmt.attrs),
                mac: stmt.mac.clone(),
            });
            let semi = stmt.semi_token;
            *node = syn::Stmt::Expr(expr, semi);
        }
        visit_mut::visit_stmt_mut(self, node);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

/// The operand of a yield point: nothing (`yield_!()`) or one expression.
fn optional_expr(input: syn::parse::ParseStream) -> syn::Result<Option<syn::Expr>> {
    if input.is_empty() {
        Ok(None)
    } else {
        input.parse().map(Some)
    }
}

fn macro_delimiter(mac: &syn::Macro) -> &proc_macro2::extra::DelimSpan {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(token) => &token.span,
        syn::MacroDelimiter::Brace(token) => &token.span,
        syn::MacroDelimiter::Bracket(token) => &token.span,
    }
}
