package engine

import (
	"fmt"
	"sort"
	"time"
)

// The STONITH notes, in Pacemaker's words, so administrators recognise
// them.
var stonithNotes = []string{
	"Resource start-up disabled since no STONITH resources have been defined",
	"Either configure some or disable STONITH with the stonith-enabled option",
	"NOTE: Clusters with shared data need STONITH to ensure data integrity",
}

// Schedule computes the plan for a CIB. It is a pure function of its input.
func Schedule(in Input) (*Plan, error) {
	cl, err := Unpack(in.CIB, in.Now)
	if err != nil {
		return nil, err
	}
	s := &scheduler{cl: cl, plan: &Plan{Notes: append([]string(nil), cl.Notes...)}, assigned: map[string]int{}}
	s.run()
	return s.plan, nil
}

type scheduler struct {
	cl       *Cluster
	plan     *Plan
	assigned map[string]int // resources placed per node, for balancing
}

func (s *scheduler) add(a Action) int {
	a.ID = len(s.plan.Actions) + 1
	s.plan.Actions = append(s.plan.Actions, a)
	return a.ID
}

func (s *scheduler) run() {
	cl := s.cl
	canStart := true
	if cl.StonithEnabled && !s.hasStonithDevice() {
		canStart = false
		s.plan.Notes = append(s.plan.Notes, stonithNotes...)
	}
	stopAll := false
	if !cl.HaveQuorum {
		switch cl.NoQuorumPolicy {
		case "ignore":
		case "freeze":
			canStart = false
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy=freeze keeps resources where they run and starts none")
		default:
			canStart, stopAll = false, true
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy="+cl.NoQuorumPolicy+" stops all resources")
		}
	}
	for _, n := range cl.Nodes {
		if n.Unclean {
			s.plan.Notes = append(s.plan.Notes, fmt.Sprintf("Node %s is unclean: its resources cannot be recovered until it is fenced or returns", n.Uname))
		}
	}
	rscs := append([]*Resource(nil), cl.Resources...)
	sort.SliceStable(rscs, func(i, j int) bool {
		if rscs[i].Priority != rscs[j].Priority {
			return rscs[i].Priority > rscs[j].Priority
		}
		return rscs[i].Order < rscs[j].Order
	})
	for _, r := range rscs {
		s.resource(r, canStart, stopAll)
	}
}

func (s *scheduler) hasStonithDevice() bool {
	for _, r := range s.cl.Resources {
		if r.Class == "stonith" {
			return true
		}
	}
	return false
}

// scores gives each node's score for r.
func (s *scheduler) scores(r *Resource) map[string]int {
	out := map[string]int{}
	for _, n := range s.cl.Nodes {
		base := 0
		if !s.cl.Symmetric {
			base = -Infinity
		}
		out[n.Uname] = base
	}
	for _, l := range s.cl.Constraints {
		if l.Resource == r.ID {
			if _, ok := out[l.Node]; ok {
				if !s.cl.Symmetric && out[l.Node] == -Infinity && l.Score > -Infinity {
					out[l.Node] = l.Score
				} else {
					out[l.Node] = addScores(out[l.Node], l.Score)
				}
			}
		}
	}
	for _, n := range s.cl.Nodes {
		st := r.State[n.Uname]
		if st != nil && st.Active && !st.Failed {
			out[n.Uname] = addScores(out[n.Uname], r.Stickiness)
		}
		if st != nil && r.MigrationThreshold > 0 && st.FailCount >= r.MigrationThreshold {
			out[n.Uname] = -Infinity
		}
		if !n.Online || n.Standby || n.Unclean {
			out[n.Uname] = -Infinity
		}
	}
	return out
}

// choose picks the best node: highest score, then the node it runs on,
// then the node with fewer resources placed, then the name.
func (s *scheduler) choose(r *Resource, scores map[string]int) string {
	best := ""
	for _, n := range s.cl.Nodes {
		sc := scores[n.Uname]
		if sc <= -Infinity {
			continue
		}
		if best == "" {
			best = n.Uname
			continue
		}
		bs := scores[best]
		switch {
		case sc > bs:
			best = n.Uname
		case sc < bs:
		case s.activeOn(r, n.Uname) != s.activeOn(r, best):
			// Pacemaker prefers the current node on a tie, even when the
			// resource failed there (it is then recovered in place).
			if s.activeOn(r, n.Uname) {
				best = n.Uname
			}
		case s.assigned[n.Uname] < s.assigned[best]:
			best = n.Uname
		}
	}
	return best
}

