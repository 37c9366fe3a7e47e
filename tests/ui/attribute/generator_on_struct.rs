use cogen::generator;

#[generator(yield = u32)]
struct NotAFn {
    field: u32,
}

fn main() {
    let _ = NotAFn { field: 1 }.field;
}
