package engine

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
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
	// Without quorum, what the cluster would do with it tells which
	// starts are blocked for want of quorum.
	var ws *scheduler
	if !cl.HaveQuorum && cl.NoQuorumPolicy != "ignore" {
		if with, err := Unpack(in.CIB, in.Now); err == nil {
			with.HaveQuorum = true
			ws = newScheduler(with, in.Now)
			ws.run()
		}
	}
	s := newScheduler(cl, in.Now)
	s.reportScores = in.Scores
	s.withQuorum = ws
	s.run()
	if ws != nil {
		// Show what would start with quorum, as blocked.
		cause := "no quorum"
		if cl.NoQuorumPolicy == "freeze" {
			cause = "quorum freeze"
		}
		rsc := map[string]*Resource{}
		for _, r := range cl.Resources {
			rsc[r.ID] = r
		}
		started := map[string]bool{}
		for _, a := range s.plan.Actions {
			if a.Task == "start" {
				started[a.Resource+" "+a.Node] = true
			}
		}
		promoted := map[string]bool{}
		for _, a := range ws.plan.Actions {
			if a.Task == "promote" {
				promoted[a.Resource+" "+a.Node] = true
			}
		}
		for _, a := range ws.plan.Actions {
			r := rsc[a.Resource]
			if a.Task != "start" || a.Pseudo || r == nil || started[a.Resource+" "+a.Node] || len(r.ActiveOn()) > 0 {
				continue
			}
			b := BlockedStart{Resource: a.Resource, Instance: a.Instance, Node: a.Node, Cause: cause}
			if promoted[a.Resource+" "+a.Node] {
				// (Pacemaker words it by the promotion, which has no cause.)
				b.Task, b.Cause = "promote", ""
			}
			s.plan.Blocked = append(s.plan.Blocked, b)
		}
		// What would stop even with quorum stops for want of a node,
		// not of quorum.
		for _, a := range s.plan.Actions {
			r := rsc[a.Resource]
			if a.Task != "stop" || a.Pseudo || r == nil {
				continue
			}
			if r.Clone != nil && len(ws.targets[r.ID]) < len(r.ActiveOn()) && !slices.Contains(ws.targets[r.ID], a.Node) ||
				r.Clone == nil && ws.target[r.ID] == "" {
				s.causeOn(r.ID, a.Node, "node availability")
			}
		}
	}
	return s.plan, nil
}

func newScheduler(cl *Cluster, now time.Time) *scheduler {
	s := &scheduler{cl: cl, now: now, plan: &Plan{Notes: append([]string(nil), cl.Notes...)},
		assigned: map[string]int{}, target: map[string]string{}, targets: map[string][]string{}, allocOrder: map[string][]string{}, starts: map[string][]int{}, stops: map[string][]int{},
		promoted: map[string][]string{}, promotes: map[string][]int{},
		locationsOf:   indexBy(len(cl.Constraints), func(i int) string { return cl.Constraints[i].Resource }),
		rulesOf:       indexBy(len(cl.Rules), func(i int) string { return cl.Rules[i].Resource }),
		colocationsOf: indexBy(len(cl.Colocations), func(i int) string { return cl.Colocations[i].Resource }),
		colocatedWith: indexBy(len(cl.Colocations), func(i int) string { return cl.Colocations[i].With }),
		ordersOf:      indexBy(2*len(cl.Orders), func(i int) string { return [2]string{cl.Orders[i/2].First, cl.Orders[i/2].Then}[i%2] }),
		relaxedFirsts: map[string][]string{}, relaxedOps: map[string]int{}, relaxedFirst: map[string]bool{}, migrationStops: map[int]bool{}, orderBlocked: map[string]bool{},
		assignedTo: map[string][]string{}, inhibited: map[string]map[string]bool{}, noMigration: map[string]string{},
	}
	for _, o := range cl.Orders {
		if strings.HasPrefix(o.Relaxed, "clone-one-or-more:") {
			s.relaxedFirst[o.First] = true
		}
		if o.Relaxed != "" && !slices.Contains(s.relaxedFirsts[o.Relaxed], o.First) {
			s.relaxedFirsts[o.Relaxed] = append(s.relaxedFirsts[o.Relaxed], o.First)
		}
	}
	return s
}

func resourceByID(cl *Cluster, id string) *Resource {
	for _, r := range cl.Resources {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// unit is what is placed as a whole: a group, or a primitive on its own.
type unit struct {
	id      string
	members []*Resource
	clone   *Clone // an anonymous clone: members[0] runs on every node of targets[id]
}

type scheduler struct {
	cl       *Cluster
	now      time.Time
	plan     *Plan
	assigned map[string]int      // resources placed per node, for balancing
	target   map[string]string   // unit or resource id -> node ("" stopped)
	targets  map[string][]string // clone and its primitive -> the nodes it runs on
	// allocOrder is a clone's nodes in the order its instances were
	// allocated, which is how Pacemaker numbers new instances.
	allocOrder map[string][]string
	promoted   map[string][]string       // promotable clone and its primitive -> nodes promoted there
	promotes   map[string][]int          // resource -> its promote actions
	free       map[string]map[string]int // node -> utilization still free
	placed     map[string]bool           // units placed so far
	units      []*unit
	byID       map[string]*unit // unit by its id and by its members' ids
	starts     map[string][]int // resource -> its start actions
	stops      map[string][]int // resource -> its stop actions
	probes     map[string][]int // resource -> its probes
	fences     map[string]int   // node -> its fence action
	fenced     map[string][]int // resource -> the fences that stop it
	// collective holds the pseudo actions of groups and clones, by
	// "ID task"; instance names the clone instance of an action.
	collective map[string]int
	instance   map[int]string
	// earlyCancel marks cancels of a monitor for the role being left,
	// which Pacemaker creates before the role change itself.
	earlyCancel map[int]bool
	// fromHistory marks the actions Pacemaker creates while reading the
	// history (cancels of monitors no longer configured, clean-ups).
	fromHistory map[int]bool
	// historyInstance names a clone's clean-up by the instance its
	// history names.
	historyInstance map[int]string
	cleanups        map[string][]int // clean-ups by resource
	agentChanged    map[string]bool  // "rsc node" where it runs as another agent than configured
	// actionCauses are the causes of actions to come, by "rsc task node".
	actionCauses map[string]string
	forcedStart  map[string]bool // "rsc node": a start the history's changed parameters require
	// migrationStops marks the stops that end a live migration: optional
	// orders do not wait for them.
	migrationStops map[int]bool
	cancelled      map[string]bool // "rsc node interval" of monitors cancelled
	// capacityOrder is the resources' position once sorted for a
	// placement strategy (nil without one): Pacemaker's graph follows it.
	capacityOrder map[string]int
	// Positions in the cluster's lists of location constraints, location
	// rules and colocations, by the resource they constrain (and for
	// colocations also by the resource they are with): placement looks at
	// a unit's own constraints only, in their configured order.
	// reportScores records allocation scores as Pacemaker reports them
	// (before node availability counts); reporting is true while they
	// are being computed for that.
	reportScores, reporting                            bool
	locationsOf, rulesOf, colocationsOf, colocatedWith map[string][]int
	ordersOf                                           map[string][]int // by first and by then
	// relaxedFirsts lists, by one-or-more pseudo action, the firsts
	// ordered through it (each once).
	relaxedFirsts    map[string][]string
	relaxedOps       map[string]int     // the one-or-more pseudo actions of the plan
	relaxedFirst     map[string]bool    // clones that are firsts of clone-one-or-more orders
	instancesOf      map[string][]*unit // a unique clone's instances, in placement order (nil: to be indexed)
	promotionsChosen map[*Clone]bool
	orderBlocked     map[string]bool // clones kept from running by an order
	// assignedTo is a clone's allocation order before orders took
	// instances away (its instances keep the numbers it gave them), and
	// inhibited the nodes an interleaved order took its instance from.
	assignedTo map[string][]string
	inhibited  map[string]map[string]bool
	fillers    map[string][]*Resource // the resources inside a container, by container (nil: to be indexed)
	lockedTo   map[string]string      // resource -> the node a shutdown lock keeps it to
	// guestFences are the pseudo fencing of guest nodes, by node.
	guestFences map[string]int
	noMigration map[string]string // resource -> why it may not migrate, as Pacemaker words it
	// withQuorum is, when the partition has no quorum, the plan it would
	// make with quorum (nil otherwise).
	withQuorum *scheduler
}

// indexBy lists the positions of a cluster list's items by a key.
func indexBy(n int, key func(i int) string) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < n; i++ {
		out[key(i)] = append(out[key(i)], i)
	}
	return out
}

// positions merges the positions that an index holds for any of ids, in
// ascending order (each once).
func positions(index map[string][]int, ids map[string]bool) []int {
	var out []int
	for id := range ids {
		out = append(out, index[id]...)
	}
	sort.Ints(out)
	return slices.Compact(out)
}

func (s *scheduler) add(a Action) int {
	a.ID = len(s.plan.Actions) + 1
	s.plan.Actions = append(s.plan.Actions, a)
	return a.ID
}

func (s *scheduler) run() {
	cl := s.cl
	// Room for a probe per resource and node and a few more actions each:
	// the plan then grows without copying itself over and over.
	s.plan.Actions = slices.Grow(s.plan.Actions, len(cl.Resources)*(len(cl.Nodes)+4))
	if cl.StonithEnabled && !s.hasStonithDevice() {
		s.plan.Notes = append(s.plan.Notes, stonithNotes...)
	}
	if !cl.HaveQuorum {
		switch cl.NoQuorumPolicy {
		case "ignore":
		case "freeze":
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy=freeze keeps resources where they run and starts none")
		case "demote":
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy=demote demotes promoted instances and stops other resources")
		case "suicide":
			// (Unpack marked every node of this partition to be fenced.)
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy=suicide fences this partition")
		default:
			s.plan.Notes = append(s.plan.Notes, "No quorum: no-quorum-policy="+cl.NoQuorumPolicy+" stops all resources")
		}
	}
	s.buildUnits()
	s.shutdownLocks()
	// Fail counts that expired are cleared (Pacemaker plans this while
	// reading the history, ahead of everything else).
	for _, r := range cl.Resources {
		for _, n := range r.ClearFailCount {
			s.add(Action{Task: "clear_failcount", Resource: r.ID, Class: r.Class, Provider: r.Provider, Type: r.Type, Node: n,
				Reason: "the failure of " + r.ID + " on " + n + " expired (failure-timeout)"})
		}
	}
	// A lost ticket with loss-policy=fence fences the nodes its resources
	// run on.
	for _, u := range s.units {
		if effect, _ := s.ticketLoss(u); effect == "fence" {
			for _, m := range u.members {
				for _, n := range m.ActiveOn() {
					if nd := s.node(n); nd != nil && !nd.Unclean {
						nd.Unclean, nd.UncleanReason = true, "deadman ticket was lost"
						// What runs there stops with the fencing.
						for _, r := range s.cl.Resources {
							if st := r.State[n]; st != nil && (st.Active || st.Pending) {
								r.Blocked = true
							}
						}
					}
				}
			}
		}
	}
	s.placed = map[string]bool{}
	s.free = map[string]map[string]int{}
	for _, n := range cl.Nodes {
		s.free[n.Uname] = map[string]int{}
		for k, v := range n.Capacity {
			s.free[n.Uname][k] = v
		}
	}
	if cl.PlacementStrategy != "default" && cl.PlacementStrategy != "" {
		s.sortForCapacity()
	}
	// Connections are placed first; then the fencing of unclean nodes is
	// planned (a remote node whose connection will run again is not
	// fenced), and the rest placed.
	// Without quorum, nothing is fenced (but a partition fencing itself).
	noQuorum := !cl.HaveQuorum && cl.NoQuorumPolicy != "ignore" && cl.NoQuorumPolicy != "suicide"
	// Cluster nodes are fenced whatever happens to the connections, which
	// then leave them.
	s.fenceUnclean(noQuorum, false)
	fenced := false
	fence := func() {
		if !fenced {
			fenced = true
			s.failedRemotes()
			s.fenceUnclean(noQuorum, true)
		}
	}
	for _, u := range s.placementOrder() {
		if !isConnectionUnit(u) {
			fence()
		}
		canStart, stop := s.mayStart(u)
		s.place(u, canStart, stop)
		if isConnectionUnit(u) {
			s.connectionPlaced(u)
		}
		if c := u.members[0].Unique; c != nil && c.Promotable {
			// Once all its instances are placed, a unique promotable
			// clone's promotions are chosen (before what depends on them).
			all := true
			for _, iu := range s.uniqueInstances(c.ID) {
				all = all && s.placed[iu.id]
			}
			if all {
				s.chooseUniquePromotionsOf(c)
			}
		}
	}
	fence()
	s.chooseUniquePromotions()
	s.blockUnprobed()
	s.applyOrderBlocking()
	// A bundle's primitive stops with its replica's connection.
	for _, b := range s.cl.Bundles {
		if b.Child == nil || b.Child.Primitive == nil {
			continue
		}
		for _, rep := range b.Replicas {
			st := b.Child.Primitive.State[rep.Connection]
			if rep.Connection != "" && s.target[rep.Connection] == "" && st != nil && st.Active {
				s.causeOn(b.Child.Primitive.ID, rep.Connection, "unrunnable "+rep.Connection+" start")
			}
		}
	}
	for _, u := range s.units {
		if u.clone != nil && u.clone.Group != nil {
			for _, r := range u.members[:s.groupCloneCut(u)] {
				for _, n := range s.targets[u.id] {
					s.plan.Placements = append(s.plan.Placements, Placement{Resource: r.ID, Node: n, Role: "Started"})
				}
			}
			continue
		}
		if u.clone != nil {
			r := u.clone.Primitive
			prom := map[string]bool{}
			for _, n := range s.promoted[u.id] {
				prom[n] = true
			}
			for _, n := range s.allocOrder[u.id] {
				role := "Started"
				if u.clone.Promotable {
					role = "Unpromoted"
					if prom[n] {
						role = "Promoted"
					}
				}
				s.plan.Placements = append(s.plan.Placements, Placement{Resource: r.ID, Node: n, Role: role})
			}
			if len(s.targets[u.id]) == 0 {
				s.plan.Placements = append(s.plan.Placements, Placement{Resource: r.ID, Role: "Stopped"})
			}
			continue
		}
		for _, r := range u.members {
			role := "Stopped"
			if s.target[r.ID] != "" {
				role = "Started"
				if r.Unique != nil && r.Unique.Promotable {
					role = "Unpromoted"
					if len(s.promoted[r.ID]) > 0 {
						role = "Promoted"
					}
				}
			}
			s.plan.Placements = append(s.plan.Placements, Placement{Resource: r.ID, Node: s.target[r.ID], Role: role})
		}
	}
	s.probes = map[string][]int{}
	s.cancelOrphanMonitors()
	s.cleanUpHistory()
	for _, u := range s.units {
		s.actions(u)
	}
	s.restartDependents()
	s.remoteOrdering()
	s.addCollectives()
	s.bundleCollectives()
	s.orderFencedStops()
	s.orderAfterFencing()
	s.loadStopped()
	s.shutdowns()
	s.orderActions()
	s.graphOrder()
	s.historyNames()
}

func (s *scheduler) hasStonithDevice() bool { return s.cl.StonithDevices > 0 || s.cl.watchdog }

// uniqueInstances lists the units of a unique clone's instances.
func (s *scheduler) uniqueInstances(cloneID string) []*unit {
	if s.instancesOf == nil {
		// In the order they are placed in.
		s.instancesOf = map[string][]*unit{}
		for _, u := range s.units {
			if c := u.members[0].Unique; c != nil {
				s.instancesOf[c.ID] = append(s.instancesOf[c.ID], u)
			}
		}
	}
	return s.instancesOf[cloneID]
}

// fenceUnclean plans the fencing of unclean nodes, when there is a device
// and the partition may act. What ran on a fenced node is then stopped by
// the fencing: pseudo stops after it, and recovery elsewhere after those.
func (s *scheduler) fenceUnclean(noQuorum, remote bool) {
	if s.fences == nil {
		s.fences, s.fenced, s.guestFences = map[string]int{}, map[string][]int{}, map[string]int{}
	}
	for _, n := range s.cl.Nodes {
		if remote && n.guestReset {
			// A guest is "fenced" by recovering its container: a pseudo
			// fencing, after the container stops.
			s.guestFences[n.Uname] = s.add(Action{Task: "stonith-" + n.Uname + "-reboot", Node: n.Uname, Pseudo: true,
				Reason: "guest is unclean", Meta: map[string]string{"guest": n.Container}})
			continue
		}
		if !n.Unclean || n.Remote != remote {
			continue
		}
		if !s.hasStonithDevice() || (noQuorum && !n.Online) {
			// (Without quorum, only a node still in the membership may be
			// fenced.)
			s.plan.Notes = append(s.plan.Notes, fmt.Sprintf("Node %s is unclean: its resources cannot be recovered until it is fenced or returns", n.Uname))
			continue
		}
		reason := "node is unclean"
		if n.UncleanReason != "" {
			reason = n.UncleanReason
		}
		s.fences[n.Uname] = s.add(Action{Task: "fence", Node: n.Uname, Reason: reason})
	}
	for _, r := range s.cl.Resources {
		if !r.Blocked {
			continue
		}
		blocked := false
		for node, st := range r.State {
			if !st.Active && !st.Pending {
				continue
			}
			n := s.node(node)
			if n == nil || !(n.Unclean || n.guestReset) {
				continue
			}
			if n.Remote != remote {
				// Left as it is in the other pass (for a remote node, to
				// come; for a cluster node, one that could not be fenced).
				if _, ok := s.fences[node]; !ok {
					blocked = true
				}
				continue
			}
			id, ok := s.fences[node]
			if g, guest := s.guestFences[node]; guest {
				id, ok = g, true
			}
			if !ok {
				// Its stop waits for a fencing that cannot happen.
				blocked = true
				cause := ""
				if noQuorum && !s.cl.HaveQuorum && s.cl.NoQuorumPolicy != "freeze" {
					cause = "no quorum"
				}
				inst := ""
				if r.Clone != nil {
					if u := s.byID[r.ID]; u != nil {
						inst = fmt.Sprintf("%s:%d", r.ID, s.instanceNumbers(u)[node])
					}
				}
				s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: r.ID, Instance: inst, Node: node, Cause: cause, Task: "stop"})
				continue
			}
			if !slices.Contains(s.activeOnClean(r), node) {
				// (Not needing fencing and active on a clean node too: the
				// fencing takes the copy there without a word.)
				st.Active, st.Pending = false, false
				continue
			}
			stop := s.add(Action{Resource: r.ID, Class: r.Class, Provider: r.Provider, Type: r.Type, Task: "stop", Node: node,
				Pseudo: true, After: []int{id}, Reason: "stopped by fencing " + node})
			if !s.cl.HaveQuorum {
				s.causeOn(r.ID, node, "node availability") // (not for want of quorum: the node goes)
			}
			s.fenced[r.ID] = append(s.fenced[r.ID], stop)
			// Stopped by the fencing; a failure there still shows as one.
			st.Active, st.Pending = false, false
			st.fencedActive = true
		}
		r.Blocked = blocked
	}
}

