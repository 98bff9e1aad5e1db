package cib

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestSaveSurvivesKill9 SIGKILLs a process that saves in a loop, at
// varying moments, and checks that cib.xml is always there, whole, and
// matching its digest.
func TestSaveSurvivesKill9(t *testing.T) {
	if path := os.Getenv("PACER_SAVE_LOOP"); path != "" {
		c := New()
		for i := 0; ; i++ {
			c.SetProperty("counter", strconv.Itoa(i))
			// A larger document makes the write window wider.
			for j := 0; j < 50; j++ {
				c.SetProperty(fmt.Sprintf("filler-%d", j), fmt.Sprint(i*j))
			}
			c.BumpEpoch()
			if err := Save(path, c); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "cib.xml")
	counter := func() (int, error) {
		c, err := Load(path)
		if err != nil {
			return -1, err
		}
		v, _ := c.Property("counter")
		n, _ := strconv.Atoi(v)
		return n, nil
	}
	for round := 0; round < 25; round++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestSaveSurvivesKill9$")
		cmd.Env = append(os.Environ(), "PACER_SAVE_LOOP="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until this child has saved at least once (a loaded machine
		// may take long to start it), then kill it at a varying moment,
		// most likely in the middle of a save.
		info, _ := os.Stat(path)
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if now, err := os.Stat(path); err == nil && (info == nil || !now.ModTime().Equal(info.ModTime())) {
				break
			}
		}
		time.Sleep(time.Duration(round%7) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := counter(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if _, err := counter(); err != nil {
		t.Fatalf("after the last kill: %v", err)
	}
}
