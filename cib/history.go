package cib

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Operation execution statuses as Pacemaker records them in op-status.
const (
	ExecPending      = -1
	ExecDone         = 0
	ExecCancelled    = 1
	ExecTimeout      = 2
	ExecNotSupported = 3
	ExecError        = 4
	ExecErrorHard    = 5
	ExecErrorFatal   = 6
	ExecNotInstalled = 7
)

// OpRecord is one executed resource operation, as it appears in the status
// section (an lrm_rsc_op element).
type OpRecord struct {
	Resource   string
	Class      string
	Provider   string
	Type       string
	Operation  string        // start, stop, monitor, ...
	Interval   time.Duration // 0 for one-shot ops and probes
	CallID     int           // assigned by NodeHistory.Record when 0
	RC         int           // the agent's OCF return code
	ExpectedRC int           // what the scheduler expected (7 for probes)
	OpStatus   int           // Exec* constant
	ExitReason string
	Node       string // uname of the node that ran it
	LastChange time.Time
	ExecTime   time.Duration
	QueueTime  time.Duration
	// Digest is the op-digest: Pacemaker's digest of the parameters the
	// operation ran with, by which the scheduler sees a changed
	// definition ("" writes none).
	Digest string
}

// Failed reports whether the record is a failure: the op did not complete,
// or the agent returned something other than what was expected. A probe
// (monitor, interval 0) that finds the resource stopped (7) or running (0)
// is never a failure.
func (r OpRecord) Failed() bool {
	if r.OpStatus != ExecDone {
		return r.OpStatus != ExecPending && r.OpStatus != ExecCancelled
	}
	if r.Operation == "monitor" && r.Interval == 0 {
		return r.RC != 0 && r.RC != 7 && r.RC != 8
	}
	return r.RC != r.ExpectedRC
}

// Key is Pacemaker's operation key: RSC_OP_INTERVALMS.
func (r OpRecord) Key() string {
	return fmt.Sprintf("%s_%s_%d", r.Resource, r.Operation, r.Interval.Milliseconds())
}

// FailKey is the suffix of the fail-count attribute: RSC#OP_INTERVALMS.
func (r OpRecord) FailKey() string {
	return fmt.Sprintf("%s#%s_%d", r.Resource, r.Operation, r.Interval.Milliseconds())
}

// Element renders the record as an lrm_rsc_op element with the given id.
func (r OpRecord) Element(id string) *etree.Element {
	e := etree.NewElement("lrm_rsc_op")
	key := fmt.Sprintf("0:0:%d:pacer", r.ExpectedRC)
	for _, kv := range [][2]string{
		{"id", id},
		{"operation_key", r.Key()},
		{"operation", r.Operation},
		{"crm-debug-origin", "do_update_resource"},
		{"crm_feature_set", FeatureSet},
		{"transition-key", key},
		{"transition-magic", fmt.Sprintf("%d:%d;%s", r.OpStatus, r.RC, key)},
		{"exit-reason", r.ExitReason},
		{"on_node", r.Node},
		{"call-id", strconv.Itoa(r.CallID)},
		{"rc-code", strconv.Itoa(r.RC)},
		{"op-status", strconv.Itoa(r.OpStatus)},
		{"interval", strconv.FormatInt(r.Interval.Milliseconds(), 10)},
		{"last-rc-change", strconv.FormatInt(r.LastChange.Unix(), 10)},
		{"exec-time", strconv.FormatInt(r.ExecTime.Milliseconds(), 10)},
		{"queue-time", strconv.FormatInt(r.QueueTime.Milliseconds(), 10)},
	} {
		e.CreateAttr(kv[0], kv[1])
	}
	if r.Digest != "" {
		e.CreateAttr("op-digest", r.Digest)
	}
	return e
}

