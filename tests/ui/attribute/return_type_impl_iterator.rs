// The written return type is the generator's return value: #[generator] writes the
// `impl Generator<..>` itself.
use cogen::{generator, yield_};

#[generator(yield = u32)]
fn counter() -> impl Iterator<Item = u32> {
    yield_!(1);
}

fn main() {
    let _ = counter();
}
