use cogen::yield_from;
use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine]
fn total(values: &[u32]) -> Result<u32, Cancelled> {
    yield_from!(asyncio::yield_now())?;
    Ok(values.iter().sum())
}

fn main() {
    let values = vec![1, 2, 3];
    let _ = asyncio::run(total(&values));
}
