#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default 600 s, all targets)
#
# Builds all targets once, then runs each with libFuzzer's -max_total_time, keeping the
# corpus in fuzz/corpus/<target> (seeded from fuzz/seeds/<target>) and anything that
# crashed, leaked, ran out of memory or timed out in fuzz/artifacts/<target>. Prints one
# line per target: runs, execs/s, new crash artifacts. Exits non-zero if any target crashed.
# Stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags; no sanitizer is
# used (the code is safe Rust; panics, aborts, stack overflows, OOMs and hangs are caught),
# and builds are optimised with debug assertions and overflow checks on (cargo-fuzz default).
set -u
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
export RUSTC_BOOTSTRAP=1
FUZZ=(cargo fuzz)
command -v cargo-fuzz >/dev/null || FUZZ=("$HOME/.cargo/bin/cargo-fuzz")
FLAGS=(--sanitizer none)

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <("${FUZZ[@]}" list)
fi

# Build once, then run the binaries themselves (cargo fuzz run would rebuild before each).
# SKIP_BUILD=1 reuses the binaries already built, e.g. while the tree is mid-edit.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "building ${#targets[@]} targets…"
    "${FUZZ[@]}" build "${FLAGS[@]}" || { echo "build failed"; exit 2; }
fi
bin_dir=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

# Per-target libFuzzer options: container formats need room for a whole small file.
opts_for() {
    case "$1" in
        xlsx_import | docx_reader) echo "-max_len=65536" ;;
        rule_expr) echo "-max_len=16384" ;;
        *) echo "-max_len=8192" ;;
    esac
}

logs=fuzz/logs
mkdir -p "$logs"
summary=()
failed=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    before=$(find "fuzz/artifacts/$t" -type f | wc -l)
    log="$logs/$t.log"
    echo "== $t: ${secs}s (log $log)"
    seeds=()
    [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
    "$bin_dir/$t" "fuzz/corpus/$t" "${seeds[@]}" -artifact_prefix="fuzz/artifacts/$t/" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        $(opts_for "$t") >"$log" 2>&1
    status=$?
    after=$(find "fuzz/artifacts/$t" -type f | wc -l)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    crashes=$((after - before))
    line=$(printf '%-14s runs %-10s execs/s %-7s crashes %s (exit %s)' "$t" "${runs:-?}" "${rate:-?}" "$crashes" "$status")
    echo "$line"
    summary+=("$line")
    if [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
        failed=1
        ls -t "fuzz/artifacts/$t" | head -n "$((crashes > 0 ? crashes : 1))" | sed "s|^|    artifact: fuzz/artifacts/$t/|"
    fi
done

echo
echo "== summary (${secs}s per target, $(date -u '+%Y-%m-%d %H:%M UTC'))"
printf '%s\n' "${summary[@]}"
exit $failed
