// `?` completes the generator with the error: its return type must hold one.
use cogen::{generator, yield_};

#[generator(yield = u32)]
fn parse(text: &'static str) {
    for part in text.split(',') {
        yield_!(part.parse::<u32>()?);
    }
}

fn main() {
    let _ = parse("1,2");
}
