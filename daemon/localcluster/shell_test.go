package localcluster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestResourceAndNodeLevels runs the resource and node levels' commands
// against a real 3-node cluster and checks that the cluster does what
// crmsh's would make it do: move places the resource where asked and
// leaves a cli-prefer constraint, clear removes it, standby empties a
// node, restart stops and starts again, locate says where it runs.
func TestResourceAndNodeLevels(t *testing.T) {
	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "property", "stonith-enabled=false")
	c.must("node1", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "monitor", "interval=2s")
	var first string
	eventually(t, 10*time.Second, "d1 started", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		first = on
		return ok, on
	})
	target := "node2"
	if first == target {
		target = "node3"
	}

	r := c.crm("node1", "resource", "move", "d1", target)
	if r.rc != 0 || !strings.Contains(r.err, "crm resource clear d1") {
		t.Fatalf("move: rc %d, %q: it must say how to remove the constraint", r.rc, r.err)
	}
	eventually(t, 10*time.Second, "d1 moved to "+target, func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		return ok && on == target, on
	})
	if show := c.must("node2", "configure", "show"); !strings.Contains(show, "location cli-prefer-d1 d1 role=Started inf: "+target) {
		t.Fatalf("no cli-prefer constraint after move:\n%s", show)
	}
	if loc := c.must("node3", "resource", "locate", "d1"); !strings.Contains(loc, "resource d1 is running on: "+target) {
		t.Errorf("locate: %q", loc)
	}

	c.must("node1", "resource", "clear", "d1")
	if show := c.must("node1", "configure", "show"); strings.Contains(show, "cli-prefer-d1") {
		t.Fatalf("clear left the constraint:\n%s", show)
	}

	// Standby empties the node; online lets it run resources again.
	c.must("node1", "node", "standby", target)
	eventually(t, 10*time.Second, "d1 leaves "+target, func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		return ok && on != target, on
	})
	if nodes := c.must("node2", "node", "list"); !strings.Contains(nodes, target) || !strings.Contains(nodes, "on") {
		t.Errorf("node list does not show %s in standby:\n%s", target, nodes)
	}
	c.must("node1", "node", "online", target)

	// Restart: stopped, then started again.
	c.must("node1", "resource", "restart", "d1")
	eventually(t, 10*time.Second, "d1 started after restart", func() (bool, string) {
		return c.startedEverywhere("d1", all...)
	})
	if show := c.must("node1", "configure", "show"); !strings.Contains(show, "target-role=Started") {
		t.Errorf("after restart d1 is not left Started:\n%s", show)
	}

	// A member of the cluster cannot be deleted.
	if r := c.crm("node1", "node", "delete", "node3"); r.rc == 0 || !strings.Contains(r.err, "member of the cluster") {
		t.Errorf("node delete of a member: rc %d %q", r.rc, r.err)
	}

	// A transient attribute set through one node is seen through another.
	c.must("node1", "node", "status-attr", "node2", "set", "pingd", "100")
	eventually(t, 10*time.Second, "node2's pingd seen from node3", func() (bool, string) {
		r := c.crm("node3", "node", "status-attr", "node2", "show", "pingd")
		return r.rc == 0 && strings.Contains(r.out, "value=100"), r.out + r.err
	})
}

// TestWait: crm -w returns once the cluster has done what it was asked.
func TestWait(t *testing.T) {
	c := up(t, 3)
	c.must("node1", "configure", "property", "stonith-enabled=false")
	start := time.Now()
	c.must("node1", "-w", "configure", "primitive", "w1", "ocf:pacer:Dummy", "op", "monitor", "interval=2s")
	t.Logf("-w returned after %v", time.Since(start).Round(time.Millisecond))
	if ok, on := c.startedEverywhere("w1", "node1", "node2", "node3"); !ok {
		t.Fatalf("crm -w returned before w1 was started everywhere: %s", on)
	}
}

// TestCleanup: a failure shows in the status until crm resource cleanup
// makes the cluster forget it.
func TestCleanup(t *testing.T) {
	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "property", "stonith-enabled=false")
	c.must("node1", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "monitor", "interval=1s")
	var on string
	eventually(t, 10*time.Second, "d1 started", func() (bool, string) {
		ok, at := c.startedEverywhere("d1", all...)
		on = at
		return ok, at
	})
	os.Remove(filepath.Join(c.dir, on, "run", "Dummy-d1.state")) // behind the cluster's back
	eventually(t, 10*time.Second, "the failure shown", func() (bool, string) {
		out := c.must("node2", "status")
		return strings.Contains(out, "Failed Resource Actions:"), out
	})
	if out := c.must("node1", "resource", "cleanup", "d1"); !strings.Contains(out, "Cleaned up d1") {
		t.Errorf("cleanup says: %q", out)
	}
	eventually(t, 10*time.Second, "the failure forgotten, d1 running", func() (bool, string) {
		out := c.must("node3", "status")
		ok, _ := c.startedEverywhere("d1", all...)
		return ok && !strings.Contains(out, "Failed Resource Actions:"), out
	})
}
