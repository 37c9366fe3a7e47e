//! `Queue`, `LifoQueue` and `PriorityQueue` (Python's `asyncio.queues`).

use alloc::boxed::Box;
use alloc::collections::{BinaryHeap, VecDeque};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::cmp::Reverse;
use core::fmt;
use core::ops::Deref;

use super::locks::{Event, EventWait, Leaf, Op, Park, WaitQueue, leaf_awaitable};
use super::{Cancelled, Resume, Suspend};
use crate::GeneratorState;

/// Python's `asyncio.QueueFull`: [`Queue::put_nowait`] on a full queue.
///
/// ```
/// use cogen::asyncio::{Queue, QueueFull};
///
/// let queue = Queue::with_maxsize(1);
/// queue.put_nowait("a").unwrap();
/// assert_eq!(queue.put_nowait("b"), Err(QueueFull));
/// assert_eq!(QueueFull.to_string(), "the queue is full");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueFull;

impl fmt::Display for QueueFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl std::error::Error for QueueFull {}

/// Python's `asyncio.QueueEmpty`: [`Queue::get_nowait`] on an empty queue.
///
/// ```
/// use cogen::asyncio::{Queue, QueueEmpty};
///
/// let queue: Queue<u32> = Queue::new();
/// assert_eq!(queue.get_nowait(), Err(QueueEmpty));
/// assert_eq!(QueueEmpty.to_string(), "the queue is empty");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueEmpty;

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is empty")
    }
}

impl std::error::Error for QueueEmpty {}

/// Where a queue keeps its items: the order of `get`.
trait Store<T> {
    fn push(&mut self, item: T);
    fn pop(&mut self) -> Option<T>;
    fn len(&self) -> usize;
}

/// First in, first out.
impl<T> Store<T> for VecDeque<T> {
    fn push(&mut self, item: T) {
        self.push_back(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.pop_front()
    }
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

/// Last in, first out.
struct Lifo<T>(Vec<T>);

impl<T> Store<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Smallest first.
struct Smallest<T>(BinaryHeap<Reverse<T>>);

impl<T: Ord> Store<T> for Smallest<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// Python's `asyncio.Queue`: a FIFO queue between tasks. [`get`](Queue::get) waits while it
/// is empty; [`put`](Queue::put) waits while it is full (a queue made by
/// [`with_maxsize(n)`](Queue::with_maxsize) holds at most `n` items; [`new`](Queue::new) makes
/// an unbounded one). [`task_done`](Queue::task_done) and [`join`](Queue::join) let a
/// producer wait until every item put has been processed. [`LifoQueue`] and
/// [`PriorityQueue`] are queues too (they deref to `Queue`), which give the last item put,
/// or the smallest, first.
///
/// A waiting `get` or `put` that is cancelled takes no item and puts none; the next waiter
/// is woken in its place. `Queue` is a handle: `Clone` shares it.
///
/// ```
/// use std::time::Duration;
/// use cogen::yield_from;
/// use cogen::asyncio::{self, Cancelled, EventLoop, Queue};
///
/// #[asyncio::coroutine]
/// fn producer(queue: Queue<u32>) -> Result<(), Cancelled> {
///     for item in 1..=3 {
///         yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
///         yield_from!(queue.put(item))?;
///     }
///     yield_from!(queue.join()) // until the consumer is done with all of them
/// }
///
/// #[asyncio::coroutine]
/// fn consumer(queue: Queue<u32>) -> Result<(), Cancelled> {
///     loop {
///         let item = yield_from!(queue.get())?;
///         println!("got {item} at {:?}", asyncio::get_running_loop().unwrap().time());
///         queue.task_done();
///     }
/// }
///
/// let lp = EventLoop::with_virtual_clock();
/// let queue = Queue::with_maxsize(1);
/// let worker = lp.create_task(consumer(queue.clone()));
/// lp.run_until_complete(producer(queue.clone())).unwrap();
/// assert_eq!(lp.time(), Duration::from_secs(3));
/// assert!(worker.cancel());
/// ```
pub struct Queue<T> {
    inner: Rc<QueueInner<T>>,
}

struct QueueInner<T> {
    items: RefCell<Box<dyn Store<T>>>,
    maxsize: usize,
    getters: WaitQueue,
    putters: WaitQueue,
    unfinished: Cell<usize>,
    /// Set while no item is unfinished.
    finished: Event,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            inner: self.inner.clone(),
        }
    }
}

