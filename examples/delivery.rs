//! Note 004 (`004_53005518e01dbf7d.txt`), "동기 vs 비동기": `03_sync.py` and `04_async.py`,
//! three deliveries whose customers eat for 3, 3 and 4 s. Done one after another with
//! `time.sleep` they take the sum, about 10 s; as coroutines gathered with `asyncio.gather`,
//! sleeping with `await asyncio.sleep`, they overlap and take the longest, about 4 s.
//!
//! Each Python file is a module here. Seconds are scaled and timed by
//! `support/note_clock.rs`: a second of the note lasts 10 ms, and the times are printed in
//! the note's seconds (the note's messages say hours); `--virtual-clock` makes them exact.
//!
//! Run it with `cargo run --example delivery [-- --virtual-clock]`. Output (virtual clock;
//! on the real one the times are a little longer):
//!
//! ```text
//! -- 03_sync.py --
//! delivered to A
//! A finished eating, took 3 hours...
//! A's dishes collected
//! delivered to B
//! B finished eating, took 3 hours...
//! B's dishes collected
//! delivered to C
//! C finished eating, took 4 hours...
//! C's dishes collected
//! 10.00
//! -- 04_async.py --
//! delivered to A
//! delivered to B
//! delivered to C
//! A finished eating, took 3 hours...
//! A's dishes collected
//! B finished eating, took 3 hours...
//! B's dishes collected
//! C finished eating, took 4 hours...
//! C's dishes collected
//! 4.00
//! ```

#[path = "support/note_clock.rs"]
mod note_clock;

use cogen::asyncio::Cancelled;

/// `03_sync.py`
mod sync_py {
    use crate::note_clock;

    /// `def delivery(name, mealtime)`
    fn delivery(name: &str, mealtime: u32) {
        println!("delivered to {name}"); // f'{name}에게 배달 완료'
        note_clock::sleep(mealtime.into());
        println!("{name} finished eating, took {mealtime} hours..."); // 식사 완료, 시간 소요
        println!("{name}'s dishes collected"); // f'{name} 그릇 수거 완료'
    }

    fn main() {
        delivery("A", 3);
        delivery("B", 3);
        delivery("C", 4);
    }

    /// `if __name__ == '__main__':`
    pub fn script() {
        let start = note_clock::time();
        main();
        let end = note_clock::time();
        println!("{:.2}", end - start);
    }
}

/// `04_async.py`
mod async_py {
    use cogen::asyncio::{self, Cancelled};
    use cogen::yield_from;

    use crate::note_clock;

    /// `async def delivery(name, mealtime)`
    #[asyncio::coroutine]
    fn delivery(name: &'static str, mealtime: u32) -> Result<(), Cancelled> {
        println!("delivered to {name}");
        yield_from!(asyncio::sleep(note_clock::seconds(mealtime.into())))?;
        println!("{name} finished eating, took {mealtime} hours...");
        println!("{name}'s dishes collected");
        Ok(())
    }

    /// `async def main()`
    #[asyncio::coroutine]
    fn main() -> Result<(), Cancelled> {
        yield_from!(asyncio::gather([
            delivery("A", 3),
            delivery("B", 3),
            delivery("C", 4),
        ]))?;
        Ok(())
    }

    /// `if __name__ == '__main__':`
    pub fn script() -> Result<(), Cancelled> {
        let start = note_clock::time();
        note_clock::run(main())?;
        let end = note_clock::time();
        println!("{:.2}", end - start);
        Ok(())
    }
}

fn main() -> Result<(), Cancelled> {
    note_clock::init();
    println!("-- 03_sync.py --");
    sync_py::script();
    println!("-- 04_async.py --");
    async_py::script()
}
