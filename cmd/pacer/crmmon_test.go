package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/daemon"
	"github.com/pacer-ha/pacer/monitor"
)

func TestCrmMonOptions(t *testing.T) {
	for _, c := range []struct {
		args []string
		want crmMonOptions
	}{
		{[]string{"-1rfA"}, crmMonOptions{once: true, inactive: true, fails: true, attrs: true, format: monitor.FormatText, interval: 5 * time.Second}},
		{[]string{"-1", "-r", "-f", "-A"}, crmMonOptions{once: true, inactive: true, fails: true, attrs: true, format: monitor.FormatText, interval: 5 * time.Second}},
		{[]string{"--one-shot", "--inactive", "--failcounts", "--show-node-attributes"}, crmMonOptions{once: true, inactive: true, fails: true, attrs: true, format: monitor.FormatText, interval: 5 * time.Second}},
		{[]string{"--output-as", "xml"}, crmMonOptions{format: monitor.FormatXML, interval: 5 * time.Second}},
		{[]string{"--output-as=xml", "-1"}, crmMonOptions{once: true, format: monitor.FormatXML, interval: 5 * time.Second}},
		{[]string{"--output-as=text"}, crmMonOptions{format: monitor.FormatText, interval: 5 * time.Second}},
		{[]string{"-X"}, crmMonOptions{once: true, format: monitor.FormatLegacyXML, interval: 5 * time.Second}},
		{[]string{"--as-xml", "--inactive"}, crmMonOptions{once: true, inactive: true, format: monitor.FormatLegacyXML, interval: 5 * time.Second}},
		{[]string{"-i", "10"}, crmMonOptions{format: monitor.FormatText, interval: 10 * time.Second}},
		{[]string{"-ri2s"}, crmMonOptions{inactive: true, format: monitor.FormatText, interval: 2 * time.Second}},
		{[]string{"--interval=500ms"}, crmMonOptions{format: monitor.FormatText, interval: 500 * time.Millisecond}},
		{[]string{"--interval", "PT1M"}, crmMonOptions{format: monitor.FormatText, interval: time.Minute}},
		{[]string{"-N", "-1", "extra"}, crmMonOptions{once: true, format: monitor.FormatText, interval: 5 * time.Second}},
	} {
		got, err := parseCrmMon(c.args)
		if err != nil || got != c.want {
			t.Errorf("%v: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

// TestCrmMonBadOptions: crm_mon's one-line messages and CRM_EX_USAGE.
func TestCrmMonBadOptions(t *testing.T) {
	t.Setenv("CIB_file", "../../monitor/testdata/mixed.xml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-1", "-Z"}, "crm_mon: Unknown option -Z\n"},
		{[]string{"-1", "--bogus"}, "crm_mon: Unknown option --bogus\n"},
		{[]string{"-1", "-i"}, "crm_mon: Missing argument for -i\n"},
		{[]string{"-1", "-i", "abc"}, "crm_mon: Invalid value for -i: abc\n"},
		{[]string{"-1", "--interval=5x"}, "crm_mon: Invalid value for --interval: 5x\n"},
		{[]string{"-1", "--output-as"}, "crm_mon: Missing argument for --output-as\n"},
		{[]string{"-1", "--output-as=html"}, "crm_mon: Unsupported output format html (Pacer writes text and xml)\n"},
	} {
		var out, errs bytes.Buffer
		rc := runPacer(append([]string{"crm_mon"}, c.args...), strings.NewReader(""), &out, &errs)
		if rc != 64 || errs.String() != c.want || out.Len() != 0 {
			t.Errorf("%v: %d %q %q, want 64 %q", c.args, rc, out.String(), errs.String(), c.want)
		}
	}
}

// TestCrmMonOnCIBFile: the sections and formats on CIB_file, which crm_mon
// shows once even without -1, as Pacemaker's does.
func TestCrmMonOnCIBFile(t *testing.T) {
	t.Setenv("CIB_file", "../../monitor/testdata/failcounts.xml")
	run := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		rc := runPacer(append([]string{"crm_mon"}, args...), strings.NewReader(""), &out, &errs)
		return rc, out.String(), errs.String()
	}
	for _, args := range [][]string{{"-1rfA"}, {"-1", "-r", "-f", "-A"}, {"-rfA"}} {
		rc, out, errs := run(args...)
		if rc != 0 || errs != "" || !strings.Contains(out, "\nFull List of Resources:\n") ||
			!strings.Contains(out, "\nMigration Summary:\n  * Node: node1:\n    * web: migration-threshold=3 fail-count=2 last-failure=") {
			t.Errorf("%v: %d %q\n%s", args, rc, errs, out)
		}
	}
	if rc, out, _ := run("-1", "-f"); rc != 0 || strings.Contains(out, "Full List") || !strings.Contains(out, "Migration Summary:") {
		t.Errorf("-1 -f: %d\n%s", rc, out)
	}
	if rc, out, _ := run("-1"); rc != 0 || strings.Contains(out, "Migration Summary") || strings.Contains(out, "Node Attributes") {
		t.Errorf("-1: %d\n%s", rc, out)
	}
	rc, out, _ := run("--output-as", "xml")
	if rc != 0 || !strings.HasPrefix(out, `<pacemaker-result api-version="2.25" request="crm_mon --output-as xml">`) ||
		!strings.Contains(out, `<resource_history id="web" orphan="false" migration-threshold="3" fail-count="2"`) ||
		!strings.HasSuffix(out, "  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n") {
		t.Errorf("--output-as xml: %d\n%s", rc, out)
	}
	rc, out, _ = run("-X")
	if rc != 0 || !strings.HasPrefix(out, `<crm_mon version="2.1.5">`) || !strings.HasSuffix(out, "</crm_mon>\n") {
		t.Errorf("-X: %d\n%s", rc, out)
	}
	t.Setenv("CIB_file", filepath.Join(t.TempDir(), "missing.xml"))
	if rc, out, errs := run("-1"); rc != 102 || out != "" || !strings.HasPrefix(errs, "crm_mon: CIB_file: ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("missing CIB_file: %d %q %q", rc, out, errs)
	}
}

// fakeNode answers the client socket's query with a CIB the test sets.
type fakeNode struct {
	mu      sync.Mutex
	xml     string
	fail    bool
	queries int
}

func (f *fakeNode) set(xml string, fail bool) {
	f.mu.Lock()
	f.xml, f.fail = xml, fail
	f.mu.Unlock()
}

func (f *fakeNode) serve(t *testing.T, sock string) {
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if _, err := bufio.NewReader(conn).ReadBytes('\n'); err != nil {
					return
				}
				f.mu.Lock()
				f.queries++
				rep := map[string]string{"xml": f.xml}
				if f.fail {
					rep = map[string]string{"err": "the node is shutting down"}
				}
				f.mu.Unlock()
				b, _ := json.Marshal(rep)
				conn.Write(append(b, '\n'))
			}()
		}
	}()
}

