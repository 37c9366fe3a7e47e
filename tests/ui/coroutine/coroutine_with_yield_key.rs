// T10: a coroutine's yield and send types are fixed; `#[asyncio::coroutine]` refuses to
// change them.
use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine(yield = u32)]
fn counter() -> Result<u32, Cancelled> {
    Ok(1)
}

fn main() {
    let _ = counter();
}
