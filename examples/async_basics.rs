//! Note 002 (`002_9b6ee2d239c5b881.txt`), "Python과 async": the first three asyncio programs.
//!
//! 1. `async`: `coro = async_func(); print(type(coro))` — calling a coroutine function runs
//!    nothing and returns a coroutine object (Python prints `<class 'coroutine'>`, then warns
//!    that it was never awaited). The twin prints the object's `Debug`, an unstarted
//!    coroutine: `Generator { status: Created, .. }`.
//! 2. Running a coroutine: before Python 3.7 with `loop.run_until_complete(async_func())`,
//!    since with `asyncio.run(async_func())`, then `print("World!")`.
//! 3. `await`: `print_add(1, 2)` awaits `add(1, 2)` and prints 3.
//!
//! `async def` is `#[asyncio::coroutine]`, `await c` is `yield_from!(c)?`,
//! `asyncio.get_event_loop()` is `EventLoop::new()` (dropped for `loop.close()`) and
//! `asyncio.run` is `asyncio::run`. Each program is a module, as each is its own file in the
//! note (two of them define an `async_func`).
//!
//! Run it with `cargo run --example async_basics`. Output:
//!
//! ```text
//! -- coro = async_func(); print(type(coro)) --
//! Generator { status: Created, .. }
//! -- loop.run_until_complete(async_func()); asyncio.run(async_func()) --
//! Hello
//! Hello
//! World!
//! -- asyncio.run(print_add(1, 2)) --
//! 3
//! ```

use cogen::asyncio::Cancelled;

/// The coroutine object.
mod coroutine_object {
    use cogen::asyncio::{self, Cancelled};

    /// `async def async_func(): return "Hello World!"`
    #[asyncio::coroutine]
    fn async_func() -> Result<&'static str, Cancelled> {
        Ok("Hello World!")
    }

    pub fn main() {
        let coro = async_func();
        println!("{coro:?}"); // print(type(coro))
        // Dropped unstarted, like Python's never-awaited `coro` (Rust says nothing).
    }
}

/// Running a coroutine on an event loop.
mod run {
    use cogen::asyncio::{self, Cancelled, EventLoop};

    /// `async def async_func(): print("Hello")`
    #[asyncio::coroutine]
    fn async_func() -> Result<(), Cancelled> {
        println!("Hello");
        Ok(())
    }

    pub fn main() -> Result<(), Cancelled> {
        // Before Python 3.7: get the loop, run the coroutine until it completes, close it.
        let event_loop = EventLoop::new();
        event_loop.run_until_complete(async_func())?;
        drop(event_loop);

        // Python 3.7 and later.
        asyncio::run(async_func())?;
        println!("World!");
        Ok(())
    }
}

/// `await`.
mod await_add {
    use cogen::asyncio::{self, Cancelled};
    use cogen::yield_from;

    /// `async def add(a, b): return a + b`
    #[asyncio::coroutine]
    fn add(a: i32, b: i32) -> Result<i32, Cancelled> {
        Ok(a + b)
    }

    /// `async def print_add(a, b): result = await add(a, b); print(result)`
    #[asyncio::coroutine]
    fn print_add(a: i32, b: i32) -> Result<(), Cancelled> {
        let result = yield_from!(add(a, b))?;
        println!("{result}");
        Ok(())
    }

    pub fn main() -> Result<(), Cancelled> {
        asyncio::run(print_add(1, 2))
    }
}

fn main() -> Result<(), Cancelled> {
    println!("-- coro = async_func(); print(type(coro)) --");
    coroutine_object::main();
    println!("-- loop.run_until_complete(async_func()); asyncio.run(async_func()) --");
    run::main()?;
    println!("-- asyncio.run(print_add(1, 2)) --");
    await_add::main()
}
