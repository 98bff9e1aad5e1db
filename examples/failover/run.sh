#!/usr/bin/env bash
# Runs the failover example on a local cluster and checks the outcome: d1
# starts, its node is killed, a survivor recovers it, and when the node
# comes back d1 stays put (stickiness).
. "$(dirname "$0")/../lib.sh"

cluster_up 3
say "crm configure load update config.crm"
crm configure load update "$here/config.crm"

wait_for 20 "d1 starts" eval '[ -n "$(where d1)" ]'
first=$(where d1)
crm status

say "pacer local kill $first"
pacer local kill --dir "$DIR" "$first"
[ "$first" = node1 ] && talk_to node2
start=$(date +%s%N)
moved() { local n; n=$(where d1); [ -n "$n" ] && [ "$n" != "$first" ]; }
wait_for 20 "d1 recovered on a survivor" moved
second=$(where d1)
echo "d1 recovered on $second after $(( ($(date +%s%N) - start) / 1000000 )) ms"
crm status

say "pacer local start $first"
pacer local start --dir "$DIR" "$first"
wait_for 20 "$first is back online" eval "crm status | grep -q 'Online: \[ node1 node2 node3 \]'"
sleep 2
check "d1 stays on $second (resource-stickiness=100)" runs_on d1 "$second"
