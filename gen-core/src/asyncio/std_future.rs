//! std futures and asyncio, both ways: a coroutine awaits any [`core::future::Future`]
//! through [`wrap_future`], a std future runs as a task through [`spawn_future`], and such a
//! future `.await`s a [`Future`] or [`Task`] through [`FutureAwait`].
//!
//! How a std future's wake reaches its task: the leaf ([`WrapFuture`]) polls the std future
//! with a [`Waker`] over an `Arc<Signal>`, and before each poll parks a fresh asyncio
//! future (`parked`) in the signal; when the std future is pending, the leaf yields
//! `Suspend(On(parked))`, so its task waits on `parked` as on any future. A wake on the
//! loop's thread completes `parked` at once (no lock, no syscall); a wake from another
//! thread sends a call through the loop's thread-safe queue (which notifies its poller),
//! and that call completes `parked` on the loop's thread. Either way the task is stepped
//! once, resumes the leaf, and the leaf polls the std future again.

use alloc::sync::Arc;
use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::future::IntoFuture;
use core::marker::PhantomData;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use std::thread::{self, ThreadId};

use super::event_loop::{EventLoop, running_loop};
use super::future::{CallbackId, Future};
use super::selector::{ThreadsafeHandle, WeakThreadsafeHandle};
use super::task::Task;
use super::{AsyncError, Cancelled, Resume, Suspend, Wait};
use crate::state::misuse;
use crate::{Generator, GeneratorState, Status};

/// Await a std [`Future`](core::future::Future) in a coroutine (Python:
/// `await asyncio.wrap_future(f)`): `yield_from!(asyncio::wrap_future(fut))` is `Ok` of
/// what `fut` returns, or `Err(Cancelled)` if the task is cancelled meanwhile (`?` turns it
/// into the coroutine's own error type, as for [`sleep`](super::sleep)); `fut` is dropped
/// as soon as the cancelled task resumes. In a coroutine's body `yield_from!(fut)` does the
/// same without the call (a type that is both a `Future` and an `IntoIterator` needs it);
/// the wrapper is also what [`create_task`](super::create_task) and
/// [`EventLoop::run_until_complete`] accept for a std future of any output.
///
/// `fut` is polled by the awaiting task, with a [`Waker`] that is `Send + Sync`: woken on
/// the loop's thread it reschedules the task directly; woken from another thread it goes
/// through [`ThreadsafeHandle::call_soon_threadsafe`]'s queue and wakes the loop's poller.
/// Waking it any number of times, after the task moved on or finished, or after the loop
/// was dropped, does nothing more (a stale wake at most makes the task poll `fut` once more).
/// `fut` itself need not be `Send`: it never leaves the loop's thread.
///
/// While a pending std future holds a clone of its waker, the loop cannot know who will
/// wake it (another thread, an OS reactor), so when nothing else is ready it waits in its
/// poller (for real, even on a virtual clock, which then follows the real time waited, up
/// to its next timer) rather than report a deadlock, as it does while a
/// [`ThreadsafeHandle`] exists: a future that keeps its waker and is never woken keeps the
/// loop waiting. One that keeps no waker cannot be woken: when nothing else is left to
/// run, [`EventLoop::run_until_complete`] reports the deadlock. A [`Task`] or [`Future`]
/// of the loop awaited by a spawned future ([`FutureAwait`]) does not count: it is woken
/// by the loop itself.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// async fn add(a: u32, b: u32) -> u32 {
///     a + b
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<u32, Cancelled> {
///     let (tx, rx) = futures::channel::oneshot::channel();
///     std::thread::spawn(move || tx.send(40).unwrap());
///     let forty = yield_from!(asyncio::wrap_future(rx))?.unwrap();
///     let two = yield_from!(add(1, 1))?; // the same, unwrapped
///     Ok(forty + two)
/// }
///
/// assert_eq!(EventLoop::new().run_until_complete(main_coro()), Ok(42));
/// ```
///
/// # Panics
/// When started or resumed outside a running loop.
pub fn wrap_future<F: core::future::Future>(fut: F) -> WrapFuture<F> {
    WrapFuture {
        future: UnsafeCell::new(Some(fut)),
        status: Status::Created,
        waiting: None,
        _not_send: PhantomData,
    }
}

/// The awaitable of [`wrap_future`]: a coroutine's wait for a std future.
///
/// ```
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// let lp = EventLoop::new();
/// let task = lp.create_task(asyncio::wrap_future(async { 7 }));
/// assert_eq!(lp.run_until_complete(&task), Ok(7));
/// ```
pub struct WrapFuture<F> {
    /// Dropped (in place) as soon as it is ready or the wait is cancelled. In an
    /// `UnsafeCell` because it may borrow from itself (an `async` block holding
    /// `rx.next()`): a shared `&WrapFuture` (`status()`) must not claim its bytes as
    /// read-only (miri reports that under Stacked Borrows, as for a generator's body).
    future: UnsafeCell<Option<F>>,
    status: Status,
    /// Set while the std future is pending.
    waiting: Option<Waiting>,
    /// The signal's `parked` future is only touched on the thread that polls: keep it there.
    _not_send: PhantomData<*const ()>,
}

/// What a pending [`WrapFuture`] holds.
struct Waiting {
    signal: Arc<Signal>,
    waker: Waker,
    /// The future the task waits on, parked in the signal too.
    parked: Future<(), Cancelled>,
    /// Keeps the loop waiting in its poller for the waker (see `Io::active`), while the
    /// std future holds a clone of it.
    keep_waiting: Option<ThreadsafeHandle>,
}

impl<F> fmt::Debug for WrapFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrapFuture")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<F> Drop for WrapFuture<F> {
    fn drop(&mut self) {
        if let Some(waiting) = &self.waiting {
            // On the polling thread (`WrapFuture` is not `Send`): a later wake finds nothing.
            waiting.signal.unpark();
        }
    }
}

