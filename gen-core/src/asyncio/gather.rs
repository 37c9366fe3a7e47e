//! `gather`: one future for the results of many, in argument order.

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use super::event_loop::{EventLoop, LoopInner, get_running_loop};
use super::future::{CancelHook, Future};
use super::task::Step;
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
/// If no loop is running and the first awaitable is not a future or task of a loop; if a
/// future or task is of another loop than the gather's (Python: ValueError).
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
    for child in &children {
        child.expect_on(&event_loop, "asyncio::gather");
    }
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
    for (index, child) in state.children.borrow().iter().enumerate() {
        child.add_wakeup(Rc::new(ChildDone {
            state: state.clone(),
            index,
        }));
    }
    let weak: Weak<Gathering<T, E, O>> = Rc::downgrade(&state);
    outer.set_cancel_hook(weak);
    outer
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static, O: 'static> CancelHook
    for Gathering<T, E, O>
{
    fn cancel_hook(self: Rc<Self>) -> bool {
        self.cancel()
    }
}

/// The done callback of a gather's child `index`, scheduled as itself when the child is
/// done (as a task's wakeup is): one allocation per child, where a boxed closure and the
/// call scheduled to run it made two. It names the child by index, not by a `Future`: the
/// child's callbacks hold it, and it must not hold the child back (see `child_done`).
struct ChildDone<T, E, O> {
    state: Rc<Gathering<T, E, O>>,
    index: usize,
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static, O: 'static> Step for ChildDone<T, E, O> {
    fn step(self: Rc<Self>, _: &LoopInner) {
        self.state.child_done(self.index);
    }
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static, O: 'static> Gathering<T, E, O> {
    fn child_done(&self, index: usize) {
        let finished = self.finished.get() + 1;
        self.finished.set(finished);
        if !self.outer.done() {
            // The children are only let go of once the outer future is done.
            let child = self.children.borrow()[index].clone();
            self.update_outer(&child, finished);
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

/// One future for the results of awaitables of different types, as a tuple in their order
/// (Python: `asyncio.gather(a(), b())`, where `a` and `b` return different things; [`gather`]
/// takes awaitables of one type). Tuples of 1 to 8 awaitables (coroutines, futures, tasks)
/// with the same error type. As [`gather`]: the first child to fail (or be cancelled) fails
/// the result at once; cancelling it cancels the children that are still pending, and it
/// then fails with `Cancelled`.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn count(secs: u64) -> Result<u64, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     Ok(secs)
/// }
///
/// #[asyncio::coroutine]
/// fn name() -> Result<&'static str, Cancelled> {
///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
///     Ok("one")
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(u64, &'static str), Cancelled> {
///     yield_from!(&asyncio::gather_tuple((count(2), name())))
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// assert_eq!(lp.run_until_complete(main_coro()), Ok((2, "one")));
/// assert_eq!(lp.time(), Duration::from_secs(2));
/// ```
///
/// # Panics
/// If no loop is running on this thread (the awaitables of a tuple may be coroutines, so
/// the loop is not taken from them); if a future or task is of another loop.
#[track_caller]
pub fn gather_tuple<A, Ts, E>(awaitables: A) -> Future<Ts, E>
where
    A: GatherTuple<Ts, E>,
{
    let Some(event_loop) = get_running_loop() else {
        panic!("gather_tuple needs a running event loop: call it from a coroutine")
    };
    awaitables.gather_on(&event_loop)
}

/// A tuple of awaitables that [`gather_tuple`] gathers into one future of the tuple of their
/// results, `Ts`. Implemented for tuples of 1 to 8 [`Awaitable`]s with one error type.
///
/// ```
/// use cogen::asyncio::{Cancelled, EventLoop, Future, GatherTuple};
///
/// let lp = EventLoop::with_virtual_clock();
/// let a: Future<u32> = lp.create_future();
/// let b: Future<&str> = lp.create_future();
/// let both = (&a, &b).gather_on(&lp);
/// a.set_result(1).unwrap();
/// b.set_result("b").unwrap();
/// assert_eq!(lp.run_until_complete(&both), Ok((1, "b")));
/// ```
pub trait GatherTuple<Ts, E> {
    /// Schedule the coroutines as tasks on `event_loop`, and gather: what
    /// [`gather_tuple`](super::gather_tuple) does with the running loop.
    ///
    /// ```
    /// use cogen::asyncio::{self, Cancelled, EventLoop, GatherTuple};
    ///
    /// #[asyncio::coroutine]
    /// fn number() -> Result<u32, Cancelled> {
    ///     Ok(1)
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn word() -> Result<&'static str, Cancelled> {
    ///     Ok("one")
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let both = (number(), word()).gather_on(&lp); // two coroutine types, one future
    /// assert_eq!(lp.run_until_complete(&both), Ok((1, "one")));
    /// ```
    fn gather_on(self, event_loop: &EventLoop) -> Future<Ts, E>;
}

type Cancels = Vec<Box<dyn Fn() -> bool>>;
type Collect<Ts> = Box<dyn Fn() -> Option<Ts>>;

struct TupleGathering<Ts, E> {
    outer: Future<Ts, E>,
    pending: Cell<usize>,
    cancel_requested: Cell<bool>,
    /// Emptied once the outer future is done (see `Gathering::child_done`).
    cancels: RefCell<Cancels>,
    collect: RefCell<Option<Collect<Ts>>>,
}

impl<Ts: 'static, E: AsyncError + 'static> CancelHook for TupleGathering<Ts, E> {
    fn cancel_hook(self: Rc<Self>) -> bool {
        self.cancel()
    }
}

impl<Ts: 'static, E: AsyncError + 'static> TupleGathering<Ts, E> {
    fn child_done(&self, failure: Option<E>) {
        if !self.outer.done() {
            self.pending.set(self.pending.get() - 1);
            if let Some(error) = failure {
                let _ = self.outer.set_exception(error);
            } else if self.pending.get() == 0 {
                if self.cancel_requested.get() {
                    let _ = self.outer.set_exception(E::from(Cancelled));
                } else if let Some(results) = self.collect.borrow().as_ref().and_then(|f| f()) {
                    let _ = self.outer.set_result(results);
                }
            }
        }
        if self.outer.done() {
            drop(self.cancels.take());
            drop(self.collect.take());
        }
    }

    fn cancel(&self) -> bool {
        // Taken out while they run: cancelling a child may come back here.
        let cancels = self.cancels.take();
        let mut any = false;
        for cancel in &cancels {
            any |= cancel();
        }
        if !self.outer.done() {
            *self.cancels.borrow_mut() = cancels;
        }
        if any {
            self.cancel_requested.set(true);
        }
        any
    }
}

/// How a done child ends the gather: its error if it failed or was cancelled.
fn failure_of<T: 'static, E: AsyncError + Clone + 'static>(child: &Future<T, E>) -> Option<E> {
    if child.cancelled() {
        Some(E::from(Cancelled))
    } else {
        child.exception()
    }
}

macro_rules! gather_tuple_impl {
    ($($a:ident $t:ident $f:ident),+) => {
        impl<$($a, $t,)+ E> GatherTuple<($($t,)+), E> for ($($a,)+)
        where
            $($a: Awaitable<$t, E>, $t: Clone + 'static,)+
            E: AsyncError + Clone + 'static,
        {
            fn gather_on(self, event_loop: &EventLoop) -> Future<($($t,)+), E> {
                let ($($f,)+) = self;
                let ($($f,)+) = ($($f.ensure_future(event_loop),)+);
                $($f.expect_on(event_loop, "asyncio::gather_tuple");)+
                let outer = event_loop.create_future();
                let collect: Collect<($($t,)+)> = {
                    $(let $f = $f.clone();)+
                    Box::new(move || Some(($($f.result()?.ok()?,)+)))
                };
                let mut cancels: Cancels = Vec::new();
                $({
                    let $f = $f.clone();
                    cancels.push(Box::new(move || $f.cancel()));
                })+
                let state = Rc::new(TupleGathering {
                    outer: outer.clone(),
                    pending: Cell::new(cancels.len()),
                    cancel_requested: Cell::new(false),
                    cancels: RefCell::new(cancels),
                    collect: RefCell::new(Some(collect)),
                });
                $({
                    let state = state.clone();
                    $f.add_done_callback(move |child| state.child_done(failure_of(child)));
                })+
                let weak: Weak<TupleGathering<_, _>> = Rc::downgrade(&state);
                outer.set_cancel_hook(weak);
                outer
            }
        }
    };
}

gather_tuple_impl!(A1 T1 f1);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3, A4 T4 f4);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3, A4 T4 f4, A5 T5 f5);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3, A4 T4 f4, A5 T5 f5, A6 T6 f6);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3, A4 T4 f4, A5 T5 f5, A6 T6 f6, A7 T7 f7);
gather_tuple_impl!(A1 T1 f1, A2 T2 f2, A3 T3 f3, A4 T4 f4, A5 T5 f5, A6 T6 f6, A7 T7 f7, A8 T8 f8);
