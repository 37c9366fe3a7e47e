// C06/C07: awaiting a coroutine that was already awaited (Python: "RuntimeError: cannot
// reuse already awaited coroutine"). Awaiting moves the coroutine; to await one result
// twice, make it a task (`asyncio::create_task`) and await `&task`.
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

#[asyncio::coroutine]
fn spam() -> Result<&'static str, Cancelled> {
    Ok("spam")
}

#[asyncio::coroutine]
fn reads_twice() -> Result<&'static str, Cancelled> {
    let coro = spam();
    yield_from!(coro)?;
    yield_from!(coro)
}

fn main() {
    let _ = asyncio::run(reads_twice());
}