impl<F: core::future::Future> WrapFuture<F> {
    /// The std future, pinned with `self` (structural pinning: it is never moved out, only
    /// dropped in place).
    fn future(self: Pin<&mut Self>) -> Pin<&mut Option<F>> {
        // SAFETY: `future` is pinned structurally: `WrapFuture` is `Unpin` only if `F` is
        // (auto trait), its `Drop` does not move it, and nothing moves it out of the
        // `Option` (it is only polled through this pin and dropped in place by `set`).
        // `get_mut` needs no `unsafe`: we hold the only (mutable) access.
        unsafe { self.map_unchecked_mut(|this| this.future.get_mut()) }
    }

    /// The fields that are not pinned.
    fn state(self: Pin<&mut Self>) -> (&mut Status, &mut Option<Waiting>) {
        // SAFETY: only the unpinned fields are handed out; `future` is not touched.
        let this = unsafe { self.get_unchecked_mut() };
        (&mut this.status, &mut this.waiting)
    }

    /// Poll the std future once, parking a fresh future for its waker first.
    #[track_caller]
    fn poll_once(
        mut self: Pin<&mut Self>,
    ) -> GeneratorState<Suspend, Result<F::Output, Cancelled>> {
        let event_loop = running_loop("asyncio::wrap_future");
        let parked = event_loop.create_future();
        let (_, waiting) = self.as_mut().state();
        let waiting = match waiting.take() {
            Some(mut waiting) => {
                waiting.parked = parked;
                waiting
            }
            None => {
                let signal = Arc::new(Signal {
                    owner: thread::current().id(),
                    parked: Cell::new(None),
                    queued: AtomicBool::new(false),
                    remote: event_loop.threadsafe_handle().downgrade(),
                });
                Waiting {
                    waker: Waker::from(signal.clone()),
                    signal,
                    parked,
                    keep_waiting: None,
                }
            }
        };
        // Parked before the poll: a wake during the poll (a yield-now future) completes it,
        // and the task is stepped again on the next tick, after the other ready tasks.
        waiting.signal.park(waiting.parked.clone());
        let waker = waiting.waker.clone();
        let signal = waiting.signal.clone();
        let suspend = Suspend(Wait::On(waiting.parked.waitable()));
        *self.as_mut().state().1 = Some(waiting);
        let polled = {
            let _polling = Polling::enter(&signal);
            match self.as_mut().future().as_pin_mut() {
                Some(future) => future.poll(&mut Context::from_waker(&waker)),
                None => unreachable!("cogen: a pending wrap_future holds its future"),
            }
        };
        drop(waker);
        match polled {
            Poll::Ready(value) => {
                self.as_mut().finish();
                GeneratorState::Complete(Ok(value))
            }
            Poll::Pending => {
                // Ours are `signal` and the `Waiting`'s signal and waker: any other count is
                // a waker the std future kept (or a wake queued by another thread), which
                // may be woken from anywhere, so the loop must wait for it in its poller.
                let held = Arc::strong_count(&signal) > 3;
                drop(signal);
                let (status, waiting) = self.as_mut().state();
                *status = Status::Suspended;
                if let Some(waiting) = waiting {
                    waiting.keep_waiting = match waiting.keep_waiting.take() {
                        Some(handle) if held => Some(handle),
                        None if held => Some(event_loop.threadsafe_handle()),
                        _ => None,
                    };
                }
                GeneratorState::Yielded(suspend)
            }
        }
    }

