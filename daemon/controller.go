package daemon

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// controller is the DC's work: it keeps the status section from what the
// nodes report, runs the engine, and dispatches the actions that can run
// now. It is level-triggered: after every change it recomputes the plan
// from the current state, so a lost message or a failed action only delays
// convergence.
type controller struct {
	n        *Node
	hist     map[string]*knownHistory
	expected map[string]bool // node_state expected="member": down uncleanly if it vanishes
	// lastFenceCheck: when a plan was last made only to fence, while
	// members' histories were missing.
	lastFenceCheck time.Time
	inflight       map[string]*flight
	token          uint64
	dirty          bool
	lastRun        time.Time
	// wake is when to plan again with no event: when the plan changes by
	// itself (a failure timing out, a date rule), a fencing retry is due,
	// or cluster-recheck-interval has passed.
	wake   time.Time
	fences map[string]*fenceJob // nodes being fenced, or to be again
}

type knownHistory struct {
	have     bool
	gen      int64
	seq      int
	children []*etree.Element
	running  map[string]bool
	token    uint64
	lastReq  time.Time
}

type flight struct {
	node     string
	token    uint64
	deadline time.Time
	timeout  time.Duration
}

// histMsg is a node's report of its own operation history.
type histMsg struct {
	Seq       int      `json:"seq"`
	Transient string   `json:"attrs"`
	LRM       string   `json:"lrm"`
	Running   []string `json:"running,omitempty"`
	Token     uint64   `json:"token"`
}

// execMsg asks a node to run one action.
type execMsg struct {
	Key    string        `json:"key"`
	Token  uint64        `json:"token"`
	Action engine.Action `json:"action"`
}

func newController(n *Node) *controller {
	c := &controller{n: n, hist: map[string]*knownHistory{}, expected: map[string]bool{}, inflight: map[string]*flight{}, dirty: true,
		fences: map[string]*fenceJob{}}
	for _, ns := range n.cib.Status().SelectElements("node_state") {
		uname := ns.SelectAttrValue("uname", "")
		c.expected[uname] = ns.SelectAttrValue("expected", "") == "member" && !n.leftClean[uname]
		if n.leftClean[uname] {
			n.cib.ClearNodeHistory(ns.SelectAttrValue("id", uname))
		}
	}
	for _, m := range n.members() {
		if m != n.self {
			n.send("hist-req", m, struct{}{})
		}
	}
	return c
}

func (c *controller) changed() { c.dirty = true }

// heard notes a member's advertised history sequence and asks for the
// history when it is newer than what the DC has.
func (c *controller) heard(node string, seq int) {
	k := c.known(node)
	p := c.n.peers[node]
	if (!k.have || k.gen != p.gen || k.seq != seq) && time.Since(k.lastReq) >= c.n.cfg.Keepalive {
		k.lastReq = time.Now()
		c.n.send("hist-req", node, struct{}{})
	}
}

func (c *controller) known(node string) *knownHistory {
	k := c.hist[node]
	if k == nil {
		k = &knownHistory{}
		c.hist[node] = k
	}
	return k
}

// history takes a node's report.
func (c *controller) history(node string, h histMsg) {
	k := c.known(node)
	gen := c.n.gen
	if p := c.n.peers[node]; p != nil {
		gen = p.gen
	}
	if k.have && k.gen == gen && h.Seq < k.seq {
		return // an older report overtaken by a newer one
	}
	var children []*etree.Element
	for _, x := range []string{h.Transient, h.LRM} {
		d := etree.NewDocument()
		if err := d.ReadFromString(x); err != nil || d.Root() == nil {
			c.n.log.Warn("bad history report", "peer", node, "err", err)
			return
		}
		children = append(children, d.Root())
	}
	k.have, k.gen, k.seq, k.children, k.token = true, gen, h.Seq, children, h.Token
	k.running = map[string]bool{}
	for _, r := range h.Running {
		k.running[r] = true
	}
	for key, f := range c.inflight {
		if f.node != node {
			continue
		}
		switch {
		case k.running[key]:
			f.deadline = time.Now().Add(f.timeout + 10*time.Second)
		case h.Token >= f.token:
			delete(c.inflight, key) // done: its result is in this report
		}
	}
	c.dirty = true
}

