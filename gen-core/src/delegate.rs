//! `yield_from!`: PEP 380 delegation, in three forms chosen at compile time.
//!
//! * a generator held inline (`yield_from!(sub())`, `Pin<&mut G>`, `Pin<Box<dyn ..>>`):
//!   [`YieldFromGenerator`] polls it with the delegator's own exchange area, so the
//!   innermost generator's yields and the caller's sends cross every level without a copy;
//! * a boxed generator (`yield_from!(Box::pin(sub()))`, also `Pin<Box<dyn Generator<..>>>`):
//!   [`YieldFromBoxed`] hands it to a *trampoline*, which resumes the innermost generator of
//!   a chain directly, so an item costs the same at any depth and recursion does not grow
//!   the native stack;
//! * an [`IntoGenerator`] (an `asyncio` future or task): the generator it makes, held
//!   inline as above;
//! * a plain `IntoIterator` (when `send = ()`): [`YieldFromIter`].
//!
//! The form is chosen by method resolution on `&&&&&&Source`: each form's `__cogen_kind` is
//! implemented one reference deeper than the next, so the most specific one that applies
//! wins (the "autoref specialization" pattern), and anything else reaches
//! [`DelegateOther`], whose bound names what `yield_from!` accepts.
//!
//! Everything here is reached only through the hidden `__private` module.
#![allow(missing_docs)]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::future::Future;
use core::marker::{PhantomData, PhantomPinned};
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use crate::bridge::bridged;
use crate::runtime::{Co, Io};
use crate::{Generator, IntoGenerator, Status};

/// The operand of one `yield_from!`, with the delegator's yield and send types.
pub struct Source<T, Y, S> {
    source: T,
    _co: Co<Y, S>,
}

impl<T, Y, S> Source<T, Y, S> {
    #[inline(always)]
    pub fn new(source: T, co: Co<Y, S>) -> Self {
        Source { source, _co: co }
    }
}

/// Tag: delegate to a boxed generator through the trampoline.
pub struct BoxedKind;
/// Tag: delegate to a boxed unsized generator (`dyn`) through the trampoline.
pub struct BoxedDynKind;
/// Tag: delegate to a generator polled in place.
pub struct GeneratorKind;
/// Tag: delegate to the generator an [`IntoGenerator`] makes, polled in place.
pub struct IntoGeneratorKind;
/// Tag: delegate to an iterator.
pub struct IterKind;
/// Tag: not something `yield_from!` accepts.
pub struct OtherKind;

pub trait DelegateBoxed {
    fn __cogen_kind(&self) -> BoxedKind {
        BoxedKind
    }
}
impl<G: Generator<S>, Y, S> DelegateBoxed for &&&&&Source<Pin<Box<G>>, Y, S> {}

pub trait DelegateBoxedDyn {
    fn __cogen_kind(&self) -> BoxedDynKind {
        BoxedDynKind
    }
}
impl<G: Generator<S> + ?Sized, Y, S> DelegateBoxedDyn for &&&&Source<Pin<Box<G>>, Y, S> {}

pub trait DelegateGenerator {
    fn __cogen_kind(&self) -> GeneratorKind {
        GeneratorKind
    }
}
impl<G: Generator<S>, Y, S> DelegateGenerator for &&&Source<G, Y, S> {}

pub trait DelegateIntoGenerator {
    fn __cogen_kind(&self) -> IntoGeneratorKind {
        IntoGeneratorKind
    }
}
impl<G: IntoGenerator<S>, Y, S> DelegateIntoGenerator for &&Source<G, Y, S> {}

pub trait DelegateIter {
    fn __cogen_kind(&self) -> IterKind {
        IterKind
    }
}
impl<I: IntoIterator, Y, S> DelegateIter for &Source<I, Y, S> {}

pub trait DelegateOther {
    fn __cogen_kind(&self) -> OtherKind {
        OtherKind
    }
}
impl<T, Y, S> DelegateOther for Source<T, Y, S> {}

/// Marks the types `yield_from!` can delegate to; nothing else implements it, so using
/// anything else reports this trait's message.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` cannot delegate to `{Self}`",
    label = "not a generator or an iterator",
    note = "`yield_from!` accepts a generator (anything implementing `Generator<S>` with this \
            generator's send type, e.g. a #[generator] fn's result, `Pin<&mut G>` or \
            `Pin<Box<G>>`), an `IntoGenerator<S>` (e.g. an asyncio `Future` or `Task`) or, \
            when `send = ()`, an `IntoIterator` of the yield type"
)]
pub trait Delegable {}

