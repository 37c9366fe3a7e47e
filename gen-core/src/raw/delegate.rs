//! `yield_from!`: PEP 380 delegation, in the forms chosen at compile time.
//!
//! * a generator held inline (`yield_from!(sub())`, `Pin<&mut G>`, `Pin<Box<dyn ..>>`):
//!   [`YieldFromGenerator`] polls it with the delegator's own exchange area, so the
//!   innermost generator's yields and the caller's sends cross every level without a copy;
//! * a boxed generator (`yield_from!(Box::pin(sub()))`, also `Pin<Box<dyn Generator<..>>>`):
//!   [`YieldFromBoxed`], on a trampoline (`trampoline.rs`);
//! * an [`IntoGenerator`] (an `asyncio` future or task): the generator it makes, held
//!   inline as above;
//! * a plain `IntoIterator` (when `send = ()`): [`YieldFromIter`];
//! * in a coroutine (`yield = asyncio::Suspend`, `send = asyncio::Resume`), a std `Future`:
//!   the `asyncio::wrap_future` leaf, held inline as a generator;
//! * in an async generator's body also an async generator, inline ([`AsAsync`] makes it a
//!   generator whose polls may wait) or boxed (on the same trampoline), and a `Stream` (when
//!   `send = ()`): [`YieldFromStream`].
//!
//! The form is chosen by method resolution on `&&&&&&&&&&&Source` ([`DelegateKind`]): each
//! form's `__cogen_kind` is implemented one reference deeper than the next, so the most
//! specific one that applies wins (the "autoref specialization" pattern), and anything else
//! reaches the impl for `Source` itself, [`OtherKind`], whose bound names what
//! `yield_from!` accepts.

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr;
use core::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::bridge::{Owner, exchange};
use super::exchange::Io;
#[cfg(feature = "alloc")]
use super::trampoline::YieldFromBoxed;
use super::yield_point::{Awaiting, Blocking, Co, Invariant};
use crate::generator::Sealed;
use crate::{AsyncGenerator, Generator, GeneratorState, IntoGenerator, Status};

/// The operand of one `yield_from!`, with the delegator's yield and send types and body
/// kind (`B`: [`Awaiting`] in an async generator, whose body can also wait for an async
/// delegate or a stream).
pub struct Source<T, Y, S, B = Blocking> {
    source: T,
    co: Co<Y, S, B>,
}

impl<T, Y, S, B> Source<T, Y, S, B> {
    /// The `()` is the user's own `yield_from!` path, invoked with no tokens of the body,
    /// so that importing it counts as used.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn new(source: T, co: Co<Y, S, B>, _used: ()) -> Self {
        Source { source, co }
    }
}

#[cfg(feature = "alloc")]
/// Tag: delegate to a boxed async generator through the trampoline.
pub struct AsyncBoxedKind;
#[cfg(feature = "alloc")]
/// Tag: delegate to a boxed unsized async generator (`dyn`) through the trampoline.
pub struct AsyncBoxedDynKind;
/// Tag: delegate to an async generator polled in place.
pub struct AsyncGeneratorKind;
/// Tag: delegate to a stream.
pub struct StreamKind;
#[cfg(feature = "alloc")]
/// Tag: delegate to a boxed generator through the trampoline.
pub struct BoxedKind;
#[cfg(feature = "alloc")]
/// Tag: delegate to a boxed unsized generator (`dyn`) through the trampoline.
pub struct BoxedDynKind;
/// Tag: delegate to a generator polled in place, with `send = ()` (it may have started).
pub struct UnitGeneratorKind;
/// Tag: delegate to a generator polled in place.
pub struct GeneratorKind;
/// Tag: delegate to the generator an [`IntoGenerator`] makes, polled in place.
pub struct IntoGeneratorKind;
/// Tag: delegate to an iterator.
pub struct IterKind;
/// Tag: not something `yield_from!` accepts.
pub struct OtherKind;

/// The kinds a `yield_from!`'s `__cogen_kind` may pick: cogen's own tags above, and nothing
/// else (sealed). The expansion passes the kind through [`kind`] before it calls `delegate`
/// in its `unsafe` block, so that a trait of the user's in scope at the `yield_from!` (whose
/// `__cogen_kind` would win method resolution) cannot make that block call a `delegate` of
/// its choice: it fails to compile instead.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` picked `{Self}` to delegate with, which is not one of cogen's",
    label = "a trait in scope here has a `__cogen_kind` method of its own",
    note = "remove that trait from the scope of the `yield_from!`"
)]
pub trait Kind: sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
    /// Implemented by nothing: the supertrait of [`super::Delegable`].
    pub trait Unimplementable {}
}

