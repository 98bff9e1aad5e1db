#!/usr/bin/env bash
# Failover benchmark: three hosts in network namespaces (root needed),
# a VIP (Debian's ocf:heartbeat:IPaddr2) and a TCP service in a group.
# RUNS times, the host holding the VIP is powered off (its link goes down,
# every process on it is killed at once) and the time until the service
# answers on the VIP from another host is measured; prints min / median /
# max.
#
#   bench/failover.sh [RUNS]        default: 10
#
# Pacer runs with keepalive 200ms / deadtime 1s and fence_pacer as the
# fence device. When Corosync and Pacemaker are installed, the same
# measurement follows with them on the same hosts (token 1000 ms, or
# PACER_FAILOVER_TOKEN; no fencing, the failed host being really off).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
filter() { grep -E '^(pacer|corosync\+pacemaker) failover|run [0-9]+:|^(FAIL|ok|---)'; }
PACER_FAILOVER_RUNS=$runs go test -count=1 -timeout 20m -run '^TestFailoverTimes$' -v ./daemon/netcluster/ | filter
if [ -x /usr/sbin/corosync ] && [ -x /usr/sbin/pacemakerd ]; then
	PACER_FAILOVER_RUNS=$runs PACER_FAILOVER_PACEMAKER=1 go test -count=1 -timeout 30m -run '^TestFailoverTimesPacemaker$' -v ./daemon/netcluster/ | filter
else
	echo "Corosync/Pacemaker not installed: no comparison (apt-get install corosync pacemaker)"
fi
