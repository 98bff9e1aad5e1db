#!/usr/bin/env bash
# Runs the failover example on a local cluster and checks the outcome.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/bin
dir=${DIR:-$(mktemp -d)}
trap '"$bin/pacer" local down --dir "$dir" >/dev/null' EXIT

"$bin/pacer" local up --nodes 3 --dir "$dir"
export PACER_SOCKET=$dir/node1/pacer.sock
while read -r line; do
	[ -n "$line" ] && "$bin/crm" configure $line
done <"$(dirname "$0")/config.crm"

where() { "$bin/crm" status | awk -v r="$1" '$2 == r && $4 == "Started" { print $5 }'; }
wait_started() { for _ in $(seq 100); do n=$(where d1); [ -n "$n" ] && [ "$n" != "${1:-}" ] && { echo "$n"; return; }; sleep 0.2; done; echo "d1 did not start" >&2; exit 1; }

first=$(wait_started)
echo "d1 runs on $first; killing $first"
"$bin/pacer" local kill --dir "$dir" "$first"
[ "$first" = node1 ] && export PACER_SOCKET=$dir/node2/pacer.sock
start=$(date +%s%N)
second=$(wait_started "$first")
echo "d1 recovered on $second after $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$bin/crm" status
"$bin/pacer" local start --dir "$dir" "$first"
sleep 3
now=$(where d1)
[ "$now" = "$second" ] || { echo "d1 moved back to $now despite stickiness" >&2; exit 1; }
echo "$first is back; d1 stays on $second"
