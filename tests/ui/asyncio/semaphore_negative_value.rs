// S2: `Semaphore(-1)` raises ValueError in Python; a permit count is a `usize` here.
use cogen::asyncio::Semaphore;

fn main() {
    let _ = Semaphore::new(-1);
}