macro_rules! kinds {
    ($($(#[$cfg:meta])* $kind:ident,)*) => {$(
        $(#[$cfg])*
        impl sealed::Sealed for $kind {}
        $(#[$cfg])*
        impl Kind for $kind {}
    )*};
}

kinds! {
    #[cfg(feature = "alloc")] AsyncBoxedKind,
    #[cfg(feature = "alloc")] AsyncBoxedDynKind,
    AsyncGeneratorKind,
    StreamKind,
    #[cfg(feature = "alloc")] BoxedKind,
    #[cfg(feature = "alloc")] BoxedDynKind,
    UnitGeneratorKind,
    GeneratorKind,
    IntoGeneratorKind,
    IterKind,
    OtherKind,
    #[cfg(feature = "std")] StdFutureKind,
    #[cfg(feature = "std")] YieldNowKind,
    #[cfg(feature = "std")] SleepKind,
}

/// Only one of cogen's kinds passes (see [`Kind`]).
#[cfg_attr(not(debug_assertions), inline(always))]
pub fn kind<K: Kind>(kind: K) -> K {
    kind
}

/// Picks a `yield_from!`'s form: `(&&&&&&&&&&&source).__cogen_kind()` (eleven references)
/// finds the impl below at the shallowest step of auto-deref whose bounds hold, and `Kind`
/// is that form's tag. Highest priority first: each impl is one reference shallower than
/// the one before, and the impls of one depth never apply to the same operand.
///
/// One trait with an impl per form, not a trait per form: method resolution tries each
/// trait in scope at each step of auto-deref, so thirteen traits cost a `yield_from!`
/// thirteen candidates at each of its twelve steps. The type check of BENCHMARKS.md's
/// 200-generator crate spent a quarter of its instructions there. Two forms are impls of
/// a second trait, [`DelegateKindApart`] (see there).
pub trait DelegateKind {
    /// The tag of the form (see [`Kind`]).
    type Kind;
    /// The form's tag, after the run-time checks of the operand that form needs.
    fn __cogen_kind(&self) -> Self::Kind;
}

/// Tag: `yield_from!(asyncio::yield_now())` in a coroutine: the body yields
/// `Suspend(Wait::Reschedule)` itself, as `yield_!` would, instead of delegating to the
/// leaf (no delegation frame, no leaf status machine per task switch).
#[cfg(feature = "std")]
pub struct YieldNowKind;
/// Tag: `yield_from!(asyncio::sleep(delay))` in a coroutine: as [`YieldNowKind`] when the
/// delay is zero, else delegated to the leaf, which starts a timer.
#[cfg(feature = "std")]
pub struct SleepKind;

/// Same depth as the boxed async generator's form (as is `Sleep`'s): they never apply to
/// the same operand (a `YieldNow` or a `Sleep` is not a box), and these must win over a
/// generator held in place.
#[cfg(feature = "std")]
impl<B> DelegateKind for &&&&&&&&&&Source<asyncio::YieldNow, Suspend, AsyncioResume, B> {
    type Kind = YieldNowKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> YieldNowKind {
        // As for any generator held in place: `yield_from!` starts it.
        check_fresh(self.source.status());
        YieldNowKind
    }
}

/// In [`DelegateKindApart`], not with `YieldNow`'s impl: an operand whose type is not
/// known yet may be either, and two candidates of two traits are an ambiguity reported at
/// the user's `yield_from!` (E0034), where two impls of one trait would be one pick whose
/// error comes later, at the attribute.
#[cfg(feature = "std")]
impl<B> DelegateKindApart for &&&&&&&&&&Source<asyncio::Sleep, Suspend, AsyncioResume, B> {
    type Kind = SleepKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> SleepKind {
        check_fresh(self.source.status());
        SleepKind
    }
}

#[cfg(feature = "std")]
use super::yield_point::YieldMade;
#[cfg(feature = "std")]
use crate::asyncio::{self, Resume as AsyncioResume, Suspend};

/// What `yield_now` yields, made where the body yields it.
#[cfg(feature = "std")]
fn reschedule() -> Suspend {
    Suspend(asyncio::Wait::Reschedule)
}

#[cfg(feature = "std")]
impl YieldNowKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it), as for every form.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<B>(
        self,
        source: Source<asyncio::YieldNow, Suspend, AsyncioResume, B>,
    ) -> YieldMade<Suspend, AsyncioResume, impl Fn() -> Suspend> {
        // What the leaf does, in the body: yield `Reschedule` once, and return what the
        // task sends back (`Err(Cancelled)` if it was cancelled meanwhile).
        YieldMade::new(source.co, reschedule)
    }
}

#[cfg(feature = "std")]
impl SleepKind {
    /// # Safety
    /// As for [`YieldNowKind::delegate`].
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<B>(
        self,
        source: Source<asyncio::Sleep, Suspend, AsyncioResume, B>,
    ) -> YieldFromSleep<impl Fn() -> Suspend> {
        if source.source.yields_once() {
            YieldFromSleep::Now(YieldMade::new(source.co, reschedule))
        } else {
            YieldFromSleep::Timer(YieldFromGenerator {
                sub: source.source,
                co: source.co.erase(),
            })
        }
    }
}

/// `yield_from!(asyncio::sleep(delay))`: see [`SleepKind`].
#[cfg(feature = "std")]
pub enum YieldFromSleep<M> {
    Now(YieldMade<Suspend, AsyncioResume, M>),
    Timer(YieldFromGenerator<asyncio::Sleep, AsyncioResume>),
}

#[cfg(feature = "std")]
impl<M: Fn() -> Suspend> Future for YieldFromSleep<M> {
    type Output = AsyncioResume;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AsyncioResume> {
        // SAFETY: the variant's field is structurally pinned: the variant is chosen once,
        // when the future is made, and its field is never moved out, only dropped in place.
        match unsafe { self.get_unchecked_mut() } {
            YieldFromSleep::Now(now) => Pin::new(now).poll(cx),
            // SAFETY: as above.
            YieldFromSleep::Timer(timer) => unsafe { Pin::new_unchecked(timer) }.poll(cx),
        }
    }
}

#[cfg(feature = "alloc")]
impl<G: AsyncGenerator<S>, Y, S> DelegateKind for &&&&&&&&&&Source<Pin<Box<G>>, Y, S, Awaiting> {
    type Kind = AsyncBoxedKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> AsyncBoxedKind {
        check_fresh_boxed(self.source.status());
        AsyncBoxedKind
    }
}

#[cfg(feature = "alloc")]
impl<G: AsyncGenerator<S> + ?Sized, Y, S> DelegateKind
    for &&&&&&&&&Source<Pin<Box<G>>, Y, S, Awaiting>
{
    type Kind = AsyncBoxedDynKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> AsyncBoxedDynKind {
        check_fresh_boxed(self.source.status());
        AsyncBoxedDynKind
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<S>, Y, S, B> DelegateKind for &&&&&&&&Source<Pin<Box<G>>, Y, S, B> {
    type Kind = BoxedKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> BoxedKind {
        check_fresh_boxed(self.source.status());
        BoxedKind
    }
}

#[cfg(feature = "alloc")]
impl<G: Generator<S> + ?Sized, Y, S, B> DelegateKind for &&&&&&&Source<Pin<Box<G>>, Y, S, B> {
    type Kind = BoxedDynKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> BoxedDynKind {
        check_fresh_boxed(self.source.status());
        BoxedDynKind
    }
}

impl<G: AsyncGenerator<S>, Y, S> DelegateKind for &&&&&&Source<G, Y, S, Awaiting> {
    type Kind = AsyncGeneratorKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> AsyncGeneratorKind {
        check_fresh(self.source.status());
        AsyncGeneratorKind
    }
}

impl<G: Generator<()>, Y, B> DelegateKind for &&&&&Source<G, Y, (), B> {
    type Kind = UnitGeneratorKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> UnitGeneratorKind {
        check_not_closed(self.source.status());
        UnitGeneratorKind
    }
}

impl<G: Generator<S>, Y, S, B> DelegateKind for &&&&Source<G, Y, S, B> {
    type Kind = GeneratorKind;
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[track_caller]
    fn __cogen_kind(&self) -> GeneratorKind {
        check_fresh(self.source.status());
        GeneratorKind
    }
}

impl<G: IntoGenerator<S>, Y, S, B> DelegateKind for &&&Source<G, Y, S, B> {
    type Kind = IntoGeneratorKind;
    fn __cogen_kind(&self) -> IntoGeneratorKind {
        IntoGeneratorKind
    }
}

impl<St: Stream, Y, S> DelegateKind for &&Source<St, Y, S, Awaiting> {
    type Kind = StreamKind;
    fn __cogen_kind(&self) -> StreamKind {
        StreamKind
    }
}

/// Tag: await a std future in a coroutine (`yield = Suspend`, `send = Resume`), through
/// `asyncio::wrap_future`.
#[cfg(feature = "std")]
pub struct StdFutureKind;

/// The forms that share a depth with one of [`DelegateKind`]'s and must stay a second
/// candidate beside it: `Sleep`'s (beside `YieldNow`'s, see there) and the std future's.
pub trait DelegateKindApart {
    /// The tag of the form (see [`Kind`]).
    type Kind;
    /// The form's tag, after the run-time checks of the operand that form needs.
    fn __cogen_kind(&self) -> Self::Kind;
}

/// One depth with the iterator's form (`IterKind`), in the other trait (in
/// [`DelegateKind`] the two impls would overlap): a type that is both an `IntoIterator` and
/// a `Future` is ambiguous (neither is preferred), anything else matches at most one of
/// them.
#[cfg(feature = "std")]
impl<F: Future, B> DelegateKindApart
    for &Source<F, crate::asyncio::Suspend, crate::asyncio::Resume, B>
{
    type Kind = StdFutureKind;
    fn __cogen_kind(&self) -> StdFutureKind {
        StdFutureKind
    }
}

#[cfg(feature = "std")]
impl StdFutureKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<F: Future, B>(
        self,
        source: Source<F, crate::asyncio::Suspend, crate::asyncio::Resume, B>,
    ) -> YieldFromGenerator<crate::asyncio::WrapFuture<F>, crate::asyncio::Resume> {
        YieldFromGenerator {
            sub: crate::asyncio::wrap_future(source.source),
            co: source.co.erase(),
        }
    }
}

impl<I: IntoIterator, Y, S, B> DelegateKind for &Source<I, Y, S, B> {
    type Kind = IterKind;
    fn __cogen_kind(&self) -> IterKind {
        IterKind
    }
}

impl<T, Y, S, B> DelegateKind for Source<T, Y, S, B> {
    type Kind = OtherKind;
    fn __cogen_kind(&self) -> OtherKind {
        OtherKind
    }
}

/// Marks the types `yield_from!` can delegate to; nothing implements it (it is sealed), so
/// an operand that reaches `OtherKind` reports this trait's message.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}`",
    label = "not a generator with this generator's yield and send types, nor an iterator of its yield type",
    note = "`yield_from!` accepts a generator (anything implementing `Generator<S>` with this \
            generator's send type, e.g. a #[generator] fn's result, `Pin<&mut G>` or \
            `Pin<Box<G>>`), an `IntoGenerator<S>` (e.g. an asyncio `Future` or `Task`) or, \
            when `send = ()`, an `IntoIterator` of the yield type",
    note = "in the body of an async generator (a #[generator] `async fn`) also an \
            `AsyncGenerator<S>` and, when `send = ()`, a `Stream` of the yield type; a \
            generator that is not `async` cannot wait for either",
    note = "in a coroutine (`yield = asyncio::Suspend`, `send = asyncio::Resume`) also a std \
            `Future` (an `async fn`'s or `async` block's, a channel's receiver), awaited as \
            `asyncio::wrap_future` does; a generator that is not a coroutine cannot wait for one"
)]
pub trait Delegable: sealed::Unimplementable {}

