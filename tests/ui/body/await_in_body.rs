use cogen::generator;

async fn fetch() -> u32 {
    1
}

#[generator(yield = u32)]
fn counter() {
    let _x = fetch().await;
}

fn main() {
    let _ = counter();
}
