// A coroutine returns `Result<T, E>` (its error can say "cancelled"); one returning a bare
// value cannot be run as a task.
use cogen::asyncio;

#[asyncio::coroutine]
fn answer() -> u32 {
    42
}

fn main() {
    let _ = asyncio::run(answer());
}