/// The send type of a generator that delegates to a plain iterator: only `()`.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` over a plain iterator needs `send = ()`, but this generator's send type is `{Self}`",
    label = "an iterator cannot receive the values sent to this generator",
    note = "delegate to a generator whose send type is `{Self}` instead; if this is a \
            generator, its send type must be the same as the delegating generator's"
)]
pub trait IterSend {}
impl IterSend for () {}

/// The send type of an async generator that delegates to a stream: only `()`.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` over a stream needs `send = ()`, but this async generator's send type is `{Self}`",
    label = "a stream cannot receive the values sent to this generator",
    note = "delegate to an async generator whose send type is `{Self}` instead, or poll the \
            stream yourself (`while let Some(x) = stream.next().await {{ .. }}`) and yield \
            its items"
)]
pub trait StreamSend {}
impl StreamSend for () {}

impl OtherKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    pub unsafe fn delegate<T: Delegable, Y, S, B>(self, source: Source<T, Y, S, B>) -> Never<Y, S> {
        let _ = source;
        unreachable!()
    }
}

/// The future of an invalid `yield_from!` (never constructed: its construction fails to
/// type-check first). Keeps the expansion well-typed so only one error is reported.
pub struct Never<Y, S>(#[allow(dead_code)] Co<Y, S>);

impl<Y, S> Future for Never<Y, S> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        unreachable!()
    }
}