impl<T: 'static> Default for Queue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Queue<T> {
    /// An unbounded FIFO queue (Python: `Queue()`).
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// let queue = Queue::new();
    /// queue.put_nowait("a").unwrap();
    /// assert_eq!(queue.maxsize(), 0);
    /// assert_eq!(queue.get_nowait(), Ok("a"));
    /// ```
    pub fn new() -> Self {
        Self::with_maxsize(0)
    }

    /// A FIFO queue that holds at most `maxsize` items; 0 means unbounded (Python:
    /// `Queue(maxsize)`).
    ///
    /// ```
    /// use cogen::asyncio::{Queue, QueueFull};
    ///
    /// let queue = Queue::with_maxsize(2);
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// assert_eq!(queue.put_nowait(3), Err(QueueFull));
    /// ```
    pub fn with_maxsize(maxsize: usize) -> Self {
        Self::with_store(Box::new(VecDeque::new()), maxsize)
    }

    fn with_store(store: Box<dyn Store<T>>, maxsize: usize) -> Self {
        let finished = Event::new();
        finished.set();
        Queue {
            inner: Rc::new(QueueInner {
                items: RefCell::new(store),
                maxsize,
                getters: WaitQueue::default(),
                putters: WaitQueue::default(),
                unfinished: Cell::new(0),
                finished,
            }),
        }
    }
}

impl<T> Queue<T> {
    /// The most items the queue holds; 0 for an unbounded queue.
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// assert_eq!(Queue::<u32>::with_maxsize(5).maxsize(), 5);
    /// assert_eq!(Queue::<u32>::new().maxsize(), 0);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.inner.maxsize
    }

    /// The items in the queue.
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// let queue = Queue::new();
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// assert_eq!(queue.qsize(), 2);
    /// queue.get_nowait().unwrap();
    /// assert_eq!(queue.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.inner.items.borrow().len()
    }

    /// Whether the queue holds no item.
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// let queue = Queue::new();
    /// assert!(queue.empty());
    /// queue.put_nowait('x').unwrap();
    /// assert!(!queue.empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items (never, for an unbounded queue).
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// let queue = Queue::with_maxsize(1);
    /// assert!(!queue.full());
    /// queue.put_nowait(1).unwrap();
    /// assert!(queue.full());
    /// ```
    pub fn full(&self) -> bool {
        self.inner.maxsize > 0 && self.qsize() >= self.inner.maxsize
    }

    /// Put `item` in the queue without waiting; `Err(QueueFull)` if it is full. Wakes the
    /// longest waiting `get`.
    ///
    /// ```
    /// use cogen::asyncio::{Queue, QueueFull};
    ///
    /// let queue = Queue::with_maxsize(1);
    /// assert_eq!(queue.put_nowait("a"), Ok(()));
    /// assert_eq!(queue.put_nowait("b"), Err(QueueFull));
    /// assert_eq!(queue.qsize(), 1);
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull> {
        if self.full() {
            return Err(QueueFull);
        }
        self.inner.items.borrow_mut().push(item);
        self.inner.unfinished.set(self.inner.unfinished.get() + 1);
        self.inner.finished.clear();
        self.inner.getters.wake_next();
        Ok(())
    }

    /// Take an item without waiting; `Err(QueueEmpty)` if there is none. Wakes the longest
    /// waiting `put`.
    ///
    /// ```
    /// use cogen::asyncio::{Queue, QueueEmpty};
    ///
    /// let queue = Queue::new();
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// assert_eq!(queue.get_nowait(), Ok(1)); // first in, first out
    /// assert_eq!(queue.get_nowait(), Ok(2));
    /// assert_eq!(queue.get_nowait(), Err(QueueEmpty));
    /// ```
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let item = self.inner.items.borrow_mut().pop().ok_or(QueueEmpty)?;
        self.inner.putters.wake_next();
        Ok(item)
    }

    /// Say that an item taken from the queue has been processed: when every item put has
    /// been, [`join`](Queue::join) returns.
    ///
    /// ```
    /// use cogen::asyncio::Queue;
    ///
    /// let queue = Queue::new();
    /// queue.put_nowait(1).unwrap();
    /// queue.get_nowait().unwrap();
    /// queue.task_done();
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    /// let message = catch_unwind(AssertUnwindSafe(|| queue.task_done())).unwrap_err();
    /// assert_eq!(message.downcast_ref::<&str>(), Some(&"task_done() called too many times"));
    /// ```
    ///
    /// # Panics
    /// If called more times than items were put (Python: ValueError).
    #[track_caller]
    pub fn task_done(&self) {
        let unfinished = self.inner.unfinished.get();
        if unfinished == 0 {
            panic!("task_done() called too many times");
        }
        self.inner.unfinished.set(unfinished - 1);
        if unfinished == 1 {
            self.inner.finished.set();
        }
    }

    /// Wait until every item put has been taken and marked [`task_done`](Queue::task_done):
    /// `yield_from!(queue.join())?` (at once if there is none). `Err(Cancelled)` if the task
    /// is cancelled meanwhile.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Queue};
    ///
    /// #[asyncio::coroutine]
    /// fn worker(queue: Queue<u32>) -> Result<(), Cancelled> {
    ///     let _item = yield_from!(queue.get())?;
    ///     yield_from!(asyncio::sleep(Duration::from_secs(2)))?;
    ///     queue.task_done();
    ///     Ok(())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let queue = Queue::new();
    /// queue.put_nowait(7).unwrap();
    /// lp.create_task(worker(queue.clone()));
    /// lp.run_until_complete(queue.join()).unwrap();
    /// assert_eq!(lp.time(), Duration::from_secs(2));
    /// ```
    pub fn join(&self) -> Join {
        Join(self.inner.finished.wait())
    }
}

