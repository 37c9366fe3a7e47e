// Awaiting a future clones its result for each awaiter (Python shares one object), so the
// result type must be `Clone`; share a big or unique result through `Rc`.
use cogen::asyncio::{self, Cancelled, Future};
use cogen::yield_from;

struct Connection;

#[asyncio::coroutine]
fn connects(fut: Future<Connection>) -> Result<(), Cancelled> {
    let _connection = yield_from!(&fut)?;
    Ok(())
}

fn main() {
    let lp = asyncio::EventLoop::new();
    let _ = connects(lp.create_future());
}
