//! Note 002 (`002_9b6ee2d239c5b881.txt`), "Async가 sync보다 더 빠른가?": `sync_fibo(30)` and
//! `async_fibo(30)` (the same naive recursion, the async one awaiting itself twice per call),
//! each timed over 100 runs; the average times show the price of the coroutine machinery when
//! there is nothing to wait for (the note: sync 0.17 s, async 0.41 s).
//!
//! The recursion `return await async_fibo(n-1) + await async_fibo(n-2)` is
//! `Ok(yield_from!(Box::pin(async_fibo(n - 1)))? + yield_from!(Box::pin(async_fibo(n - 2)))?)`:
//! a coroutine cannot contain itself, so each recursive call is boxed (Python allocates
//! every coroutine object too), and runs on cogen's trampoline. Like the note's `main`, the
//! async runs await `async_fibo` directly inside one coroutine run by `asyncio::run`: there
//! are no tasks, and the loop never gets control back until the end.
//!
//! The times are real (CPU work, nothing to scale); each is Python's `time.time()`
//! difference, in seconds. The twin checks that both compute the same number.
//!
//! Run it with `cargo run --release --example async_fibo [-- N [RUNS]]` (defaults: the note's
//! 30, and 10 runs rather than 100, which take 10 s here; `-- 25` is quicker in a debug
//! build). Output (the times vary with the machine):
//!
//! ```text
//! -- fibo(30), 10 runs each --
//! sync: 0.0021690612
//! async: 0.08961875920000001
//! ```
//!
//! Async is some 40 times slower here, against about 2.4 times in the note: a call of
//! `sync_fibo` is a few nanoseconds in Rust, while each `async_fibo` call allocates its boxed
//! coroutine and makes a trip through the trampoline: about 50 ns a call here, where the
//! note's CPython spent some 250 ns (0.41 s for the 1.6 million calls of `async_fibo(30)`).

use std::hint::black_box;
use std::process;
use std::time::Instant;

use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

/// `async def async_fibo(n)`
#[asyncio::coroutine]
fn async_fibo(n: u32) -> Result<u64, Cancelled> {
    if n <= 1 {
        return Ok(n.into());
    }
    Ok(yield_from!(Box::pin(async_fibo(n - 1)))? + yield_from!(Box::pin(async_fibo(n - 2)))?)
}

/// `def sync_fibo(n)`
fn sync_fibo(n: u32) -> u64 {
    if n <= 1 {
        n.into()
    } else {
        sync_fibo(n - 1) + sync_fibo(n - 2)
    }
}

/// `async def main()`: the async runs, timed; the average and the last result.
#[asyncio::coroutine]
fn main_coro(n: u32, runs: u32) -> Result<(f64, u64), Cancelled> {
    let mut async_time_total = 0.0;
    let mut value = 0;
    for _ in 0..runs {
        let st = Instant::now();
        value = yield_from!(async_fibo(black_box(n)))?;
        async_time_total += st.elapsed().as_secs_f64();
    }
    Ok((async_time_total / f64::from(runs), value))
}

/// `[N [RUNS]]` from the command line.
fn parse_args() -> (u32, u32) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 2 {
        usage();
    }
    let n = args.first().map_or(Some(30), |arg| arg.parse().ok());
    let runs = args.get(1).map_or(Some(10), |arg| arg.parse().ok());
    match (n, runs) {
        // fibo(93) is the last that fits in a u64.
        (Some(n), Some(runs)) if n <= 93 && runs > 0 => (n, runs),
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!("usage: async_fibo [N [RUNS]]  (N <= 93, RUNS >= 1; defaults 30 and 10)");
    process::exit(2);
}

fn main() -> Result<(), Cancelled> {
    let (n, runs) = parse_args();
    println!("-- fibo({n}), {runs} runs each --");

    let mut sync_time_total = 0.0;
    let mut sync_value = 0;
    for _ in 0..runs {
        let st = Instant::now();
        sync_value = sync_fibo(black_box(n));
        sync_time_total += st.elapsed().as_secs_f64();
    }
    println!("sync: {}", sync_time_total / f64::from(runs));

    let (async_time, async_value) = asyncio::run(main_coro(n, runs))?;
    println!("async: {async_time}");
    assert_eq!(async_value, sync_value, "fibo({n})");
    Ok(())
}
