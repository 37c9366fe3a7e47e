//! `yield_from!(Box::pin(generator))`: boxed delegates run flat on a trampoline.
//!
//! The first [`YieldFromBoxed`] polled without a trampoline above it *becomes* the
//! trampoline: it owns a stack of boxed frames. While it runs a frame, the exchange area is
//! marked `trampoline`; a boxed `yield_from!` anywhere inside that frame then *hands its
//! box up* instead of polling it, and suspends. The trampoline pushes the new frame and
//! resumes it directly, so the innermost generator of a chain of boxed delegations is
//! resumed directly: an item costs the same at any depth, and recursion does not grow the
//! native stack. When the top frame completes, its return value is written to the waiting
//! `yield_from!`'s slot, the frame is popped, and the frame below is polled once more.
//!
//! The outermost generator also *parks* a trampoline that suspended (see `Gen::parked`),
//! so that its next step runs the trampoline without re-entering the bodies in between.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::{Cell, UnsafeCell};
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::ptr::{self, NonNull};
use core::task::{Context, Poll, Waker};

use super::bridge::exchange;
use super::exchange::Io;
use super::yield_point::Co;
use crate::Generator;
use crate::generator::Sealed;

/// One generator on a trampoline's stack, its return type erased: on completion it writes
/// its return value to the slot of the `yield_from!` that is waiting for it.
pub(crate) struct Frame<Y, S> {
    generator: Pin<Box<dyn Erased<Y, S>>>,
    /// `*mut Option<R>` for the generator's `Return = R`.
    ret: *mut (),
    /// Set while the frame lives, in the `yield_from!` that waits for it (see
    /// `YieldFromBoxed::delegate_alive`); cleared by `release`.
    alive: *const Cell<bool>,
}

