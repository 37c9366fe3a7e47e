//! Note 002 (`002_9b6ee2d239c5b881.txt`), "`asyncio.Future`를 사용하여 유사 Semaphore 구현":
//! the note's `FutureSemaphore`, a semaphore made of futures with no busy waiting, and five
//! `run_job`s gathered on one semaphore with a single permit: each job takes the permit,
//! works for 1 s and releases it, so they run one after another, 1 s apart.
//!
//! `FutureSemaphore` is the note's class, line for line (not the library's
//! `asyncio::Semaphore`): `acquire` creates a future with
//! `get_running_loop().create_future()`, queues it and awaits it while no permit is left;
//! `release` gives the permit back and completes the oldest waiting future with
//! `set_result`. `acquire` is a coroutine method borrowing `&self`: `run_job` owns the
//! semaphore (an `Rc`, Python's shared reference) and awaits `semaphore.acquire()` in place.
//!
//! The note prints `datetime.now()`; the twin prints the time since the program started, in
//! the note's seconds (`support/note_clock.rs`: a second lasts 10 ms here;
//! `--virtual-clock` makes the times exact).
//!
//! Run it with `cargo run --example future_semaphore [-- --virtual-clock]`. Output (virtual
//! clock; on the real one the times are a little later):
//!
//! ```text
//! 0.00 - start job 1
//! 1.00 - job 1 finished
//! 1.00 - start job 2
//! 2.00 - job 2 finished
//! 2.00 - start job 3
//! 3.00 - job 3 finished
//! 3.00 - start job 4
//! 4.00 - job 4 finished
//! 4.00 - start job 5
//! 5.00 - job 5 finished
//! ```

#[path = "support/note_clock.rs"]
mod note_clock;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use cogen::asyncio::{self, Cancelled, Future};
use cogen::yield_from;

/// `class FutureSemaphore`
struct FutureSemaphore {
    value: Cell<i64>,
    waiters: RefCell<VecDeque<Future<()>>>,
}

impl FutureSemaphore {
    /// `def __init__(self, initial_value: int = 1)`
    fn new(initial_value: i64) -> Self {
        FutureSemaphore {
            value: Cell::new(initial_value),
            waiters: RefCell::new(VecDeque::new()),
        }
    }

    /// `async def acquire(self)`
    #[asyncio::coroutine]
    fn acquire(&self) -> Result<(), Cancelled> {
        if self.value.get() <= 0 {
            let event_loop = asyncio::get_running_loop().expect("acquire runs in a coroutine");
            // Create the future,
            let future = event_loop.create_future();
            self.waiters.borrow_mut().push_back(future.clone());
            // and wait until `release` completes it.
            yield_from!(&future)?;
        }
        self.value.set(self.value.get() - 1);
        Ok(())
    }

    /// `def release(self)`
    fn release(&self) {
        self.value.set(self.value.get() + 1);
        let next = self.waiters.borrow_mut().pop_front();
        if let Some(fut) = next {
            // Complete the future with a value: its waiter goes on.
            fut.set_result(()).expect("a waiter's future is pending");
        }
    }
}

/// `async def run_job(semaphore, job_id)`
#[asyncio::coroutine]
fn run_job(semaphore: Rc<FutureSemaphore>, job_id: u32) -> Result<(), Cancelled> {
    yield_from!(semaphore.acquire())?;
    println!("{:.2} - start job {job_id}", note_clock::time());
    yield_from!(asyncio::sleep(note_clock::seconds(1.0)))?;
    println!("{:.2} - job {job_id} finished", note_clock::time());
    semaphore.release();
    Ok(())
}

/// `async def main()`
#[asyncio::coroutine]
fn main_coro() -> Result<(), Cancelled> {
    let semaphore = Rc::new(FutureSemaphore::new(1));
    yield_from!(asyncio::gather(
        (1..=5).map(|job_id| run_job(semaphore.clone(), job_id))
    ))?;
    Ok(())
}

fn main() -> Result<(), Cancelled> {
    note_clock::init();
    note_clock::run(main_coro())
}
