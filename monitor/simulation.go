package monitor

import (
	"fmt"
	"io"
	"sort"
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

// instances names each clone instance by node, as the plan numbers them.
func instances(cl *engine.Cluster, plan *engine.Plan) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, a := range plan.Actions {
		if a.Instance == "" || a.Pseudo {
			continue
		}
		if out[a.Resource] == nil {
			out[a.Resource] = map[string]string{}
		}
		out[a.Resource][a.Node] = a.Instance
	}
	return out
}

// TransitionSummary writes "Transition Summary:" lines: what each
// resource does, in Pacemaker's words and column layout. Pacemaker's
// column widths grow with the lines it has logged, and it logs the whole
// summary once before printing it, so the widths are those reached over
// all lines.
type TransitionSummary struct {
	rscWidth, detailWidth int
	lines                 [][3]string
	reason                map[int]string // by line: "due to ..." after it
	fences                []string
	// The plan's actions and blocked starts by resource, so that each
	// resource's lines cost its own actions, not the whole plan's.
	actions map[string][]engine.Action
	blocked map[string][]engine.BlockedStart
}

// NewTransitionSummary starts the column widths where crm_simulate does.
func NewTransitionSummary() *TransitionSummary {
	return &TransitionSummary{rscWidth: 5, detailWidth: 5, reason: map[int]string{}}
}

// stopReason says why the plan stops a resource for good, in
// Pacemaker's words: a resource that is not placed anywhere stops "due to
// node availability", unless the partition lost quorum.
func stopReason(cl *engine.Cluster) string {
	if !cl.HaveQuorum && cl.NoQuorumPolicy != "ignore" {
		return "due to no quorum"
	}
	return "due to node availability"
}

// Write prints the summary of plan for cl.
func (t *TransitionSummary) Write(w io.Writer, cl *engine.Cluster, plan *engine.Plan) {
	t.collect(cl, plan)
	t.byReplica(cl)
	for _, f := range t.fences {
		fmt.Fprintln(w, f)
	}
	for _, l := range t.lines {
		t.grow(l[1], l[2])
	}
	for i, l := range t.lines {
		extra := ""
		if r := t.reason[i]; r != "" {
			extra = "  " + r
		}
		fmt.Fprintf(w, "  * %-8s   %-*s   ( %*s )%s\n", l[0], t.rscWidth, l[1], t.detailWidth, l[2], extra)
	}
}

func (t *TransitionSummary) collect(cl *engine.Cluster, plan *engine.Plan) {
	w := io.Discard
	for _, a := range plan.Actions {
		if a.Task == "fence" {
			t.fences = append(t.fences, fmt.Sprintf("  * Fence (reboot) %s '%s'", a.Node, a.Reason))
		}
	}
	inst := instances(cl, plan)
	t.actions = map[string][]engine.Action{}
	for _, a := range plan.Actions {
		t.actions[a.Resource] = append(t.actions[a.Resource], a)
	}
	t.blocked = map[string][]engine.BlockedStart{}
	for _, b := range plan.Blocked {
		t.blocked[b.Resource] = append(t.blocked[b.Resource], b)
	}
	resources := cl.Resources
	if plan.ProcessOrder != nil {
		// Listed in the order Pacemaker sorted them to place them.
		resources = append([]*engine.Resource(nil), resources...)
		sort.SliceStable(resources, func(i, j int) bool {
			return plan.ProcessOrder[resources[i].ID] < plan.ProcessOrder[resources[j].ID]
		})
	}
	for _, r := range resources {
		if r.Clone != nil {
			t.cloneSummary(w, cl, r, plan, inst[r.ID])
			continue
		}
		if r.Unique != nil && r.Unique.Promotable {
			// An instance of its own, with roles.
			names := map[string]string{}
			for _, n := range cl.Nodes {
				names[n.Uname] = r.ID
			}
			t.cloneSummary(w, cl, r, plan, names)
			continue
		}
		var stops []string
		start, migrates := "", false
		for _, a := range t.actions[r.ID] {
			switch a.Task {
			case "stop":
				stops = append(stops, a.Node)
			case "start":
				start = a.Node
			case "migrate_from":
				migrates = true
			}
		}
		failed := false
		for _, n := range stops {
			failed = failed || r.State[n].Failed
		}
		switch {
		case start != "" && len(stops) == 0 && r.State[start] != nil && r.State[start].Pending:
			// A start still in flight, asked for again: no change to report.
		case start != "" && len(stops) == 0:
			t.line(w, "Start", r.ID, start)
		case start == "" && len(stops) > 0:
			for _, n := range stops {
				t.line(w, "Stop", r.ID, n)
				t.reason[len(t.lines)-1] = stopReason(cl)
				if c := plan.Causes[r.ID]; c != "" {
					t.reason[len(t.lines)-1] = "due to " + c
				}
			}
		case start == "" && len(stops) == 0:
			for _, b := range t.blocked[r.ID] {
				t.blockedLine(w, b, r.ID)
			}
		case start != "":
			// One line, from where Pacemaker sees it first (the node
			// whose history it reads first) to where it goes.
			if len(stops) > 1 {
				first := stops[0]
				for _, n := range stops {
					if rank(cl, n) < rank(cl, first) {
						first = n
					}
				}
				stops = []string{first}
			}
			for _, n := range stops {
				change := "Move"
				if migrates {
					change = "Migrate"
				} else if failed {
					change = "Recover"
				} else if n == start {
					change = "Restart"
				}
				detail := n + " -> " + start
				if n == start {
					detail = n
				}
				t.line(w, change, r.ID, detail)
				if c := plan.Causes[r.ID]; c != "" && change == "Restart" {
					t.reason[len(t.lines)-1] = "due to " + c
				}
			}
		}
	}
}

