//! Which parts of a body are a separate function or future, shared by `check` (a yield
//! point there is an error) and `lower` (nothing there is lowered).

/// An expression that is a body of its own: a yield point inside it cannot suspend the
/// generator.
#[derive(Clone, Copy)]
pub enum Scope {
    Closure,
    AsyncBlock,
    ConstBlock,
}

impl Scope {
    /// The scope that `expr` opens, if it is one.
    pub fn of_expr(expr: &syn::Expr) -> Option<Scope> {
        match expr {
            syn::Expr::Closure(_) => Some(Scope::Closure),
            syn::Expr::Async(_) => Some(Scope::AsyncBlock),
            syn::Expr::Const(_) => Some(Scope::ConstBlock),
            _ => None,
        }
    }

    /// What a yield point inside it is told.
    pub fn misuse(self) -> (&'static str, &'static str) {
        match self {
            Scope::Closure => (
                "a closure",
                "a closure is a separate function and cannot suspend the generator; use a loop \
                 in the generator body instead (e.g. `for x in xs { yield_!(x) }` rather than \
                 `xs.for_each(|x| yield_!(x))`)",
            ),
            Scope::AsyncBlock => (
                "an `async` block",
                "an `async` block is a separate future and cannot suspend the generator; write \
                 the yield point in the generator body itself",
            ),
            Scope::ConstBlock => (
                "a `const` block",
                "it is evaluated at compile time and cannot suspend the generator; write the \
                 yield point in the generator body itself",
            ),
        }
    }
}
