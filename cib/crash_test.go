package cib

import (
	"errors"
	"fmt"
	"io/fs"
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
	last := -1
	for round := 0; round < 25; round++ {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestSaveSurvivesKill9$")
		cmd.Env = append(os.Environ(), "PACER_SAVE_LOOP="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(30+round*7) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		c, err := Load(path)
		if errors.Is(err, fs.ErrNotExist) && last < 0 {
			continue // killed before the first save
		}
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		v, _ := c.Property("counter")
		n, _ := strconv.Atoi(v)
		last = n
	}
	if last < 0 {
		t.Fatal("no save ever completed")
	}
}
