package daemon

import (
	"context"
	"sort"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// localResources is the node's own resource manager: it runs the actions
// the DC sends, keeps recurring monitors going, and records every result
// in the node's history, which it reports to the DC.
type localResources struct {
	n        *Node
	hist     *cib.NodeHistory
	seq      int
	token    uint64
	running  map[string]engine.Action
	monitors map[string]*recurring
	nextMon  int
	slots    *actionSlots
}

type recurring struct {
	id       int
	cancel   context.CancelFunc
	recorded bool
	lastRC   int
	lastStat agents.Status
}

type opResult struct {
	key       string
	action    engine.Action
	res       agents.Result
	recurring int // id of the recurring monitor, 0 for one-shot ops
	queued    time.Duration
}

func newLocalResources(n *Node) *localResources {
	return &localResources{n: n, hist: cib.NewNodeHistory(n.self, n.self), running: map[string]engine.Action{}, monitors: map[string]*recurring{},
		slots: newActionSlots(nodeActionLimit(nil))}
}

func (l *localResources) agentOp(a engine.Action) agents.Op {
	return agents.Op{
		Resource: a.Resource,
		Agent:    agents.Agent{Class: a.Class, Provider: a.Provider, Type: a.Type},
		Action:   a.Task,
		Interval: a.Interval,
		Timeout:  a.Timeout,
		Params:   a.Params,
		Meta:     a.Meta,
		Node:     l.n.self,
	}
}

// exec runs an action sent by the DC. A repeat of an action that is
// still running, or of a monitor already active, only gets a report.
func (l *localResources) exec(e execMsg) {
	if e.Token > l.token {
		l.token = e.Token
	}
	a := e.Action
	l.slots.setLimit(nodeActionLimit(l.n.cib))
	if _, busy := l.running[e.Key]; busy {
		l.report()
		return
	}
	if a.Task == "delete" || a.Task == "lrm_delete" { // (lrm_delete: a shutdown lock expired)
		// Forget a resource no longer configured (it was stopped).
		l.cancelMonitors(a.Resource)
		l.hist.Forget(a.Resource)
		l.seq++
		l.report()
		return
	}
	if a.Task == "clear_failcount" {
		// The failure expired (failure-timeout): its count goes.
		l.hist.ClearFailCount(a.Resource)
		l.seq++
		l.report()
		return
	}
	if a.Task == "cancel" {
		// Stop a recurring monitor and forget its result, as Pacemaker's
		// executor does on a cancel.
		key := actionKey(a.Node, a.Resource, "monitor", a.Interval)
		if m := l.monitors[key]; m != nil {
			m.cancel()
			delete(l.monitors, key)
		}
		l.hist.CancelRecurring(a.Resource, "monitor", a.Interval)
		l.seq++
		l.report()
		return
	}
	if a.Task == "monitor" && a.Interval > 0 {
		if l.monitors[e.Key] == nil {
			l.startMonitor(e.Key, a)
		}
		l.report()
		return
	}
	l.cancelMonitors(a.Resource)
	l.hist.Record(l.record(a, agents.Result{Started: time.Now()}, cib.ExecPending))
	l.running[e.Key] = a
	l.seq++
	l.report()
	op := l.agentOp(a)
	go func() {
		queued, _ := l.slots.acquire(context.Background())
		res := l.n.opts.Executor.Exec(context.Background(), op)
		l.slots.release()
		l.n.results <- opResult{key: e.Key, action: a, res: res, queued: queued}
	}()
}

func (l *localResources) startMonitor(key string, a engine.Action) {
	l.nextMon++
	ctx, cancel := context.WithCancel(context.Background())
	m := &recurring{id: l.nextMon, cancel: cancel}
	l.monitors[key] = m
	op := l.agentOp(a)
	go func() {
		for {
			queued, ok := l.slots.acquire(ctx)
			if !ok {
				return
			}
			res := l.n.opts.Executor.Exec(ctx, op)
			l.slots.release()
			select {
			case l.n.results <- opResult{key: key, action: a, res: res, recurring: m.id, queued: queued}:
			case <-ctx.Done():
				return
			}
			select {
			case <-time.After(a.Interval):
			case <-ctx.Done():
				return
			}
		}
	}()
}

func (l *localResources) cancelMonitors(rsc string) {
	for key, m := range l.monitors {
		if m.cancelOf(key, rsc) {
			m.cancel()
			delete(l.monitors, key)
		}
	}
}

func (m *recurring) cancelOf(key, rsc string) bool {
	// key is "node|rsc_task_ms"; match the resource part exactly.
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '|' {
			rest := key[i+1:]
			return len(rest) > len(rsc) && rest[:len(rsc)] == rsc && rest[len(rsc)] == '_' && isTaskSuffix(rest[len(rsc)+1:])
		}
	}
	return false
}

// isTaskSuffix accepts "TASK_MS" so that resource "a" does not match "a_b".
func isTaskSuffix(s string) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '_' {
			for _, ch := range s[i+1:] {
				if ch < '0' || ch > '9' {
					return false
				}
			}
			task := s[:i]
			for _, ch := range task {
				if ch == '_' && task != "migrate_to" && task != "migrate_from" {
					return false
				}
			}
			return true
		}
	}
	return false
}

func (l *localResources) record(a engine.Action, res agents.Result, status int) cib.OpRecord {
	return cib.OpRecord{
		Resource: a.Resource, Class: a.Class, Provider: a.Provider, Type: a.Type,
		Operation: a.Task, Interval: a.Interval,
		RC: res.RC, ExpectedRC: a.ExpectedRC, OpStatus: status, ExitReason: res.ExitReason,
		Node: l.n.self, LastChange: res.Started, ExecTime: res.Duration, Digest: a.Digest,
	}
}

