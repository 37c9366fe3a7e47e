//! Python's generators and coroutines, in Rust.
//!
//! Put `#[generator]` on a fn and write `yield_!(v)` in its body: calling the fn runs
//! nothing and returns a [`Generator`], a Pin-safe state machine that runs the body up to
//! each `yield_!`. `yield_!(v)` hands `v` out and evaluates to the value sent back in;
//! `return r` (or `?`, or the end of the body) completes it with `r`.
//!
//! ```
//! use cogen::{generator, yield_, Generator, GeneratorState::*};
//!
//! #[generator(yield = u32)]
//! fn countdown(n: u32) {
//!     for i in (1..=n).rev() {
//!         yield_!(i);
//!     }
//! }
//!
//! #[generator(yield = f64, send = f64)]
//! fn averager() -> f64 {
//!     let (mut sum, mut n, mut avg) = (0.0, 0.0, 0.0);
//!     loop {
//!         let x = yield_!(avg);
//!         if x < 0.0 {
//!             return avg;
//!         }
//!         sum += x;
//!         n += 1.0;
//!         avg = sum / n;
//!     }
//! }
//!
//! assert_eq!(countdown(3).into_iter().collect::<Vec<_>>(), [3, 2, 1]);
//!
//! let mut avg = std::pin::pin!(averager());
//! assert_eq!(avg.as_mut().start(), Yielded(0.0)); // prime it: run to the first yield
//! assert_eq!(avg.as_mut().resume(10.0), Yielded(10.0));
//! assert_eq!(avg.as_mut().resume(20.0), Yielded(15.0));
//! assert_eq!(avg.as_mut().resume(-1.0), Complete(15.0));
//! ```
//!
//! # The attribute
//! `#[generator(yield = Y, send = S)]`: `Y` is the type handed out by `yield_!` (default
//! `()`), `S` the type sent back in by [`resume`](Generator::resume) (default `()`), and the
//! fn's return type is the generator's [`Return`](Generator::Return). The fn then returns
//! `impl Generator<S, Yield = Y, Return = R> + Debug`; when `S` and `R` are `()` (and with
//! the `alloc` feature), [`impl IterableGenerator<Yield = Y>`](IterableGenerator), which is
//! that and `IntoIterator<Item = Y>` too, so `for x in gen()` works. It works on free fns, inherent methods taking `self`,
//! `&self` or `&mut self`, trait methods (a declaration without a body gets its
//! `-> impl Generator<..>` written, for the implementations to match), generic fns, and
//! fns whose arguments borrow: the generator
//! captures the arguments, and the yielded type may borrow from them
//! (`#[generator(yield = &'a str)] fn words<'a>(s: &'a str)`). Edition 2024 is assumed (the
//! returned `impl Trait` captures every lifetime of the arguments).
//!
//! Generated code names this crate `::cogen`; `crate = path` names the facade when it is
//! re-exported under another path: `#[generator(crate = my_crate::cogen, yield = u8)]`.
//!
//! # Delegation
//! `yield_from!(g)` runs another generator (or, when `send = ()`, any `IntoIterator`) to
//! completion inside this one, with Python's `yield from` semantics (PEP 380): it starts
//! the subgenerator, forwards every yielded value out and every sent value in, and
//! evaluates to the subgenerator's return value. See [`yield_from!`].
//!
//! # Errors: `throw`
//! Python's `g.throw(e)` is [`Generator::throw`] on a generator declared with
//! `send = Result<T, E>`: the body receives `Err(e)` from `yield_!`, where `yield_!(v)?`
//! propagates it and a `match` catches it.
//!
//! # Iterating
//! With `send = ()` and no return value, `for x in gen()` works (the generator is boxed
//! once), and so does `gen().into_iter()` for iterator adapters (`.take(10)`, `.map(..)`).
//! `pin!(gen()).iter()` iterates in place without allocating, for any return type; a
//! generator that returns a value is not `IntoIterator` (a `for` loop would drop a `Result`
//! returned through `?` without a word): use `.iter()` or [`IntoIter::new`] and read the
//! value with `take_return`. A generator with a send type is not an iterator either (a
//! `for` loop has nothing to send; rustc then says it "is not an iterator", a message
//! cogen cannot add to): drive it with [`Generator::send`] in a loop that matches
//! `Some(Yielded(v))` for each value and `Some(Complete(r))` for the return value (a
//! `while let Some(Yielded(v))` loop would end on it without a look).
//!
//! # Misuse
//! Mistakes in the body are compile errors at your own span: a yield point inside a
//! closure, `async` block, nested fn or another macro's arguments, `.await` in the body, a
//! yielded value of the wrong type (reported at the value, against the `yield = ..` it
//! must match), `#[generator]` on a `const` fn or on something that is not a fn, an
//! unknown or repeated key. (On an `async fn` it makes an async generator.) Mistakes at run time (resuming
//! before starting, starting twice, resuming a finished generator) panic with a message
//! that says what to call instead.
//!
//! The body is compiled as an `async` block, so a few compiler messages speak of futures:
//! "future cannot be sent between threads safely ... await occurs here" means a value that
//! is not `Send` is held across the `yield_!` it points at; "recursion in an async block
//! requires boxing" means a generator delegates to itself without a box: write
//! `yield_from!(Box::pin(f(..)))`.

