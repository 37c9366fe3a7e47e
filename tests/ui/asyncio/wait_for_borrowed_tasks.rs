// `wait` hands back the handles it was given, in `done` and `pending`: it takes `Task`s or
// `Future`s by value (cheap `Rc` clones), not references (which `gather` accepts).
use std::time::Duration;

use cogen::asyncio::{self, Cancelled, ReturnWhen};
use cogen::yield_from;

#[asyncio::coroutine]
fn first_of_two() -> Result<(), Cancelled> {
    let a = asyncio::create_task(asyncio::sleep(Duration::from_secs(1)));
    let b = asyncio::create_task(asyncio::sleep(Duration::from_secs(2)));
    let (_done, _pending) = yield_from!(asyncio::wait([&a, &b], None, ReturnWhen::FirstCompleted));
    Ok(())
}

fn main() {
    let _ = asyncio::run(first_of_two());
}
