#!/usr/bin/env bash
# Shell benchmark: one-shot `crm configure show` on a CIB file of 500
# primitives (bench/synthetic, 16 nodes) and a 100-line script of
# one-shot configure commands, run by Pacer's crm and, when installed, by
# crmsh on the same files. The target: show under 50 ms; exit 1 if missed.
#
#   bench/shell.sh [PRIMITIVES]        default: 500
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-500}
TARGET_MS=50
go build -o bin/pacer ./cmd/pacer
ln -sf pacer bin/crm
go build -o bin/gencib ./bench/gencib
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

crmsh=""
if [ -x /usr/sbin/crm ] && head -1 /usr/sbin/crm | grep -q python; then crmsh=/usr/sbin/crm; fi

# best_ms RUNS CMD... prints the fastest of RUNS wall times, in ms.
best_ms() {
	local runs=$1 best=999999 t0 t1 ms
	shift
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		((ms < best)) && best=$ms
	done
	echo "$best"
}

bin/gencib -nodes 16 -resources "$n" -state cold -o "$dir/cib.xml"
script="$dir/script.crm"
for i in $(seq 1 100); do echo "configure primitive extra$i ocf:heartbeat:Dummy op monitor interval=10s"; done >"$script"

printf '%-34s %10s %10s %7s\n' test pacer_ms crmsh_ms ratio
row() {
	local name=$1 ours=$2 theirs=$3 ratio="-"
	if [ "$theirs" != "-" ]; then ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { if (b < 1) b = 1; printf "%.0fx", a / b }'); fi
	printf '%-34s %10s %10s %7s\n' "$name" "$ours" "$theirs" "$ratio"
}

ours=$(CIB_file="$dir/cib.xml" best_ms 5 bin/crm configure show)
theirs="-"
if [ -n "$crmsh" ]; then theirs=$(CIB_file="$dir/cib.xml" best_ms 3 "$crmsh" configure show); fi
row "configure show ($n primitives)" "$ours" "$theirs"
show_ms=$ours

cp "$dir/cib.xml" "$dir/ours.xml"
ours=$(CIB_file="$dir/ours.xml" best_ms 1 bin/crm -f "$script")
theirs="-"
if [ -n "$crmsh" ]; then
	cp "$dir/cib.xml" "$dir/theirs.xml"
	theirs=$(CIB_file="$dir/theirs.xml" best_ms 1 "$crmsh" -f "$script")
fi
row "100-line one-shot script" "$ours" "$theirs"

if ((show_ms >= TARGET_MS)); then
	echo "target missed: configure show took ${show_ms} ms, want under ${TARGET_MS} ms" >&2
	exit 1
fi