/// The send type of a generator that delegates to a plain iterator: only `()`.
#[diagnostic::on_unimplemented(
    message = "`yield_from!` over a plain iterator needs `send = ()`, but this generator's send type is `{Self}`",
    label = "an iterator cannot receive the values sent to this generator",
    note = "delegate to a generator whose send type is `{Self}` instead; if this is a \
            generator, its send type must be the same as the delegating generator's"
)]
pub trait IterSend {}
impl IterSend for () {}

impl OtherKind {
    pub fn delegate<T: Delegable, Y, S>(self, source: Source<T, Y, S>) -> Never<Y, S> {
        let _ = source;
        unreachable!()
    }
}

/// The future of an invalid `yield_from!` (never constructed: its construction fails to
/// type-check first). Keeps the expansion well-typed so only one error is reported.
pub struct Never<Y, S>(Co<Y, S>);

impl<Y, S> Future for Never<Y, S> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        unreachable!()
    }
}

impl IterKind {
    #[inline(always)]
    pub fn delegate<I, Y, S>(self, source: Source<I, Y, S>) -> YieldFromIter<I::IntoIter, S>
    where
        I: IntoIterator<Item = Y>,
        S: IterSend,
    {
        YieldFromIter {
            iter: source.source.into_iter(),
            _send: PhantomData,
        }
    }
}

impl GeneratorKind {
    #[inline(always)]
    pub fn delegate<G, Y, S>(self, source: Source<G, Y, S>) -> YieldFromGenerator<G, S>
    where
        G: Generator<S, Yield = Y>,
    {
        YieldFromGenerator {
            sub: source.source,
            started: false,
            _send: PhantomData,
        }
    }
}

impl IntoGeneratorKind {
    #[inline(always)]
    pub fn delegate<G, Y, S>(self, source: Source<G, Y, S>) -> YieldFromGenerator<G::IntoGen, S>
    where
        G: IntoGenerator<S, Yield = Y>,
    {
        GeneratorKind.delegate(Source::new(source.source.into_generator(), source._co))
    }
}

impl BoxedKind {
    #[inline(always)]
    pub fn delegate<G, Y, S>(self, source: Source<Pin<Box<G>>, Y, S>) -> YieldFromBoxed<G, S>
    where
        G: Generator<S, Yield = Y>,
    {
        YieldFromBoxed {
            sub: Some(source.source),
            state: BoxedState::Fresh,
            ret: UnsafeCell::new(None),
            _pinned: PhantomPinned,
        }
    }
}

impl BoxedDynKind {
    /// A `Pin<Box<dyn Generator>>` cannot be erased into a frame as it is (one trait object
    /// cannot become another), so it is boxed once more: one small allocation per
    /// delegation, none per item.
    #[inline(always)]
    pub fn delegate<G, Y, S>(
        self,
        source: Source<Pin<Box<G>>, Y, S>,
    ) -> YieldFromBoxed<Pin<Box<G>>, S>
    where
        G: Generator<S, Yield = Y> + ?Sized,
    {
        YieldFromBoxed {
            sub: Some(Box::pin(source.source)),
            state: BoxedState::Fresh,
            ret: UnsafeCell::new(None),
            _pinned: PhantomPinned,
        }
    }
}

/// PEP 380 starts the subgenerator itself: it must not have started yet.
#[inline(always)]
fn check_fresh(status: Status) {
    if status != Status::Created {
        not_fresh(status)
    }
}

#[cold]
#[inline(never)]
fn not_fresh(status: Status) -> ! {
    if status == Status::Suspended {
        panic!(
            "yield_from! needs a generator that has not started: it starts the generator \
             itself; this one is already suspended at a yield (Python's `yield from` would \
             resume it with `next`, but that needs a sent value cogen cannot invent): \
             delegate to it before starting it, or drive it by hand"
        )
    }
    panic!(
        "yield_from! over a generator that is closed (it completed, was closed, or \
         panicked): it has nothing left to give; delegate to a new one"
    )
}

/// `yield_from!(iterable)`: yields each item; sent values are `()` and dropped.
pub struct YieldFromIter<I, S> {
    iter: I,
    _send: PhantomData<fn(S) -> S>,
}

// The iterator is never pinned: it is only used through `&mut`.
impl<I, S> Unpin for YieldFromIter<I, S> {}

impl<I: Iterator, S> Future for YieldFromIter<I, S> {
    type Output = ();

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: made by `IterKind::delegate` in a body whose `Co` has yield type
        // `I::Item` and send type `S` (see `YieldNow::poll`).
        let (io, _) = unsafe { bridged::<I::Item, S>(cx) };
        let _unit = io.take_sent();
        match self.get_mut().iter.next() {
            Some(value) => {
                io.put_yielded(value);
                Poll::Pending
            }
            None => Poll::Ready(()),
        }
    }
}