//!
//! # Features
//! * `std` (default): [`asyncio`]; implies `alloc`.
//! * `alloc` (default, through `std`): what allocates: `for x in gen()` ([`IntoIter`]
//!   boxes the generator), `#[generator(boxed)]`, `yield_from!` over a boxed generator
//!   (the trampoline) and the [`Generator`] impl of `Pin<Box<G>>`.
//!
//! With `default-features = false` the crate is `no_std` and needs no allocator: generators
//! pinned where they are made (`pin!(gen())`), [`iter()`](Generator::iter), `start` and
//! `resume`, and `yield_from!` over a generator or an iterator in place all work; a
//! bare-metal binary without a `#[global_allocator]` links (CI builds one for
//! `thumbv7em-none-eabihf`).
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use cogen_core::{
    AsyncGenerator, Generator, GeneratorExit, GeneratorFuture, GeneratorState, GeneratorStream,
    IntoGenerator, Iter, Resume, Status, Throwable, UnitGenerator,
};
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use cogen_core::{IntoIter, IterableGenerator};

/// A small asyncio in which a coroutine awaits by `yield_from!`: event loop, futures, tasks,
/// `sleep`, `gather`, a semaphore, and the [`#[asyncio::coroutine]`](asyncio::coroutine)
/// attribute.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod asyncio {
    #[doc(inline)]
    pub use cogen_core::asyncio::*;

    /// Turn a fn into an asyncio coroutine: Python's `async def` (or, closer still, the
    /// generator-based `@asyncio.coroutine` it grew from).
    ///
    /// `#[asyncio::coroutine]` is `#[generator(yield = asyncio::Suspend, send =
    /// asyncio::Resume)]`: the body awaits with `yield_from!` (another coroutine, `&future`,
    /// `&task`, `asyncio::sleep(d)`, any std `Future`), and the fn returns `Result<T, E>` where `E` can be a
    /// cancellation ([`Cancelled`] or your own [`AsyncError`]). Run it with [`run`], or
    /// schedule it with [`create_task`]. `crate = path` is accepted as for `#[generator]`.
    ///
    /// Write it with its path, `#[asyncio::coroutine]`: a bare `#[coroutine]` collides with
    /// a built-in attribute of the same name.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled};
    ///
    /// #[asyncio::coroutine]
    /// fn f(x: u32) -> Result<u32, Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_millis(1)))?;
    ///     Ok(x * x)
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn g(x: u32) -> Result<u32, Cancelled> {
    ///     let y = yield_from!(f(x))?; // Python: y = await f(x)
    ///     Ok(y)
    /// }
    ///
    /// assert_eq!(asyncio::run(g(10)), Ok(100));
    /// ```
    pub use cogen_macro::coroutine;

    /// Turn a fn into an asyncio asynchronous generator (PEP 525): Python's `async def`
    /// with `yield` in it.
    ///
    /// `#[asyncio::async_generator(yield = Y, send = S)] fn f(..) -> Result<(), E>`, both
    /// keys optional (`()`): the body awaits with `yield_from!(awaitable)` as a coroutine
    /// does and hands out items with `yield_!(item)`, which evaluates to `Result<S, E>`:
    /// `Ok(s)` when resumed by [`anext()`](AsyncGen::anext) (`S::default()`) or
    /// [`asend(s)`](AsyncGen::asend), `Err(e)` when resumed by
    /// [`athrow(e)`](AsyncGen::athrow), `Err(E::from(GeneratorExit))` when resumed by
    /// [`aclose()`](AsyncGen::aclose) (the body may still await its cleanup, then must
    /// return). `E` is an [`AsyncError`] with `From<GeneratorExit>`. Calling `f(..)` makes an
    /// [`AsyncGen<Y, S, E>`](AsyncGen), whose steps are awaitables; the body must be
    /// `'static` (it borrows nothing from the caller). `crate = path` is accepted as for
    /// `#[generator]`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::{yield_, yield_from};
    /// use cogen::asyncio::{self, AsyncError, AsyncGenError, Cancelled, GeneratorExit};
    ///
    /// #[derive(Debug, Clone, PartialEq)]
    /// enum Error { Cancelled, Exit }
    /// impl From<Cancelled> for Error { fn from(_: Cancelled) -> Self { Error::Cancelled } }
    /// impl From<GeneratorExit> for Error { fn from(_: GeneratorExit) -> Self { Error::Exit } }
    /// impl AsyncError for Error { fn is_cancelled(&self) -> bool { *self == Error::Cancelled } }
    ///
    /// // Python: async def running_total():
    /// //             total = 0
    /// //             while True:
    /// //                 await asyncio.sleep(0.01)
    /// //                 total += yield total
    /// #[asyncio::async_generator(yield = u32, send = u32)]
    /// fn running_total() -> Result<(), Error> {
    ///     let mut total = 0;
    ///     loop {
    ///         yield_from!(asyncio::sleep(Duration::from_millis(10)))?;
    ///         total += yield_!(total)?;
    ///     }
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn demo() -> Result<u32, AsyncGenError<Error>> {
    ///     let totals = running_total();
    ///     yield_from!(totals.anext())?;
    ///     yield_from!(totals.asend(5))?;
    ///     let total = yield_from!(totals.asend(7))?;
    ///     yield_from!(totals.aclose())?;
    ///     Ok(total)
    /// }
    ///
    /// assert_eq!(asyncio::run(demo()), Ok(12));
    /// ```
    pub use cogen_macro::async_generator;
}

/// Turn a fn whose body uses [`yield_!`] and [`yield_from!`] into a generator.
///
/// `#[generator(yield = Y, send = S, crate = path)]`, every key optional. See the
/// [crate documentation](crate) for what the expansion is and what it accepts.
///
/// With `boxed` (or `boxed_local` for state that is not `Send`) the fn returns
/// `Pin<Box<dyn Generator<S, Yield = Y, Return = R> + Send + '_>>` instead of
/// `impl Generator<..>`, so a trait with a generator method stays dyn-compatible (put the
/// same attribute on the declaration and on each implementation):
///
/// ```
/// use cogen::{generator, yield_, Iter};
///
/// trait Shape {
///     #[generator(boxed, yield = (i32, i32))]
///     fn corners(&self);
/// }
///
/// struct Square(i32);
///
/// impl Shape for Square {
///     #[generator(boxed, yield = (i32, i32))]
///     fn corners(&self) {
///         for (x, y) in [(0, 0), (1, 0), (1, 1), (0, 1)] {
///             yield_!((x * self.0, y * self.0));
///         }
///     }
/// }
///
/// let shapes: Vec<Box<dyn Shape>> = vec![Box::new(Square(2))];
/// let mut corners = shapes[0].corners();
/// assert_eq!(Iter::new(corners.as_mut()).count(), 4);
/// ```
///
/// On an `async fn` it makes an async generator ([`AsyncGenerator`]), whose body may also
/// `.await` any future; with `send = ()` it is a `futures::Stream` too:
///
/// ```
/// use cogen::{generator, yield_};
/// use futures::StreamExt;
///
/// #[generator(yield = u32)]
/// async fn slow_count(n: u32) {
///     for i in 0..n {
///         futures::future::ready(()).await; // any std future
///         yield_!(i);
///     }
/// }
///
/// let items: Vec<u32> = futures::executor::block_on(slow_count(3).collect());
/// assert_eq!(items, [0, 1, 2]);
/// ```
///
/// ```
/// use cogen::{generator, yield_};
///
/// #[generator(yield = &'a str)]
/// fn words<'a>(text: &'a str) {
///     for word in text.split_whitespace() {
///         yield_!(word);
///     }
/// }
///
/// assert_eq!(words("a b c").into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
/// ```
///
/// On a trait method's declaration (no body) it writes the declaration's return type, the
/// same `impl Generator<..>` that `#[generator]` on each implementation returns, so the two
/// match; a default method with a body is a generator as any fn is. (A trait with such a
/// method is not `dyn`-compatible, as with any method returning `impl Trait`.)
///
/// ```
/// use cogen::{generator, yield_};
///
/// trait Shape {
///     #[generator(yield = u32)]
///     fn corners(&self); // -> impl Generator<Yield = u32, Return = ()> + ..
///
///     #[generator(yield = String)]
///     fn labels(&self) {
///         yield_!("a shape".to_string());
///     }
/// }
///
/// struct Triangle;
///
/// impl Shape for Triangle {
///     #[generator(yield = u32)]
///     fn corners(&self) {
///         for i in 1..=3 {
///             yield_!(i);
///         }
///     }
/// }
///
/// assert_eq!(Triangle.corners().into_iter().collect::<Vec<_>>(), [1, 2, 3]);
/// assert_eq!(Triangle.labels().into_iter().collect::<Vec<_>>(), ["a shape"]);
/// ```
pub use cogen_macro::generator;

/// A generator as an expression: `generator_block!(yield = Y, send = S, move { body })`.
///
/// The keys are those of [`#[generator]`](generator) (`yield`, `send`, `crate`, each
/// optional); the body is a `move` block that captures its environment as a `move` closure
/// does, and may use [`yield_!`] and [`yield_from!`]. It lowers exactly as the attribute
/// does: the same errors, the same footprint, no allocation. Its value is the generator; the
/// block's value is the generator's return value (its type is inferred, so a `?` in the body
/// may need the block's type written out, as in a closure). `async move { .. }` makes an
/// async generator.
///
/// Python's nested generator functions and generator expressions, and generators built
/// inside generators (the N-Queens and Knight's Tour solvers of CPython's test_generators),
/// need no named fn:
///
/// ```
/// use cogen::{generator_block, yield_, yield_from, Generator};
///
/// let limit = 10;
/// let words = vec!["a", "bb", "ccc"];
/// let lengths = &words; // borrowed, then moved into the block as a reference
/// let mut g = std::pin::pin!(generator_block!(yield = usize, move {
///     for word in lengths {
///         yield_!(word.len());
///     }
///     let squares = generator_block!(yield = usize, move {
///         for i in 1..4 {
///             yield_!(i * i);
///         }
///     });
///     yield_from!(squares);
///     limit
/// }));
/// assert_eq!(g.as_mut().iter().collect::<Vec<_>>(), [1, 2, 3, 1, 4, 9]);
/// assert_eq!(words.len(), 3); // still ours
/// ```
pub use cogen_macro::generator_block;

/// Support for the code that `#[generator]` expands to: not public API.
#[doc(hidden)]
pub mod __private {
    pub use cogen_core::__private::*;
}

/// The return type `#[generator]` writes for a generator that `for` can iterate (`send =
/// ()`, returning `()`): with the `alloc` feature, `impl IterableGenerator<Yield = Y>`
/// (`Generator` + `Debug` + `IntoIterator`, the last boxing the generator once in an
/// [`IntoIter`]); without it, the bounds after the `;` (`impl Generator<..> + Debug`). One
/// trait, not the four bounds and a nested `impl FusedIterator + Debug` for `IntoIter`: the
/// type check of BENCHMARKS.md's 200-generator crate executes 6% fewer instructions. Here,
/// not in the attribute, so that the type follows this crate's features. Not public API.
#[cfg(feature = "alloc")]
#[doc(hidden)]
#[macro_export]
macro_rules! __iterable_generator {
    ($yield_:ty; $($bounds:tt)*) => {
        impl $crate::IterableGenerator<Yield = $yield_>
    };
}

/// Without the `alloc` feature: only the bounds (see above).
#[cfg(not(feature = "alloc"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __iterable_generator {
    ($yield_:ty; $($bounds:tt)*) => {
        impl $($bounds)*
    };
}