func (s *scheduler) node(uname string) *Node {
	for _, n := range s.cl.Nodes {
		if n.Uname == uname {
			return n
		}
	}
	return nil
}

func (s *scheduler) buildUnits() {
	s.byID = map[string]*unit{}
	inGroup := map[string]bool{}
	for _, g := range s.cl.Groups {
		u := &unit{id: g.ID, members: g.Members}
		s.units = append(s.units, u)
		s.byID[g.ID] = u
		for _, m := range g.Members {
			inGroup[m.ID] = true
			s.byID[m.ID] = u
		}
	}
	for _, c := range s.cl.Clones {
		members := []*Resource{c.Primitive}
		if c.Group != nil {
			members = c.Group.Members
		}
		u := &unit{id: c.ID, members: members, clone: c}
		s.units = append(s.units, u)
		s.byID[c.ID] = u
		if c.Group != nil {
			s.byID[c.Group.ID] = u
		}
		for _, m := range members {
			s.byID[m.ID] = u
			inGroup[m.ID] = true
		}
	}
	for _, r := range s.cl.Resources {
		if !inGroup[r.ID] {
			u := &unit{id: r.ID, members: []*Resource{r}}
			s.units = append(s.units, u)
			s.byID[r.ID] = u
		}
	}
	sort.SliceStable(s.units, func(i, j int) bool {
		a, b := s.units[i].members[0], s.units[j].members[0]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		return a.Order < b.Order
	})
	// A unique clone places first the instances that can stay where they
	// run (Pacemaker pre-allocates them), then the others, each in
	// instance order.
	pos := map[*Clone][]int{}
	for i, u := range s.units {
		if c := u.members[0].Unique; c != nil {
			pos[c] = append(pos[c], i)
		}
	}
	for _, idx := range pos {
		insts := make([]*unit, len(idx))
		for k, i := range idx {
			insts[k] = s.units[i]
		}
		stay, prio, active := map[*unit]bool{}, map[*unit]int{}, map[*unit]bool{}
		for _, iu := range insts {
			stay[iu], prio[iu] = s.canStay(iu), s.instancePriority(iu.members[0])
			active[iu] = len(iu.members[0].ActiveOn()) > 0
		}
		sort.SliceStable(insts, func(i, j int) bool {
			a, b := insts[i], insts[j]
			if stay[a] != stay[b] {
				return stay[a]
			}
			if prio[a] != prio[b] {
				return prio[a] > prio[b] // (a promotable instance's promotion score)
			}
			return active[a] && !active[b] // (even where it cannot stay)
		})
		for k, i := range idx {
			s.units[i] = insts[k]
		}
	}
	s.instancesOf = nil
}

// sortForCapacity orders resources as Pacemaker does when capacity
// counts: by priority, then the one that scores highest where it runs,
// then the one that scores higher on the first node where they differ.
// Resources that must stay are then not squeezed out by newcomers.
func (s *scheduler) sortForCapacity() {
	scores := map[*unit]map[string]int{}
	current := map[*unit]int{}
	s.reporting = true // (the scores of the configuration, whatever the nodes' state)
	for _, u := range s.units {
		scores[u] = s.sortScores(u, map[*unit]bool{u: true})
		current[u] = -Infinity
		if a := u.members[0].ActiveOn(); len(a) > 0 {
			if sc, ok := scores[u][a[0]]; ok {
				current[u] = sc
			}
		}
	}
	s.reporting = false
	// Nodes that may run resources first.
	nodes := append([]*Node(nil), s.cl.Nodes...)
	sort.SliceStable(nodes, func(i, j int) bool {
		return probeable(nodes[i]) && !nodes[i].Standby && !(probeable(nodes[j]) && !nodes[j].Standby)
	})
	sort.SliceStable(s.units, func(i, j int) bool {
		a, b := s.units[i], s.units[j]
		if pa, pb := a.members[0].Priority, b.members[0].Priority; pa != pb {
			return pa > pb
		}
		if current[a] != current[b] {
			return current[a] > current[b]
		}
		for _, n := range nodes {
			if x, y := scores[a][n.Uname], scores[b][n.Uname]; x != y {
				return x > y
			}
		}
		return false
	})
	s.instancesOf = nil
	s.capacityOrder = map[string]int{}
	s.plan.ProcessOrder = s.capacityOrder
	for i, u := range s.units {
		for _, m := range u.members {
			s.capacityOrder[m.ID] = i
		}
	}
}

// sortScores are a unit's scores as Pacemaker weighs them to order
// resources for a placement strategy: its own, and (recursively) those of
// the resources it is placed with, scaled by the colocation's score.
func (s *scheduler) sortScores(u *unit, visited map[*unit]bool) map[string]int {
	out := s.ownScores(u, false)
	ids := map[string]bool{u.id: true}
	for _, m := range u.members {
		ids[m.ID] = true
	}
	for _, i := range positions(s.colocationsOf, ids) {
		c := s.cl.Colocations[i]
		p := s.byID[c.With]
		if p == nil || visited[p] || c.Role != "" || c.WithRole != "" {
			continue
		}
		visited[p] = true
		f := float64(c.Score) / Infinity
		for n, sc := range s.sortScores(p, visited) {
			if _, ok := out[n]; !ok || (f < 0 && sc < 0) {
				continue
			}
			w := int(math.Round(f * float64(sc)))
			if w == 0 && sc != 0 {
				w = 1
				if f < 0 {
					w = -1
				}
			}
			out[n] = addScores(w, out[n])
		}
	}
	return out
}

// activeOnClean is where a resource is active; for one that does not
// need fencing, active on clean nodes as well, only those count (the
// unclean ones lose it with their fencing).
func (s *scheduler) activeOnClean(r *Resource) []string {
	active := r.ActiveOn()
	if s.requires(r) == "fencing" || len(active) < 2 || r.Clone != nil {
		return active // (a clone's instances are each active on one node)
	}
	var clean []string
	for _, n := range active {
		if nd := s.node(n); nd == nil || !nd.Unclean {
			clean = append(clean, n)
		}
	}
	if len(clean) == 0 {
		return active
	}
	return clean
}

// shutdownLocks decides, with shutdown-lock, which primitives are locked
// to a node (fencing devices, connections and clones never are): the
// history's locks hold unless it runs again somewhere; what runs on a
// node shutting down cleanly is locked to it. The history of expired
// locks is deleted.
func (s *scheduler) shutdownLocks() {
	s.lockedTo = map[string]string{}
	if !s.cl.shutdownLock {
		return
	}
	for _, r := range s.cl.Resources {
		for _, n := range r.lockExpired {
			if nd := s.node(n); nd != nil {
				s.add(Action{Resource: r.ID, Class: r.Class, Provider: r.Provider, Type: r.Type, Task: "lrm_delete", Node: n,
					Reason: "forget " + r.ID + ": its shutdown lock expired"})
			}
		}
		if r.Class == "stonith" || r.IsConnection() || r.Clone != nil || r.Unique != nil || r.Bundle != "" {
			continue
		}
		active := r.ActiveOn()
		lock := r.LockedTo
		switch {
		case lock != "" && len(active) > 0:
			lock = "" // running again: the lock is void
		case lock == "" && len(active) == 1:
			if n := s.node(active[0]); n != nil && n.ShuttingDown && !n.Unclean {
				lock = n.Uname
			}
		}
		if lock != "" {
			s.lockedTo[r.ID] = lock
		}
	}
}

// promoteBlocked reports whether a resource's promotion on a node is
// blocked.
func (s *scheduler) promoteBlocked(id, node string) bool {
	for _, b := range s.plan.Blocked {
		if b.Task == "promote" && b.Resource == id && b.Node == node {
			return true
		}
	}
	return false
}

// failedRemotes marks to be fenced the remote nodes whose connection
// will not run again and is failed, or ran on a node lost unclean: one
// that is down (nothing can be known of it), or one where something is
// active (it can be stopped only so).
func (s *scheduler) failedRemotes() {
	for _, n := range s.cl.Nodes {
		if !n.Remote || n.Container != "" || n.Unclean || !s.cl.StonithEnabled {
			continue
		}
		conn := resourceByID(s.cl, n.Connection)
		if conn == nil || s.target[conn.ID] != "" || !conn.Managed {
			continue
		}
		failed := false
		for host, st := range conn.State {
			if h := s.node(host); (st.Active || st.fencedActive) && h != nil && h.Unclean {
				failed = true // (its node is lost)
			}
			if st.Failed {
				// (Fenced already and reconnecting later: not known yet.)
				d, _ := ParseDuration(conn.Params["reconnect_interval"])
				failed = failed || d <= 0 || !n.wasFenced || n.ShuttingDown
			}
		}
		if !failed {
			continue
		}
		if !n.Online {
			n.Unclean, n.UncleanReason = true, "the connection is unrecoverable"
			continue
		}
		for _, r := range s.cl.Resources {
			if st := r.State[n.Uname]; st != nil && st.Active && r.Managed {
				n.Unclean, n.UncleanReason = true, "resources are active but connection is unrecoverable"
				r.Blocked = true
			}
		}
	}
}

// stopsOn reports whether the plan stops a resource on a node.
func (s *scheduler) stopsOn(r *Resource, node string) bool {
	for _, id := range s.stops[r.ID] {
		if s.plan.Actions[id-1].Node == node {
			return true
		}
	}
	return false
}

// inhibitedActive reports whether an interleaved order took a clone's
// instance from a node where it runs.
func (s *scheduler) inhibitedActive(u *unit) bool {
	for n := range s.inhibited[u.id] {
		for _, m := range u.members {
			if st := m.State[n]; st != nil && st.Active {
				return true
			}
		}
	}
	return false
}

// restartInterleaved restarts, node by node, the instances of an
// interleaved clone whose first's instance there starts (again).
func (s *scheduler) restartInterleaved(fu, tu *unit) bool {
	if fu.clone.Group != nil || tu.clone.Group != nil || tu.clone.Promotable {
		return false
	}
	fp, tp := fu.clone.Primitive, tu.clone.Primitive
	if !tp.Managed || tp.Blocked {
		return false
	}
	starting := map[string]bool{}
	for _, id := range s.starts[fp.ID] {
		if a := s.plan.Actions[id-1]; !a.Pseudo {
			starting[a.Node] = true
		}
	}
	has := func(ids []int, node string) bool {
		for _, id := range ids {
			if s.plan.Actions[id-1].Node == node {
				return true
			}
		}
		return false
	}
	changed := false
	var num map[string]int
	for _, n := range s.cl.Nodes {
		st := tp.State[n.Uname]
		if !starting[n.Uname] || st == nil || !st.Active || st.Failed || !slices.Contains(s.targets[tu.id], n.Uname) ||
			has(s.stops[tp.ID], n.Uname) || has(s.starts[tp.ID], n.Uname) {
			continue
		}
		if num == nil {
			num = s.instanceNumbers(fu)
		}
		s.restartInstance(tu, n.Uname, fmt.Sprintf("required %s:%d start", fp.ID, num[n.Uname]))
		changed = true
	}
	return changed
}

// restartInPlace restarts the members of a unit that stay where they run
// (stop, start, monitors), with the cause given; it reports whether it
// restarted any.
func (s *scheduler) restartInPlace(u *unit, id, cause string) bool {
	restarted := false
	var prevStart int
	for _, m := range members(u, id) {
		t := s.target[m.ID]
		st := m.State[t]
		if t == "" || !m.Managed || m.Blocked || st == nil || !st.Active || st.Failed || len(s.stops[m.ID]) > 0 || len(s.starts[m.ID]) > 0 {
			continue
		}
		stop := s.action(m, "stop", t, 0, "restart "+m.ID, nil)
		s.stops[m.ID] = []int{stop}
		after := []int{stop}
		if prevStart != 0 {
			after = append(after, prevStart)
		}
		start := s.action(m, "start", t, 0, "restart "+m.ID, after)
		s.starts[m.ID] = []int{start}
		prevStart = start
		for _, op := range m.Ops {
			if op.Name == "monitor" && op.Interval > 0 && normRole(op.Attrs["role"]) != "Stopped" {
				s.action(m, "monitor", t, op.Interval, "monitor "+m.ID, []int{start})
			}
		}
		if cause != "" {
			s.cause(m.ID, cause)
		}
		restarted = true
	}
	return restarted
}

// restartClone restarts, when what it is ordered after starts (fresh,
// again or elsewhere), every instance of a clone that stays where it runs.
func (s *scheduler) restartClone(fu, tu *unit, first string) bool {
	r := tu.clone.Primitive
	if !r.Managed || r.Blocked {
		return false
	}
	starts := false
	for _, m := range members(fu, first) {
		for _, id := range s.starts[m.ID] {
			starts = starts || !s.plan.Actions[id-1].Pseudo
		}
	}
	if !starts {
		return false
	}
	cause := "required " + first + " start"
	if len(fu.members) > 1 || fu.id != fu.members[0].ID {
		cause = "required " + first + " running"
	}
	changed := false
	for _, n := range s.targets[tu.id] {
		if st := r.State[n]; st == nil || !st.Active || st.Failed || s.stopsOn(r, n) {
			continue
		}
		s.restartInstance(tu, n, cause)
		changed = true
	}
	return changed
}

// restartInstance restarts a clone's instance on a node where it stays:
// stop, start, then its promotion (if planned) and monitors.
func (s *scheduler) restartInstance(u *unit, node, cause string) {
	r := u.clone.Primitive
	stop := s.action(r, "stop", node, 0, "restart "+r.ID+" on "+node, nil)
	start := s.action(r, "start", node, 0, "restart "+r.ID+" on "+node, []int{stop})
	s.stops[r.ID] = append(s.stops[r.ID], stop)
	s.starts[r.ID] = append(s.starts[r.ID], start)
	promoted := false
	for _, id := range s.promotes[r.ID] {
		if s.plan.Actions[id-1].Node == node {
			s.addAfter(id, start)
			promoted = true
		}
	}
	for _, op := range r.Ops {
		role := normRole(op.Attrs["role"])
		if op.Name != "monitor" || op.Interval <= 0 || role == "Stopped" || (u.clone.Promotable && (promoted || role != "Unpromoted")) {
			continue // (a promoted instance's monitors follow its promotion)
		}
		s.action(r, "monitor", node, op.Interval, "monitor "+r.ID, []int{start})
	}
	s.causeOn(r.ID, node, cause)
}

// restartDependents restarts what a mandatory start order puts after a
// resource that starts (fresh, again, or elsewhere): Pacemaker's "due to
// required FIRST start" (or "running" for a group or clone).
func (s *scheduler) restartDependents() {
	for changed := true; changed; {
		changed = false
		for _, o := range s.cl.Orders {
			fu, tu := s.byID[o.First], s.byID[o.Then]
			// (An optional order restarts a then with the deprecated
			// restart-type=restart all the same.)
			restarts := o.Mandatory || (tu != nil && tu.members[0].Meta["restart-type"] == "restart")
			if restarts && !o.Mandatory && o.FirstAction == "stop" && o.ThenAction == "stop" && fu != nil && tu != nil && fu.clone == nil && tu.clone == nil {
				// (Its stop made required by the first's: a restart.)
				stops := false
				for _, m := range members(fu, o.First) {
					stops = stops || len(s.stops[m.ID]) > 0 || len(s.fenced[m.ID]) > 0
				}
				if stops && s.restartInPlace(tu, o.Then, "") {
					changed = true
				}
				continue
			}
			if !restarts || o.FirstAction != "start" || o.ThenAction != "start" {
				continue
			}
			if fu != nil && tu != nil && fu != tu && fu.clone != nil && tu.clone != nil && o.Relaxed == "" && cib.IsTrue(tu.clone.Meta["interleave"]) {
				changed = s.restartInterleaved(fu, tu) || changed
				continue
			}
			if fu != nil && tu != nil && fu.clone == nil && tu.clone != nil && tu.clone.Group == nil && o.Relaxed == "" {
				changed = s.restartClone(fu, tu, o.First) || changed
				continue
			}
			if fu == nil || tu == nil || fu == tu || tu.clone != nil || tu.members[0].Unique != nil {
				continue
			}
			starts := false
			for _, m := range members(fu, o.First) {
				for _, id := range s.starts[m.ID] {
					// A migration keeps the service up: no restart for it;
					// nor does a clone's new instance (one that restarts does).
					a := s.plan.Actions[id-1]
					starts = starts || (!a.Pseudo && (fu.clone == nil || s.stopsOn(m, a.Node)))
				}
			}
			// An instance an interleaved order took from where it runs
			// stops: the clone's dependents restart.
			starts = starts || s.inhibitedActive(fu)
			if !starts {
				continue
			}
			cause := "required " + o.First + " start"
			if fu.clone != nil || len(fu.members) > 1 || fu.id != fu.members[0].ID {
				cause = "required " + o.First + " running"
			}
			if s.restartInPlace(tu, o.Then, cause) {
				changed = true
			}
		}
	}
}

// stopBlockedByUnmanaged reports whether stopping the unit on node must
// wait for the stop of something that cannot be stopped there (unmanaged,
// or blocked after a failure): by a symmetrical order with the unit first,
// or an explicit stop-then-stop order with the unit second.
func (s *scheduler) stopBlockedByUnmanaged(u *unit, node string) bool {
	ids := map[string]bool{u.id: true}
	for _, m := range u.members {
		ids[m.ID] = true
	}
	var mine []int
	for _, i := range positions(s.ordersOf, ids) {
		mine = append(mine, i/2)
	}
	for _, i := range slices.Compact(mine) {
		o := s.cl.Orders[i]
		if !o.Mandatory {
			continue
		}
		other := ""
		switch {
		case ids[o.First] && o.Symmetrical && o.FirstAction == "start" && o.ThenAction == "start":
			other = o.Then
		case ids[o.Then] && o.FirstAction == "stop" && o.ThenAction == "stop":
			other = o.First
		}
		ou := s.byID[other]
		if other == "" || ou == nil {
			continue
		}
		for _, m := range members(ou, other) {
			if st := m.State[node]; st != nil && st.Active && (!m.Managed || m.FailBlocked) {
				return true
			}
		}
	}
	return false
}