func (f *fakeNode) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries
}

// syncBuffer is a bytes.Buffer safe to read while crm_mon writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestCrmMonLive: without -1, crm_mon polls the node every -i and writes
// the status again when it changed (not on a terminal), says once when the
// node cannot be read, carries on, and ends when stopped, with status 0.
func TestCrmMonLive(t *testing.T) {
	first, err := os.ReadFile("../../monitor/testdata/mixed.xml")
	if err != nil {
		t.Fatal(err)
	}
	second := strings.Replace(string(first), `value="Stopped"`, `value="Started"`, 1)
	node := &fakeNode{}
	node.set(string(first), false)
	sock := filepath.Join(t.TempDir(), "pacer.sock")
	node.serve(t, sock)

	var out, errs syncBuffer
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		done <- crmMon([]string{"-r", "-i", "20ms"}, &out, &errs, daemon.Client{Socket: sock}, false, stop)
	}()
	waitFor(t, "the first view", func() bool { return strings.Contains(out.String(), "Cluster Summary:") })
	n := node.count()
	waitFor(t, "more polls", func() bool { return node.count() >= n+5 })
	if views := strings.Count(out.String(), "Cluster Summary:"); views != 1 {
		t.Errorf("%d views of an unchanged CIB:\n%s", views, out.String())
	}
	node.set(second, false)
	waitFor(t, "the second view", func() bool { return strings.Count(out.String(), "Cluster Summary:") == 2 })
	node.set("", true)
	waitFor(t, "the error", func() bool { return strings.Contains(errs.String(), "the node is shutting down") })
	n = node.count()
	waitFor(t, "more polls", func() bool { return node.count() >= n+3 })
	node.set(second, false)
	waitFor(t, "the view after the error", func() bool { return strings.Count(out.String(), "Cluster Summary:") == 3 })
	if strings.Count(errs.String(), "\n") != 1 || strings.Contains(out.String(), "\033[") {
		t.Errorf("errors %q, or escape codes in a pipe:\n%q", errs.String(), out.String())
	}
	views := strings.Split(out.String(), "Cluster Summary:")
	if !strings.Contains(views[1], "d2\t(ocf:pacer:Dummy):\t Stopped (disabled)") || strings.Contains(views[2], "(disabled)") {
		t.Errorf("views do not follow the CIB:\n%s", out.String())
	}
	close(stop)
	select {
	case rc := <-done:
		if rc != 0 {
			t.Errorf("exit status %d", rc)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("crm_mon did not stop")
	}
}

