package agents

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Agent names a resource agent as class:provider:type (provider only for
// ocf).
type Agent struct {
	Class, Provider, Type string
}

// ParseAgent reads "ocf:heartbeat:IPaddr2", "lsb:nginx", "stonith:fence_xvm".
func ParseAgent(s string) (Agent, error) {
	p := strings.Split(s, ":")
	switch {
	case len(p) == 3 && p[0] == "ocf" && p[1] != "" && p[2] != "":
		return Agent{p[0], p[1], p[2]}, nil
	case len(p) == 2 && p[0] != "ocf" && p[0] != "" && p[1] != "":
		return Agent{Class: p[0], Type: p[1]}, nil
	}
	return Agent{}, fmt.Errorf("agent %q: want class:provider:type (ocf) or class:type", s)
}

func (a Agent) String() string {
	if a.Provider != "" {
		return a.Class + ":" + a.Provider + ":" + a.Type
	}
	return a.Class + ":" + a.Type
}

// Op is one operation to run.
type Op struct {
	Resource string // OCF_RESOURCE_INSTANCE
	Agent    Agent
	Action   string        // start, stop, monitor, meta-data, ...
	Interval time.Duration // for monitor: 0 is a probe
	Timeout  time.Duration // 0 means 20s
	Params   map[string]string
	Meta     map[string]string // exported as OCF_RESKEY_CRM_meta_<name>
	Node     string
}

// Status says whether the agent ran to completion.
type Status int

const (
	Done         Status = iota // the agent exited; RC is its exit code
	TimedOut                   // killed at its timeout
	NotInstalled               // the agent file does not exist
	ExecFailed                 // the agent could not be executed
)

func (s Status) String() string {
	return [...]string{"complete", "Timed Out", "not installed", "error"}[s]
}

// Result is what an operation came to.
type Result struct {
	RC         int
	Status     Status
	ExitReason string
	Output     string // stdout and stderr, bounded
	Started    time.Time
	Duration   time.Duration
}

// Executor runs operations. Exec blocks until the operation ends or ctx is
// done; it is safe for concurrent use.
type Executor interface {
	Exec(ctx context.Context, op Op) Result
}
