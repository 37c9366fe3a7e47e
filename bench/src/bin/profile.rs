//! Run one workload implementation in a loop, for a profiler:
//! `profile <w1|w1c|w2|w3|w4|w5|w6|w7|w8> <impl> [depth] [reps]` (w6: the W6 and W6b
//! implementations), e.g.
//! `valgrind --tool=callgrind target/release/profile w3 cogen_boxed 64 2`.

use std::hint::black_box;

use cogen_bench::*;

fn find<F: Copy>(impls: &[(&str, F)], name: &str) -> F {
    impls
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no implementation {name:?}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (workload, name) = (args[0].as_str(), args[1].as_str());
    let num = |i: usize, default: usize| args.get(i).map_or(default, |s| s.parse().unwrap());
    let mut out = 0u64;
    match workload {
        "w1" => (0..num(2, 1)).for_each(|_| out ^= find(W1_IMPLS, name)(black_box(W1_N))),
        "w1c" => {
            (0..num(2, 1)).for_each(|_| out ^= find(W1_COUNTDOWN_IMPLS, name)(black_box(W1_N)))
        }
        "w2" => (0..num(2, 1)).for_each(|_| out ^= find(W2_IMPLS, name)(black_box(W2_N))),
        "w3" => {
            let d = num(2, 64);
            let f = if name == "cogen_static" {
                w3::cogen_static
            } else {
                find(W3_IMPLS, name)
            };
            (0..num(3, 1)).for_each(|_| out ^= f(black_box(d), black_box(W3_N)))
        }
        "w4" => {
            let tree = w4_tree();
            (0..num(2, 1)).for_each(|_| out ^= find(W4_IMPLS, name)(black_box(tree)))
        }
        "w5" => (0..num(2, 1))
            .for_each(|_| out ^= find(W5_IMPLS, name)(black_box(W5_TASKS), black_box(W5_YIELDS))),
        "w6" => {
            let f = find(&[W6_IMPLS, W6B_IMPLS].concat(), name);
            (0..num(2, 1)).for_each(|_| out ^= f(black_box(W6_N)))
        }
        "w7" => (0..num(2, 1)).for_each(|_| out ^= find(W7_IMPLS, name)(black_box(W7_N))),
        "w8" => (0..num(2, 1)).for_each(|_| out ^= find(W8_IMPLS, name)(black_box(W8_N))),
        _ => panic!("unknown workload {workload:?}"),
    }
    println!("{out}");
}