impl IterKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<I, Y, S, B>(
        self,
        source: Source<I, Y, S, B>,
    ) -> YieldFromIter<I::IntoIter, S>
    where
        I: IntoIterator<Item = Y>,
        S: IterSend,
    {
        YieldFromIter {
            iter: source.source.into_iter(),
            co: source.co.erase(),
        }
    }
}

impl GeneratorKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S, B>(self, source: Source<G, Y, S, B>) -> YieldFromGenerator<G, S>
    where
        G: Generator<S, Yield = Y>,
    {
        YieldFromGenerator {
            sub: source.source,
            co: source.co.erase(),
        }
    }
}

impl UnitGeneratorKind {
    /// PEP 380's `_y = next(_i)`: a generator that already started is resumed with `()`
    /// instead of started.
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, B>(self, source: Source<G, Y, (), B>) -> YieldFromUnitGenerator<G>
    where
        G: Generator<(), Yield = Y>,
    {
        let resume_first = source.source.status() == Status::Suspended;
        YieldFromUnitGenerator {
            sub: source.source,
            co_and_resume_first: source.co.owner().with_low_bits(u64::from(resume_first)),
            _types: PhantomData,
        }
    }
}

impl IntoGeneratorKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S, B>(
        self,
        source: Source<G, Y, S, B>,
    ) -> YieldFromGenerator<G::IntoGen, S>
    where
        G: IntoGenerator<S, Yield = Y>,
    {
        // SAFETY: forwarded: this function's contract is the same.
        unsafe {
            GeneratorKind.delegate(Source::new(source.source.into_generator(), source.co, ()))
        }
    }
}

