package engine

import (
	"fmt"
	"slices"
	"sort"

	"github.com/pacer-ha/pacer/cib"
)

// This file gives a plan the shape of Pacemaker's transition graph.
//
// A group or clone has pseudo actions that stand for "all members may
// start" and "all members have started" (start/running, stop/stopped,
// and promote/promoted, demote/demoted for promotable clones). Members'
// actions hang between them, and constraints naming the group or clone
// order against them, so that one collective step waits for another as a
// whole.
//
// Pacemaker lists the graph's actions resource by resource, top-level
// resources in configuration order, a collective's own actions before its
// children's, and each resource's actions newest first. crm_simulate runs
// the graph in passes over that list, firing every action whose
// predecessors are done, so the list order is the order it reports.

// Creation ranks: the order in which Pacemaker creates a primitive's
// actions (probes, then the way down, the way up, recurring monitors,
// migration), and a collective's pseudo actions.
var primitiveRank = map[string]int{
	"probe": 0, "cancel": 1, "demote": 2, "stop": 3, "start": 4, "promote": 5, "monitor": 6, "migrate_to": 7, "migrate_from": 8,
	"delete":     4, // with the start
	"lrm_delete": 4, // (the controller's, when a shutdown lock expires)
	"notify":     9, // notifications are created last, when the graph is written
}

// collectiveSteps lists a clone's pseudo actions in creation order: each
// step, its completion, then its notifications.
var collectiveSteps = [][2]string{{"start", "running"}, {"stop", "stopped"}, {"promote", "promoted"}, {"demote", "demoted"}}

func collectiveRank(task string) int {
	for i, st := range collectiveSteps {
		for j, t := range []string{st[0], st[1], "pre_notify_" + st[0], "confirmed-pre_notify_" + st[0],
			"post_notify_" + st[1], "confirmed-post_notify_" + st[1]} {
			if task == t {
				return i*6 + j
			}
		}
	}
	return 0
}

// pseudoOp adds a collective's pseudo action.
func (s *scheduler) pseudoOp(id, task string, after []int) int {
	a := s.add(Action{Resource: id, Task: task, Pseudo: true, After: append([]int(nil), after...),
		Reason: fmt.Sprintf("%s of %s", task, id)})
	s.collective[id+" "+task] = a
	return a
}

// addAfter makes action id wait for before.
func (s *scheduler) addAfter(id int, before ...int) {
	a := &s.plan.Actions[id-1]
	for _, b := range before {
		if b == 0 || b == id || containsInt(a.After, b) {
			continue
		}
		a.After = append(a.After, b)
	}
}

func containsInt(list []int, x int) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// collectiveOps adds the pseudo actions of one group, clone or group
// instance and ties them in: begin lists, by task, what its step starts
// (each waits for the pseudo action), end what the step's completion
// waits for. For primitives they are the same actions; for a clone of
// groups they are the group instances' own pseudo actions.
//
// keep says what a collective that stops members but keeps running gets
// although nothing of it starts: a group its start (Pacemaker restarts a
// group as a whole), the first clone of a clone-one-or-more order its
// start and running (its stopping instances' starts are required there,
// if unrunnable).
type keepSteps int

const (
	keepNone keepSteps = iota
	keepStart
	keepRunning
	keepStop      // a group's stop only, when a member's stop cannot happen
	keepNoRunning // a start but no running: not all of it may start
)

