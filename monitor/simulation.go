package monitor

import (
	"fmt"
	"io"
	"strings"

	"github.com/pacer-ha/pacer/engine"
)

// RenderClusterStatus writes a cluster's nodes and resources in the
// layout crm_simulate uses under "Current cluster status:" and "Revised
// Cluster Status:".
func RenderClusterStatus(w io.Writer, cl *engine.Cluster) {
	var b strings.Builder
	b.WriteString("  * Node List:\n")
	writeNodes(&b, cl, "    ")
	b.WriteString("\n  * Full List of Resources:\n")
	if len(cl.Resources) == 0 {
		b.WriteString("    * No resources\n")
	}
	for _, l := range resourceLines(cl, true, "    ") {
		b.WriteString(l + "\n")
	}
	io.WriteString(w, b.String())
}

// TransitionSummary writes "Transition Summary:" lines: what each
// resource does, in Pacemaker's words and column layout.
type TransitionSummary struct {
	rscWidth, detailWidth int
}

// NewTransitionSummary starts the column widths where crm_simulate does.
func NewTransitionSummary() *TransitionSummary {
	return &TransitionSummary{rscWidth: 5, detailWidth: 5}
}

// Write prints the summary of plan for cl.
func (t *TransitionSummary) Write(w io.Writer, cl *engine.Cluster, plan *engine.Plan) {
	for _, r := range cl.Resources {
		var stops []string
		start := ""
		for _, a := range plan.Actions {
			if a.Resource != r.ID {
				continue
			}
			switch a.Task {
			case "stop":
				stops = append(stops, a.Node)
			case "start":
				start = a.Node
			}
		}
		failed := false
		for _, n := range stops {
			failed = failed || r.State[n].Failed
		}
		switch {
		case start != "" && len(stops) == 0:
			t.line(w, "Start", r.ID, start)
		case start == "" && len(stops) > 0:
			for _, n := range stops {
				t.line(w, "Stop", r.ID, n)
			}
		case start != "":
			for _, n := range stops {
				change := "Move"
				if failed {
					change = "Recover"
				} else if n == start {
					change = "Restart"
				}
				detail := n + " -> " + start
				if n == start {
					detail = n
				}
				t.line(w, change, r.ID, detail)
			}
		}
	}
}

func (t *TransitionSummary) line(w io.Writer, change, rsc, details string) {
	if len(rsc) > t.rscWidth {
		t.rscWidth = len(rsc) + 2
	}
	if len(details) > t.detailWidth {
		t.detailWidth = len(details)
	}
	fmt.Fprintf(w, "  * %-8s   %-*s   ( %*s )\n", change, t.rscWidth, rsc, t.detailWidth, details)
}

// ExecutedActions writes the "Executing Cluster Transition:" lines, in an
// order that respects the plan's dependencies.
func ExecutedActions(w io.Writer, plan *engine.Plan) {
	done := map[int]bool{}
	for len(done) < len(plan.Actions) {
		progress := false
		// Run every action whose predecessors are done, probes first as
		// crm_simulate lists them.
		for pass := 0; pass < 2; pass++ {
			for _, a := range plan.Actions {
				if done[a.ID] || (pass == 0) != (a.Task == "monitor" && a.Interval == 0) {
					continue
				}
				ready := true
				for _, d := range a.After {
					ready = ready && done[d]
				}
				if !ready {
					continue
				}
				done[a.ID] = true
				progress = true
				task := a.Task
				if a.Interval > 0 {
					task = fmt.Sprintf("%s=%d", a.Task, a.Interval.Milliseconds())
				}
				fmt.Fprintf(w, "  * Resource action: %-15s %s on %s\n", a.Resource, task, a.Node)
			}
		}
		if !progress {
			return // a cycle: nothing more can run
		}
	}
}
