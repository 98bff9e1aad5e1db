#!/usr/bin/env bash
# Runs the web example on a local 3-node cluster and checks it: the group
# starts in order on one node, moves as one when its node goes to standby,
# stays put (stickiness) when the node is back, and is recovered on a
# survivor when its node dies.
. "$(dirname "$0")/../lib.sh"

say "production.crm parses and loads (offline, into an empty CIB)"
loads_offline "$here/production.crm"

cluster_up 3
say "crm configure load update config.crm"
crm configure load update "$here/config.crm"

# holds NODE: the address (Announce's state file) is held on NODE and on
# no other running node; the web server started after it.
holds() {
	local n
	for n in $(nodes); do
		if [ "$n" != "$1" ] && alive "$n" && [ -e "$DIR/$n/run/Announce-vip" ]; then
			return 1
		fi
	done
	[ -e "$DIR/$1/run/Announce-vip" ] && [ "$DIR/$1/run/Dummy-web.state" -nt "$DIR/$1/run/Announce-vip" ]
}

wait_for 20 "vip and web start on one node" same_node vip web
first=$(where website)
check "the address is held on $first only, and web started after it" holds "$first"
crm status

say "crm node standby $first"
crm node standby "$first"
moved() { local n; n=$(where website); [ -n "$n" ] && [ "$n" != "$1" ] && same_node vip web; }
wait_for 20 "website leaves $first, vip and web together" moved "$first"
second=$(where website)
check "the address moved to $second (stopped on $first)" holds "$second"

say "crm node online $first"
crm node online "$first"
sleep 3
check "website stays on $second (resource-stickiness=100)" runs_on website "$second"

say "pacer local kill $second (a power failure)"
pacer local kill --dir "$DIR" "$second"
[ "$second" = node1 ] && talk_to "$first"
wait_for 20 "website recovered on a survivor" moved "$second"
echo "website runs on $(where website)"
crm status