func (s *scheduler) collectiveOps(id string, begin, end map[string][]int, promotable bool, keep keepSteps) {
	var demoted, stopped, running int
	if promotable && len(begin["demote"]) > 0 {
		demote := s.pseudoOp(id, "demote", nil)
		demoted = s.pseudoOp(id, "demoted", append([]int{demote}, end["demote"]...))
		for _, a := range begin["demote"] {
			s.addAfter(a, demote)
		}
	}
	if len(begin["stop"]) > 0 || keep == keepStop {
		stop := s.pseudoOp(id, "stop", nil)
		if demoted != 0 {
			s.addAfter(stop, demoted)
		}
		if keep != keepStop {
			stopped = s.pseudoOp(id, "stopped", append([]int{stop}, end["stop"]...))
		}
		for _, a := range begin["stop"] {
			s.addAfter(a, stop)
		}
	}
	if len(begin["start"]) > 0 || (stopped != 0 && (keep == keepStart || keep == keepRunning)) {
		start := s.pseudoOp(id, "start", nil)
		if stopped != 0 {
			s.addAfter(start, stopped)
		}
		s.addAfter(start, begin["probe"]...)
		if (len(begin["start"]) > 0 && keep != keepNoRunning) || keep == keepRunning {
			running = s.pseudoOp(id, "running", append([]int{start}, end["start"]...))
		}
		for _, a := range begin["start"] {
			s.addAfter(a, start)
		}
	}
	if promotable && len(begin["promote"]) > 0 {
		promote := s.pseudoOp(id, "promote", nil)
		s.addAfter(promote, running, demoted)
		s.pseudoOp(id, "promoted", append([]int{promote}, end["promote"]...))
		for _, a := range begin["promote"] {
			s.addAfter(a, promote)
		}
	}
}

// taskOf names an action's task as the ranks do: a probe is a monitor
// with no interval.
func taskOf(a Action) string {
	if a.Task == "monitor" && a.Interval == 0 {
		return "probe"
	}
	return a.Task
}

// addCollectives adds the pseudo actions of every group and clone that
// has something to do.
// bundleOf finds a bundle by id (nil for "" or none).
func (s *scheduler) bundleOf(id string) *Bundle {
	for _, b := range s.cl.Bundles {
		if id != "" && b.ID == id {
			return b
		}
	}
	return nil
}

// bundleCollectives adds a bundle's own pseudo actions: its start and
// stop (and promote and demote) enclose its containers' and its
// primitive's clone's; a connection is probed once its container runs.
func (s *scheduler) bundleCollectives() {
	byRsc := map[string][]int{}
	for _, a := range s.plan.Actions {
		byRsc[a.Resource] = append(byRsc[a.Resource], a.ID)
	}
	for _, b := range s.cl.Bundles {
		begin, end := map[string][]int{}, map[string][]int{}
		for _, rep := range b.Replicas {
			for _, id := range byRsc[rep.Container] {
				if t := taskOf(s.plan.Actions[id-1]); t == "start" || t == "stop" {
					begin[t] = append(begin[t], id)
					end[t] = append(end[t], id)
				}
			}
			// The address is watched once the container runs.
			for _, mon := range byRsc[rep.IP] {
				if a := s.plan.Actions[mon-1]; a.Task == "monitor" && a.Interval > 0 {
					for _, start := range byRsc[rep.Container] {
						if s.plan.Actions[start-1].Task == "start" {
							s.addAfterNoCycle(mon, start)
						}
					}
				}
			}
			if rep.Connection == "" {
				continue
			}
			for _, probe := range byRsc[rep.Connection] {
				if taskOf(s.plan.Actions[probe-1]) != "probe" {
					continue
				}
				for _, start := range byRsc[rep.Container] {
					if s.plan.Actions[start-1].Task == "start" {
						s.addAfterNoCycle(probe, start)
					}
				}
			}
		}
		promotable := false
		if c := b.Child; c != nil {
			promotable = c.Promotable
			for _, st := range collectiveSteps {
				if id := s.collective[c.ID+" "+st[0]]; id != 0 {
					begin[st[0]] = append(begin[st[0]], id)
				}
				if id := s.collective[c.ID+" "+st[1]]; id != 0 {
					end[st[0]] = append(end[st[0]], id)
				}
			}
		}
		s.collectiveOps(b.ID, begin, end, promotable, keepNone)
	}
}