// requires is what a resource needs before it may start (Pacemaker's
// "requires"): nothing, quorum, or fencing (unclean nodes fenced first,
// and quorum). Fencing devices need quorum; other resources fencing when
// fencing is enabled, quorum otherwise.
func (s *scheduler) requires(r *Resource) string {
	if v := r.Meta["requires"]; v != "" {
		if v == "unfencing" {
			return "fencing"
		}
		return v
	}
	if r.Class == "stonith" || !s.cl.StonithEnabled {
		return "quorum"
	}
	return "fencing"
}

// mayStart decides, from what the unit requires, whether it may start
// anything, and whether it must stop everything: without quorum (unless
// no-quorum-policy is ignore, or it requires nothing), and without any
// fencing device when it requires fencing.
func (s *scheduler) mayStart(u *unit) (canStart, stopAll bool) {
	canStart = true
	need := s.requires(u.members[0])
	if need == "fencing" && s.cl.StonithEnabled && !s.hasStonithDevice() {
		canStart = false
	}
	if !s.cl.HaveQuorum && need != "nothing" {
		switch s.cl.NoQuorumPolicy {
		case "ignore":
		case "freeze":
			// What runs keeps running (and may move); nothing new starts.
			active := false
			for _, m := range u.members {
				active = active || len(m.ActiveOn()) > 0
			}
			canStart = canStart && active && u.clone == nil
		case "demote":
			canStart = false
			stopAll = u.clone == nil || !u.clone.Promotable
		default:
			canStart, stopAll = false, true
		}
	}
	return canStart, stopAll
}

// canStay reports whether a unit runs healthy on a node that may still
// run resources.
func (s *scheduler) canStay(u *unit) bool {
	r := u.members[0]
	var scores map[string]int
	for _, name := range r.ActiveOn() {
		if scores == nil {
			scores = s.scores(u)
		}
		if st := r.State[name]; !st.Failed && scores[name] > -Infinity {
			return true
		}
	}
	return false
}

// placementOrder places a unit after the units it is colocated with.
func (s *scheduler) placementOrder() []*unit {
	deps := map[*unit][]*unit{}
	unitsOf := func(id string) []*unit {
		if u := s.byID[id]; u != nil {
			return []*unit{u}
		}
		return s.uniqueInstances(id) // each instance of a unique clone
	}
	for _, c := range s.cl.Colocations {
		withs := unitsOf(c.With)
		for _, d := range unitsOf(c.Resource) {
			for _, w := range withs {
				if d != w {
					deps[d] = append(deps[d], w)
				}
			}
		}
	}
	// What a unit is placed with is placed first, the highest priority
	// first (then clones before groups before primitives, then by name),
	// as Pacemaker sorts a resource's colocations.
	variant := func(u *unit) int {
		switch {
		case u.clone != nil && u.clone.Promotable:
			return 3
		case u.clone != nil || u.members[0].Unique != nil:
			return 2
		case len(u.members) > 1 || u.id != u.members[0].ID:
			return 1
		}
		return 0
	}
	for _, ws := range deps {
		sort.SliceStable(ws, func(i, j int) bool {
			a, b := ws[i], ws[j]
			if a.members[0].Priority != b.members[0].Priority {
				return a.members[0].Priority > b.members[0].Priority
			}
			if variant(a) != variant(b) {
				return variant(a) > variant(b)
			}
			return collectiveID(a) < collectiveID(b) // (a unique clone's instances in their own order)
		})
	}
	var out []*unit
	state := map[*unit]int{} // 1 visiting, 2 done
	var visit func(u *unit)
	visit = func(u *unit) {
		if state[u] != 0 {
			if state[u] == 1 {
				s.plan.Notes = append(s.plan.Notes, "colocation loop through "+u.id+": placed in priority order")
			}
			return
		}
		state[u] = 1
		for _, w := range deps[u] {
			visit(w)
		}
		state[u] = 2
		out = append(out, u)
	}
	// Pacemaker places the connections of remote nodes first (with what
	// they are placed with): where they go decides which remote nodes can
	// run anything.
	for _, connections := range []bool{true, false} {
		for _, u := range s.units {
			if isConnectionUnit(u) == connections {
				visit(u)
			}
		}
	}
	return out
}

// collectiveID is a unit's id, or for an instance of a unique clone, the
// clone's.
func collectiveID(u *unit) string {
	if c := u.members[0].Unique; c != nil {
		return c.ID
	}
	return u.id
}

func isConnectionUnit(u *unit) bool {
	return u.clone == nil && len(u.members) == 1 && u.members[0].IsConnection()
}

// connectionPlaced brings a remote node up for the rest of the placement
// when its connection will run, or takes it down when it will not.
func (s *scheduler) connectionPlaced(u *unit) {
	n := s.node(u.id)
	if n == nil || !n.Remote {
		return
	}
	if s.target[u.id] != "" {
		n.Online = true
		if n.Unseen {
			// What seemed to run there is found again through the new
			// connection: no fencing.
			n.Unclean, n.Unseen, n.UncleanReason = false, false, ""
			for _, r := range s.cl.Resources {
				if st := r.State[n.Uname]; st != nil && r.Blocked {
					r.Blocked = s.onUncleanNode(r)
				}
			}
		}
	} else {
		n.ShuttingDown = true
	}
}

// scores gives each node's score for a unit.
func (s *scheduler) scores(u *unit) map[string]int {
	out := s.ownScores(u, true)
	if u.clone == nil {
		out = s.addDependents(u, out, 1, map[*unit]bool{u: true})
	}
	return out
}

// addDependents folds into a unit's node scores what the resources
// placed with it prefer, as Pacemaker does before placing it: each
// dependent's scores, scaled by its colocation score over INFINITY, unless
// that would leave no node usable (then that dependent is ignored), and
// recursively its own dependents'.
func (s *scheduler) addDependents(u *unit, scores map[string]int, factor float64, visited map[*unit]bool) map[string]int {
	ids := map[string]bool{u.id: true}
	for _, m := range u.members {
		ids[m.ID] = true
	}
	for _, i := range positions(s.colocatedWith, ids) {
		c := s.cl.Colocations[i]
		if !ids[c.With] || c.Role != "" || c.WithRole != "" {
			continue
		}
		d := s.byID[c.Resource]
		if d == nil || visited[d] || s.placed[d.id] || d.clone != nil || d.members[0].Unique != nil {
			continue
		}
		// Only the sign of the factor so far carries on, as Pacemaker
		// merges the scores of dependents of dependents.
		f := float64(c.Score) / Infinity
		if factor < 0 {
			f = -f
		}
		dep := s.ownScoresBut(d, true, ids)
		var rest []*Resource // a group's members after its first
		if len(d.members) > 1 && f < 0 {
			// Its first member counts with the factor, the others (which
			// follow it) each with the factor's sign alone.
			dep = s.ownScoresBut(&unit{id: d.id, members: d.members[:1]}, true, ids)
			rest = d.members[1:]
		}
		work := make(map[string]int, len(scores))
		for n, v := range scores {
			work[n] = v
			sc, ok := dep[n]
			if !ok || (f < 0 && sc < 0) {
				continue
			}
			w := f * float64(sc)
			iw := int(math.Round(w))
			if iw == 0 && sc != 0 {
				iw = 1
				if f < 0 {
					iw = -1
				}
			}
			for _, m := range rest {
				if st := m.State[n]; st != nil && st.Active && !st.Failed && m.Stickiness > 0 {
					iw = addScores(iw, -m.Stickiness)
				}
			}
			work[n] = addScores(iw, v)
		}
		usable := false
		for _, v := range work {
			usable = usable || v >= 0
		}
		if !usable {
			continue // it would leave nowhere to run: ignore this one
		}
		visited[d] = true
		scores = s.addDependents(d, work, f, visited)
	}
	return scores
}

// ownScores is a unit's node scores from its own constraints, state and
// the nodes; with colocate, also from what it is placed with.
func (s *scheduler) ownScores(u *unit, colocate bool) map[string]int {
	return s.ownScoresBut(u, colocate, nil)
}

// ownScoresBut is ownScores leaving out colocations with the resources
// of but (the unit being placed, which a dependent's scores count with
// everything else already placed).
func (s *scheduler) ownScoresBut(u *unit, colocate bool, but map[string]bool) map[string]int {
	out := map[string]int{}
	ids := map[string]bool{u.id: true}
	for _, m := range u.members {
		ids[m.ID] = true
		if m.Unique != nil {
			ids[m.Unique.ID] = true // constraints on the clone apply to each instance
		}
	}
	// A guest's connection goes where its container goes, allowed there
	// even in an asymmetric cluster.
	guestConnection := len(u.members) == 1 && u.members[0].Implicit
	for _, n := range s.cl.Nodes {
		base := 0
		if !s.cl.Symmetric && !guestConnection {
			base = -Infinity
		}
		out[n.Uname] = base
	}
	addAt := func(node string, score int) {
		if _, ok := out[node]; !ok {
			return
		}
		if !s.cl.Symmetric && out[node] == -Infinity && score > -Infinity {
			out[node] = score // an asymmetric cluster runs resources only where allowed
			return
		}
		out[node] = addScores(out[node], score)
	}
	for _, i := range positions(s.locationsOf, ids) {
		if l := s.cl.Constraints[i]; l.Role != "Promoted" && l.Role != "Unpromoted" {
			addAt(l.Node, l.Score)
		}
	}
	// A shutdown lock keeps it off every node but its own.
	for _, m := range u.members {
		if lock := s.lockedTo[m.ID]; lock != "" {
			for n := range out {
				if n != lock {
					out[n] = -Infinity
				}
			}
		}
	}
	// Discovery exclusive to some nodes keeps the resource off the others.
	if only := s.exclusiveNodes(ids); only != nil {
		for n := range out {
			if !only[n] {
				out[n] = -Infinity
			}
		}
	}
	// Node health counts as a location score, unless the resource may
	// run on unhealthy nodes.
	if s.cl.HealthStrategy != "none" {
		for _, n := range s.cl.Nodes {
			if n.HealthScore != 0 && !(n.HealthScore < 0 && cib.IsTrue(u.members[0].Meta["allow-unhealthy-nodes"])) {
				addAt(n.Uname, n.HealthScore)
			}
		}
	}
	for _, i := range positions(s.rulesOf, ids) {
		rl := s.cl.Rules[i]
		for _, n := range s.cl.Nodes {
			for _, rule := range rl.Rules {
				if r := normRole(rule.SelectAttrValue("role", "")); r == "Promoted" || r == "Unpromoted" {
					continue // a rule for a role decides promotion, not placement
				}
				sc, ok, err := ruleScore(rule, n, s.now)
				if err != nil {
					s.plan.Notes = appendOnce(s.plan.Notes, fmt.Sprintf("location %s: %v; rule ignored", rl.ID, err))
					continue
				}
				if ok {
					addAt(n.Uname, sc)
				}
			}
		}
	}
	var own []int
	if colocate {
		own = positions(s.colocationsOf, ids)
	}
	for _, i := range own {
		c := s.cl.Colocations[i]
		if ids[c.With] || but[c.With] || (u.clone != nil && u.clone.Promotable && (c.Role == "Promoted" || (c.Role == "Unpromoted" && c.Score > 0))) {
			continue // the colocations of a role decide promotion only
		}
		with := s.target[c.With]
		if wu := s.byID[c.With]; wu != nil && wu.clone != nil {
			// With a clone: where any of its instances runs (or, with the
			// Promoted role, where it is promoted).
			on := map[string]bool{}
			where := s.targets[wu.id]
			switch {
			case c.WithRole == "Promoted" && wu.clone.Promotable:
				where = s.promoted[wu.id]
			case c.WithRole == "Unpromoted" && wu.clone.Promotable:
				where = nil
				for _, n := range s.targets[wu.id] {
					if !slices.Contains(s.promoted[wu.id], n) {
						where = append(where, n)
					}
				}
			case c.Score >= Infinity && u.clone != nil && cib.IsTrue(u.clone.Meta["interleave"]) && s.groupCloneCut(wu) < len(wu.members):
				// Interleaved, each instance with the one of a group there,
				// that is with its last member: which runs nowhere.
				where = nil
			case c.WithRole != "" && c.Score > 0 && c.Score < Infinity:
				// (A role a clone's instances never have: Pacemaker
				// then applies a mandatory colocation, or one against,
				// and ignores a preference.)
				where = nil
			}
			for _, n := range where {
				on[n] = true
			}
			for n := range out {
				switch {
				case !s.placed[wu.id]:
				case c.Score >= Infinity && !on[n]:
					out[n] = -Infinity
				case c.Score <= -Infinity && on[n]:
					out[n] = -Infinity
				case on[n] && c.Score > -Infinity && c.Score < Infinity:
					addAt(n, c.Score)
				}
			}
			continue
		}
		wu := s.byID[c.With]
		if wu == nil {
			// With a unique clone: where its instances run (or, with
			// the Promoted role, where they are promoted).
			on := map[string]bool{}
			for _, iu := range s.uniqueInstances(c.With) {
				if t := s.target[iu.id]; t != "" && (c.WithRole != "Promoted" || len(s.promoted[iu.id]) > 0) {
					on[t] = true
				}
			}
			for n := range out {
				switch {
				case c.Score >= Infinity && !on[n]:
					out[n] = -Infinity
				case c.Score <= -Infinity && on[n]:
					out[n] = -Infinity
				case on[n] && c.Score > -Infinity && c.Score < Infinity:
					addAt(n, c.Score)
				}
			}
			continue
		}
		switch {
		case !s.placed[wu.id]:
		case c.Score >= Infinity:
			for n := range out {
				if n != with {
					out[n] = -Infinity
				}
			}
		case with != "":
			addAt(with, c.Score)
		}
	}
	if r := u.members[0]; r.Unique != nil && r.Unique.Promotable {
		// An instance prefers the nodes where it would be promoted.
		for _, n := range s.cl.Nodes {
			if sc := s.promotionBonus(r, n); sc > 0 {
				addAt(n.Uname, sc)
			}
		}
	}
	if r := u.members[0]; r.Unique != nil {
		perNode := 1
		if n, err := strconv.Atoi(r.Unique.Meta["clone-node-max"]); err == nil && n > 0 {
			perNode = n
		}
		count := map[string]int{}
		for _, other := range s.cl.Resources {
			if other != r && other.Unique == r.Unique && s.target[other.ID] != "" {
				count[s.target[other.ID]]++
				if count[s.target[other.ID]] >= perNode {
					out[s.target[other.ID]] = -Infinity // clone-node-max reached
				}
			}
		}
	}
	for _, n := range s.cl.Nodes {
		for _, r := range u.members {
			st := r.State[n.Uname]
			if st != nil && st.Active && !st.Failed {
				out[n.Uname] = addScores(out[n.Uname], r.Stickiness)
			}
		}
	}
	// A member kept off nodes (by failures) keeps its group off them too,
	// unless that leaves the group nowhere to run: then it alone stops.
	for i, r := range u.members {
		banned := map[string]bool{}
		for _, n := range s.cl.Nodes {
			if s.memberBanned(r, n.Uname) {
				banned[n.Uname] = true
			}
		}
		if len(banned) == 0 {
			continue
		}
		usable := i == 0
		for n, v := range out {
			usable = usable || (v >= 0 && !banned[n] && s.nodeUsable(n))
		}
		if !usable {
			continue
		}
		for n := range banned {
			out[n] = -Infinity
		}
	}
	for _, n := range s.cl.Nodes {
		if (!n.Online || n.Standby || n.Unclean || n.ShuttingDown || n.Maintenance) && !s.reporting {
			out[n.Uname] = -Infinity
		}
		if n.Remote && !s.mayRunOnRemote(u) {
			out[n.Uname] = -Infinity
		}
		for _, m := range u.members {
			if host := s.remoteHost(m); host != "" && host != n.Uname {
				out[n.Uname] = -Infinity
			}
			// A bundle's node runs its primitive and nothing else; the
			// primitive runs nowhere else.
			if (n.Bundle != "" || (m.Bundle != "" && m.Clone != nil)) && !(m.Clone != nil && m.Bundle == n.Bundle) {
				out[n.Uname] = -Infinity
			}
		}
		if s.bundleReplicaThere(u, n.Uname) {
			out[n.Uname] = -Infinity // one replica of a bundle per node
		}
		if !s.fits(u, n.Uname) {
			out[n.Uname] = -Infinity
		}
	}
	return out
}

// failCount is a resource's fail count on a node; a container's counts
// those of the resources inside it (a guest node's connection among them).
func (s *scheduler) failCount(r *Resource, node string) int {
	if s.fillers == nil {
		s.fillers = map[string][]*Resource{}
		for _, f := range s.cl.Resources {
			if f.Container != "" && f.Bundle == "" {
				s.fillers[f.Container] = append(s.fillers[f.Container], f)
			}
		}
	}
	n := 0
	if st := r.State[node]; st != nil {
		n = st.FailCount
	}
	for _, f := range s.fillers[r.ID] {
		if st := f.State[node]; st != nil {
			n = addScores(n, st.FailCount)
		}
	}
	return n
}

// memberBanned reports whether failures keep a resource off a node: its
// fail count reached the migration threshold there, a hard error there,
// or a fatal error anywhere.
func (s *scheduler) memberBanned(r *Resource, node string) bool {
	// (Failures ignored with on-fail=ignore ignore the threshold too.)
	if st := r.State[node]; st != nil && ((r.MigrationThreshold > 0 && !r.FailureIgnored && s.failCount(r, node) >= r.MigrationThreshold) || st.Banned) {
		return true
	}
	for _, other := range r.State {
		if other.BannedEverywhere {
			return true
		}
	}
	return false
}

// nodeUsable reports whether a node may run resources at all.
func (s *scheduler) nodeUsable(uname string) bool {
	n := s.node(uname)
	return n != nil && n.Online && !n.Standby && !n.Unclean && !n.ShuttingDown && !n.Maintenance
}

// fits reports whether a node has the capacity a unit needs, when the
// placement strategy takes utilization into account.
func (s *scheduler) fits(u *unit, node string) bool {
	if s.cl.PlacementStrategy == "default" || s.cl.PlacementStrategy == "" {
		return true
	}
	need := map[string]int{}
	for _, r := range u.members {
		for k, v := range r.Utilization {
			need[k] += v
		}
	}
	for k, v := range need {
		if s.free[node][k] < v {
			return false
		}
	}
	return true
}

