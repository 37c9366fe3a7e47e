//! `gather`: one future for the results of many, in argument order.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use super::event_loop::get_running_loop;
use super::future::Future;
use super::{AsyncError, Awaitable, Cancelled};

/// One future for the results of all `awaitables`, in their order, whatever the order they
/// complete in (Python: `asyncio.gather(*aws)`). Coroutines are scheduled as tasks.
///
/// The first child to fail (or be cancelled) fails the gather with its error at once; the
/// other children go on running. Cancelling the gather cancels every child that is still
/// pending, and the gather then fails with `Cancelled` (a cancelled child fails the gather;
/// it does not make the gather itself `cancelled()`). No arguments: done at once with `[]`.
///
/// ```
/// use std::time::Duration;
/// use cogen::{generator, yield_from};
/// use cogen::asyncio::{self, Cancelled, EventLoop, Resume, Suspend};
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn delivery(name: &'static str, mealtime: u64) -> Result<&'static str, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(mealtime)))?;
///     Ok(name)
/// }
///
/// #[generator(yield = Suspend, send = Resume)]
/// fn main_coro() -> Result<Vec<&'static str>, Cancelled> {
///     yield_from!(asyncio::gather([delivery("A", 3), delivery("B", 1), delivery("C", 2)]))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok(vec!["A", "B", "C"]));
/// assert_eq!(lp.time(), Duration::from_secs(3)); // the longest, not the sum
/// ```
///
/// # Panics
/// If no loop is running and the first awaitable is not a future or task of a loop.
#[track_caller]
pub fn gather<I, A, T, E>(awaitables: I) -> Future<Vec<T>, E>
where
    I: IntoIterator<Item = A>,
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + Clone + 'static,
{
    gather_on(awaitables, false, |results| {
        results.into_iter().filter_map(Result::ok).collect()
    })
}

/// [`gather`] that never fails early: every child's outcome, `Ok` or `Err` (`Cancelled` for
/// a cancelled child), in argument order (Python: `gather(*aws, return_exceptions=True)`).
///
/// ```
/// use cogen::asyncio::{self, Cancelled, EventLoop, Future};
///
/// let lp = EventLoop::with_virtual_clock();
/// let [a, b, c]: [Future<u32, Cancelled>; 3] = std::array::from_fn(|_| lp.create_future());
/// let all = asyncio::gather_results([&a, &b, &c]);
/// b.set_result(1).unwrap();
/// c.cancel();
/// a.set_result(3).unwrap();
/// lp.run_until_idle();
/// assert_eq!(all.result(), Some(Ok(vec![Ok(3), Ok(1), Err(Cancelled)])));
/// ```
///
/// # Panics
/// As [`gather`].
#[track_caller]
pub fn gather_results<I, A, T, E>(awaitables: I) -> Future<Vec<Result<T, E>>, E>
where
    I: IntoIterator<Item = A>,
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + Clone + 'static,
{
    gather_on(awaitables, true, |results| results)
}

struct Gathering<T, E, O> {
    outer: Future<O, E>,
    /// Emptied once the gather is done (see `child_done`).
    children: RefCell<Vec<Future<T, E>>>,
    finished: Cell<usize>,
    cancel_requested: Cell<bool>,
    return_exceptions: bool,
    collect: fn(Vec<Result<T, E>>) -> O,
}

#[track_caller]
fn gather_on<I, A, T, E, O>(
    awaitables: I,
    return_exceptions: bool,
    collect: fn(Vec<Result<T, E>>) -> O,
) -> Future<O, E>
where
    I: IntoIterator<Item = A>,
    A: Awaitable<T, E>,
    T: Clone + 'static,
    E: AsyncError + Clone + 'static,
    O: 'static,
{
    let awaitables: Vec<A> = awaitables.into_iter().collect();
    let event_loop = match get_running_loop()
        .or_else(|| awaitables.first().and_then(|first| first.__event_loop()))
    {
        Some(event_loop) => event_loop,
        None => panic!(
            "gather needs a running event loop (or futures or tasks of one): call it from a \
             coroutine"
        ),
    };
    let children: Vec<Future<T, E>> = awaitables
        .into_iter()
        .map(|awaitable| awaitable.ensure_future(&event_loop))
        .collect();
    let outer = event_loop.create_future();
    if children.is_empty() {
        let _ = outer.set_result(collect(Vec::new()));
        return outer;
    }
    let state = Rc::new(Gathering {
        outer: outer.clone(),
        children: RefCell::new(children),
        finished: Cell::new(0),
        cancel_requested: Cell::new(false),
        return_exceptions,
        collect,
    });
    for child in state.children.borrow().iter() {
        let state = state.clone();
        child.add_done_callback(move |child| state.child_done(child));
    }
    let weak = Rc::downgrade(&state);
    outer.set_cancel_hook(move || weak.upgrade().map(|state| state.cancel()));
    outer
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static, O: 'static> Gathering<T, E, O> {
    fn child_done(&self, child: &Future<T, E>) {
        let finished = self.finished.get() + 1;
        self.finished.set(finished);
        if !self.outer.done() {
            self.update_outer(child, finished);
        }
        if self.outer.done() {
            // The gather has its outcome: let go of the children. A child still pending
            // (after another one failed the gather) holds this state through its done
            // callback; were the state to hold that child, the two would keep each other
            // alive forever if the child never completes.
            drop(self.children.take());
        }
    }

    fn update_outer(&self, child: &Future<T, E>, finished: usize) {
        if !self.return_exceptions
            && let Some(Err(error)) = child.result()
        {
            let _ = self.outer.set_exception(error);
            return;
        }
        let children = self.children.borrow();
        if finished == children.len() {
            if self.cancel_requested.get() {
                let _ = self.outer.set_exception(E::from(Cancelled));
                return;
            }
            let results = children
                .iter()
                .map(|child| child.result().expect("every child is done"))
                .collect();
            let _ = self.outer.set_result((self.collect)(results));
        }
    }

    /// Python's `_GatheringFuture.cancel`: cancel the children; the gather fails with
    /// `Cancelled` when they are done.
    fn cancel(&self) -> bool {
        let mut any = false;
        // A copy: cancelling a child may come back here (a child awaiting this gather).
        let children = self.children.borrow().clone();
        for child in &children {
            any |= child.cancel();
        }
        if any {
            self.cancel_requested.set(true);
        }
        any
    }
}
