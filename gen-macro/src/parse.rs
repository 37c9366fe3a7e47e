//! Stage 1, parse: the attribute's `key = value` list and the item it is put on.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Token, Type};

use crate::errors::Errors;

/// The attribute's arguments: `#[generator(yield = Y, send = S, crate = path)]`.
pub struct Args {
    pub yield_ty: Option<Type>,
    pub send_ty: Option<Type>,
    pub krate: Option<syn::Path>,
    /// `boxed` / `boxed_local`: return a boxed trait object instead of `impl Trait`.
    pub boxed: Option<Boxed>,
}

/// How `boxed` generators are returned.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Boxed {
    /// `Pin<Box<dyn Generator<..> + Send + '_>>`.
    Send,
    /// `Pin<Box<dyn Generator<..> + '_>>`.
    Local,
}

const KEYS: &str = "`yield`, `send`, `crate`, `boxed` or `boxed_local`";

/// Parse the attribute's arguments, reporting every bad key rather than only the first.
pub fn parse_args(tokens: TokenStream, errors: &mut Errors) -> Args {
    let mut args = Args {
        yield_ty: None,
        send_ty: None,
        krate: None,
        boxed: None,
    };
    let parser = |input: ParseStream| {
        while !input.is_empty() {
            let (key, span) = parse_key(input)?;
            let flag = match key.as_str() {
                "boxed" => Some(Boxed::Send),
                "boxed_local" => Some(Boxed::Local),
                _ => None,
            };
            if let Some(flag) = flag {
                set(&mut args.boxed, flag, "boxed", span, errors);
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
                continue;
            }
            if !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "#[generator] takes `key = value` pairs ({KEYS}), as in \
                         `#[generator(yield = u32, send = f64)]`"
                    ),
                ));
            }
            input.parse::<Token![=]>()?;
            match key.as_str() {
                "yield" => set(&mut args.yield_ty, input.parse()?, "yield", span, errors),
                "send" => set(&mut args.send_ty, input.parse()?, "send", span, errors),
                "crate" => set(
                    &mut args.krate,
                    input.call(syn::Path::parse_mod_style)?,
                    "crate",
                    span,
                    errors,
                ),
                other => {
                    let hint = match closest_key(other) {
                        Some(key) => format!("; did you mean `{key}`?"),
                        None => String::new(),
                    };
                    errors.push(syn::Error::new(
                        span,
                        format!("unknown #[generator] key `{other}`: expected {KEYS}{hint}"),
                    ));
                    input.parse::<Type>()?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}

fn parse_key(input: ParseStream) -> syn::Result<(String, Span)> {
    if input.peek(Token![yield]) {
        let token: Token![yield] = input.parse()?;
        return Ok(("yield".into(), token.span));
    }
    if input.peek(Token![crate]) {
        let token: Token![crate] = input.parse()?;
        return Ok(("crate".into(), token.span));
    }
    let lookahead = input.lookahead1();
    if lookahead.peek(syn::Ident) {
        let ident: syn::Ident = input.parse()?;
        Ok((ident.to_string(), ident.span()))
    } else {
        Err(syn::Error::new(
            input.span(),
            format!("expected a #[generator] key: {KEYS}, as in `#[generator(yield = u32)]`"),
        ))
    }
}

fn set<T>(slot: &mut Option<T>, value: T, key: &str, span: Span, errors: &mut Errors) {
    if slot.is_some() {
        errors.push(syn::Error::new(
            span,
            format!("`{key}` is given twice in #[generator]: keep one"),
        ));
    } else {
        *slot = Some(value);
    }
}

/// A known key within two edits of `typo` (`yeild` → `yield`).
fn closest_key(typo: &str) -> Option<&'static str> {
    ["yield", "send", "crate", "boxed", "boxed_local"]
        .into_iter()
        .find(|key| edit_distance(key, typo) <= 2)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The item under the attribute: a fn with a body, or a spanned error saying what to use.
/// The fn under the attribute, and whether it is a trait method's declaration (no body:
/// the attribute then writes only its signature, `-> impl Generator<..>`, for the
/// implementations to match). A declaration is returned with an empty body.
pub fn parse_item(tokens: TokenStream) -> syn::Result<(syn::ItemFn, bool)> {
    let declaration = |tokens: TokenStream| match syn::parse2::<syn::TraitItemFn>(tokens) {
        Ok(item) if item.default.is_none() => Some(syn::ItemFn {
            attrs: item.attrs,
            vis: syn::Visibility::Inherited,
            sig: item.sig,
            block: Box::new(syn::Block {
                brace_token: Default::default(),
                stmts: Vec::new(),
            }),
        }),
        _ => None,
    };
    match syn::parse2::<syn::Item>(tokens.clone()) {
        Ok(syn::Item::Fn(item)) => Ok((item, false)),
        // `fn f();` parses as a verbatim item.
        Ok(syn::Item::Verbatim(verbatim)) if let Some(item) = declaration(verbatim.clone()) => {
            Ok((item, true))
        }
        Ok(other) => Err(syn::Error::new_spanned(
            other,
            "#[generator] can only be put on a fn: it turns the fn's body into a generator",
        )),
        Err(_) => match declaration(tokens.clone()) {
            Some(item) => Ok((item, true)),
            // A closure (on an expression the attribute is also unstable, so rustc adds its
            // own errors): the inline form is what the user wants.
            None if syn::parse2::<syn::ExprClosure>(tokens).is_ok() => Err(syn::Error::new(
                Span::call_site(),
                "#[generator] cannot be put on a closure: write the closure as an inline \
                 generator, `cogen::generator_block!(yield = Y, send = S, move { .. })` \
                 (`async move { .. }` for an async one), which captures its environment as a \
                 `move` closure does",
            )),
            None => Err(syn::Error::new(
                Span::call_site(),
                "#[generator] can only be put on a fn: it turns the fn's body into a generator",
            )),
        },
    }
}

/// Which yield point a macro invocation is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// `yield_!(value)`
    Yield,
    /// `yield_from!(source)`
    YieldFrom,
}

