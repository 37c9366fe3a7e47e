// C07: a coroutine is not iterable (Python: "TypeError: 'coroutine' object is not
// iterable"): it is resumed with `asyncio::Resume`, which an iterator cannot supply.
use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine]
fn fetch() -> Result<u32, Cancelled> {
    Ok(1)
}

fn main() {
    for _ in fetch() {}
}
