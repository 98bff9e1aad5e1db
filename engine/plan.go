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
	ID         int
	Resource   string
	Class      string
	Provider   string
	Type       string
	Task       string        // "start", "stop", "monitor", "fence"
	Interval   time.Duration // > 0: a recurring monitor; 0 with "monitor": a probe
	Node       string        // uname of the node that runs it
	Timeout    time.Duration // from the op definition, op_defaults, or 20s
	Params     map[string]string
	Meta       map[string]string // resource meta attributes and the op's attributes
	ExpectedRC int               // 7 for a probe, 0 otherwise
	After      []int             // IDs of actions of this plan that must succeed first
	Reason     string            // why the action is needed, in words
	// Pseudo actions run nowhere: they stand for what another action
	// implies (a node's fencing stops what ran there).
	Pseudo bool
}

// Plan is the scheduler's answer: the placement of every resource, the
// actions that get the cluster there, and notes explaining decisions
// (such as why nothing may start).
type Plan struct {
	Placements []Placement
	Actions    []Action
	Notes      []string
}