impl Point {
    pub fn name(self) -> &'static str {
        match self {
            Point::Yield => "yield_!",
            Point::YieldFrom => "yield_from!",
        }
    }

    fn of_ident(ident: &syn::Ident) -> Option<Point> {
        if ident == "yield_" {
            Some(Point::Yield)
        } else if ident == "yield_from" {
            Some(Point::YieldFrom)
        } else {
            None
        }
    }

    /// `yield_!`, `cogen::yield_!`, `::cogen::yield_!` (or the `crate = path` override's
    /// name in place of `cogen`), and the same for `yield_from!`.
    pub fn of_path(path: &syn::Path, krate: &syn::Path) -> Option<Point> {
        let mut segments = path.segments.iter().rev();
        let point = Point::of_ident(&segments.next()?.ident)?;
        match segments.next() {
            None => Some(point),
            Some(parent) => {
                let facade = krate.segments.last().map(|s| &s.ident);
                (parent.ident == "cogen" || Some(&parent.ident) == facade).then_some(point)
            }
        }
    }

    /// A bare `yield_ ! (...)` at `tokens[i..]`, as found inside another macro's tokens.
    pub fn of_tokens(tokens: &[proc_macro2::TokenTree]) -> Option<(Point, &proc_macro2::Group)> {
        use proc_macro2::TokenTree;
        match tokens {
            [
                TokenTree::Ident(ident),
                TokenTree::Punct(bang),
                TokenTree::Group(group),
                ..,
            ] if bang.as_char() == '!' => Some((Point::of_ident(ident)?, group)),
            _ => None,
        }
    }
}

/// The operand of a yield point: nothing (`yield_!()`) or one expression.
pub fn operand(mac: &syn::Macro) -> syn::Result<Option<syn::Expr>> {
    mac.parse_body_with(|input: ParseStream| {
        if input.is_empty() {
            Ok(None)
        } else {
            input.parse().map(Some)
        }
    })
}

/// `generator_block!` (by any path): a nested generator, a body of its own.
pub fn is_generator_block(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == "generator_block")
}
