package daemon

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

// Fencing is the DC's: when the plan says a node must be fenced, the DC
// runs the fence devices that can reach it, level by level of the fencing
// topology, until one level succeeds. Only then is the node known to be
// down, its history forgotten, and what ran there started elsewhere. A
// failure is retried, with a growing pause; meanwhile the node's
// resources stay where the plan left them (stopped or blocked).

// fenceDevice is a stonith resource as the fencer uses it.
type fenceDevice struct {
	id      string
	agent   agents.Agent
	params  map[string]string
	timeout time.Duration
}

// fenceJob is the fencing of one node, as the DC keeps track of it.
type fenceJob struct {
	target   string
	action   string // reboot or off; "" for stonith-action
	running  bool
	failures int
	next     time.Time // no new attempt before
}

// fenceResult is what a fencing attempt came to.
type fenceResult struct {
	target string
	action string
	ok     bool
	device string
	err    string
}

// FenceEvent is one fencing in the cluster's history.
type FenceEvent struct {
	Target    string    `json:"target"`
	Action    string    `json:"action"`
	Device    string    `json:"device,omitempty"`
	Delegate  string    `json:"delegate"` // the node that ran the device
	Origin    string    `json:"origin,omitempty"`
	OK        bool      `json:"ok"`
	Error     string    `json:"error,omitempty"`
	When      time.Time `json:"when"`
	Requested time.Time `json:"requested,omitempty"` // when a client asked for it
}

// fenceReq is a client's request to fence a node (stonith_admin, crm
// node fence), sent to the DC.
type fenceReq struct {
	Target, Action, Origin string
	Requested              time.Time
	sent                   time.Time
}

// fence starts (or keeps waiting for) the fencing of a node; action ""
// is stonith-action's.
func (c *controller) fence(target, action, reason string, now time.Time) {
	j := c.fences[target]
	if j == nil {
		j = &fenceJob{target: target, action: action}
		c.fences[target] = j
	}
	if j.running || now.Before(j.next) {
		return
	}
	levels, err := fenceLevels(c.n.cib, target)
	if err != nil {
		c.fenceFailed(j, now, err.Error())
		return
	}
	if action = j.action; action == "" {
		action = stonithAction(c.n.cib)
	}
	j.running = true
	c.n.log.Warn("fencing", "target", target, "action", action, "reason", reason, "levels", len(levels))
	exec, self, results := c.n.opts.Executor, c.n.self, c.n.fenced
	go func() {
		device, err := runFenceLevels(exec, self, target, action, levels)
		r := fenceResult{target: target, action: action, ok: err == nil, device: device}
		if err != nil {
			r.err = err.Error()
		}
		results <- r
	}()
}

// fenceDone takes the result of a fencing attempt.
func (c *controller) fenceDone(r fenceResult, now time.Time) {
	j := c.fences[r.target]
	if j == nil {
		// Asked by an earlier DC term of this node: a success still
		// stands, a failure is for the new term to find again.
		if !r.ok {
			return
		}
		j = &fenceJob{target: r.target}
	}
	j.running = false
	ev := FenceEvent{Target: r.target, Action: r.action, Device: r.device, Delegate: c.n.self, OK: r.ok, Error: r.err, When: now}
	// Every node keeps the history, so that any can answer for it.
	c.n.recordFence(ev)
	c.n.send("fenced", "", ev)
	if !r.ok {
		c.fenceFailed(j, now, r.err)
		return
	}
	delete(c.fences, r.target)
	c.n.log.Warn("node fenced", "target", r.target, "device", r.device)
	// Its going away (if it is still heard for a moment) is no surprise.
	c.expected[r.target] = false
	if c.n.isMember(r.target) {
		// It is heard again (it rebooted that fast, or the device did
		// not really stop it): what it reports is what it runs.
		c.dirty = true
		return
	}
	// The node is down for certain: what it ran is stopped.
	if k := c.hist[r.target]; k != nil {
		k.have = false
	}
	c.n.cib.ClearNodeHistory(c.nodeID(r.target))
	c.forgetFlights(r.target)
	c.dirty = true
}

func (c *controller) fenceFailed(j *fenceJob, now time.Time, why string) {
	j.failures++
	pause := time.Duration(1<<min(j.failures, 5)) * time.Second // 2s, 4s, ... 32s
	j.next = now.Add(pause)
	if j.next.Before(c.wake) {
		c.wake = j.next // the retry needs a plan then
	}
	c.n.log.Error("fencing failed: the node's resources stay stopped until fencing succeeds or it returns",
		"target", j.target, "attempt", j.failures, "retry-in", pause, "err", why)
}

// stonithAction is what fencing does to a node: reboot (the default) or
// off.
func stonithAction(c *cib.CIB) string {
	v, _ := c.Property("stonith-action")
	if v == "off" || v == "poweroff" {
		return "off"
	}
	return "reboot"
}