    /// Drop the std future and let go of the loop: a later wake finds nothing.
    fn finish(mut self: Pin<&mut Self>) {
        let (status, waiting) = self.as_mut().state();
        *status = Status::Closed;
        if let Some(waiting) = waiting.take() {
            waiting.signal.unpark();
        }
        self.future().set(None);
    }
}

impl<F: core::future::Future> Generator<Resume> for WrapFuture<F> {
    type Yield = Suspend;
    type Return = Result<F::Output, Cancelled>;

    #[track_caller]
    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Self::Return> {
        if self.status != Status::Created {
            misuse("start", self.status);
        }
        self.poll_once()
    }

    #[track_caller]
    fn resume(mut self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Self::Return> {
        if self.status != Status::Suspended {
            misuse("resume", self.status);
        }
        // A cancelled task is resumed with `Err(Cancelled)`, or (when the cancellation
        // cancelled the parked future) with `Ok(())` and a cancelled `parked`.
        let cancelled = arg.is_err()
            || self
                .waiting
                .as_ref()
                .is_some_and(|waiting| waiting.parked.cancelled());
        if cancelled {
            self.as_mut().finish();
            return GeneratorState::Complete(Err(Cancelled));
        }
        self.poll_once()
    }

    fn close(self: Pin<&mut Self>) {
        self.finish();
    }

    fn status(&self) -> Status {
        self.status
    }
}

std::thread_local! {
    /// The signal of the `WrapFuture` polling its std future on this thread, if any: a
    /// [`FutureAwait`] polled with its waker is woken through it without holding the waker
    /// (which would make the loop wait in its poller for a wake that comes from itself).
    static POLLING: core::cell::RefCell<Option<alloc::sync::Weak<Signal>>> =
        const { core::cell::RefCell::new(None) };
}

/// Marks `signal` as the one polling, until dropped (even if the poll panics).
struct Polling(Option<alloc::sync::Weak<Signal>>);

impl Polling {
    fn enter(signal: &Arc<Signal>) -> Polling {
        Polling(POLLING.with(|polling| polling.replace(Some(Arc::downgrade(signal)))))
    }

    /// The signal polling now, if `waker` is its waker.
    fn signal_of(waker: &Waker) -> Option<alloc::sync::Weak<Signal>> {
        POLLING.with(|polling| {
            let polling = polling.borrow();
            let signal = polling.as_ref()?;
            core::ptr::eq(waker.data(), signal.as_ptr().cast()).then(|| signal.clone())
        })
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        let previous = self.0.take();
        POLLING.with(|polling| *polling.borrow_mut() = previous);
    }
}

/// What a [`WrapFuture`]'s waker points to. `Send + Sync`, though `parked` is not: see
/// the `unsafe impl`s.
struct Signal {
    /// The thread that polls the std future (and the loop's thread).
    owner: ThreadId,
    /// The future the task waits on while the std future is pending; only read or written
    /// on `owner`.
    parked: Cell<Option<Future<(), Cancelled>>>,
    /// A call from another thread is queued and has not run yet: more wakes from other
    /// threads need not queue another (it completes whatever is parked when it runs).
    queued: AtomicBool,
    remote: WeakThreadsafeHandle,
}

// SAFETY: the only field that is not `Send + Sync` is `parked` (a `Cell` of an `Rc`
// handle). It is read and written only by `park`, `unpark` and `wake_here`, each on the
// `owner` thread (checked, or guaranteed by `WrapFuture` not being `Send`), so it is never
// touched by two threads; and `Drop` forgets it rather than drop it on another thread.
unsafe impl Send for Signal {}
// SAFETY: as above: shared references used on other threads never reach `parked`.
unsafe impl Sync for Signal {}

impl Signal {
    /// Called on `owner` only (by the `WrapFuture`, which is not `Send`).
    fn park(&self, parked: Future<(), Cancelled>) {
        debug_assert!(thread::current().id() == self.owner);
        self.parked.set(Some(parked));
    }

    /// Called on `owner` only (by the `WrapFuture`, which is not `Send`).
    fn unpark(&self) {
        debug_assert!(thread::current().id() == self.owner);
        drop(self.parked.take());
    }

