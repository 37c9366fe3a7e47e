// A std future is not a generator: `yield_from!` cannot await it directly (a blanket
// `IntoGenerator` for every `Future` would overlap the generators). The error says to wrap
// it: `yield_from!(asyncio::wrap_future(fut))`.
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

async fn answer() -> u32 {
    42
}

#[asyncio::coroutine]
fn main_coro() -> Result<u32, Cancelled> {
    yield_from!(answer());
    Ok(42)
}

fn main() {
    let _ = asyncio::run(main_coro());
}