// runFenceLevels tries the levels in order; a level succeeds when every
// device of it does. It returns the devices of the level that did.
func runFenceLevels(exec agents.Executor, self, target, action string, levels [][]fenceDevice) (string, error) {
	var errs []string
	for _, level := range levels {
		var ids []string
		ok := true
		for _, d := range level {
			if !d.canFence(exec, target) {
				errs = append(errs, fmt.Sprintf("%s cannot reach %s (not in its host list)", d.id, target))
				ok = false
				break
			}
			res := exec.Exec(context.Background(), agents.Op{Resource: d.id, Agent: d.agent, Action: action, Params: d.targetParams(target), Timeout: d.timeout, Node: self})
			if res.Status != agents.Done || res.RC != 0 {
				why := res.ExitReason
				if why == "" {
					why = strings.TrimSpace(lastLine(res.Output))
				}
				errs = append(errs, fmt.Sprintf("%s: %s %s: rc %d (%s) %s", d.id, action, target, res.RC, res.Status, why))
				ok = false
				break
			}
			ids = append(ids, d.id)
		}
		if ok && len(ids) > 0 {
			return strings.Join(ids, ","), nil
		}
	}
	if len(errs) == 0 {
		return "", fmt.Errorf("no fence device can fence %s (configure a stonith resource whose pcmk_host_list or pcmk_host_map names it)", target)
	}
	return "", fmt.Errorf("%s", strings.Join(errs, "; "))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// port is the name the device knows the target by (pcmk_host_map).
func (d fenceDevice) port(target string) string {
	if p, ok := d.hostMap()[target]; ok {
		return p
	}
	return target
}

// mapped: pcmk_host_map names the target.
func (d fenceDevice) mapped(target string) bool {
	_, ok := d.hostMap()[target]
	return ok
}

// hostMap reads pcmk_host_map: "node1:port1;node2:port2" (also with
// spaces or commas between entries).
func (d fenceDevice) hostMap() map[string]string {
	m := map[string]string{}
	for _, entry := range strings.FieldsFunc(d.params["pcmk_host_map"], func(r rune) bool { return r == ';' || r == ' ' || r == ',' }) {
		if node, port, ok := strings.Cut(entry, ":"); ok {
			m[node] = port
		}
	}
	return m
}

// targetParams are the device's parameters with the target filled in,
// under the name pcmk_host_argument gives (port by default).
func (d fenceDevice) targetParams(target string) map[string]string {
	p := make(map[string]string, len(d.params)+2)
	for k, v := range d.params {
		p[k] = v
	}
	arg := d.params["pcmk_host_argument"]
	if arg == "" {
		arg = "port"
	}
	if arg != "none" {
		p[arg] = d.port(target)
	}
	p["nodename"] = target
	return p
}

// canFence: by pcmk_host_check, the device's static host list or map
// names the target, or the device lists it when asked, or it is trusted
// to reach every node.
func (d fenceDevice) canFence(exec agents.Executor, target string) bool {
	check := d.params["pcmk_host_check"]
	if check == "" {
		check = "dynamic-list"
		if d.params["pcmk_host_list"] != "" || d.params["pcmk_host_map"] != "" {
			check = "static-list"
		}
	}
	switch check {
	case "none":
		return true
	case "static-list":
		for _, h := range strings.FieldsFunc(d.params["pcmk_host_list"], func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
			if h == target {
				return true
			}
		}
		return d.mapped(target)
	}
	// dynamic-list (and status, which Pacer asks as a list): the device
	// names the nodes it reaches.
	res := exec.Exec(context.Background(), agents.Op{Resource: d.id, Agent: d.agent, Action: "list", Params: d.params, Timeout: d.timeout})
	if res.Status != agents.Done || res.RC != 0 {
		return false
	}
	want := d.port(target)
	for _, line := range strings.Split(res.Output, "\n") {
		for _, f := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if f == want {
				return true
			}
		}
	}
	return false
}