    /// Complete the parked future (the task is stepped once); called on the loop's thread.
    fn wake_here(&self) {
        if thread::current().id() != self.owner {
            return;
        }
        if let Some(parked) = self.parked.take() {
            // Already cancelled: the task was woken by that.
            let _ = parked.set_result(());
        }
    }
}

impl std::task::Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if thread::current().id() == self.owner {
            self.wake_here();
            return;
        }
        // `AcqRel`: the call's own swap (on the loop's thread) then sees everything this
        // thread did before this wake, as does the poll it leads to.
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let signal = self.clone();
        let sent = self.remote.call_soon_threadsafe(move || {
            signal.queued.swap(false, Ordering::AcqRel);
            signal.wake_here();
        });
        if !sent {
            // The loop is gone: nothing to wake.
            self.queued.store(false, Ordering::Release);
        }
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        if thread::current().id() != self.owner
            && let Some(parked) = self.parked.get_mut().take()
        {
            // Another thread dropped the last waker while a future is still parked (its
            // `WrapFuture` leaked): the `Rc` must not be touched here; leak it.
            core::mem::forget(parked);
        }
    }
}

/// Run a std future as a task on the running loop (Python: `asyncio.ensure_future` of an
/// awaitable that is not a coroutine): the task polls `fut` at each of its steps, with a
/// waker that reschedules it (see [`wrap_future`]). Its result is what `fut` returns;
/// cancelling the task drops `fut` and the task completes cancelled. Inside `fut`, a
/// [`Task`] or [`Future`] is awaited with `.await` (see [`FutureAwait`]).
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop};
///
/// #[asyncio::coroutine]
/// fn double(x: u32) -> Result<u32, Cancelled> {
///     yield_from!(asyncio::yield_now())?;
///     Ok(2 * x)
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<u32, Cancelled> {
///     let task = asyncio::spawn_future(async {
///         let four = asyncio::create_task(double(2)).await?;
///         Ok::<u32, Cancelled>(four + 1)
///     });
///     yield_from!(&task)
/// }
///
/// assert_eq!(EventLoop::new().run_until_complete(main_coro()), Ok(5));
/// ```
///
/// # Panics
/// If no loop is running on this thread (use [`EventLoop::spawn_future`]).
#[track_caller]
#[must_use = "a task runs anyway, but dropping its handle loses its result"]
pub fn spawn_future<F, T, E>(fut: F) -> Task<T, E>
where
    F: core::future::Future<Output = Result<T, E>> + 'static,
    T: 'static,
    E: AsyncError + 'static,
{
    running_loop("spawn_future").spawn_future(fut)
}

impl EventLoop {
    /// [`spawn_future`] on this loop: run a std future as a task.
    ///
    /// ```
    /// use cogen::asyncio::{Cancelled, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let task = lp.spawn_future(async { Ok::<_, Cancelled>("done") });
    /// assert_eq!(lp.run_until_complete(&task), Ok("done"));
    /// ```
    #[must_use = "a task runs anyway, but dropping its handle loses its result"]
    pub fn spawn_future<F, T, E>(&self, fut: F) -> Task<T, E>
    where
        F: core::future::Future<Output = Result<T, E>> + 'static,
        T: 'static,
        E: AsyncError + 'static,
    {
        self.create_task(SpawnedFuture(wrap_future(fut)))
    }
}

/// The coroutine of [`spawn_future`]: a [`WrapFuture`] whose cancellation is the std
/// future's error type.
struct SpawnedFuture<F>(WrapFuture<F>);

impl<F: core::future::Future<Output = Result<T, E>>, T, E: AsyncError> SpawnedFuture<F> {
    fn inner(self: Pin<&mut Self>) -> Pin<&mut WrapFuture<F>> {
        // SAFETY: the one field is pinned structurally (never moved out; no `Drop`).
        unsafe { self.map_unchecked_mut(|this| &mut this.0) }
    }

    fn flatten(
        step: GeneratorState<Suspend, Result<Result<T, E>, Cancelled>>,
    ) -> GeneratorState<Suspend, Result<T, E>> {
        match step {
            GeneratorState::Yielded(suspend) => GeneratorState::Yielded(suspend),
            GeneratorState::Complete(Ok(returned)) => GeneratorState::Complete(returned),
            GeneratorState::Complete(Err(Cancelled)) => {
                GeneratorState::Complete(Err(E::from(Cancelled)))
            }
        }
    }
}

impl<F: core::future::Future<Output = Result<T, E>>, T, E: AsyncError> Generator<Resume>
    for SpawnedFuture<F>
{
    type Yield = Suspend;
    type Return = Result<T, E>;

    fn start(self: Pin<&mut Self>) -> GeneratorState<Suspend, Result<T, E>> {
        Self::flatten(self.inner().start())
    }

    fn resume(self: Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Result<T, E>> {
        Self::flatten(self.inner().resume(arg))
    }

    fn close(self: Pin<&mut Self>) {
        self.inner().close();
    }

    fn status(&self) -> Status {
        self.0.status()
    }
}

/// A [`Future`] or [`Task`] awaited by a std future: what `fut.await` and `task.await`
/// (by value or by reference) turn into, through [`IntoFuture`]. It completes with the
/// result (cloned, as `yield_from!(&fut)` does), and is woken by a done callback of the
/// future, which it removes when it is dropped or re-polled with another waker.
///
/// ```
/// use cogen::asyncio::{Cancelled, EventLoop, Future};
///
/// let lp = EventLoop::new();
/// let fut: Future<u32> = lp.create_future();
/// let waiter = lp.spawn_future({
///     let fut = fut.clone();
///     async move { Ok::<_, Cancelled>(fut.await? + 1) }
/// });
/// lp.run_briefly(); // the waiter waits
/// fut.set_result(41).unwrap();
/// assert_eq!(lp.run_until_complete(&waiter), Ok(42));
/// ```
///
/// It needs the future's loop to run (the done callback is scheduled on it), but not to be
/// polled by one of its tasks.
#[must_use = "futures do nothing unless polled"]
pub struct FutureAwait<T: 'static, E: 'static> {
    future: Future<T, E>,
    registered: Option<(CallbackId, Registered)>,
}

/// Whom a [`FutureAwait`]'s done callback wakes.
enum Registered {
    /// Any waker.
    Waker(Waker),
    /// The signal of the `WrapFuture` that polls it (a task of the loop: `spawn_future`),
    /// by address (the callback holds a `Weak` of it).
    Signal(*const ()),
}

impl Registered {
    fn will_wake(&self, waker: &Waker) -> bool {
        match self {
            Registered::Waker(registered) => registered.will_wake(waker),
            Registered::Signal(data) => {
                core::ptr::eq(*data, waker.data()) && Polling::signal_of(waker).is_some()
            }
        }
    }
}

impl<T: 'static, E: 'static> fmt::Debug for FutureAwait<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FutureAwait")
            .field("future", &self.future)
            .field("registered", &self.registered.is_some())
            .finish()
    }
}

