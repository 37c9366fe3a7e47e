#!/usr/bin/env python3
"""Instructions per item of cogen and the hand-written floors, counted by callgrind.

Builds `target/release/profile` (bench/src/bin/profile.rs), runs one workload run per case
under `valgrind --tool=callgrind`, counting only inside the workload function (a dump on
entering and on leaving it), and writes target/callgrind/summary.json: instructions per item, and
for the cogen cases where they go, grouped by source file (inlined code is attributed to
the file it comes from: gen-core/src/*.rs is the library, lib.rs is the generator bodies and
the bench's own loop), and the calls to malloc/calloc/realloc/posix_memalign in that run.
report.py puts the table into BENCHMARKS.md.

At the end it prints every cogen row's instructions per item beside its floor's (the first
case of the same workload, and depth), and the ratio.

Standard library only. Usage: python3 bench/profile.py [--only PREFIX]
(--only W5: just the cases whose id starts with W5, merged into an existing summary.json)
"""

import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "target"))
OUT_DIR = os.path.join(TARGET, "callgrind")

# (case id, profile args, function collected, items per run); every case whose id
# has "cogen" in it is a cogen row
CASES = [
    ("W1 hand", ["w1", "hand"], "cogen_bench::w1::hand", 1_000_000),
    ("W1 cogen_pinned", ["w1", "cogen_pinned"], "cogen_bench::w1::cogen_pinned", 1_000_000),
    ("W1 cogen_pinned_sole_use", ["w1", "cogen_pinned_sole_use"],
     "cogen_bench::w1::cogen_pinned_sole_use", 1_000_000),
    ("W1 cogen_boxed_for", ["w1", "cogen_boxed_for"], "cogen_bench::w1::cogen_boxed_for", 1_000_000),
    ("W1 cogen_pinned_resume", ["w1", "cogen_pinned_resume"],
     "cogen_bench::w1::cogen_pinned_resume", 1_000_000),
    ("W1 hand_resume", ["w1", "hand_resume"], "cogen_bench::w1::hand_resume", 1_000_000),
    ("W2 hand", ["w2", "hand"], "cogen_bench::w2::hand", 1_000_000),
    ("W2 cogen", ["w2", "cogen"], "cogen_bench::w2::cogen", 1_000_000),
    ("W3 hand_chain d=1", ["w3", "hand_chain", "1"], "cogen_bench::w3::hand_chain", 62_500),
    ("W3 hand_chain d=8", ["w3", "hand_chain", "8"], "cogen_bench::w3::hand_chain", 62_500),
    ("W3 hand_chain d=64", ["w3", "hand_chain", "64"], "cogen_bench::w3::hand_chain", 62_500),
    ("W3 cogen_boxed d=1", ["w3", "cogen_boxed", "1"], "cogen_bench::w3::cogen_boxed", 62_500),
    ("W3 cogen_boxed d=8", ["w3", "cogen_boxed", "8"], "cogen_bench::w3::cogen_boxed", 62_500),
    ("W3 cogen_boxed d=64", ["w3", "cogen_boxed", "64"], "cogen_bench::w3::cogen_boxed", 62_500),
    ("W3 cogen_static d=1", ["w3", "cogen_static", "1"], "cogen_bench::w3::cogen_static", 62_500),
    ("W3 cogen_static d=8", ["w3", "cogen_static", "8"], "cogen_bench::w3::cogen_static", 62_500),
    ("W4 hand_stack", ["w4", "hand_stack"], "cogen_bench::w4::hand_stack", 1 << 16),
    ("W4 cogen", ["w4", "cogen"], "cogen_bench::w4::cogen", 1 << 16),
    ("W4 corosensei", ["w4", "corosensei"], "cogen_bench::w4::corosensei", 1 << 16),
    # W5: items are task switches (10,000 tasks x 100 yields).
    ("W5 hand", ["w5", "hand"], "cogen_bench::w5::hand", 1_000_000),
    ("W5 hand_waker", ["w5", "hand_waker"], "cogen_bench::w5::hand_waker", 1_000_000),
    ("W5 cogen", ["w5", "cogen"], "cogen_bench::w5::cogen", 1_000_000),
    ("W5 cogen_on_hand_queue", ["w5", "cogen_on_hand_queue"],
     "cogen_bench::w5::cogen_on_hand_queue", 1_000_000),
    ("W5 tokio", ["w5", "tokio"], "cogen_bench::w5::tokio_current_thread", 1_000_000),
    ("W6 hand", ["w6", "hand"], "cogen_bench::w6::hand", 1_000_000),
    ("W6 async_stream", ["w6", "async_stream"], "cogen_bench::w6::async_stream", 1_000_000),
    ("W6 cogen", ["w6", "cogen"], "cogen_bench::w6::cogen", 1_000_000),
    ("W6 cogen_generator_stream", ["w6", "cogen_generator_stream"],
     "cogen_bench::w6::cogen_generator_stream", 1_000_000),
    ("W6b await_hand", ["w6", "await_hand"], "cogen_bench::w6::await_hand", 1_000_000),
    ("W6b await_async_stream", ["w6", "await_async_stream"],
     "cogen_bench::w6::await_async_stream", 1_000_000),
    ("W6b await_cogen", ["w6", "await_cogen"], "cogen_bench::w6::await_cogen", 1_000_000),
    # W7: items are the source's (two thirds reach the sum).
    ("W7 combinators", ["w7", "combinators"], "cogen_bench::w7::combinators", 1_000_000),
    ("W7 boxed_stages", ["w7", "boxed_stages"], "cogen_bench::w7::boxed_stages", 1_000_000),
    ("W7 cogen", ["w7", "cogen"], "cogen_bench::w7::cogen", 1_000_000),
    ("W7 cogen_boxed_for", ["w7", "cogen_boxed_for"], "cogen_bench::w7::cogen_boxed_for",
     1_000_000),
    ("W7 cogen_into_iter", ["w7", "cogen_into_iter"], "cogen_bench::w7::cogen_into_iter",
     1_000_000),
    ("W7 cogen_source_combinators", ["w7", "cogen_source_combinators"],
     "cogen_bench::w7::cogen_source_combinators", 1_000_000),
    ("W8 hand", ["w8", "hand"], "cogen_bench::w8::hand", 1_000_000),
    ("W8 stream_iter", ["w8", "stream_iter"], "cogen_bench::w8::stream_iter", 1_000_000),
    ("W8 async_stream", ["w8", "async_stream"], "cogen_bench::w8::async_stream", 1_000_000),
    ("W8 cogen_generator_stream", ["w8", "cogen_generator_stream"],
     "cogen_bench::w8::cogen_generator_stream", 1_000_000),
    ("W8 cogen_generator_stream_sole_use", ["w8", "cogen_generator_stream_sole_use"],
     "cogen_bench::w8::cogen_generator_stream_sole_use", 1_000_000),
    ("W8 cogen_iter", ["w8", "cogen_iter"], "cogen_bench::w8::cogen_iter", 1_000_000),
    ("W8 cogen_async", ["w8", "cogen_async"], "cogen_bench::w8::cogen_async", 1_000_000),
    ("W8 cogen_async_await", ["w8", "cogen_async_await"], "cogen_bench::w8::cogen_async_await",
     1_000_000),
]

