#!/usr/bin/env bash
# Checks the init script (packaging/heartbeat) against a node of a local
# 2-node cluster: node2's daemon is run by the script instead of by
# 'pacer local' (settings through PACER_DEFAULTS, as /etc/default/pacer
# would give them): start, status, start again, reload with ha.cf
# unchanged (nothing happens) and changed (the node restarts), reload and
# restart with a broken ha.cf (refused, the node keeps running), stop.
# Also checks pacer.service with systemd-analyze when it is installed.
. "$(dirname "$0")/../examples/lib.sh"
init=$root/packaging/heartbeat

if command -v systemd-analyze >/dev/null; then
	say "systemd-analyze verify pacer.service"
	unit=$(mktemp -d)
	sed "s|/usr/sbin/pacer|$bin/pacer|g; /^ConditionFileNotEmpty=/d" "$root/packaging/pacer.service" >"$unit/pacer.service"
	out=$(systemd-analyze verify "$unit/pacer.service" 2>&1) || fail "pacer.service: $out"
	rm -rf "$unit"
	echo "ok: pacer.service verifies"
fi

cluster_up 2
pacer local kill --dir "$DIR" node2
rm -f "$DIR/node2/pacer.pid" "$DIR/node2/pacer.sock"
defaults=$DIR/pacer.defaults
cat >"$defaults" <<EOF
PACER=$bin/pacer
HA_CF=$DIR/node2/ha.cf
SOCKET=$DIR/node2/pacer.sock
PIDFILE=$DIR/node2/pacer.pid
LOGFILE=$DIR/node2/pacer.log
DAEMON_ARGS="--node node2 --state-dir $DIR/node2 --run-dir $DIR/node2/run"
STOP_TIMEOUT=30
EOF
hb() { PACER_DEFAULTS=$defaults PACER_NO_SYSTEMD=1 "$init" "$@"; }
# rc WANT ACTION: the script exits WANT for ACTION.
rc() {
	local want=$1 got=0
	shift
	hb "$@" || got=$?
	[ "$got" = "$want" ] || fail "heartbeat $*: exit $got, want $want"
	echo "ok: heartbeat $*: exit $want"
}
pid() { cat "$DIR/node2/pacer.pid"; }
online() { crm status | grep -q "Online: \[ node1 node2 \]"; }
offline() { crm status | grep -q "OFFLINE: \[ node2 \]"; }

say "status and start"
sleep 1 # ha.cf, written by 'pacer local up', must be older than the start
rc 3 status
rc 0 start
wait_for 20 "node2 is online" online
rc 0 status
first=$(pid)
rc 0 start
check "a second start leaves it alone" eval '[ "$(pid)" = "$first" ]'

say "reload, ha.cf unchanged"
rc 0 reload
check "the node did not restart" eval '[ "$(pid)" = "$first" ]'

say "reload, ha.cf changed"
sleep 1
touch "$DIR/node2/ha.cf"
rc 0 reload
check "the node restarted" eval '[ "$(pid)" != "$first" ] && alive node2'
wait_for 20 "node2 is online again" online

say "reload and restart with a broken ha.cf"
second=$(pid)
cp "$DIR/node2/ha.cf" "$DIR/node2/ha.cf.good"
echo "keepalive soon" >>"$DIR/node2/ha.cf"
rc 6 reload
rc 6 restart
check "the node kept running" eval '[ "$(pid)" = "$second" ] && alive node2'
mv "$DIR/node2/ha.cf.good" "$DIR/node2/ha.cf"

say "restart"
rc 0 restart
check "a new daemon" eval '[ "$(pid)" != "$second" ] && alive node2'
wait_for 20 "node2 is online again" online

say "stop"
rc 0 stop
rc 3 status
wait_for 20 "node1 sees node2 offline" offline
rc 0 stop
rc 7 reload
rc 2 bogus