// capacityPreference applies, under a placement strategy, the capacity
// that a unit needs together with what must run with it and is not placed
// yet (mandatory colocations, either way): where some node has room for
// all of it, nodes without are ruled out; where none has, the node with
// the most room is preferred (returned) on a tie.
func (s *scheduler) capacityPreference(u *unit, scores map[string]int) string {
	if s.cl.PlacementStrategy == "default" || s.cl.PlacementStrategy == "" {
		return ""
	}
	group := map[*unit]bool{u: true}
	queue := []*unit{u}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		ids := map[string]bool{x.id: true}
		for _, m := range x.members {
			ids[m.ID] = true
		}
		var near []string
		for _, i := range positions(s.colocationsOf, ids) {
			if c := s.cl.Colocations[i]; c.Score >= Infinity {
				near = append(near, c.With)
			}
		}
		for _, i := range positions(s.colocatedWith, ids) {
			if c := s.cl.Colocations[i]; c.Score >= Infinity {
				near = append(near, c.Resource)
			}
		}
		for _, id := range near {
			if o := s.byID[id]; o != nil && !group[o] && o.clone == nil && !s.placed[o.id] {
				group[o] = true
				queue = append(queue, o)
			}
		}
	}
	if len(group) == 1 {
		return ""
	}
	need := map[string]int{}
	for g := range group {
		for _, r := range g.members {
			for k, v := range r.Utilization {
				need[k] += v
			}
		}
	}
	fitsAll := func(node string) bool {
		for k, v := range need {
			if s.free[node][k] < v {
				return false
			}
		}
		return true
	}
	any, best := false, ""
	for _, n := range s.cl.Nodes {
		if scores[n.Uname] <= -Infinity {
			continue
		}
		any = any || fitsAll(n.Uname)
		if best == "" || s.freeTotal(n.Uname) > s.freeTotal(best) {
			best = n.Uname
		}
	}
	if !any {
		return best
	}
	for _, n := range s.cl.Nodes {
		if scores[n.Uname] > -Infinity && !fitsAll(n.Uname) {
			scores[n.Uname] = -Infinity
		}
	}
	return ""
}

// consume takes a unit's utilization from a node's free capacity.
func (s *scheduler) consume(u *unit, node string) {
	for _, r := range u.members {
		for k, v := range r.Utilization {
			s.free[node][k] -= v
		}
	}
}

// freeTotal is a node's free capacity, summed, for the balanced strategy.
func (s *scheduler) freeTotal(node string) int {
	t := 0
	for _, v := range s.free[node] {
		t += v
	}
	return t
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// choose picks the best node as Pacemaker does: highest score, then the
// node with fewer resources placed, then the node the unit runs on, then
// configuration order.
func (s *scheduler) choose(u *unit, scores map[string]int) string {
	best := ""
	for _, n := range s.cl.Nodes {
		sc := scores[n.Uname]
		if sc < 0 { // (a negative score keeps it off the node)
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
		case s.cl.PlacementStrategy == "minimal":
			// Pack: only the name decides.
			if n.Uname < best {
				best = n.Uname
			}
		case s.cl.PlacementStrategy == "balanced" && s.freeTotal(n.Uname) != s.freeTotal(best):
			if s.freeTotal(n.Uname) > s.freeTotal(best) {
				best = n.Uname
			}
		case s.assigned[n.Uname] != s.assigned[best]:
			// Equal scores: the node with fewer resources placed so far,
			// so that resources without stickiness spread out.
			if s.assigned[n.Uname] < s.assigned[best] {
				best = n.Uname
			}
		case s.activeOn(u, n.Uname) && !s.activeOn(u, best):
			// Then the current node, even when the resource failed there
			// (it is then recovered in place).
			best = n.Uname
		case s.activeOn(u, best):
		case n.Uname < best:
			// Pacemaker's last resort: the lowest-sorting name.
			best = n.Uname
		}
	}
	return best
}

func (s *scheduler) activeOn(u *unit, node string) bool {
	st := u.members[0].State[node]
	return st != nil && st.Active
}

// ticketLoss returns what the unit's tickets impose when one is not
// usable, as Pacemaker's rsc_ticket does: "stop" (banned everywhere),
// "demote" (not promoted), "freeze" (left where it runs) or "fence" (the
// nodes it runs on are fenced); the harshest wins. A revoked ticket applies
// its loss-policy to a running resource; a ticket in standby, or one never
// granted to a stopped resource, bans it unless only its Promoted role
// needs the ticket under a policy other than stop (then it is not
// promoted). The second result tells whether only promotion is affected.
func (s *scheduler) ticketLoss(u *unit) (string, bool) {
	ids := map[string]bool{u.id: true}
	running := false
	for _, m := range u.members {
		ids[m.ID] = true
		running = running || len(m.ActiveOn()) > 0
	}
	rank := map[string]int{"": 0, "freeze": 1, "demote": 2, "stop": 3, "fence": 4}
	effect := ""
	raise := func(e string) {
		if rank[e] > rank[effect] {
			effect = e
		}
	}
	for _, d := range s.cl.TicketDeps {
		if !ids[d.Resource] || s.cl.Tickets[d.Ticket] {
			continue
		}
		promotedRole := d.Role == "Promoted"
		policy := d.LossPolicy
		if policy == "" {
			policy = "stop"
		}
		switch {
		case !s.cl.TicketGranted[d.Ticket] && running:
			switch policy {
			case "demote":
				if promotedRole {
					raise("demote")
				} else {
					raise("stop")
				}
			case "fence", "freeze":
				raise(policy)
			default:
				raise("stop")
			}
		case !promotedRole || policy == "stop":
			raise("stop")
		default:
			raise("demote")
		}
	}
	return effect, effect == "demote"
}

func (s *scheduler) place(u *unit, canStart, stopAll bool) {
	s.placed[u.id] = true
	if effect, _ := s.ticketLoss(u); effect != "" {
		switch effect {
		case "demote":
			defer func() { s.promoted[u.id] = nil; s.promoted[u.members[0].ID] = nil }()
		case "freeze":
			canStart = false
		default: // stop, fence (the fencing is planned before placement)
			stopAll = true
		}
	}
	if u.clone != nil {
		if u.clone.Promotable && !s.cl.HaveQuorum && s.cl.NoQuorumPolicy == "demote" && s.requires(u.members[0]) != "nothing" {
			defer func() { s.promoted[u.id] = nil; s.promoted[u.members[0].ID] = nil }()
		}
		s.placeClone(u, canStart, stopAll)
		return
	}
	lead := u.members[0]
	current := ""
	if a := lead.ActiveOn(); len(a) == 1 {
		current = a[0]
	}
	blocked, managed, disabled := false, true, false
	for _, r := range u.members {
		blocked = blocked || r.Blocked
		managed = managed && r.Managed
	}
	disabled = lead.Disabled()
	scores := s.scores(u)
	defer s.recordScores(u, disabled || lead.Halted)
	target := ""
	switch {
	case lead.Orphan && managed:
		// Nothing configures it any more: it stops.
	case blocked:
		target = current
		s.plan.Notes = append(s.plan.Notes, fmt.Sprintf("Cannot recover %s: it may still run on an unclean node", u.id))
	case !managed:
		target = current
	case stopAll || disabled || lead.Halted:
	case !canStart:
		if current != "" && scores[current] > -Infinity && !lead.State[current].Failed {
			target = current
		}
	default:
		prefer := s.capacityPreference(u, scores)
		target = s.choose(u, scores)
		if prefer != "" && target != "" && scores[prefer] == scores[target] {
			target = prefer // the node with the most room, when none fits all
		}
	}
	if target != "" {
		s.consume(u, target)
	}
	s.target[u.id] = target
	defer func() {
		// Each member that will run there counts towards the node's load.
		for _, m := range u.members {
			if target != "" && s.target[m.ID] == target {
				s.assigned[target]++
			}
		}
	}()
	for i, r := range u.members {
		t := target
		// A member stopped by its own target-role, or kept off the node by
		// its failures, stops those after it.
		if (r.Disabled() || (t != "" && s.memberBanned(r, t))) && r.Managed {
			for _, m := range u.members[i:] {
				s.target[m.ID] = ""
			}
			break
		}
		if !r.Managed {
			if a := r.ActiveOn(); len(a) == 1 {
				t = a[0]
			} else {
				t = ""
			}
		} else if !managed && t != "" && !s.nodeUsable(t) {
			t = "" // held there by a member left alone, where it may not run
		} else if blocked && t != "" && !s.nodeUsable(t) && (r.State[t] == nil || !r.State[t].Active) {
			t = "" // held by a member on an unclean node: nothing more starts there
		}
		s.target[r.ID] = t
	}
	// A member stops after those after it: not while one of them, left
	// alone, keeps running there.
	for i, r := range u.members {
		if current == "" || !r.Managed || s.target[r.ID] != "" || r.State[current] == nil || !r.State[current].Active {
			continue
		}
		for _, later := range u.members[i+1:] {
			if st := later.State[current]; st != nil && st.Active && !later.Managed {
				s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: r.ID, Node: current, Cause: "node availability", Task: "stop"})
				s.target[r.ID] = current
				break
			}
		}
	}
	if current != "" && managed && s.stopBlockedByUnmanaged(u, current) {
		// A stop that must wait for one that cannot happen: it stays.
		for _, m := range u.members {
			if s.target[m.ID] == "" && m.State[current] != nil && m.State[current].Active {
				s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: m.ID, Node: current, Cause: "node availability", Task: "stop"})
				s.target[m.ID] = current
			}
		}
	}
}

// groupCloneCut is, for a clone of a group, the position of the first
// member that may not run (stopped by its own target-role): it and those
// after it run nowhere. It is the number of members when all may run.
func (s *scheduler) groupCloneCut(u *unit) int {
	if u.clone == nil || u.clone.Group == nil {
		return len(u.members)
	}
	for i, m := range u.members {
		if m.Managed && m.Disabled() && !u.clone.Primitive.Disabled() {
			return i
		}
	}
	return len(u.members)
}

// placeClone picks up to clone-max nodes for an anonymous clone: the best
// scores first, then nodes it runs on, then the least loaded.
func (s *scheduler) placeClone(u *unit, canStart, stopAll bool) {
	r := u.clone.Primitive
	scores := s.scores(u)
	defer s.recordScores(u, r.Disabled())
	max := u.clone.Max
	if max < 0 {
		max = len(s.cl.Nodes)
	}
	var nodes []*Node
	for _, n := range s.cl.Nodes {
		st := r.State[n.Uname]
		active := st != nil && st.Active
		switch {
		case r.Blocked || !r.Managed:
			if active {
				nodes = append(nodes, n)
			}
		case stopAll || r.Disabled() || scores[n.Uname] < 0:
		case !canStart && !(active && !st.Failed):
		default:
			nodes = append(nodes, n)
		}
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := nodes[i].Uname, nodes[j].Uname
		if scores[a] != scores[b] {
			return scores[a] > scores[b]
		}
		if s.assigned[a] != s.assigned[b] {
			return s.assigned[a] < s.assigned[b]
		}
		if s.activeOn(u, a) != s.activeOn(u, b) {
			return s.activeOn(u, a)
		}
		return a < b // Pacemaker's last resort: the lowest-sorting name
	})
	if len(nodes) > max && r.Managed {
		nodes = nodes[:max]
	}
	var names []string
	for _, n := range nodes {
		names = append(names, n.Uname)
		s.assigned[n.Uname]++
		s.consume(u, n.Uname)
	}
	// Instances are numbered in allocation order; actions go in node order.
	s.allocOrder[u.id] = append([]string(nil), names...)
	sort.SliceStable(names, func(i, j int) bool { return s.nodeIndex(names[i]) < s.nodeIndex(names[j]) })
	s.targets[u.id], s.targets[r.ID] = names, names
	if u.clone.Promotable && r.Managed {
		s.choosePromoted(u, names)
	} else if u.clone.Promotable {
		for _, n := range r.ActiveOn() {
			if r.State[n].Promoted {
				s.promoted[u.id] = append(s.promoted[u.id], n)
			}
		}
		s.promoted[r.ID] = s.promoted[u.id]
	}
	if len(names) > 0 {
		s.target[u.id], s.target[r.ID] = names[0], names[0]
	} else {
		s.target[u.id], s.target[r.ID] = "", ""
	}
}

// choosePromoted picks where a promotable clone is promoted: the nodes
// with the highest promotion score (the master-RSC node attribute the
// agent sets, plus location constraints for the Promoted role), the
// promoted node first on a tie, up to promoted-max. A node without a
// promotion score is never promoted.
func (s *scheduler) choosePromoted(u *unit, names []string) {
	r := u.clone.Primitive
	type cand struct {
		node  string
		score int
	}
	// While an instance's action is in flight, the clone plans nothing
	// (primitiveCloneActions): nor may what depends on its promotion
	// count on a promotion that would not be carried out.
	for _, st := range r.State {
		if st.Pending {
			var out []string
			for _, name := range names {
				if st := r.State[name]; st != nil && st.Active && st.Promoted {
					out = append(out, name)
				}
			}
			s.promoted[u.id], s.promoted[r.ID] = out, out
			return
		}
	}
	var cands []cand
	num := s.instanceNumbers(u)
	for _, name := range names {
		n := s.node(name)
		score, has := promotionScore(n, r.ID)
		score, has = s.promotedPreferences(n, score, has, u.id, r.ID)
		if st := r.State[name]; st != nil && st.demoteOnFail {
			continue
		}
		// Colocations of the Promoted role: promote where the other
		// resource runs (or never there, or prefer it).
		for _, c := range s.cl.Colocations {
			if (c.Role != "Promoted" && c.Role != "Unpromoted") || (c.Resource != u.id && c.Resource != r.ID) {
				continue
			}
			on := false
			if wu := s.byID[c.With]; wu != nil && wu.clone != nil {
				where := s.targets[wu.id]
				if c.WithRole == "Promoted" {
					where = s.promoted[wu.id]
				}
				for _, n := range where {
					on = on || n == name
				}
			} else {
				on = s.target[c.With] == name
			}
			switch {
			case c.Role == "Unpromoted" && on:
				// An instance that must stay unpromoted where the other runs.
				score, has = addScores(score, -c.Score), true
			case c.Role == "Unpromoted":
			case c.Score >= Infinity && !on, c.Score <= -Infinity && on:
				score, has = -Infinity, true
			case on:
				score, has = addScores(score, c.Score), true
			}
		}
		// What is colocated with the Promoted role wants the promotion
		// where it prefers to run (Pacemaker merges the dependents'
		// positive node scores into the promotion scores).
		if has {
			score = s.promotedDependents(u, r, name, score)
			// The clone's own preference for the node counts too.
			score = addScores(score, s.locationScore(u, name))
		}
		if has && score > -Infinity && score >= 0 {
			cands = append(cands, cand{name, score})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		pi := r.State[cands[i].node] != nil && r.State[cands[i].node].Promoted
		pj := r.State[cands[j].node] != nil && r.State[cands[j].node].Promoted
		if pi != pj {
			return pi
		}
		return num[cands[i].node] < num[cands[j].node] // the lower instance first
	})
	var out []string
	for i, c := range cands {
		if i >= u.clone.PromotedMax {
			break
		}
		out = append(out, c.node)
	}
	s.promoted[u.id], s.promoted[r.ID] = out, out
}

// promotedPrimitive reports whether a resource is active in the promoted
// role somewhere.
func promotedPrimitive(r *Resource) bool {
	for _, st := range r.State {
		if st.Active && st.Promoted {
			return true
		}
	}
	return false
}

// locationScore is what a unit's location constraints and rules for no
// particular role give a node.
func (s *scheduler) locationScore(u *unit, node string) int {
	ids := map[string]bool{u.id: true}
	for _, m := range u.members {
		ids[m.ID] = true
	}
	score := 0
	for _, i := range positions(s.locationsOf, ids) {
		if l := s.cl.Constraints[i]; l.Role != "Promoted" && l.Role != "Unpromoted" && l.Node == node {
			score = addScores(score, l.Score)
		}
	}
	n := s.node(node)
	for _, i := range positions(s.rulesOf, ids) {
		for _, rule := range s.cl.Rules[i].Rules {
			if r := normRole(rule.SelectAttrValue("role", "")); n == nil || r == "Promoted" || r == "Unpromoted" {
				continue
			}
			if sc, ok, err := ruleScore(rule, n, s.now); err == nil && ok {
				score = addScores(score, sc)
			}
		}
	}
	return score
}

// promotedDependents adds to the promotion score on node name the
// positive node scores of the resources colocated with the clone's
// Promoted role, scaled by the colocation score over INFINITY.
func (s *scheduler) promotedDependents(u *unit, r *Resource, name string, score int) int {
	ids := map[string]bool{u.id: true, r.ID: true}
	for _, i := range positions(s.colocatedWith, ids) {
		c := s.cl.Colocations[i]
		if c.WithRole != "Promoted" || c.Score <= 0 || (c.Role != "" && c.Role != "Started") {
			continue
		}
		d := s.byID[c.Resource]
		if d == nil || d == u || d.clone != nil {
			continue
		}
		sc, ok := s.ownScores(d, false)[name]
		if !ok || sc <= 0 {
			continue
		}
		w := int(math.Round(float64(c.Score) / Infinity * float64(sc)))
		if w == 0 {
			w = 1
		}
		score = addScores(score, w)
	}
	return score
}

// promotionScore reads the promotion score an agent set on a node:
// master-RSC, or (in older CIBs) master-RSC:N for an instance.
// promotedPreferences adds to a promotion score, on node n, the location
// constraints and rules of the Promoted role on the given resources (a
// clone and its primitive or instance); has reports whether any applies.
func (s *scheduler) promotedPreferences(n *Node, score int, has bool, ids ...string) (int, bool) {
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	for _, i := range positions(s.locationsOf, set) {
		if l := s.cl.Constraints[i]; l.Role == "Promoted" && l.Node == n.Uname {
			score, has = addScores(score, l.Score), true
		}
	}
	for _, i := range positions(s.rulesOf, set) {
		for _, rule := range s.cl.Rules[i].Rules {
			if normRole(rule.SelectAttrValue("role", "")) != "Promoted" {
				continue
			}
			if sc, ok, err := ruleScore(rule, n, s.now); err == nil && ok {
				score, has = addScores(score, sc), true
			}
		}
	}
	return score, has
}

// promotionBonus is the promotion score an instance of a unique
// promotable clone has on a node, which Pacemaker also counts to place it
// there: on a node that may run resources, where the instance's state is
// known (or anywhere, while it is known nowhere).
func (s *scheduler) promotionBonus(r *Resource, n *Node) int {
	if !n.Online || n.Unclean || n.Standby || n.ShuttingDown || n.Maintenance {
		return 0
	}
	if len(r.State) > 0 {
		if st := r.State[n.Uname]; st == nil || (!st.Known && !st.Active) {
			return 0
		}
	}
	sc, _ := promotionScore(n, r.ID)
	return sc
}

