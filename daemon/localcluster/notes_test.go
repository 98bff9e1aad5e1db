package localcluster_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClassicNotes runs the commands of administrators' old notes,
// verbatim, against a running cluster, and checks what each did.
func TestClassicNotes(t *testing.T) {
	c := up(t, 3)
	env := []string{"PACER_SOCKET=" + filepath.Join(c.dir, "node1", "pacer.sock")}
	sh := func(name string, args ...string) run {
		t.Helper()
		r := tool(t, env, name, args...)
		t.Logf("%s %s -> %d %s%s", name, strings.Join(args, " "), r.rc, r.out, r.err)
		return r
	}
	must := func(name string, args ...string) string {
		t.Helper()
		r := sh(name, args...)
		if r.rc != 0 {
			t.Fatalf("%s %v: rc %d: %s%s", name, args, r.rc, r.out, r.err)
		}
		return r.out
	}
	all := []string{"node1", "node2", "node3"}
	must("crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-v", "false")
	must("crm", "configure", "property", "no-quorum-policy=ignore")
	conf := c.must("node2", "configure", "show")
	if !strings.Contains(conf, "stonith-enabled=false") || !strings.Contains(conf, "no-quorum-policy=ignore") {
		t.Fatalf("properties not set:\n%s", conf)
	}
	c.must("node1", "configure", "primitive", "R", "ocf:pacer:Dummy", "op", "monitor", "interval=2s")
	var on string
	eventually(t, 15*time.Second, "R started", func() (bool, string) {
		ok, at := c.startedEverywhere("R", all...)
		on = at
		return ok, at
	})
	if out := must("crm_resource", "-W", "-r", "R"); out != "resource R is running on: "+on+"\n" {
		t.Errorf("-W: %q", out)
	}

	must("crm_resource", "-r", "R", "-p", "target_role", "-v", "stopped")
	eventually(t, 15*time.Second, "R stopped by target_role", func() (bool, string) {
		st, _ := c.where("node2", "R")
		return st == "Stopped", st
	})
	must("crm_resource", "-r", "R", "-p", "target_role", "-v", "started")
	eventually(t, 15*time.Second, "R started again", func() (bool, string) {
		ok, at := c.startedEverywhere("R", all...)
		on = at
		return ok, at
	})

	// -M without a node bans R from where it runs.
	from := on
	must("crm_resource", "-M", "-r", "R")
	eventually(t, 15*time.Second, "R moved off "+from, func() (bool, string) {
		ok, at := c.startedEverywhere("R", all...)
		on = at
		return ok && at != from, at
	})
	if conf := c.must("node3", "configure", "show"); !strings.Contains(conf, "cli-ban-R-on-"+from) {
		t.Errorf("no cli-ban constraint after -M:\n%s", conf)
	}
	must("crm_resource", "-U", "-r", "R")
	if conf := c.must("node3", "configure", "show"); strings.Contains(conf, "cli-ban-R") {
		t.Errorf("-U left the constraint:\n%s", conf)
	}
	// -M -H NODE moves it there.
	target := "node2"
	if on == "node2" {
		target = "node3"
	}
	must("crm_resource", "-M", "-r", "R", "-H", target)
	eventually(t, 15*time.Second, "R moved to "+target, func() (bool, string) {
		ok, at := c.startedEverywhere("R", all...)
		return ok && at == target, at
	})
	if conf := c.must("node3", "configure", "show"); !strings.Contains(conf, "cli-prefer-R") {
		t.Errorf("no cli-prefer constraint after -M -H:\n%s", conf)
	}
	must("crm_resource", "-U", "-r", "R")

	must("crm_resource", "-p", "is_managed", "-r", "R", "-t", "primitive", "-v", "off")
	eventually(t, 10*time.Second, "R unmanaged", func() (bool, string) {
		out := c.must("node2", "status")
		return strings.Contains(out, "(unmanaged)"), out
	})
	must("crm_resource", "-p", "is_managed", "-r", "R", "-t", "primitive", "-v", "on")
	eventually(t, 10*time.Second, "R managed again", func() (bool, string) {
		out := c.must("node2", "status")
		return !strings.Contains(out, "(unmanaged)"), out
	})

	if out := must("crm_resource", "-C", "-H", "node1", "-r", "R"); !strings.Contains(out, "Cleaned up R on node1") {
		t.Errorf("-C: %q", out)
	}
	must("crm_resource", "-P")
	must("crm_resource", "-P", "-H", "node1")
	eventually(t, 15*time.Second, "R still runs once after the reprobes", func() (bool, string) {
		return c.startedEverywhere("R", all...)
	})

	// crm resource migrate / unmigrate, as crmsh's notes have them.
	_, at := c.startedEverywhere("R", all...)
	dest := "node1"
	if at == "node1" {
		dest = "node3"
	}
	c.must("node1", "resource", "migrate", "R", dest)
	eventually(t, 15*time.Second, "R migrated to "+dest, func() (bool, string) {
		ok, now := c.startedEverywhere("R", all...)
		return ok && now == dest, now
	})
	c.must("node1", "resource", "unmigrate", "R")
	if conf := c.must("node2", "configure", "show"); strings.Contains(conf, "cli-prefer-R") {
		t.Errorf("unmigrate left the constraint:\n%s", conf)
	}

	must("crm_resource", "-D", "-r", "R", "-t", "primitive")
	eventually(t, 15*time.Second, "R deleted and stopped", func() (bool, string) {
		st, _ := c.where("node2", "R")
		return st == "absent", st
	})
}
