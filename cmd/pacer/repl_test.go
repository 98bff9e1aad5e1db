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
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("util-linux script is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "pacer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	os.Symlink("pacer", filepath.Join(dir, "crm"))
	cibPath := filepath.Join(dir, "cib.xml")
	c := cib.New()
	c.SetProperty("stonith-enabled", "false")
	os.WriteFile(cibPath, c.Bytes(), 0o644)
	before, _ := os.ReadFile(cibPath)

	cmd := exec.Command("script", "-qec", filepath.Join(dir, "crm"), "/dev/null")
	abs, _ := filepath.Abs("../../agents/ocf")
	cmd.Env = append(os.Environ(), "CIB_file="+cibPath, "HOME="+dir, "TERM=dumb", "PACER_OCF_ROOTS="+abs)
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
	text := out.String()
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
