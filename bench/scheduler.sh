#!/usr/bin/env bash
# Scheduler benchmark: the whole `crm_simulate -x FILE -R` process on
# synthetic clusters of 16 nodes (package bench/synthetic), from cold start
# and from steady state, with wall time and peak memory. When Pacemaker's
# crm_simulate is installed it runs on the same files and the ratio is
# printed (Pacemaker only up to PACEMAKER_MAX primitives: it takes minutes
# beyond). The target: 2,000 primitives under 1 s; exit 1 if missed.
#
#   bench/scheduler.sh [SIZES...]        default: 500 2000 10000
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(500 2000 10000)
PACEMAKER_MAX=${PACEMAKER_MAX:-2000}
TARGET_SIZE=2000
TARGET_SECONDS=1.0

go build -o bin/pacer ./cmd/pacer
ln -sf pacer bin/crm_simulate
go build -o bin/gencib ./bench/gencib
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

pacemaker=""
if [ -x /usr/sbin/crm_simulate ]; then pacemaker=/usr/sbin/crm_simulate; fi

# measure CMD... prints "seconds maxrss-MiB" of one run (stdout discarded).
measure() {
	/usr/bin/time -f '%e %M' -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || {
		echo "failed: $* ($(tail -1 "$dir/err"))" >&2
		return 1
	}
	awk '{ printf "%.2f %.0f", $1, $2 / 1024 }' "$dir/time"
}

printf '%-8s %-7s %9s %9s %11s %9s %7s\n' primitives state pacer_s pacer_MiB pacemaker_s pm_MiB ratio
fail=0
for n in "${sizes[@]}"; do
	for state in cold steady; do
		f="$dir/cib-$n-$state.xml"
		bin/gencib -nodes 16 -resources "$n" -state "$state" -o "$f"
		read -r ps pm <<<"$(measure bin/crm_simulate -x "$f" -R)"
		cs="-" cm="-" ratio="-"
		if [ -n "$pacemaker" ] && [ "$n" -le "$PACEMAKER_MAX" ]; then
			read -r cs cm <<<"$(measure "$pacemaker" -x "$f" -R)"
			ratio=$(awk -v a="$cs" -v b="$ps" 'BEGIN { if (b < 0.01) b = 0.01; printf "%.0fx", a / b }')
		fi
		printf '%-8s %-7s %9s %9s %11s %9s %7s\n' "$n" "$state" "$ps" "$pm" "$cs" "$cm" "$ratio"
		if [ "$n" -eq "$TARGET_SIZE" ] && awk -v t="$ps" -v m="$TARGET_SECONDS" 'BEGIN { exit !(t >= m) }'; then
			echo "target missed: $n primitives ($state) took ${ps}s, want under ${TARGET_SECONDS}s" >&2
			fail=1
		fi
	done
done
exit $fail