// cloneSummary reports each instance of a clone that changes, in
// instance order, as Pacemaker's summary words it.
func (t *TransitionSummary) cloneSummary(w io.Writer, cl *engine.Cluster, r *engine.Resource, plan *engine.Plan, names map[string]string) {
	type change struct {
		name, origin, dest     string
		stop, start, promote   bool
		demote, failed, moving bool
	}
	byName := map[string]*change{}
	var order []string
	get := func(name string) *change {
		if byName[name] == nil {
			byName[name] = &change{name: name}
			order = append(order, name)
		}
		return byName[name]
	}
	for _, a := range t.actions[r.ID] {
		name := a.Instance
		if name == "" {
			name = names[a.Node]
		}
		switch a.Task {
		case "stop":
			c := get(name)
			c.stop, c.origin = true, a.Node
			c.failed = c.failed || (r.State[a.Node] != nil && r.State[a.Node].Failed)
		case "start":
			c := get(name)
			c.start, c.dest = true, a.Node
		case "promote":
			c := get(name)
			c.promote, c.dest = true, a.Node
		case "demote":
			c := get(name)
			c.demote = true
			if c.origin == "" {
				c.origin = a.Node
			}
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return instanceLess(order[i], order[j]) })
	promotable := (r.Clone != nil && r.Clone.Promotable) || (r.Unique != nil && r.Unique.Promotable)
	for _, name := range order {
		c := byName[name]
		// Where it runs now and in which role, and where it will.
		cur := c.origin
		if cur == "" && !c.start {
			cur = c.dest
		}
		role, next := "Stopped", "Stopped"
		if st := r.State[cur]; cur != "" && st != nil && st.Active {
			role = "Started"
			if promotable {
				role = "Unpromoted"
				if st.Promoted {
					role = "Promoted"
				}
			}
		}
		dest := c.dest
		if dest == "" && !c.stop {
			dest = cur
		}
		if dest != "" {
			next = "Started"
			if promotable {
				next = "Unpromoted"
				if c.promote || (role == "Promoted" && !c.demote && !c.stop) {
					next = "Promoted"
				}
			}
		}
		origin := ""
		if role != "Stopped" {
			origin = cur
		}
		var kind string
		switch {
		case dest == "":
			kind = "Stop"
		case role == next && origin != "" && origin != dest:
			kind = "Move"
			if c.failed {
				kind = "Recover"
			}
		case role == next && c.failed:
			kind = "Recover"
		case role == next && c.stop:
			kind = "Restart"
		case role == next:
			continue // nothing changes for it
		case c.failed && c.stop:
			kind = "Recover"
		case origin != "" && origin != dest:
			kind = "Move"
		case c.stop:
			kind = "Restart"
		case role == "Promoted":
			kind = "Demote"
		case next == "Promoted":
			kind = "Promote"
		default:
			kind = "Start"
		}
		t.line(w, kind, name, roleDetails(role, next, origin, dest))
		if kind == "Stop" {
			t.reason[len(t.lines)-1] = stopReason(cl)
			if cause := plan.Causes[r.ID]; cause != "" {
				t.reason[len(t.lines)-1] = "due to " + cause
			}
		}
	}
	if len(order) == 0 {
		for _, b := range t.blocked[r.ID] {
			name := b.Instance
			if name == "" {
				name = r.ID
			}
			t.blockedLine(w, b, name)
		}
	}
}

