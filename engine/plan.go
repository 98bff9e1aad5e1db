package engine

import (
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// Input is everything the scheduler looks at. It never reads a clock or a
// file: Now is given.
type Input struct {
	CIB *cib.CIB
	Now time.Time
	// Scores asks for the allocation scores in the plan (Plan.Scores),
	// which costs a second scoring of every resource.
	Scores bool
}

// Placement is where one resource instance should be, and in which role.
// Node is "" when it should be stopped.
type Placement struct {
	Resource string
	Node     string
	Role     string // "Started", "Stopped" (later "Promoted", "Unpromoted")
}

// Action is one step of a plan, to be executed by the executor of Node.
type Action struct {
	ID       int
	Resource string
	Class    string
	Provider string
	Type     string
	Task     string        // "start", "stop", "monitor", "fence", "do_shutdown" (node actions have no Resource)
	Interval time.Duration // > 0: a recurring monitor; 0 with "monitor": a probe
	Node     string        // uname of the node that runs it
	Timeout  time.Duration // from the op definition, op_defaults, or 20s
	Params   map[string]string
	Meta     map[string]string // resource meta attributes and the op's attributes
	// Digest is Pacemaker's digest of the parameters the operation runs
	// with: the node records it (op-digest), and a later plan compares
	// the configuration with it to see a changed definition.
	Digest     string `json:",omitempty"`
	ExpectedRC int    // 7 for a probe, 0 otherwise
	After      []int  // IDs of actions of this plan that must succeed first
	Reason     string // why the action is needed, in words
	// Pseudo actions run nowhere: they stand for what another action
	// implies (a node's fencing stops what ran there), or for a step of a
	// group or clone as a whole (Resource is then the group or clone, and
	// Task one of start, running, stop, stopped, promote, promoted,
	// demote, demoted).
	Pseudo bool
	// Instance names the clone instance the action is for ("rsc:1"),
	// "" outside anonymous clones.
	Instance string
	// FailFatal marks a start whose failure bans the resource from the
	// node (start-failure-is-fatal): the node that runs it records an
	// INFINITY fail count, which is what the scheduler reads.
	FailFatal bool `json:",omitempty"`
	// Cause is Pacemaker's words for why the action is needed when they
	// are not the obvious ones ("resource definition change"), as its
	// transition summary gives them.
	Cause string `json:",omitempty"`
	// quiet marks an action the transition summary does not report (the
	// stop that ends a migration the history shows finished).
	quiet bool
}

// Plan is the scheduler's answer: the placement of every resource, the
// actions that get the cluster there, and notes explaining decisions
// (such as why nothing may start).
type Plan struct {
	Placements []Placement
	// Actions are in the order of Pacemaker's transition graph; each
	// action's After refers to actions by ID, which is its position + 1.
	Actions []Action
	Notes   []string
	// HistoryNames gives, for a clone instance, the id its operation
	// history uses when that differs from the instance name (histories
	// of anonymous clones usually carry no instance number).
	HistoryNames map[string]string
	// Blocked lists starts the cluster would make but may not: what
	// Pacemaker's summary shows as "Start ... due to CAUSE (blocked)".
	Blocked []BlockedStart
	// Causes gives, by resource, Pacemaker's words for why it changes
	// when they are not the obvious ones ("unrunnable A start").
	Causes map[string]string
	// InstanceCauses are such words for a clone's instance, by
	// "RESOURCE@NODE" (the node it runs on).
	InstanceCauses map[string]string
	// withoutCause marks, by "RESOURCE@NODE", the instances whose stop
	// Pacemaker reports with no reason at all.
	withoutCause map[string]bool
	// Scores are the allocation scores, in the order and under the names
	// Pacemaker reports them (crm_simulate -s).
	Scores []AllocationScore
	// ProcessOrder is, with a placement strategy, each resource's place
	// in the order Pacemaker sorts them for placement (and then lists
	// them in its summary); nil otherwise.
	ProcessOrder map[string]int
}

// BlockedStart is a start (or, with Task "stop", a stop) that cannot
// happen, and why.
type BlockedStart struct {
	Resource, Instance, Node string
	Cause                    string // "no quorum", "quorum freeze", "unrunnable A start"; "" when Pacemaker gives none
	Task                     string // "" or "start"; "stop"
}

// Runnable lists the actions that may run now: every action they wait
// for is a pseudo action that is itself runnable (pseudo actions only
// mark steps, nothing executes them).
func (p *Plan) Runnable() []Action {
	memo := map[int]bool{}
	var ready func(id int, depth int) bool
	ready = func(id int, depth int) bool {
		if v, ok := memo[id]; ok {
			return v
		}
		if id < 1 || id > len(p.Actions) || depth > len(p.Actions) {
			return false
		}
		memo[id] = false // breaks cycles
		ok := true
		for _, b := range p.Actions[id-1].After {
			if b < 1 || b > len(p.Actions) || !transparent(p.Actions[b-1]) || !ready(b, depth+1) {
				ok = false
				break
			}
		}
		memo[id] = ok
		return ok
	}
	var out []Action
	for _, a := range p.Actions {
		if !transparent(a) && ready(a.ID, 0) {
			out = append(out, a)
		}
	}
	return out
}

// transparent tells the actions nothing executes yet: pseudo actions, and
// clone notifications (not delivered to agents yet; a later transition
// without them carries on).
func transparent(a Action) bool {
	return a.Pseudo || a.Task == "notify"
}

// ExecutionOrder lists the actions in the order crm_simulate runs the
// graph: passes over the actions in graph order, each running every
// action whose predecessors have run. Actions caught in a cycle are left
// out, as they never run.
func (p *Plan) ExecutionOrder() []Action {
	done := make([]bool, len(p.Actions)+1)
	var out []Action
	for {
		progress := false
		for _, a := range p.Actions {
			if a.ID < 1 || a.ID >= len(done) || done[a.ID] {
				continue
			}
			ready := true
			for _, d := range a.After {
				ready = ready && d > 0 && d < len(done) && done[d]
			}
			if !ready {
				continue
			}
			done[a.ID] = true
			progress = true
			out = append(out, a)
		}
		if !progress {
			return out
		}
	}
}

// AllocationScore is one node's score for a resource when it was placed;
// Step names the part of Pacemaker's scheduler that reports it
// (pcmk__primitive_assign, pcmk__group_assign, pcmk__clone_allocate).
type AllocationScore struct {
	Step, Resource, Node string
	Score                int
}
