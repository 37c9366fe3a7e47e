//! The exchange area of one step: where a yielded value goes out and a sent value comes in.
//!
//! It lives on the stack of whoever drives the outermost generator (`start`, `resume`, an
//! iterator's `next`) and is shared, by pointer, by every generator of an inline delegation
//! chain during that step: they all have the same yield and send types, so the innermost
//! generator's value crosses every level without a copy.
//!
//! `Io` is `pub` only so that it can appear in the signature of the hidden
//! [`Generator::__cogen_poll`](crate::Generator::__cogen_poll): it lives in a private
//! module, so code outside this crate can neither name it nor make one, and so can neither
//! call nor override that method.

use core::ptr::{self, NonNull};

use super::trampoline::{Frame, Trampoline};

/// The exchange area of one step. See the module docs.
pub struct Io<Y, S> {
    pub(crate) sent: Option<S>,
    yielded: Option<Y>,
    /// A trampoline is running this step: a boxed `yield_from!` hands its generator up.
    trampoline: bool,
    /// The boxed generator a `yield_from!` handed up to the running trampoline.
    handed_off: Option<Frame<Y, S>>,
    /// A trampoline that suspended (yielded) in this step, for the outermost generator to
    /// resume directly next time (see `Gen::parked`).
    parked: Option<NonNull<Trampoline<Y, S>>>,
}

impl<Y, S> Io<Y, S> {
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new(sent: Option<S>) -> Self {
        Io {
            sent,
            yielded: None,
            trampoline: false,
            handed_off: None,
            parked: None,
        }
    }