// ParseOpRecord reads an lrm_rsc_op element (of Pacer or of Pacemaker).
// The expected rc comes from the transition key (third field).
func ParseOpRecord(rsc *etree.Element, op *etree.Element) OpRecord {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	r := OpRecord{
		Resource: rsc.SelectAttrValue("id", ""),
		Class:    rsc.SelectAttrValue("class", ""),
		Provider: rsc.SelectAttrValue("provider", ""),
		Type:     rsc.SelectAttrValue("type", ""),
	}
	// One pass over the attributes rather than a search for each: the
	// scheduler reads every record of a large status section. As with
	// SelectAttrValue, the first attribute of a name counts.
	var seen uint16
	var lastChange int
	for _, a := range op.Attr {
		bit, ok := opRecordAttrs[a.Key]
		if !ok || seen&bit != 0 {
			continue
		}
		seen |= bit
		switch a.Key {
		case "operation":
			r.Operation = a.Value
		case "interval":
			r.Interval = time.Duration(atoi(a.Value)) * time.Millisecond
		case "call-id":
			r.CallID = atoi(a.Value)
		case "rc-code":
			r.RC = atoi(a.Value)
		case "op-status":
			r.OpStatus = atoi(a.Value)
		case "exit-reason":
			r.ExitReason = a.Value
		case "on_node":
			r.Node = a.Value
		case "last-rc-change":
			lastChange = atoi(a.Value)
		case "exec-time":
			r.ExecTime = time.Duration(atoi(a.Value)) * time.Millisecond
		case "queue-time":
			r.QueueTime = time.Duration(atoi(a.Value)) * time.Millisecond
		case "op-digest":
			r.Digest = a.Value
		case "transition-key":
			// The third field of "action:transition:rc:uuid".
			if _, rest, ok := strings.Cut(a.Value, ":"); ok {
				if _, rest, ok := strings.Cut(rest, ":"); ok {
					rc, _, _ := strings.Cut(rest, ":")
					r.ExpectedRC = atoi(rc)
				}
			}
		}
	}
	r.LastChange = time.Unix(int64(lastChange), 0)
	return r
}

// opRecordAttrs are the attributes ParseOpRecord reads, each with its bit.
var opRecordAttrs = map[string]uint16{
	"operation": 1 << 0, "interval": 1 << 1, "call-id": 1 << 2, "rc-code": 1 << 3, "op-status": 1 << 4,
	"exit-reason": 1 << 5, "on_node": 1 << 6, "last-rc-change": 1 << 7, "exec-time": 1 << 8, "queue-time": 1 << 9,
	"op-digest": 1 << 10, "transition-key": 1 << 11,
}

// resourceHistory is what one node remembers of one resource.
type resourceHistory struct {
	class, provider, typ string
	last                 *OpRecord            // <rsc>_last_0
	lastFailure          *OpRecord            // <rsc>_last_failure_0
	recurring            map[string]*OpRecord // <rsc>_<op>_<ms>
}

// NodeHistory is one node's own record of the operations it ran and of its
// transient attributes (fail counts among them). The node owns it; the DC
// copies it into that node's node_state in the status section.
type NodeHistory struct {
	ID, Uname string
	Attrs     map[string]string
	callID    int
	resources map[string]*resourceHistory
}

// NewNodeHistory returns an empty history, as a node has after boot.
func NewNodeHistory(id, uname string) *NodeHistory {
	return &NodeHistory{ID: id, Uname: uname, Attrs: map[string]string{}, resources: map[string]*resourceHistory{}}
}

// Record adds an operation result. Pacemaker's rules: a recurring op
// replaces the previous record of the same op and interval; any other op
// becomes <rsc>_last_0; a failure is also kept as <rsc>_last_failure_0 and
// counts in fail-count-RSC#OP_MS (with last-failure-RSC#OP_MS its time).
// A successful stop cancels the resource's recurring ops.
func (h *NodeHistory) Record(r OpRecord) OpRecord {
	if r.CallID == 0 {
		h.callID++
		r.CallID = h.callID
	} else if r.CallID > h.callID {
		h.callID = r.CallID
	}
	if r.Node == "" {
		r.Node = h.Uname
	}
	rh := h.resources[r.Resource]
	if rh == nil {
		rh = &resourceHistory{recurring: map[string]*OpRecord{}}
		h.resources[r.Resource] = rh
	}
	rh.class, rh.provider, rh.typ = r.Class, r.Provider, r.Type
	rec := r
	if r.Interval > 0 {
		rh.recurring[r.Key()] = &rec
	} else {
		rh.last = &rec
		if r.Operation == "stop" && !r.Failed() {
			rh.recurring = map[string]*OpRecord{}
		}
	}
	if r.Failed() {
		rh.lastFailure = &rec
		name := "fail-count-" + r.FailKey()
		n, _ := strconv.Atoi(h.Attrs[name])
		if h.Attrs[name] != "INFINITY" {
			h.Attrs[name] = strconv.Itoa(n + 1)
		}
		h.Attrs["last-failure-"+r.FailKey()] = strconv.FormatInt(r.LastChange.Unix(), 10)
	}
	return rec
}