func (s *scheduler) addCollectives() {
	s.collective = map[string]int{}
	s.instance = map[int]string{}
	groups := map[string]bool{}
	for _, g := range s.cl.Groups {
		groups[g.ID] = true
	}
	byRsc := map[string][]int{} // resource -> its actions
	for _, a := range s.plan.Actions {
		byRsc[a.Resource] = append(byRsc[a.Resource], a.ID)
	}
	tasks := func(ids []int) map[string][]int {
		out := map[string][]int{}
		for _, id := range ids {
			t := taskOf(s.plan.Actions[id-1])
			out[t] = append(out[t], id)
		}
		return out
	}
	done := map[string]bool{}
	for _, u := range s.units {
		switch {
		case u.clone != nil:
			num := s.instanceNumbers(u)
			var all []int
			perNode := map[string][]int{}
			for _, m := range u.members {
				for _, id := range byRsc[m.ID] {
					a := s.plan.Actions[id-1]
					k := num[a.Node]
					if taskOf(a) == "probe" && !s.hasInstanceOn(u, a.Node) {
						k = 0 // a node with no instance is probed by the first one
					}
					s.instance[id] = fmt.Sprintf("%s:%d", m.ID, k)
					if h := s.historyInstance[id]; h != "" {
						s.instance[id] = h // a clean-up of the history that instance left
					}
					all = append(all, id)
					perNode[a.Node] = append(perNode[a.Node], id)
				}
			}
			if g := u.clone.Group; g != nil {
				// (Members that may not run: the instances, and the clone,
				// never get to running.)
				partial := keepNone
				if s.groupCloneCut(u) < len(u.members) {
					partial = keepNoRunning
				}
				// The clone's steps go through its group instances'.
				begin, end := map[string][]int{}, map[string][]int{}
				for _, n := range s.cl.Nodes {
					ids := perNode[n.Uname]
					if len(ids) == 0 {
						continue
					}
					inst := fmt.Sprintf("%s:%d", g.ID, num[n.Uname])
					t := tasks(ids)
					begin["probe"] = append(begin["probe"], t["probe"]...)
					s.collectiveOps(inst, withoutProbes(t), withoutProbes(tasks(ids)), false, partial)
					for _, st := range collectiveSteps {
						if c := s.collective[inst+" "+st[0]]; c != 0 {
							begin[st[0]] = append(begin[st[0]], c)
						}
						if c := s.collective[inst+" "+st[1]]; c != 0 {
							end[st[0]] = append(end[st[0]], c)
						}
					}
				}
				s.collectiveOps(u.clone.ID, begin, end, u.clone.Promotable, partial)
				continue
			}
			keep := keepNone
			if len(s.targets[u.id]) > 0 && (s.relaxedFirst[u.id] || s.inhibitedActive(u)) {
				keep = keepRunning
			}
			s.collectiveOps(u.clone.ID, tasks(all), tasks(all), u.clone.Promotable, keep)
			if cib.IsTrue(u.clone.Meta["notify"]) && u.clone.Group == nil {
				r := u.clone.Primitive
				var before, after []notifyTarget
				for _, n := range s.cl.Nodes {
					if st := r.State[n.Uname]; st != nil && st.Active && n.Online && !n.Unclean {
						before = append(before, notifyTarget{r, n.Uname, fmt.Sprintf("%s:%d", r.ID, num[n.Uname])})
					}
					if slices.Contains(s.targets[u.id], n.Uname) {
						after = append(after, notifyTarget{r, n.Uname, fmt.Sprintf("%s:%d", r.ID, num[n.Uname])})
					}
				}
				s.notifications(u.clone.ID, before, after, []*Resource{r})
			}
		case u.members[0].Unique != nil:
			c := u.members[0].Unique
			if done[c.ID] {
				continue
			}
			done[c.ID] = true
			var all []int
			for _, iu := range s.uniqueInstances(c.ID) {
				for _, m := range iu.members {
					all = append(all, byRsc[m.ID]...)
				}
			}
			s.collectiveOps(c.ID, tasks(all), tasks(all), c.Promotable, keepNone)
			if cib.IsTrue(c.Meta["ordered"]) {
				// Instances start one after the other, and stop in reverse.
				var prevStarts, prevStops []int
				for _, iu := range s.uniqueInstances(c.ID) {
					t := tasks(byRsc[iu.members[0].ID])
					if len(t["start"]) > 0 {
						for _, a := range t["start"] {
							s.addAfter(a, prevStarts...)
						}
						prevStarts = t["start"]
					}
					if len(t["stop"]) > 0 {
						for _, a := range prevStops {
							s.addAfter(a, t["stop"]...)
						}
						prevStops = t["stop"]
					}
				}
			}
			if cib.IsTrue(c.Meta["notify"]) {
				var before, after []notifyTarget
				var rscs []*Resource
				for _, iu := range s.uniqueInstances(c.ID) {
					r := iu.members[0]
					rscs = append(rscs, r)
					for _, n := range r.ActiveOn() {
						if nd := s.node(n); nd != nil && nd.Online && !nd.Unclean {
							before = append(before, notifyTarget{r, n, ""})
						}
					}
					if t := s.target[r.ID]; t != "" {
						after = append(after, notifyTarget{r, t, ""})
					}
				}
				s.notifications(c.ID, before, after, rscs)
			}
		case groups[u.id]:
			var all []int
			for _, m := range u.members {
				all = append(all, byRsc[m.ID]...)
			}
			// A group keeps its start when a member that could run stops
			// for one before it, or one may not start for want of quorum.
			keep := keepNone
			runs, victim := false, false
			for i, m := range u.members {
				runs = runs || s.target[m.ID] != ""
				for _, n := range m.ActiveOn() {
					victim = victim || (i > 0 && s.target[m.ID] == "" && !m.Disabled() && !s.memberBanned(m, n))
				}
				if s.withQuorum != nil && s.withQuorum.target[m.ID] != "" {
					keep = keepStart
				}
			}
			if runs && (victim || len(withoutProbes(tasks(all))["start"]) > 0) {
				keep = keepStart
			}
			// A member left blocked where it runs: the group never
			// stops (nor starts) as a whole.
			stops := len(withoutProbes(tasks(all))["stop"]) > 0
			for _, m := range u.members {
				if m.FailBlocked && len(m.ActiveOn()) > 0 && (stops || m.Disabled()) && len(withoutProbes(tasks(all))["start"]) == 0 {
					keep = keepStop
				}
			}
			if keep == keepNone && len(withoutProbes(tasks(all))["start"]) > 0 {
				// A member that may not run there: the group never gets
				// to running.
				for _, m := range u.members {
					if s.target[m.ID] == "" && m.Managed {
						keep = keepNoRunning
					}
				}
			}
			s.collectiveOps(u.id, withoutProbes(tasks(all)), withoutProbes(tasks(all)), false, keep)
		}
	}
}

