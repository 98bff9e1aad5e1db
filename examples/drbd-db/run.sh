#!/usr/bin/env bash
# Runs the drbd-db example on a local 2-node cluster and checks it: the
# group runs where ms-drbd is promoted and starts after the promotion;
# `crm resource migrate g-db NODE` moves the group and the promotion
# together and leaves a cli-prefer constraint; `crm resource unmigrate`
# removes it and nothing moves back.
. "$(dirname "$0")/../lib.sh"

say "production.crm parses and loads (offline, into an empty CIB)"
loads_offline "$here/production.crm"

cluster_up 2

# The invariant of every DRBD cluster: the file system is never mounted
# where DRBD is not Primary. A watcher samples the nodes' state files
# (Dummy-fs.state exists while fs runs; Stateful-drbd.state says
# Promoted while drbd is) every 50 ms for the whole run and records each
# moment it does not hold.
violations=$DIR/violations
: >"$violations"
all=$(nodes)
(
	while :; do
		for n in $all; do
			[ -e "$DIR/$n/run/Dummy-fs.state" ] || continue
			role=
			read -r role <"$DIR/$n/run/Stateful-drbd.state" 2>/dev/null || true
			if [ "$role" != Promoted ]; then
				echo "$(date +%T.%N | cut -c1-12) fs runs on $n, where drbd is ${role:-not running}" >>"$violations"
			fi
		done
		sleep 0.05
	done
) &
watcher=$!
on_exit 'kill $watcher 2>/dev/null'
never_unpromoted() {
	[ ! -s "$violations" ] && return 0
	sort -u "$violations" | head -5 >&2
	return 1
}

say "crm configure load update config.crm"
crm configure load update "$here/config.crm"

# together NODE: ms-drbd is promoted on NODE, unpromoted on the other
# node, and g-db runs on NODE.
together() {
	[ "$(promoted ms-drbd)" = "$1" ] && runs_on g-db "$1" && [ "$(where ms-drbd | wc -w)" = 2 ]
}
# after_promotion NODE: fs started on NODE after drbd was promoted there.
after_promotion() {
	local st
	st=$(grep -l Promoted "$DIR/$1"/run/Stateful-* 2>/dev/null | head -1)
	[ -n "$st" ] && [ "$DIR/$1/run/Dummy-fs.state" -nt "$st" ]
}
promoted_somewhere() { [ -n "$(promoted ms-drbd)" ]; }

wait_for 30 "ms-drbd is promoted" promoted_somewhere
first=$(promoted ms-drbd)
other=$(nodes | grep -vx "$first")
wait_for 20 "g-db runs on $first with the promoted ms-drbd, ms-drbd unpromoted on $other" together "$first"
check "g-db started after the promotion on $first" after_promotion "$first"
check "fs never ran where drbd was not promoted" never_unpromoted
crm status

say "crm resource migrate g-db $other"
crm resource migrate g-db "$other"
check "the constraint cli-prefer-g-db exists" has_constraint cli-prefer-g-db
crm configure show cli-prefer-g-db
wait_for 30 "g-db and the promotion of ms-drbd move to $other together" together "$other"
check "g-db started after the promotion on $other" after_promotion "$other"
check "fs never ran where drbd was not promoted" never_unpromoted
crm status

say "crm resource unmigrate g-db"
crm resource unmigrate g-db
check "the constraint cli-prefer-g-db is gone" eval '! has_constraint cli-prefer-g-db'
sleep 3
check "g-db and the promotion stay on $other (stickiness)" together "$other"
check "fs never ran where drbd was not promoted" never_unpromoted