#[cfg(feature = "alloc")]
impl BoxedKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S, B>(
        self,
        source: Source<Pin<Box<G>>, Y, S, B>,
    ) -> YieldFromBoxed<G, S>
    where
        G: Generator<S, Yield = Y>,
    {
        YieldFromBoxed::new(source.source, source.co.erase())
    }
}

#[cfg(feature = "alloc")]
impl BoxedDynKind {
    /// A `Pin<Box<dyn Generator>>` cannot be erased into a frame as it is (one trait object
    /// cannot become another), so it is boxed once more: one small allocation per
    /// delegation, none per item.
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S, B>(
        self,
        source: Source<Pin<Box<G>>, Y, S, B>,
    ) -> YieldFromBoxed<Pin<Box<G>>, S>
    where
        G: Generator<S, Yield = Y> + ?Sized,
    {
        YieldFromBoxed::new(Box::pin(source.source), source.co.erase())
    }
}

impl AsyncGeneratorKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S>(
        self,
        source: Source<G, Y, S, Awaiting>,
    ) -> YieldFromGenerator<AsAsync<G>, S>
    where
        G: AsyncGenerator<S, Yield = Y>,
    {
        YieldFromGenerator {
            sub: AsAsync(source.source),
            co: source.co.erase(),
        }
    }
}

#[cfg(feature = "alloc")]
impl AsyncBoxedKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S>(
        self,
        source: Source<Pin<Box<G>>, Y, S, Awaiting>,
    ) -> YieldFromBoxed<AsAsync<G>, S>
    where
        G: AsyncGenerator<S, Yield = Y>,
    {
        YieldFromBoxed::new(AsAsync::boxed(source.source), source.co.erase())
    }
}

#[cfg(feature = "alloc")]
impl AsyncBoxedDynKind {
    /// Boxed once more, as [`BoxedDynKind`] does.
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<G, Y, S>(
        self,
        source: Source<Pin<Box<G>>, Y, S, Awaiting>,
    ) -> YieldFromBoxed<AsAsync<Pin<Box<G>>>, S>
    where
        G: AsyncGenerator<S, Yield = Y> + ?Sized,
    {
        YieldFromBoxed::new(Box::pin(AsAsync(source.source)), source.co.erase())
    }
}

