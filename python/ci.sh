#!/usr/bin/env bash
# python/ci.sh: the Python side of CI, called by .ci/run (and runnable by hand, from anywhere).
#
#   1. a Java runtime for Spark, from Debian's packages, only if `java` is missing (or < 17);
#   2. the Rust CLI the tests compare against (target/release/examples/suggest);
#   3. the abi3 wheel, built once with maturin (release) into python/dist/, then rustfmt and
#      clippy on python/src (the parent's do not see this package);
#   4. a fresh virtualenv with the wheel and the pinned test tools;
#   5. pytest: API, errors, batches, threads, and the Spark job in local mode vs the CLI;
#   6. the same wheel imported by the oldest and newest other CPythons found (abi3 smoke);
#   7. a short throughput report (printed, not gated: the machine is shared and noisy).
#
# Idempotent: the build venv and cargo's target dir (python/target) are reused when present;
# the test venv is made anew every run. pip's and cargo's caches stay where they are.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PYTHON="${PYTHON:-python3}"
VENVS="$HERE/.venv"

# Pinned tool versions (PyPI).
MATURIN=1.16.0
PYTEST=9.2.0
PYARROW=26.0.1
PYSPARK=4.3.0
PANDAS=2.3.3   # pyspark's mapInArrow insists on pandas >= 2.2 being importable
NUMPY=2.3.5
POLARS=2.1.0   # only to show Polars reads the batch results (tests/test_batch.py)

TIMINGS=()
now() { date +%s.%N; }
step() {
    local name=$1
    shift
    local t0
    t0=$(now)
    echo "==> $name"
    "$@"
    local dt
    dt=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
    TIMINGS+=("$(printf '%-36s %7ss' "$name" "$dt")")
    echo "<== $name: ${dt}s"
}

java_major() {
    java -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

ensure_java() {
    if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; then
        echo "java $(java_major) found: $(command -v java)"
        return
    fi
    echo "no Java >= 17 (Spark 4 needs it): installing Debian's default-jre-headless"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
    echo "java $(java_major) installed"
}

build_cli() {
    (cd "$ROOT" && cargo build --release --example suggest)
}

build_venv() {
    if [ ! -x "$VENVS/build/bin/maturin" ] || ! "$VENVS/build/bin/maturin" --version | grep -q " $MATURIN\$"; then
        rm -rf "$VENVS/build"
        "$PYTHON" -m venv "$VENVS/build"
        "$VENVS/build/bin/pip" install -q "maturin==$MATURIN"
    fi
    "$VENVS/build/bin/maturin" --version
}

rust_lint() {
    # The parent's `cargo fmt`/`clippy` do not see this package (its own workspace).
    (cd "$HERE" && cargo fmt --check && PYO3_PYTHON="$VENVS/build/bin/python" cargo clippy --release --all-targets --quiet -- -D warnings)
}

build_wheel() {
    rm -rf "$HERE/dist"
    (cd "$HERE" && "$VENVS/build/bin/maturin" build --release --out dist)
    ls -l "$HERE"/dist/*.whl
}

test_venv() {
    rm -rf "$VENVS/test"
    "$PYTHON" -m venv "$VENVS/test"
    "$VENVS/test/bin/pip" install -q "pytest==$PYTEST" "pyarrow==$PYARROW" "pyspark==$PYSPARK" \
        "pandas==$PANDAS" "numpy==$NUMPY" "polars==$POLARS" "$HERE"/dist/*.whl
    "$VENVS/test/bin/python" -c "import replykit, sys; print('replykit', replykit.__version__, 'from', replykit.__file__)"
}

run_pytest() {
    # From python/, but the tests import the installed wheel (conftest.py checks), and the Spark
    # job runs from a temporary folder (see tests/test_spark.py).
    (cd "$HERE" && SPARK_LOCAL_IP=127.0.0.1 REPLYKIT_REQUIRE_SPARK=1 \
        "$VENVS/test/bin/pytest" -p no:cacheprovider -ra tests)
}

other_pythons() {
    # abi3: the one wheel must import on every CPython >= 3.9. Try what this machine has.
    local root
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for v in 3.9 3.13 3.12 3.10; do
        for py in "$root"/versions/"$v".*/bin/python"$v" "$(command -v "python$v" 2>/dev/null || true)"; do
            [ -x "$py" ] || continue
            echo "$py"
            break
        done
    done | awk '!seen[$0]++'
}

abi3_smoke() {
    local found=0
    for py in $(other_pythons); do
        local v
        v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        rm -rf "$VENVS/smoke-$v"
        "$py" -m venv "$VENVS/smoke-$v"
        "$VENVS/smoke-$v/bin/pip" install -q --no-deps "$HERE"/dist/*.whl
        (cd /tmp && "$VENVS/smoke-$v/bin/python" -c '
import sys, replykit
e = replykit.Engine()
assert e.classify("快递怎么还没到,急用!")["intents"][0]["id"] == "delivery_anxiety"
assert e.suggest("the box arrived crushed")["hints"][0]["id"] == "apologize_compensate_first"
try:
    replykit.Engine(packs=[("x.toml", "language = 1")])
except replykit.PackError as err:
    assert err.line == 1, err
print("abi3 wheel OK on Python", sys.version.split()[0])')
        rm -rf "$VENVS/smoke-$v"
        found=1
    done
    [ "$found" = 1 ] || echo "no other CPython on this machine: abi3 smoke skipped"
}

bench() {
    (cd /tmp && "$VENVS/test/bin/python" "$HERE/bench.py" --rounds 3 --seconds 0.3)
}

total0=$(now)
step "java runtime" ensure_java
step "CLI build (cargo, release)" build_cli
step "build venv (maturin $MATURIN)" build_venv
step "wheel build (maturin --release)" build_wheel
step "rust fmt + clippy (python/)" rust_lint
step "fresh test venv + wheel" test_venv
step "pytest" run_pytest
step "abi3 smoke on other CPythons" abi3_smoke
step "throughput report" bench

echo
echo "python/ci.sh timings:"
printf '  %s\n' "${TIMINGS[@]}"
awk -v a="$total0" -v b="$(now)" 'BEGIN { printf "  %-36s %7.1fs\n", "total", b - a }'