func (c *controller) membershipChanged(node string, clean bool) {
	if clean {
		c.expected[node] = false
	}
	if !c.n.isMember(node) {
		if k := c.hist[node]; k != nil {
			k.have = false
		}
		if clean {
			// It stopped its resources before leaving: forget its history.
			c.n.cib.ClearNodeHistory(c.nodeID(node))
		}
	}
	c.forgetFlights(node)
	c.dirty = true
}

// forget is called when a peer rebooted: what it reported before is gone.
func (c *controller) forget(node string) {
	if k := c.hist[node]; k != nil {
		k.have = false
	}
	c.forgetFlights(node)
	c.dirty = true
}

func (c *controller) forgetFlights(node string) {
	for key, f := range c.inflight {
		if f.node == node {
			delete(c.inflight, key)
		}
	}
}

func (c *controller) nodeID(uname string) string {
	for _, e := range c.n.cib.Section("nodes", true).SelectElements("node") {
		if e.SelectAttrValue("uname", "") == uname {
			return e.SelectAttrValue("id", uname)
		}
	}
	return uname
}

// lostNode: a configured node that is not a member was expected up: it
// may need fencing.
func (c *controller) lostNode() bool {
	for _, name := range c.n.cfg.Nodes {
		if !c.n.isMember(name) && c.expected[name] {
			return true
		}
	}
	return false
}

// ready: the DC knows every member's current history.
func (c *controller) ready() bool {
	for _, m := range c.n.members() {
		if m == c.n.self {
			continue
		}
		k := c.hist[m]
		if k == nil || !k.have || k.gen != c.n.peers[m].gen {
			return false
		}
	}
	return true
}

func (c *controller) reconcile(now time.Time) {
	for key, f := range c.inflight {
		if now.After(f.deadline) {
			c.n.log.Warn("no answer to an action; scheduling again", "action", key)
			delete(c.inflight, key)
			c.dirty = true
		}
	}
	if !c.dirty && now.Before(c.wake) {
		return
	}
	if c.n.peersLate(now) {
		// A member's heartbeat is overdue: this node may itself be cut off,
		// and the others' deaths not yet seen. Acting now (fencing a node
		// with a quorum that is about to be lost) could fence the wrong
		// side; wait until the late ones speak or are declared dead.
		return
	}
	c.ensureNodes()
	c.refreshStatus()
	ready := c.ready()
	if !ready && (!c.lostNode() || now.Sub(c.lastFenceCheck) < 200*time.Millisecond) {
		return
	}
	if !ready {
		c.lastFenceCheck = now
	}
	plan, err := engine.Schedule(engine.Input{CIB: c.schedulingCIB(), Now: now})
	if err != nil {
		c.n.log.Error("scheduler", "err", err)
		return
	}
	runnable := map[int]bool{}
	if ready {
		c.dirty = false
		c.lastRun = now
		c.wake = c.nextWake(now)
		if notes := strings.Join(plan.Notes, "; "); notes != c.n.lastNotes {
			c.n.lastNotes = notes
			for _, note := range plan.Notes {
				c.n.log.Warn(note)
			}
		}
		for _, a := range plan.Runnable() {
			runnable[a.ID] = true
		}
	}
	// While a member's history is not in yet (not ready), nothing is
	// runnable: resources wait, but fencing a lost node does not depend
	// on it and starts at once.
	for _, a := range plan.Actions {
		switch {
		case a.Task == "fence":
			c.fence(a.Node, "", a.Reason, now)
		case a.Task == "do_shutdown":
			// A node leaving stops its own resources (see leave).
		case runnable[a.ID]:
			c.dispatch(a, now)
		}
	}
}

func (c *controller) dispatch(a engine.Action, now time.Time) {
	key := actionKey(a.Node, a.Resource, a.Task, a.Interval)
	if c.inflight[key] != nil || !c.n.isMember(a.Node) {
		return
	}
	c.token++
	timeout := a.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	c.inflight[key] = &flight{node: a.Node, token: c.token, deadline: now.Add(3*c.n.cfg.Keepalive + time.Second), timeout: timeout}
	msg := execMsg{Key: key, Token: c.token, Action: a}
	c.n.log.Info("dispatch", "action", key, "reason", a.Reason)
	if a.Node == c.n.self {
		c.n.lrm.exec(msg)
	} else {
		c.n.send("exec", a.Node, msg)
	}
}

func actionKey(node, rsc, task string, interval time.Duration) string {
	return fmt.Sprintf("%s|%s_%s_%d", node, rsc, task, interval.Milliseconds())
}

