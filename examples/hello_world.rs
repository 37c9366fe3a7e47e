//! Note 004 (`004_53005518e01dbf7d.txt`), "파이썬 코루틴": `hello_world`, a coroutine that
//! prints `hello world` and returns 123, and the three ways the note tries to run it.
//!
//! - `hello_world()` alone: Python runs nothing and warns "coroutine 'hello_world' was never
//!   awaited". In Rust the coroutine is `#[must_use]`: the unused call is a warning that says
//!   it does nothing until it is started (an error under `#![deny(unused_must_use)]`;
//!   `tests/ui/note004_never_awaited.rs`).
//! - `await hello_world()` outside a coroutine: Python's "'await' outside function"
//!   (a `SyntaxError`). `yield_from!` outside a coroutine is a compile error too
//!   (`tests/ui/note004_await_outside_coroutine.rs`).
//! - `asyncio.run(hello_world())`: runs it. That is what this example does.
//!
//! The note's second program, `await print('hello world')`, awaits `None`, which is not
//! awaitable: a `TypeError` when it runs. `yield_from!(print_something())` of a fn that
//! returns `()` does not compile (`tests/ui/note004_yield_from_non_awaitable.rs`).
//!
//! Run it with `cargo run --example hello_world`. Output:
//!
//! ```text
//! hello world
//! ```

use cogen::asyncio::{self, Cancelled};

/// `async def hello_world(): print('hello world'); return 123`
#[asyncio::coroutine]
fn hello_world() -> Result<u32, Cancelled> {
    println!("hello world");
    Ok(123)
}

fn main() {
    // hello_world()          -> warning: unused implementer of `Generator` that must be used
    // yield_from!(hello_world()) here -> error: `yield_from!` only works in a #[generator] fn
    let returned = asyncio::run(hello_world());
    assert_eq!(returned, Ok(123)); // the note does not print it
}