# Calls to these count as allocations (`__rust_alloc` and `Vec` growth end up in them;
# types aligned to more than 16 bytes, e.g. tokio's tasks, in `posix_memalign`).
ALLOC_FNS = {"malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign"}

LINE = re.compile(r"\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*?):(.*?)(\s+\[.*\])?$")


def category(path, function):
    if "malloc" in path or "arena.c" in path or "__rdl_alloc" in function:
        return "malloc/free"
    if "gen-core/src/" in path:
        return "cogen-core " + path.split("gen-core/src/")[1]
    if path.endswith("src/lib.rs"):
        return "generator bodies + bench loop (bench/src/lib.rs)"
    if "/rustc/" in path:
        return "core/alloc, inlined"
    return path


def allocation_calls(out_file):
    """Calls to the allocation functions (ALLOC_FNS) recorded in a callgrind output file (collected part)."""
    names, calls, pending = {}, 0, None
    ref = re.compile(r"^c?fn=\((\d+)\)(?: (.*))?$")
    with open(out_file) as f:
        for line in f:
            m = ref.match(line)
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2).strip()
                pending = names.get(m.group(1)) if line.startswith("cfn=") else None
            elif line.startswith("calls=") and pending in ALLOC_FNS:
                calls += int(line.split("=", 1)[1].split()[0])
                pending = None
    return calls


def summarize(out_file, items):
    # The dump made on leaving the function records the calls that were already on the
    # stack at the previous dump (main and the runtime above it) with `calls=0`, which
    # callgrind_annotate would count as those functions' own cost: mark them as calls.
    with open(out_file) as f:
        raw = f.read()
    annotated = out_file + ".annotate"
    with open(annotated, "w") as f:
        f.write(re.sub(r"(?m)^calls=0 ", "calls=1 ", raw))
    text = subprocess.run(
        ["callgrind_annotate", "--threshold=100", annotated],
        capture_output=True, text=True, check=True,
    ).stdout
    section = text.split("file:function", 1)[1].split("Auto-annotated", 1)[0]
    groups = collections.Counter()
    for line in section.splitlines():
        m = LINE.match(line)
        if m:
            groups[category(m.group(2), m.group(3))] += int(m.group(1).replace(",", ""))
    total = sum(groups.values())
    return {
        "instructions_per_item": total / items,
        "by_source": [[k, v / items] for k, v in groups.most_common(8)],
        "allocations": allocation_calls(out_file),
    }