impl StreamKind {
    /// # Safety
    /// The future must be awaited at once, where it is made, by the body of the generator
    /// `source`'s capability belongs to (as `#[generator]` writes it): the trampoline keeps
    /// pointers into it, and into what it delegates to, past the poll that made them, so it
    /// must stay suspended there until its delegate completes or is dropped.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub unsafe fn delegate<St, Y, S>(
        self,
        source: Source<St, Y, S, Awaiting>,
    ) -> YieldFromStream<St, S>
    where
        St: Stream<Item = Y>,
        S: StreamSend,
    {
        YieldFromStream {
            stream: source.source,
            co: source.co.erase(),
        }
    }
}

/// An async generator seen as a generator whose polls may also wait (return `Pending`
/// without yielding), so that the delegation futures and the trampoline run it as they run
/// any generator. Only delegation makes one, and only polls it: stepping it as a generator
/// (which cannot wait) is refused.
#[repr(transparent)]
pub struct AsAsync<G: ?Sized>(G);

#[cfg(feature = "alloc")]
impl<G> AsAsync<G> {
    /// The same box, seen as holding an `AsAsync<G>`.
    fn boxed(generator: Pin<Box<G>>) -> Pin<Box<AsAsync<G>>> {
        // SAFETY: `AsAsync<G>` is `repr(transparent)` over `G`, so the allocation holds a
        // valid `AsAsync<G>` with the same layout; the value does not move, so it stays
        // pinned.
        unsafe {
            let raw = Box::into_raw(Pin::into_inner_unchecked(generator));
            Pin::new_unchecked(Box::from_raw(raw.cast::<AsAsync<G>>()))
        }
    }
}

impl<G: ?Sized> AsAsync<G> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn inner(self: Pin<&mut Self>) -> Pin<&mut G> {
        // SAFETY: structural pinning of the only field.
        unsafe { self.map_unchecked_mut(|this| &mut this.0) }
    }
}

impl<G: AsyncGenerator<S> + ?Sized, S> Generator<S> for AsAsync<G> {
    type Yield = G::Yield;
    type Return = G::Return;

    fn start(self: Pin<&mut Self>) -> GeneratorState<G::Yield, G::Return> {
        unreachable!("cogen: an async delegate was stepped as a generator")
    }

    fn resume(self: Pin<&mut Self>, _: S) -> GeneratorState<G::Yield, G::Return> {
        unreachable!("cogen: an async delegate was stepped as a generator")
    }