impl<T: 'static> Queue<T> {
    /// Put `item` in the queue, waiting while it is full: `yield_from!(queue.put(item))?`.
    /// `Err(Cancelled)` if the task is cancelled while waiting; the item is then dropped,
    /// not put.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Queue};
    ///
    /// #[asyncio::coroutine]
    /// fn take_later(queue: Queue<u32>) -> Result<u32, Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    ///     Ok(queue.get_nowait().unwrap())
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let queue = Queue::with_maxsize(1);
    /// queue.put_nowait(1).unwrap();
    /// let taker = lp.create_task(take_later(queue.clone()));
    /// lp.run_until_complete(queue.put(2)).unwrap(); // waits until there is room
    /// assert_eq!(lp.time(), Duration::from_secs(1));
    /// assert_eq!(taker.result(), Some(Ok(1)));
    /// assert_eq!(queue.get_nowait(), Ok(2));
    /// ```
    pub fn put(&self, item: T) -> Put<T> {
        Put(Leaf::new(PutOp {
            queue: self.clone(),
            item: Some(item),
            park: None,
        }))
    }

    /// Take the next item, waiting while the queue is empty: `yield_from!(queue.get())?`.
    /// `Err(Cancelled)` if the task is cancelled while waiting (it then takes no item).
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, Queue};
    ///
    /// #[asyncio::coroutine]
    /// fn put_later(queue: Queue<&'static str>) -> Result<(), Cancelled> {
    ///     yield_from!(asyncio::sleep(Duration::from_secs(1)))?;
    ///     yield_from!(queue.put("hello"))
    /// }
    ///
    /// let lp = EventLoop::with_virtual_clock();
    /// let queue = Queue::new();
    /// lp.create_task(put_later(queue.clone()));
    /// assert_eq!(lp.run_until_complete(queue.get()), Ok("hello"));
    /// assert_eq!(lp.time(), Duration::from_secs(1));
    /// ```
    pub fn get(&self) -> Get<T> {
        Get(Leaf::new(GetOp {
            queue: self.clone(),
            park: None,
        }))
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("maxsize", &self.maxsize())
            .field("qsize", &self.qsize())
            .field("getters", &self.inner.getters.len())
            .field("putters", &self.inner.putters.len())
            .field("unfinished", &self.inner.unfinished.get())
            .finish()
    }
}

/// The awaitable of [`Queue::put`]: `Result<(), Cancelled>`.
///
/// ```
/// use cogen::asyncio::{EventLoop, Queue};
///
/// let lp = EventLoop::new();
/// let queue = Queue::with_maxsize(1);
/// queue.put_nowait(1).unwrap();
/// let put = lp.create_task(queue.put(2)); // waits: the queue is full
/// lp.run_briefly();
/// assert_eq!(queue.get_nowait(), Ok(1));
/// assert_eq!(lp.run_until_complete(&put), Ok(()));
/// assert_eq!(queue.get_nowait(), Ok(2));
/// ```
pub struct Put<T>(Leaf<PutOp<T>>);

leaf_awaitable!(Put<T> -> Resume);

