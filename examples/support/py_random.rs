//! CPython's `random` module for the few functions the notes use: `random.seed(int)`,
//! `random.random()`, `random.randint(a, b)` and `random.expovariate(lambd)`. The generator
//! is the reference MT19937 (the `rand_mt` crate), seeded as CPython seeds it; on top of it
//! sit CPython's own mappings from 32-bit outputs to floats and integers (`_randommodule.c`
//! and `random.py`). With the same integer seed it draws the same numbers as Python 3, so
//! the examples that use it print exactly the trace the Python program prints for that seed.
//!
//! Shared by several examples through `#[path = "support/py_random.rs"] mod py_random;`;
//! not an example itself (cargo only builds `examples/*.rs` and `examples/*/main.rs`).
#![allow(dead_code)] // each example uses only some of the functions

use rand_mt::Mt;

/// CPython's `random.Random`.
pub struct PyRandom {
    mt: Mt,
}

impl PyRandom {
    /// `random.seed(seed)` for an integer seed that fits in a `u64` (for a negative seed,
    /// pass its absolute value: CPython seeds with `abs(seed)`).
    pub fn new(seed: u64) -> Self {
        Self::from_magnitude(&[seed as u32, (seed >> 32) as u32])
    }

    /// `random.seed(n)` for an integer of any size: `words` are the 32-bit words of
    /// `abs(n)`, least significant first.
    ///
    /// CPython hands MT19937's `init_by_array` exactly the words that hold `abs(n)`: no
    /// most significant zero words, and one zero word for 0.
    pub fn from_magnitude(words: &[u32]) -> Self {
        let used = words
            .iter()
            .rposition(|&word| word != 0)
            .map_or(1, |last| last + 1);
        let key = if words.is_empty() {
            &[0][..]
        } else {
            &words[..used]
        };
        PyRandom {
            mt: Mt::new_with_key(key.iter().copied()),
        }
    }

    /// `random.random()`: a float in [0, 1) made of 53 random bits, 27 from one output
    /// and 26 from the next (`random_random`).
    pub fn random(&mut self) -> f64 {
        let a = self.mt.next_u32() >> 5;
        let b = self.mt.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.getrandbits(k)` for `0 < k <= 32`: the top `k` bits of one output.
    fn getrandbits(&mut self, k: u32) -> u32 {
        self.mt.next_u32() >> (32 - k)
    }

    /// `random.randint(a, b)`, i.e. `a + _randbelow(b - a + 1)`: `getrandbits` of the
    /// width's bit length, drawn again until it is below the width. For widths up to 2^32.
    pub fn randint(&mut self, a: i64, b: i64) -> i64 {
        let n = u32::try_from(b - a + 1)
            .ok()
            .filter(|&n| n > 0)
            .expect("randint: empty range, or wider than 2^32 - 1");
        let k = u32::BITS - n.leading_zeros();
        let mut r = self.getrandbits(k);
        while r >= n {
            r = self.getrandbits(k);
        }
        a + i64::from(r)
    }

    /// `random.expovariate(lambd)`: exponentially distributed with rate `lambd`.
    pub fn expovariate(&mut self, lambd: f64) -> f64 {
        -(1.0 - self.random()).ln() / lambd
    }
}
