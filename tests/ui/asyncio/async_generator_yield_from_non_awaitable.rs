use cogen::asyncio::{self, Cancelled, GeneratorExit};
use cogen::{yield_, yield_from};

#[derive(Debug)]
struct E;
impl From<Cancelled> for E {
    fn from(_: Cancelled) -> Self {
        E
    }
}
impl From<GeneratorExit> for E {
    fn from(_: GeneratorExit) -> Self {
        E
    }
}
impl asyncio::AsyncError for E {
    fn is_cancelled(&self) -> bool {
        false
    }
}

#[asyncio::async_generator(yield = u32)]
fn numbers() -> Result<(), E> {
    yield_from!(vec![1u32, 2]);
    yield_!(3)?;
    Ok(())
}

fn main() {}
