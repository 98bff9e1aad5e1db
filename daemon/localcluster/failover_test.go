package localcluster_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests run the real binary: daemons on 127.0.0.x talking UDP, the
// shipped OCF Dummy agent, and the crm tools through the nodes' sockets.

var bin string // built once by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pacer-bin-")
	if err != nil {
		panic(err)
	}
	// The binary must live in <repo>/bin so that it finds <repo>/agents/ocf;
	// build into a private directory beside it and point at the agents.
	bin = filepath.Join(dir, "pacer")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/pacer").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	for _, t := range []string{"crm", "crm_mon", "cibadmin", "stonith_admin", "crm_resource", "crm_attribute"} {
		os.Symlink("pacer", filepath.Join(dir, t))
	}
	agentsDir, _ := filepath.Abs("../../agents/ocf")
	os.Setenv("PACER_OCF_ROOTS", agentsDir+":/usr/lib/ocf")
	os.Unsetenv("CIB_file")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type run struct {
	out, err string
	rc       int
}

func tool(t *testing.T, env []string, name string, args ...string) run {
	t.Helper()
	cmd := exec.Command(filepath.Join(filepath.Dir(bin), name), args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return run{o.String(), e.String(), rc}
}

type cluster struct {
	t   *testing.T
	dir string
}

func (c cluster) crm(node string, args ...string) run {
	c.t.Helper()
	return tool(c.t, []string{"PACER_SOCKET=" + filepath.Join(c.dir, node, "pacer.sock")}, "crm", args...)
}

func (c cluster) must(node string, args ...string) string {
	c.t.Helper()
	r := c.crm(node, args...)
	if r.rc != 0 {
		c.t.Fatalf("crm %v on %s: rc %d: %s%s", args, node, r.rc, r.out, r.err)
	}
	return r.out
}

func (c cluster) pacer(args ...string) run {
	c.t.Helper()
	return tool(c.t, nil, "pacer", args...)
}

var rscLine = regexp.MustCompile(`\* (\S+)\s+\(([^)]*)\):\s+(\S+)(?: (\S+))?`)

// where returns the state and node of a resource in `crm status` on node.
func (c cluster) where(node, rsc string) (state, on string) {
	r := c.crm(node, "status")
	for _, m := range rscLine.FindAllStringSubmatch(r.out, -1) {
		if m[1] == rsc {
			return m[3], m[4]
		}
	}
	return "absent", ""
}

// eventually polls cond until it holds or the time is up.
func eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < limit {
		ok, state := cond()
		if ok {
			return time.Since(start)
		}
		last = state
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v; last seen: %s", what, limit, last)
	return 0
}

// startedEverywhere: every listed node shows rsc Started on one same node.
func (c cluster) startedEverywhere(rsc string, nodes ...string) (bool, string) {
	var seen []string
	on := ""
	for _, n := range nodes {
		st, at := c.where(n, rsc)
		seen = append(seen, fmt.Sprintf("%s says %s %s", n, st, at))
		if st != "Started" || (on != "" && at != on) {
			return false, strings.Join(seen, "; ")
		}
		on = at
	}
	return true, on
}

func up(t *testing.T, n int) cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real daemons")
	}
	c := cluster{t: t, dir: t.TempDir()}
	r := c.pacer("local", "up", "--nodes", fmt.Sprint(n), "--dir", c.dir)
	if r.rc != 0 {
		t.Fatalf("local up: %s%s", r.out, r.err)
	}
	t.Cleanup(func() {
		c.pacer("local", "down", "--dir", c.dir)
		if t.Failed() {
			for i := 1; i <= n; i++ {
				b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("node%d", i), "pacer.log"))
				t.Logf("--- node%d log (tail):\n%s", i, tail(string(b), 40))
			}
		}
	})
	return c
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestFailover(t *testing.T) {
	c := up(t, 3)
	all := []string{"node1", "node2", "node3"}

	// With stonith-enabled left at true and no fencing device, nothing
	// starts, and status says why.
	c.must("node1", "-F", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "monitor", "interval=2s")
	time.Sleep(3 * time.Second)
	for _, n := range all {
		st, _ := c.where(n, "d1")
		if st != "Stopped" {
			t.Fatalf("with STONITH enabled and no device, %s shows d1 %s", n, st)
		}
	}
	if out := c.must("node2", "status"); !strings.Contains(out, "Resource start-up disabled since no STONITH resources have been defined") {
		t.Fatalf("status does not say why nothing runs:\n%s", out)
	}

	// Any commit is refused while resources exist without fencing, as
	// crmsh's commit checks refuse it.
	if r := c.crm("node1", "configure", "rsc_defaults", "resource-stickiness=100"); r.rc == 0 || !strings.Contains(r.err, "stonith-enabled=false") {
		t.Fatalf("commit without fencing: rc %d, %q", r.rc, r.err)
	}
	c.must("node1", "configure", "property", "stonith-enabled=false")
	c.must("node1", "configure", "rsc_defaults", "resource-stickiness=100")
	var first string
	took := eventually(t, 10*time.Second, "d1 started on one node, seen by all", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		first = on
		return ok, on
	})
	t.Logf("d1 started on %s after %v", first, took.Round(time.Millisecond))

	// A change through node2 reaches node3 within 2 s.
	c.must("node2", "configure", "property", "cluster-name=pacer-e2e")
	eventually(t, 2*time.Second, "node2's change visible on node3", func() (bool, string) {
		out := c.crm("node3", "configure", "show").out
		return strings.Contains(out, "cluster-name=pacer-e2e"), out
	})

	// Bad input: one clear line, non-zero, nothing changed.
	before := c.must("node1", "configure", "show")
	for _, bad := range [][]string{
		{"configure", "primitive", "d9", "ocf:pacer:NoSuchAgent"},
		{"configure", "delete", "nosuchresource"},
		{"configure", "primitive", "d9", "ocf:pacer:Dummy", "op", "monitor", "interval"},
		{"configure", "primitive"},
	} {
		r := c.crm("node1", bad...)
		if r.rc == 0 || strings.Count(strings.TrimSpace(r.err), "\n") != 0 || !strings.Contains(r.err, "ERROR") {
			t.Errorf("crm %v: rc %d, stderr %q: want one ERROR line and a non-zero exit", bad, r.rc, r.err)
		}
	}
	if after := c.must("node1", "configure", "show"); after != before {
		t.Errorf("bad input changed the configuration:\n%s\n---\n%s", before, after)
	}

	// Break d1 behind the cluster's back: its monitor fails and it is
	// recovered in place (the fail count is below migration-threshold).
	state := filepath.Join(c.dir, first, "run", "Dummy-d1.state")
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("d1's state file on %s: %v", first, err)
	}
	os.Remove(state)
	eventually(t, 10*time.Second, "the failed monitor is seen and d1 recovered", func() (bool, string) {
		out := c.must("node2", "status")
		_, err := os.Stat(state)
		return err == nil && strings.Contains(out, "Failed Resource Actions:") && strings.Contains(out, "d1 2s-interval monitor on "+first+" returned 'not running'"), out
	})
	eventually(t, 5*time.Second, "d1 Started again on "+first+", seen by all", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", all...)
		return ok && on == first, on
	})

	// Kill the node that runs d1: it moves, and the dead node is OFFLINE.
	if r := c.pacer("local", "kill", "--dir", c.dir, first); r.rc != 0 {
		t.Fatalf("kill: %s", r.err)
	}
	var survivors []string
	for _, n := range all {
		if n != first {
			survivors = append(survivors, n)
		}
	}
	var second string
	took = eventually(t, 2*time.Second+10*time.Second, "d1 recovered on a survivor", func() (bool, string) {
		ok, on := c.startedEverywhere("d1", survivors...)
		second = on
		return ok && on != first, on
	})
	t.Logf("failover: d1 %s -> %s in %v after SIGKILL", first, second, took.Round(time.Millisecond))
	if out := c.must(survivors[0], "status"); !regexp.MustCompile(`OFFLINE: \[[^]]*\b` + first + `\b`).MatchString(out) {
		t.Errorf("status does not show %s OFFLINE:\n%s", first, out)
	}

	// Bring it back: with stickiness, d1 stays where it is.
	if r := c.pacer("local", "start", "--dir", c.dir, first); r.rc != 0 {
		t.Fatalf("start: %s%s", r.out, r.err)
	}
	eventually(t, 10*time.Second, "the node is back online", func() (bool, string) {
		out := c.must(first, "status")
		return regexp.MustCompile(`Online: \[[^]]*\b` + first + `\b`).MatchString(out), out
	})
	time.Sleep(3 * time.Second)
	for _, n := range all {
		if st, at := c.where(n, "d1"); st != "Started" || at != second {
			t.Errorf("after %s came back, %s shows d1 %s %s; want Started %s", first, n, st, at, second)
		}
	}
}

