//! How a suspended yield point talks to the step that polls it, without thread-locals,
//! allocation or a pointer stored in the generator.
//!
//! A generator body is an `async` block. To poll it, the generator builds a [`Context`]
//! whose waker is a *bridge*: its data pointer leads to a [`Bridge`] on the poller's stack,
//! which holds the real waker, the exchange area ([`Io`]) of this step, and the identity of
//! the polling generator (the address of its body). The yield points of the body find the
//! exchange area through it, after checking that the identity is their own generator's;
//! everything else that looks at the waker gets the real one (cloning the
//! bridge clones the real waker, waking it wakes the real one), so a real executor's waker
//! passes through unchanged.

use core::ptr;
use core::task::{Context, RawWaker, RawWakerVTable, Waker};

use super::exchange::Io;
use super::yield_point::Co;

/// Which generator a yield point belongs to, or which generator is polling: a number no
/// other generator of the process has. An id and not an address: an address stored in the
/// body would make the body refer to itself, which keeps the optimizer from holding its
/// state in registers (W1 went from 0.3 to 3 ns an item).
///
/// Its two low bits are always zero, so that a generator can keep its status in them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Owner(u64);

impl Owner {
    /// A new identity. Ids are drawn from one process-wide counter, in blocks of
    /// `BLOCK` per thread where there are threads, so that making a generator touches no
    /// shared cache line; no value ever passes through a thread-local.
    // Out of line: it runs once per generator, and inlined it would grow every caller.
    #[inline(never)]
    pub(crate) fn fresh() -> Owner {
        #[cfg(feature = "std")]
        {
            std::thread_local! {
                static NEXT: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
            }
            if let Ok(id) = NEXT.try_with(|next| {
                let mut id = next.get();
                if id % BLOCK == 0 {
                    id = reserve(BLOCK);
                }
                next.set(id + 1);
                id
            }) {
                return Owner(id << 2);
            }
        }
        Owner(reserve(1) << 2)
    }

    /// The owner kept in the high bits of `word`.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn in_word(word: u64) -> Owner {
        Owner(word & !3)
    }

    /// `self`'s bits with `low` (0 to 3) in the two low bits.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn with_low_bits(self, low: u64) -> u64 {
        debug_assert!(low <= 3);
        self.0 | low
    }
}

/// How many ids a thread takes from the counter at a time.
const BLOCK: u64 = 1 << 12;

/// Take `n` ids from the process-wide counter. It starts past 0, which no generator gets,
/// and cannot reach 2^62 (shifted into an `Owner`) in the life of any process.
#[cfg(target_has_atomic = "64")]
fn reserve(n: u64) -> u64 {
    use core::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(BLOCK);
    NEXT.fetch_add(n, Ordering::Relaxed)
}

/// The same where the largest atomic has 32 bits (`thumbv7em`, 32-bit RISC-V): a 32-bit
/// counter could wrap within the life of a process and hand out an id again, so it stops
/// at its end instead (a panic, after 2^32 generators), and never wraps.
#[cfg(not(target_has_atomic = "64"))]
fn reserve(n: u64) -> u64 {
    use core::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(BLOCK as u32);
    let mut first = NEXT.load(Ordering::Relaxed);
    loop {
        let Some(end) = u32::try_from(n).ok().and_then(|n| first.checked_add(n)) else {
            panic!("cogen: this process has made 2^32 generators, the most a 32-bit target counts")
        };
        match NEXT.compare_exchange_weak(first, end, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return u64::from(first),
            Err(now) => first = now,
        }
    }
}

/// What the bridge waker's data pointer points to. Lives on the stack of
/// [`Bridge::waker`] for exactly one poll; only ever read through a shared reference.
pub(crate) struct Bridge<'w> {
    real: &'w Waker,
    io: *mut (),
    owner: Owner,
    body: Extent,
}

/// Where a generator's body lies in memory. A delegation is awaited where it is written,
/// so it lies inside its body; one found elsewhere was moved out of it (into a box that
/// something else owns and may free while the trampoline still points into it).
#[derive(Clone, Copy)]
pub(crate) struct Extent {
    start: usize,
    len: usize,
}

impl Extent {
    /// Contains nothing.
    pub(crate) const NONE: Extent = Extent { start: 0, len: 0 };

    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn at(start: *const (), len: usize) -> Extent {
        Extent {
            start: start as usize,
            len,
        }
    }

    #[cfg_attr(not(debug_assertions), inline(always))]
    fn contains(self, point: *const ()) -> bool {
        (point as usize).wrapping_sub(self.start) < self.len
    }
}

static BRIDGE_VTABLE: RawWakerVTable =
    RawWakerVTable::new(bridge_clone, bridge_wake, bridge_wake_by_ref, bridge_drop);

