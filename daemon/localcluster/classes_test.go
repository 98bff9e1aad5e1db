package localcluster_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestEveryClassRecovers: a resource of each agent class (OCF, LSB,
// service, heartbeat, stonith; the scripts written here, the OCF agent
// Debian's when installed) starts, is monitored, fails when the test
// breaks it behind the cluster's back, and is recovered.
func TestEveryClassRecovers(t *testing.T) {
	dir := t.TempDir()
	initDir, hbDir, fenceDir := filepath.Join(dir, "init.d"), filepath.Join(dir, "resource.d"), filepath.Join(dir, "sbin")
	for _, d := range []string{initDir, hbDir, fenceDir} {
		os.MkdirAll(d, 0o755)
	}
	// Each node keeps its state under its own HA_RSCTMP.
	lsb := "#!/bin/sh\ns=$HA_RSCTMP/$(basename $0).lsb\ncase \"$1\" in\nstart) touch $s ;;\nstop) rm -f $s ;;\nstatus) [ -f $s ] && exit 0; exit 3 ;;\n*) exit 3 ;;\nesac\n"
	hb := "#!/bin/sh\ns=$HA_RSCTMP/hb-$1\ncase \"$2\" in\nstart) touch $s ;;\nstop) rm -f $s ;;\nstatus) if [ -f $s ]; then echo running; else echo stopped; fi ;;\nesac\nexit 0\n"
	// A fence device whose monitor fails once after the test breaks it.
	fence := "#!/bin/sh\nwhile read -r line; do case $line in action=*) action=${line#action=} ;; esac; done\n" +
		"case $action in\nmonitor|status) if [ -f $HA_RSCTMP/fence.broken ]; then rm -f $HA_RSCTMP/fence.broken; exit 1; fi; exit 0 ;;\n" +
		"metadata) echo '<resource-agent name=\"fence_test\"><parameters/><actions><action name=\"monitor\"/></actions></resource-agent>' ;;\n" +
		"*) exit 0 ;;\nesac\n"
	os.WriteFile(filepath.Join(initDir, "websvc"), []byte(lsb), 0o755)
	os.WriteFile(filepath.Join(initDir, "mailsvc"), []byte(lsb), 0o755)
	os.WriteFile(filepath.Join(hbDir, "hbsvc"), []byte(hb), 0o755)
	os.WriteFile(filepath.Join(fenceDir, "fence_test"), []byte(fence), 0o755)
	t.Setenv("PACER_INIT_DIR", initDir)
	t.Setenv("PACER_HEARTBEAT_DIR", hbDir)
	t.Setenv("PACER_FENCE_DIR", fenceDir)
	ocf, ocfState := "ocf:pacer:Dummy", "Dummy-o1.state"
	if _, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/Dummy"); err == nil {
		ocf = "ocf:heartbeat:Dummy" // Debian's resource-agents
	}

	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}
	c.must("node1", "configure", "property", "stonith-enabled=false")
	for _, r := range []struct {
		id, agent, state string
		params           []string
		breakIt          func(path string) error // given the state path on the node running it
	}{
		{"o1", ocf, ocfState, nil, os.Remove},
		{"l1", "lsb:websvc", "websvc.lsb", nil, os.Remove},
		{"s1", "service:mailsvc", "mailsvc.lsb", nil, os.Remove},
		{"h1", "heartbeat:hbsvc", "hb-www", []string{"params", "1=www"}, os.Remove},
		{"f1", "stonith:fence_test", "fence.broken", nil, func(p string) error { return os.WriteFile(p, nil, 0o644) }},
	} {
		args := append([]string{"configure", "primitive", r.id, r.agent}, r.params...)
		c.must("node1", append(args, "op", "monitor", "interval=1s")...)
		var on string
		eventually(t, 15*time.Second, r.id+" ("+r.agent+") started", func() (bool, string) {
			ok, at := c.startedEverywhere(r.id, all...)
			on = at
			return ok, at
		})
		state := filepath.Join(c.dir, on, "run", r.state)
		if r.id != "f1" {
			if _, err := os.Stat(state); err != nil {
				t.Fatalf("%s runs on %s but its state is not there: %v", r.id, on, err)
			}
		}
		if err := r.breakIt(state); err != nil {
			t.Fatal(err)
		}
		eventually(t, 15*time.Second, r.id+"'s failure seen and recovered", func() (bool, string) {
			out := c.must("node2", "status")
			failed := regexp.MustCompile(`\* ` + r.id + ` 1000ms-interval monitor on \S+ `).MatchString(out)
			ok, _ := c.startedEverywhere(r.id, all...)
			return failed && ok, out
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
