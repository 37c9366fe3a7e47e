#!/usr/bin/env python3
"""Instructions per item of cogen and the hand-written floors, counted by callgrind.

Builds `target/release/profile` (bench/src/bin/profile.rs), runs one workload run per case
under `valgrind --tool=callgrind`, collecting only inside the workload function
(`--toggle-collect`), and writes target/callgrind/summary.json: instructions per item, and
for the cogen cases where they go, grouped by source file (inlined code is attributed to
the file it comes from: gen-core/src/*.rs is the library, lib.rs is the generator bodies and
the bench's own loop). report.py puts the table into BENCHMARKS.md.

Standard library only. Usage: python3 bench/profile.py
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "target"))
OUT_DIR = os.path.join(TARGET, "callgrind")

# (case id, profile args, function collected, items per run)
CASES = [
    ("W1 hand", ["w1", "hand"], "cogen_bench::w1::hand", 1_000_000),
    ("W1 cogen_pinned", ["w1", "cogen_pinned"], "cogen_bench::w1::cogen_pinned", 1_000_000),
    ("W1 cogen_pinned_sole_use", ["w1", "cogen_pinned_sole_use"],
     "cogen_bench::w1::cogen_pinned_sole_use", 1_000_000),
    ("W1 cogen_boxed_for", ["w1", "cogen_boxed_for"], "cogen_bench::w1::cogen_boxed_for", 1_000_000),
    ("W2 hand", ["w2", "hand"], "cogen_bench::w2::hand", 1_000_000),
    ("W2 cogen", ["w2", "cogen"], "cogen_bench::w2::cogen", 1_000_000),
    ("W3 hand_chain d=1", ["w3", "hand_chain", "1"], "cogen_bench::w3::hand_chain", 62_500),
    ("W3 hand_chain d=64", ["w3", "hand_chain", "64"], "cogen_bench::w3::hand_chain", 62_500),
    ("W3 cogen_boxed d=1", ["w3", "cogen_boxed", "1"], "cogen_bench::w3::cogen_boxed", 62_500),
    ("W3 cogen_boxed d=64", ["w3", "cogen_boxed", "64"], "cogen_bench::w3::cogen_boxed", 62_500),
    ("W3 cogen_static d=1", ["w3", "cogen_static", "1"], "cogen_bench::w3::cogen_static", 62_500),
    ("W3 cogen_static d=8", ["w3", "cogen_static", "8"], "cogen_bench::w3::cogen_static", 62_500),
    ("W4 hand_stack", ["w4", "hand_stack"], "cogen_bench::w4::hand_stack", 1 << 16),
    ("W4 cogen", ["w4", "cogen"], "cogen_bench::w4::cogen", 1 << 16),
    ("W4 corosensei", ["w4", "corosensei"], "cogen_bench::w4::corosensei", 1 << 16),
]

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


def summarize(out_file, items):
    text = subprocess.run(
        ["callgrind_annotate", "--threshold=100", out_file],
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
    }


def main():
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("profile.py: valgrind not found; skipping", file=sys.stderr)
        return
    manifest = os.path.join(HERE, "Cargo.toml")
    subprocess.run(["cargo", "build", "--release", "--bin", "profile", "--manifest-path",
                    manifest], check=True)
    binary = os.path.join(TARGET, "release", "profile")
    os.makedirs(OUT_DIR, exist_ok=True)
    summary = {}
    for case, args, function, items in CASES:
        out_file = os.path.join(OUT_DIR, re.sub(r"[^\w]+", "_", case) + ".out")
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--toggle-collect={function}",
             f"--callgrind-out-file={out_file}", binary, *args],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        summary[case] = summarize(out_file, items)
        print(f"{case:28} {summary[case]['instructions_per_item']:8.1f} instructions/item",
              file=sys.stderr)
    with open(os.path.join(OUT_DIR, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
