// `wait_for` turns a timeout into `E::from(TimeoutError)`: a coroutine whose error is
// `Cancelled` has nowhere to put it. The first error says so, at the `wait_for`.
use std::time::Duration;

use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

#[asyncio::coroutine]
fn slow() -> Result<u32, Cancelled> {
    let timeout = Some(Duration::from_secs(1));
    yield_from!(asyncio::wait_for(asyncio::sleep(Duration::from_secs(5)), timeout))?;
    Ok(1)
}

fn main() {
    let _ = asyncio::run(slow());
}