struct PutOp<T> {
    queue: Queue<T>,
    item: Option<T>,
    park: Option<Park>,
}

impl<T> Op for PutOp<T> {
    type Output = Resume;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Resume> {
        if let Some(arg) = resumed {
            let mut park = self.park.take().expect("cogen: a resumed put is parked");
            if let Err(Cancelled) = park.resume(arg) {
                self.leave(&park);
                self.item = None;
                return GeneratorState::Complete(Err(Cancelled));
            }
        }
        // Woken, but another put may have filled the queue again: Python waits again.
        if self.queue.full() {
            let (park, suspend) = Park::on(&self.queue.inner.putters, "Queue::put");
            self.park = Some(park);
            return GeneratorState::Yielded(suspend);
        }
        let item = self.item.take().expect("cogen: a put puts its item once");
        let put = self.queue.put_nowait(item);
        debug_assert!(put.is_ok());
        GeneratorState::Complete(Ok(()))
    }

    fn abandon(&mut self) {
        if let Some(park) = self.park.take() {
            self.leave(&park);
        }
    }
}

impl<T> PutOp<T> {
    /// A put that will not put leaves; if it was woken, the next one is woken instead.
    fn leave(&self, park: &Park) {
        self.queue.inner.putters.leave(&park.waiter);
        if !self.queue.full() && park.waiter.woken() {
            self.queue.inner.putters.wake_next();
        }
    }
}

/// The awaitable of [`Queue::get`]: `Result<T, Cancelled>`.
///
/// ```
/// use cogen::asyncio::{EventLoop, Queue};
///
/// let lp = EventLoop::new();
/// let queue = Queue::new();
/// let get = lp.create_task(queue.get()); // waits: the queue is empty
/// lp.run_briefly();
/// queue.put_nowait("item").unwrap();
/// assert_eq!(lp.run_until_complete(&get), Ok("item"));
/// ```
pub struct Get<T>(Leaf<GetOp<T>>);

leaf_awaitable!(Get<T> -> Result<T, Cancelled>);

struct GetOp<T> {
    queue: Queue<T>,
    park: Option<Park>,
}

impl<T> Op for GetOp<T> {
    type Output = Result<T, Cancelled>;

    #[track_caller]
    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Self::Output> {
        if let Some(arg) = resumed {
            let mut park = self.park.take().expect("cogen: a resumed get is parked");
            if let Err(Cancelled) = park.resume(arg) {
                self.leave(&park);
                return GeneratorState::Complete(Err(Cancelled));
            }
        }
        // Woken, but another get may have taken the item: Python waits again.
        match self.queue.get_nowait() {
            Ok(item) => GeneratorState::Complete(Ok(item)),
            Err(QueueEmpty) => {
                let (park, suspend) = Park::on(&self.queue.inner.getters, "Queue::get");
                self.park = Some(park);
                GeneratorState::Yielded(suspend)
            }
        }
    }

    fn abandon(&mut self) {
        if let Some(park) = self.park.take() {
            self.leave(&park);
        }
    }
}

impl<T> GetOp<T> {
    /// A get that will not take an item leaves; if it was woken, the next one is woken
    /// instead.
    fn leave(&self, park: &Park) {
        self.queue.inner.getters.leave(&park.waiter);
        if !self.queue.empty() && park.waiter.woken() {
            self.queue.inner.getters.wake_next();
        }
    }
}

/// The awaitable of [`Queue::join`]: `Result<(), Cancelled>`.
///
/// ```
/// use cogen::asyncio::{EventLoop, Queue};
///
/// let lp = EventLoop::new();
/// let queue = Queue::new();
/// queue.put_nowait(1).unwrap();
/// let join = lp.create_task(queue.join());
/// lp.run_briefly();
/// assert!(!join.done()); // an item is unfinished
/// queue.get_nowait().unwrap();
/// queue.task_done();
/// assert_eq!(lp.run_until_complete(&join), Ok(()));
/// ```
pub struct Join(EventWait);

impl crate::Generator<Resume> for Join {
    type Yield = Suspend;
    type Return = Resume;

    #[track_caller]
    fn start(self: core::pin::Pin<&mut Self>) -> GeneratorState<Suspend, Resume> {
        core::pin::Pin::new(&mut self.get_mut().0).start()
    }

    #[track_caller]
    fn resume(self: core::pin::Pin<&mut Self>, arg: Resume) -> GeneratorState<Suspend, Resume> {
        core::pin::Pin::new(&mut self.get_mut().0).resume(arg)
    }

