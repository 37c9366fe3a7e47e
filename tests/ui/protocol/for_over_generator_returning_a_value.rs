// `for` would silently drop the return value (here an error returned through `?`), so a
// generator that returns something is not `IntoIterator`; iterate it with `IntoIter::new`
// or `.iter()` and read the value with `take_return`.
use cogen::{generator, yield_};

#[generator(yield = u32)]
fn parse(text: &str) -> Result<(), std::num::ParseIntError> {
    for part in text.split(',') {
        yield_!(part.parse()?);
    }
    Ok(())
}

fn main() {
    for n in parse("1,x") {
        println!("{n}");
    }
}
