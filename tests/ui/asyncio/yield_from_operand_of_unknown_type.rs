// The operand's type is not known where `yield_from!` picks its form: the error must be
// at that `yield_from!`, the second of three, not at the attribute.
use cogen::asyncio::{self, Cancelled};
use cogen::yield_from;

#[asyncio::coroutine]
fn unknown() -> Result<(), Cancelled> {
    yield_from!(asyncio::yield_now())?;
    yield_from!(Default::default());
    yield_from!(asyncio::yield_now())
}

fn main() {
    let _ = unknown();
}