    fn close(self: core::pin::Pin<&mut Self>) {
        core::pin::Pin::new(&mut self.get_mut().0).close();
    }

    fn status(&self) -> crate::Status {
        self.0.status()
    }
}

impl fmt::Debug for Join {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("status", &crate::Generator::status(&self.0))
            .finish_non_exhaustive()
    }
}

/// Python's `asyncio.LifoQueue`: a [`Queue`] (it derefs to one) whose `get` gives the item
/// put last.
///
/// ```
/// use cogen::asyncio::LifoQueue;
///
/// let queue = LifoQueue::new();
/// for item in [1, 2, 3] {
///     queue.put_nowait(item).unwrap();
/// }
/// assert_eq!([(); 3].map(|()| queue.get_nowait().unwrap()), [3, 2, 1]);
/// ```
pub struct LifoQueue<T>(Queue<T>);

impl<T: 'static> LifoQueue<T> {
    /// An unbounded LIFO queue.
    ///
    /// ```
    /// use cogen::asyncio::LifoQueue;
    ///
    /// let queue = LifoQueue::new();
    /// queue.put_nowait(1).unwrap();
    /// queue.put_nowait(2).unwrap();
    /// assert_eq!(queue.get_nowait(), Ok(2));
    /// ```
    pub fn new() -> Self {
        Self::with_maxsize(0)
    }

    /// A LIFO queue that holds at most `maxsize` items; 0 means unbounded.
    ///
    /// ```
    /// use cogen::asyncio::{LifoQueue, QueueFull};
    ///
    /// let queue = LifoQueue::with_maxsize(1);
    /// queue.put_nowait(1).unwrap();
    /// assert_eq!(queue.put_nowait(2), Err(QueueFull));
    /// ```
    pub fn with_maxsize(maxsize: usize) -> Self {
        LifoQueue(Queue::with_store(Box::new(Lifo(Vec::new())), maxsize))
    }
}

/// Python's `asyncio.PriorityQueue`: a [`Queue`] (it derefs to one) whose `get` gives the
/// smallest item first (put `(priority, value)` tuples to order by priority).
///
/// ```
/// use cogen::asyncio::PriorityQueue;
///
/// let queue = PriorityQueue::new();
/// for item in [(2, "b"), (3, "c"), (1, "a")] {
///     queue.put_nowait(item).unwrap();
/// }
/// assert_eq!([(); 3].map(|()| queue.get_nowait().unwrap().1), ["a", "b", "c"]);
/// ```
pub struct PriorityQueue<T>(Queue<T>);

impl<T: Ord + 'static> PriorityQueue<T> {
    /// An unbounded priority queue.
    ///
    /// ```
    /// use cogen::asyncio::PriorityQueue;
    ///
    /// let queue = PriorityQueue::new();
    /// queue.put_nowait(5).unwrap();
    /// queue.put_nowait(3).unwrap();
    /// assert_eq!(queue.get_nowait(), Ok(3));
    /// ```
    pub fn new() -> Self {
        Self::with_maxsize(0)
    }

    /// A priority queue that holds at most `maxsize` items; 0 means unbounded.
    ///
    /// ```
    /// use cogen::asyncio::{PriorityQueue, QueueFull};
    ///
    /// let queue = PriorityQueue::with_maxsize(1);
    /// queue.put_nowait(1).unwrap();
    /// assert_eq!(queue.put_nowait(0), Err(QueueFull));
    /// ```
    pub fn with_maxsize(maxsize: usize) -> Self {
        PriorityQueue(Queue::with_store(
            Box::new(Smallest(BinaryHeap::new())),
            maxsize,
        ))
    }
}

macro_rules! queue_kind {
    ($($kind:ident $(: $bound:ident)?),*) => {$(
        impl<T> Deref for $kind<T> {
            type Target = Queue<T>;
            fn deref(&self) -> &Queue<T> {
                &self.0
            }
        }

        impl<T> Clone for $kind<T> {
            fn clone(&self) -> Self {
                $kind(self.0.clone())
            }
        }

        impl<T: $($bound +)? 'static> Default for $kind<T> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T> fmt::Debug for $kind<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($kind)).field(&self.0).finish()
            }
        }

        impl<T> From<$kind<T>> for Queue<T> {
            fn from(queue: $kind<T>) -> Self {
                queue.0
            }
        }
    )*};
}

queue_kind!(LifoQueue, PriorityQueue: Ord);