/// Suspend the generator, handing a value out; evaluates to the value sent back in.
///
/// `yield_!(v)` is Python's `x = yield v`: the generator pauses here and `start` or
/// `resume` returns [`GeneratorState::Yielded(v)`](GeneratorState::Yielded); the next
/// [`resume(s)`](Generator::resume) continues it, and `yield_!(v)` evaluates to `s`.
/// `yield_!()` yields `()`.
///
/// It works written in the body of a `#[generator]` fn (sync or `async`), also inside
/// another macro's arguments (`println!("{}", yield_!(x))`, a `tokio::select!` arm, `vec!`):
/// `#[generator]` hands it the generator's capability there. Anywhere else it is a compile
/// error: outside a generator, and inside a closure, `async` block or nested fn in the
/// body, there is no generator for it to suspend; a `yield_!` produced by another
/// `macro_rules!` is not seen by `#[generator]`. If another macro moves it into a future
/// that something else polls, it panics when polled ("polled outside of its own
/// generator"); a macro that polls two yield points in one step (`join!`) panics too.
///
/// ```
/// use cogen::{generator, yield_, Generator, GeneratorState::*};
///
/// #[generator(yield = &'static str, send = i32)]
/// fn ping() -> i32 {
///     let a = yield_!("first");
///     let b = yield_!("second");
///     a + b
/// }
///
/// let mut g = std::pin::pin!(ping());
/// assert_eq!(g.as_mut().start(), Yielded("first"));
/// assert_eq!(g.as_mut().resume(1), Yielded("second"));
/// assert_eq!(g.as_mut().resume(2), Complete(3));
/// ```
#[macro_export]
macro_rules! yield_ {
    // `#[generator]` lowers each `yield_!` it accepts itself and invokes this arm, which
    // receives none of the body's tokens, only so that importing `yield_` counts as used.
    (@__cogen_lowered) => {
        ()
    };
    // A `yield_!` inside another macro's arguments: `#[generator]` hands it the body's
    // capability, and it becomes the same safe `.await` the body's own yield points are.
    (@__cogen_in $co:ident, $value:expr) => {
        $co.yield_($value, ()).await
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`yield_!` only works written directly in the body of a #[generator] fn: there is no \
             generator here for it to suspend (a nested fn is not part of the generator around \
             it: make it a #[generator] fn of its own; if it comes from another macro, write \
             `yield_!` in the generator body itself; if you imported it under another name \
             (`use cogen::yield_ as y;`), #[generator] cannot tell that `y!` is `yield_!`: \
             import and write it as `yield_!`, or write `cogen::yield_!`)"
        )
    };
}

