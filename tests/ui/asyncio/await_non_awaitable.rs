// C07: `await []` (Python: "TypeError: object list can't be used in 'await' expression").
// A list is an iterator, which `yield_from!` accepts only in a generator with `send = ()`.
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

#[asyncio::coroutine]
fn awaits_a_list() -> Result<u32, Cancelled> {
    let items: Vec<u32> = Vec::new();
    yield_from!(items);
    Ok(1)
}

fn main() {
    let _ = asyncio::run(awaits_a_list());
}