// withoutProbes: a group's start does not wait for its members' probes
// (each member's start does); only a clone's start waits for them.
func withoutProbes(m map[string][]int) map[string][]int {
	delete(m, "probe")
	return m
}

// hasInstanceOn reports whether a clone has an instance on a node: one
// active there, or placed there.
func (s *scheduler) hasInstanceOn(u *unit, node string) bool {
	for _, m := range u.members {
		if st := m.State[node]; st != nil && st.Active {
			return true
		}
	}
	return slices.Contains(s.allocOrder[u.id], node)
}

// instanceNumbers numbers an anonymous clone's instances by node: the
// nodes it is active on in the order Pacemaker reads their history, then
// new nodes in allocation order, then any other node.
func (s *scheduler) instanceNumbers(u *unit) map[string]int {
	if b := s.bundleOf(u.members[0].Bundle); b != nil {
		// A bundle's primitive is numbered by replica: N runs on B-N.
		num := map[string]int{}
		for i, rep := range b.Replicas {
			num[rep.Connection] = i
		}
		return num
	}
	nodes := append([]*Node(nil), s.cl.Nodes...)
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].HistoryRank < nodes[j].HistoryRank })
	num := map[string]int{}
	used := map[int]bool{}
	// Each node gets the lowest instance number not yet taken.
	give := func(n string) {
		if _, ok := num[n]; !ok {
			k := 0
			for used[k] {
				k++
			}
			num[n], used[k] = k, true
		}
	}
	// An instance on a node being fenced keeps its number when the clone
	// requires fencing, or runs on every node; otherwise it is an orphan
	// (numbered after clone-max), leaving its number to a clean node.
	max := len(s.cl.Nodes)
	if u.clone != nil && u.clone.Max >= 0 {
		max = u.clone.Max
	}
	orphan := max
	for _, n := range nodes {
		for _, m := range u.members {
			st := m.State[n.Uname]
			switch {
			case st == nil:
			case st.Active:
				give(n.Uname)
			case st.fencedActive && s.requires(m) != "fencing" && max != len(s.cl.Nodes):
				if _, ok := num[n.Uname]; !ok {
					num[n.Uname], used[orphan] = orphan, true
					orphan++
				}
			case st.fencedActive:
				give(n.Uname)
			}
		}
	}
	// An instance leaving its node takes the first new node (it moves
	// there); new nodes left over get new instances.
	alloc := map[string]bool{}
	for _, n := range s.allocOrder[u.id] {
		alloc[n] = true
	}
	var leaving []string
	for _, n := range nodes {
		if k, active := num[n.Uname]; active && !alloc[n.Uname] && k < max {
			leaving = append(leaving, n.Uname) // (an orphan instance stops for good)
		}
	}
	if len(leaving) > 0 && len(s.allocOrder[u.id]) > 0 {
		// Only an instance on a node still allowed to it moves; one banned
		// from its node stops, and a new instance starts elsewhere.
		s.reporting = true
		allowed := s.ownScores(u, false) // (its locations only, as its instances have)
		s.reporting = false
		kept := leaving[:0]
		for _, n := range leaving {
			if allowed[n] >= 0 {
				kept = append(kept, n)
			}
		}
		leaving = kept
	}
	sort.SliceStable(leaving, func(i, j int) bool { return num[leaving[i]] < num[leaving[j]] })
	order := s.allocOrder[u.id]
	if a, ok := s.assignedTo[u.id]; ok {
		order = a // (numbered before orders took instances away)
	}
	for _, n := range order {
		if _, ok := num[n]; ok {
			continue
		}
		if len(leaving) > 0 {
			num[n] = num[leaving[0]]
			leaving = leaving[1:]
			continue
		}
		give(n)
	}
	for _, n := range nodes {
		give(n.Uname)
	}
	return num
}

