// Every misuse in a body is reported at once: a `yield_from!` without an operand, an
// operand that does not parse, a yield point in a closure and an `.await`.
use cogen::{generator, yield_, yield_from};

#[generator(yield = u32)]
fn many_mistakes(xs: Vec<u32>) {
    yield_from!();
    yield_!(1 +);
    xs.iter().for_each(|x| yield_!(*x));
    std::future::ready(()).await;
}

fn main() {
    let _ = many_mistakes(vec![]);
}