// CancelRecurring drops the record of a recurring op that was cancelled.
func (h *NodeHistory) CancelRecurring(rsc, op string, interval time.Duration) {
	if rh := h.resources[rsc]; rh != nil {
		delete(rh.recurring, OpRecord{Resource: rsc, Operation: op, Interval: interval}.Key())
	}
}

// Forget drops everything recorded of a resource, fail counts included
// (what a cleanup does).
func (h *NodeHistory) Forget(rsc string) {
	delete(h.resources, rsc)
	h.ClearFailCount(rsc)
}

// Cleanup forgets what the node recorded of a resource (and of its clone
// instances, rsc:N): its operation history and fail counts; with
// failedOnly, only where something failed. It returns the ids forgotten.
func (h *NodeHistory) Cleanup(rsc string, failedOnly bool) []string {
	var out []string
	ids := map[string]bool{}
	for id := range h.resources {
		if id == rsc || strings.HasPrefix(id, rsc+":") {
			ids[id] = true
		}
	}
	for k := range h.Attrs {
		for _, kind := range []string{"fail-count-", "last-failure-"} {
			if id, ok := strings.CutPrefix(k, kind); ok {
				id, _, _ = strings.Cut(id, "#")
				if id == rsc || strings.HasPrefix(id, rsc+":") {
					ids[id] = true
				}
			}
		}
	}
	for id := range ids {
		failed := false
		if rh := h.resources[id]; rh != nil && rh.lastFailure != nil {
			failed = true
		}
		for k := range h.Attrs {
			failed = failed || strings.HasPrefix(k, "fail-count-"+id+"#") || k == "fail-count-"+id
		}
		if failedOnly && !failed {
			continue
		}
		h.Forget(id)
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// ClearFailCount forgets a resource's fail counts (and last failure
// times), keeping its records: what Pacemaker does when a failure expires.
func (h *NodeHistory) ClearFailCount(rsc string) {
	for k := range h.Attrs {
		if strings.HasPrefix(k, "fail-count-"+rsc+"#") || strings.HasPrefix(k, "last-failure-"+rsc+"#") {
			delete(h.Attrs, k)
		}
	}
}

// Resources lists the resources with a record, sorted.
func (h *NodeHistory) Resources() []string {
	out := make([]string, 0, len(h.resources))
	for id := range h.resources {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Last returns the last non-recurring op of a resource, if any.
func (h *NodeHistory) Last(rsc string) (OpRecord, bool) {
	if rh := h.resources[rsc]; rh != nil && rh.last != nil {
		return *rh.last, true
	}
	return OpRecord{}, false
}

// Transient renders <transient_attributes>.
func (h *NodeHistory) Transient() *etree.Element {
	t := etree.NewElement("transient_attributes")
	t.CreateAttr("id", h.ID)
	set := t.CreateElement("instance_attributes")
	set.CreateAttr("id", "status-"+h.ID)
	names := make([]string, 0, len(h.Attrs))
	for k := range h.Attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		nv := set.CreateElement("nvpair")
		nv.CreateAttr("id", "status-"+h.ID+"-"+strings.ReplaceAll(k, "#", "."))
		nv.CreateAttr("name", k)
		nv.CreateAttr("value", h.Attrs[k])
	}
	return t
}

// LRM renders <lrm> with every resource's records.
func (h *NodeHistory) LRM() *etree.Element {
	lrm := etree.NewElement("lrm")
	lrm.CreateAttr("id", h.ID)
	list := lrm.CreateElement("lrm_resources")
	for _, id := range h.Resources() {
		rh := h.resources[id]
		re := list.CreateElement("lrm_resource")
		re.CreateAttr("id", id)
		re.CreateAttr("type", rh.typ)
		re.CreateAttr("class", rh.class)
		if rh.provider != "" {
			re.CreateAttr("provider", rh.provider)
		}
		if rh.last != nil {
			re.AddChild(rh.last.Element(id + "_last_0"))
		}
		if rh.lastFailure != nil {
			re.AddChild(rh.lastFailure.Element(id + "_last_failure_0"))
		}
		keys := make([]string, 0, len(rh.recurring))
		for k := range rh.recurring {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			re.AddChild(rh.recurring[k].Element(k))
		}
	}
	return lrm
}

// NodeState is the membership part of a node_state element, which the DC
// owns.
type NodeState struct {
	ID, Uname string
	InCCM     bool // a member of the cluster's membership
	Online    bool // its daemon takes part (crmd="online")
	Expected  bool // the node is expected up (it has not shut down cleanly)
}

// SetNodeState writes (or replaces) the node_state of a node: membership
// attributes from s, and the node's own transient attributes and operation
// history from h (nil h keeps what was there, for a node that is away).
func (c *CIB) SetNodeState(s NodeState, h *NodeHistory) {
	status := c.Status()
	var ns *etree.Element
	for _, e := range status.SelectElements("node_state") {
		if e.SelectAttrValue("id", "") == s.ID {
			ns = e
		}
	}
	if ns == nil {
		ns = status.CreateElement("node_state")
	}
	ns.Attr = nil
	ns.CreateAttr("id", s.ID)
	ns.CreateAttr("uname", s.Uname)
	ns.CreateAttr("in_ccm", strconv.FormatBool(s.InCCM))
	crmd, join, expected := "offline", "down", "down"
	if s.Online {
		crmd, join = "online", "member"
	}
	if s.Expected {
		expected = "member"
	}
	ns.CreateAttr("crmd", crmd)
	ns.CreateAttr("crm-debug-origin", "pacer")
	ns.CreateAttr("join", join)
	ns.CreateAttr("expected", expected)
	if h != nil {
		for _, ch := range ns.ChildElements() {
			ns.RemoveChild(ch)
		}
		ns.AddChild(h.Transient())
		ns.AddChild(h.LRM())
	}
}

// ClearNodeHistory removes a node's operation history and transient
// attributes from the status section (its resources are known stopped,
// e.g. after it was fenced or left cleanly).
func (c *CIB) ClearNodeHistory(id string) {
	for _, e := range c.Status().SelectElements("node_state") {
		if e.SelectAttrValue("id", "") == id {
			for _, ch := range e.ChildElements() {
				e.RemoveChild(ch)
			}
		}
	}
}

// SetNodeStateChildren writes a node_state like SetNodeState, with the
// node's own children (transient_attributes, lrm) given as elements, as a
// node reports them. keep leaves the present children in place instead.
func (c *CIB) SetNodeStateChildren(s NodeState, keep bool, children []*etree.Element) {
	c.SetNodeState(s, nil)
	if keep {
		return
	}
	for _, e := range c.Status().SelectElements("node_state") {
		if e.SelectAttrValue("id", "") != s.ID {
			continue
		}
		for _, ch := range e.ChildElements() {
			e.RemoveChild(ch)
		}
		for _, ch := range children {
			e.AddChild(ch.Copy())
		}
	}
}

// NodeStateOf returns the node_state element of a node, or nil.
func (c *CIB) NodeStateOf(id string) *etree.Element {
	for _, e := range c.Status().SelectElements("node_state") {
		if e.SelectAttrValue("id", "") == id {
			return e
		}
	}
	return nil
}

func elementString(e *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(e.Copy())
	s, _ := d.WriteToString()
	return s
}
