//! Note 001 (`001_e7584936c0140007.txt`), "네이티브 코루틴": the two asyncio programs run
//! with `loop.run_until_complete` — `native_coroutine()` (async / 예시), which prints a line,
//! and `f`/`g` (await / 예시), where `g(10)` awaits `f(10)` and prints `10 ** 2`.
//!
//! `async def` is `#[asyncio::coroutine]` and `await f(x)` is `yield_from!(f(x))?` (the `?`
//! passes a cancellation on; nothing cancels here). `asyncio.get_event_loop()` and
//! `asyncio.new_event_loop()` are both `EventLoop::new()` (there is no per-thread default
//! loop to get), and `loop.close()` is dropping the loop.
//!
//! The note writes `def native_coroutine()` without `async`, a slip: Python would call it on
//! the spot and hand `run_until_complete` its `None` (a `TypeError`); in Rust a plain fn's
//! `()` is not an `Awaitable` and would not compile. The twin makes it the coroutine the
//! note means, whose output the note shows.
//!
//! Run it with `cargo run --example native_coroutine`. Output:
//!
//! ```text
//! -- loop.run_until_complete(native_coroutine()) --
//! native coroutine called
//! -- loop.run_until_complete(g(10)) --
//! 100
//! ```

use cogen::asyncio::{self, Cancelled, EventLoop};
use cogen::yield_from;

/// `async def native_coroutine(): print('네이티브 코루틴 호출')`
#[asyncio::coroutine]
fn native_coroutine() -> Result<(), Cancelled> {
    println!("native coroutine called");
    Ok(())
}

/// `async def f(x): y = x ** 2; return y`
#[asyncio::coroutine]
fn f(x: u64) -> Result<u64, Cancelled> {
    let y = x.pow(2);
    Ok(y)
}

/// `async def g(x): y = await f(x); print(y)`
#[asyncio::coroutine]
fn g(x: u64) -> Result<(), Cancelled> {
    let y = yield_from!(f(x))?;
    println!("{y}");
    Ok(())
}

fn main() -> Result<(), Cancelled> {
    println!("-- loop.run_until_complete(native_coroutine()) --");
    // loop = asyncio.get_event_loop()
    let event_loop = EventLoop::new();
    event_loop.run_until_complete(native_coroutine())?;
    drop(event_loop); // loop.close()

    println!("-- loop.run_until_complete(g(10)) --");
    // loop = asyncio.new_event_loop()
    let event_loop = EventLoop::new();
    event_loop.run_until_complete(g(10))?;
    drop(event_loop); // loop.close()
    Ok(())
}