/// `yield_from!(generator)`, the generator held in place.
pub struct YieldFromGenerator<G, S> {
    sub: G,
    started: bool,
    _send: PhantomData<fn(S) -> S>,
}

impl<G: Generator<S>, S> Future for YieldFromGenerator<G, S> {
    type Output = G::Return;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<G::Return> {
        // SAFETY: `sub` is structurally pinned: never moved out, dropped in place.
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            check_fresh(this.sub.status());
            this.started = true;
        }
        // SAFETY: made by `GeneratorKind::delegate` in a body whose `Co` has yield type
        // `G::Yield` and send type `S` (see `YieldNow::poll`).
        let (io, waker) = unsafe { bridged::<G::Yield, S>(cx) };
        // SAFETY: `sub` is structurally pinned (see above).
        unsafe { Pin::new_unchecked(&mut this.sub) }.__cogen_poll(io, waker)
    }
}

/// One generator on a trampoline's stack, its return type erased: on completion it writes
/// its return value to the slot of the `yield_from!` that is waiting for it.
pub struct Frame<Y, S> {
    generator: Pin<Box<dyn Erased<Y, S>>>,
    /// `*mut Option<R>` for the generator's `Return = R`.
    ret: *mut (),
}

trait Erased<Y, S> {
    /// # Safety
    /// `ret` must be valid for writing an `Option<Self::Return>` of the erased generator.
    unsafe fn poll_erased(
        self: Pin<&mut Self>,
        io: &mut Io<Y, S>,
        waker: &Waker,
        ret: *mut (),
    ) -> Poll<()>;
}