def symbol_aliases(binary):
    """function name -> every function name at the same address (identical code folded
    into one by the linker), from `nm`; empty if `nm` is missing."""
    if not shutil.which("nm"):
        return {}
    text = subprocess.run(["nm", "-C", binary], capture_output=True, text=True).stdout
    by_address = collections.defaultdict(list)
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tT":
            by_address[parts[0]].append(parts[2])
    return {name: names for names in by_address.values() if len(names) > 1 for name in names}


def main():
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the cases whose id starts with this; the other "
                        "cases already in summary.json are kept")
    args = parser.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("profile.py: valgrind not found; skipping", file=sys.stderr)
        return
    manifest = os.path.join(HERE, "Cargo.toml")
    # From bench/, so that cargo reads bench/.cargo/config.toml (the benches' build flags).
    subprocess.run(["cargo", "build", "--release", "--bin", "profile", "--manifest-path",
                    manifest], check=True, cwd=HERE)
    binary = os.path.join(TARGET, "release", "profile")
    aliases = symbol_aliases(binary)
    os.makedirs(OUT_DIR, exist_ok=True)
    summary = {}
    summary_file = os.path.join(OUT_DIR, "summary.json")
    cases = CASES
    if args.only:
        cases = [c for c in CASES if c[0].startswith(args.only)]
        if os.path.exists(summary_file):
            with open(summary_file) as f:
                summary = json.load(f)
    for case, case_args, function, items in cases:
        out_file = os.path.join(OUT_DIR, re.sub(r"[^\w]+", "_", case) + ".out")
        for old in glob.glob(out_file + "*"):
            os.remove(old)
        # A dump on entering the function (`<out>.1`) and one on leaving it (`<out>.2`):
        # each dump resets every counter, call counts included, so `<out>.2` is exactly
        # the function's run. (`--toggle-collect` would not do for the allocations:
        # callgrind counts calls even while it does not collect, e.g. the tree's
        # construction.)
        # Two functions that compile to the same code are folded into one by the linker,
        # and callgrind knows the code by one of their names only: try each.
        folded = [f for f in aliases.get(function, [function]) if f != function]
        for name in [function] + folded:
            subprocess.run(
                ["valgrind", "--tool=callgrind", f"--dump-before={name}",
                 f"--dump-after={name}", f"--callgrind-out-file={out_file}", binary,
                 *case_args],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if os.path.exists(out_file + ".2"):
                break
        else:
            raise SystemExit(f"profile.py: callgrind saw no call of {function}")
        summary[case] = summarize(out_file + ".2", items)
        if folded:
            summary[case]["same_code_as"] = folded
        print(f"{case:28} {summary[case]['instructions_per_item']:8.1f} instructions/item, "
              f"{summary[case]['allocations']} allocations/run", file=sys.stderr)
    # In CASES order, so the report's table keeps the workloads in order.
    order = [c[0] for c in CASES]
    summary = dict(sorted(summary.items(),
                          key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    with open(summary_file, "w") as f:
        json.dump(summary, f, indent=2)
    print_cogen_rows(summary)


def floor_case(case):
    """The floor a case is compared with: the first case of its workload (and depth)."""
    workload, _, rest = case.partition(" ")
    depth = rest.split(" ")[1] if " " in rest else None
    for c, *_ in CASES:
        w, _, r = c.partition(" ")
        if w == workload and (depth is None or r.endswith(" " + depth)):
            return c
    return None


def print_cogen_rows(summary):
    """Instructions per item of every cogen row, beside its floor's."""
    print(f"\n{'cogen row':40} {'instr/item':>10} {'floor':>8} {'x floor':>8}", file=sys.stderr)
    for case, v in summary.items():
        if "cogen" not in case:
            continue
        floor = summary.get(floor_case(case) or "", {}).get("instructions_per_item")
        n = v["instructions_per_item"]
        ratio = f"{n / floor:7.2f}x" if floor else ""
        print(f"{case:40} {n:10.1f} {floor or 0:8.1f} {ratio:>8}", file=sys.stderr)


if __name__ == "__main__":
    main()