impl<Y, S> Frame<Y, S> {
    /// Drop the frame and let its waiting `yield_from!` know. Not a `Drop` impl: one on
    /// `Frame` gives every step's exchange area drop glue the optimizer cannot see through
    /// (W1 2.5x slower); every place that drops a frame calls this instead. A frame that
    /// is dropped otherwise (an exchange area dropped with a hand-off nobody took, which
    /// nothing cogen writes does) leaves its `yield_from!` believing it alive, and that one
    /// then aborts when dropped: it fails closed.
    pub(crate) fn release(self) {
        // First: if the generator's destructor panics, the unwinding drops the `yield_from!`
        // too, which must not think its delegate still runs.
        // SAFETY: `Frame::new`'s contract: the waiting `yield_from!` outlives the frame.
        unsafe { (*self.alive).set(false) }
        drop(self);
    }
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
        match self.__cogen_poll(io, waker, Sealed::new()) {
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
    /// `ret` and `alive` must stay valid (for writes of `Option<G::Return>`, and for
    /// reads and writes) for as long as the frame is alive, and everything `G` borrows must
    /// outlive the frame (see `YieldFromBoxed`).
    pub(crate) unsafe fn new<'g, G: Generator<S, Yield = Y> + 'g>(
        generator: Pin<Box<G>>,
        ret: *mut Option<G::Return>,
        alive: *const Cell<bool>,
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
            alive,
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
pub(crate) struct Trampoline<Y, S> {
    frames: Vec<Frame<Y, S>>,
    /// An outermost generator holds a pointer to this trampoline (`Gen::parked`).
    parked: bool,
}

impl<Y, S> Trampoline<Y, S> {
    fn new(bottom: Frame<Y, S>) -> Self {
        Trampoline {
            frames: alloc::vec![bottom],
            parked: false,
        }
    }

    /// Record that an outermost generator holds `this`.
    ///
    /// # Safety
    /// `this` points to a live trampoline.
    pub(crate) unsafe fn mark_parked(this: NonNull<Self>) {
        // SAFETY: per the contract; nothing else accesses it during this write.
        unsafe { (*this.as_ptr()).parked = true }
    }

    /// Record that the outermost generator let go of `this`.
    ///
    /// # Safety
    /// `this` points to a live trampoline.
    pub(crate) unsafe fn unpark(this: NonNull<Self>) {
        // SAFETY: per the contract; nothing else accesses it during this write.
        unsafe { (*this.as_ptr()).parked = false }
    }
}

impl<Y, S> Drop for Trampoline<Y, S> {
    fn drop(&mut self) {
        if self.parked {
            // A generator still points here: letting this memory go would leave it
            // dangling. The generator always lets go before its body drops the trampoline,
            // so this is a bug in cogen (or a broken `delegate` contract); unwinding past
            // it is not an option.
            abort("cogen: a parked trampoline was dropped while a generator still held it");
        }
        /// If a frame's destructor panics, the frames below it are still dropped, still
        /// innermost first (a frame may borrow from the one below it).
        struct DropRestOnUnwind<'a, Y, S>(&'a mut Vec<Frame<Y, S>>);
        impl<Y, S> Drop for DropRestOnUnwind<'_, Y, S> {
            fn drop(&mut self) {
                while let Some(frame) = self.0.pop() {
                    frame.release();
                }
            }
        }
        while let Some(frame) = self.frames.pop() {
            let rest = DropRestOnUnwind(&mut self.frames);
            frame.release();
            core::mem::forget(rest);
        }
    }
}

/// Stop the process: a panic while panicking aborts, also without `std`.
#[cold]
fn abort(message: &str) -> ! {
    struct PanicAgain;
    impl Drop for PanicAgain {
        fn drop(&mut self) {
            panic!("cogen: aborting");
        }
    }
    let _again = PanicAgain;
    panic!("{message}")
}

/// Run the innermost frame until something is yielded (`Pending`) or the bottom frame
/// completes (`Ready`), which leaves the stack empty. An empty stack is `Ready` at once.
///
/// The caller has marked `io` as running a trampoline (`Io::with_trampoline_mark`, or
/// `driver::run_parked` on the fresh exchange area of a step). The common step, the top frame
/// yielding with nothing handed up, is one frame poll and one test.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn run_marked<Y, S>(
    trampoline: &mut Trampoline<Y, S>,
    io: &mut Io<Y, S>,
    waker: &Waker,
) -> Poll<()> {
    debug_assert!(io.in_trampoline());
    let frames = &mut trampoline.frames;
    loop {
        let Some(top) = frames.last_mut() else {
            return Poll::Ready(());
        };
        if top.poll(io, waker).is_pending() {
            if !io.has_hand_off() {
                return Poll::Pending;
            }
            if let Some(frame) = io.take_hand_off() {
                frames.push(frame);
            }
        } else if let Some(done) = frames.pop() {
            done.release();
        }
    }
}

enum BoxedState<Y, S> {
    /// Not polled yet.
    Fresh,
    /// Handed to an enclosing trampoline; waiting for it to fill `ret`.
    HandedOff,
    /// Running its own trampoline.
    Trampoline(Trampoline<Y, S>),
    /// Its delegate completed and the value was taken.
    Done,
}

/// Replace a state that owns nothing (`Fresh`, `HandedOff`) with `new`. An assignment
/// would call the drop glue of the whole `BoxedState` (the trampoline's included), which
/// the optimizer does not always inline and fold away: when it did not, W4 paid 27
/// instructions per node for it (BENCHMARKS.md, "Compile time").
#[cfg_attr(not(debug_assertions), inline(always))]
fn set_empty<Y, S>(state: &mut BoxedState<Y, S>, new: BoxedState<Y, S>) {
    let old = core::mem::replace(state, new);
    debug_assert!(matches!(old, BoxedState::Fresh | BoxedState::HandedOff));
    // It owns nothing: forgetting it leaks nothing.
    core::mem::forget(old);
}

