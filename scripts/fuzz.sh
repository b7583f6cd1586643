#!/usr/bin/env bash
# Coverage-guided fuzzing of kefu-ingest's loaders and chunker (fuzz/) with libFuzzer, on
# stable Rust.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: $FUZZ_SECONDS or 20; all targets)
#
# cargo-fuzz needs nightly for its sanitizers. The loaders are safe Rust, so what matters is
# coverage feedback, and that needs only stable codegen flags: LLVM's SanitizerCoverage pass
# (`-Cpasses=sancov-module` with inline 8-bit counters, a PC table, comparison tracing and
# stack depth), linked with libFuzzer by the libfuzzer-sys crate. Panics, stack overflows,
# time-outs and running out of memory are the findings.
#
# Each target's corpus starts from the matching files of corpus/ and the regression inputs of
# issue #12 (deep nesting, a huge unbroken word, many entities, a big cell, a YAML bomb), grows
# in fuzz/corpus/TARGET (kept between runs) and every finding is saved in
# fuzz/artifacts/TARGET/ (replay: fuzz/target/HOST/release/TARGET FILE). libFuzzer runs in fork
# mode, so one crash does not end the run: the budget is spent and every crash kept. Prints
# executions and findings per target; exits 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${FUZZ_SECONDS:-20}}
shift || true
all=(markdown front_matter html text csv json jsonl chunk)
targets=("${@:-${all[@]}}")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

host=$(rustc -vV | sed -n 's/^host: //p')
flags=(
    --cfg fuzzing
    -Cpasses=sancov-module
    -Cllvm-args=-sanitizer-coverage-level=4
    -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
    -Cllvm-args=-sanitizer-coverage-pc-table
    -Cllvm-args=-sanitizer-coverage-trace-compares
    -Cllvm-args=-sanitizer-coverage-stack-depth
)
# --target keeps the flags off build scripts and proc macros (which libFuzzer is not linked into).
RUSTFLAGS="${flags[*]}" cargo build --release --manifest-path fuzz/Cargo.toml --target "$host" --bins
bin=fuzz/target/$host/release

# Seeds: regenerated on every run from corpus/ and the regression inputs.
seeds=fuzz/target/seeds
rm -rf "$seeds"
for t in "${all[@]}"; do mkdir -p "$seeds/$t"; done
copy() { # EXTENSION TARGET
    find corpus -name "*.$1" -size -64k | while read -r f; do cp "$f" "$seeds/$2/${f//\//_}"; done
}
copy md markdown
copy md chunk
copy html html
copy txt text
copy csv csv
copy json json
copy jsonl jsonl
for f in corpus/*/*/*.md; do # the front matter of each page
    awk 'NR == 1 && $0 != "---" { exit } NR > 1 && $0 == "---" { exit } NR > 1' "$f" >"$seeds/front_matter/${f//\//_}"
done
repeat() { # TEXT COUNT
    local out="" i
    for ((i = 0; i < $2; i++)); do out+="$1"; done
    printf '%s' "$out"
}
word=$(head -c 60000 /dev/zero | tr '\0' a)
{ repeat '<div>' 10000; printf 'deep'; } >"$seeds/html/regression-deep-nesting.html"
{ printf '<main>'; repeat '&amp;&nbsp;&eacute;&CounterClockwiseContourIntegral;' 1200; printf '</main>'; } >"$seeds/html/regression-named-entities.html"
printf '<p>%s</p>' "$word" >"$seeds/html/regression-huge-word.html"
printf '%s\n' "$word" >"$seeds/text/regression-huge-word.txt"
printf '# Word\n\n%s\n' "${word:0:20000}" >"$seeds/chunk/regression-huge-word.md"
printf '# Word\n\n%s\n' "$word" >"$seeds/markdown/regression-huge-word.md"
repeat '> ' 20000 >"$seeds/markdown/regression-deep-quotes.md"
{ repeat '- ' 5000; printf 'x\n'; } >"$seeds/markdown/regression-deep-list.md"
repeat '<div>' 10000 >"$seeds/markdown/regression-deep-html.md"
printf 'question,answer\nbig,%s\n' "$word" >"$seeds/csv/regression-big-cell.csv"
repeat '[' 20000 >"$seeds/json/regression-deep-nesting.json"
{ repeat '{"a":' 5000; printf '\n'; } >"$seeds/jsonl/regression-deep-nesting.jsonl"
bomb='a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
title: *h'
printf '%s\n' "$bomb" >"$seeds/front_matter/regression-yaml-bomb.yaml"
printf -- '---\n%s\n---\n# Bomb\n\nText.\n' "$bomb" >"$seeds/markdown/regression-yaml-bomb.md"

