// `to_thread` hands the function's result from the pool's thread back to the loop's: it
// must be `Send`. An `Rc` (whose count is not atomic) cannot cross.
use std::rc::Rc;

use cogen::asyncio;

fn main() {
    let _returns = asyncio::to_thread(|| Rc::new(2_u16));
}
