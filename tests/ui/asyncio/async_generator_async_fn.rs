use cogen::asyncio::{self, Cancelled};

#[asyncio::async_generator(yield = u32)]
async fn numbers() -> Result<(), Cancelled> {
    Ok(())
}

fn main() {}