func TestDaemonRefusesOpenAuthkeys(t *testing.T) {
	c := cluster{t: t, dir: t.TempDir()}
	dir := filepath.Join(c.dir, "n")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "ha.cf"), []byte("node n\n"), 0o644)
	r := c.pacer("daemon", "--config", filepath.Join(dir, "ha.cf"), "--node", "n", "--check")
	if r.rc == 0 || !strings.Contains(r.err, "authkeys") {
		t.Fatalf("missing authkeys: rc %d, %q", r.rc, r.err)
	}
	os.WriteFile(filepath.Join(dir, "authkeys"), []byte("auth 1\n1 sha1 k\n"), 0o644)
	os.Chmod(filepath.Join(dir, "authkeys"), 0o644)
	r = c.pacer("daemon", "--config", filepath.Join(dir, "ha.cf"), "--node", "n", "--check")
	if r.rc == 0 || !strings.Contains(r.err, "chmod 600") || strings.Count(strings.TrimSpace(r.err), "\n") != 0 {
		t.Fatalf("open authkeys: rc %d, %q", r.rc, r.err)
	}
	os.Chmod(filepath.Join(dir, "authkeys"), 0o600)
	if r = c.pacer("daemon", "--config", filepath.Join(dir, "ha.cf"), "--node", "n", "--check", "--state-dir", filepath.Join(dir, "state")); r.rc != 0 {
		t.Fatalf("good files refused: %q", r.err)
	}
}