// instancePriority is a unique promotable instance's highest promotion
// score, which orders the instances for placement.
func (s *scheduler) instancePriority(r *Resource) int {
	best := 0
	if r.Unique == nil || !r.Unique.Promotable {
		return best
	}
	for _, n := range s.cl.Nodes {
		best = max(best, s.promotionBonus(r, n))
	}
	return best
}

func promotionScore(n *Node, rsc string) (int, bool) {
	best, has := 0, false
	for k, v := range n.Attrs {
		name, ok := strings.CutPrefix(k, "master-")
		if !ok {
			continue
		}
		if base, inst, cut := strings.Cut(name, ":"); name != rsc && !(cut && base == rsc && isDigits(inst)) {
			continue
		}
		if sc, err := ParseScore(v); err == nil && (!has || sc > best) {
			best, has = sc, true
		}
	}
	return best, has
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func (s *scheduler) nodeIndex(uname string) int {
	for i, n := range s.cl.Nodes {
		if n.Uname == uname {
			return i
		}
	}
	return len(s.cl.Nodes)
}

// applyOrderBlocking enforces mandatory start orders whose first cannot
// run. What would have to start after it (a new start, or a move) may
// not: a resource that was running stops, and a stopped one's start is
// reported as blocked. What keeps running where it is stays, unless the
// order is symmetrical and the first is stopping: its stop then requires
// the dependent's ("due to required FIRST start").
func (s *scheduler) applyOrderBlocking() {
	for changed := true; changed; {
		changed = false
		for _, o := range s.cl.Orders {
			if !o.Mandatory || o.FirstAction != "start" || o.ThenAction != "start" {
				continue
			}
			first, then := s.byID[o.First], s.byID[o.Then]
			if first == nil || then == nil || !then.members[0].Managed {
				continue
			}
			// Through a one-or-more pseudo action, enough of the firsts
			// must run (clone-min instances of a clone, one member of a
			// set with require-all=false).
			relaxed := o.Relaxed != ""
			if !relaxed && first.clone != nil && then.clone != nil && cib.IsTrue(then.clone.Meta["interleave"]) {
				changed = s.interleaveOrder(o, first, then) || changed
				continue
			}
			// A failed resource left blocked cannot start: what needs
			// its start cannot either.
			blocked := false
			if m := first.members[0]; len(first.members) == 1 && first.clone == nil && m.FailBlocked {
				for _, st := range m.State {
					blocked = blocked || (st.Active && st.Failed)
				}
			}
			// Nor is a clone of a group running when members of it may not.
			blocked = blocked || s.groupCloneCut(first) < len(first.members)
			if (!relaxed && s.target[o.First] != "" && !blocked) || (relaxed && s.relaxedRuns(o)) {
				continue
			}
			firstStops := false
			for _, m := range members(first, o.First) {
				firstStops = firstStops || (len(m.ActiveOn()) > 0 && !blocked)
			}
			// Pacemaker names the first's action that cannot run: a
			// primitive's start, a group's or clone's "running".
			unrunnable := "unrunnable " + o.First + " start"
			if first.clone != nil || len(first.members) > 1 || first.id != first.members[0].ID {
				unrunnable = "unrunnable " + o.First + " running"
			}
			if relaxed {
				unrunnable = "unrunnable " + o.Relaxed
			}
			required := "required " + o.First + " start"
			switch {
			case first.clone != nil && !relaxed && s.orderBlocked[first.id]:
				// A clone stopping for an order of its own: what it was
				// running for is required to stop with it.
				required = "required " + o.First + " running"
			case relaxed || first.clone != nil:
				required = unrunnable
			}
			stays := func(m *Resource, node string) bool {
				st := m.State[node]
				return st != nil && st.Active && !st.Failed
			}
			if then.clone != nil {
				if len(s.targets[then.id]) == 0 {
					continue
				}
				num := s.instanceNumbers(then)
				var keep []string
				for _, n := range s.allocOrder[then.id] {
					running := true
					for _, m := range then.members {
						running = running && stays(m, n)
					}
					switch {
					case running && !o.Symmetrical:
						// (An asymmetrical order leaves what runs alone.)
						keep = append(keep, n)
					case running:
						if firstStops {
							s.causeOnMembers(then, n, num[n], required)
						}
					default:
						for _, m := range then.members {
							s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: m.ID, Instance: fmt.Sprintf("%s:%d", m.ID, num[n]), Node: n, Cause: unrunnable})
						}
					}
				}
				for _, n := range s.allocOrder[then.id] {
					if st := then.members[0].State[n]; st != nil && st.Active && !slices.Contains(keep, n) {
						s.causeOnMembers(then, n, num[n], unrunnable)
					}
				}
				if len(keep) == len(s.targets[then.id]) {
					continue
				}
				s.keepOnly(then, keep)
				s.orderBlocked[then.id] = true
				s.promoted[then.id], s.promoted[then.members[0].ID] = nil, nil
				changed = true
				continue
			}
			for _, id := range append([]string{o.Then}, memberIDs(then, o.Then)...) {
				t := s.target[id]
				r := resourceByID(s.cl, id)
				if t == "" || r == nil {
					continue
				}
				switch {
				case stays(r, t) && !o.Symmetrical:
					continue // (an asymmetrical order leaves what runs alone)
				case stays(r, t) && firstStops:
					s.cause(id, required)
				case len(r.ActiveOn()) == 0:
					s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: id, Node: t, Cause: unrunnable})
				default:
					s.cause(id, unrunnable)
				}
				s.target[id] = ""
				s.blockColocationDependents(id, t)
				changed = true
			}
		}
	}
}

// blockUnprobed blocks the start of a resource that runs nowhere while a
// node still joining the cluster has not been asked about it: that probe
// cannot run yet, and the start waits for it.
func (s *scheduler) blockUnprobed() {
	var joining []*Node
	for _, n := range s.cl.Nodes {
		if n.Online && n.Pending && !n.Unclean {
			joining = append(joining, n)
		}
	}
	if len(joining) == 0 {
		return
	}
	for _, u := range s.units {
		if u.clone != nil || u.members[0].Unique != nil || !s.placed[u.id] {
			continue
		}
		unprobed := false
		for _, m := range u.members {
			for _, n := range joining {
				unprobed = unprobed || (m.Managed && len(m.ActiveOn()) == 0 && s.unknownTo(m, n))
			}
		}
		if !unprobed {
			continue
		}
		left := false
		for _, m := range u.members {
			t := s.target[m.ID]
			if t == "" || len(m.ActiveOn()) > 0 {
				left = left || t != ""
				continue
			}
			s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: m.ID, Node: t})
			s.target[m.ID] = ""
			s.blockColocationDependents(m.ID, t)
		}
		if !left {
			s.target[u.id] = ""
		}
	}
}

// keepAssignment remembers a clone's allocation before an order takes
// instances away from it.
func (s *scheduler) keepAssignment(id string) {
	if _, ok := s.assignedTo[id]; !ok {
		s.assignedTo[id] = slices.Clone(s.allocOrder[id])
	}
}

// interleaveOrder applies a mandatory start order between two clones
// when the second interleaves: each of its instances follows the first's
// instance on the same node. Where the first has no instance, the
// second's is not allocated at all; where the first's cannot start, the
// second's start is blocked too.
func (s *scheduler) interleaveOrder(o Order, first, then *unit) bool {
	if len(s.allocOrder[then.id]) == 0 {
		return false
	}
	assigned, runs := map[string]bool{}, map[string]bool{}
	firstAlloc := s.allocOrder[first.id]
	if a, ok := s.assignedTo[first.id]; ok {
		firstAlloc = a
	}
	for _, n := range firstAlloc {
		assigned[n] = !s.inhibited[first.id][n]
	}
	for _, n := range s.targets[first.id] {
		runs[n] = true
	}
	stays := func(n string) bool {
		for _, m := range then.members {
			if st := m.State[n]; st == nil || !st.Active || st.Failed {
				return false
			}
		}
		return true
	}
	num, firstNum := s.instanceNumbers(then), s.instanceNumbers(first)
	var keep []string
	for _, n := range s.allocOrder[then.id] {
		switch {
		case !assigned[n]:
			if s.inhibited[then.id] == nil {
				s.inhibited[then.id] = map[string]bool{}
			}
			s.inhibited[then.id][n] = true
			for _, m := range then.members {
				if st := m.State[n]; st != nil && st.Active {
					if s.plan.withoutCause == nil {
						s.plan.withoutCause = map[string]bool{}
					}
					s.plan.withoutCause[m.ID+"@"+n] = true
				}
			}
		case runs[n] || (stays(n) && !o.Symmetrical):
			keep = append(keep, n)
		case stays(n):
			s.causeOnMembers(then, n, num[n], fmt.Sprintf("unrunnable %s:%d start", first.members[0].ID, firstNum[n]))
		default:
			for _, m := range then.members {
				s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: m.ID, Instance: fmt.Sprintf("%s:%d", m.ID, num[n]), Node: n,
					Cause: fmt.Sprintf("unrunnable %s:%d start", first.members[len(first.members)-1].ID, firstNum[n])})
			}
		}
	}
	if len(keep) == len(s.allocOrder[then.id]) {
		return false
	}
	s.keepOnly(then, keep)
	promoted := onlyIn(s.promoted[then.id], keep)
	s.promoted[then.id], s.promoted[then.members[0].ID] = promoted, promoted
	return true
}

// keepOnly limits a clone's placement to the nodes keep: its allocation
// order and its targets, and no target at all when none is left.
func (s *scheduler) keepOnly(u *unit, keep []string) {
	s.keepAssignment(u.id)
	s.allocOrder[u.id] = keep
	kept := onlyIn(s.targets[u.id], keep)
	s.targets[u.id], s.targets[u.members[0].ID] = kept, kept
	if len(kept) == 0 {
		s.target[u.id], s.target[u.members[0].ID] = "", ""
	}
}

// onlyIn is the nodes of list that are in keep, in list's order.
func onlyIn(list, keep []string) []string {
	var out []string
	for _, n := range list {
		if slices.Contains(keep, n) {
			out = append(out, n)
		}
	}
	return out
}

// relaxedRuns reports whether enough of the firsts ordered through a
// one-or-more pseudo action will run: o.Min instances of a first clone, or
// o.Min members of a set.
func (s *scheduler) relaxedRuns(o Order) bool {
	if strings.HasPrefix(o.Relaxed, "clone-one-or-more:") {
		if u := s.byID[o.First]; u != nil && u.clone != nil {
			return len(s.targets[u.id]) >= o.Min
		}
		n := 0
		for _, iu := range s.uniqueInstances(o.First) {
			if s.target[iu.id] != "" {
				n++
			}
		}
		return n >= o.Min
	}
	n := 0
	for _, first := range s.relaxedFirsts[o.Relaxed] {
		if s.target[first] != "" {
			n++
		}
	}
	return n >= o.Min
}

// blockColocationDependents keeps from a node what must run with a
// resource that may no longer start there (mandatory colocations): what
// runs there stops, and what would start there may not ("due to
// colocation with" it).
func (s *scheduler) blockColocationDependents(id, node string) {
	ids := map[string]bool{id: true}
	if u := s.byID[id]; u != nil && u.clone == nil && u.members[0].ID == id {
		ids[u.id] = true // the first member stands for its group
	}
	for _, i := range positions(s.colocatedWith, ids) {
		c := s.cl.Colocations[i]
		d := s.byID[c.Resource]
		if c.Score >= Infinity && c.Role == "Promoted" && c.WithRole == "" && d != nil && d.clone != nil && d.clone.Promotable && d.clone.Group == nil &&
			slices.Contains(s.promoted[d.id], node) {
			// The instance to be promoted there starts, but may not be
			// promoted (nor monitored in either role).
			var kept []string
			for _, n := range s.promoted[d.id] {
				if n != node {
					kept = append(kept, n)
				}
			}
			s.promoted[d.id], s.promoted[d.members[0].ID] = kept, kept
			s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: d.members[0].ID, Node: node, Cause: "colocation with " + id, Task: "promote"})
			continue
		}
		if c.Score < Infinity || c.Role != "" || c.WithRole != "" || d == nil || d.clone != nil || d.members[0].Unique != nil {
			continue
		}
		for _, m := range members(d, c.Resource) {
			t := s.target[m.ID]
			if t == "" || t != node || !m.Managed {
				continue
			}
			if st := m.State[t]; st != nil && st.Active {
				s.cause(m.ID, "colocation with "+id)
			} else {
				s.plan.Blocked = append(s.plan.Blocked, BlockedStart{Resource: m.ID, Node: t, Cause: "colocation with " + id})
			}
			s.target[m.ID] = ""
			s.blockColocationDependents(m.ID, t)
		}
		if s.target[d.id] == node {
			s.target[d.id] = ""
		}
	}
}

func memberIDs(u *unit, id string) []string {
	if u.id != id {
		return nil
	}
	var out []string
	for _, m := range u.members {
		out = append(out, m.ID)
	}
	return out
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
		Node: node, Timeout: s.timeout(r, task, interval), Params: r.runParams(task, interval), Meta: meta, ExpectedRC: expected, Digest: r.opDigest(task, interval),
		After: append([]int(nil), after...), Reason: reason, FailFatal: task == "start" && r.startFailureIsFatal,
		Cause: s.actionCauses[r.ID+" "+task+" "+node]})
}

// actions plans the probes, stops, starts and monitors of a unit.
// Members start in order and stop in reverse; a member that must restart
// restarts those after it too.
func (s *scheduler) actions(u *unit) {
	if u.clone != nil {
		s.cloneActions(u)
		return
	}
	for _, r := range u.members {
		for node, st := range r.State {
			if st.Pending && !(st.PendingTask == "start" && s.target[r.ID] == node) {
				return // an operation is in progress: wait for its result
			}
		}
	}
	// Probes find out what runs where, managed or not.
	for _, r := range u.members {
		if r.Orphan {
			continue
		}
		for _, n := range s.cl.Nodes {
			if s.needsProbe(r, n) {
				s.probes[r.ID] = append(s.probes[r.ID], s.action(r, "monitor", n.Uname, 0, "probe", nil))
			}
		}
	}
	// Which members stop where, and which (re)start on their target.
	restartFrom := len(u.members)
	unexpected := map[string]bool{}
	var stopList []struct {
		r    *Resource
		node string
	}
	for i, r := range u.members {
		if !r.Managed || r.Blocked {
			continue
		}
		active := s.activeOnClean(r)
		target := s.target[r.ID]
		partial := s.continuesMigration(r)
		// Multiply active with multiple-active=stop_unexpected: it stays
		// where it goes, stopped only on the other nodes (and restarted
		// there in name only, for what depends on it).
		unexpected[r.ID] = r.Meta["multiple-active"] == "stop_unexpected" && len(active) > 1 && slices.Contains(active, target)
		for _, node := range r.danglingSources {
			// A finished migration still has to stop it on its source.
			if n := s.node(node); n != nil && n.Online && !n.Unclean && !slices.Contains(active, node) {
				stopList = append(stopList, struct {
					r    *Resource
					node string
				}{r, node})
			}
		}
		for _, node := range active {
			st := r.State[node]
			if partial && node == target {
				continue // half migrated there: the migration goes on
			}
			if unexpected[r.ID] && node == target {
				restartFrom = min(restartFrom, i)
				continue
			}
			if node != target || len(active) > 1 {
				stopList = append(stopList, struct {
					r    *Resource
					node string
				}{r, node})
				if node == target {
					restartFrom = min(restartFrom, i)
				}
			} else if st.Failed || st.Restart {
				restartFrom = min(restartFrom, i)
			}
		}
	}
	// Members after a restarting one restart with it.
	for i := restartFrom; i < len(u.members); i++ {
		r := u.members[i]
		t := s.target[r.ID]
		if t == "" || !r.Managed || unexpected[r.ID] {
			continue
		}
		if st := r.State[t]; st != nil && st.Active && !containsStop(stopList, r.ID, t) {
			if i > restartFrom {
				s.cause(r.ID, "required "+u.members[i-1].ID+" start")
			}
			stopList = append(stopList, struct {
				r    *Resource
				node string
			}{r, t})
		}
	}
	// Live migration: members that move from one clean node to another
	// and allow it migrate (migrate_to, migrate_from) instead of
	// stopping first; their stop follows and their start is implied.
	migrated := map[string]int{} // member -> its migrate_from
	prevMigrate := 0
	for i, r := range u.members {
		from, ok := s.migratable(r, i >= restartFrom)
		if !ok {
			continue
		}
		t := s.target[r.ID]
		after := append([]int(nil), s.probes[r.ID]...)
		if prevMigrate != 0 {
			after = append(after, prevMigrate)
		}
		var steps []int
		if s.continuesMigration(r) {
			// migrate_to is done already: migrate_from finishes it.
			steps = []int{s.action(r, "migrate_from", t, 0, fmt.Sprintf("finish migrating %s from %s to %s", r.ID, from, t), after)}
		} else {
			mt := s.action(r, "migrate_to", from, 0, fmt.Sprintf("migrate %s from %s to %s", r.ID, from, t), after)
			steps = []int{mt, s.action(r, "migrate_from", t, 0, fmt.Sprintf("migrate %s from %s to %s", r.ID, from, t), []int{mt})}
		}
		mf := steps[len(steps)-1]
		for _, id := range steps {
			s.plan.Actions[id-1].Meta["migrate_source"] = from
			s.plan.Actions[id-1].Meta["migrate_target"] = t
		}
		migrated[r.ID] = mf
		prevMigrate = mf
	}
	// An instance of a unique promotable clone promoted where it must not
	// stay promoted is demoted first.
	demoted := map[string]int{}
	for _, r := range u.members {
		if r.Unique == nil && r.Clone == nil && r.Managed && !r.Blocked && promotedPrimitive(r) {
			// A plain primitive found promoted (by its agent): demoted
			// wherever it stops.
			for _, n := range r.ActiveOn() {
				if containsStop(stopList, r.ID, n) {
					demoted[r.ID+" "+n] = s.action(r, "demote", n, 0, "demote "+r.ID+" on "+n, nil)
				}
			}
			continue
		}
		if r.Unique == nil || !r.Unique.Promotable || !r.Managed || r.Blocked {
			continue
		}
		want := s.promoted[r.ID]
		for _, n := range r.ActiveOn() {
			if st := r.State[n]; st.Promoted && (len(want) == 0 || want[0] != n || st.Failed || containsStop(stopList, r.ID, n)) {
				var cancels []int
				if !containsStop(stopList, r.ID, n) {
					// (An instance that stops loses its monitors with the stop.)
					cancels = s.cancelRoleMonitors(r, n, true)
				}
				demoted[r.ID+" "+n] = s.action(r, "demote", n, 0, "demote "+r.ID+" on "+n, cancels)
			}
		}
	}
	// Stops, in reverse member order.
	var prevStop []int
	for i := len(u.members) - 1; i >= 0; i-- {
		r := u.members[i]
		var mine []int
		for _, sa := range stopList {
			if sa.r != r {
				continue
			}
			reason := s.stopReason(r, sa.node)
			after := prevStop
			if mf := migrated[r.ID]; mf != 0 {
				after = append(append([]int(nil), prevStop...), mf)
			}
			if d := demoted[r.ID+" "+sa.node]; d != 0 {
				after = append(append([]int(nil), after...), d)
			}
			id := s.action(r, "stop", sa.node, 0, reason, after)
			if unexpected[r.ID] {
				s.plan.Actions[id-1].Cause = "being multiply active"
			}
			if c := s.noMigration[r.ID]; c != "" {
				s.plan.Actions[id-1].Cause = c // (why it moves without migrating)
			}
			if migrated[r.ID] != 0 {
				s.migrationStops[id] = true
			}
			if st := r.State[sa.node]; st == nil || !st.Active {
				s.plan.Actions[id-1].quiet = true // a dangling migration's: no change to report
			}
			mine = append(mine, id)
		}
		if len(mine) > 0 {
			prevStop = mine
		}
		s.stops[r.ID] = mine
	}
	var allStops []int
	for _, r := range u.members {
		allStops = append(allStops, s.stops[r.ID]...)
	}
	cancels := s.stoppedMonitors(u)
	// Starts, in member order, then monitors.
	prevStart := 0
	for _, r := range u.members {
		t := s.target[r.ID]
		if t != "" && !r.Managed && !r.Blocked && !r.FailBlocked {
			s.unmanagedMonitors(r, t)
		}
		if t == "" || !r.Managed || r.Blocked {
			continue
		}
		st := r.State[t]
		// A start still in flight is asked for again (with its monitors),
		// as Pacemaker does: the node does not run it twice.
		running := st != nil && st.Active && !st.Failed && !st.Pending && !containsStop(stopList, r.ID, t) && migrated[r.ID] == 0 && !unexpected[r.ID]
		start := 0
		if !running {
			after := append(append(append([]int(nil), allStops...), s.probes[r.ID]...), s.fenced[r.ID]...)
			if prevStart != 0 {
				after = append(after, prevStart)
			}
			after = append(after, cancels[r.ID]...)
			reason := "start " + r.ID + " on " + t
			switch {
			case containsStop(stopList, r.ID, t):
				reason = "recover " + r.ID + " on " + t
			case len(r.ActiveOn()) > 0:
				reason = fmt.Sprintf("move %s to %s", r.ID, t)
			}
			if mf := migrated[r.ID]; mf != 0 {
				reason = fmt.Sprintf("migrate %s to %s", r.ID, t)
				after = append(after, mf)
			}
			start = s.action(r, "start", t, 0, reason, after)
			if migrated[r.ID] != 0 || unexpected[r.ID] {
				s.plan.Actions[start-1].Pseudo = true // the migration started it, or it runs there already
			}
			s.starts[r.ID] = []int{start}
			prevStart = start
		}
		// Parameters the agent can take without a restart: reloaded
		// (after the probes), the monitors after that.
		reload := 0
		if running && st.reload {
			reload = s.action(r, "reload-agent", t, 0, "reload "+r.ID+" on "+t+": its parameters changed", s.probes[r.ID])
			s.plan.Actions[reload-1].Cause = "resource definition change"
			s.fromHistory[reload] = true
		}
		promotable := r.Unique != nil && r.Unique.Promotable
		if !promotable {
			for _, op := range r.Ops {
				if op.Name != "monitor" || op.Interval <= 0 || normRole(op.Attrs["role"]) == "Stopped" {
					continue
				}
				if start != 0 {
					s.action(r, "monitor", t, op.Interval, "monitor "+r.ID, []int{start})
				} else if !st.MonitorActive[op.Interval] {
					var after []int
					if reload != 0 {
						after = []int{reload}
					}
					s.action(r, "monitor", t, op.Interval, "monitor "+r.ID, after)
				}
			}
			continue
		}
		// A promotable instance: promoted where chosen, and monitored in
		// the role it ends in.
		wasPromoted := st != nil && st.Active && st.Promoted && start == 0 && demoted[r.ID+" "+t] == 0
		promote := len(s.promoted[r.ID]) > 0 && s.promoted[r.ID][0] == t
		last := start
		if promote && !wasPromoted {
			after := []int{}
			if start != 0 {
				after = append(after, start)
			} else {
				after = append(after, s.cancelRoleMonitors(r, t, false)...)
			}
			last = s.action(r, "promote", t, 0, "promote "+r.ID+" on "+t, after)
			s.promotes[r.ID] = append(s.promotes[r.ID], last)
		} else if d := demoted[r.ID+" "+t]; d != 0 && start == 0 {
			last = d
		}
		for _, op := range r.Ops {
			role := normRole(op.Attrs["role"])
			if op.Name != "monitor" || op.Interval <= 0 || role == "Stopped" || role == "Started" || (role == "Promoted") != promote {
				continue
			}
			kept := last != 0 && start == 0 && st != nil && st.MonitorActive[op.Interval] && !s.cancelled[r.ID+" "+t+" "+op.Interval.String()]
			var id int
			switch {
			case last != 0 && !kept:
				id = s.action(r, "monitor", t, op.Interval, "monitor "+r.ID, []int{last})
			case last == 0 && !st.MonitorActive[op.Interval]:
				id = s.action(r, "monitor", t, op.Interval, "monitor "+r.ID, nil)
			}
			if id != 0 && role == "Promoted" {
				s.plan.Actions[id-1].ExpectedRC = 8
			}
		}
	}
}

