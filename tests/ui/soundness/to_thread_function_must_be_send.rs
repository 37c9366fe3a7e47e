// `to_thread` runs the function on another thread: what it captures must be `Send`. An
// `Rc` (whose count is not atomic) cannot cross.
use std::rc::Rc;

use cogen::asyncio;

fn main() {
    let shared: Rc<u8> = Rc::new(1);
    let _captures = asyncio::to_thread(move || *shared + 1);
}
