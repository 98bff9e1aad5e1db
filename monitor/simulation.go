package monitor

import (
	"fmt"
	"io"
	"strings"

	"github.com/pacer-ha/pacer/engine"
)

// SimulationHeader writes what crm_simulate prints before the cluster
// status: the maintenance-mode banner, and how many resource instances
// are disabled or blocked when any are.
func SimulationHeader(w io.Writer, cl *engine.Cluster) {
	if cl.MaintenanceMode {
		io.WriteString(w, maintenanceBanner+"\n")
	}
	instances, disabled, blocked := instanceCounts(cl)
	if disabled > 0 || blocked > 0 {
		fmt.Fprintf(w, "%d of %d resource instances DISABLED and %d BLOCKED from further action due to failure\n\n", disabled, instances, blocked)
	}
}

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

// ExecutedActions writes the "Executing Cluster Transition:" lines in the
// order crm_simulate runs the graph.
func ExecutedActions(w io.Writer, cl *engine.Cluster, plan *engine.Plan) {
	for _, a := range plan.ExecutionOrder() {
		task := a.Task
		if a.Interval > 0 {
			task = fmt.Sprintf("%s=%d", a.Task, a.Interval.Milliseconds())
		}
		name := a.Resource
		if a.Instance != "" {
			name = a.Instance
			if h := plan.HistoryNames[a.Instance]; h != "" {
				name = h
			}
		}
		switch {
		case a.Task == "fence":
			fmt.Fprintf(w, "  * Fencing %s (reboot)\n", a.Node)
		case a.Resource == "" && a.Pseudo:
			fmt.Fprintf(w, "  * Pseudo action:   %s\n", a.Task)
		case a.Resource == "":
			fmt.Fprintf(w, "  * Cluster action:  %s on %s\n", a.Task, a.Node)
		case a.Task == "clear_failcount", a.Task == "lrm_delete":
			fmt.Fprintf(w, "  * Cluster action:  %s for %s on %s\n", a.Task, a.Resource, a.Node)
		case a.Pseudo:
			fmt.Fprintf(w, "  * Pseudo action:   %s_%s_0\n", name, a.Task)
		default:
			fmt.Fprintf(w, "  * Resource action: %-15s %s on %s\n", name, task, a.Node)
		}
	}
}
