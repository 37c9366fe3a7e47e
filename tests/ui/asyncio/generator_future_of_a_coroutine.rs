use cogen::GeneratorFuture;
use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine]
fn fetch() -> Result<u32, Cancelled> {
    Ok(1)
}

fn main() {
    let _ = futures::executor::block_on(GeneratorFuture::new(Box::pin(fetch())));
}
