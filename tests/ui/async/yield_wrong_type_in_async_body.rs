use cogen::{generator, yield_};

#[generator(yield = u32)]
async fn numbers() {
    std::future::ready(()).await;
    yield_!("three");
}

fn main() {
    let _ = numbers();
}
