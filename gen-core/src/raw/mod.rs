//! The machinery `#[generator]` expands to, one role per file:
//!
//! * [`driver`]: the driver. `Gen` holds the lowered body (an `async` block) and runs it one
//!   step at a time for `start`, `resume` and delegation.
//! * [`async_driver`]: the async driver. `AsyncGen` runs the same kind of body with the
//!   executor's waker: a poll that neither yields nor completes is a step in progress.
//! * [`exchange`]: the exchange area `Io` of one step: the value sent in, the value yielded
//!   out, and the trampoline's hand-off and parking slots.
//! * [`bridge`]: how a yield point reaches that area: the waker of the body's `Context`
//!   is a bridge to it, and it tells each yield point which generator is polling it.
//! * [`yield_point`]: the body's capability `Co` and the future `yield_!` awaits.
//! * [`delegate`]: `yield_from!` over a generator held in place, an `IntoGenerator`, or an
//!   iterator, and the compile-time choice between the forms.
//! * [`trampoline`]: `yield_from!` over a boxed generator: frames run flat on one stack
//!   (with the `alloc` feature; without it, `no_trampoline.rs`: uninhabited stand-ins).
//!
//! Everything here is reached only through the hidden `__private` module; what could be
//! misused (the delegation futures, which keep pointers past a poll) is `unsafe` to make.

#![allow(missing_docs)] // Reached only through the hidden `__private` module.

pub(crate) mod async_driver;
pub(crate) mod bridge;
pub(crate) mod delegate;
pub(crate) mod driver;
pub(crate) mod exchange;
#[cfg(feature = "alloc")]
pub(crate) mod trampoline;
#[cfg(not(feature = "alloc"))]
#[path = "no_trampoline.rs"]
pub(crate) mod trampoline;
pub(crate) mod yield_point;

#[cfg(all(test, feature = "std"))]
mod tests;