/// `yield_from!(Box::pin(generator))`.
///
/// If an enclosing `yield_from!` already runs a trampoline (the exchange area says so), the
/// boxed generator is handed to it and this future just waits for its return value;
/// otherwise this future becomes the trampoline.
///
/// Soundness of the hand-off: a frame on the stack may borrow from the frame below it (the
/// generator whose `yield_from!` made it). Frames are popped, and dropped, innermost first,
/// and a frame below is only polled again once the frame above it has completed, so every
/// borrow outlives its borrower; the `ret` slot lives in this pinned future, which stays
/// suspended in the frame below until the frame above completes or is dropped
/// (`delegate`'s contract: the body awaits it where it is written).
pub struct YieldFromBoxed<G: Generator<S>, S> {
    co: Co<G::Yield, S>,
    sub: Option<Pin<Box<G>>>,
    state: BoxedState<G::Yield, S>,
    ret: UnsafeCell<Option<G::Return>>,
    /// Whether the frame handed up to an enclosing trampoline still lives (and points at
    /// `ret`): dropping this future then would leave it dangling, so `drop` aborts.
    delegate_alive: Cell<bool>,
    _pinned: PhantomPinned,
}

impl<G: Generator<S>, S> Drop for YieldFromBoxed<G, S> {
    fn drop(&mut self) {
        if matches!(self.state, BoxedState::HandedOff) && self.delegate_alive.get() {
            // Only a body that let go of a `yield_from!` it had not finished awaiting gets
            // here (`delegate`'s contract, and the checks in `exchange`, rule it out for
            // everything cogen writes); unwinding past it is not an option.
            abort("cogen: a boxed yield_from! was dropped while its delegate still ran");
        }
    }
}

impl<G: Generator<S>, S> YieldFromBoxed<G, S> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new(sub: Pin<Box<G>>, co: Co<G::Yield, S>) -> Self {
        YieldFromBoxed {
            co,
            sub: Some(sub),
            state: BoxedState::Fresh,
            ret: UnsafeCell::new(None),
            delegate_alive: Cell::new(false),
            _pinned: PhantomPinned,
        }
    }
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

    // Inline: it is polled twice per delegation (to hand its generator off, to take its
    // return value), so a recursive walk calls it twice per node (W4).
    #[cfg_attr(not(debug_assertions), inline(always))]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<G::Return> {
        // SAFETY: nothing is moved out of the pinned future; `sub` is a `Pin<Box<_>>`.
        let this = unsafe { self.get_unchecked_mut() };
        let (io, waker) = exchange(cx, this.co, Some(ptr::from_ref(this).cast()));
        match &mut this.state {
            BoxedState::Fresh => {
                let Some(sub) = this.sub.take() else {
                    unreachable!("cogen: a boxed delegation lost its generator")
                };
                // SAFETY: `ret` is in this pinned future, which outlives the frame: the
                // frame is either on this future's own stack or above this future's
                // generator on an enclosing trampoline's stack (see the type's docs).
                let frame = unsafe { Frame::new(sub, this.ret.get(), &this.delegate_alive) };
                if io.in_trampoline() {
                    this.delegate_alive.set(true);
                    io.hand_off(frame);
                    set_empty(&mut this.state, BoxedState::HandedOff);
                    return Poll::Pending;
                }
                set_empty(
                    &mut this.state,
                    BoxedState::Trampoline(Trampoline::new(frame)),
                );
            }
            BoxedState::HandedOff => {
                if this.delegate_alive.get() {
                    unreachable!(
                        "cogen: a handed-off delegation was polled while its delegate runs"
                    )
                }
                return match this.ret.get_mut().take() {
                    Some(value) => {
                        set_empty(&mut this.state, BoxedState::Done);
                        Poll::Ready(value)
                    }
                    None => unreachable!(
                        "cogen: a trampoline resumed a generator whose delegate is still running"
                    ),
                };
            }
            BoxedState::Trampoline(_) => {}
            BoxedState::Done => unreachable!("cogen: a finished delegation was polled"),
        }
        let BoxedState::Trampoline(trampoline) = &mut this.state else {
            unreachable!()
        };
        if io
            .with_trampoline_mark(true, |io| run_marked(trampoline, io, waker))
            .is_pending()
        {
            io.park(NonNull::from(trampoline));
            return Poll::Pending;
        }
        this.state = BoxedState::Done;
        match this.ret.get_mut().take() {
            Some(value) => Poll::Ready(value),
            None => unreachable!("cogen: a delegate completed without a value"),
        }
    }
}
