// A std future is awaited by `yield_from!` only in a coroutine (yield = Suspend, send =
// Resume), whose task can wait for its waker; a plain generator has no loop to wait on.
use cogen::{generator, yield_from};

async fn answer() -> u32 {
    42
}

#[generator(yield = u32)]
fn numbers() {
    yield_from!(answer());
}

fn main() {
    for n in numbers() {
        println!("{n}");
    }
}