impl<G: Generator<S, Yield = Y>, Y, S> Erased<Y, S> for G {
    #[inline]
    unsafe fn poll_erased(
        self: Pin<&mut Self>,
        io: &mut Io<Y, S>,
        waker: &Waker,
        ret: *mut (),
    ) -> Poll<()> {
        match self.__cogen_poll(io, waker) {
            Poll::Ready(value) => {
                // SAFETY: per this function's contract.
                unsafe { *ret.cast::<Option<G::Return>>() = Some(value) };
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<Y, S> Frame<Y, S> {
    /// Erase a boxed generator that will write its return value to `ret`.
    ///
    /// # Safety
    /// `ret` must stay valid for writes of `Option<G::Return>` for as long as the frame is
    /// alive, and everything `G` borrows must outlive the frame (see `YieldFromBoxed`).
    unsafe fn new<'g, G: Generator<S, Yield = Y> + 'g>(
        generator: Pin<Box<G>>,
        ret: *mut Option<G::Return>,
    ) -> Self {
        let generator: Pin<Box<dyn Erased<Y, S> + 'g>> = generator;
        Frame {
            // SAFETY: only the trait object's lifetime bound changes; the caller guarantees
            // that what the generator borrows outlives the frame.
            generator: unsafe {
                core::mem::transmute::<Pin<Box<dyn Erased<Y, S> + 'g>>, Pin<Box<dyn Erased<Y, S>>>>(
                    generator,
                )
            },
            ret: ret.cast(),
        }
    }

    #[inline]
    fn poll(&mut self, io: &mut Io<Y, S>, waker: &Waker) -> Poll<()> {
        // SAFETY: `ret` is valid per `Frame::new`'s contract.
        unsafe { self.generator.as_mut().poll_erased(io, waker, self.ret) }
    }
}

/// The generators a trampoline is running, outermost first. Dropped innermost first, as
/// Python's `close()` finalizes a delegation chain.
pub struct Stack<Y, S>(Vec<Frame<Y, S>>);

impl<Y, S> Drop for Stack<Y, S> {
    fn drop(&mut self) {
        /// If a frame's destructor panics, the frames below it are still dropped, still
        /// innermost first (a frame may borrow from the one below it).
        struct DropRestOnUnwind<'a, Y, S>(&'a mut Vec<Frame<Y, S>>);
        impl<Y, S> Drop for DropRestOnUnwind<'_, Y, S> {
            fn drop(&mut self) {
                while let Some(frame) = self.0.pop() {
                    drop(frame);
                }
            }
        }
        while let Some(frame) = self.0.pop() {
            let rest = DropRestOnUnwind(&mut self.0);
            drop(frame);
            core::mem::forget(rest);
        }
    }
}

enum BoxedState<Y, S> {
    /// Not polled yet.
    Fresh,
    /// Handed to an enclosing trampoline; waiting for it to fill `ret`.
    HandedOff,
    /// Running its own trampoline.
    Trampoline(Stack<Y, S>),
}

/// `yield_from!(Box::pin(generator))`.
///
/// If an enclosing `yield_from!` already runs a trampoline (the exchange area says so), the
/// boxed generator is handed to it and this future just waits for its return value;
/// otherwise this future becomes the trampoline. Either way the innermost generator of a
/// chain of boxed delegations is resumed directly.
///
/// Soundness of the hand-off: a frame on the stack may borrow from the frame below it (the
/// generator whose `yield_from!` made it). Frames are popped, and dropped, innermost first,
/// and a frame below is only polled again once the frame above it has completed, so every
/// borrow outlives its borrower; the `ret` slot lives in the (pinned) future of the frame
/// below, which the frame above cannot outlive.
pub struct YieldFromBoxed<G: Generator<S>, S> {
    sub: Option<Pin<Box<G>>>,
    state: BoxedState<G::Yield, S>,
    ret: UnsafeCell<Option<G::Return>>,
    _pinned: PhantomPinned,
}

// SAFETY: the frames on the stack are `G` and the boxed generators that `G`'s own
// delegations (transitively) handed up; each of those is part of `G`'s state, and its
// `YieldFromBoxed` is `Send` only if it is, so `G: Send` covers them all. `ret` holds a
// `G::Return`. The raw pointers point into those same heap-pinned frames.
unsafe impl<G: Generator<S> + Send, S> Send for YieldFromBoxed<G, S> where G::Return: Send {}
// SAFETY: a shared `&YieldFromBoxed` gives access to nothing.
unsafe impl<G: Generator<S>, S> Sync for YieldFromBoxed<G, S> {}

impl<G: Generator<S>, S> Future for YieldFromBoxed<G, S> {
    type Output = G::Return;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<G::Return> {
        // SAFETY: nothing is moved out of the pinned future; `sub` is a `Pin<Box<_>>`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: made by `BoxedKind::delegate` in a body whose `Co` has yield type
        // `G::Yield` and send type `S` (see `YieldNow::poll`).
        let (io, waker) = unsafe { bridged::<G::Yield, S>(cx) };
        match &mut this.state {
            BoxedState::Fresh => {
                let Some(sub) = this.sub.take() else {
                    unreachable!("cogen: a boxed delegation lost its generator")
                };
                check_fresh(sub.status());
                // SAFETY: `ret` is in this pinned future, which outlives the frame: the
                // frame is either on this future's own stack or above this future's
                // generator on an enclosing trampoline's stack (see the type's docs).
                let frame = unsafe { Frame::new(sub, this.ret.get()) };
                if io.in_trampoline() {
                    io.hand_off(frame);
                    this.state = BoxedState::HandedOff;
                    return Poll::Pending;
                }
                this.state = BoxedState::Trampoline(Stack(alloc::vec![frame]));
            }
            BoxedState::HandedOff => {
                return match this.ret.get_mut().take() {
                    Some(value) => Poll::Ready(value),
                    None => unreachable!(
                        "cogen: a trampoline resumed a generator whose delegate is still running"
                    ),
                };
            }
            BoxedState::Trampoline(_) => {}
        }
        let BoxedState::Trampoline(stack) = &mut this.state else {
            unreachable!()
        };
        // An empty stack: the outermost generator ran it to the end (see `Gen::parked`).
        if !stack.0.is_empty() && run_trampoline(stack, io, waker).is_pending() {
            io.park(NonNull::from(stack));
            return Poll::Pending;
        }
        match this.ret.get_mut().take() {
            Some(value) => Poll::Ready(value),
            None => unreachable!("cogen: a delegate completed without a value"),
        }
    }
}

/// Run the innermost frame until something is yielded (`Pending`) or the bottom frame
/// completes (`Ready`), which leaves the stack empty.
#[inline]
pub(crate) fn run_trampoline<Y, S>(
    stack: &mut Stack<Y, S>,
    io: &mut Io<Y, S>,
    waker: &Waker,
) -> Poll<()> {
    let outer = io.enter_trampoline();
    let poll = loop {
        let Some(top) = stack.0.last_mut() else {
            unreachable!("cogen: an empty trampoline was resumed")
        };
        match top.poll(io, waker) {
            Poll::Pending => match io.take_hand_off() {
                Some(frame) => stack.0.push(frame),
                None => break Poll::Pending,
            },
            Poll::Ready(()) => {
                stack.0.pop();
                if stack.0.is_empty() {
                    break Poll::Ready(());
                }
            }
        }
    };
    io.leave_trampoline(outer);
    poll
}
