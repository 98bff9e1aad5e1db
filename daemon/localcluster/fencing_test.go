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