    /// The end of the step: drop what is left, field by field, in place and inline. The
    /// drop glue of the whole area was an out-of-line call per step (13 instructions of
    /// W5's switch) that tested every field again; here the optimizer sees that the fields
    /// the step just took are empty, and only tests the others. (By value, the move into
    /// a `ManuallyDrop` copied the whole area first.)
    ///
    /// # Safety
    /// `self` must be forgotten (`mem::forget`) right after, neither used nor dropped again.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) unsafe fn drop_in_place(&mut self) {
        // SAFETY: each field with drop glue is dropped once, here, and (the caller's
        // promise) never touched again. `trampoline` and `parked` have none. As the area's
        // drop glue did, a hand-off nobody took is dropped, not released (nothing cogen
        // writes leaves one).
        unsafe {
            ptr::drop_in_place(&mut self.sent);
            ptr::drop_in_place(&mut self.yielded);
            ptr::drop_in_place(&mut self.handed_off);
        }
    }

    /// The value sent in by this step's `resume`, if not taken yet.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn take_sent(&mut self) -> Option<S> {
        self.sent.take()
    }

    /// Hand `value` out as this step's yielded value.
    ///
    /// # Panics
    /// If a value was already yielded in this step: two yield points were polled in one
    /// step, which only another macro's expansion can do (one that polls several futures
    /// at once, as `join!` does, or `select!` does with the futures of its branches).
    /// The second value would overwrite the first; the step panics instead.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn put_yielded(&mut self, value: Y) {
        if self.yielded.is_some() {
            two_yields();
        }
        self.yielded = Some(value);
    }

    /// The value yielded in this step.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn take_yielded(&mut self) -> Y {
        match self.yielded.take() {
            Some(value) => value,
            None => unreachable!("cogen: a generator suspended without yielding"),
        }
    }

    /// Whether the body polled in this step suspended: it yielded, or handed a boxed
    /// delegate up to the trampoline.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn has_suspended(&self) -> bool {
        self.yielded.is_some() || self.handed_off.is_some()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn in_trampoline(&self) -> bool {
        self.trampoline
    }

    /// Set the trampoline mark, for an exchange area nothing else has marked.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn set_trampoline_mark(&mut self, running: bool) {
        self.trampoline = running;
    }

    /// Run `poll` with the trampoline mark set to `running`, restoring the previous mark
    /// afterwards, also when `poll` unwinds (a caller that catches the panic inside the
    /// step must not find a stale mark).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn with_trampoline_mark<T>(
        &mut self,
        running: bool,
        poll: impl FnOnce(&mut Self) -> T,
    ) -> T {
        struct Restore<Y, S>(*mut Io<Y, S>, bool);
        impl<Y, S> Drop for Restore<Y, S> {
            fn drop(&mut self) {
                // SAFETY: made from the `&mut Io` below, only used when unwinding out of
                // `poll`, when that borrow is over.
                unsafe { (*self.0).trampoline = self.1 }
            }
        }
        let outer = core::mem::replace(&mut self.trampoline, running);
        let this = ptr::from_mut(self);
        let restore = Restore(this, outer);
        // SAFETY: derived from `this`, which the guard only uses when this access is over.
        let result = poll(unsafe { &mut *this });
        core::mem::forget(restore);
        // SAFETY: as above; `poll`'s borrow has ended.
        unsafe { (*this).trampoline = outer };
        result
    }

    /// Run `poll` with no trampoline visible (for a generator the caller does not own): nor
    /// a delegate handed up and not yet taken, which a trampoline inside it must not adopt.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn without_trampoline<T>(&mut self, poll: impl FnOnce(&mut Self) -> T) -> T {
        let pending_hand_off = self.handed_off.take();
        let result = self.with_trampoline_mark(false, poll);
        if pending_hand_off.is_some() {
            self.handed_off = pending_hand_off;
        }
        // Nor may its trampoline be parked in a generator that does not own it.
        if let Some(parked) = self.parked.take() {
            // SAFETY: it parked during `poll`, in the borrowed generator, which is alive.
            unsafe { Trampoline::unpark(parked) };
        }
        result
    }

    #[cfg(feature = "alloc")]
    pub(crate) fn hand_off(&mut self, frame: Frame<Y, S>) {
        debug_assert!(
            self.handed_off.is_none(),
            "two delegates handed up in one step"
        );
        if let Some(earlier) = self.handed_off.replace(frame) {
            earlier.release();
        }
    }

    /// Whether a boxed delegate was handed up and not yet taken.
    #[cfg(feature = "alloc")]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn has_hand_off(&self) -> bool {
        self.handed_off.is_some()
    }

    #[cfg(feature = "alloc")]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn take_hand_off(&mut self) -> Option<Frame<Y, S>> {
        self.handed_off.take()
    }

    #[cfg(feature = "alloc")]
    /// Offer a suspended trampoline to the outermost generator. It is marked parked from
    /// here on, until whoever takes the pointer lets go of it, so that dropping it while a
    /// pointer to it may be held aborts instead of dangling.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn park(&mut self, trampoline: NonNull<Trampoline<Y, S>>) {
        // SAFETY: the trampoline that is suspending, alive.
        unsafe { Trampoline::mark_parked(trampoline) };
        self.parked = Some(trampoline);
    }

    /// Whether a trampoline parked in this step (tested before `take_parked`: no store
    /// on the common path, where none did).
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn has_parked(&self) -> bool {
        self.parked.is_some()
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn take_parked(&mut self) -> Option<NonNull<Trampoline<Y, S>>> {
        self.parked.take()
    }
}

#[cold]
#[inline(never)]
fn two_yields() -> ! {
    panic!(
        "two cogen yield points were polled in one step (a macro such as `join!`, or \
         `select!` with `yield_!` in the futures of its branches, polls several at once): a \
         generator hands out one value per step; yield in the branch's handler instead \
         (`pattern = future => yield_!(value)`)"
    )
}

/// A yield point handed its value out and was then dropped, or polled again, by the macro
/// around it (`select!` drops the futures of the branches that lose; a `yield_!` in one of
/// them has yielded already): the value sent for it would be lost.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn stale_yield() -> ! {
    panic!(
        "a cogen yield point yielded and was then cancelled by the macro around it (a \
         `yield_!` in the future of a `select!` branch that lost the race?), so the value sent \
         for it has no receiver; yield in the branch's handler instead \
         (`pattern = future => yield_!(value)`); the generator is now closed"
    )
}
