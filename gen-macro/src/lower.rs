//! Stage 3, lower: rewrite every yield point of the body into an `.await` on the body's
//! capability `co`. The body then becomes the `async` block that `emit` wraps.
//!
//! ```text
//! yield_!(v)        =>  ({ let mut yielded = TypedYield { declared: expect, value: v }.value;
//!                          co.yield_(yielded, yield_!(@__cogen_lowered)) }).await
//! yield_from!(src)  =>  (match Source::new(src, co, yield_from!(@__cogen_lowered)) {
//!                           source => { let kind = kind((&&&&&&&&&&&source).__cogen_kind());
//!                                       unsafe { kind.delegate(source) } },
//!                       }).await
//! yield_!(v);       =>  match co.yield_(..).await { value => value };   (`match` at the user's span)
//! m!(.. yield_!(v) ..)  =>  m!(.. yield_!(@__cogen_in co, { let mut yielded = ..; yielded }) ..)
//! ```
//!
//! `expect` is `PhantomData` of the declared yield type, made by `emit` at the top of the
//! body (outside the user's block, so that the type's names mean what they mean in the
//! signature); building `TypedYield` from it and the value checks the value against that
//! type, with no call to compile per yield point. The value is bound first so that the
//! operand's temporaries end before the generator suspends (a yielded value cannot borrow
//! one); `mut`, so that the name can only be a binding, never a constant's pattern.
//!
//! ```text
//! ```
//!
//! The lowered expression is built here and emitted as it is, located at the user's own
//! tokens so that type errors point at them. It is never handed to a macro: the user's own
//! macro path is invoked only with the `@__cogen_lowered` marker (the facade's arm makes it
//! `()`), so that `use cogen::yield_` counts as used, and a macro of the user's that
//! shadows ours receives nothing of the body.
//!
//! `delegate` is `unsafe`: the future it makes must be awaited at once, where it is made,
//! by the body it belongs to, and the lowering awaits it right there. The `unsafe` block
//! holds only the expansion's own tokens: the user's operand is evaluated outside it, in
//! `Source::new`.
//!
//! A `yield_!` inside another macro's arguments cannot be lowered here (the tokens are the
//! other macro's until it expands), so it is handed the capability instead: the facade's
//! `@__cogen_in` arm expands to `co.yield_(v, ()).await`, safe wherever that macro puts
//! it (the yield point checks that its own generator polls it).
//!
//! Only the body's own expressions are lowered: `check` has rejected yield points in
//! closures, `async` blocks and `const` blocks, and `yield_from!` in other macros'
//! arguments; nested items are bodies of their own.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::visit_mut::{self, VisitMut};

use crate::check::macro_name_span;
use crate::parse::{self, Point};
use crate::scope::Scope;

/// Lower every yield point of `body` in place. `expect` names the declared yield type's
/// `PhantomData` that each yielded value is checked against (see the module docs).
///
/// In an `#[asyncio::async_generator]` body (`async_gen`), yields are wrapped:
/// `yield_!(v)` yields `Yielded::Item(v)` and unwraps the `Sent::Reply` it gets;
/// `yield_from!(aw)` delegates to `wrap(aw, &co)`, which forwards `aw`'s `Suspend`s as
/// `Yielded::Suspend`.
pub fn lower(
    body: &mut syn::Block,
    co: &Ident,
    krate: &syn::Path,
    expect: &Ident,
    async_gen: bool,
) {
    Lowerer {
        co,
        krate,
        expect,
        async_gen,
    }
    .visit_block_mut(body);
}

struct Lowerer<'a> {
    co: &'a Ident,
    krate: &'a syn::Path,
    expect: &'a Ident,
    async_gen: bool,
}