// ensureNodes adds the nodes of ha.cf to the configuration's node list.
func (c *controller) ensureNodes() {
	nodes := c.n.cib.Section("nodes", true)
	have := map[string]bool{}
	for _, e := range nodes.SelectElements("node") {
		have[e.SelectAttrValue("uname", "")] = true
	}
	added := false
	for _, name := range c.n.cfg.Nodes {
		if !have[name] {
			e := nodes.CreateElement("node")
			e.CreateAttr("id", name)
			e.CreateAttr("uname", name)
			added = true
		}
	}
	if added {
		c.n.cib.BumpEpoch()
		c.n.persist()
		c.n.broadcastCIB()
	}
}

// refreshStatus rebuilds the status section's node states and the
// cluster attributes (quorum, DC) from membership and reports, and
// publishes the CIB when anything changed.
func (c *controller) refreshStatus() {
	n := c.n
	before := statusText(n.cib)
	unames := append([]string(nil), n.cfg.Nodes...)
	for _, e := range n.cib.Section("nodes", true).SelectElements("node") {
		unames = append(unames, e.SelectAttrValue("uname", ""))
	}
	sort.Strings(unames)
	seen := map[string]bool{}
	for _, u := range unames {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		member := n.isMember(u)
		if member {
			c.expected[u] = true
		}
		s := cib.NodeState{ID: c.nodeID(u), Uname: u, InCCM: member, Online: member, Expected: c.expected[u]}
		k := c.hist[u]
		if u == n.self {
			n.cib.SetNodeStateChildren(s, false, []*etree.Element{n.lrm.hist.Transient(), n.lrm.hist.LRM()})
		} else if member && k != nil && k.have {
			n.cib.SetNodeStateChildren(s, false, k.children)
		} else if member || n.cib.NodeStateOf(s.ID) != nil || c.expected[u] {
			n.cib.SetNodeStateChildren(s, true, nil)
		}
	}
	q := "0"
	if n.quorate() {
		q = "1"
	}
	n.cib.SetAttr("have-quorum", q)
	n.cib.SetAttr("dc-uuid", c.nodeID(n.self))
	if statusText(n.cib) != before {
		n.cib.BumpUpdates()
		n.broadcastCIB()
	}
}

func statusText(c *cib.CIB) string {
	d := etree.NewDocument()
	d.SetRoot(c.Status().Copy())
	s, _ := d.WriteToString()
	return s + c.Attr("have-quorum") + c.Attr("dc-uuid")
}

func elementString(e *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(e)
	s, _ := d.WriteToString()
	return s
}

// schedulingCIB is the CIB the scheduler sees: the live one, with ha.cf's
// auto_failback as the default resource-stickiness when the CIB sets
// none (on: resources go back to a returning node; off: they stay).
func (c *controller) schedulingCIB() *cib.CIB {
	next := c.n.cib.Clone()
	stickiness := ""
	switch c.n.cfg.AutoFailback {
	case "on", "legacy":
		stickiness = "0"
	case "off":
		stickiness = "INFINITY"
	}
	if stickiness == "" {
		return next
	}
	defaults := next.Section("rsc_defaults", true)
	for _, nv := range defaults.FindElements("meta_attributes/nvpair") {
		switch nv.SelectAttrValue("name", "") {
		case "resource-stickiness", "default-resource-stickiness":
			return next
		}
	}
	set := defaults.CreateElement("meta_attributes")
	set.CreateAttr("id", "ha-cf-auto-failback")
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("id", "ha-cf-auto-failback-resource-stickiness")
	nv.CreateAttr("name", "resource-stickiness")
	nv.CreateAttr("value", stickiness)
	return next
}

// nextWake is the next moment the DC must plan with no event.
func (c *controller) nextWake(now time.Time) time.Time {
	wake := now.Add(recheckInterval(c.n.cib))
	if t, ok := engine.NextChange(c.n.cib, now); ok && t.Before(wake) {
		wake = t
	}
	for _, j := range c.fences {
		if !j.running && !j.next.IsZero() && j.next.Before(wake) {
			wake = j.next
		}
	}
	return wake
}

// recheckInterval is cluster-recheck-interval: how often the DC plans
// anyway, as a safety net (15 minutes by default, as in Pacemaker).
func recheckInterval(c *cib.CIB) time.Duration {
	if v, ok := c.Property("cluster-recheck-interval"); ok {
		if d, err := engine.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return 15 * time.Minute
}
