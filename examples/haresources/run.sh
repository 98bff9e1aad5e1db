#!/usr/bin/env bash
# Runs the haresources example on a local 2-node cluster and checks it:
# haresources2cib turns the haresources file into config.crm (the run
# checks that it still does, to the letter); loaded with `crm configure
# load update`, each line's group runs on its node, its resources started
# left to right, a heartbeat script with its arguments; when node1 dies
# its group moves to node2, and it comes back with node1 (no stickiness:
# Heartbeat's auto_failback on).
. "$(dirname "$0")/../lib.sh"

# The scripts: Announce (Pacer's agents/resource.d), this folder's
# resource.d/reportd (heartbeat class) and init.d/webserver (LSB), where
# the converter and the cluster's nodes look for them.
export PACER_HEARTBEAT_DIR=$here/resource.d:$root/agents/resource.d
export PACER_INIT_DIR=$here/init.d

say "pacer haresources2cib haresources"
converted=$(mktemp)
(cd "$here" && pacer haresources2cib haresources) >"$converted"
diff -u "$here/config.crm" "$converted" || fail "haresources2cib no longer writes config.crm (the diff above)"
rm -f "$converted"
echo "ok: the conversion is config.crm"

cluster_up 2
say "crm configure load update config.crm"
crm configure property stonith-enabled=false
crm configure load update "$here/config.crm"

# in_order NODE A B: on NODE, B's state file is newer than A's.
in_order() { [ -e "$DIR/$1/run/$2" ] && [ "$DIR/$1/run/$3" -nt "$DIR/$1/run/$2" ]; }

wait_for 20 "group_1 runs on node1, its line's node" runs_on group_1 node1
wait_for 20 "group_2 runs on node2, its line's node" runs_on group_2 node2
check "node1 started the address, then webserver (lsb)" in_order node1 Announce-vip webserver.state
check "node2 started the address, then reportd (heartbeat)" in_order node2 Announce-reports-vip reportd.state
check "reportd got its arguments: nightly /var/lib/reports" grep -qx "nightly /var/lib/reports" "$DIR/node2/run/reportd.state"
crm status

say "pacer local kill node1"
pacer local kill --dir "$DIR" node1
talk_to node2
wait_for 20 "group_1 moves to node2" runs_on group_1 node2
check "group_2 stays on node2" runs_on group_2 node2
crm status

say "pacer local start node1"
pacer local start --dir "$DIR" node1
wait_for 30 "group_1 goes back to node1 (auto_failback)" runs_on group_1 node1
check "group_2 stays on node2" runs_on group_2 node2