/// Delegate to a subgenerator or iterable until it is exhausted: Python's `yield from`.
///
/// `let r = yield_from!(sub)` starts `sub` (PEP 380 primes it), hands every value it
/// yields out to this generator's caller, sends every value the caller sends in on to it,
/// and evaluates to its return value. `close` (or dropping) while delegating closes the
/// subgenerator first, then this generator's own locals.
///
/// `sub` may be:
/// * a generator with this generator's send and yield types (its return type may differ):
///   a `#[generator]` fn's result, `Pin<Box<G>>`, `Pin<Box<dyn Generator<..>>>`, or a
///   borrowed `Pin<&mut G>`. Boxed generators run on a trampoline: the innermost generator
///   of a chain of boxed delegations is resumed directly, so recursion costs the same per
///   item at any depth and does not grow the native stack. Recursion needs the box
///   (`yield_from!(Box::pin(walk(child)))`): a generator cannot contain itself;
/// * when `send = ()`, any `IntoIterator` of the yield type (`yield_from!(1..4)`,
///   `yield_from!("AB".chars())`, a `Vec`); it then evaluates to `()`;
/// * in an async generator (`#[generator] async fn`) also an [`AsyncGenerator`] (held in
///   place, borrowed, or boxed on the same trampoline; its `.await`s wait for the
///   delegator too) and, when `send = ()`, any `futures::Stream` of the yield type
///   (JavaScript's `yield*`);
/// * in an asyncio coroutine (`yield = asyncio::Suspend`, `send = asyncio::Resume`) also
///   any `std::future::Future` (an `async fn`'s, a channel's receiver, an `async-io`
///   socket's): it evaluates to `Result<F::Output, asyncio::Cancelled>`, as
///   `asyncio::wrap_future` does.
///
/// A fresh subgenerator is started. One that is already suspended at a yield is, with
/// `send = ()`, resumed with `()` where it is (PEP 380's `next(_i)`), so that one generator
/// can be shared by several delegators in turn; with any other send type there is no value
/// to resume it with, and `yield_from!` panics at its own line, as it does for a closed
/// subgenerator (and for a started *boxed* one, which it always starts: delegate to it
/// through `boxed.as_mut()` instead). A borrowed `Pin<&mut G>` stays its
/// owner's: if the delegator is closed while delegating to it, it is left suspended, and its
/// owner can resume or close it, or hand it to another delegator. The operand's
/// temporaries live until the delegation ends, as in a `for` loop.
///
/// ```
/// use cogen::{generator, yield_, yield_from, Generator, GeneratorState::*};
/// use std::pin::{pin, Pin};
///
/// #[generator(yield = u32)]
/// fn numbers() { yield_!(1); yield_!(2); yield_!(3); }
///
/// #[generator(yield = u32)]
/// fn relay(sub: Pin<&mut dyn Generator<Yield = u32, Return = ()>>) {
///     yield_from!(sub);
/// }
///
/// let mut shared = pin!(numbers());
/// assert_eq!(shared.as_mut().start(), Yielded(1));
/// let mut second = pin!(relay(shared.as_mut()));
/// assert_eq!(second.as_mut().start(), Yielded(2)); // resumed, not restarted
/// assert_eq!(second.as_mut().resume(()), Yielded(3));
/// ```
///
/// ```
/// use cogen::{generator, yield_, yield_from, Generator, GeneratorState::*};
///
/// #[generator(yield = u32, send = u32)]
/// fn accumulate() -> u32 {
///     let mut total = 0;
///     loop {
///         let x = yield_!(total);
///         if x == 0 {
///             return total;
///         }
///         total += x;
///     }
/// }
///
/// #[generator(yield = u32, send = u32)]
/// fn sum_twice() -> (u32, u32) {
///     let first = yield_from!(accumulate());
///     let second = yield_from!(accumulate());
///     (first, second)
/// }
///
/// let mut g = std::pin::pin!(sum_twice());
/// assert_eq!(g.as_mut().start(), Yielded(0));
/// assert_eq!(g.as_mut().resume(1), Yielded(1));
/// assert_eq!(g.as_mut().resume(2), Yielded(3));
/// assert_eq!(g.as_mut().resume(0), Yielded(0)); // the second accumulate starts
/// assert_eq!(g.as_mut().resume(5), Yielded(5));
/// assert_eq!(g.as_mut().resume(0), Complete((3, 5)));
/// ```
#[macro_export]
macro_rules! yield_from {
    // As in `yield_!`: only so that importing `yield_from` counts as used.
    (@__cogen_lowered) => {
        ()
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`yield_from!` only works written directly in the body of a #[generator] fn: there is \
             no generator here to delegate from (a nested fn is not part of the generator \
             around it: make it a #[generator] fn of its own; if it comes from another macro, \
             write `yield_from!` in the generator body itself; if you imported it under another \
             name (`use cogen::yield_from as delegate;`), #[generator] cannot tell that it is \
             `yield_from!`: import and write it as `yield_from!`, or write `cogen::yield_from!`)"
        )
    };
}

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