impl<T: 'static, E: 'static> FutureAwait<T, E> {
    fn unregister(&mut self) {
        if let Some((id, _)) = self.registered.take() {
            self.future.remove_done_callback(id);
        }
    }
}

impl<T: Clone + 'static, E: AsyncError + Clone + 'static> core::future::Future
    for FutureAwait<T, E>
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let this = self.get_mut();
        if let Some(result) = this.future.result() {
            this.unregister();
            return Poll::Ready(result);
        }
        if !matches!(&this.registered, Some((_, registered)) if registered.will_wake(cx.waker())) {
            this.unregister();
            this.registered = Some(match Polling::signal_of(cx.waker()) {
                Some(signal) => {
                    let id = this.future.on_done(move |_| {
                        if let Some(signal) = signal.upgrade() {
                            signal.wake_here();
                        }
                    });
                    (id, Registered::Signal(cx.waker().data()))
                }
                None => {
                    let waker = cx.waker().clone();
                    let id = this.future.on_done(move |_| waker.wake());
                    (id, Registered::Waker(cx.waker().clone()))
                }
            });
        }
        Poll::Pending
    }
}

impl<T: 'static, E: 'static> Drop for FutureAwait<T, E> {
    fn drop(&mut self) {
        self.unregister();
    }
}

macro_rules! into_future {
    ($($awaitable:ty => |$it:ident| $future:expr;)*) => {$(
        impl<T: Clone + 'static, E: AsyncError + Clone + 'static> IntoFuture for $awaitable {
            type Output = Result<T, E>;
            type IntoFuture = FutureAwait<T, E>;
            fn into_future(self) -> FutureAwait<T, E> {
                let $it = self;
                FutureAwait {
                    future: $future,
                    registered: None,
                }
            }
        }
    )*};
}

into_future! {
    Future<T, E> => |future| future;
    &Future<T, E> => |future| future.clone();
    Task<T, E> => |task| Future::from(task);
    &Task<T, E> => |task| task.future().clone();
}