// chooseUniquePromotions picks which instances of each unique promotable
// clone are promoted: by promotion score where each is placed (the node's
// master-INSTANCE attribute, Promoted-role location constraints and
// rules), those promoted already first on a tie, then instance order; at
// most promoted-max, one per node.
func (s *scheduler) chooseUniquePromotions() {
	for _, u := range s.units {
		if c := u.members[0].Unique; c != nil && c.Promotable {
			s.chooseUniquePromotionsOf(c)
		}
	}
}

func (s *scheduler) chooseUniquePromotionsOf(c *Clone) {
	if s.promotionsChosen == nil {
		s.promotionsChosen = map[*Clone]bool{}
	}
	if s.promotionsChosen[c] {
		return
	}
	s.promotionsChosen[c] = true
	type cand struct {
		r     *Resource
		node  string
		score int
		prom  bool
		order int
	}
	var cands []cand
	for i, iu := range s.uniqueInstances(c.ID) {
		r := iu.members[0]
		t := s.target[r.ID]
		n := s.node(t)
		if t == "" || n == nil || (r.State[t] != nil && r.State[t].Failed) || !r.Managed {
			continue
		}
		score, has := promotionScore(n, r.ID)
		if !has {
			base, _, _ := cutInstance(r.ID)
			score, has = promotionScore(n, base)
		}
		score, has = s.promotedPreferences(n, score, has, c.ID, r.ID)
		if has && score >= 0 {
			cands = append(cands, cand{r, t, score, r.State[t] != nil && r.State[t].Promoted, i})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].prom != cands[j].prom {
			return cands[i].prom
		}
		return cands[i].order < cands[j].order
	})
	used := map[string]bool{}
	count := 0
	for _, cd := range cands {
		if count >= c.PromotedMax || used[cd.node] {
			continue
		}
		used[cd.node] = true
		count++
		s.promoted[cd.r.ID] = []string{cd.node}
	}
}

func containsStop(list []struct {
	r    *Resource
	node string
}, id, node string) bool {
	for _, sa := range list {
		if sa.r.ID == id && sa.node == node {
			return true
		}
	}
	return false
}

// stoppedMonitors schedules the recurring monitors configured for the
// Stopped role: on every online node where a member will not run, after
// its probe and stop there, expecting "not running"; where it will run,
// such a monitor still active is cancelled before the start. It returns
// the cancels by member.
func (s *scheduler) stoppedMonitors(u *unit) map[string][]int {
	cancels := map[string][]int{}
	for _, r := range u.members {
		t := s.target[r.ID]
		if !r.Managed || r.Blocked {
			continue // left alone: no new monitors
		}
		for _, op := range r.Ops {
			if op.Name != "monitor" || op.Interval <= 0 || normRole(op.Attrs["role"]) != "Stopped" {
				continue
			}
			for _, n := range s.cl.Nodes {
				st := r.State[n.Uname]
				active := st != nil && st.MonitorActive[op.Interval]
				if n.Uname == t {
					if active {
						id := s.action(r, "cancel", n.Uname, op.Interval, "cancel the Stopped-role monitor of "+r.ID, nil)
						cancels[r.ID] = append(cancels[r.ID], id)
					}
					continue
				}
				if !n.Online || n.Unclean || active {
					continue
				}
				var after []int
				for _, id := range append(append([]int(nil), s.probes[r.ID]...), s.stops[r.ID]...) {
					if s.plan.Actions[id-1].Node == n.Uname {
						after = append(after, id)
					}
				}
				id := s.action(r, "monitor", n.Uname, op.Interval, "monitor "+r.ID+" where it is stopped", after)
				s.plan.Actions[id-1].ExpectedRC = 7
			}
		}
	}
	return cancels
}

// loadStopped adds, when a placement strategy weighs utilization,
// Pacemaker's load_stopped_NODE pseudo actions: a resource that needs
// capacity starts on a node only after what leaves that node has
// stopped.
func (s *scheduler) loadStopped() {
	if s.cl.PlacementStrategy == "default" || s.cl.PlacementStrategy == "" {
		return
	}
	load := map[string]int{}
	op := func(node string) int {
		if load[node] == 0 {
			load[node] = s.add(Action{Task: "load_stopped_" + node, Pseudo: true, Reason: "capacity freed on " + node})
		}
		return load[node]
	}
	byRsc := map[string][]int{}
	for _, a := range s.plan.Actions {
		byRsc[a.Resource] = append(byRsc[a.Resource], a.ID)
	}
	for _, r := range s.cl.Resources {
		if len(r.Utilization) == 0 {
			continue
		}
		var scores map[string]int
		if !s.cl.Symmetric {
			if u := s.byID[r.ID]; u != nil {
				scores = s.scores(u)
			}
		}
		for _, n := range r.ActiveOn() {
			l := op(n)
			for _, id := range byRsc[r.ID] {
				if a := s.plan.Actions[id-1]; a.Task == "stop" && a.Node == n {
					s.addAfter(l, id)
				}
			}
		}
		for _, n := range s.cl.Nodes {
			if scores != nil && scores[n.Uname] <= -Infinity {
				continue
			}
			l := op(n.Uname)
			for _, id := range byRsc[r.ID] {
				a := s.plan.Actions[id-1]
				if (a.Task == "start" && a.Node == n.Uname) || (a.Task == "migrate_to" && s.target[r.ID] == n.Uname) {
					s.addAfter(id, l)
				}
			}
		}
	}
}

// shutdowns adds the shutdown of each node that asked to leave, after
// everything stops there.
// blockedOn reports whether a resource left blocked after a failure is
// active on a node (it cannot be stopped there).
func (s *scheduler) blockedOn(node string) bool {
	if n := s.node(node); s.cl.MaintenanceMode || n == nil || n.Maintenance {
		return false // (nothing in maintenance holds a shutdown up)
	}
	for _, r := range s.cl.Resources {
		if cib.IsTrue(r.Meta["maintenance"]) {
			continue
		}
		if st := r.State[node]; r.FailBlocked && st != nil && st.Active {
			return true
		}
	}
	return false
}

func (s *scheduler) shutdowns() {
	stops := map[string][]int{}
	for _, a := range s.plan.Actions {
		if a.Task == "stop" {
			stops[a.Node] = append(stops[a.Node], a.ID)
		}
	}
	var others []int // shutdowns of nodes other than the DC
	dcDown := 0
	for _, n := range s.cl.Nodes {
		if !n.ShuttingDown || !n.Online || n.Unclean || n.Remote {
			continue // (remote nodes are not shut down: their connections stop)
		}
		if s.blockedOn(n.Uname) {
			continue // it waits for a stop that cannot happen
		}
		id := s.add(Action{Task: "do_shutdown", Node: n.Uname, After: append([]int(nil), stops[n.Uname]...), Reason: "the node is shutting down"})
		if n.IsDC {
			dcDown = id
		} else {
			others = append(others, id)
		}
	}
	// The DC goes down last: after the other nodes' fencing, and its
	// shutdown after theirs (fewer elections); without concurrent
	// fencing, one fencing after the other.
	var fences []int
	for _, n := range s.cl.Nodes {
		if id, ok := s.fences[n.Uname]; ok {
			if n.IsDC {
				dcDown = id
				continue
			}
			if len(fences) > 0 && !s.cl.concurrentFencing {
				s.addAfterNoCycle(id, fences[len(fences)-1])
			}
			fences = append(fences, id)
		}
	}
	if dcDown == 0 {
		return
	}
	if s.plan.Actions[dcDown-1].Task == "do_shutdown" {
		s.addAfter(dcDown, others...)
	}
	if s.cl.concurrentFencing {
		s.addAfter(dcDown, fences...)
	} else if len(fences) > 0 {
		s.addAfter(dcDown, fences[len(fences)-1])
	}
}

// cancelRoleMonitors cancels, before a role change on node, the running
// monitors of the role being left (promoted's when demoting, the others
// when promoting).
func (s *scheduler) cancelRoleMonitors(r *Resource, node string, promoted bool) []int {
	st := r.State[node]
	if st == nil {
		return nil
	}
	if s.earlyCancel == nil {
		s.earlyCancel = map[int]bool{}
	}
	// Intervals the role taken on monitors too: that monitor carries on.
	next := map[time.Duration]bool{}
	for _, op := range r.Ops {
		role := normRole(op.Attrs["role"])
		if op.Name == "monitor" && role != "Stopped" && (role == "Promoted") != promoted {
			next[op.Interval] = true
		}
	}
	if s.cancelled == nil {
		s.cancelled = map[string]bool{}
	}
	var out []int
	for _, op := range r.Ops {
		role := normRole(op.Attrs["role"])
		if op.Name != "monitor" || op.Interval <= 0 || !(st.MonitorActive[op.Interval] || st.monitorSeen[op.Interval]) || role == "Stopped" || (role == "Promoted") != promoted || next[op.Interval] {
			continue
		}
		s.cancelled[r.ID+" "+node+" "+op.Interval.String()] = true
		id := s.action(r, "cancel", node, op.Interval, "cancel the monitor of the role "+r.ID+" leaves on "+node, nil)
		s.earlyCancel[id] = true
		out = append(out, id)
	}
	return out
}

// historyNames records, for each anonymous clone instance whose history
// uses another id, that id: Pacemaker's graph, and so crm_simulate, call
// the instance by it.
func (s *scheduler) historyNames() {
	s.plan.HistoryNames = map[string]string{}
	for _, u := range s.units {
		if u.clone == nil {
			continue
		}
		num := s.instanceNumbers(u)
		for _, m := range u.members {
			plain := false
			for node, st := range m.State {
				inst := fmt.Sprintf("%s:%d", m.ID, num[node])
				plain = plain || st.HistoryID == m.ID
				if st.Active && st.HistoryID != "" && st.HistoryID != inst {
					s.plan.HistoryNames[inst] = st.HistoryID
				}
			}
			if !plain {
				continue
			}
			// A history under the plain id lets Pacemaker find the
			// primitive by that id: it then names every instance so.
			for _, a := range s.plan.Actions {
				if a.Resource == m.ID && a.Instance != "" {
					s.plan.HistoryNames[a.Instance] = m.ID
				}
			}
		}
	}
}

// causeOnMembers records why a clone's instance on a node changes: for a
// clone of a group, the first member for the cause given, and each other
// member because of the one before it (its stop for the second, its start
// for the others, as Pacemaker words it).
func (s *scheduler) causeOnMembers(u *unit, node string, num int, why string) {
	for i, m := range u.members {
		switch i {
		case 0:
			s.causeOn(m.ID, node, why)
		case 1:
			s.causeOn(m.ID, node, fmt.Sprintf("required %s:%d stop", u.members[0].ID, num))
		default:
			s.causeOn(m.ID, node, fmt.Sprintf("required %s:%d start", u.members[i-1].ID, num))
		}
	}
}

// causeOn records Pacemaker's words for why a clone's instance on a node
// changes.
func (s *scheduler) causeOn(id, node, why string) {
	if s.plan.InstanceCauses == nil {
		s.plan.InstanceCauses = map[string]string{}
	}
	if k := id + "@" + node; s.plan.InstanceCauses[k] == "" {
		s.plan.InstanceCauses[k] = why
	}
}

// cause records Pacemaker's words for why a resource changes.
func (s *scheduler) cause(id, why string) {
	if s.plan.Causes == nil {
		s.plan.Causes = map[string]string{}
	}
	if s.plan.Causes[id] == "" {
		s.plan.Causes[id] = why
	}
}

// migratable reports whether r moves by live migration, and from where:
// it allows it, is managed, runs healthy on exactly one clean node and is
// placed on another clean node, and does not restart for another reason.
func (s *scheduler) migratable(r *Resource, restarting bool) (string, bool) {
	if !cib.IsTrue(r.Meta["allow-migrate"]) || r.noMigration || !r.Managed || r.Blocked || restarting {
		return "", false
	}
	if s.continuesMigration(r) {
		return r.partialSource, true
	}
	if r.partialTarget != "" {
		return "", false // a migration half done that cannot go on: recovered
	}
	active := r.ActiveOn()
	t := s.target[r.ID]
	if len(active) != 1 || t == "" || t == active[0] {
		return "", false
	}
	st := r.State[active[0]]
	if st.Failed || st.Pending {
		return "", false
	}
	from, to := s.node(active[0]), s.node(t)
	if from == nil || to == nil || from.Unclean || !from.Online || to.Unclean {
		return "", false
	}
	// Started after something that moves without migrating, it cannot
	// migrate: that one's stop waits for this one's, which would wait
	// for the migration.
	for _, o := range s.cl.Orders {
		if !o.Symmetrical || (o.Then != r.ID && o.Then != r.Group) || (o.FirstAction != "start" && o.FirstAction != "") {
			continue
		}
		if fu := s.byID[o.First]; fu != nil && fu.clone == nil {
			for _, m := range members(fu, o.First) {
				a := m.ActiveOn()
				moves := len(a) > 0 && (len(a) != 1 || a[0] != s.target[m.ID])
				if moves && !cib.IsTrue(m.Meta["allow-migrate"]) {
					s.noMigration[r.ID] = "unrunnable " + m.ID + " stop"
					return "", false
				}
			}
		}
	}
	return active[0], true
}

