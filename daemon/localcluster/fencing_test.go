package localcluster_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFencingBeforeRecovery freezes the node that runs a resource (its
// daemon is SIGSTOPped: silent, but not dead). With stonith-enabled, the
// survivors must fence it with the shipped fence_pacer agent, which kills
// its daemon, before the resource starts on one of them.
func TestFencingBeforeRecovery(t *testing.T) {
	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "primitive", "st", "stonith:fence_pacer",
		"params", "cluster_dir="+c.dir, "pcmk_host_list=node1 node2 node3", "op", "monitor", "interval=5s")
	c.must("node1", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "monitor", "interval=1s")
	var first string
	eventually(t, 15*time.Second, "d1 started, seen by all", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		first = on
		return ok, on
	})
	b, err := os.ReadFile(filepath.Join(c.dir, first, "pacer.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	var survivors []string
	for _, n := range all {
		if n != first {
			survivors = append(survivors, n)
		}
	}
	frozen := time.Now()
	var second string
	eventually(t, 20*time.Second, "d1 recovered on a survivor", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", survivors...)
		if ok && on != first {
			// Recovery may be seen only once the frozen node is gone.
			if daemonAlive(pid) {
				t.Fatalf("d1 started on %s while %s's daemon (pid %d) was still there: not fenced first", on, first, pid)
			}
			second = on
			return true, on
		}
		return false, on
	})
	t.Logf("%s frozen; fenced and d1 recovered on %s in %v", first, second, time.Since(frozen).Round(time.Millisecond))
	out := c.must(survivors[0], "status")
	if !regexp.MustCompile(`OFFLINE: \[[^]]*\b` + first + `\b`).MatchString(out) {
		t.Errorf("status does not show %s OFFLINE:\n%s", first, out)
	}
	var logs string
	for _, n := range survivors {
		b, _ := os.ReadFile(filepath.Join(c.dir, n, "pacer.log"))
		logs += string(b)
	}
	if !strings.Contains(logs, `msg="node fenced"`) || !strings.Contains(logs, `target=`+first+` device=st`) {
		t.Errorf("no survivor logged the fencing of %s:\n%s", first, tail(logs, 30))
	}
}

// daemonAlive: the process exists and is not a zombie.
func daemonAlive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

// TestManualFencing: stonith_admin lists the devices and fences a node,
// waiting for the outcome, which every node's history shows; crm node
// fence asks the cluster to fence another.
func TestManualFencing(t *testing.T) {
	c := up(t, 3)
	c.must("node1", "configure", "primitive", "st", "stonith:fence_pacer",
		"params", "cluster_dir="+c.dir, "pcmk_host_list=node1 node2 node3")
	admin := func(node string, args ...string) run {
		return tool(t, []string{"PACER_SOCKET=" + filepath.Join(c.dir, node, "pacer.sock")}, "stonith_admin", args...)
	}
	if r := admin("node2", "-L"); r.rc != 0 || r.out != " st\n1 fence device found\n" {
		t.Errorf("-L: %d %q %q", r.rc, r.out, r.err)
	}
	if r := admin("node2", "--list", "node3"); r.rc != 0 || !strings.Contains(r.out, " st\n") {
		t.Errorf("--list node3: %d %q %q", r.rc, r.out, r.err)
	}
	pid := func(node string) int {
		b, _ := os.ReadFile(filepath.Join(c.dir, node, "pacer.pid"))
		p, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return p
	}
	node3 := pid("node3")
	r := admin("node2", "-B", "node3", "-t", "30")
	if r.rc != 0 || !strings.Contains(r.out, "Node node3 fenced (reboot by node1 through st)") {
		t.Fatalf("-B node3: %d %q %q", r.rc, r.out, r.err)
	}
	if daemonAlive(node3) {
		t.Error("node3's daemon survived its fencing")
	}
	for _, n := range []string{"node1", "node2"} {
		if r := admin(n, "--history", "node3"); r.rc != 0 || !strings.Contains(r.out, "reboot of node3 successful: delegate=node1, device=st") {
			t.Errorf("history on %s: %q %q", n, r.out, r.err)
		}
	}
	// A node that is not configured is refused at once.
	if r := admin("node2", "-B", "node9"); r.rc == 0 || !strings.Contains(r.err, `no such node "node9"`) {
		t.Errorf("-B node9: %d %q", r.rc, r.err)
	}
	node2 := pid("node2")
	c.must("node1", "-F", "node", "fence", "node2")
	eventually(t, 15*time.Second, "node2 fenced by crm node fence", func() (bool, string) {
		return !daemonAlive(node2), ""
	})
}

