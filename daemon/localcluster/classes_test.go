package localcluster_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestScriptClasses: an LSB init script and a heartbeat-class script
// (written here) run as cluster resources: each starts, is monitored,
// fails when the test breaks it, and is recovered.
func TestScriptClasses(t *testing.T) {
	dir := t.TempDir()
	initDir, hbDir := filepath.Join(dir, "init.d"), filepath.Join(dir, "resource.d")
	os.MkdirAll(initDir, 0o755)
	os.MkdirAll(hbDir, 0o755)
	// Each node keeps its state under its own HA_RSCTMP.
	lsb := "#!/bin/sh\ns=$HA_RSCTMP/websvc.lsb\ncase \"$1\" in\nstart) touch $s ;;\nstop) rm -f $s ;;\nstatus) [ -f $s ] && exit 0; exit 3 ;;\n*) exit 3 ;;\nesac\n"
	hb := "#!/bin/sh\ns=$HA_RSCTMP/hb-$1\ncase \"$2\" in\nstart) touch $s ;;\nstop) rm -f $s ;;\nstatus) if [ -f $s ]; then echo running; else echo stopped; fi ;;\nesac\nexit 0\n"
	os.WriteFile(filepath.Join(initDir, "websvc"), []byte(lsb), 0o755)
	os.WriteFile(filepath.Join(hbDir, "hbsvc"), []byte(hb), 0o755)
	t.Setenv("PACER_INIT_DIR", initDir)
	t.Setenv("PACER_HEARTBEAT_DIR", hbDir)

	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "property", "stonith-enabled=false")
	c.must("node1", "configure", "primitive", "l1", "lsb:websvc", "op", "monitor", "interval=1s")
	c.must("node1", "configure", "primitive", "h1", "heartbeat:hbsvc", "params", "1=www", "op", "monitor", "interval=1s")
	for _, r := range []struct{ rsc, state string }{{"l1", "websvc.lsb"}, {"h1", "hb-www"}} {
		var on string
		eventually(t, 15*time.Second, r.rsc+" started", func() (bool, string) {
			ok, at := c.startedEverywhere(r.rsc, all...)
			on = at
			return ok, at
		})
		state := filepath.Join(c.dir, on, "run", r.state)
		if _, err := os.Stat(state); err != nil {
			t.Fatalf("%s runs on %s but its state is not there: %v", r.rsc, on, err)
		}
		os.Remove(state) // break it behind the cluster's back
		eventually(t, 15*time.Second, r.rsc+"'s failure seen and recovered", func() (bool, string) {
			out := c.must("node2", "status")
			_, err := os.Stat(state)
			ok, _ := c.startedEverywhere(r.rsc, all...)
			return err == nil && ok && strings.Contains(out, r.rsc), out
		})
	}
}

// TestPromotableStateful: a promotable clone of the shipped Stateful agent
// on a real cluster: the agents set their promotion scores through the
// daemon, one instance is promoted and the others run unpromoted; when
// the promoted node goes into standby, another is promoted.
func TestPromotableStateful(t *testing.T) {
	c := up(t, 3)
	c.must("node1", "configure", "property", "stonith-enabled=false")
	c.must("node1", "configure", "primitive", "st", "ocf:pacer:Stateful",
		"op", "monitor", "interval=2s", "role=Promoted", "op", "monitor", "interval=3s", "role=Unpromoted")
	c.must("node1", "configure", "clone", "ps", "st", "meta", "promotable=true")
	promoted := regexp.MustCompile(`Promoted: \[ (\S+) \]`)
	var first string
	eventually(t, 20*time.Second, "one instance promoted, two unpromoted", func() (bool, string) {
		out := c.must("node2", "status")
		m := promoted.FindStringSubmatch(out)
		if m == nil || !regexp.MustCompile(`Unpromoted: \[ \S+ \S+ \]`).MatchString(out) {
			return false, out
		}
		first = m[1]
		return true, out
	})
	if r := c.crm("node3", "node", "status-attr", first, "show", "master-st"); r.rc != 0 || !strings.Contains(r.out, "value=10") {
		t.Errorf("the promoted instance's score: %q %q", r.out, r.err)
	}
	c.must("node1", "node", "standby", first)
	eventually(t, 20*time.Second, "another node promoted after "+first+" went into standby", func() (bool, string) {
		out := c.must("node2", "status")
		m := promoted.FindStringSubmatch(out)
		return m != nil && m[1] != first, out
	})
}
