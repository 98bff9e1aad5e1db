package engine

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// renderPlan prints a plan for golden comparison.
func renderPlan(p *Plan) string {
	var b strings.Builder
	for _, pl := range p.Placements {
		fmt.Fprintf(&b, "place %s %s %s\n", pl.Resource, pl.Role, pl.Node)
	}
	for _, a := range p.Actions {
		task := a.Task
		if a.Interval > 0 {
			task = fmt.Sprintf("%s=%d", a.Task, a.Interval.Milliseconds())
		}
		if a.Pseudo && a.Node == "" {
			fmt.Fprintf(&b, "pseudo %d %s_%s_0 after=%v\n", a.ID, a.Resource, a.Task, a.After)
			continue
		}
		name := a.Resource
		if a.Instance != "" {
			name += " (" + a.Instance + ")"
		}
		fmt.Fprintf(&b, "action %d %s %s on %s timeout=%v rc=%d after=%v (%s)\n", a.ID, name, task, a.Node, a.Timeout, a.ExpectedRC, a.After, a.Reason)
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "note %s\n", n)
	}
	return b.String()
}

func load(t testing.TB, path string) *cib.CIB {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cib.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// update rewrites the goldens: go test ./engine -run Golden -update.
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current plans")

// TestGoldenPlans: each testdata/NAME.xml gives testdata/NAME.golden.
// Regenerate with -update (or UPDATE_GOLDEN=1) and read the diff before
// committing.
func TestGoldenPlans(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".xml")
		t.Run(name, func(t *testing.T) {
			plan, err := Schedule(Input{CIB: load(t, in), Now: time.Unix(1700000100, 0)})
			if err != nil {
				t.Fatal(err)
			}
			got := renderPlan(plan)
			golden := strings.TrimSuffix(in, ".xml") + ".golden"
			if *update || os.Getenv("UPDATE_GOLDEN") != "" {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, _ := os.ReadFile(golden)
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			// Deterministic: the same input gives the same plan.
			again, _ := Schedule(Input{CIB: load(t, in), Now: time.Unix(1700000100, 0)})
			if renderPlan(again) != got {
				t.Error("two runs gave different plans")
			}
		})
	}
}

