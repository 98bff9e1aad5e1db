#!/usr/bin/env bash
# Runs the two-node example and checks it: either node's death moves the
# service to the other, which runs it alone; the dead node rejoins and,
# with stickiness, the service stays where it is.
. "$(dirname "$0")/../lib.sh"

cluster_up 2
say "crm configure load update config.crm"
crm configure load update "$here/config.crm"
check "no-quorum-policy is ignore" eval '[ "$(crm_attribute -t crm_config -n no-quorum-policy -G -q)" = ignore ]'

wait_for 20 "the service starts" eval '[ -n "$(where service)" ]'
first=$(where service)
second=$(nodes | grep -vx "$first")
crm status

# survives DEAD LIVE: LIVE sees DEAD offline and runs the service alone.
survives() {
	crm status | grep -Eq "OFFLINE: \[ $1 \]" && runs_on service "$2"
}

say "pacer local kill $first: $second is left alone"
pacer local kill --dir "$DIR" "$first"
talk_to "$second"
wait_for 20 "$second runs the service alone" survives "$first" "$second"
crm status

say "pacer local start $first: it rejoins"
pacer local start --dir "$DIR" "$first"
wait_for 20 "$first is back online" eval 'crm status | grep -Eq "Online: \[ node1 node2 \]"'
sleep 2
check "the service stays on $second (resource-stickiness=100)" runs_on service "$second"

say "pacer local kill $second: the other way round"
pacer local kill --dir "$DIR" "$second"
talk_to "$first"
wait_for 20 "$first runs the service alone" survives "$second" "$first"
crm status
pacer local start --dir "$DIR" "$second"
wait_for 20 "$second is back online" eval 'crm status | grep -Eq "Online: \[ node1 node2 \]"'
