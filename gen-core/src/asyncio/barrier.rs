//! `Barrier` (Python 3.11's `asyncio.Barrier`): tasks wait until `parties` of them have
//! arrived, then all go on.

use alloc::rc::Rc;
use core::cell::Cell;
use core::fmt;

use super::locks::{Leaf, Op, Park, WaitQueue, leaf_awaitable};
use super::{AsyncError, Cancelled, Resume, Suspend, TimeoutError};
use crate::GeneratorState;

/// The error of [`Barrier::wait`]: the barrier was aborted or reset while the task waited
/// (Python's `BrokenBarrierError`), or the task was cancelled. A [`TimeoutError`] converts
/// to it, so `wait_for(barrier.wait(), ..)` and [`timeout`](super::timeout) need no error
/// type of their own.
///
/// ```
/// use cogen::asyncio::{AsyncError, BarrierError, Cancelled, TimeoutError};
///
/// assert!(BarrierError::from(Cancelled).is_cancelled());
/// assert!(!BarrierError::Broken.is_cancelled());
/// assert_eq!(BarrierError::Broken.to_string(), "the barrier was aborted or reset");
/// assert_eq!(BarrierError::from(TimeoutError), BarrierError::TimedOut);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BarrierError {
    /// [`abort`](Barrier::abort) broke the barrier, or [`reset`](Barrier::reset) sent
    /// back the tasks that were waiting (Python's `BrokenBarrierError`).
    Broken,
    /// The task was cancelled ([`Cancelled`]).
    // Not `Cancelled`: see `IoError::TaskCancelled`.
    TaskCancelled,
    /// [`wait_for`](super::wait_for) or [`timeout`](super::timeout) ran out of time
    /// ([`TimeoutError`]); the wait left its round.
    TimedOut,
}

impl fmt::Display for BarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BarrierError::Broken => "the barrier was aborted or reset",
            BarrierError::TaskCancelled => "cancelled",
            BarrierError::TimedOut => "timed out",
        })
    }
}

impl std::error::Error for BarrierError {}

impl From<Cancelled> for BarrierError {
    fn from(_: Cancelled) -> Self {
        BarrierError::TaskCancelled
    }
}

impl From<TimeoutError> for BarrierError {
    fn from(_: TimeoutError) -> Self {
        BarrierError::TimedOut
    }
}

impl AsyncError for BarrierError {
    fn is_cancelled(&self) -> bool {
        *self == BarrierError::TaskCancelled
    }
}

/// Where a barrier is in its cycle (Python's `_BarrierState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Tasks arrive and wait for the last party.
    Filling,
    /// The last party arrived: the waiters leave; new arrivals wait until they all have.
    Draining,
    /// [`Barrier::reset`] while tasks waited: they leave with `Broken`; new arrivals wait
    /// until they all have.
    Resetting,
    /// [`Barrier::abort`]: every wait fails with `Broken` until a reset.
    Broken,
}

/// Python's `asyncio.Barrier`: [`wait`](Barrier::wait) suspends each task until `parties`
/// tasks are waiting, then lets them all go on, and the barrier fills again for the next
/// round. Each wait returns the task's place in its round, `0` to `parties - 1` (Python
/// uses it to elect one task, `if index == 0:`).
///
/// A task cancelled while it waits leaves the round (it no longer counts); one that arrives
/// while a round drains waits for the next. [`abort`](Barrier::abort) breaks the barrier and
/// [`reset`](Barrier::reset) sends the waiting tasks back; both make their waits fail with
/// [`BarrierError::Broken`]. `Barrier` is a handle: `Clone` shares it.
///
/// ```
/// use std::time::Duration;
/// use std::{cell::RefCell, rc::Rc};
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Barrier, BarrierError, EventLoop};
///
/// type Log = Rc<RefCell<Vec<String>>>;
///
/// #[asyncio::coroutine]
/// fn worker(barrier: Barrier, secs: u64, log: Log) -> Result<usize, BarrierError> {
///     yield_from!(asyncio::sleep(Duration::from_secs(secs)))?;
///     let place = yield_from!(barrier.wait())?;
///     let now = asyncio::get_running_loop().unwrap().time().as_secs();
///     log.borrow_mut().push(format!("worker {secs} passes at {now}s"));
///     Ok(place)
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let (barrier, log) = (Barrier::new(3), Log::default());
/// let workers = [3, 1, 2].map(|secs| lp.create_task(worker(barrier.clone(), secs, log.clone())));
/// let places = lp.run_until_complete(asyncio::gather(&workers)).unwrap();
/// assert_eq!(places, [2, 0, 1]); // the order they arrived in
/// assert_eq!(
///     *log.borrow(),
///     ["worker 3 passes at 3s", "worker 1 passes at 3s", "worker 2 passes at 3s"],
/// );
/// ```
#[derive(Clone)]
pub struct Barrier {
    inner: Rc<BarrierInner>,
}