unsafe fn bridge_clone(data: *const ()) -> RawWaker {
    // SAFETY: a bridge waker only exists inside the `BridgeWaker` that `Bridge::waker`
    // makes, which borrows the `Bridge` and outlives every borrow of the waker (a `&Waker`
    // taken from the `Context` cannot escape the poll).
    let bridge = unsafe { &*data.cast::<Bridge<'_>>() };
    // Hand out a clone of the real waker, so the clone outlives the bridge safely.
    let real = core::mem::ManuallyDrop::new(bridge.real.clone());
    RawWaker::new(real.data(), real.vtable())
}

unsafe fn bridge_wake(data: *const ()) {
    // The only owned bridge waker is the one `Bridge::waker` builds (clones are real wakers);
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

impl<'w> Bridge<'w> {
    /// The bridge for one poll of the body of the generator `owner` (which lies in `body`)
    /// to `io`, forwarding to `real`. The caller polls the body with its
    /// [`waker`](Bridge::waker)'s context and leaves `io` alone until that poll is over.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn new<Y, S>(
        io: &mut Io<Y, S>,
        real: &'w Waker,
        owner: Owner,
        body: Extent,
    ) -> Self {
        Bridge {
            real,
            io: ptr::from_mut(io).cast(),
            owner,
            body,
        }
    }

    /// The waker whose data pointer is this bridge.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn waker(&self) -> BridgeWaker<'_> {
        // SAFETY: the vtable functions treat `data` as `&Bridge`; the waker cannot outlive
        // the borrow of `self` (`BridgeWaker` holds it, and only lends the waker out). It
        // is never dropped: its drop is a no-op, and skipping it saves an indirect call per
        // step.
        let waker = core::mem::ManuallyDrop::new(unsafe {
            Waker::from_raw(RawWaker::new(ptr::from_ref(self).cast(), &BRIDGE_VTABLE))
        });
        BridgeWaker {
            waker,
            _bridge: core::marker::PhantomData,
        }
    }
}

/// A bridge's waker, which borrows the bridge it points to.
pub(crate) struct BridgeWaker<'b> {
    waker: core::mem::ManuallyDrop<Waker>,
    _bridge: core::marker::PhantomData<&'b Bridge<'b>>,
}

impl BridgeWaker<'_> {
    /// The context to poll the body with.
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub(crate) fn context(&self) -> Context<'_> {
        Context::from_waker(&self.waker)
    }
}

/// The bridge of `cx`, if it is one.
#[cfg_attr(not(debug_assertions), inline(always))]
fn bridge_of<'cx>(cx: &'cx Context<'_>) -> Option<&'cx Bridge<'cx>> {
    let waker = cx.waker();
    if ptr::eq(waker.vtable(), &BRIDGE_VTABLE) {
        // SAFETY: only `Bridge::waker` makes wakers with this vtable (the vtable functions
        // are private, and building a `Waker` from a copied vtable is `unsafe` in the
        // caller), and its `Bridge` outlives the context.
        Some(unsafe { &*waker.data().cast::<Bridge<'cx>>() })
    } else {
        None
    }
}

/// The exchange area and real waker of the step in which a yield point made from `co` is
/// polled, after checking that the generator polling `cx` is the one `co` belongs to. For a
/// delegation (`inside = Some(self)`), also that it lies inside that generator's body
/// (an address only: generic over the delegation's type, this was one copy per delegation
/// in a debug build).
///
/// # Panics
/// If `cx` is not the context of `co`'s own generator: the yield point was moved out of
/// its body, into a future that something else polls.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn exchange<'cx, Y, S>(
    cx: &'cx mut Context<'_>,
    co: Co<Y, S>,
    inside: Option<*const ()>,
) -> (&'cx mut Io<Y, S>, &'cx Waker) {
    match bridge_of(cx) {
        Some(bridge)
            if bridge.owner == co.owner()
                && inside.is_none_or(|point| bridge.body.contains(point)) =>
        {
            // SAFETY: the bridge was made by the generator `co` belongs to (the owners are
            // equal), whose exchange area is an `Io` of `co`'s types (`generator` made `co` with its generator's types). It is alive for the whole poll, and nothing else touches it while
            // the body (this yield point) is being polled.
            let io = unsafe { &mut *bridge.io.cast::<Io<Y, S>>() };
            (io, bridge.real)
        }
        _ => foreign_poll(),
    }
}

#[cold]
#[inline(never)]
fn foreign_poll() -> ! {
    panic!(
        "a cogen yield point was polled outside of its own generator: yield_! and \
         yield_from! only work in the body of the #[generator] fn that contains them, \
         awaited where they are written (a macro moved this one into a future that \
         something else polled)"
    )
}
