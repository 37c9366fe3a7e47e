//! Note 004 (`004_53005518e01dbf7d.txt`), "I/O 바운드 & CPU 바운드, 블로킹":
//! `01_cpu_bound.py` (`cpu_bound_func`, a triple loop multiplying `i * j * k` into a
//! total) and `02_io_bound.py` (`io_bound_func`, which asks for a number on standard input
//! and returns it plus 100). Both block: the first on the CPU, the second on the user.
//!
//! No generator or executor is involved: these are the plain blocking functions the note
//! contrasts with coroutines. One deliberate change: the note calls `cpu_bound_func(100)`,
//! which is `(100!)^30000`, an integer of about 4.7 million digits that Python itself spends
//! a very long time on (the note's point: the program seems to freeze). Without a big-integer
//! crate the twin computes `cpu_bound_func(3)` (= 6^27) in `u128` instead, and says so if a
//! larger argument would overflow.
//!
//! Run it with `cargo run --example cpu_vs_io_bound` and type a number (or
//! `echo 15 | cargo run --example cpu_vs_io_bound`). Output for input 15:
//!
//! ```text
//! 1023490369077469249536
//! Please enter a value
//! 115
//! ```

use std::io;

/// `cpu_bound_func(number)`: the product of `i * j * k` over `1..=number` cubed, or `None`
/// if it does not fit in a `u128`.
fn cpu_bound_func(number: u128) -> Option<u128> {
    let mut total: u128 = 1;
    for i in 1..=number {
        for j in 1..=number {
            for k in 1..=number {
                total = total.checked_mul(i * j * k)?;
            }
        }
    }
    Some(total)
}

/// `io_bound_func()`: block until a line arrives on standard input; return it plus 100.
fn io_bound_func() -> io::Result<i64> {
    println!("Please enter a value");
    let mut input_value = String::new();
    io::stdin().read_line(&mut input_value)?;
    let value: i64 = input_value
        .trim()
        .parse()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    Ok(value + 100)
}

fn main() -> io::Result<()> {
    match cpu_bound_func(3) {
        Some(total) => println!("{total}"),
        None => println!("too large for u128"),
    }
    println!("{}", io_bound_func()?);
    Ok(())
}