struct BarrierInner {
    parties: usize,
    phase: Cell<Phase>,
    /// Tasks inside a wait (past the blocking of a draining or resetting barrier).
    count: Cell<usize>,
    /// Every task suspended in a wait: each checks the phase again when woken, as Python's
    /// `Condition.wait_for`, and waits at the back again if it must.
    waiters: WaitQueue,
}

impl Barrier {
    /// A barrier for `parties` tasks.
    ///
    /// ```
    /// use cogen::asyncio::Barrier;
    ///
    /// let barrier = Barrier::new(3);
    /// assert_eq!((barrier.parties(), barrier.n_waiting(), barrier.broken()), (3, 0, false));
    /// ```
    ///
    /// # Panics
    /// If `parties` is 0 (Python: ValueError).
    #[track_caller]
    pub fn new(parties: usize) -> Self {
        assert!(parties >= 1, "a Barrier needs at least one party");
        Barrier {
            inner: Rc::new(BarrierInner {
                parties,
                phase: Cell::new(Phase::Filling),
                count: Cell::new(0),
                waiters: WaitQueue::default(),
            }),
        }
    }

    /// How many tasks it takes to pass the barrier.
    ///
    /// ```
    /// use cogen::asyncio::Barrier;
    ///
    /// assert_eq!(Barrier::new(4).parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.inner.parties
    }

    /// How many tasks wait in the round that is filling (0 while a round drains, resets or
    /// the barrier is broken, as Python's `n_waiting`).
    ///
    /// ```
    /// use cogen::asyncio::{Barrier, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let barrier = Barrier::new(3);
    /// let first = lp.create_task(barrier.wait());
    /// lp.run_briefly();
    /// assert_eq!(barrier.n_waiting(), 1);
    /// first.cancel();
    /// lp.run_briefly();
    /// assert_eq!(barrier.n_waiting(), 0); // a cancelled task leaves the round
    /// ```
    pub fn n_waiting(&self) -> usize {
        match self.inner.phase.get() {
            Phase::Filling => self.inner.count.get(),
            _ => 0,
        }
    }

    /// Whether [`abort`](Barrier::abort) broke the barrier (until a [`reset`](Barrier::reset)).
    ///
    /// ```
    /// use cogen::asyncio::Barrier;
    ///
    /// let barrier = Barrier::new(2);
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.inner.phase.get() == Phase::Broken
    }

    /// Wait until `parties` tasks wait, then go on: `let place = yield_from!(barrier.wait())?`,
    /// the task's place in its round (`0` for the first to arrive; the last one does not
    /// suspend). Python's `await barrier.wait()` and `async with barrier as place:`.
    ///
    /// `Err(BarrierError::Broken)` if the barrier is broken, or is aborted or reset while
    /// the task waits; `Err(BarrierError::TaskCancelled)` if the task is cancelled while it
    /// waits (it then leaves the round).
    ///
    /// ```
    /// use cogen::asyncio::{Barrier, BarrierError, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let barrier = Barrier::new(2);
    /// let first = lp.create_task(barrier.wait());
    /// assert_eq!(lp.run_until_complete(barrier.wait()), Ok(1));
    /// assert_eq!(lp.run_until_complete(&first), Ok(0));
    ///
    /// barrier.abort();
    /// assert_eq!(lp.run_until_complete(barrier.wait()), Err(BarrierError::Broken));
    /// ```
    pub fn wait(&self) -> BarrierWait {
        BarrierWait(Leaf::new(WaitOp {
            barrier: self.clone(),
            place: None,
            park: None,
        }))
    }

    /// Send the tasks that wait back with [`BarrierError::Broken`] and start a new round
    /// once they have left (at once if none waits); a broken barrier is mended. Python's
    /// `await barrier.reset()`, which never suspends: here it is a plain call.
    ///
    /// ```
    /// use cogen::asyncio::{Barrier, BarrierError, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let barrier = Barrier::new(2);
    /// let waiting = lp.create_task(barrier.wait());
    /// lp.run_briefly();
    /// barrier.reset();
    /// assert_eq!(lp.run_until_complete(&waiting), Err(BarrierError::Broken));
    /// assert_eq!(barrier.n_waiting(), 0);
    /// assert!(!barrier.broken());
    /// ```
    pub fn reset(&self) {
        let inner = &self.inner;
        if inner.count.get() > 0 {
            inner.phase.set(Phase::Resetting);
        } else {
            inner.phase.set(Phase::Filling);
        }
        self.wake_all();
    }

    /// Break the barrier: the waits in progress and every later one fail with
    /// [`BarrierError::Broken`], until a [`reset`](Barrier::reset). Python's
    /// `await barrier.abort()`, which never suspends: here it is a plain call.
    ///
    /// ```
    /// use cogen::asyncio::{Barrier, BarrierError, EventLoop};
    ///
    /// let lp = EventLoop::new();
    /// let barrier = Barrier::new(3);
    /// let waiting = lp.create_task(barrier.wait());
    /// lp.run_briefly();
    /// barrier.abort();
    /// assert_eq!(lp.run_until_complete(&waiting), Err(BarrierError::Broken));
    /// assert!(barrier.broken());
    /// ```
    pub fn abort(&self) {
        self.inner.phase.set(Phase::Broken);
        self.wake_all();
    }

    /// Wake every waiter to look at the phase again (Python's `notify_all`).
    fn wake_all(&self) {
        while let Some(waiter) = self.inner.waiters.pop_front() {
            if !waiter.future.done() {
                let _ = waiter.future.set_result(());
            }
        }
    }

    /// A task leaves a wait it was inside of: the last one out of a draining or resetting
    /// barrier starts the next round (Python's `_exit`).
    fn exit(&self) {
        let inner = &self.inner;
        let count = inner.count.get() - 1;
        inner.count.set(count);
        if count == 0 {
            if matches!(inner.phase.get(), Phase::Draining | Phase::Resetting) {
                inner.phase.set(Phase::Filling);
            }
            self.wake_all();
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("phase", &self.inner.phase.get())
            .field("waiting", &self.n_waiting())
            .field("parties", &self.inner.parties)
            .finish()
    }
}

