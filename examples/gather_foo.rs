//! Note 002 (`002_9b6ee2d239c5b881.txt`), "`asyncio.gather()` / 예시": `main()` makes two
//! tasks, `foo(1)` and `foo(2)` (each sleeps its argument in seconds and returns it), and
//! gathers them: the result is `[1, 2]`, in about 2 s (the longer sleep, not the sum).
//!
//! Seconds are scaled and timed by `support/note_clock.rs`: a second of the note lasts 10 ms,
//! and the total time is printed in the note's seconds; `--virtual-clock` makes it exact.
//!
//! Run it with `cargo run --example gather_foo [-- --virtual-clock]`. Output (virtual clock;
//! on the real one the time is a little longer):
//!
//! ```text
//! result : [1, 2]
//! total time : 2.00 sec
//! ```

#[path = "support/note_clock.rs"]
mod note_clock;

use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

/// `async def foo(sec): await asyncio.sleep(sec); return sec`
#[asyncio::coroutine]
fn foo(sec: u32) -> Result<u32, Cancelled> {
    yield_from!(asyncio::sleep(note_clock::seconds(sec.into())))?;
    Ok(sec)
}

/// `async def main()`
#[asyncio::coroutine]
fn main_coro() -> Result<Vec<u32>, Cancelled> {
    let task1 = asyncio::create_task(foo(1));
    let task2 = asyncio::create_task(foo(2));
    let tasks_results = yield_from!(asyncio::gather([task1, task2]))?;
    Ok(tasks_results)
}

fn main() -> Result<(), Cancelled> {
    note_clock::init();
    let st = note_clock::time();
    let result = note_clock::run(main_coro())?;
    println!("result : {result:?}");
    println!("total time : {:.2} sec", note_clock::time() - st);
    Ok(())
}
