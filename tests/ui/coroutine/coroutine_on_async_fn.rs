use cogen::asyncio::{self, Cancelled};

#[asyncio::coroutine]
async fn fetch() -> Result<u32, Cancelled> {
    Ok(1)
}

fn main() {
    let _ = fetch();
}
