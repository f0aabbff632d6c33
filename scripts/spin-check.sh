#!/usr/bin/env bash
# Verifies the safety-loop model with spin, independently of phalanx's own explorer (docs/model-checking.md).
#
#   scripts/spin-check.sh PHALANX_BIN
#
# For each configuration, `phalanx verify-model --promela` writes the Promela model (generated from the same
# transition tables and parameters its explorer uses) and gives its own verdict; spin must agree:
#   - the correct model: no assertion violation (pan compiled with -DSAFETY -DNOCLAIM) and no acceptance cycle
#     for the LTL property `terminates` (<> every machine terminal; pan -a);
#   - every planted fault: spin reports an error (an assertion violation for the safety faults, an acceptance
#     cycle for the liveness faults), and phalanx exits 1 with a counterexample.
# Exhaustive search (no bitstate hashing); about a minute on two cores.
#
# pan.c is compiled with -O0 by default: it is ~20 000 lines for these models, and -O2 costs more compile time
# than it saves (measured for k = 2, R = 2: 29 s to compile both binaries + 8 s of search with -O2, against
# 3 s + 17 s with -O0). Set PAN_CFLAGS to override (e.g. PAN_CFLAGS=-O2).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:?usage: scripts/spin-check.sh PHALANX_BIN}
[ -x "$bin" ] || { echo "error: $bin is not an executable" >&2; exit 64; }

if ! command -v spin >/dev/null; then
    echo "installing spin" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq spin
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq spin
    fi
fi
cc=${CC:-cc}
read -r -a cflags <<< "${PAN_CFLAGS:--O0}"
command -v "$cc" >/dev/null || { echo "error: no C compiler ($cc) for spin's pan.c" >&2; exit 69; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
pan_flags=(-m1000000 -w24)

# model NAME EXPECT ARGS...: exports, runs phalanx's verdict and both spin searches in $work/NAME.
# EXPECT is pass, safety or liveness (which spin search must report an error).
model() {
    local name=$1 expect=$2
    shift 2
    local dir="$work/$name"
    mkdir -p "$dir"
    local status=0
    "$bin" verify-model "$@" --promela "$dir/model.pml" > "$dir/phalanx.txt" || status=$?
    # The correct model needs both searches; a planted fault only the one that must report it.
    local safety=yes liveness=yes
    [ "$expect" = liveness ] && safety=no
    [ "$expect" = safety ] && liveness=no
    (cd "$dir" && spin -a model.pml > spin.txt)
    local start end safety_errors=- liveness_errors=- stored=-
    if [ $safety = yes ]; then
        (cd "$dir" && "$cc" -w "${cflags[@]}" -DSAFETY -DNOCLAIM -o pan_safety pan.c)
    fi
    if [ $liveness = yes ]; then
        (cd "$dir" && "$cc" -w "${cflags[@]}" -o pan_liveness pan.c)
    fi
    start=$(date +%s.%N)
    if [ $safety = yes ]; then
        (cd "$dir" && ./pan_safety "${pan_flags[@]}" > safety.txt 2>&1) || true
        safety_errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/safety.txt")
        stored=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$dir/safety.txt")
    fi
    if [ $liveness = yes ]; then
        (cd "$dir" && ./pan_liveness -a "${pan_flags[@]}" -N terminates > liveness.txt 2>&1) || true
        liveness_errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/liveness.txt")
        [ $safety = yes ] || stored=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$dir/liveness.txt")
    fi
    end=$(date +%s.%N)
    local verdict ok=yes
    case $expect in
        pass)
            [ "$status" = 0 ] || ok=no
            [ "$safety_errors" = 0 ] && [ "$liveness_errors" = 0 ] || ok=no
            ;;
        safety)
            [ "$status" = 1 ] || ok=no
            [ "${safety_errors:-0}" -ge 1 ] && grep -q "assertion violated" "$dir/safety.txt" || ok=no
            ;;
        liveness)
            [ "$status" = 1 ] || ok=no
            [ "${liveness_errors:-0}" -ge 1 ] && grep -q "acceptance cycle" "$dir/liveness.txt" || ok=no
            ;;
    esac
    verdict=$([ $ok = yes ] && echo ok || echo FAILED)
    printf '%-31s expect %-8s | phalanx exit %s | spin: %s states, assertion errors %s, acceptance-cycle errors %s, %.1fs | %s\n' \
        "$name" "$expect" "$status" "${stored:-?}" "${safety_errors:-?}" "${liveness_errors:-?}" \
        "$(echo "$end - $start" | bc)" "$verdict"
    if [ $ok = no ]; then
        failures=$((failures + 1))
        for f in phalanx.txt safety.txt liveness.txt; do [ -f "$dir/$f" ] && sed -n '1,12p' "$dir/$f" >&2; done
    fi
}

echo "spin $(spin -V | sed -n 's/Spin Version \([^ ]*\).*/\1/p'): the correct model"
model "k2-r2" pass --nodes 2 --rounds 2 --losses 1 --duplicates 1 --delays 0 --crashes 1
model "k3-r1" pass --nodes 3 --rounds 1 --losses 1 --duplicates 1 --delays 0 --crashes 0

echo "planted faults (each must produce an error)"
small=(--nodes 2 --rounds 1 --delays 0)
model "no-ack-dedup" safety "${small[@]}" --crashes 0 --plant no-ack-dedup
model "volatile-command-log" safety "${small[@]}" --duplicates 0 --crashes 1 --plant volatile-command-log
model "finalize-with-firing-predicate" safety "${small[@]}" --crashes 0 --plant finalize-with-firing-predicate
model "timeout-after-clearance" safety "${small[@]}" --crashes 0 --plant timeout-after-clearance
model "no-ack-retry" liveness "${small[@]}" --crashes 0 --plant no-ack-retry
model "no-job-timeout" liveness "${small[@]}" --crashes 0 --plant no-job-timeout

if [ "$failures" -gt 0 ]; then
    echo "spin check: $failures configuration(s) did not behave as expected" >&2
    exit 1
fi
echo "spin check passed"
