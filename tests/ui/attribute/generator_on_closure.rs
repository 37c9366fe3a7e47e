use cogen::{generator, yield_};
fn main() {
    let limit = 3;
    let g = #[generator(yield = u32)] move || {
        for i in 0..limit {
            yield_!(i);
        }
    };
    let _ = g;
}
