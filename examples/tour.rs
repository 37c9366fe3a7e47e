//! A tour of cogen: the main demo. Run it with `cargo run --example tour`.
//!
//! It prints the traces of a countdown (a plain generator, iterated), an averager (a
//! coroutine driven by `start`/`resume`, Python's `next`/`send`), a generator that borrows
//! its argument and its own locals across yields, and `yield_from!` delegation with a
//! return value (the notes' `accumulate` / `sum_coroutine`).

use std::pin::pin;

use cogen::{Generator, GeneratorState, generator, yield_, yield_from};

/// Python: `def countdown(n): for i in range(n, 0, -1): yield i`
#[generator(yield = u32)]
fn countdown(n: u32) {
    for i in (1..=n).rev() {
        yield_!(i);
    }
}

/// Python: the running-average coroutine; a negative value ends it and returns the average.
#[generator(yield = f64, send = f64)]
fn averager() -> f64 {
    let (mut sum, mut count, mut average) = (0.0, 0.0, 0.0);
    loop {
        let term = yield_!(average);
        if term < 0.0 {
            return average;
        }
        sum += term;
        count += 1.0;
        average = sum / count;
    }
}

/// Yields slices of its argument, and references into a local vector it owns: the
/// generator is pinned, so it may hold borrows of its own locals across a yield.
#[generator(yield = &'a str)]
fn longest_words<'a>(text: &'a str) -> usize {
    let mut words: Vec<&'a str> = text.split_whitespace().collect();
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    let longest = &words[..3.min(words.len())];
    for word in longest {
        yield_!(*word);
    }
    longest.len()
}

/// The notes' `accumulate`: totals what it is sent until it is sent `None`.
#[generator(yield = i32, send = Option<i32>)]
fn accumulate() -> i32 {
    let mut total = 0;
    while let Some(x) = yield_!(total) {
        total += x;
    }
    total
}

/// The notes' `sum_coroutine`: delegates to `accumulate` and reports its return value.
#[generator(yield = i32, send = Option<i32>)]
fn sum_coroutine() {
    loop {
        let total = yield_from!(accumulate());
        println!("  sum_coroutine received {total} from accumulate");
    }
}

fn main() {
    println!("countdown(3), iterated with `for`:");
    for i in countdown(3) {
        println!("  {i}");
    }

    println!("averager, driven by start/resume (Python: next/send):");
    let mut avg = pin!(averager());
    println!("  start()      -> {:?}", avg.as_mut().start());
    for term in [10.0, 30.0, 5.0] {
        println!("  resume({term:>4.1}) -> {:?}", avg.as_mut().resume(term));
    }
    println!("  resume(-1.0) -> {:?}", avg.as_mut().resume(-1.0));
    println!("  status       -> {:?}", avg.status());

    println!("longest_words, borrowing its argument and its own locals:");
    let text = String::from("generators suspend and resume where they left off");
    let mut words = pin!(longest_words(&text));
    let mut step = words.as_mut().start();
    while let GeneratorState::Yielded(word) = step {
        println!("  {word}");
        step = words.as_mut().resume(());
    }
    println!("  returned {:?}", step);

    println!("sum_coroutine delegating to accumulate with yield_from!:");
    let mut co = pin!(sum_coroutine());
    let _ = co.as_mut().start();
    let mut sums = Vec::new();
    for i in 1..=10 {
        if let GeneratorState::Yielded(total) = co.as_mut().resume(Some(i)) {
            sums.push(total.to_string());
        }
    }
    println!("  {}", sums.join(" "));
    let _ = co.as_mut().resume(None);

    println!("asyncio::run, a coroutine awaiting another with yield_from! (Python's await):");
    println!("  {:?}", cogen::asyncio::run(print_square(10)));
}

/// Python: `async def square(x): await asyncio.sleep(0.001); return x ** 2`
#[cogen::asyncio::coroutine]
fn square(x: u64) -> Result<u64, cogen::asyncio::Cancelled> {
    yield_from!(cogen::asyncio::sleep(std::time::Duration::from_millis(1)))?;
    Ok(x * x)
}

/// Python: `async def print_square(x): y = await square(x); print(y); return y`
#[cogen::asyncio::coroutine]
fn print_square(x: u64) -> Result<u64, cogen::asyncio::Cancelled> {
    let y = yield_from!(square(x))?;
    println!("  square({x}) = {y}");
    Ok(y)
}
