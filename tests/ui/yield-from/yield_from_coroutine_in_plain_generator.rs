// C07: "cannot 'yield from' a coroutine object in a non-coroutine generator": a generator
// that yields `u32`s cannot delegate to a coroutine, which yields `asyncio::Suspend`s.
use cogen::asyncio::{self, Cancelled};
use cogen::{generator, yield_from};

#[asyncio::coroutine]
fn fetch() -> Result<u32, Cancelled> {
    Ok(1)
}

#[generator(yield = u32)]
fn numbers() {
    let _ = yield_from!(fetch());
}

fn main() {
    let _ = numbers();
}
