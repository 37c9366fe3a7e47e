#!/usr/bin/env bash
# The whole benchmark suite, from a clean clone: the Rust benches (criterion), the CPython
# script, the compile-time workload (bench/compile_time.py), the callgrind instruction counts
# (if valgrind is installed), then the tables of BENCHMARKS.md (its prose is kept by hand)
# and bench/w3_depth.svg. About 12-15 minutes on a 2-core machine, build included.
#
#   bash bench/run.sh            # everything
#   bash bench/run.sh --quick    # skip the callgrind counts
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${CARGO_TARGET_DIR:-$here/target}"
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

# The report's Python packages (matplotlib), installed now rather than failing after the
# benches.
if ! python3 -c "import matplotlib" 2>/dev/null; then
    echo "== pip install -r bench/requirements.txt" >&2
    python3 -m pip install --quiet -r "$here/requirements.txt"
fi

# Stale results of renamed or removed benches must not reach the report.
rm -rf "$target/criterion"

echo "== cargo bench (criterion)" >&2
cargo bench --manifest-path "$here/Cargo.toml" --bench generators

echo "== CPython" >&2
python3 "$here/python/bench.py" --runs 7 --out "$target/python.json" >/dev/null

echo "== compile time (200 generator fns per crate, dev and release)" >&2
python3 "$here/compile_time.py" --target "$target"

if [[ $quick == 0 ]] && command -v valgrind >/dev/null; then
    echo "== callgrind instruction counts" >&2
    python3 "$here/profile.py"
else
    rm -f "$target/callgrind/summary.json"
fi

echo "== report" >&2
python3 "$here/report.py" --target "$target"
