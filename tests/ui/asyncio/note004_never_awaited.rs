// Note 004: `hello_world()` called and never awaited (Python: "RuntimeWarning: coroutine
// 'hello_world' was never awaited"). The coroutine is `#[must_use]`.
#![deny(unused_must_use)]

use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine]
fn hello_world() -> Result<u32, Cancelled> {
    println!("hello world");
    Ok(123)
}

fn main() {
    hello_world();
}
