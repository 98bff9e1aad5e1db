package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// Simulate returns a copy of c as it would be after every action of the
// plan succeeded: each action leaves an operation record, with the result
// it was expected to have, in the status section. It is what crm_simulate
// shows as the revised cluster status.
func Simulate(c *cib.CIB, plan *Plan) *cib.CIB { return SimulateAt(c, plan, time.Time{}) }

// SimulateAt is Simulate with the records' time of change set to at (as
// crm_simulate does, with the time it runs): records that must read as
// newer than the history's are then.
func SimulateAt(c *cib.CIB, plan *Plan, at time.Time) *cib.CIB {
	out := c.Clone()
	// Operations in flight complete as expected.
	for _, op := range out.Status().FindElements(".//lrm_rsc_op[@op-status='-1']") {
		key := strings.Split(op.SelectAttrValue("transition-key", ""), ":")
		rc := "0"
		if len(key) >= 3 {
			rc = key[2]
		}
		op.CreateAttr("op-status", "0")
		op.CreateAttr("rc-code", rc)
	}
	call := maxCallID(out)
	for _, a := range plan.ExecutionOrder() {
		ns := nodeStateFor(out, a.Node)
		if ns == nil && (a.Task == "fence" || (a.Resource != "" && !a.Pseudo)) {
			// Fencing settles a node never seen; a remote node gets its
			// first history.
			ns = newNodeState(out, a.Node)
		}
		if ns == nil || a.Pseudo || a.Task == "do_shutdown" || a.Task == "notify" {
			continue // nothing to record
		}
		if a.Task == "fence" {
			// A fenced node is down, cleanly, and nothing runs on it.
			for _, at := range [][2]string{{"in_ccm", "false"}, {"crmd", "offline"}, {"join", "down"}, {"expected", "down"}} {
				ns.CreateAttr(at[0], at[1])
			}
			for _, ch := range ns.ChildElements() {
				ns.RemoveChild(ch)
			}
			continue
		}
		if a.Task == "delete" || a.Task == "lrm_delete" {
			// The node forgets the resource's history.
			for _, r := range ns.FindElements("./lrm/lrm_resources/lrm_resource[@id='" + a.Resource + "']") {
				r.Parent().RemoveChild(r)
			}
			continue
		}
		if a.Task == "clear_failcount" {
			// The expired fail count goes; the records stay.
			for _, nv := range ns.FindElements("./transient_attributes/instance_attributes/nvpair") {
				name := nv.SelectAttrValue("name", "")
				if strings.HasPrefix(name, "fail-count-"+a.Resource+"#") || strings.HasPrefix(name, "last-failure-"+a.Resource+"#") ||
					name == "fail-count-"+a.Resource || name == "last-failure-"+a.Resource {
					nv.Parent().RemoveChild(nv)
				}
			}
			continue
		}
		if a.Task == "cancel" {
			// The recurring monitor stops and its record goes.
			key := cib.OpRecord{Resource: a.Resource, Operation: "monitor", Interval: a.Interval}.Key()
			for _, op := range ns.FindElements(".//lrm_resource[@id='" + a.Resource + "']/lrm_rsc_op") {
				if op.SelectAttrValue("id", "") == key {
					op.Parent().RemoveChild(op)
				}
			}
			continue
		}
		call++
		rc := a.ExpectedRC // every action succeeds; a probe finds it stopped
		task := a.Task
		if task == "reload-agent" || task == "reload" {
			task = "start" // (a reload that succeeded is recorded as a start, as Pacemaker does)
		}
		rec := cib.OpRecord{Resource: a.Resource, Class: a.Class, Provider: a.Provider, Type: a.Type, Operation: task,
			Interval: a.Interval, CallID: call, RC: rc, ExpectedRC: a.ExpectedRC, Node: a.Node, LastChange: at}
		id := a.Resource + "_last_0"
		if a.Interval > 0 {
			id = rec.Key()
		}
		targets := []*etree.Element{lrmResource(ns, a)}
		if a.Task == "stop" {
			// An anonymous clone's history may be kept under instance
			// names ("rsc:1"): a stop ends every one of them here.
			targets = append(targets, instanceHistories(ns, a.Resource)...)
		}
		for _, rsc := range targets {
			for _, old := range rsc.SelectElements("lrm_rsc_op") {
				// A stop ends the resource's recurring monitors there (the
				// record of the last failure stays).
				oid := old.SelectAttrValue("id", "")
				if oid == id || (a.Task == "stop" && old.SelectAttrValue("interval", "0") != "0" && !strings.HasSuffix(oid, "_last_failure_0")) {
					rsc.RemoveChild(old)
				}
			}
			rsc.AddChild(rec.Element(id))
		}
	}
	return out
}

func maxCallID(c *cib.CIB) int {
	n := 0
	for _, op := range c.Status().FindElements(".//lrm_rsc_op") {
		if v, _ := strconv.Atoi(op.SelectAttrValue("call-id", "0")); v > n {
			n = v
		}
	}
	return n
}

func nodeStateFor(c *cib.CIB, uname string) *etree.Element {
	id := uname
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		if n.SelectAttrValue("uname", "") == uname {
			id = n.SelectAttrValue("id", uname)
		}
	}
	return c.NodeStateOf(id)
}

func lrmResource(ns *etree.Element, a Action) *etree.Element {
	lrm := ns.SelectElement("lrm")
	if lrm == nil {
		lrm = ns.CreateElement("lrm")
		lrm.CreateAttr("id", ns.SelectAttrValue("id", ""))
	}
	list := lrm.SelectElement("lrm_resources")
	if list == nil {
		list = lrm.CreateElement("lrm_resources")
	}
	for _, r := range list.SelectElements("lrm_resource") {
		if r.SelectAttrValue("id", "") == a.Resource {
			return r
		}
	}
	r := list.CreateElement("lrm_resource")
	r.CreateAttr("id", a.Resource)
	r.CreateAttr("type", a.Type)
	r.CreateAttr("class", a.Class)
	if a.Provider != "" {
		r.CreateAttr("provider", a.Provider)
	}
	return r
}

func newNodeState(c *cib.CIB, uname string) *etree.Element {
	id := uname
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		if n.SelectAttrValue("uname", "") == uname {
			id = n.SelectAttrValue("id", uname)
		}
	}
	ns := c.Status().CreateElement("node_state")
	ns.CreateAttr("id", id)
	ns.CreateAttr("uname", uname)
	if _, remote := remoteNodes(c)[uname]; remote {
		ns.CreateAttr("remote_node", "true")
	}
	return ns
}

// instanceHistories lists a node's histories of rsc kept under instance
// names (rsc:N).
func instanceHistories(ns *etree.Element, rsc string) []*etree.Element {
	var out []*etree.Element
	for _, r := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
		id := r.SelectAttrValue("id", "")
		if base, _, ok := strings.Cut(id, ":"); ok && base == rsc {
			out = append(out, r)
		}
	}
	return out
}