// continuesMigration reports whether a migration the history left half
// done goes on: the resource is placed on its target, and runs healthy on
// both nodes, which are up and clean.
func (s *scheduler) continuesMigration(r *Resource) bool {
	if r.partialTarget == "" || s.target[r.ID] != r.partialTarget || !cib.IsTrue(r.Meta["allow-migrate"]) || r.noMigration || !r.Managed {
		return false
	}
	for _, n := range []string{r.partialSource, r.partialTarget} {
		st, nd := r.State[n], s.node(n)
		if st == nil || !st.Active || st.Failed || nd == nil || !nd.Online || nd.Unclean {
			return false
		}
	}
	return true
}

func (s *scheduler) stopReason(r *Resource, node string) string {
	t := s.target[r.ID]
	switch {
	case len(r.ActiveOn()) > 1:
		return "stop: active on more than one node"
	case t == node:
		return "recover " + r.ID + " on " + node
	case t != "":
		return fmt.Sprintf("move %s from %s to %s", r.ID, node, t)
	case !s.cl.HaveQuorum && s.cl.NoQuorumPolicy != "ignore":
		return "stop: no quorum"
	case r.Disabled():
		return "stop: target-role=Stopped"
	}
	return "stop " + r.ID + ": it cannot run anywhere"
}

// cloneActions plans a clone's instances (a group clone runs its members
// in order on each node).
func (s *scheduler) cloneActions(u *unit) {
	if u.clone.Group != nil {
		s.groupCloneActions(u)
		return
	}
	s.primitiveCloneActions(u)
}

// groupCloneActions: on every node it leaves, or where a member failed,
// the group's members stop in reverse order; on every node it must run,
// members start in order after all stops.
func (s *scheduler) groupCloneActions(u *unit) {
	for _, r := range u.members {
		for _, st := range r.State {
			if st.Pending {
				return
			}
		}
	}
	managed := true
	for _, r := range u.members {
		for _, n := range s.cl.Nodes {
			if s.needsProbe(r, n) {
				s.probes[r.ID] = append(s.probes[r.ID], s.action(r, "monitor", n.Uname, 0, "probe", nil))
			}
		}
		managed = managed && r.Managed && !r.Blocked
	}
	if !managed {
		return
	}
	want := map[string]bool{}
	for _, n := range s.targets[u.id] {
		want[n] = true
	}
	cut := s.groupCloneCut(u)
	var allStops []int
	restartFrom := map[string]int{} // node -> first member to restart
	for _, n := range s.cl.Nodes {
		from := len(u.members)
		for i, r := range u.members {
			if st := r.State[n.Uname]; st != nil && st.Active && (st.Failed || st.Restart || !want[n.Uname] || i >= cut) && i < from {
				from = i
			}
		}
		if !want[n.Uname] {
			from = 0
		}
		restartFrom[n.Uname] = from
		var prev []int
		for i := len(u.members) - 1; i >= from; i-- {
			r := u.members[i]
			if st := r.State[n.Uname]; st != nil && st.Active {
				id := s.action(r, "stop", n.Uname, 0, fmt.Sprintf("stop %s on %s", r.ID, n.Uname), prev)
				prev = []int{id}
				s.stops[r.ID] = append(s.stops[r.ID], id)
				allStops = append(allStops, id)
			}
		}
	}
	for _, node := range s.targets[u.id] {
		prevStart := 0
		for i, r := range u.members[:cut] {
			st := r.State[node]
			start := 0
			if st == nil || !st.Active || i >= restartFrom[node] {
				after := append(append(append([]int(nil), allStops...), s.probes[r.ID]...), s.fenced[r.ID]...)
				if prevStart != 0 {
					after = append(after, prevStart)
				}
				start = s.action(r, "start", node, 0, "start "+r.ID+" on "+node, after)
				s.starts[r.ID] = append(s.starts[r.ID], start)
				prevStart = start
			}
			for _, op := range r.Ops {
				if op.Name != "monitor" || op.Interval <= 0 {
					continue
				}
				if start != 0 {
					s.action(r, "monitor", node, op.Interval, "monitor "+r.ID, []int{start})
				} else if !st.MonitorActive[op.Interval] {
					s.action(r, "monitor", node, op.Interval, "monitor "+r.ID, nil)
				}
			}
		}
	}
}

// primitiveCloneActions plans an anonymous clone's instances: stops where it must
// no longer run (or failed), then starts where it must, each instance
// monitored.
func (s *scheduler) primitiveCloneActions(u *unit) {
	r := u.clone.Primitive
	for _, st := range r.State {
		if st.Pending {
			return
		}
	}
	for _, n := range s.cl.Nodes {
		if s.needsProbe(r, n) {
			s.probes[r.ID] = append(s.probes[r.ID], s.action(r, "monitor", n.Uname, 0, "probe", nil))
		}
	}
	if !r.Managed || r.Blocked {
		return
	}
	want, prom := map[string]bool{}, map[string]bool{}
	for _, n := range s.targets[u.id] {
		want[n] = true
	}
	for _, n := range s.promoted[u.id] {
		prom[n] = true
	}
	promotable := u.clone.Promotable
	// Demotions first: promoted where it no longer should be, or stopping.
	var demotes []int
	for _, node := range r.ActiveOn() {
		st := r.State[node]
		if promotable && st.Promoted && (!prom[node] || !want[node] || st.Failed) {
			var cancels []int
			if want[node] || r.Bundle != "" {
				// (An instance that stops loses its monitors with the stop;
				// in a bundle it stays placed on its replica, if unrunnable.)
				cancels = s.cancelRoleMonitors(r, node, true)
			}
			demotes = append(demotes, s.action(r, "demote", node, 0, "demote "+r.ID+" on "+node, cancels))
		}
	}
	var stops []int
	restart := map[string]bool{}
	for _, node := range r.ActiveOn() {
		st := r.State[node]
		if !want[node] || st.Failed || st.Restart {
			reason := fmt.Sprintf("stop %s on %s", r.ID, node)
			if want[node] {
				reason, restart[node] = "recover "+r.ID+" on "+node, true
			}
			stops = append(stops, s.action(r, "stop", node, 0, reason, demotes))
		}
	}
	s.stops[r.ID] = stops
	for _, node := range s.targets[u.id] {
		st := r.State[node]
		start := 0
		if st == nil || !st.Active || restart[node] {
			after := append(append(append([]int(nil), stops...), s.probes[r.ID]...), s.fenced[r.ID]...)
			start = s.action(r, "start", node, 0, "start "+r.ID+" on "+node, after)
			s.starts[r.ID] = append(s.starts[r.ID], start)
		}
		last := start
		promoted := promotable && st != nil && st.Active && st.Promoted && !restart[node]
		switch {
		case promotable && prom[node] && !promoted:
			after := append([]int(nil), demotes...)
			if start != 0 {
				after = append(after, start)
			} else {
				after = append(after, s.cancelRoleMonitors(r, node, false)...)
			}
			last = s.action(r, "promote", node, 0, "promote "+r.ID+" on "+node, after)
			s.promotes[r.ID] = append(s.promotes[r.ID], last)
			promoted = true
		case promotable && promoted && !prom[node]:
			promoted = false // demoted above
			last = -1
		}
		if s.promoteBlocked(r.ID, node) {
			continue // (its monitors wait for the promotion that cannot happen)
		}
		for _, op := range r.Ops {
			if op.Name != "monitor" || op.Interval <= 0 {
				continue
			}
			role := normRole(op.Attrs["role"])
			if promotable && ((role == "Promoted") != promoted || role == "Started") {
				// The monitor of the other role; and a promotable instance is
				// Promoted or Unpromoted, never merely Started.
				continue
			}
			// A role change keeps a running monitor of the same interval
			// (Pacemaker knows monitors by interval).
			kept := last != 0 && start == 0 && st != nil && st.MonitorActive[op.Interval] && !s.cancelled[r.ID+" "+node+" "+op.Interval.String()]
			if last != 0 && !kept {
				after := []int{}
				if last > 0 {
					after = []int{last}
				} else {
					after = demotes
				}
				id := s.action(r, "monitor", node, op.Interval, "monitor "+r.ID, after)
				if role == "Promoted" {
					s.plan.Actions[id-1].ExpectedRC = 8
				}
			} else if !st.MonitorActive[op.Interval] {
				id := s.action(r, "monitor", node, op.Interval, "monitor "+r.ID, nil)
				if role == "Promoted" {
					s.plan.Actions[id-1].ExpectedRC = 8
				}
			}
		}
	}
}

// orderActions adds the edges of order constraints between the actions of
// this plan: then's action waits for first's; when symmetrical, first's
// opposite action (stop for start, demote for promote) waits for then's.
// A constraint naming a group or clone orders against its pseudo actions
// (after notifications, when the clone has them); one naming a primitive
// against its own actions, a migration counting as its stop and start.
func (s *scheduler) orderActions() {
	byTask := map[string][]int{} // "rsc task" -> actions
	for _, a := range s.plan.Actions {
		if a.Resource != "" && !(a.Task == "monitor" && a.Interval == 0) {
			byTask[a.Resource+" "+a.Task] = append(byTask[a.Resource+" "+a.Task], a.ID)
		}
	}
	done := map[string]string{"start": "running", "stop": "stopped", "promote": "promoted", "demote": "demoted"}
	opposite := map[string]string{"start": "stop", "stop": "start", "promote": "demote", "demote": "promote"}
	// ends: what marks id's task as finished; begins: what starts it.
	ends := func(id, task string) []int {
		if c := s.collective[id+" confirmed-post_notify_"+done[task]]; c != 0 {
			return []int{c}
		}
		if c := s.collective[id+" "+done[task]]; c != 0 {
			return []int{c}
		}
		return s.memberActions(byTask, id, task)
	}
	begins := func(id, task string) []int {
		if c := s.collective[id+" "+task]; c != 0 {
			return []int{c}
		}
		out := s.memberActions(byTask, id, task)
		if task == "stop" || task == "start" {
			// A migration is the stop and the start: it waits as they do.
			out = append(out, s.memberActions(byTask, id, "migrate_to")...)
		}
		return out
	}
	// A clean-up of a resource's history comes after its stops and
	// before its starts.
	for rsc, ids := range s.cleanups {
		for _, id := range ids {
			s.addAfter(id, s.stops[rsc]...)
			for _, start := range s.starts[rsc] {
				s.addAfter(start, id)
			}
		}
	}
	// One-or-more pseudo actions stand between firsts and thens: in the
	// plan when any first starts, then waiting for it.
	for _, o := range s.cl.Orders {
		if o.Relaxed == "" {
			continue
		}
		var firsts []int
		if u := s.byID[o.First]; u != nil && u.clone == nil && s.collective[o.First+" start"] != 0 {
			firsts = []int{s.collective[o.First+" start"]}
		} else {
			firsts = s.memberActions(byTask, o.First, "start")
		}
		if len(firsts) == 0 || !s.relaxedRuns(o) {
			continue // (an unrunnable pseudo action is left out of the graph)
		}
		if s.relaxedOps[o.Relaxed] == 0 {
			s.relaxedOps[o.Relaxed] = s.add(Action{Task: o.Relaxed, Pseudo: true, Reason: "enough of " + o.Relaxed + " may start"})
		}
		s.addAfter(s.relaxedOps[o.Relaxed], firsts...)
	}
	for _, o := range s.cl.Orders {
		fa, ta := o.actions()
		firstEnds := ends(o.First, fa)
		if o.Relaxed != "" {
			firstEnds = nil
			if op := s.relaxedOps[o.Relaxed]; op != 0 {
				firstEnds = []int{op}
			}
		}
		for _, f := range firstEnds {
			for _, t := range begins(o.Then, ta) {
				if !s.addAfterNoCycle(t, f) {
					s.plan.Notes = appendOnce(s.plan.Notes, fmt.Sprintf("order %s: %s %s then %s %s would close an ordering loop (check the order constraints); that step is not ordered",
						o.ID, o.First, fa, o.Then, ta))
				}
			}
		}
		if o.Symmetrical && opposite[fa] != "" && opposite[ta] != "" {
			for _, f := range ends(o.Then, opposite[ta]) {
				if !o.Mandatory && s.migrationStops[f] {
					continue // (an optional order does not wait for a migration's stop)
				}
				for _, t := range begins(o.First, opposite[fa]) {
					s.addAfterNoCycle(t, f)
				}
			}
		}
	}
	s.probesBeforeStops()
	// Two resources that may never run together: one loses its role on a
	// node before the other takes its role there.
	for _, c := range s.cl.Colocations {
		if c.Score > -Infinity {
			continue
		}
		s.antiColocationOrder(c.Resource, c.Role, c.With, c.WithRole, ends, begins)
		s.antiColocationOrder(c.With, c.WithRole, c.Resource, c.Role, ends, begins)
	}
}

// probesBeforeStops orders, as Pacemaker does for every ordering whose
// first is a stop, the probes of that first resource before the ordered
// action: a group member's before the stop of the member before it and
// the group's stopped, a clone's before the clone's stopped, and for an
// order (and the reverse of a symmetrical one) the probes of the resource
// stopping first before what follows.
func (s *scheduler) probesBeforeStops() {
	tasksOf := map[string][]int{} // "rsc task" -> actions
	for _, a := range s.plan.Actions {
		if a.Resource != "" && !(a.Task == "monitor" && a.Interval == 0) {
			tasksOf[a.Resource+" "+a.Task] = append(tasksOf[a.Resource+" "+a.Task], a.ID)
		}
	}
	order := func(probes, thens []int) {
		for _, p := range probes {
			for _, t := range thens {
				s.addAfterNoCycle(t, p)
			}
		}
	}
	// The actions an order of task on id reaches: a collective's own pseudo
	// action, or a primitive's.
	actionsOf := func(id, task string) []int {
		if c := s.collective[id+" "+task]; c != 0 {
			return []int{c}
		}
		if u := s.byID[id]; u != nil && (u.clone != nil || len(u.members) > 1 || u.id != u.members[0].ID) && u.id == id {
			return nil
		}
		return tasksOf[id+" "+task]
	}
	for _, g := range s.cl.Groups {
		for i, m := range g.Members {
			if i > 0 {
				order(s.probes[m.ID], tasksOf[g.Members[i-1].ID+" stop"])
			}
			if c := s.collective[g.ID+" stopped"]; c != 0 {
				order(s.probes[m.ID], []int{c})
			}
		}
	}
	for _, c := range s.cl.Clones {
		if c.Group == nil && c.Primitive != nil {
			if st := s.collective[c.ID+" stopped"]; st != 0 {
				order(s.probes[c.Primitive.ID], []int{st})
			}
		}
	}
	for _, o := range s.cl.Orders {
		fa, ta := o.actions()
		if fa == "stop" {
			order(s.probes[o.First], actionsOf(o.Then, ta))
		}
		if o.Symmetrical && fa == "start" && ta == "start" {
			order(s.probes[o.Then], actionsOf(o.First, "stop"))
		}
	}
}

// antiColocationOrder orders what makes first lose its role (a stop, a
// demote) before what makes then take its own (a start, a promote), where
// both happen on the same node (or either is a collective step).
func (s *scheduler) antiColocationOrder(first, firstRole, then, thenRole string, ends, begins func(id, task string) []int) {
	firstTasks, thenTasks := []string{"stop"}, []string{"start"}
	switch firstRole {
	case "Promoted":
		firstTasks = []string{"demote"}
	case "Unpromoted":
		firstTasks = append(firstTasks, "promote")
	}
	switch thenRole {
	case "Promoted":
		thenTasks = []string{"promote"}
	case "Unpromoted":
		thenTasks = append(thenTasks, "demote")
	}
	for _, ft := range firstTasks {
		for _, tt := range thenTasks {
			for _, f := range ends(first, ft) {
				for _, t := range begins(then, tt) {
					fn, tn := s.plan.Actions[f-1].Node, s.plan.Actions[t-1].Node
					if fn != "" && tn != "" && fn != tn {
						continue
					}
					s.addAfterNoCycle(t, f)
				}
			}
		}
	}
}

// addAfterNoCycle makes t wait for f unless f already waits for t: a
// cycle would leave both waiting forever, so that ordering gives way (and
// false is returned).
func (s *scheduler) addAfterNoCycle(t, f int) bool {
	seen := map[int]bool{}
	stack := []int{f}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == t {
			return false
		}
		if seen[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, s.plan.Actions[x-1].After...)
	}
	s.addAfter(t, f)
	return true
}

// memberActions lists the actions of a task for what a constraint names:
// a primitive, or the members of a group or clone (when it has no pseudo
// action for the task, because nothing of it happens), or a unique
// clone's instances.
func (s *scheduler) memberActions(byTask map[string][]int, id, task string) []int {
	if u := s.byID[id]; u != nil {
		var out []int
		for _, m := range members(u, id) {
			out = append(out, byTask[m.ID+" "+task]...)
		}
		return out
	}
	var out []int
	for _, iu := range s.uniqueInstances(id) {
		for _, m := range iu.members {
			out = append(out, byTask[m.ID+" "+task]...)
		}
	}
	return out
}

func members(u *unit, id string) []*Resource {
	if u.id == id {
		return u.members
	}
	for _, m := range u.members {
		if m.ID == id {
			return []*Resource{m}
		}
	}
	return nil
}

// cancelOrphanMonitors cancels recurring monitors that still run but are
// no longer configured (Pacemaker does so while reading the history, so
// they come first).
func (s *scheduler) cancelOrphanMonitors() {
	if s.earlyCancel == nil {
		s.earlyCancel = map[int]bool{}
	}
	if s.fromHistory == nil {
		s.fromHistory, s.historyInstance = map[int]bool{}, map[int]string{}
	}
	// Maintenance (of the resource, the cluster or the node) stops the
	// recurring monitors: Pacemaker no longer watches what it leaves alone.
	maint := map[string]bool{}
	for _, r := range s.cl.Resources {
		inMaintenance := s.cl.MaintenanceMode || cib.IsTrue(r.Meta["maintenance"])
		for _, n := range s.cl.Nodes {
			st := r.State[n.Uname]
			available := probeable(n) && !n.ShuttingDown && !n.Standby
			if st == nil || !st.Active || r.Orphan || !(inMaintenance || n.Maintenance) || !(n.Maintenance || available) || !n.Online || n.Unclean {
				continue
			}
			var intervals []time.Duration
			for iv, on := range st.MonitorActive {
				if on {
					intervals = append(intervals, iv)
				}
			}
			sort.Slice(intervals, func(i, j int) bool { return intervals[i] < intervals[j] })
			for _, iv := range intervals {
				id := s.action(r, "cancel", n.Uname, iv, "maintenance mode: stop monitoring "+r.ID, nil)
				s.earlyCancel[id], s.fromHistory[id] = true, true
				maint[r.ID+" "+n.Uname] = true
			}
		}
	}
	if !s.cl.StopOrphanActions {
		return // left running, as configured
	}
	for _, r := range s.cl.Resources {
		if r.Orphan || (r.Bundle != "" && r.IsConnection()) {
			continue // its monitors end with its stop (a bundle's connection is not checked)
		}
		configured := map[time.Duration]bool{}
		for _, op := range r.Ops {
			if op.Name == "monitor" && op.Interval > 0 && !strings.EqualFold(op.Attrs["enabled"], "false") {
				configured[op.Interval] = true
			}
		}
		for _, iv := range r.duplicateMonitors {
			configured[iv] = true // configured, if not scheduled
		}
		for _, n := range s.cl.Nodes {
			st := r.State[n.Uname]
			if st == nil || !probeable(n) || maint[r.ID+" "+n.Uname] {
				continue
			}
			var intervals []time.Duration
			for iv, on := range st.MonitorActive {
				if on && !configured[iv] {
					intervals = append(intervals, iv)
				}
			}
			sort.Slice(intervals, func(i, j int) bool { return intervals[i] < intervals[j] })
			for _, iv := range intervals {
				id := s.action(r, "cancel", n.Uname, iv, "cancel the monitor of "+r.ID+" no longer configured", nil)
				s.earlyCancel[id], s.fromHistory[id] = true, true
			}
		}
	}
}