/// The awaitable of [`Barrier::wait`]: `Result<usize, BarrierError>`.
///
/// ```
/// use cogen::asyncio::{Barrier, EventLoop};
///
/// let lp = EventLoop::new();
/// let barrier = Barrier::new(1);
/// assert_eq!(lp.run_until_complete(barrier.wait()), Ok(0)); // one party: at once
/// ```
pub struct BarrierWait(Leaf<WaitOp>);

leaf_awaitable!(BarrierWait -> Result<usize, BarrierError>);

struct WaitOp {
    barrier: Barrier,
    /// `Some` once inside the round: the task's place in it.
    place: Option<usize>,
    park: Option<Park>,
}

impl WaitOp {
    fn suspend(&mut self) -> GeneratorState<Suspend, Result<usize, BarrierError>> {
        let (park, suspend) = Park::on(&self.barrier.inner.waiters, "Barrier::wait");
        self.park = Some(park);
        GeneratorState::Yielded(suspend)
    }
}

impl Op for WaitOp {
    type Output = Result<usize, BarrierError>;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Self::Output> {
        let inner = &self.barrier.inner;
        if let Some(arg) = resumed {
            // Resumed in place, taken after: if the resume panics (a wait driven by hand,
            // resumed while its waiter is pending), `abandon` still finds the park.
            let woken = self
                .park
                .as_mut()
                .expect("cogen: a resumed wait is parked")
                .resume(arg);
            let park = self.park.take().expect("parked above");
            inner.waiters.leave(&park.waiter);
            if let Err(Cancelled) = woken {
                if self.place.take().is_some() {
                    self.barrier.exit();
                }
                return GeneratorState::Complete(Err(BarrierError::TaskCancelled));
            }
        }
        let Some(place) = self.place else {
            // Arriving: wait while the previous round drains or resets.
            match inner.phase.get() {
                Phase::Draining | Phase::Resetting => return self.suspend(),
                Phase::Broken => return GeneratorState::Complete(Err(BarrierError::Broken)),
                Phase::Filling => {}
            }
            let place = inner.count.get();
            if place + 1 == inner.parties {
                inner.count.set(place + 1);
                inner.phase.set(Phase::Draining);
                self.barrier.wake_all();
                self.barrier.exit();
                return GeneratorState::Complete(Ok(place));
            }
            // Parked first: that panics outside a running loop, before the wait counts.
            let suspended = self.suspend();
            self.barrier.inner.count.set(place + 1);
            self.place = Some(place);
            return suspended;
        };
        // Inside the round: wait for the last party, an abort or a reset.
        let outcome = match inner.phase.get() {
            Phase::Filling => return self.suspend(),
            Phase::Draining => Ok(place),
            Phase::Resetting | Phase::Broken => Err(BarrierError::Broken),
        };
        self.place = None;
        self.barrier.exit();
        GeneratorState::Complete(outcome)
    }

    fn abandon(&mut self) {
        if let Some(park) = self.park.take() {
            self.barrier.inner.waiters.leave(&park.waiter);
        }
        if self.place.take().is_some() {
            self.barrier.exit();
        }
    }
}
