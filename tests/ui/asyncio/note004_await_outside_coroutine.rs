// Note 004: `await hello_world()` outside a coroutine (Python: "SyntaxError: 'await'
// outside function").
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

#[asyncio::coroutine]
fn hello_world() -> Result<u32, Cancelled> {
    println!("hello world");
    Ok(123)
}

fn main() {
    let _ = yield_from!(hello_world());
}