// fenceLevels lists, in order, the sets of devices to try for a target:
// the fencing topology's levels that name it, or else each configured
// device on its own (by priority, then id).
func fenceLevels(c *cib.CIB, target string) ([][]fenceDevice, error) {
	devices := map[string]fenceDevice{}
	var order []fenceDevice
	prio := map[string]int{}
	for _, p := range c.Section("resources", true).FindElements(".//primitive[@class='stonith']") {
		id := p.SelectAttrValue("id", "")
		if role := metaValue(p, "target-role"); strings.EqualFold(role, "Stopped") {
			continue // disabled: the administrator took it out of use
		}
		d := fenceDevice{id: id, agent: agents.Agent{Class: "stonith", Type: p.SelectAttrValue("type", "")}, params: map[string]string{}}
		for _, set := range p.SelectElements("instance_attributes") {
			for _, nv := range set.SelectElements("nvpair") {
				d.params[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
			}
		}
		d.timeout = 60 * time.Second
		if v, ok := c.Property("stonith-timeout"); ok {
			if t, err := agents.ParseDuration(v); err == nil && t > 0 {
				d.timeout = t
			}
		}
		for _, k := range []string{"pcmk_reboot_timeout", "pcmk_off_timeout"} {
			if t, err := agents.ParseDuration(d.params[k]); err == nil && t > 0 {
				d.timeout = t
			}
		}
		prio[id], _ = strconv.Atoi(metaValue(p, "priority"))
		devices[id] = d
		order = append(order, d)
	}
	var levels [][]fenceDevice
	if top := c.Section("fencing-topology", false); top != nil {
		type level struct {
			index   int
			devices []fenceDevice
		}
		var ls []level
		for _, l := range top.SelectElements("fencing-level") {
			if !levelNames(c, l, target) {
				continue
			}
			idx, _ := strconv.Atoi(l.SelectAttrValue("index", "0"))
			var ds []fenceDevice
			for _, id := range strings.Split(l.SelectAttrValue("devices", ""), ",") {
				d, ok := devices[strings.TrimSpace(id)]
				if !ok {
					return nil, fmt.Errorf("fencing level %s names device %q, which is not a configured (and enabled) stonith resource", l.SelectAttrValue("id", ""), id)
				}
				ds = append(ds, d)
			}
			ls = append(ls, level{idx, ds})
		}
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].index < ls[j].index })
		for _, l := range ls {
			levels = append(levels, l.devices)
		}
	}
	if len(levels) == 0 {
		sort.SliceStable(order, func(i, j int) bool {
			if prio[order[i].id] != prio[order[j].id] {
				return prio[order[i].id] > prio[order[j].id]
			}
			return order[i].id < order[j].id
		})
		for _, d := range order {
			levels = append(levels, []fenceDevice{d})
		}
	}
	if len(levels) == 0 {
		return nil, fmt.Errorf("no stonith resource is configured to fence %s (add one, e.g. 'primitive fence-%s stonith:fence_ipmilan params ...')", target, target)
	}
	return levels, nil
}

// levelNames: a fencing level is for the target by name, by pattern, or
// by a node attribute.
func levelNames(c *cib.CIB, l *etree.Element, target string) bool {
	if t := l.SelectAttrValue("target", ""); t != "" {
		return t == target
	}
	if p := l.SelectAttrValue("target-pattern", ""); p != "" {
		re, err := regexp.Compile(p)
		return err == nil && re.MatchString(target)
	}
	if a := l.SelectAttrValue("target-attribute", ""); a != "" {
		v, ok := c.NodeAttr(target, "instance_attributes", a)
		return ok && v == l.SelectAttrValue("target-value", "")
	}
	return false
}

func metaValue(e *etree.Element, name string) string {
	for _, set := range e.SelectElements("meta_attributes") {
		for _, nv := range set.SelectElements("nvpair") {
			if nv.SelectAttrValue("name", "") == name {
				return nv.SelectAttrValue("value", "")
			}
		}
	}
	return ""
}

// resendFenceRequests passes clients' fence requests to the DC, again
// every half second until their outcome is in the history, for two
// minutes at most.
func (n *Node) resendFenceRequests(now time.Time, force bool) {
	for target, f := range n.fenceReqs {
		switch {
		case now.Sub(f.Requested) > 2*time.Minute:
			delete(n.fenceReqs, target)
		case !force && now.Sub(f.sent) < 500*time.Millisecond:
		case n.isDC:
			f.sent = now
			n.ctl.fence(f.Target, f.Action, "requested by "+f.Origin, now)
		case n.dc != "":
			f.sent = now
			n.send("fence-req", n.dc, f)
		}
	}
}

// recordFence adds an event to this node's fence history, and ends the
// clients' requests it answers.
func (n *Node) recordFence(ev FenceEvent) {
	if f := n.fenceReqs[ev.Target]; f != nil && !ev.When.Before(f.Requested.Add(-time.Second)) {
		delete(n.fenceReqs, ev.Target)
	}
	n.fenceHistory = append(n.fenceHistory, ev)
	if len(n.fenceHistory) > 100 {
		n.fenceHistory = n.fenceHistory[1:]
	}
}

// FenceDevicesFor lists the fence devices that can fence target, level by
// level of the fencing topology (stonith_admin --list).
func FenceDevicesFor(c *cib.CIB, exec agents.Executor, target string) ([]string, error) {
	levels, err := fenceLevels(c, target)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, level := range levels {
		for _, d := range level {
			if d.canFence(exec, target) && !slices.Contains(out, d.id) {
				out = append(out, d.id)
			}
		}
	}
	return out, nil
}
