#!/usr/bin/env bash
# Runs every test of `make check` and prints one closing line
# "N passed, N failed". Called by the Makefile with BUILD set.
#   1. unit suites (check), forked
#   2. the same suites unforked (CK_FORK=no) under ASan+UBSan
#   3. fuzz seed corpora replayed under ASan+UBSan
#   4. integration tests (python3 unittest) against the real binary
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN=build/asan
passed=0 failed=0
failures=()
log=$(mktemp -d /tmp/complyd-suite.XXXXXX)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# check prints "100%: Checks: 12, Failures: 0, Errors: 0"
count_check() {
        local name=$1 out=$2 rc=$3 line n f e
        line=$(grep -E '^[0-9]+%: Checks: ' "$out" | tail -n1)
        if [ -z "$line" ]; then
                failed=$((failed + 1)); failures+=("$name (no result, exit $rc)"); return
        fi
        n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
        f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
        e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
        passed=$((passed + n - f - e)); failed=$((failed + f + e))
        if [ "$rc" -ne 0 ] || [ $((f + e)) -ne 0 ]; then
                failures+=("$name"); grep -E ':[EF]:' "$out" | head -n 20
                [ $((f + e)) -eq 0 ] && { failed=$((failed + 1)); tail -n 20 "$out"; }
        fi
}

echo "== unit tests (forked)"
for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t"); "$t" >"$log/$n.out" 2>&1; rc=$?
        echo "   $n: $(grep -E '^[0-9]+%: Checks' "$log/$n.out" | tail -n1)"
        count_check "$n" "$log/$n.out" $rc
done

echo "== unit tests (unforked, ASan+UBSan)"
for t in "$ASAN"/tests/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t"); CK_FORK=no "$t" >"$log/asan-$n.out" 2>&1; rc=$?
        echo "   $n: $(grep -E '^[0-9]+%: Checks' "$log/asan-$n.out" | tail -n1)"
        count_check "asan/$n" "$log/asan-$n.out" $rc
done

echo "== valgrind (core paths: config, rules, controls, state, probe context, check)"
if command -v valgrind >/dev/null; then
        vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
        for n in test_yaml_tree test_config test_rules test_controls test_state test_probe_ctx; do
                [ -x "$BUILD/tests/$n" ] || continue
                if CK_FORK=no $vg "$BUILD/tests/$n" >"$log/vg-$n.out" 2>&1; then
                        passed=$((passed + 1)); echo "   $n: clean"
                else
                        failed=$((failed + 1)); failures+=("valgrind/$n"); grep -v '^--' "$log/vg-$n.out" | tail -n 30
                fi
        done
        # the whole check command (the parent; probe children are separate execs)
        if NO_COLOR=1 $vg "$BUILD/complyd" check --root tests/fixtures/hosts/mfa-totp-enforced \
                >"$log/vg-check.out" 2>&1 || [ $? -eq 1 ]; then
                passed=$((passed + 1)); echo "   complyd check: clean"
        else
                failed=$((failed + 1)); failures+=("valgrind/complyd-check"); tail -n 30 "$log/vg-check.out"
        fi
else
        echo "   valgrind is not installed: skipped"
fi

echo "== fuzz corpora (ASan+UBSan)"
for t in "$ASAN"/fuzz/fuzz_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        if [ ! -d "tests/fuzz/corpus/$n" ]; then
                failed=$((failed + 1)); failures+=("$n: no seed corpus tests/fuzz/corpus/$n"); continue
        fi
        if "$t" "tests/fuzz/corpus/$n" >"$log/$n.out" 2>&1; then
                passed=$((passed + 1)); echo "   $(tail -n1 "$log/$n.out")"
        else
                failed=$((failed + 1)); failures+=("$n"); tail -n 30 "$log/$n.out"
        fi
done

echo "== integration tests"
for t in tests/integration/test_*.py; do
        [ -f "$t" ] || continue
        n=$(basename "$t" .py)
        PYTHONPATH=tests/integration COMPLYD="$BUILD/complyd" BUILD="$BUILD" \
                python3 -m unittest -v "tests/integration/$n.py" \
                >"$log/$n.out" 2>&1; rc=$?
        ran=$(sed -nE 's/^Ran ([0-9]+) tests?.*/\1/p' "$log/$n.out" | tail -n1)
        bad=$(grep -cE '^(FAIL|ERROR):' "$log/$n.out")
        ran=${ran:-0}
        echo "   $n: ran $ran, failed $bad"
        passed=$((passed + ran - bad)); failed=$((failed + bad))
        if [ $rc -ne 0 ]; then
                failures+=("$n"); [ "$bad" -eq 0 ] && failed=$((failed + 1))
                grep -A 25 -E '^(FAIL|ERROR):' "$log/$n.out" | head -n 80
                [ "$bad" -eq 0 ] && tail -n 30 "$log/$n.out"
        fi
done

if [ ${#failures[@]} -gt 0 ]; then
        echo "== failed: ${failures[*]} (logs in $log)"
else
        rm -rf "$log"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