func TestScoresAndDurations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{{"INFINITY", Infinity, false}, {"-inf", -Infinity, false}, {"+100", 100, false}, {"2000000", Infinity, false}, {"x", 0, true}} {
		got, err := ParseScore(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseScore(%q) = %d, %v", tc.in, got, err)
		}
	}
	if addScores(Infinity, -Infinity) != -Infinity || addScores(Infinity-1, 5) != Infinity || addScores(3, 4) != 7 {
		t.Error("score arithmetic")
	}
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{{"10s", 10 * time.Second}, {"2m", 2 * time.Minute}, {"1000ms", time.Second}, {"30", 30 * time.Second}, {"PT1M30S", 90 * time.Second}, {"1h", time.Hour}} {
		if got, err := ParseDuration(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// FuzzSchedule: no CIB, however broken, makes the scheduler panic, and a
// plan never starts one primitive on two nodes unless it is cloned.
func FuzzSchedule(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, in := range files {
		data, _ := os.ReadFile(in)
		f.Add(string(data))
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := cib.Parse([]byte(s))
		if err != nil {
			return
		}
		plan, err := Schedule(Input{CIB: c, Now: time.Unix(0, 0)})
		if err != nil {
			return
		}
		cl, err := Unpack(c, time.Unix(0, 0))
		if err != nil {
			t.Fatalf("Schedule accepted what Unpack refuses: %v", err)
		}
		cloned := map[string]bool{}
		for _, r := range cl.Resources {
			cloned[r.ID] = r.Clone != nil
		}
		starts := map[string]string{}
		for _, a := range plan.Actions {
			if a.Task == "start" && !cloned[a.Resource] {
				if n, dup := starts[a.Resource]; dup && n != a.Node {
					t.Fatalf("%s started on %s and %s", a.Resource, n, a.Node)
				}
				starts[a.Resource] = a.Node
			}
		}
	})
}

// TestBrokenConstraintsAreReported: constraints that name missing
// resources, carry invalid scores or close an ordering loop are left out
// with a note saying which and why; the rest is still scheduled.
func TestBrokenConstraintsAreReported(t *testing.T) {
	base, err := os.ReadFile("testdata/16-balance.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, constraints, note string
	}{
		{"missing resource", `<rsc_location id="l1" rsc="nosuch" node="node1" score="100"/>`, "location l1: no such resource nosuch; ignored"},
		{"invalid score", `<rsc_location id="l2" rsc="a" node="node1" score="lots"/>`, `location l2: score "lots" is not an integer or INFINITY; ignored`},
		{"colocation with nothing", `<rsc_colocation id="c1" rsc="a" with-rsc="ghost" score="INFINITY"/>`, "colocation c1: no such resource ghost; ignored"},
		{"order of nothing", `<rsc_order id="o0" first="ghost" then="a"/>`, "order o0: no such resource ghost; ignored"},
		{"ordering loop", `<rsc_order id="o1" first="a" then="b"/><rsc_order id="o2" first="b" then="c"/><rsc_order id="o3" first="c" then="a"/>`,
			"order o3: c start then a start would close an ordering loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xml := strings.Replace(string(base), "<constraints>\n", "<constraints>\n"+tc.constraints+"\n", 1)
			c, err := cib.Parse([]byte(xml))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := Schedule(Input{CIB: c, Now: time.Unix(1700000100, 0)})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range plan.Notes {
				found = found || strings.Contains(n, tc.note)
			}
			if !found {
				t.Errorf("no note %q in %q", tc.note, plan.Notes)
			}
			starts := 0
			for _, a := range plan.Actions {
				if a.Task == "start" {
					starts++
				}
			}
			if starts != 3 || len(plan.ExecutionOrder()) != len(plan.Actions) {
				t.Errorf("%d starts, %d of %d actions runnable: the rest of the configuration must still be scheduled", starts, len(plan.ExecutionOrder()), len(plan.Actions))
			}
		})
	}
}

// TestOperationParametersReachTheAgent: an operation's own parameters
// (OCF_CHECK_LEVEL on a deeper monitor) travel with that operation, and
// only with it, besides the resource's own.
func TestOperationParametersReachTheAgent(t *testing.T) {
	base, err := os.ReadFile("testdata/01-fresh-probes.xml")
	if err != nil {
		t.Fatal(err)
	}
	xml := strings.Replace(string(base), `<op name="monitor" interval="10s" timeout="20s" id="d1-monitor-10s"/>`,
		`<op name="monitor" interval="10s" timeout="20s" id="d1-monitor-10s"><instance_attributes id="d1-monitor-10s-ia"><nvpair id="d1-cl" name="OCF_CHECK_LEVEL" value="10"/></instance_attributes></op>`, 1)
	xml = strings.Replace(xml, `type="Dummy">`, `type="Dummy"><instance_attributes id="d1-ia"><nvpair id="d1-state" name="state" value="/run/d1"/></instance_attributes>`, 1)
	c, err := cib.Parse([]byte(xml))
	if err != nil {
		t.Fatal(err)
	}
	// The plan probes, starts and monitors it.
	plan, err := Schedule(Input{CIB: c, Now: time.Unix(1700000100, 0)})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, a := range plan.Actions {
		if a.Params["state"] != "/run/d1" {
			t.Errorf("%s %s lacks the resource's parameter: %v", a.Task, a.Resource, a.Params)
		}
		level, has := a.Params["OCF_CHECK_LEVEL"]
		switch {
		case a.Task == "monitor" && a.Interval == 10*time.Second:
			seen++
			if level != "10" {
				t.Errorf("the 10s monitor runs with %v, want OCF_CHECK_LEVEL=10", a.Params)
			}
		case has:
			t.Errorf("%s %v runs with the monitor's OCF_CHECK_LEVEL", a.Task, a.Interval)
		}
	}
	if seen != 1 {
		t.Errorf("%d recurring monitors planned, want 1", seen)
	}
}