// TestCrmMonLiveTerminal: on a terminal the view is redrawn in place,
// the screen cleared with ANSI codes, at every interval.
func TestCrmMonLiveTerminal(t *testing.T) {
	data, err := os.ReadFile("../../monitor/testdata/states.xml")
	if err != nil {
		t.Fatal(err)
	}
	node := &fakeNode{}
	node.set(string(data), false)
	sock := filepath.Join(t.TempDir(), "pacer.sock")
	node.serve(t, sock)
	var out, errs syncBuffer
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		done <- crmMon([]string{"--output-as=xml", "-i", "20ms"}, &out, &errs, daemon.Client{Socket: sock}, true, stop)
	}()
	waitFor(t, "three redraws", func() bool { return strings.Count(out.String(), "\033[H\033[2J<pacemaker-result") >= 3 })
	node.set("", true)
	waitFor(t, "the error on screen", func() bool { return strings.Contains(out.String(), "\033[H\033[2Jcrm_mon: the node is shutting down") })
	close(stop)
	if rc := <-done; rc != 0 || errs.String() != "" {
		t.Errorf("exit status %d, stderr %q", rc, errs.String())
	}
}

// TestCrmMonCtrlC runs crm_mon live in a child process (this test binary)
// and interrupts it as Ctrl-C does: it exits with status 0.
func TestCrmMonCtrlC(t *testing.T) {
	if os.Getenv("PACER_TEST_CRM_MON_CHILD") != "" {
		os.Exit(runCrmMon([]string{"-i", "50ms"}, os.Stdin, os.Stdout, os.Stderr))
	}
	data, err := os.ReadFile("../../monitor/testdata/mixed.xml")
	if err != nil {
		t.Fatal(err)
	}
	node := &fakeNode{}
	node.set(string(data), false)
	sock := filepath.Join(t.TempDir(), "pacer.sock")
	node.serve(t, sock)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrmMonCtrlC$")
	cmd.Env = append(os.Environ(), "PACER_TEST_CRM_MON_CHILD=1", "PACER_SOCKET="+sock, "CIB_file=")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the view", func() bool { return strings.Contains(out.String(), "Cluster Summary:") })
	n := node.count()
	waitFor(t, "more polls", func() bool { return node.count() >= n+2 })
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if err != nil || !cmd.ProcessState.Exited() || cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("after Ctrl-C: %v\n%s", err, out.String())
	}
}
