# Helpers the examples' run.sh scripts share (bash; source it). They start
# a local cluster that is torn down when the script exits, apply a crm
# configuration, and wait for what the cluster should do, failing with
# the cluster's status when it does not happen in time.
#
#   DIR=/some/dir examples/web/run.sh   keeps the cluster's files there
#   KEEP=1 examples/web/run.sh          leaves the cluster running at the end
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/bin
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$here")
[ -x "$bin/pacer" ] || { echo "$name: $bin/pacer is missing: run 'make build' first" >&2; exit 1; }

crm() { "$bin/crm" "$@"; }
crm_resource() { "$bin/crm_resource" "$@"; }
crm_attribute() { "$bin/crm_attribute" "$@"; }
pacer() { "$bin/pacer" "$@"; }

started=$(date +%s%N)
say() { printf '\n== %s\n' "$*"; }
fail() {
	echo "FAIL ($name): $*" >&2
	crm status >&2 || true
	exit 1
}

# loads_offline FILE: FILE loads into an empty CIB, offline (the agents it
# names need not be installed: crm -F).
loads_offline() {
	local cib rc=0
	cib=$(mktemp)
	"$bin/cibadmin" --empty >"$cib"
	CIB_file=$cib crm -F configure load update "$1" || rc=$?
	rm -f "$cib"
	[ $rc -eq 0 ] || fail "$(basename "$1") does not load"
	echo "ok: $(basename "$1") loads"
}

# cluster_up N: a local N-node cluster in $DIR (default: a new temporary
# directory), stopped, and removed if it was temporary, when the script
# exits; the tools talk to node1.
cluster_up() {
	own_dir=
	if [ -z "${DIR:-}" ]; then
		DIR=$(mktemp -d "${TMPDIR:-/tmp}/pacer-$name.XXXXXX")
		own_dir=1
	fi
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	pacer local up --nodes "$1" --dir "$DIR"
	export PACER_SOCKET=$DIR/node1/pacer.sock
}

# on_exit COMMAND: run COMMAND (a string) when the script exits, before
# the cluster is torn down.
exit_hooks=()
on_exit() { exit_hooks+=("$1"); }

cleanup() {
	local rc=$? hook
	set +e
	for hook in ${exit_hooks[@]+"${exit_hooks[@]}"}; do eval "$hook"; done
	if [ "${KEEP:-}" = 1 ]; then
		echo "$name: the cluster keeps running in $DIR (stop it: bin/pacer local down --dir $DIR)"
		return
	fi
	pacer local down --dir "$DIR" >/dev/null
	if [ $rc -ne 0 ]; then
		echo "$name: failed; the nodes' logs are in $DIR/node*/pacer.log" >&2
	elif [ -n "$own_dir" ]; then
		rm -rf "$DIR"
	fi
	if [ $rc -eq 0 ]; then
		echo "$name: all checks passed in $(( ($(date +%s%N) - started) / 1000000 )) ms"
	fi
}

# talk_to NODE: the tools talk to NODE from now on (when the node they
# talked to is killed).
talk_to() { export PACER_SOCKET=$DIR/$1/pacer.sock; }

# where RSC: the nodes RSC (a primitive, group or clone) runs on, one line.
where() {
	crm resource locate "$1" 2>/dev/null | sed -n 's/.* is running on: //p' | tr '\n' ' ' | sed 's/ *$//'
}

# promoted MS: the node where the promotable clone MS is promoted.
promoted() {
	crm_resource -W -r "$1" 2>/dev/null | sed -n 's/.* is running on: \([^ ]*\) Promoted$/\1/p'
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND until it succeeds; fails
# the example with WHAT after SECONDS.
wait_for() {
	local secs=$1 what=$2
	shift 2
	local end=$(( $(date +%s) + secs ))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || fail "$what (waited ${secs}s)"
		sleep 0.2
	done
	echo "ok: $what"
}

# check WHAT COMMAND...: COMMAND must succeed now (what it printed is
# shown when it does not).
check() {
	local what=$1 out
	shift
	out=$("$@" 2>&1) || { [ -z "$out" ] || echo "$out" >&2; fail "$what"; }
	echo "ok: $what"
}

# alive NODE: NODE's daemon runs.
alive() { local pid; pid=$(cat "$DIR/$1/pacer.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; }
# nodes: the cluster's nodes.
nodes() { (cd "$DIR" && ls -d node*/ha.cf | sed 's|/ha.cf||' | sort -V); }
# runs_on RSC NODE: RSC runs on NODE (and nowhere else).
runs_on() { [ "$(where "$1")" = "$2" ]; }
# stopped RSC: RSC runs nowhere.
stopped() { [ -z "$(where "$1")" ]; }
# same_node A B: A and B run, each on one node, the same.
same_node() { local a; a=$(where "$1"); [ -n "$a" ] && [ "${a// /}" = "$a" ] && [ "$a" = "$(where "$2")" ]; }
# has_constraint ID: the configuration holds a constraint ID.
has_constraint() { crm configure show | grep -Eq "^(location|colocation|order) $1 "; }
