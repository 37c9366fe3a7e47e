// T10: a coroutine that yields a value to its task (Python: `yield 1` in a coroutine run by
// a task, "Task got bad yield: 1"). A coroutine yields only `asyncio::Suspend`, which only
// the awaitables of `cogen::asyncio` make, so a bad yield does not compile.
use cogen::asyncio::{self, Cancelled};
use cogen::yield_;

#[asyncio::coroutine]
fn bad_yield() -> Result<u32, Cancelled> {
    yield_!(1);
    Ok(2)
}

fn main() {
    let _ = asyncio::run(bad_yield());
}
