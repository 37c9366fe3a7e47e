// Note 004: `await print('hello world')` awaits `None`, which is not awaitable (Python:
// "TypeError: object NoneType can't be used in 'await' expression").
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

fn print_something() {
    println!("hello world");
}

#[asyncio::coroutine]
fn hello_world() -> Result<u32, Cancelled> {
    yield_from!(print_something());
    Ok(123)
}

fn main() {
    let _ = asyncio::run(hello_world());
}