// graphOrder sorts the plan's actions into Pacemaker's graph order and
// renumbers them.
func (s *scheduler) graphOrder() {
	type key struct {
		top, sub, member, rank, seq int
	}
	topOf := map[string]int{} // resource or collective -> top-level position
	subOf := map[string]int{} // instance (or unique instance) -> position in its clone
	memOf := map[string]int{} // member -> position in its group (0: the group itself)
	for _, u := range s.units {
		top := Infinity
		for _, m := range u.members {
			if s.capacityOrder != nil {
				top = min(top, s.capacityOrder[m.ID])
			} else {
				top = min(top, m.Order)
			}
		}
		ids := []string{u.id}
		if u.members[0].Unique != nil {
			c := u.members[0].Unique
			ids = append(ids, c.ID)
			for i, iu := range s.uniqueInstances(c.ID) {
				if iu == u {
					subOf[u.members[0].ID] = i + 1
				}
				for _, m := range iu.members {
					if s.capacityOrder != nil {
						top = min(top, s.capacityOrder[m.ID])
					} else {
						top = min(top, m.Order)
					}
				}
			}
		}
		if u.clone != nil && u.clone.Group != nil {
			ids = append(ids, u.clone.Group.ID)
		}
		for _, id := range ids {
			if old, ok := topOf[id]; !ok || top < old {
				topOf[id] = top
			}
		}
		for i, m := range u.members {
			topOf[m.ID] = top
			memOf[m.ID] = i + 1
		}
	}
	// A bundle's parts are one top-level resource, replica by replica,
	// its primitive's clone after them.
	for _, b := range s.cl.Bundles {
		top := Infinity
		for _, r := range s.cl.Resources {
			if r.Bundle == b.ID {
				top = min(top, topOf[r.ID])
			}
		}
		topOf[b.ID] = top
		for i, rep := range b.Replicas {
			for j, id := range []string{rep.IP, rep.Container, rep.Connection} {
				if id != "" {
					topOf[id], subOf[id], memOf[id] = top, i+1, j+1
				}
			}
		}
		subOf[b.ID] = Infinity
		if b.Child != nil && b.Child.Primitive != nil {
			topOf[b.Child.ID], topOf[b.Child.Primitive.ID] = top, top
		}
	}
	bundleChild := map[string]bool{}
	for _, b := range s.cl.Bundles {
		if b.Child != nil && b.Child.Primitive != nil {
			bundleChild[b.Child.ID], bundleChild[b.Child.Primitive.ID] = true, true
		}
	}
	clones := map[string]bool{}
	for _, c := range s.cl.Clones {
		clones[c.ID] = true
	}
	for _, r := range s.cl.Resources {
		if r.Unique != nil {
			clones[r.Unique.ID] = true
		}
	}
	rsc := map[string]*Resource{}
	for _, r := range s.cl.Resources {
		rsc[r.ID] = r
	}
	keys := make([]key, len(s.plan.Actions))
	for i, a := range s.plan.Actions {
		k := key{top: 2 * Infinity, seq: -i}
		name := a.Resource
		if inst := s.instance[a.ID]; inst != "" {
			name = inst
		}
		base, num, isInst := cutInstance(name)
		switch {
		case a.Task == "fence" || a.Resource == "":
			// Node actions come after every resource's, newest first.
		case a.Pseudo && s.collective[a.Resource+" "+a.Task] == a.ID:
			k.top = topOf[base]
			k.rank = -collectiveRank(a.Task)
			switch {
			case isInst:
				k.sub = num + 1 // a group instance: before its members
			case clones[a.Resource]:
				k.sub = Infinity // a clone lists its instances first
			case s.bundleOf(a.Resource) != nil:
				k.sub = 2 * Infinity // a bundle lists its parts first
			}
		default:
			k.top = topOf[a.Resource]
			if top, ok := s.cl.orphanOrder[a.Resource]; ok && rsc[a.Resource] == nil {
				k.top = top // the history of a resource no longer configured
			}
			k.member = memOf[a.Resource]
			// Ranks order a resource's actions by when Pacemaker creates
			// them, the newest listed first: while allocating (probes,
			// then the way down and up), before that while checking the
			// history against the configuration, and before that while
			// reading the history.
			k.rank = -10 * primitiveRank[taskOf(a)]
			switch {
			case a.Task == "cancel" && s.fromHistory[a.ID]:
				k.rank = 30 // a monitor no longer configured, or in maintenance
			case a.Task == "clear_failcount" && s.fromHistory[a.ID]:
				k.rank = 14 // once a changed operation was checked
			case s.fromHistory[a.ID], a.Task == "start" && s.forcedStart[a.Resource+" "+a.Node]:
				k.rank = 15 // the configuration changed since the history
			case a.Task == "stop" && s.agentChanged[a.Resource+" "+a.Node]:
				k.rank = 16 // created just before its clean-up
			case a.Task == "clear_failcount":
				k.rank = 50 // created first of all, while the history is read
			case a.Task == "cancel" && !s.earlyCancel[a.ID]:
				k.rank = -10 * primitiveRank["monitor"]
			}
			if r := rsc[a.Resource]; r != nil && r.State[a.Node] != nil {
				st := r.State[a.Node]
				switch {
				case a.Task == "stop" && st.Failed:
					// Pacemaker creates the stop of a failed resource while
					// reading its history...
					k.rank = 10
				case a.Task == "cancel" && !s.fromHistory[a.ID] && (st.MonitorActive[a.Interval] || st.monitorSeen[a.Interval]),
					a.Task == "monitor" && a.Interval > 0 && (st.MonitorActive[a.Interval] || st.monitorSeen[a.Interval]):
					// ... and, before that, an action for each recurring
					// monitor the history shows running.
					k.rank = 20
				}
			}
			if isInst {
				k.sub = num + 1
			} else {
				k.sub = subOf[a.Resource]
			}
		}
		if bundleChild[base] || bundleChild[a.Resource] {
			k.sub -= 3 * Infinity // a bundle's primitive comes before its replicas
		}
		keys[i] = k
	}
	idx := make([]int, len(s.plan.Actions))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := keys[idx[x]], keys[idx[y]]
		switch {
		case a.top != b.top:
			return a.top < b.top
		case a.sub != b.sub:
			return a.sub < b.sub
		case a.member != b.member:
			return a.member < b.member
		case a.rank != b.rank:
			return a.rank < b.rank
		}
		return a.seq < b.seq
	})
	renum := map[int]int{}
	out := make([]Action, len(idx))
	for newPos, old := range idx {
		renum[s.plan.Actions[old].ID] = newPos + 1
	}
	instances := map[int]string{}
	for newPos, old := range idx {
		a := s.plan.Actions[old]
		instances[newPos+1] = s.instance[a.ID]
		a.ID = newPos + 1
		after := make([]int, 0, len(a.After))
		for _, b := range a.After {
			after = append(after, renum[b])
		}
		sort.Ints(after)
		a.After = after
		a.Instance = instances[a.ID]
		out[newPos] = a
	}
	s.plan.Actions = out
}

