package fence

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/agents"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var o, e bytes.Buffer
	rc := Main(args, strings.NewReader(stdin), &o, &e)
	return rc, o.String(), e.String()
}

func TestLocalClusterOff(t *testing.T) {
	dir := t.TempDir()
	// The daemon stand-in starts a child in its own process group, as the
	// executor starts agents: both must go.
	nd := filepath.Join(dir, "node2")
	os.MkdirAll(nd, 0o755)
	os.WriteFile(filepath.Join(nd, "ha.cf"), []byte("node node2\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "node1"), 0o755)
	os.WriteFile(filepath.Join(dir, "node1", "ha.cf"), []byte("node node1\n"), 0o644)
	childPID := filepath.Join(nd, "child.pid")
	cmd := exec.Command("sh", "-c", `perl -e 'setpgrp(0, 0); sleep 300' & echo $! > "$0"; wait`, childPID)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	os.WriteFile(filepath.Join(nd, "pacer.pid"), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	var child int
	for range 100 {
		b, _ := os.ReadFile(childPID)
		if child, _ = strconv.Atoi(strings.TrimSpace(string(b))); child > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if child == 0 {
		t.Fatal("the stand-in agent did not start")
	}
	// The child calls setpgrp a moment after the shell wrote its pid.
	for i := 0; ; i++ {
		f := procStat(child)
		if len(f) >= 4 && f[2] != strconv.Itoa(cmd.Process.Pid) {
			break
		}
		if i > 200 {
			t.Fatalf("the agent should have a process group of its own: %v", f)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { syscall.Kill(child, syscall.SIGKILL) })

	in := func(action, plug string) string {
		return fmt.Sprintf("action=%s\nport=%s\ncluster_dir=%s\n", action, plug, dir)
	}
	if rc, out, _ := run(t, in("status", "node2")); rc != exitOK || !strings.Contains(out, "ON") {
		t.Errorf("status of a running node: %d %q", rc, out)
	}
	if rc, out, _ := run(t, in("list", "")); rc != 0 || out != "node1,\nnode2,\n" {
		t.Errorf("list: %d %q", rc, out)
	}
	if rc, _, errs := run(t, in("reboot", "node2")); rc != exitOK {
		t.Fatalf("reboot: %d %s", rc, errs)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the daemon survived fencing")
	}
	for i := 0; alive(child); i++ {
		if i > 100 {
			t.Fatal("the daemon's agent survived fencing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rc, out, _ := run(t, in("status", "node2")); rc != exitOff || !strings.Contains(out, "OFF") {
		t.Errorf("status of a fenced node: %d %q", rc, out)
	}
	// Fencing a node that is already off succeeds; an unknown one fails.
	if rc, _, errs := run(t, in("off", "node2")); rc != exitOK {
		t.Errorf("off again: %d %s", rc, errs)
	}
	if rc, _, errs := run(t, in("off", "node9")); rc != exitError || !strings.Contains(errs, "no node node9") {
		t.Errorf("unknown node: %d %q", rc, errs)
	}
}

func TestArgumentsAndErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		stdin string
		args  []string
		rc    int
		want  string
	}{
		{"", []string{"-o", "metadata"}, 0, `<resource-agent name="fence_pacer"`},
		{"action=monitor\n", nil, 1, "set cluster_dir"},
		{"action=monitor\ncluster_dir=/nonexistent\n", nil, 1, "not a directory"},
		{"", []string{"--action=monitor", "--cluster-dir=" + dir}, 0, ""},
		{"action=off\ncluster_dir=" + dir + "\n", nil, 1, "no node named"},
		{"action=off\nport=../x\ncluster_dir=" + dir + "\n", nil, 1, "not valid"},
		{"garbage\n", nil, 1, "not key=value"},
		{"action=on\nport=n1\ncluster_dir=" + dir + "\n", nil, 1, "cannot power a node on"},
		{"action=dance\nport=n1\ncluster_dir=" + dir + "\n", nil, 1, "unknown action"},
	} {
		rc, out, errs := run(t, c.stdin, c.args...)
		if rc != c.rc || !strings.Contains(out+errs, c.want) {
			t.Errorf("%q %v: rc %d, %q %q", c.stdin, c.args, rc, out, errs)
		}
	}
	md, err := agents.ParseMetaData([]byte(metadata))
	if err != nil || len(md.Parameters) != 5 {
		t.Errorf("meta-data: %v %+v", err, md)
	}
}

// TestNamespaceOff powers off a node that lives in a network namespace:
// its links go down and its processes die.
func TestNamespaceOff(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	prefix := fmt.Sprintf("pft%d-", os.Getpid())
	ns := prefix + "node1"
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	host := fmt.Sprintf("pft%d", os.Getpid()%100000)
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run() })
	for _, args := range [][]string{{"link", "add", host, "type", "veth", "peer", "name", "d0", "netns", ns}, {"-n", ns, "link", "set", "d0", "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v %s", args, err, out)
		}
	}
	cmd := exec.Command("ip", "netns", "exec", ns, "sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	in := "action=off\nplug=node1\nnetns_prefix=" + prefix + "\n"
	for i := 0; ; i++ {
		if rc, _, _ := run(t, strings.Replace(in, "off", "status", 1)); rc == exitOK {
			break
		}
		if i > 100 {
			t.Fatal("status never saw the node's process")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if rc, out, _ := run(t, "action=list\nnetns_prefix="+prefix+"\n"); rc != 0 || out != "node1,\n" {
		t.Errorf("list: %d %q", rc, out)
	}
	if rc, _, errs := run(t, in); rc != exitOK {
		t.Fatalf("off: %d %s", rc, errs)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the node's process survived")
	}
	out, _ := exec.Command("ip", "-n", ns, "-o", "link", "show", "d0").Output()
	if strings.Contains(string(out), ",UP") || strings.Contains(string(out), "<UP") {
		t.Errorf("link still up: %s", out)
	}
	if rc, _, _ := run(t, strings.Replace(in, "off", "status", 1)); rc != exitOff {
		t.Errorf("status after off: %d", rc)
	}
}