// roleDetails words what changes for an instance as Pacemaker does: the
// roles appear only for promotable instances (or a promotion).
func roleDetails(role, next, origin, dest string) string {
	needRole := role == "Unpromoted" || role == "Promoted" || next == "Promoted"
	switch {
	case needRole && origin == "":
		return role + " -> " + next + " " + dest
	case origin == "":
		return dest
	case needRole && dest == "":
		return role + " " + origin
	case dest == "":
		return origin
	case needRole && role == next && origin == dest:
		return role + " " + origin
	case role == next && origin == dest:
		return origin
	case needRole && role == next:
		return origin + " -> " + dest + " " + role
	case role == next:
		return origin + " -> " + dest
	case origin == dest:
		return role + " -> " + next + " " + origin
	}
	return role + " " + origin + " -> " + next + " " + dest
}

// instanceLess orders instance names by their number.
func instanceLess(a, b string) bool {
	na, nb := instanceNumber(a), instanceNumber(b)
	if na != nb {
		return na < nb
	}
	return a < b
}

func instanceNumber(name string) int {
	i := strings.LastIndexByte(name, ':')
	n := 0
	if i >= 0 {
		fmt.Sscanf(name[i+1:], "%d", &n)
	}
	return n
}

// blocked words a start or stop that cannot happen: "due to CAUSE
// (blocked)", or just "blocked".
func (t *TransitionSummary) blockedLine(w io.Writer, b engine.BlockedStart, name string) {
	change := "Start"
	if b.Task == "stop" {
		change = "Stop"
	}
	t.line(w, change, name, b.Node)
	t.reason[len(t.lines)-1] = "blocked"
	if b.Cause != "" {
		t.reason[len(t.lines)-1] = "due to " + b.Cause + " (blocked)"
	}
}

func (t *TransitionSummary) line(_ io.Writer, change, rsc, details string) {
	t.lines = append(t.lines, [3]string{change, rsc, details})
}

func (t *TransitionSummary) grow(rsc, details string) {
	if len(rsc) > t.rscWidth {
		t.rscWidth = len(rsc) + 2
	}
	if len(details) > t.detailWidth {
		t.detailWidth = len(details)
	}
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
		case a.Task == "clear_failcount":
			fmt.Fprintf(w, "  * Cluster action:  %s for %s on %s\n", a.Task, a.Resource, a.Node)
		case a.Pseudo:
			fmt.Fprintf(w, "  * Pseudo action:   %s_%s_0\n", name, a.Task)
		default:
			fmt.Fprintf(w, "  * Resource action: %-15s %s on %s\n", name, task, a.Node)
		}
	}
}

// rank is the position at which Pacemaker reads a node's history.
func rank(cl *engine.Cluster, node string) int {
	for _, n := range cl.Nodes {
		if n.Uname == node {
			return n.HistoryRank
		}
	}
	return len(cl.Nodes) + 1
}

// byReplica reorders a bundle's lines as Pacemaker lists them: replica
// by replica (address, container, connection, then the instance of the
// bundle's primitive), where the bundle's first line was.
func (t *TransitionSummary) byReplica(cl *engine.Cluster) {
	type place struct{ replica, part int }
	where := map[string]place{}
	for _, b := range cl.Bundles {
		child := ""
		if b.Child != nil && b.Child.Primitive != nil {
			child = b.Child.Primitive.ID
		}
		for i, rep := range b.Replicas {
			where[rep.IP] = place{i, 0}
			where[rep.Container] = place{i, 1}
			where[rep.Connection] = place{i, 2}
			if child != "" {
				where[fmt.Sprintf("%s:%d", child, i)] = place{i, 3}
			}
		}
		delete(where, "")
		var idx []int
		for i, l := range t.lines {
			if _, ok := where[l[1]]; ok {
				idx = append(idx, i)
			}
		}
		if len(idx) < 2 {
			continue
		}
		lines := make([][3]string, len(idx))
		reasons := make([]string, len(idx))
		order := make([]int, len(idx))
		for k, i := range idx {
			order[k] = i
		}
		sort.SliceStable(order, func(x, y int) bool {
			a, b := where[t.lines[order[x]][1]], where[t.lines[order[y]][1]]
			if a.replica != b.replica {
				return a.replica < b.replica
			}
			return a.part < b.part
		})
		for k, i := range order {
			lines[k], reasons[k] = t.lines[i], t.reason[i]
		}
		for k, i := range idx {
			t.lines[i] = lines[k]
			if reasons[k] != "" {
				t.reason[i] = reasons[k]
			} else {
				delete(t.reason, i)
			}
		}
		for k := range where {
			delete(where, k)
		}
	}
}