// cutInstance splits "rsc:3" into ("rsc", 3, true).
func cutInstance(name string) (string, int, bool) {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == ':' {
			n := 0
			if _, err := fmt.Sscanf(name[i+1:], "%d", &n); err == nil && isDigits(name[i+1:]) {
				return name[:i], n, true
			}
			break
		}
	}
	return name, 0, false
}

// notifyTarget is an instance a notification goes to.
type notifyTarget struct {
	r          *Resource
	node, inst string
}

// notifications adds what a clone with notify=true does around each of
// its collective steps: a pre-notification to the instances active
// before, a post-notification to those active after, each confirmed as a
// whole (pseudo actions), as Pacemaker's graph has them.
//
// before are the instances active now, after those active once the
// transition is done; in between (after stopping, before starting) are
// those of before that do not stop. Demotion and promotion notify every
// instance active at the time.
func (s *scheduler) notifications(id string, before, after []notifyTarget, rscs []*Resource) {
	stopping := map[string]bool{}
	for _, a := range s.plan.Actions {
		if a.Task == "stop" {
			stopping[a.Resource+" "+a.Node] = true
		}
	}
	var remaining []notifyTarget
	for _, t := range before {
		if !stopping[t.r.ID+" "+t.node] {
			remaining = append(remaining, t)
		}
	}
	targets := map[string][2][]notifyTarget{
		"demote": {before, before}, "stop": {before, remaining}, "start": {remaining, after}, "promote": {after, after},
	}
	notify := func(t notifyTarget, wait int) int {
		a := s.action(t.r, "notify", t.node, 0, "notify "+t.r.ID+" on "+t.node, []int{wait})
		if t.inst != "" {
			s.instance[a] = t.inst
		}
		return a
	}
	confirmedPost := map[string]int{}
	for _, step := range collectiveSteps {
		task, done := step[0], step[1]
		act, fin := s.collective[id+" "+task], s.collective[id+" "+done]
		if act == 0 {
			continue
		}
		pre := s.pseudoOp(id, "pre_notify_"+task, nil)
		var preActs []int
		for _, t := range targets[task][0] {
			preActs = append(preActs, notify(t, pre))
		}
		confPre := s.pseudoOp(id, "confirmed-pre_notify_"+task, append([]int{pre}, preActs...))
		s.addAfter(act, confPre)
		if fin == 0 {
			continue
		}
		post := s.pseudoOp(id, "post_notify_"+done, []int{fin, confPre})
		var postActs []int
		for _, t := range targets[task][1] {
			postActs = append(postActs, notify(t, post))
		}
		confirmedPost[done] = s.pseudoOp(id, "confirmed-post_notify_"+done, append([]int{post}, postActs...))
	}
	// One step's notifications follow the previous step's: demote, stop,
	// start, promote.
	for _, o := range [][2]string{{"demoted", "stop"}, {"stopped", "start"}, {"demoted", "promote"}, {"running", "promote"}} {
		if c, p := confirmedPost[o[0]], s.collective[id+" pre_notify_"+o[1]]; c != 0 && p != 0 {
			s.addAfter(p, c)
		}
	}
	// Recurring monitors begin once the notifications are confirmed.
	ours := map[string]bool{}
	for _, r := range rscs {
		ours[r.ID] = true
	}
	for _, a := range s.plan.Actions {
		if ours[a.Resource] && a.Task == "monitor" && a.Interval > 0 {
			for _, c := range confirmedPost {
				s.addAfter(a.ID, c)
			}
		}
	}
}
