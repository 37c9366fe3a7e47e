//! Note 002 (`002_9b6ee2d239c5b881.txt`), "동기처리와 비동기처리 예시": `count_number_sync(5)`
//! twice in a row (prints `1 / 5` .. `5 / 5` twice, sleeping 0.5 s after each line: about
//! 5 s), against `count_number_async(5)` in two tasks at once (`process_async`: the lines
//! interleave and it takes about 2.5 s).
//!
//! `time.sleep(0.5)` blocks; `await asyncio.sleep(0.5)` hands the loop to the other task.
//! The note waits for the two tasks with `asyncio.wait([...])`, and so does the twin:
//! `asyncio::wait(tasks, None, ReturnWhen::AllCompleted)` (Python's defaults: no timeout,
//! `ALL_COMPLETED`), which returns `(done, pending)` once both are done.
//!
//! Seconds are scaled and timed by `support/note_clock.rs`: a second of the note lasts 10 ms,
//! and times are printed in the note's seconds, to two decimals. `--virtual-clock` runs the
//! same program on a virtual clock, where the times are exact.
//!
//! Run it with `cargo run --example count_number [-- --virtual-clock]`. Output (virtual clock;
//! on the real one the times are a little longer):
//!
//! ```text
//! -- count_number_sync(5) twice --
//! 1 / 5
//! 2 / 5
//! 3 / 5
//! 4 / 5
//! 5 / 5
//! 1 / 5
//! 2 / 5
//! 3 / 5
//! 4 / 5
//! 5 / 5
//! time: 5.00
//! -- process_async(): count_number_async(5) in two tasks --
//! 1 / 5
//! 1 / 5
//! 2 / 5
//! 2 / 5
//! 3 / 5
//! 3 / 5
//! 4 / 5
//! 4 / 5
//! 5 / 5
//! 5 / 5
//! 2.50
//! ```

#[path = "support/note_clock.rs"]
mod note_clock;

use cogen::asyncio::{self, Cancelled, ReturnWhen};
use cogen::yield_from;

/// `def count_number_sync(n): for i in range(1, n+1): print(i, '/', n); time.sleep(0.5)`
fn count_number_sync(n: u32) {
    for i in 1..=n {
        println!("{i} / {n}");
        note_clock::sleep(0.5);
    }
}

/// `async def count_number_async(n): ...; await asyncio.sleep(0.5)`
#[asyncio::coroutine]
fn count_number_async(n: u32) -> Result<(), Cancelled> {
    for i in 1..=n {
        println!("{i} / {n}");
        yield_from!(asyncio::sleep(note_clock::seconds(0.5)))?;
    }
    Ok(())
}

/// `async def process_async()`: two tasks, waited for, timed.
#[asyncio::coroutine]
fn process_async() -> Result<(), Cancelled> {
    let start = note_clock::time();
    // await asyncio.wait([create_task(count_number_async(5)), create_task(count_number_async(5))])
    let (done, pending) = yield_from!(asyncio::wait(
        [
            asyncio::create_task(count_number_async(5)),
            asyncio::create_task(count_number_async(5)),
        ],
        None,
        ReturnWhen::AllCompleted,
    ))?;
    assert!(done.len() == 2 && pending.is_empty());
    println!("{:.2}", note_clock::time() - start);
    Ok(())
}

fn main() -> Result<(), Cancelled> {
    note_clock::init();

    println!("-- count_number_sync(5) twice --");
    let start = note_clock::time();
    count_number_sync(5);
    count_number_sync(5);
    println!("time: {:.2}", note_clock::time() - start);

    println!("-- process_async(): count_number_async(5) in two tasks --");
    note_clock::run(process_async())
}
