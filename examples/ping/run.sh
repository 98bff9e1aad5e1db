#!/usr/bin/env bash
# Runs the ping example on a local 3-node cluster and checks it: the node
# that runs web loses its uplink, its pingd drops to 0 and web moves to a
# node that still has one; with every uplink down web stops, and it
# starts again when they come back.
#
# How an uplink fails without root: ocf:pacer:ping pings the ping nodes
# of its node's ha.cf (it reads them at every monitor), and every node of
# a local cluster has its own ha.cf. Each node's ha.cf gets `ping
# 127.0.0.1`, which answers; cutting a node's uplink rewrites that line of
# its ha.cf to `ping 0.0.0.1`, an address no packet can be sent to (the
# kernel refuses at once), and restoring it writes 127.0.0.1 back. The
# daemons do not need the ping lines, so they keep running.
. "$(dirname "$0")/../lib.sh"

command -v ping >/dev/null || { echo "ping: ping(8) is not installed (Debian: iputils-ping)" >&2; exit 1; }

cluster_up 3
uplink() { # uplink NODE up|down
	local to=127.0.0.1
	[ "$2" = down ] && to=0.0.0.1
	sed -i '/^ping /d' "$DIR/$1/ha.cf"
	echo "ping $to" >>"$DIR/$1/ha.cf"
}
for n in $(nodes); do uplink "$n" up; done

say "crm configure load update config.crm"
crm configure load update "$here/config.crm"

pingd() { crm_attribute -N "$1" -n pingd -l reboot -G -q -d none 2>/dev/null; }
pingd_is() { [ "$(pingd "$1")" = "$2" ]; }
all_pingd() { local n; for n in $(nodes); do pingd_is "$n" "$1" || return 1; done; }

wait_for 20 "every node's pingd is 100 (one ping node answers)" all_pingd 100
wait_for 20 "web starts" eval '[ -n "$(where web)" ]'
first=$(where web)
crm status
crm configure show web-needs-uplink

say "$first loses its uplink"
uplink "$first" down
wait_for 20 "pingd of $first drops to 0" pingd_is "$first" 0
moved() { local n; n=$(where web); [ -n "$n" ] && [ "$n" != "$1" ]; }
wait_for 20 "web leaves $first" moved "$first"
second=$(where web)
check "web runs on $second, whose pingd is 100" pingd_is "$second" 100
crm status

say "$first gets its uplink back"
uplink "$first" up
wait_for 20 "pingd of $first is back to 100" pingd_is "$first" 100
check "web stays on $second (stickiness)" runs_on web "$second"

say "every uplink fails"
for n in $(nodes); do uplink "$n" down; done
wait_for 20 "web stops: no node can reach the network" stopped web
crm status

say "the uplinks come back"
for n in $(nodes); do uplink "$n" up; done
wait_for 20 "web starts again" eval '[ -n "$(where web)" ]'
echo "web runs on $(where web)"
