package engine

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
)

// Change is one line of Pacemaker's transition summary: what the plan
// does to one resource instance, in the scheduler's words.
type Change struct {
	Kind     string // Start, Stop, Move, Migrate, Recover, Restart, Promote, Demote, Re-promote, Reload
	Resource string // the instance name Pacemaker prints ("rsc:1" in clones)
	Details  string // "node1", "node1 -> node2", "Unpromoted -> Promoted node1", ...
	Reason   string // "due to ...", "blocked", or ""
}

// Summary is the transition summary of a plan: the fencing it does, then
// a change per resource instance that changes, in Pacemaker's order.
type Summary struct {
	Fences  []string // "Fence (reboot) NODE 'REASON'"
	Changes []Change
}

// Summarize words a plan for cl as Pacemaker's transition summary.
func Summarize(cl *Cluster, p *Plan) *Summary {
	sm := &summarizer{plan: p, cl: cl, out: &Summary{}}
	sm.collect()
	sm.byReplica()
	return sm.out
}

type summarizer struct {
	plan *Plan
	cl   *Cluster
	out  *Summary
	// The plan's actions and blocked starts by resource, so that each
	// resource's lines cost its own actions, not the whole plan's.
	actions map[string][]Action
	blocked map[string][]BlockedStart
}

// instanceNames names each clone instance by node, as the plan numbers them.
func instanceNames(p *Plan) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, a := range p.Actions {
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

// defaultStopReason says why the plan stops a resource for good, in
// Pacemaker's words: a resource that is not placed anywhere stops "due to
// node availability", unless the partition lost quorum.
func defaultStopReason(cl *Cluster) string {
	if !cl.HaveQuorum && cl.NoQuorumPolicy != "ignore" {
		return "due to no quorum"
	}
	return "due to node availability"
}

func (sm *summarizer) line(kind, rsc, details, reason string) {
	sm.out.Changes = append(sm.out.Changes, Change{Kind: kind, Resource: rsc, Details: details, Reason: reason})
}

func (sm *summarizer) collect() {
	cl, plan := sm.cl, sm.plan
	for _, a := range plan.Actions {
		switch {
		case a.Task == "fence":
			sm.out.Fences = append(sm.out.Fences, fmt.Sprintf("Fence (reboot) %s '%s'", a.Node, a.Reason))
		case a.Meta["guest"] != "":
			// A guest's pseudo fencing: the recovery of its container.
			sm.out.Fences = append(sm.out.Fences, fmt.Sprintf("Fence (%s) %s (resource: %s) '%s'", cmp.Or(a.Meta["stonith_action"], "reboot"), a.Node, a.Meta["guest"], a.Reason))
		}
	}
	inst := instanceNames(plan)
	sm.actions = map[string][]Action{}
	for _, a := range plan.Actions {
		sm.actions[a.Resource] = append(sm.actions[a.Resource], a)
	}
	sm.blocked = map[string][]BlockedStart{}
	for _, b := range plan.Blocked {
		sm.blocked[b.Resource] = append(sm.blocked[b.Resource], b)
	}
	resources := cl.Resources
	if plan.ProcessOrder != nil {
		// Listed in the order Pacemaker sorted them to place them.
		resources = append([]*Resource(nil), resources...)
		sort.SliceStable(resources, func(i, j int) bool {
			return plan.ProcessOrder[resources[i].ID] < plan.ProcessOrder[resources[j].ID]
		})
	}
	groupDone := map[*Clone]bool{}
	for _, r := range resources {
		if c := r.Clone; c != nil && c.Group != nil {
			// A clone of a group: instance by instance, each member.
			if groupDone[c] {
				continue
			}
			groupDone[c] = true
			from := len(sm.out.Changes)
			for _, m := range c.Group.Members {
				sm.cloneSummary(m, inst[m.ID])
			}
			lines := sm.out.Changes[from:]
			member := map[string]int{}
			for i, m := range c.Group.Members {
				member[m.ID] = i
			}
			sort.SliceStable(lines, func(i, j int) bool {
				bi, ni, _ := cutInstance(lines[i].Resource)
				bj, nj, _ := cutInstance(lines[j].Resource)
				if ni != nj {
					return ni < nj
				}
				return member[bi] < member[bj]
			})
			continue
		}
		if r.Clone != nil {
			sm.cloneSummary(r, inst[r.ID])
			continue
		}
		if r.Unique != nil && r.Unique.Promotable {
			// An instance of its own, with roles.
			names := map[string]string{}
			for _, n := range cl.Nodes {
				names[n.Uname] = r.ID
			}
			sm.cloneSummary(r, names)
			continue
		}
		sm.primitiveSummary(r)
	}
}

func (sm *summarizer) primitiveSummary(r *Resource) {
	cl, plan := sm.cl, sm.plan
	var stops []string
	start, startCause, migrates, reload := "", "", false, ""
	stopCause, stays := "", false
	for _, a := range sm.actions[r.ID] {
		if a.quiet {
			continue
		}
		switch a.Task {
		case "reload-agent":
			reload = a.Node
		case "stop":
			stops = append(stops, a.Node)
			stopCause = cmp.Or(stopCause, a.Cause)
		case "start":
			start, startCause, stays = a.Node, a.Cause, a.Pseudo
		case "migrate_from":
			migrates = true
		}
	}
	// A start in name only (it stays there) with stops elsewhere for
	// being multiply active.
	stays = stays && startCause == "" && stopCause != ""
	failed := false
	for _, n := range stops {
		failed = failed || r.State[n].Failed
	}
	switch {
	case start != "" && len(stops) == 0 && r.State[start] != nil && r.State[start].Pending:
		// A start still in flight, asked for again: no change to report.
	case start != "" && len(stops) == 0:
		sm.line("Start", r.ID, start, "")
	case start == "" && len(stops) > 0:
		// In the order Pacemaker found it active.
		sort.SliceStable(stops, func(i, j int) bool { return seenRank(cl, r, stops[i]) < seenRank(cl, r, stops[j]) })
		for _, n := range stops {
			reason := defaultStopReason(cl)
			if c := plan.Causes[r.ID]; c != "" {
				reason = "due to " + c
			}
			if c := plan.InstanceCauses[r.ID+"@"+n]; c != "" {
				reason = "due to " + c
			}
			sm.line("Stop", r.ID, n, reason)
		}
	case start == "" && len(stops) == 0 && reload != "":
		sm.line("Reload", r.ID, reload, "")
	case start == "" && len(stops) == 0:
		for _, b := range sm.blocked[r.ID] {
			sm.blockedLine(b, r.ID)
		}
	case start != "":
		// One line, from where Pacemaker sees it first (the node
		// whose history it reads first) to where it goes.
		if len(stops) > 1 {
			first := stops[0]
			for _, n := range stops {
				if seenRank(cl, r, n) < seenRank(cl, r, first) {
					first = n
				}
			}
			stops = []string{first}
		}
		if stays {
			stops = []string{start}
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
			if r.Clone == nil && r.Unique == nil && promotedPrimitive(r) && n != start {
				detail = "Promoted " + n + " -> Started " + start // (found promoted, it starts plainly)
			}
			reason := ""
			if c := plan.Causes[r.ID]; c != "" && change == "Restart" {
				reason = "due to " + c
			}
			if c := startCause; c != "" && (change == "Restart" || change == "Recover") {
				reason = "due to " + c
			}
			if (stays && change == "Recover") || (change == "Move" && stopCause != "") {
				reason = "due to " + stopCause
			}
			sm.line(change, r.ID, detail, reason)
		}
	}
}

// cloneSummary reports each instance of a clone that changes, in
// instance order, as Pacemaker's summary words it.
func (sm *summarizer) cloneSummary(r *Resource, names map[string]string) {
	cl, plan := sm.cl, sm.plan
	type change struct {
		name, origin, dest     string
		stop, start, promote   bool
		demote, failed, moving bool
		cause                  string // the start's
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
	for _, a := range sm.actions[r.ID] {
		name := a.Instance
		if name == "" {
			name = names[a.Node]
		}
		switch a.Task {
		case "stop":
			c := get(name)
			c.stop, c.origin = true, a.Node
			c.failed = c.failed || (r.State[a.Node] != nil && (r.State[a.Node].Failed || r.State[a.Node].guestFailed))
		case "start":
			c := get(name)
			c.start, c.dest, c.cause = true, a.Node, a.Cause
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
		reason := ""
		if kind == "Stop" {
			reason = defaultStopReason(cl)
			if cause := plan.Causes[r.ID]; cause != "" {
				reason = "due to " + cause
			}
		}
		if cause := plan.InstanceCauses[r.ID+"@"+c.origin]; cause != "" && (kind == "Stop" || kind == "Restart") {
			reason = "due to " + cause
		}
		if kind == "Stop" && plan.withoutCause[r.ID+"@"+c.origin] {
			reason = ""
		}
		if c.cause != "" && kind == "Restart" {
			reason = "due to " + c.cause
		}
		for _, b := range sm.blocked[r.ID] {
			if b.Task == "promote" && b.Node == dest && dest != "" && next != "Promoted" {
				// The promotion it was placed for may not happen.
				kind, next, reason = "Promote", "Promoted", "due to "+b.Cause+" (blocked)"
			}
		}
		sm.line(kind, name, roleDetails(role, next, origin, dest), reason)
	}
	for _, b := range sm.blocked[r.ID] {
		name := b.Instance
		if name == "" {
			name = r.ID
		}
		// (A promotion blocked by a colocation is worded with its start.)
		if (b.Task != "promote" || b.Cause == "") && (len(order) == 0 || (b.Instance != "" && byName[b.Instance] == nil)) {
			sm.blockedLine(b, name)
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
	_, na, _ := cutInstance(a)
	_, nb, _ := cutInstance(b)
	if na != nb {
		return na < nb
	}
	return a < b
}

// blockedLine words a start or stop that cannot happen: "due to CAUSE
// (blocked)", or just "blocked".
func (sm *summarizer) blockedLine(b BlockedStart, name string) {
	change, details := "Start", b.Node
	switch b.Task {
	case "stop":
		change = "Stop"
	case "promote":
		change, details = "Promote", "Stopped -> Promoted "+b.Node
	}
	reason := "blocked"
	if b.Cause != "" {
		reason = "due to " + b.Cause + " (blocked)"
	}
	sm.line(change, name, details, reason)
}

// SeenOrder is the position at which Pacemaker found r active on node
// while reading the histories (false when not known): crm_mon lists the
// nodes of a resource active on several in that order.
func (r *Resource) SeenOrder(node string) (int, bool) {
	if st := r.State[node]; st != nil && st.seen != 0 {
		return st.seen, true
	}
	return 0, false
}

// seenRank is the position at which Pacemaker found a resource active on
// a node.
func seenRank(cl *Cluster, r *Resource, node string) int {
	if st := r.State[node]; st != nil && st.seen != 0 {
		return st.seen
	}
	return 2 * historyRank(cl, node)
}

// historyRank is the position at which Pacemaker reads a node's history.
func historyRank(cl *Cluster, node string) int {
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
func (sm *summarizer) byReplica() {
	type place struct{ replica, part int }
	lines := sm.out.Changes
	for _, b := range sm.cl.Bundles {
		where := map[string]place{}
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
		for i, l := range lines {
			if _, ok := where[l.Resource]; ok {
				idx = append(idx, i)
			}
		}
		if len(idx) < 2 {
			continue
		}
		picked := make([]Change, len(idx))
		for k, i := range idx {
			picked[k] = lines[i]
		}
		sort.SliceStable(picked, func(x, y int) bool {
			a, b := where[picked[x].Resource], where[picked[y].Resource]
			if a.replica != b.replica {
				return a.replica < b.replica
			}
			return a.part < b.part
		})
		for k, i := range idx {
			lines[i] = picked[k]
		}
	}
}

// String lays the summary out as crm_simulate prints it: Pacemaker's
// column widths grow with the lines it has logged, and it logs the whole
// summary once before printing it, so the widths are those reached over
// all lines.
func (sm *Summary) String() string {
	rscWidth, detailWidth := 5, 5
	for _, c := range sm.Changes {
		if len(c.Resource) > rscWidth {
			rscWidth = len(c.Resource) + 2
		}
		if len(c.Details) > detailWidth {
			detailWidth = len(c.Details)
		}
	}
	var b strings.Builder
	for _, f := range sm.Fences {
		fmt.Fprintf(&b, "  * %s\n", f)
	}
	for _, c := range sm.Changes {
		extra := ""
		if c.Reason != "" {
			extra = "  " + c.Reason
		}
		fmt.Fprintf(&b, "  * %-8s   %-*s   ( %*s )%s\n", c.Kind, rscWidth, c.Resource, detailWidth, c.Details, extra)
	}
	return b.String()
}