// cleanUpHistory deletes, as Pacemaker does while reading the history of
// the nodes that may run resources, the histories of resources no longer
// configured, and of resources whose agent changed since (anonymous clone
// instances excepted). A clean-up comes after the resource's stops and
// before its starts (ordered with the other orders).
func (s *scheduler) cleanUpHistory() {
	s.cleanups, s.agentChanged, s.actionCauses, s.forcedStart = map[string][]int{}, map[string]bool{}, map[string]string{}, map[string]bool{}
	for _, n := range s.cl.Nodes {
		if !n.Maintenance && !(n.Online && !n.ShuttingDown && !n.Unclean && !n.Standby) {
			continue
		}
		for _, e := range n.lrm {
			r := e.rsc
			switch {
			case e.id == "":
				continue
			case r == nil || r.Orphan:
			case e.class != r.Class || e.provider != r.Provider || e.agent != r.Type:
				if st := r.State[n.Uname]; st != nil && st.Active && r.Clone == nil {
					// It restarts (its stop planned with the history).
					st.Restart = true
					s.agentChanged[r.ID+" "+n.Uname] = true
				}
			default:
				s.configChanges(r, n, e.el)
				continue
			}
			failed := false
			if r != nil {
				for _, st := range r.State {
					failed = failed || st.Failed
				}
			}
			if failed || !n.Online || n.Unclean || (r != nil && !r.Managed) || (r == nil && !s.cl.stopOrphans) {
				continue // (nothing is done to what is not managed)
			}
			a := Action{Resource: e.id, Class: e.class, Provider: e.provider, Type: e.agent, Task: "delete", Node: n.Uname,
				Reason: "forget " + e.id + ", no longer configured"}
			if r != nil {
				a.Resource, a.Class, a.Provider, a.Type = r.ID, r.Class, r.Provider, r.Type
				if !r.Orphan {
					a.Reason = "forget " + e.id + ", its agent changed"
				}
			}
			id := s.add(a)
			s.fromHistory[id] = true
			if r != nil && r.Clone != nil && e.id != r.ID {
				s.historyInstance[id] = e.id
			}
			s.cleanups[a.Resource] = append(s.cleanups[a.Resource], id)
		}
	}
}

// needsProbe reports whether a resource is probed on a node: where its
// state is unknown, on a node that can be probed, unless it cannot run
// there at all (fencing devices and connections on remote nodes) or runs
// inside a container (found through the container).
func (s *scheduler) needsProbe(r *Resource, n *Node) bool {
	return probeable(n) && s.unknownTo(r, n)
}

// unknownTo reports whether a node would be asked about a resource (if
// it could be): nothing is known of it there, and it could run there.
func (s *scheduler) unknownTo(r *Resource, n *Node) bool {
	if r.State[n.Uname] != nil && r.State[n.Uname].Known {
		return false
	}
	if r.Container != "" && !r.IsConnection() {
		return false
	}
	switch {
	case r.Bundle != "" && r.IsConnection():
		// Probed once its container runs: not at all if it will not.
		if ct := resourceByID(s.cl, r.Container); ct == nil || (len(ct.ActiveOn()) == 0 && (s.target[ct.ID] == "" || !ct.Managed)) {
			return false
		}
	case r.Bundle != "" && r.Clone != nil:
		if n.Bundle != r.Bundle {
			return false // a bundle's primitive runs on the bundle's nodes only
		}
	case n.Bundle != "":
		return false // and nothing else runs there
	}
	if n.Remote && (r.Class == "stonith" || r.IsConnection() || (n.Container != "" && r.Meta["remote-node"] != "")) {
		return false
	}
	if !s.discoverable(r, n) {
		return false
	}
	if n.Remote && cib.IsFalse(n.Attrs["resource-discovery-enabled"]) && (s.cl.StonithEnabled || n.Container != "") {
		return false // discovery disabled there (allowed where it can be fenced)
	}
	if n.Container != "" {
		// Nothing runs in a guest that is not running yet, or that stops.
		ct := resourceByID(s.cl, n.Container)
		if ct == nil || len(ct.ActiveOn()) == 0 || s.target[ct.ID] == "" || len(s.stops[ct.ID]) > 0 {
			return false
		}
		if st := ct.State[s.target[ct.ID]]; st == nil || !st.Active || st.Failed || st.Restart {
			return false // it moves or restarts
		}
	}
	return true
}

// probeable reports whether resources are probed on a node: one that is
// up, clean and has finished joining.
func probeable(n *Node) bool {
	return n.Online && !n.Unclean && !n.Pending
}

// mayRunOnRemote reports whether a unit may run on Pacemaker Remote nodes:
// connections, fencing devices and guests' containers may not (no
// nesting of remote nodes).
func (s *scheduler) mayRunOnRemote(u *unit) bool {
	for _, m := range u.members {
		if m.IsConnection() || m.Class == "stonith" || m.Meta["remote-node"] != "" {
			return false
		}
	}
	return true
}

// remoteHost is the remote node a resource must run on because its
// container is that node's connection or the guest's resource ("" if
// none).
func (s *scheduler) remoteHost(r *Resource) string {
	if r.Container == "" || r.IsConnection() {
		return ""
	}
	ct := resourceByID(s.cl, r.Container)
	switch {
	case ct == nil:
		return ""
	case ct.IsConnection():
		return ct.ID
	default:
		return ct.Meta["remote-node"]
	}
}

// remoteOrdering orders what happens on Pacemaker Remote nodes around
// their connections, as Pacemaker does: anything but a stop or demote
// waits for the connection to start, and stops come before the
// connection stops. A resource moving onto a remote node stops where it
// was only once the connection is up, so that it keeps running if the
// connection fails.
func (s *scheduler) remoteOrdering() {
	// A connection that starts (not just migrates) restarts the
	// recurring monitors of what keeps running behind it.
	for _, n := range s.cl.Nodes {
		if !n.Remote || s.target[n.Connection] == "" {
			continue
		}
		starts := false
		for _, id := range s.starts[n.Connection] {
			starts = starts || !s.plan.Actions[id-1].Pseudo
		}
		if !starts {
			continue
		}
		for _, r := range s.cl.Resources {
			st := r.State[n.Uname]
			if st == nil || !st.Active || r.Clone != nil || r.Unique != nil || s.target[r.ID] != n.Uname || len(s.stops[r.ID]) > 0 || len(s.starts[r.ID]) > 0 {
				continue
			}
			for _, op := range r.Ops {
				if op.Name == "monitor" && op.Interval > 0 && (normRole(op.Attrs["role"]) == "" || normRole(op.Attrs["role"]) == "Started") && !strings.EqualFold(op.Attrs["enabled"], "false") {
					s.action(r, "monitor", n.Uname, op.Interval, "monitor "+r.ID+" through the new connection", nil)
				}
			}
		}
	}
	for i, n := 0, len(s.plan.Actions); i < n; i++ {
		a := s.plan.Actions[i]
		// (A stop that fencing implies still comes before the
		// connection's stop: Pacemaker orders it before it becomes one.)
		if a.Resource == "" || a.Node == "" || (a.Pseudo && a.Task != "stop") {
			continue
		}
		node := s.node(a.Node)
		if node == nil || !node.Remote || node.Connection == a.Resource {
			continue
		}
		starts, stops := s.starts[node.Connection], s.stops[node.Connection]
		switch a.Task {
		case "stop", "demote", "migrate_to", "migrate_from":
			for _, st := range stops {
				s.addAfterNoCycle(st, a.ID)
			}
		default:
			if len(starts) == 0 && len(stops) > 0 && a.Task == "monitor" && a.Interval == 0 {
				// The connection goes down for good: probe before.
				for _, st := range stops {
					s.addAfterNoCycle(st, a.ID)
				}
				continue
			}
			for _, st := range starts {
				s.addAfterNoCycle(a.ID, st)
				if a.Task != "start" {
					continue
				}
				for _, stop := range s.stops[a.Resource] {
					if s.plan.Actions[stop-1].Node != a.Node {
						s.addAfterNoCycle(stop, st)
					}
				}
			}
		}
	}
}

// onUncleanNode reports whether a resource is active (or pending) on a
// node that is unclean.
func (s *scheduler) onUncleanNode(r *Resource) bool {
	for node, st := range r.State {
		if n := s.node(node); n != nil && n.Unclean && (st.Active || st.Pending) {
			return true
		}
	}
	return false
}

// orderAfterFencing makes what needs fencing wait for every fencing of
// the plan: the starts and promotions of resources that require it, and
// the starts of those that require quorum where the fenced node may have
// been running them (their state there is unknown).
func (s *scheduler) orderAfterFencing() {
	var fences []int
	for _, a := range s.plan.Actions {
		if a.Task == "fence" {
			fences = append(fences, a.ID)
		}
	}
	if len(fences) == 0 {
		return
	}
	rsc := map[string]*Resource{}
	for _, r := range s.cl.Resources {
		rsc[r.ID] = r
	}
	for _, a := range s.plan.Actions {
		r := rsc[a.Resource]
		if r == nil || a.Pseudo || (a.Task != "start" && a.Task != "promote") {
			continue
		}
		need := s.requires(r)
		for _, f := range fences {
			target := s.plan.Actions[f-1].Node
			switch {
			case need == "fencing":
			case need == "quorum" && a.Task == "start" && (r.State[target] == nil || !r.State[target].Known):
			default:
				continue
			}
			s.addAfterNoCycle(a.ID, f)
		}
	}
}

// orderFencedStops orders the stops that fencing implies as Pacemaker
// does: a group's members still stop in reverse order, and the stop of
// the top-level group or clone comes after the fencing.
func (s *scheduler) orderFencedStops() {
	// A guest's pseudo fencing follows its container's stop (or, when the
	// fencing of its host stops the container, that fencing); a reboot
	// when the container starts again, else off.
	for node, id := range s.guestFences {
		ct := s.plan.Actions[id-1].Meta["guest"]
		action := "off"
		for _, st := range s.starts[ct] {
			if !s.plan.Actions[st-1].Pseudo {
				action = "reboot"
			}
		}
		s.plan.Actions[id-1].Task = "stonith-" + node + "-" + action
		s.plan.Actions[id-1].Meta["stonith_action"] = action
		for _, stop := range s.stops[ct] {
			s.addAfterNoCycle(id, stop)
		}
		for _, stop := range s.fenced[ct] {
			for _, fence := range s.plan.Actions[stop-1].After {
				s.addAfterNoCycle(id, fence)
			}
		}
	}
	for _, g := range s.cl.Groups {
		for i := len(g.Members) - 1; i > 0; i-- {
			for _, later := range s.fenced[g.Members[i-1].ID] {
				for _, first := range s.fenced[g.Members[i].ID] {
					if s.plan.Actions[later-1].Node == s.plan.Actions[first-1].Node {
						s.addAfterNoCycle(later, first)
					}
				}
			}
		}
	}
	for _, r := range s.cl.Resources {
		top := r.Group
		switch {
		case r.Clone != nil:
			top = r.Clone.ID
		case r.Unique != nil:
			top = r.Unique.ID
		}
		stop, ok := s.collective[top+" stop"]
		if top == "" || !ok || s.requires(r) != "fencing" {
			continue
		}
		for _, id := range s.fenced[r.ID] {
			for _, fence := range s.plan.Actions[id-1].After {
				if s.plan.Actions[fence-1].Task == "fence" {
					s.addAfterNoCycle(stop, fence)
				}
			}
		}
	}
}

// unmanagedMonitors schedules the recurring monitors that an unmanaged
// resource runs without (Pacemaker keeps watching what it does not
// manage), unless it is in maintenance, where monitors stop too.
func (s *scheduler) unmanagedMonitors(r *Resource, node string) {
	st := r.State[node]
	n := s.node(node)
	if st == nil || !st.Active || st.Failed || s.cl.MaintenanceMode || cib.IsTrue(r.Meta["maintenance"]) || n == nil || n.Maintenance ||
		r.Clone != nil || r.Unique != nil {
		return
	}
	for _, op := range r.Ops {
		role := normRole(op.Attrs["role"])
		if op.Name == "monitor" && op.Interval > 0 && (role == "" || role == "Started") && !strings.EqualFold(op.Attrs["enabled"], "false") && !st.MonitorActive[op.Interval] {
			s.action(r, "monitor", node, op.Interval, "monitor "+r.ID+" (unmanaged)", nil)
		}
	}
}

// bundleReplicaThere reports whether another container of the unit's
// bundle is placed on the node already (a bundle runs one replica per
// node).
func (s *scheduler) bundleReplicaThere(u *unit, node string) bool {
	r := u.members[0]
	if r.Bundle == "" || r.Clone != nil || r.IsConnection() || r.Type == "IPaddr2" {
		return false
	}
	for _, b := range s.cl.Bundles {
		if b.ID != r.Bundle {
			continue
		}
		for _, rep := range b.Replicas {
			if rep.Container != r.ID && s.placed[rep.Container] && s.target[rep.Container] == node {
				return true
			}
		}
	}
	return false
}

// exclusiveNodes lists the nodes that location constraints with
// resource-discovery=exclusive on any of ids name (or whose rules match
// them); nil when there are no such constraints.
func (s *scheduler) exclusiveNodes(ids map[string]bool) map[string]bool {
	var only map[string]bool
	for _, i := range positions(s.locationsOf, ids) {
		if l := s.cl.Constraints[i]; l.Discovery == "exclusive" {
			if only == nil {
				only = map[string]bool{}
			}
			only[l.Node] = true
		}
	}
	for _, i := range positions(s.rulesOf, ids) {
		rl := s.cl.Rules[i]
		if rl.Discovery != "exclusive" {
			continue
		}
		if only == nil {
			only = map[string]bool{}
		}
		for _, n := range s.cl.Nodes {
			for _, rule := range rl.Rules {
				if _, ok, err := ruleScore(rule, n, s.now); err == nil && ok {
					only[n.Uname] = true
				}
			}
		}
	}
	return only
}

// discoverable applies resource-discovery of the location constraints on
// a resource (or what contains it): "never" means no probe on that node;
// "exclusive" means probes only on the nodes such constraints name.
func (s *scheduler) discoverable(r *Resource, n *Node) bool {
	ids := map[string]bool{r.ID: true}
	if r.Group != "" {
		ids[r.Group] = true
	}
	if r.Clone != nil {
		ids[r.Clone.ID] = true
	}
	if r.Unique != nil {
		ids[r.Unique.ID] = true
	}
	exclusive, here := false, false
	for _, i := range positions(s.locationsOf, ids) {
		l := s.cl.Constraints[i]
		switch l.Discovery {
		case "never":
			if l.Node == n.Uname {
				return false
			}
		case "exclusive":
			exclusive = true
			here = here || l.Node == n.Uname
		}
	}
	for _, i := range positions(s.rulesOf, ids) {
		rl := s.cl.Rules[i]
		if rl.Discovery != "never" && rl.Discovery != "exclusive" {
			continue
		}
		matches := false
		for _, rule := range rl.Rules {
			if _, ok, err := ruleScore(rule, n, s.now); err == nil && ok {
				matches = true
			}
		}
		if rl.Discovery == "never" && matches {
			return false
		}
		if rl.Discovery == "exclusive" {
			exclusive = true
			here = here || matches
		}
	}
	return !exclusive || here
}

// recordScores notes a unit's allocation scores for crm_simulate -s, in
// Pacemaker's layout: a group's, then its members' (each after the first
// only where the one before it goes); a clone's, then each instance's
// (each excluded where an earlier instance goes).
func (s *scheduler) recordScores(u *unit, stopped bool) {
	if !s.reportScores {
		return
	}
	s.reporting = true
	scores := s.scores(u)
	s.reporting = false
	if stopped {
		for n := range scores {
			scores[n] = -Infinity // what must stop may run nowhere
		}
	}
	add := func(step, rsc string, score func(node string) int) {
		for _, n := range s.cl.Nodes {
			if _, ok := scores[n.Uname]; ok {
				s.plan.Scores = append(s.plan.Scores, AllocationScore{Step: step, Resource: rsc, Node: n.Uname, Score: score(n.Uname)})
			}
		}
	}
	same := func(node string) int { return scores[node] }
	switch {
	case u.clone != nil:
		add("pcmk__clone_allocate", u.clone.ID, same)
		max := u.clone.Max
		if max < 0 {
			max = len(s.cl.Nodes)
		}
		order := s.allocOrder[u.id]
		for i := 0; i < max; i++ {
			add("pcmk__clone_allocate", fmt.Sprintf("%s:%d", u.members[0].ID, i), same)
		}
		for i := 0; i < max; i++ {
			taken := map[string]bool{}
			for _, n := range order[:min(i, len(order))] {
				taken[n] = true
			}
			add("pcmk__primitive_assign", fmt.Sprintf("%s:%d", u.members[0].ID, i), func(node string) int {
				if taken[node] {
					return -Infinity
				}
				return scores[node]
			})
		}
	case len(u.members) > 1 || u.id != u.members[0].ID:
		add("pcmk__group_assign", u.id, same)
		for _, m := range u.members {
			add("pcmk__group_assign", m.ID, same)
		}
		for i, m := range u.members {
			add("pcmk__primitive_assign", m.ID, func(node string) int {
				if i > 0 && node != s.target[u.id] {
					return -Infinity
				}
				return scores[node]
			})
		}
	default:
		add("pcmk__primitive_assign", u.id, same)
	}
}
