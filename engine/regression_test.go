package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// TestPacemakerInputsNeverPanic runs the scheduler over Pacemaker's own
// regression inputs (the conformance kit beside the repository, as in CI):
// every one must unpack, schedule and simulate without a panic, no
// primitive may be started on two nodes unless it is cloned, and every
// action must be able to run (no ordering cycle).
func TestPacemakerInputsNeverPanic(t *testing.T) {
	files, _ := filepath.Glob("../../shared/conformance/scheduler/xml/*.xml")
	if len(files) == 0 {
		t.Skip("no conformance kit beside the repository")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cib.Parse(data)
		if err != nil {
			continue // not every input is a whole CIB Pacer can read
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic: %v", filepath.Base(f), p)
				}
			}()
			now := time.Unix(1700000000, 0)
			plan, err := Schedule(Input{CIB: c, Now: now})
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				return
			}
			cl, _ := Unpack(c, now)
			cloned := map[string]bool{}
			for _, r := range cl.Resources {
				cloned[r.ID] = r.Clone != nil
			}
			starts := map[string]string{}
			for _, a := range plan.Actions {
				if a.Task == "start" && !cloned[a.Resource] {
					if n, dup := starts[a.Resource]; dup && n != a.Node {
						t.Errorf("%s: %s started on %s and %s", filepath.Base(f), a.Resource, n, a.Node)
					}
					starts[a.Resource] = a.Node
				}
			}
			if got := len(plan.ExecutionOrder()); got != len(plan.Actions) {
				t.Errorf("%s: %d of %d actions wait on a cycle and would never run", filepath.Base(f), len(plan.Actions)-got, len(plan.Actions))
			}
			if _, err := Unpack(Simulate(c, plan), now); err != nil {
				t.Errorf("%s: simulate: %v", filepath.Base(f), err)
			}
		}()
	}
}
