// `yield_!` imported under another name: #[generator] recognizes yield points by name, so
// `y!` reaches the facade macro's fallback, whose message names the rename as the cause.
use cogen::generator;
use cogen::yield_ as y;

#[generator(yield = u32)]
fn counter() {
    y!(1);
}

fn main() {
    let _ = counter();
}
