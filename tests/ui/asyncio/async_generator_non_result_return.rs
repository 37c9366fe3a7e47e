use cogen::asyncio;
use cogen::yield_;

#[asyncio::async_generator(yield = u32)]
fn numbers() -> u32 {
    yield_!(1);
    0
}

#[asyncio::async_generator(yield = u32)]
fn nothing() {
    yield_!(1);
}

#[asyncio::async_generator(yield = u32)]
fn ok_not_unit() -> Result<u32, asyncio::Cancelled> {
    Ok(1)
}

fn main() {}
