//! How a suspended `yield_!` talks to the `resume` that polls it, without thread-locals,
//! allocation or a pointer stored in the generator.
//!
//! A generator body is an `async` block. To poll it, the generator builds a [`Context`]
//! whose waker is a *bridge*: its data pointer leads to a [`Bridge`] on the poller's stack,
//! which holds the real waker and the exchange area ([`Io`]) of this poll. The yield
//! futures of the body find the exchange area through it; everything else that looks at
//! the waker gets the real one (cloning the bridge clones the real waker, waking it wakes
//! the real one), so a real executor's waker passes through unchanged.

use core::ptr;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};

use crate::runtime::Io;

/// What the bridge waker's data pointer points to. Lives on the stack of
/// [`with_bridge`] for exactly one poll; only ever read through a shared reference.
struct Bridge<'w> {
    real: &'w Waker,
    io: *mut (),
}

static BRIDGE_VTABLE: RawWakerVTable =
    RawWakerVTable::new(bridge_clone, bridge_wake, bridge_wake_by_ref, bridge_drop);

unsafe fn bridge_clone(data: *const ()) -> RawWaker {
    // SAFETY: a bridge waker only exists inside `with_bridge`, whose `Bridge` outlives every
    // borrow of the waker (a `&Waker` taken from the `Context` cannot escape the poll).
    let bridge = unsafe { &*data.cast::<Bridge<'_>>() };
    // Hand out a clone of the real waker, so the clone outlives the bridge safely.
    let real = core::mem::ManuallyDrop::new(bridge.real.clone());
    RawWaker::new(real.data(), real.vtable())
}

unsafe fn bridge_wake(data: *const ()) {
    // The only owned bridge waker is the one `with_bridge` builds (clones are real wakers);
    // waking by value therefore means waking by reference.
    // SAFETY: as in `bridge_clone`.
    unsafe { bridge_wake_by_ref(data) }
}

unsafe fn bridge_wake_by_ref(data: *const ()) {
    // SAFETY: as in `bridge_clone`.
    let bridge = unsafe { &*data.cast::<Bridge<'_>>() };
    bridge.real.wake_by_ref();
}

unsafe fn bridge_drop(_: *const ()) {}

/// Poll something with a context whose waker bridges to `io` and forwards to `real`.
#[inline(always)]
pub(crate) fn with_bridge<Y, S, T>(
    io: &mut Io<Y, S>,
    real: &Waker,
    poll: impl FnOnce(&mut Context<'_>) -> T,
) -> T {
    let bridge = Bridge {
        real,
        io: ptr::from_mut(io).cast(),
    };
    // SAFETY: the vtable functions treat `data` as `&Bridge`, which lives until the end of
    // this function, longer than the waker. The waker is never dropped: its drop is a
    // no-op, and skipping it saves an indirect call per step.
    let waker = core::mem::ManuallyDrop::new(unsafe {
        Waker::from_raw(RawWaker::new(ptr::from_ref(&bridge).cast(), &BRIDGE_VTABLE))
    });
    poll(&mut Context::from_waker(&waker))
}

/// The exchange area and real waker of the generator whose body is being polled with `cx`.
///
/// # Safety
/// `Y` and `S` must be the yield and send types of the generator that is polling `cx`.
/// That holds for the yield futures the `#[generator]` expansion creates: their types come
/// from the body's `Co<Y, S>` token, which the generator's own type carries, and the body
/// is only ever polled by that generator (through [`with_bridge`]).
///
/// # Panics
/// If `cx` is not a generator's bridge context: a yield future polled by anything but its
/// own generator (which the macro's checks make impossible without `__private` access).
#[inline(always)]
pub(crate) unsafe fn bridged<'cx, Y, S>(
    cx: &'cx mut Context<'_>,
) -> (&'cx mut Io<Y, S>, &'cx Waker) {
    let waker = cx.waker();
    assert!(
        ptr::eq(waker.vtable(), &BRIDGE_VTABLE),
        "a cogen yield point was polled outside of its generator; yield_! and yield_from! \
         only work in the body of the #[generator] fn that contains them"
    );
    // SAFETY: the vtable identifies a bridge made by `with_bridge`, which is alive for the
    // whole poll; its `io` points to an `Io<Y, S>` per this function's contract, and nothing
    // else touches that `Io` while the body is being polled.
    unsafe {
        let bridge = &*waker.data().cast::<Bridge<'cx>>();
        (&mut *bridge.io.cast::<Io<Y, S>>(), bridge.real)
    }
}