    fn close(self: Pin<&mut Self>) {
        self.inner().close();
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn status(&self) -> Status {
        self.0.status()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn __cogen_poll(
        self: Pin<&mut Self>,
        io: &mut Io<G::Yield, S>,
        waker: &Waker,
        sealed: Sealed,
    ) -> Poll<G::Return> {
        self.inner().__cogen_poll(io, waker, sealed)
    }
}

/// PEP 380 starts the subgenerator itself: one that is not `send = ()` must not have
/// started yet (there is no value to resume it with). Checked when the delegation's kind
/// is chosen (`__cogen_kind`, which the expansion calls with the user's own span), so the
/// panic points at the user's `yield_from!`.
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
pub(crate) fn check_fresh(status: Status) {
    if status != Status::Created {
        not_fresh(status, false)
    }
}

/// With `send = ()` a generator that started is resumed: only a closed one is refused.
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
pub(crate) fn check_not_closed(status: Status) {
    if status == Status::Closed {
        not_fresh(status, false)
    }
}

/// The same for a boxed generator, which the trampoline always starts.
#[cfg(feature = "alloc")]
#[cfg_attr(not(debug_assertions), inline(always))]
#[track_caller]
pub(crate) fn check_fresh_boxed(status: Status) {
    if status != Status::Created {
        not_fresh(status, true)
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn not_fresh(status: Status, boxed: bool) -> ! {
    match status {
        Status::Suspended if boxed => panic!(
            "yield_from! over a boxed generator that has already started (it is suspended at \
             a yield): a boxed delegate is started by `yield_from!`; delegate to it before its \
             first step, or, with `send = ()`, through a pinned reference, which \
             `yield_from!` resumes where it is suspended: `yield_from!(boxed.as_mut())`"
        ),
        Status::Suspended => panic!(
            "yield_from! over a generator that has already started (it is suspended at a \
             yield): `yield_from!` would have to resume it, and only with `send = ()` is \
             there a value to resume it with (PEP 380's `next(_i)`); delegate to it before \
             its first step, or forward its steps by hand: \
             `loop {{ match g.as_mut().resume(yield_!(last)) {{ Yielded(v) => last = v, \
             Complete(r) => break r }} }}`"
        ),
        _ => panic!(
            "yield_from! over a generator that is closed (it completed, was closed, or \
             panicked): it has nothing left to give; delegate to a new one"
        ),
    }
}

/// `yield_from!(iterable)`: yields each item; sent values are `()` and dropped.
pub struct YieldFromIter<I: Iterator, S> {
    iter: I,
    co: Co<I::Item, S>,
}

// The iterator is never pinned: it is only used through `&mut`.
impl<I: Iterator, S> Unpin for YieldFromIter<I, S> {}

impl<I: Iterator, S> Future for YieldFromIter<I, S> {
    type Output = ();

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let (io, _) = exchange(cx, this.co, None);
        let _unit = io.take_sent();
        match this.iter.next() {
            Some(value) => {
                io.put_yielded(value);
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

/// `yield_from!(generator)`, the generator held in place.
pub struct YieldFromGenerator<G: Generator<S>, S> {
    sub: G,
    co: Co<G::Yield, S>,
}

impl<G: Generator<S>, S> Future for YieldFromGenerator<G, S> {
    type Output = G::Return;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<G::Return> {
        // SAFETY: `sub` is structurally pinned: never moved out, dropped in place.
        let this = unsafe { self.get_unchecked_mut() };
        // Its delegate's trampoline may park in the exchange area: it must stay in its body.
        let (io, waker) = exchange(cx, this.co, Some(ptr::from_ref(this).cast()));
        // SAFETY: `sub` is structurally pinned (see above).
        unsafe { Pin::new_unchecked(&mut this.sub) }.__cogen_poll(io, waker, Sealed::new())
    }
}

/// `yield_from!(generator)` with `send = ()`, the generator held in place: one that
/// already started is resumed with `()` at the first poll (PEP 380's `next(_i)`), where a
/// fresh one is started.
pub struct YieldFromUnitGenerator<G: Generator<()>> {
    sub: G,
    /// The delegator's identity (its capability's `Owner`) with the "resume first" flag in
    /// its spare low bit: one word, where a `Co` and a `bool` were two (8 bytes a level of
    /// static nesting, PROFILING.md).
    co_and_resume_first: u64,
    _types: Invariant<G::Yield, ()>,
}

impl<G: Generator<()>> Future for YieldFromUnitGenerator<G> {
    type Output = G::Return;

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<G::Return> {
        // SAFETY: `sub` is structurally pinned: never moved out, dropped in place.
        let this = unsafe { self.get_unchecked_mut() };
        // Its delegate's trampoline may park in the exchange area: it must stay in its body.
        let co = Co::<G::Yield, ()>::new(Owner::in_word(this.co_and_resume_first));
        let (io, waker) = exchange(cx, co, Some(ptr::from_ref(this).cast()));
        if this.co_and_resume_first & 1 == 1 {
            // The delegator's own yield took what it was sent: the area is empty.
            this.co_and_resume_first &= !1;
            io.sent = Some(());
        }
        // SAFETY: `sub` is structurally pinned (see above).
        unsafe { Pin::new_unchecked(&mut this.sub) }.__cogen_poll(io, waker, Sealed::new())
    }
}

/// `yield_from!(stream)` in an async generator: yields each item, waiting (with the real
/// waker) whenever the stream does; sent values are `()` and dropped.
pub struct YieldFromStream<St: Stream, S> {
    stream: St,
    co: Co<St::Item, S>,
}

impl<St: Stream, S> Future for YieldFromStream<St, S> {
    type Output = ();

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `stream` is structurally pinned: never moved out, dropped in place.
        let this = unsafe { self.get_unchecked_mut() };
        let (io, waker) = exchange(cx, this.co, None);
        let _unit = io.take_sent();
        // SAFETY: as above.
        let stream = unsafe { Pin::new_unchecked(&mut this.stream) };
        match stream.poll_next(&mut Context::from_waker(waker)) {
            Poll::Ready(Some(value)) => {
                io.put_yielded(value);
                Poll::Pending
            }
            Poll::Ready(None) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
        }
    }
}
