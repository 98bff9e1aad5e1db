package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// TestInteractiveConfigureAsksBeforeLeaving drives crm through a real
// pseudo-terminal (util-linux script allocates it): staged changes are
// not applied when the user leaves configure and answers "discard", and
// "stay" keeps them staged.
func TestInteractiveConfigureAsksBeforeLeaving(t *testing.T) {
	crm, cibPath, env := terminalSetup(t)
	before, _ := os.ReadFile(cibPath)

	cmd := exec.Command("script", "-qec", crm, "/dev/null")
	cmd.Env = env
	in, _ := cmd.StdinPipe()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"configure", "primitive d1 ocf:pacer:Dummy", "up", "s", "show", "quit", "n"} {
		time.Sleep(300 * time.Millisecond) // one line at a time, as typed
		io.WriteString(in, line+"\r")
	}
	text := finish(t, cmd, in, &out)
	host, _ := os.Hostname()
	host, _, _ = strings.Cut(host, ".")
	for _, want := range []string{"crm(live/" + host + ")configure# ", "There are changes pending", "primitive d1 ocf:pacer:Dummy", "changes discarded"} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, text)
		}
	}
	if after, _ := os.ReadFile(cibPath); !bytes.Equal(before, after) {
		t.Errorf("a discarded change reached the CIB:\n%s", after)
	}
}

// TestInteractiveSession drives crm through a real pseudo-terminal as an
// administrator would: tab completes a resource id and a parameter name;
// a configure session's staged change is invisible to a second crm until
// commit; a commit after someone else's is refused and says so; commit
// force, once confirmed, applies it.
func TestInteractiveSession(t *testing.T) {
	crm, _, env := terminalSetup(t)
	// A second administrator's crm, one-shot.
	other := func(args ...string) string {
		cmd := exec.Command(crm, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("crm %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	other("configure", "primitive", "d1", "ocf:pacer:Dummy")

	// The terminal gets a size, as a real one has: readline completes
	// only on a terminal it can measure.
	cmd := exec.Command("script", "-qec", "stty cols 120 rows 40; exec "+crm, "/dev/null")
	cmd.Env = env
	in, _ := cmd.StdinPipe()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	typed := func(keys string) {
		time.Sleep(400 * time.Millisecond) // as typed, one line at a time
		io.WriteString(in, keys)
	}
	typed("resource stop d\t\r") // completes d1
	typed("configure\r")
	typed("primitive d2 ocf:pacer:Dummy params fa\tx\r") // completes fake=
	time.Sleep(500 * time.Millisecond)
	if show := other("configure", "show"); strings.Contains(show, "d2") {
		t.Errorf("a staged change is visible to another crm before commit:\n%s", show)
	}
	other("configure", "property", "other-admin=was-here")
	typed("commit\r")
	time.Sleep(500 * time.Millisecond)
	if show := other("configure", "show"); strings.Contains(show, "d2") {
		t.Errorf("a commit after someone else's was applied:\n%s", show)
	}
	typed("commit force\r")
	typed("y\r")
	typed("quit\r")
	text := finish(t, cmd, in, &out)
	for _, want := range []string{"resource stop d1", "params fake=x", "commit refused: the cluster's configuration changed",
		"other-admin=was-here", "commit force", "The cluster will", "Apply these changes?"} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, text)
		}
	}
	show := other("configure", "show")
	for _, want := range []string{"primitive d1 ocf:pacer:Dummy", "target-role=Stopped", "primitive d2 ocf:pacer:Dummy", "fake=x"} {
		if !strings.Contains(show, want) {
			t.Errorf("after commit force, show lacks %q:\n%s", want, show)
		}
	}
}

// terminalSetup builds crm and a CIB file (stonith-enabled=false) for a
// terminal test, skipping it without util-linux script; it returns the
// crm path, the CIB's, and the environment crm runs with.
func terminalSetup(t *testing.T) (crm, cibPath string, env []string) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("util-linux script is not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "pacer"), ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	crm = filepath.Join(dir, "crm")
	os.Symlink("pacer", crm)
	cibPath = filepath.Join(dir, "cib.xml")
	c := cib.New()
	c.SetProperty("stonith-enabled", "false")
	os.WriteFile(cibPath, c.Bytes(), 0o644)
	abs, _ := filepath.Abs("../../agents/ocf")
	return crm, cibPath, append(os.Environ(), "CIB_file="+cibPath, "HOME="+dir, "TERM=dumb", "PACER_OCF_ROOTS="+abs)
}

// finish ends the input of a terminal session and waits for crm to exit,
// returning what the terminal showed.
func finish(t *testing.T, cmd *exec.Cmd, in io.Closer, out *bytes.Buffer) string {
	t.Helper()
	time.Sleep(500 * time.Millisecond)
	in.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("crm did not exit; output:\n%s", out.String())
	}
	return out.String()
}
