package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
)

// featureSet is the CRM feature set Pacer's transition graphs claim (that
// of Pacemaker 2.1.5, whose format they follow).
const featureSet = "3.16.1"

// TransitionGraph renders the plan as Pacemaker's transition graph XML
// (crm_simulate -G): one synapse per action, with the actions it waits
// for as triggers. nodeIDs maps node names to their ids (the name itself
// when missing).
func (p *Plan) TransitionGraph(nodeIDs map[string]string, startFailureIsFatal bool) *etree.Document {
	doc := etree.NewDocument()
	g := doc.CreateElement("transition_graph")
	failedStart := "1"
	if startFailureIsFatal {
		failedStart = "INFINITY"
	}
	for _, kv := range [][2]string{{"cluster-delay", "60s"}, {"stonith-timeout", "60s"}, {"failed-stop-offset", "INFINITY"},
		{"failed-start-offset", failedStart}, {"batch-limit", "0"}, {"transition_id", "0"}} {
		g.CreateAttr(kv[0], kv[1])
	}
	id := func(node string) string {
		if v := nodeIDs[node]; v != "" {
			return v
		}
		return node
	}
	for i, a := range p.Actions {
		syn := g.CreateElement("synapse")
		syn.CreateAttr("id", strconv.Itoa(i))
		ev := p.graphEvent(syn.CreateElement("action_set"), a, id)
		attrs := ev.CreateElement("attributes")
		for _, kv := range graphAttributes(a, id) {
			attrs.CreateAttr(kv[0], kv[1])
		}
		if a.Task == "fence" {
			ev.CreateElement("downed").CreateElement("node").CreateAttr("id", id(a.Node))
		}
		inputs := syn.CreateElement("inputs")
		after := append([]int(nil), a.After...)
		sort.Ints(after)
		for _, b := range after {
			p.graphEvent(inputs.CreateElement("trigger"), p.Actions[b-1], id)
		}
	}
	doc.Indent(2)
	return doc
}

// graphEvent adds the element naming an action (rsc_op, pseudo_event or
// crm_event) under parent.
func (p *Plan) graphEvent(parent *etree.Element, a Action, id func(string) string) *etree.Element {
	name := a.Resource
	if a.Instance != "" {
		name = a.Instance
	}
	var e *etree.Element
	switch {
	case a.Task == "fence":
		e = parent.CreateElement("crm_event")
		e.CreateAttr("id", strconv.Itoa(a.ID))
		e.CreateAttr("operation", "stonith")
		e.CreateAttr("operation_key", "stonith-"+a.Node+"-reboot")
	case a.Pseudo:
		e = parent.CreateElement("pseudo_event")
		e.CreateAttr("id", strconv.Itoa(a.ID))
		e.CreateAttr("operation", a.Task)
		if name == "" {
			e.CreateAttr("operation_key", a.Task)
		} else {
			e.CreateAttr("operation_key", fmt.Sprintf("%s_%s_%d", name, a.Task, a.Interval.Milliseconds()))
		}
		return e
	case a.Resource == "":
		e = parent.CreateElement("crm_event")
		e.CreateAttr("id", strconv.Itoa(a.ID))
		e.CreateAttr("operation", a.Task)
		e.CreateAttr("operation_key", a.Task+"-"+a.Node)
	default:
		e = parent.CreateElement("rsc_op")
		e.CreateAttr("id", strconv.Itoa(a.ID))
		e.CreateAttr("operation", a.Task)
		e.CreateAttr("operation_key", fmt.Sprintf("%s_%s_%d", name, a.Task, a.Interval.Milliseconds()))
	}
	e.CreateAttr("on_node", a.Node)
	e.CreateAttr("on_node_uuid", id(a.Node))
	if parent.Tag == "action_set" && e.Tag == "rsc_op" {
		prim := e.CreateElement("primitive")
		prim.CreateAttr("id", name)
		prim.CreateAttr("class", a.Class)
		if a.Provider != "" {
			prim.CreateAttr("provider", a.Provider)
		}
		prim.CreateAttr("type", a.Type)
	}
	return e
}

// graphAttributes are an action's attributes in the graph: its meta
// attributes as CRM_meta_*, its parameters, and the feature set, sorted
// by name as Pacemaker writes them.
func graphAttributes(a Action, id func(string) string) [][2]string {
	attrs := map[string]string{"crm_feature_set": featureSet}
	if a.Node != "" && !a.Pseudo {
		attrs["CRM_meta_on_node"] = a.Node
		attrs["CRM_meta_on_node_uuid"] = id(a.Node)
	}
	switch {
	case a.Task == "fence":
		attrs["CRM_meta_stonith_action"] = "reboot"
	case a.Resource != "" || a.Pseudo:
		if a.Timeout > 0 {
			attrs["CRM_meta_timeout"] = strconv.FormatInt(a.Timeout.Milliseconds(), 10)
		}
	}
	if a.Interval > 0 {
		attrs["CRM_meta_interval"] = strconv.FormatInt(a.Interval.Milliseconds(), 10)
		attrs["CRM_meta_name"] = a.Task
	}
	if a.ExpectedRC != 0 {
		attrs["CRM_meta_op_target_rc"] = strconv.Itoa(a.ExpectedRC)
	}
	for k, v := range a.Meta {
		switch k {
		case "target-role", "is-managed", "resource-stickiness", "priority", "migration-threshold", "failure-timeout",
			"allow-migrate", "timeout", "interval", "name", "id", "role", "on-fail", "enabled":
			continue // scheduling settings, not the agent's
		}
		attrs["CRM_meta_"+strings.ReplaceAll(k, "-", "_")] = v
	}
	for k, v := range a.Params {
		attrs[k] = v
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, [2]string{k, attrs[k]})
	}
	return out
}

// FormatScore writes a score as Pacemaker does (INFINITY, -INFINITY).
func FormatScore(score int) string {
	switch {
	case score >= Infinity:
		return "INFINITY"
	case score <= -Infinity:
		return "-INFINITY"
	}
	return strconv.Itoa(score)
}