func (s *scheduler) activeOn(r *Resource, node string) bool {
	st := r.State[node]
	return st != nil && st.Active
}

func (s *scheduler) timeout(r *Resource, task string, interval time.Duration) time.Duration {
	for _, op := range r.Ops {
		if op.Name == task && op.Interval == interval && op.Timeout > 0 {
			return op.Timeout
		}
	}
	return r.DefaultTimeout
}

func (s *scheduler) action(r *Resource, task, node string, interval time.Duration, reason string, after []int) int {
	meta := map[string]string{}
	for k, v := range r.Meta {
		meta[k] = v
	}
	for _, op := range r.Ops {
		if op.Name == task && op.Interval == interval {
			for k, v := range op.Attrs {
				meta[k] = v
			}
		}
	}
	expected := 0
	if task == "monitor" && interval == 0 {
		expected = 7
	}
	return s.add(Action{Resource: r.ID, Class: r.Class, Provider: r.Provider, Type: r.Type, Task: task, Interval: interval,
		Node: node, Timeout: s.timeout(r, task, interval), Params: r.Params, Meta: meta, ExpectedRC: expected,
		After: after, Reason: reason})
}

func (s *scheduler) resource(r *Resource, canStart, stopAll bool) {
	active := r.ActiveOn()
	current := ""
	if len(active) == 1 {
		current = active[0]
	}
	target := ""
	scores := s.scores(r)
	switch {
	case r.Blocked:
		target = current
		s.plan.Notes = append(s.plan.Notes, fmt.Sprintf("Cannot recover %s: it may still run on an unclean node", r.ID))
	case !r.Managed:
		target = current
	case stopAll || r.Disabled():
	case !canStart:
		// Keep what runs where it is allowed to; start nothing.
		if current != "" && scores[current] > -Infinity && !r.State[current].Failed {
			target = current
		}
	default:
		target = s.choose(r, scores)
	}
	if target != "" {
		s.assigned[target]++
	}
	role := "Stopped"
	if target != "" {
		role = "Started"
	}
	s.plan.Placements = append(s.plan.Placements, Placement{Resource: r.ID, Node: target, Role: role})
	if !r.Managed || r.Blocked {
		return
	}
	for _, st := range r.State {
		if st.Pending {
			return // an operation is in progress: wait for its result
		}
	}

	// Probes on online nodes with no history of the resource.
	var probes []int
	for _, n := range s.cl.Nodes {
		if n.Online && (r.State[n.Uname] == nil || !r.State[n.Uname].Known) {
			probes = append(probes, s.action(r, "monitor", n.Uname, 0, "probe", nil))
		}
	}
	// Probes go first; what follows assumes they find it where the
	// history says (Pacemaker plans the same way, and the DC recomputes
	// once the probes have answered).

	// Stops.
	var stops []int
	restart := false
	for _, node := range active {
		st := r.State[node]
		switch {
		case node != target:
			reason := "stop: target-role=Stopped"
			switch {
			case len(active) > 1:
				reason = "stop: active on more than one node"
			case target != "":
				reason = fmt.Sprintf("move %s from %s to %s", r.ID, node, target)
			case stopAll:
				reason = "stop: no quorum"
			case st.Failed:
				reason = "stop failed " + r.ID
			}
			stops = append(stops, s.action(r, "stop", node, 0, reason, nil))
		case st.Failed || len(active) > 1:
			stops = append(stops, s.action(r, "stop", node, 0, "recover "+r.ID+" on "+node, nil))
			restart = true
		}
	}
	if target == "" {
		return
	}
	st := r.State[target]
	running := st != nil && st.Active && !st.Failed && !restart
	var start int
	if !running {
		reason := "start " + r.ID + " on " + target
		if restart {
			reason = "recover " + r.ID + " on " + target
		} else if len(stops) > 0 {
			reason = fmt.Sprintf("move %s to %s", r.ID, target)
		}
		start = s.action(r, "start", target, 0, reason, append(stops, probes...))
	}
	for _, op := range r.Ops {
		if op.Name != "monitor" || op.Interval <= 0 {
			continue
		}
		if start != 0 {
			s.action(r, "monitor", target, op.Interval, "monitor "+r.ID, []int{start})
		} else if !st.MonitorActive[op.Interval] {
			s.action(r, "monitor", target, op.Interval, "monitor "+r.ID, nil)
		}
	}
}