impl Lowerer<'_> {
    /// The lowered form of one yield point, the macro call `mac`.
    fn point(&mut self, point: Point, mac: &syn::Macro) -> TokenStream {
        let path = &mac.path;
        let name = macro_name_span(mac);
        // The edition and hygiene of this crate, at the user's location.
        let at = |span: Span| Span::mixed_site().located_at(span);
        let mut co = self.co.clone();
        co.set_span(at(name));
        // `.await` sits on the closing delimiter, so the lowered expression covers the
        // whole `yield_!(..)` in diagnostics.
        let await_ = quote_spanned!(at(macro_delimiter(mac).close())=> .await);
        let used = quote_spanned!(at(name)=> #path!(@__cogen_lowered));
        match (point, parse::operand(mac)) {
            // `check` reported these.
            (_, Err(error)) => error.to_compile_error(),
            (Point::YieldFrom, Ok(None)) => quote_spanned!(at(name)=> ()),
            (Point::Yield, Ok(value)) => {
                let krate = self.krate;
                let value = match value {
                    Some(mut value) => {
                        self.visit_expr_mut(&mut value);
                        value.into_token_stream()
                    }
                    None => quote_spanned!(at(name)=> ()),
                };
                // Parentheses, not braces, around the block: at the start of a statement a
                // block would end it.
                let bound = self.bound(&value, at(name));
                let yielded = yielded();
                if self.async_gen {
                    let private = quote_spanned!(at(name)=> #krate::asyncio::__async_gen);
                    quote_spanned!(at(name)=> ({ #bound #private::reply(#co.yield_(#private::item(#yielded), #used) #await_) }))
                } else {
                    quote_spanned!(at(name)=> ({ #bound #co.yield_(#yielded, #used) }) #await_)
                }
            }
            (Point::YieldFrom, Ok(Some(mut source))) => {
                self.visit_expr_mut(&mut source);
                let krate = self.krate;
                let source = if self.async_gen {
                    let span = source
                        .to_token_stream()
                        .into_iter()
                        .next()
                        .map_or(name, |token| token.span());
                    let wrapped = quote_spanned!(at(span)=> #krate::asyncio::__async_gen::wrap(#source, &#co));
                    syn::Expr::Verbatim(wrapped)
                } else {
                    source
                };
                let unsafe_ = quote_spanned!(Span::mixed_site()=> unsafe);
                let tag = proc_macro2::Ident::new("__cogen_kind_tag", Span::mixed_site());
                let operand = source
                    .to_token_stream()
                    .into_iter()
                    .next()
                    .map_or(name, |token| token.span());
                // `__cogen_kind` is `#[track_caller]` (it refuses a delegate that started or
                // closed): the call (not its receiver, which must stay hygienic) carries the
                // user's own span, context and all, so that the panic's location is the
                // user's `yield_from!` and not the attribute the expansion comes from. It
                // never fails to type-check (`DelegateKind` has an impl for any `Source`), so no error
                // is reported at that span.
                let kind_call = {
                    let mut args = proc_macro2::Group::new(
                        proc_macro2::Delimiter::Parenthesis,
                        TokenStream::new(),
                    );
                    args.set_span(name);
                    quote_spanned!(name=> .__cogen_kind #args)
                };
                // A `match`, not a `let`: temporaries of the operand then live until the
                // end of the statement, through the whole delegation, as in a `for` loop.
                // Parentheses, not braces: a block at the start of a statement would end
                // the statement (`yield_from!(a) * 100` must stay one expression).
                let delegation = quote_spanned!(at(operand)=> (match #krate::__private::Source::new(#source, #co, #used) {
                    source => {
                        #[allow(unused_imports)]
                        use #krate::__private::kinds::*;
                        // Checked to be one of cogen's kinds outside the `unsafe` block: a
                        // trait in scope here with a `__cogen_kind` of its own must not make
                        // the block call a `delegate` of its choice.
                        let #tag = #krate::__private::kind((&&&&&&&&&&&source) #kind_call);
                        #unsafe_ { #tag.delegate(source) }
                    }
                }));
                quote_spanned!(at(name)=> #delegation #await_)
            }
        }
    }
}

impl VisitMut for Lowerer<'_> {
    fn visit_expr_mut(&mut self, node: &mut syn::Expr) {
        if Scope::of_expr(node).is_some() {
            return;
        }
        if let syn::Expr::Macro(mac) = node
            && let Some(point) = Point::of_path(&mac.mac.path, self.krate)
        {
            let attrs = &mac.attrs;
            let lowered = self.point(point, &mac.mac);
            *node = syn::Expr::Verbatim(quote::quote!(#(#attrs)* #lowered));
            return;
        }
        visit_mut::visit_expr_mut(self, node);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let last = block.stmts.len().saturating_sub(1);
        for (index, stmt) in block.stmts.iter_mut().enumerate() {
            if let syn::Stmt::Macro(stmt) = stmt
                && Point::of_path(&stmt.mac.path, self.krate).is_some()
                && stmt.semi_token.is_none()
                && index != last
            {
                // `yield_!{v}` between statements: a statement, as the invocation was.
                stmt.semi_token = Some(Default::default());
            }
        }
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_stmt_mut(&mut self, node: &mut syn::Stmt) {
        if let syn::Stmt::Macro(stmt) = node
            && let Some(point) = Point::of_path(&stmt.mac.path, self.krate)
        {
            // The statement's attributes (`#[cfg(..)]`) stay on the statement.
            let attrs = &stmt.attrs;
            let mut lowered = self.point(point, &stmt.mac);
            let semi = stmt.semi_token;
            if semi.is_some() {
                // `yield_!(v);` discards the sent value: with `send = Result<T, E>`, a thrown
                // error. rustc reports `unused_must_use` at the statement's expression (seen
                // through blocks), walked out of macro expansions when it comes from one:
                // the attribute, for an expression made here, and one warning for all of
                // them. A `match` whose keyword and braces carry the user's own span
                // (context and all) is that expression, so each warning lands on its own
                // `yield_!`; its binding keeps the expansion's hygiene.
                let span = macro_name_span(&stmt.mac);
                let value = Ident::new("__cogen_value", Span::mixed_site().located_at(span));
                let mut arms = proc_macro2::Group::new(
                    proc_macro2::Delimiter::Brace,
                    quote_spanned!(span=> #value => #value),
                );
                arms.set_span(span);
                // Clippy's pedantic `unnecessary_semicolon` would see the user's `;` after a
                // `match` of type `()`: that `;` is the user's statement's, not ours.
                let allow =
                    quote_spanned!(Span::mixed_site()=> #[allow(clippy::unnecessary_semicolon)]);
                lowered = quote_spanned!(span=> #allow match #lowered #arms);
            }
            *node = syn::Stmt::Expr(
                syn::Expr::Verbatim(quote::quote!(#(#attrs)* #lowered)),
                semi,
            );
            return;
        }
        visit_mut::visit_stmt_mut(self, node);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // A nested `generator_block!` is a generator of its own, as a nested item is.
        if crate::parse::is_generator_block(&mac.path) {
            return;
        }
        // Not a yield point (those are replaced before this is reached).
        mac.tokens = self.hand_capability(std::mem::take(&mut mac.tokens));
    }
}

/// The binding of a yielded value (mixed-site: the body cannot name it).
fn yielded() -> Ident {
    Ident::new("__cogen_yielded", Span::mixed_site())
}

impl Lowerer<'_> {
    /// `let mut yielded = TypedYield { declared: expect, value }.value;`: the value checked
    /// against the declared yield type, its temporaries ended (see the module docs).
    fn bound(&self, value: &TokenStream, span: Span) -> TokenStream {
        let (expect, krate, yielded) = (self.expect, self.krate, yielded());
        quote_spanned!(span=>
            #[allow(unused_mut)]
            let mut #yielded = #krate::__private::TypedYield { declared: #expect, value: #value }.value;
        )
    }

    /// Another macro's tokens, each `yield_!(v)` in them (at any depth) made
    /// `yield_!(@__cogen_in co, v)`.
    fn hand_capability(&self, tokens: TokenStream) -> TokenStream {
        use proc_macro2::{Group, TokenTree};
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            if let Some((Point::Yield, group)) = Point::of_tokens(&tokens[i..])
                && self.is_ours(&tokens[..i])
            {
                let mut co = self.co.clone();
                co.set_span(Span::mixed_site().located_at(tokens[i].span()));
                let value = self.hand_capability(group.stream());
                let value = if value.is_empty() {
                    quote_spanned!(group.span()=> ())
                } else {
                    value
                };
                let krate = self.krate;
                // Checked and bound first, as a yield point of the body's own.
                let bound = self.bound(&value, group.span());
                let yielded = yielded();
                let value = if self.async_gen {
                    quote_spanned!(group.span()=> { #bound #krate::asyncio::__async_gen::item(#yielded) })
                } else {
                    quote_spanned!(group.span()=> { #bound #yielded })
                };
                let marker = quote_spanned!(group.span()=> @__cogen_in #co, #value);
                let mut handed = Group::new(group.delimiter(), marker);
                handed.set_span(group.span());
                if self.async_gen {
                    // The sent value is unwrapped around the handed `yield_!`.
                    let (bang, call) =
                        (tokens[i + 1].clone(), proc_macro2::TokenTree::from(handed));
                    let yield_ = tokens[i].clone();
                    let reply = quote_spanned!(group.span()=> (#krate::asyncio::__async_gen::reply(#yield_ #bang #call)));
                    out.extend(reply);
                    i += 3;
                    continue;
                }
                out.extend([tokens[i].clone(), tokens[i + 1].clone(), handed.into()]);
                i += 3;
                continue;
            }
            match &tokens[i] {
                TokenTree::Group(group) => {
                    let mut inner =
                        Group::new(group.delimiter(), self.hand_capability(group.stream()));
                    inner.set_span(group.span());
                    out.push(inner.into());
                }
                other => out.push(other.clone()),
            }
            i += 1;
        }
        out.into_iter().collect()
    }

    /// Whether the `yield_` after `before` is ours: written bare, or after `cogen::` (or
    /// the `crate = path` facade's name).
    fn is_ours(&self, before: &[proc_macro2::TokenTree]) -> bool {
        use proc_macro2::TokenTree;
        match before {
            [
                ..,
                TokenTree::Ident(parent),
                TokenTree::Punct(c1),
                TokenTree::Punct(c2),
            ] if c1.as_char() == ':' && c2.as_char() == ':' => {
                let facade = self.krate.segments.last().map(|s| &s.ident);
                *parent == "cogen" || Some(parent) == facade
            }
            [.., TokenTree::Punct(c1), TokenTree::Punct(c2)]
                if c1.as_char() == ':' && c2.as_char() == ':' =>
            {
                false
            }
            _ => true,
        }
    }
}

fn macro_delimiter(mac: &syn::Macro) -> &proc_macro2::extra::DelimSpan {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(token) => &token.span,
        syn::MacroDelimiter::Brace(token) => &token.span,
        syn::MacroDelimiter::Bracket(token) => &token.span,
    }
}
