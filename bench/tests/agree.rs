//! Every implementation of a workload computes the same checksum (so none is faked or
//! short-circuited), at reduced sizes so the test is quick in a debug build.

use cogen_bench::*;

#[test]
fn w1_all_implementations_sum_the_same_items() {
    let n = 10_000;
    for (name, f) in W1_IMPLS {
        assert_eq!(f(n), n * (n - 1) / 2, "W1 {name}");
    }
    for (name, f) in W1_COUNTDOWN_IMPLS {
        assert_eq!(f(n), n * (n + 1) / 2, "W1 {name}");
    }
}

#[test]
fn w2_all_implementations_see_the_same_averages() {
    let n = 10_000;
    let expected = w2::hand(n);
    for (name, f) in W2_IMPLS {
        assert_eq!(f(n), expected, "W2 {name}");
    }
}

#[test]
fn w3_all_implementations_forward_every_item_at_every_depth() {
    let n = 1_000;
    for d in [0, 1, 2, 8, 64] {
        for (name, f) in W3_IMPLS {
            assert_eq!(f(d, n), n * (n - 1) / 2, "W3 {name} d={d}");
        }
    }
    for d in W3_STATIC_DEPTHS {
        assert_eq!(
            w3::cogen_static(d, n),
            n * (n - 1) / 2,
            "W3 cogen_static d={d}"
        );
    }
}

#[test]
fn w4_all_implementations_walk_every_node_in_order() {
    // In-order labels of a small tree, checked against the explicit stack.
    let small: &'static Node = Box::leak(build_tree(1000));
    let mut labels = Vec::new();
    cogen_in_order(small, &mut labels);
    assert_eq!(labels, w4::InOrder::new(small).collect::<Vec<_>>());
    let expected: u64 = (0..1000).sum();
    for (name, f) in W4_IMPLS {
        assert_eq!(f(small), expected, "W4 {name} (1000 nodes)");
    }
    let full: u64 = (0..W4_NODES as u64).sum();
    assert_eq!(w4::hand_stack(w4_tree()), full);
    assert_eq!(w4::cogen(w4_tree()), full);
}

fn cogen_in_order(node: &'static Node, out: &mut Vec<u64>) {
    use cogen::Generator;
    let g = std::pin::pin!(w4::cogen_impl::walk(node));
    out.extend(g.iter());
}

#[test]
fn w5_every_task_yields_every_time_on_every_executor() {
    for (tasks, yields) in [(1, 1), (3, 0), (100, 10)] {
        for (name, f) in W5_IMPLS {
            assert_eq!(
                f(tasks, yields),
                u64::from(tasks * yields),
                "W5 {name} {tasks}x{yields}"
            );
        }
    }
}

#[test]
fn w6_every_stream_yields_every_item() {
    for n in [0u64, 1, 10_000] {
        let expected = n * n.saturating_sub(1) / 2;
        for (name, f) in W6_IMPLS.iter().chain(W6B_IMPLS) {
            assert_eq!(f(n), expected, "W6 {name} n={n}");
        }
    }
}

#[test]
fn e1_every_client_of_every_implementation_gets_every_echo_back() {
    let config = echo::Config {
        clients: 5,
        trips: 20,
    };
    for (name, run) in echo::IMPLS {
        let run = run(&config);
        assert_eq!(
            run.echoed,
            config.requests() * echo::MESSAGE.len(),
            "E1 {name}"
        );
    }
}

#[test]
fn w7_every_pipeline_keeps_and_maps_the_same_items() {
    for n in [0u64, 1, 3, 4, 10_000] {
        let expected: u64 = (0..n)
            .filter(|x| !x.is_multiple_of(3))
            .map(|x| 2 * x + 1)
            .sum();
        for (name, f) in W7_IMPLS {
            assert_eq!(f(n), expected, "W7 {name} n={n}");
        }
    }
}

#[test]
fn w8_every_stream_polled_in_a_loop_yields_every_item() {
    for n in [0u64, 1, 10_000] {
        let expected = n * n.saturating_sub(1) / 2;
        for (name, f) in W8_IMPLS {
            assert_eq!(f(n), expected, "W8 {name} n={n}");
        }
    }
}