func execStatus(r agents.Result) int {
	switch r.Status {
	case agents.TimedOut:
		return cib.ExecTimeout
	case agents.NotInstalled:
		return cib.ExecNotInstalled
	case agents.ExecFailed:
		return cib.ExecError
	}
	return cib.ExecDone
}

// finished records a result from the executor.
func (l *localResources) finished(r opResult) {
	if r.recurring != 0 {
		m := l.monitors[r.key]
		if m == nil || m.id != r.recurring {
			return // cancelled meanwhile
		}
		// Like Pacemaker, record a recurring monitor's first result and
		// every change, not each repetition.
		if m.recorded && m.lastRC == r.res.RC && m.lastStat == r.res.Status {
			return
		}
		m.recorded, m.lastRC, m.lastStat = true, r.res.RC, r.res.Status
	} else {
		delete(l.running, r.key)
	}
	done := l.record(r.action, r.res, execStatus(r.res))
	done.QueueTime = r.queued
	rec := l.hist.Record(done)
	if rec.Failed() && r.action.FailFatal {
		// As Pacemaker's controller does with start-failure-is-fatal: the
		// scheduler reads the fail count and keeps the resource away.
		l.hist.Attrs["fail-count-"+rec.FailKey()] = "INFINITY"
	}
	lvl := l.n.log.Info
	if rec.Failed() {
		lvl = l.n.log.Warn
	}
	lvl("operation", "resource", rec.Resource, "op", rec.Operation, "interval", rec.Interval, "rc", rec.RC, "status", r.res.Status.String(), "reason", rec.ExitReason, "took", r.res.Duration.Round(time.Millisecond))
	l.seq++
	l.report()
}

// report sends the node's history to the DC (or hands it over, on the DC).
func (l *localResources) report() {
	n := l.n
	h := histMsg{Seq: l.seq, Transient: elementString(l.hist.Transient()), LRM: elementString(l.hist.LRM()), Token: l.token}
	for k := range l.running {
		h.Running = append(h.Running, k)
	}
	// A recurring monitor counts as running until its first result is
	// recorded: the DC then does not send it again meanwhile.
	for k, m := range l.monitors {
		if !m.recorded {
			h.Running = append(h.Running, k)
		}
	}
	sort.Strings(h.Running)
	switch {
	case n.isDC:
		n.ctl.history(n.self, h)
	case n.dc != "":
		n.send("hist", n.dc, h)
	}
}

// stopAll stops every resource this node runs, for a clean shutdown.
func (l *localResources) stopAll(limit time.Duration) {
	for key, m := range l.monitors {
		m.cancel()
		delete(l.monitors, key)
	}
	deadline := time.Now().Add(limit)
	for _, rsc := range l.hist.Resources() {
		last, ok := l.hist.Last(rsc)
		if !ok || !(last.RC == 0 && last.OpStatus == cib.ExecDone && (last.Operation == "start" || last.Operation == "monitor" || last.Operation == "migrate_from")) {
			continue
		}
		if time.Now().After(deadline) {
			l.n.log.Error("shutdown: no time left to stop", "resource", rsc)
			continue
		}
		a := engine.Action{Resource: rsc, Class: last.Class, Provider: last.Provider, Type: last.Type, Task: "stop", Node: l.n.self, Timeout: 20 * time.Second, Params: l.n.params(rsc)}
		res := l.n.opts.Executor.Exec(context.Background(), l.agentOp(a))
		l.hist.Record(l.record(a, res, execStatus(res)))
		l.n.log.Info("shutdown: stopped", "resource", rsc, "rc", res.RC)
	}
	l.seq++
	l.report()
}

// params reads a primitive's instance attributes from the CIB.
func (n *Node) params(rsc string) map[string]string {
	out := map[string]string{}
	e := n.cib.FindID(rsc)
	if e == nil {
		return out
	}
	for _, set := range e.SelectElements("instance_attributes") {
		for _, nv := range set.SelectElements("nvpair") {
			out[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
		}
	}
	return out
}

// cleanupMsg asks nodes to forget a resource's history (crm resource
// cleanup / refresh).
type cleanupMsg struct {
	Resource, Node string
	All            bool // refresh: forget everything, not only failures
}

// cleanup forgets what this node recorded of a resource, if the request
// is for it, and reports its history: the DC then probes it again.
func (l *localResources) cleanup(c cleanupMsg) {
	if c.Node != "" && c.Node != l.n.self {
		return
	}
	gone := l.hist.Cleanup(c.Resource, !c.All)
	if len(gone) == 0 {
		return
	}
	for _, id := range gone {
		l.cancelMonitors(id)
	}
	l.n.log.Info("cleanup", "resource", c.Resource, "forgotten", gone)
	l.seq++
	l.report()
}

// attrMsg sets or deletes a transient attribute of one node.
type attrMsg struct {
	Node, Name, Value string
	Delete            bool
}

// setAttr records a transient attribute of this node, if the request is
// for it, and reports: the DC puts it in the node's status.
func (l *localResources) setAttr(a attrMsg) {
	if a.Node != l.n.self {
		return
	}
	if a.Delete {
		delete(l.hist.Attrs, a.Name)
	} else {
		l.hist.Attrs[a.Name] = a.Value
	}
	l.n.log.Info("attribute", "name", a.Name, "value", a.Value, "deleted", a.Delete)
	l.seq++
	l.report()
}