// TestNoQuorumSuicide: with no-quorum-policy=suicide, a node left without
// quorum fences itself.
func TestNoQuorumSuicide(t *testing.T) {
	c := up(t, 3)
	c.must("node1", "configure", "primitive", "st", "stonith:fence_pacer",
		"params", "cluster_dir="+c.dir, "pcmk_host_list=node1 node2 node3")
	c.must("node1", "configure", "property", "no-quorum-policy=suicide")
	eventually(t, 10*time.Second, "every node has the policy", func() (bool, string) {
		out := c.must("node3", "configure", "show")
		return strings.Contains(out, "no-quorum-policy=suicide"), out
	})
	b, _ := os.ReadFile(filepath.Join(c.dir, "node3", "pacer.pid"))
	last, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for _, n := range []string{"node1", "node2"} {
		if r := c.pacer("local", "kill", "--dir", c.dir, n); r.rc != 0 {
			t.Fatalf("kill %s: %s", n, r.err)
		}
	}
	eventually(t, 20*time.Second, "node3, alone without quorum, fenced itself", func() (bool, string) {
		return !daemonAlive(last), ""
	})
	log, _ := os.ReadFile(filepath.Join(c.dir, "node3", "pacer.log"))
	if !regexp.MustCompile(`msg=fencing node=node3 target=node3 .*no-quorum|msg=fencing node=node3 target=node3`).Match(log) {
		t.Errorf("node3 did not fence itself:\n%s", tail(string(log), 15))
	}
}

// TestFenceFailureRetried: a fence device that fails twice: the failure
// is reported and retried, the lost node's resource stays stopped
// meanwhile, and is recovered once fencing succeeds.
func TestFenceFailureRetried(t *testing.T) {
	dir := t.TempDir()
	fenceDir := filepath.Join(dir, "sbin")
	os.MkdirAll(fenceDir, 0o755)
	count := filepath.Join(dir, "attempts")
	// Fails its first two fencing attempts, then fences through
	// fence_pacer.
	script := "#!/bin/sh\nin=$(cat)\ncase \"$in\" in\n*action=reboot*|*action=off*)\n" +
		"  n=$(cat " + count + " 2>/dev/null || echo 0); echo $((n+1)) > " + count + "\n" +
		"  [ \"$n\" -lt 2 ] && { echo 'device unreachable' >&2; exit 1; } ;;\nesac\n" +
		"printf '%s\\n' \"$in\" | exec " + bin + " fence_pacer\n"
	os.WriteFile(filepath.Join(fenceDir, "fence_flaky"), []byte(script), 0o755)
	t.Setenv("PACER_FENCE_DIR", fenceDir)
	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "primitive", "st", "stonith:fence_flaky",
		"params", "cluster_dir="+c.dir, "pcmk_host_list=node1 node2 node3")
	c.must("node1", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "monitor", "interval=1s")
	var first string
	eventually(t, 15*time.Second, "d1 started", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		first = on
		return ok, on
	})
	b, _ := os.ReadFile(filepath.Join(c.dir, first, "pacer.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	syscall.Kill(pid, syscall.SIGSTOP)
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	var survivors []string
	for _, n := range all {
		if n != first {
			survivors = append(survivors, n)
		}
	}
	eventually(t, 40*time.Second, "d1 recovered once fencing worked", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", survivors...)
		if ok && on != first {
			n, _ := os.ReadFile(count)
			if strings.TrimSpace(string(n)) != "3" {
				t.Fatalf("d1 started on %s after %s fencing attempts, want 3 (two failures, one success)", on, strings.TrimSpace(string(n)))
			}
			return true, on
		}
		return false, on
	})
	if daemonAlive(pid) {
		t.Error("the lost node's daemon survived")
	}
	var logs string
	for _, n := range survivors {
		b, _ := os.ReadFile(filepath.Join(c.dir, n, "pacer.log"))
		logs += string(b)
	}
	if !strings.Contains(logs, "fencing failed") || !strings.Contains(logs, "device unreachable") {
		t.Errorf("the failures were not reported:\n%s", tail(logs, 30))
	}
}