options=(-timeout=10 -rss_limit_mb=2048)
status=0
report=()
for t in "${targets[@]}"; do
    [ -x "$bin/$t" ] || { echo "unknown target: $t (targets: ${all[*]})" >&2; exit 2; }
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    log=fuzz/target/$t.log
    stamp=$(mktemp)
    echo "== $t: seeds, then ${seconds}s of fuzzing"
    # Every seed on its own first: fork mode's start skips seeds that crash, silently. libFuzzer
    # saves nothing for an input it was given as a file: a failing seed is saved here.
    : >"$log"
    for f in "$seeds/$t"/*; do
        rc=0
        "$bin/$t" "${options[@]}" "$f" >>"$log" 2>&1 || rc=$?
        case $rc in
            0) ;;
            70) cp "$f" "fuzz/artifacts/$t/timeout-seed-$(basename "$f")" ;;
            *) cp "$f" "fuzz/artifacts/$t/crash-seed-$(basename "$f")" ;;
        esac
    done
    # Fork mode: a crash ends one job, not the run; the exit status says nothing useful. Inputs
    # grow to 16 KB (larger seeds are cut to that; they ran whole above).
    "$bin/$t" "fuzz/corpus/$t" "$seeds/$t" "${options[@]}" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" -max_len=16384 \
        -artifact_prefix="fuzz/artifacts/$t/" >>"$log" 2>&1 || true
    # Fork mode's last progress line: "#EXECS: cov: C ft: F corp: N exec/s: S oom/timeout/crash: O/T/C ...".
    last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
    field() { sed -nE "s%$1%\1%p" <<<"$last"; }
    execs=$(field '^#([0-9]+):.*')
    rate=$(field '.* exec/s: ([0-9]+).*')
    corp=$(field '.* corp: ([0-9]+).*')
    cov=$(field '.* cov: ([0-9]+).*')
    jobs_failed=$(field '.* oom/timeout/crash: ([0-9]+/[0-9]+/[0-9]+).*')
    found=$(find "fuzz/artifacts/$t" -type f -newer "$stamp" | sort)
    rm -f "$stamp"
    count() { grep -c "/$1-" <<<"$found" || true; }
    report+=("$(printf '%-13s %12s %8s %7s %7s %8s %9s %5s %5s %14s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
        "${corp:-?}" "$(count crash)" "$(count timeout)" "$(count oom)" "$(count slow-unit)" "${jobs_failed:-?}")")
    if [ -n "$found" ]; then
        status=1
        report+=("$(sed 's/^/    saved: /' <<<"$found")")
    fi
    if [ -z "$execs" ]; then
        status=1
        report+=("    no progress reported: see $log")
    elif [ "$jobs_failed" != 0/0/0 ]; then
        status=1
    fi
done
echo
printf '%-13s %12s %8s %7s %7s %8s %9s %5s %5s %14s\n' target executions exec/s cov corpus crashes timeouts ooms \
    slow "jobs o/t/c"
printf '%s\n' "${report[@]}"
echo "(executions, exec/s, coverage and corpus: fuzz/corpus/TARGET after the run; crashes, timeouts, ooms"
echo " and slow (over 10 s): inputs saved by this run, seeds included; jobs o/t/c: fork-mode jobs that ended so)"
exit $status
