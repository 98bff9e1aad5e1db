package monitor

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// The XML formats: Pacemaker 2.1.5's crm_mon --output-as=xml (the
// <pacemaker-result> document, API version 2.25) and the deprecated
// crm_mon -X/--as-xml (the same sections under <crm_mon version=...>),
// which is what ha_cluster_exporter reads.
const (
	xmlAPIVersion    = "2.25"
	legacyXMLVersion = "2.1.5"
)

// renderXML writes the status as crm_mon's XML.
func renderXML(w io.Writer, c *cib.CIB, now time.Time, opts Options) error {
	v, err := newView(c, now)
	if err != nil {
		return err
	}
	var root *xmlNode
	if opts.Format == FormatLegacyXML {
		root = newXML("crm_mon", "version", legacyXMLVersion)
	} else {
		request := opts.Request
		if request == "" {
			request = "crm_mon --output-as=xml"
		}
		root = newXML("pacemaker-result", "api-version", xmlAPIVersion, "request", request)
	}
	v.xmlSummary(root, opts)
	v.xmlNodes(root)
	v.xmlResources(root)
	v.xmlNodeAttributes(root)
	v.xmlNodeHistory(root)
	v.xmlFailures(root)
	v.xmlTickets(root)
	v.xmlBans(root)
	if opts.Format != FormatLegacyXML {
		root.add("status", "code", "0", "message", "OK")
	}
	var b strings.Builder
	root.write(&b, 0)
	_, err = io.WriteString(w, b.String())
	return err
}

// ErrorXML is crm_mon's XML answer when it could not read the cluster's
// status: an OK status carrying the error, as crm_mon 2.1.5 writes it.
func ErrorXML(w io.Writer, request string, code int, message string, errs ...string) {
	root := newXML("pacemaker-result", "api-version", xmlAPIVersion, "request", request)
	st := root.add("status", "code", strconv.Itoa(code), "message", message)
	if len(errs) > 0 {
		list := st.add("errors")
		for _, e := range errs {
			x := list.add("error")
			x.text, x.hasText = e, true
		}
	}
	var b strings.Builder
	root.write(&b, 0)
	io.WriteString(w, b.String())
}

// view is what the status displays read: the engine's unpacked cluster
// and the raw status section it came from.
type view struct {
	c      *cib.CIB
	cl     *engine.Cluster
	now    time.Time
	nodes  map[string]*engine.Node // by uname
	byID   map[string]*engine.Node // by node id
	states map[string]*etree.Element
	order  []string // node_state order (by uname)
	rscs   map[string]*engine.Resource
	groups map[string]*engine.Group
	prims  map[string]configPrimitive // configPrimitives, when read
}

func newView(c *cib.CIB, now time.Time) (*view, error) {
	cl, err := engine.Unpack(c, now)
	if err != nil {
		return nil, err
	}
	return viewOf(c, cl, now), nil
}

func viewOf(c *cib.CIB, cl *engine.Cluster, now time.Time) *view {
	v := &view{c: c, cl: cl, now: now, nodes: map[string]*engine.Node{}, byID: map[string]*engine.Node{},
		states: map[string]*etree.Element{}, rscs: map[string]*engine.Resource{}, groups: map[string]*engine.Group{}}
	for _, n := range cl.Nodes {
		v.nodes[n.Uname] = n
		v.byID[n.ID] = n
	}
	if st := c.Status(); st != nil {
		for _, ns := range st.SelectElements("node_state") {
			n := v.byID[ns.SelectAttrValue("id", "")]
			if n == nil || v.states[n.Uname] != nil {
				continue
			}
			v.states[n.Uname] = ns
			v.order = append(v.order, n.Uname)
		}
	}
	for _, r := range cl.Resources {
		v.rscs[r.ID] = r
	}
	for _, g := range cl.Groups {
		v.groups[g.ID] = g
	}
	return v
}

func (v *view) property(name, def string) string {
	if val, ok := v.c.Property(name); ok {
		return val
	}
	return def
}

func (v *view) xmlSummary(root *xmlNode, opts Options) {
	s := root.add("summary")
	s.add("stack", "type", v.stack())
	if dc := v.nodes[v.cl.DC]; dc != nil {
		s.add("current_dc", "present", "true", "version", v.dcVersion(opts), "name", dc.Uname, "id", dc.ID,
			"with_quorum", boolText(v.cl.HaveQuorum), "mixed_version", "false")
	} else {
		s.add("current_dc", "present", "false")
	}
	s.add("last_update", "time", v.now.Format(timeLayout))
	s.add("last_change", "time", v.cl.LastWritten, "user", v.cl.UpdateUser, "client", v.cl.UpdateClient, "origin", v.cl.UpdateOrigin)
	s.add("nodes_configured", "number", strconv.Itoa(len(v.cl.Nodes)))
	instances, disabled, blocked := v.instanceCounts()
	s.add("resources_configured", "number", strconv.Itoa(instances), "disabled", strconv.Itoa(disabled), "blocked", strconv.Itoa(blocked))
	s.add("cluster_options", "stonith-enabled", boolText(v.cl.StonithEnabled), "symmetric-cluster", boolText(v.cl.Symmetric),
		"no-quorum-policy", v.noQuorumPolicy(), "maintenance-mode", boolText(v.cl.MaintenanceMode),
		"stop-all-resources", boolText(cib.IsTrue(v.property("stop-all-resources", "false"))),
		"stonith-timeout-ms", strconv.FormatInt(v.durationMS("stonith-timeout", 60000), 10),
		"priority-fencing-delay-ms", strconv.FormatInt(v.durationMS("priority-fencing-delay", 0), 10))
}

// stack is the cluster layer crm_mon names: the CIB's
// cluster-infrastructure, else Pacer's own.
func (v *view) stack() string {
	if s, ok := v.c.Property("cluster-infrastructure"); ok && s != "" {
		return s
	}
	return "heartbeat"
}

// dcVersion is the DC's version as crm_mon shows it: the CIB's
// dc-version, else the one the caller gives, else "pacer".
func (v *view) dcVersion(opts Options) string {
	if s, ok := v.c.Property("dc-version"); ok && s != "" {
		return s
	}
	if opts.Version != "" {
		return opts.Version
	}
	return "pacer"
}

func (v *view) noQuorumPolicy() string {
	switch p := strings.ToLower(v.cl.NoQuorumPolicy); p {
	case "ignore", "freeze", "demote", "suicide", "stop":
		return p
	}
	return "stop"
}

// durationMS reads a duration property in milliseconds.
func (v *view) durationMS(name string, def int64) int64 {
	val, ok := v.c.Property(name)
	if !ok {
		return def
	}
	d, err := engine.ParseDuration(val)
	if err != nil {
		return def
	}
	return d.Milliseconds()
}

const timeLayout = "Mon Jan _2 15:04:05 2006"

func (v *view) xmlNodes(root *xmlNode) {
	list := root.add("nodes")
	running := v.resourcesRunning()
	for _, n := range v.cl.Nodes {
		ns := v.states[n.Uname]
		standby, maint := n.Standby && n.InStatus, n.Maintenance && n.InStatus
		health := "green"
		switch {
		case n.Health < 0:
			health = "red"
		case n.Health == 0:
			health = "yellow"
		}
		x := list.add("node", "name", n.Uname, "id", n.ID, "online", boolText(n.Online), "standby", boolText(standby),
			"standby_onfail", "false", "maintenance", boolText(maint), "pending", boolText(n.Pending),
			"unclean", boolText(n.Unclean), "health", health)
		if n.Online && !n.Remote {
			fs := n.Attrs["#feature-set"]
			if fs == "" {
				fs = "<3.15.1"
			}
			x.set("feature_set", fs)
		}
		expected := ns != nil && ns.SelectAttrValue("expected", "") == "member" && !n.ShuttingDown
		if n.Remote {
			expected = false
		}
		x.set("shutdown", boolText(n.ShuttingDown), "expected_up", boolText(expected), "is_dc", boolText(n.IsDC),
			"resources_running", strconv.Itoa(running[n.Uname]))
		if n.Remote {
			x.set("type", "remote")
			if n.Container != "" {
				x.set("id_as_resource", n.Container)
			}
		} else {
			x.set("type", "member")
		}
	}
}

// resourcesRunning counts, per node, the resource instances active there.
func (v *view) resourcesRunning() map[string]int {
	out := map[string]int{}
	for _, r := range v.cl.Resources {
		for n, st := range r.State {
			if st.Active {
				out[n]++
			}
		}
	}
	return out
}

// xmlResources lists resources as crm_mon's XML does: primitives, groups
// with their members, clones with one element per instance, bundles by
// replica.
func (v *view) xmlResources(root *xmlNode) {
	list := root.add("resources")
	done := map[string]bool{}
	bundles := map[string]*engine.Bundle{}
	for _, b := range v.cl.Bundles {
		bundles[b.ID] = b
	}
	for _, r := range v.cl.Resources {
		switch {
		case r.Bundle != "":
			if !done[r.Bundle] && bundles[r.Bundle] != nil {
				done[r.Bundle] = true
				v.xmlBundle(list, bundles[r.Bundle])
			}
		case r.Clone != nil && r.Clone.Group != nil:
			if !done[r.Clone.ID] {
				done[r.Clone.ID] = true
				v.xmlGroupClone(list, r.Clone)
			}
		case r.Clone != nil:
			v.xmlClone(list, r)
		case r.Unique != nil:
			if !done[r.Unique.ID] {
				done[r.Unique.ID] = true
				v.xmlUniqueClone(list, r.Unique)
			}
		case r.Group != "":
			if !done[r.Group] {
				done[r.Group] = true
				v.xmlGroup(list, v.groups[r.Group])
			}
		default:
			v.xmlPrimitive(list, r, r.ID, r.ActiveOn(), false)
		}
	}
}

// activeNodes orders the nodes a resource is active on as Pacemaker
// found them: in the order it reads the nodes' histories.
func (v *view) activeNodes(r *engine.Resource) []string {
	nodes := r.ActiveOn()
	sort.SliceStable(nodes, func(i, j int) bool {
		a, b := v.nodes[nodes[i]], v.nodes[nodes[j]]
		if a == nil || b == nil {
			return false
		}
		return a.HistoryRank < b.HistoryRank
	})
	return nodes
}

// primitiveState is what crm_mon says of one primitive (or one instance
// of a clone) on the given nodes.
type primitiveState struct {
	role       string
	failed     bool
	pending    string
	nodes      []string
	promotable bool
}

func (v *view) stateOn(r *engine.Resource, nodes []string) primitiveState {
	ps := primitiveState{nodes: nodes}
	ps.promotable = (r.Clone != nil && r.Clone.Promotable) || (r.Unique != nil && r.Unique.Promotable)
	promoted, pendingTask := false, ""
	for _, n := range nodes {
		st := r.State[n]
		if st == nil {
			continue
		}
		ps.failed = ps.failed || st.Failed || st.FailedInRole
		promoted = promoted || st.Promoted
		if st.PendingTask != "" {
			pendingTask = st.PendingTask
		}
	}
	switch {
	case pendingStates[pendingTask] != "":
		ps.role = pendingStates[pendingTask]
	case promoted:
		ps.role = "Promoted"
	case len(nodes) > 0 && ps.promotable:
		ps.role = "Unpromoted"
	case len(nodes) > 0:
		ps.role = "Started"
	default:
		ps.role = "Stopped"
	}
	if pendingTask == "monitor" {
		ps.pending = "Monitoring"
	}
	return ps
}

// xmlPrimitive adds one <resource> for r (or one instance of it) active
// on nodes.
func (v *view) xmlPrimitive(parent *xmlNode, r *engine.Resource, id string, nodes []string, orphanInstance bool) {
	ps := v.stateOn(r, nodes)
	x := parent.add("resource", "id", id, "resource_agent", r.Agent(), "role", ps.role)
	if tr, ok := r.Meta["target-role"]; ok && tr != "#default" {
		x.set("target_role", tr)
	}
	blocked := r.FailBlocked || v.frozen(r)
	managed := r.Managed && !blocked
	x.set("active", boolText(len(nodes) > 0), "orphaned", boolText(r.Orphan || orphanInstance), "blocked", boolText(blocked),
		"managed", boolText(managed), "failed", boolText(ps.failed), "failure_ignored", boolText(r.FailureIgnored),
		"nodes_running_on", strconv.Itoa(len(nodes)))
	if ps.pending != "" {
		x.set("pending", ps.pending)
	}
	for _, name := range nodes {
		n := v.nodes[name]
		id, online := name, false
		if n != nil {
			id, online = n.ID, n.Online
		}
		x.add("node", "name", name, "id", id, "cached", boolText(online))
	}
}

// frozen reports whether r depends on a ticket that is not granted with
// loss-policy=freeze: crm_mon shows it blocked.
func (v *view) frozen(r *engine.Resource) bool {
	for _, d := range v.cl.TicketDeps {
		if d.LossPolicy == "freeze" && !v.cl.TicketGranted[d.Ticket] &&
			(d.Resource == r.ID || d.Resource == r.Group || (r.Clone != nil && d.Resource == r.Clone.ID)) {
			return true
		}
	}
	return false
}

func (v *view) groupManaged(g *engine.Group) bool {
	meta := v.withDefaults(g.Meta)
	if cib.IsFalse(meta["is-managed"]) || cib.IsTrue(meta["maintenance"]) || v.cl.MaintenanceMode {
		return false
	}
	return true
}

func (v *view) xmlGroup(parent *xmlNode, g *engine.Group) {
	if g == nil {
		return
	}
	x := parent.add("group", "id", g.ID, "number_resources", strconv.Itoa(len(g.Members)),
		"managed", boolText(v.groupManaged(g)), "disabled", boolText(strings.EqualFold(v.withDefaults(g.Meta)["target-role"], "Stopped")))
	for _, m := range g.Members {
		v.xmlPrimitive(x, m, m.ID, m.ActiveOn(), false)
	}
}

func (v *view) cloneElement(parent *xmlNode, c *engine.Clone, unique bool, ignored bool) *xmlNode {
	meta := v.withDefaults(c.Meta)
	managed := !(cib.IsFalse(meta["is-managed"]) || cib.IsTrue(meta["maintenance"]) || v.cl.MaintenanceMode)
	x := parent.add("clone", "id", c.ID, "multi_state", boolText(c.Promotable), "unique", boolText(unique),
		"managed", boolText(managed), "disabled", boolText(strings.EqualFold(meta["target-role"], "Stopped")),
		// crm_mon 2.1.5 does not mark a clone failed for a failed instance.
		"failed", "false", "failure_ignored", boolText(ignored))
	// The clone's target-role, or its primitive's (crm_mon shows that).
	tr, ok := meta["target-role"]
	if !ok && c.Primitive != nil {
		tr, ok = c.Primitive.Meta["target-role"]
	}
	if ok && tr != "#default" {
		x.set("target_role", tr)
	}
	return x
}

// withDefaults is a collective resource's meta attributes over
// rsc_defaults (those without rules).
func (v *view) withDefaults(meta map[string]string) map[string]string {
	out := map[string]string{}
	if d := v.c.Section("rsc_defaults", false); d != nil {
		for _, set := range d.SelectElements("meta_attributes") {
			if set.SelectElement("rule") != nil {
				continue
			}
			for _, nv := range set.SelectElements("nvpair") {
				if _, seen := out[nv.SelectAttrValue("name", "")]; !seen {
					out[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
				}
			}
		}
	}
	for k, val := range meta {
		out[k] = val
	}
	return out
}

// cloneMax is how many instances a clone has.
func (v *view) cloneMax(c *engine.Clone) int {
	if c.Max >= 0 {
		return c.Max
	}
	n := 0
	for _, node := range v.cl.Nodes {
		if node.Bundle == "" {
			n++
		}
	}
	return n
}

// cloneInstance is one instance of an anonymous clone, as Pacemaker
// numbers them while reading the nodes' histories.
type cloneInstance struct {
	active  map[string]bool // nodes where it is active
	pending string          // the node whose stopped history it holds
	orphan  bool            // beyond clone-max: made for a history entry
}

func (i *cloneInstance) activeAnywhere() bool { return len(i.active) > 0 }

// historyNodes are the nodes whose resource history Pacemaker reads, in
// the order it reads them: online nodes, and (with fencing) the others,
// whose resources may still run.
func (v *view) historyNodes() []*engine.Node {
	var out []*engine.Node
	for _, n := range v.cl.Nodes {
		if v.states[n.Uname] == nil || !(n.Online || (v.cl.StonithEnabled && !n.Remote)) {
			continue
		}
		out = append(out, n)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].HistoryRank < out[j].HistoryRank })
	return out
}

// cloneInstances assigns the history entries of an anonymous clone's
// members (its primitive, or its group's members) to instances, as crm_mon
// shows them. Node by node, entries for active members first: an entry
// goes to the instance already active on that node (an entry that only
// records probes finding nothing does not), else to the instance holding
// that node's stopped history, else to the first instance active nowhere,
// else to a new (orphan) instance.
func (v *view) cloneInstances(max int, members []*engine.Resource) []*cloneInstance {
	insts := make([]*cloneInstance, max)
	for i := range insts {
		insts[i] = &cloneInstance{active: map[string]bool{}}
	}
	byID := map[string]*engine.Resource{}
	for _, m := range members {
		byID[m.ID] = m
	}
	type entry struct {
		active, probeOnly bool
	}
	for _, n := range v.historyNodes() {
		var entries []entry
		for _, re := range v.states[n.Uname].FindElements("./lrm/lrm_resources/lrm_resource") {
			hid := re.SelectAttrValue("id", "")
			base, _, _ := strings.Cut(hid, ":")
			m := byID[base]
			if m == nil {
				continue
			}
			st := m.State[n.Uname]
			e := entry{active: st != nil && st.Active && (st.HistoryID == hid || st.HistoryID == "")}
			if !e.active {
				e.probeOnly = true
				for _, op := range re.SelectElements("lrm_rsc_op") {
					if op.SelectAttrValue("operation", "") != "monitor" || atoi(op.SelectAttrValue("interval", "0")) != 0 {
						e.probeOnly = false
					}
				}
			}
			entries = append(entries, e)
		}
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].active && !entries[j].active })
		for _, e := range entries {
			var pick *cloneInstance
			if !e.probeOnly {
				for _, in := range insts {
					if in.active[n.Uname] {
						pick = in
						break
					}
				}
			}
			if pick == nil {
				for _, in := range insts {
					if in.pending == n.Uname && !in.activeAnywhere() {
						pick = in
						break
					}
				}
			}
			if pick == nil {
				for _, in := range insts {
					if !in.activeAnywhere() {
						pick = in
						break
					}
				}
			}
			if pick == nil {
				pick = &cloneInstance{active: map[string]bool{}, orphan: true}
				insts = append(insts, pick)
			}
			if e.active {
				pick.active[n.Uname] = true
				pick.pending = ""
			} else if !pick.activeAnywhere() {
				pick.pending = n.Uname
			}
		}
	}
	// Members active where no history was read (an unclean node's) still
	// count as active there.
	for _, m := range members {
		for _, name := range v.activeNodes(m) {
			found := false
			for _, in := range insts {
				found = found || in.active[name]
			}
			if found {
				continue
			}
			var pick *cloneInstance
			for _, in := range insts {
				if !in.activeAnywhere() {
					pick = in
					break
				}
			}
			if pick == nil {
				pick = &cloneInstance{active: map[string]bool{}, orphan: true}
				insts = append(insts, pick)
			}
			pick.active[name] = true
		}
	}
	return insts
}

// instanceNodes lists the nodes an instance is active on, in history
// order.
func (v *view) instanceNodes(in *cloneInstance) []string {
	var out []string
	for n := range in.active {
		out = append(out, n)
	}
	sort.SliceStable(out, func(i, j int) bool { return v.nodes[out[i]].HistoryRank < v.nodes[out[j]].HistoryRank })
	return out
}

// xmlClone lists an anonymous clone, instance by instance.
func (v *view) xmlClone(parent *xmlNode, r *engine.Resource) {
	x := v.cloneElement(parent, r.Clone, false, r.FailureIgnored)
	for _, in := range v.cloneInstances(v.cloneMax(r.Clone), []*engine.Resource{r}) {
		v.xmlPrimitive(x, r, r.ID, v.instanceNodes(in), in.orphan)
	}
}

// xmlGroupClone lists a clone of a group: each instance as a group of
// the members, active where that instance is.
func (v *view) xmlGroupClone(parent *xmlNode, c *engine.Clone) {
	x := v.cloneElement(parent, c, false, false)
	for i, in := range v.cloneInstances(v.cloneMax(c), c.Group.Members) {
		g := x.add("group", "id", fmt.Sprintf("%s:%d", c.Group.ID, i), "number_resources", strconv.Itoa(len(c.Group.Members)),
			"managed", boolText(v.groupManaged(c.Group)), "disabled", boolText(strings.EqualFold(v.withDefaults(c.Group.Meta)["target-role"], "Stopped")))
		nodes := v.instanceNodes(in)
		for _, m := range c.Group.Members {
			var on []string
			for _, n := range nodes {
				if st := m.State[n]; st != nil && st.Active {
					on = append(on, n)
				}
			}
			v.xmlPrimitive(g, m, m.ID, on, in.orphan)
		}
	}
}

// xmlUniqueClone lists a globally unique clone: each instance by its own
// id.
func (v *view) xmlUniqueClone(parent *xmlNode, c *engine.Clone) {
	var members []*engine.Resource
	ignored := false
	for _, r := range v.cl.Resources {
		if r.Unique == c {
			members = append(members, r)
			ignored = ignored || r.FailureIgnored
		}
	}
	x := v.cloneElement(parent, c, true, ignored)
	for _, r := range members {
		v.xmlPrimitive(x, r, r.ID, v.activeNodes(r), false)
	}
}

// xmlBundle lists a bundle by replica: its address, the instance of its
// primitive, its container and its connection.
func (v *view) xmlBundle(parent *xmlNode, b *engine.Bundle) {
	failed := false
	var parts [][]*engine.Resource
	for _, rep := range b.Replicas {
		var rs []*engine.Resource
		for _, id := range []string{rep.IP, "", rep.Container, rep.Connection} {
			if id == "" && b.Child != nil && b.Child.Primitive != nil && rep.Connection != "" {
				rs = append(rs, b.Child.Primitive)
				continue
			}
			if r := v.rscs[id]; id != "" && r != nil {
				rs = append(rs, r)
			}
		}
		parts = append(parts, rs)
	}
	kind := "docker"
	if len(b.Replicas) > 0 {
		c := b.Replicas[0].Container
		for _, k := range []string{"docker", "podman", "rkt"} {
			if strings.Contains(c, "-"+k+"-") {
				kind = k
			}
		}
	}
	for i, rs := range parts {
		for _, r := range rs {
			where := v.replicaNodes(r, b.Replicas[i])
			for _, n := range where {
				if st := r.State[n]; st != nil && (st.Failed || st.FailedInRole) {
					failed = true
				}
			}
		}
	}
	x := parent.add("bundle", "id", b.ID, "type", kind, "image", b.Image, "unique", "false",
		"managed", boolText(b.Managed), "failed", boolText(failed))
	for i, rs := range parts {
		rep := x.add("replica", "id", strconv.Itoa(i))
		for _, r := range rs {
			v.xmlPrimitive(rep, r, r.ID, v.replicaNodes(r, b.Replicas[i]), false)
		}
	}
}

// replicaNodes is where r runs for replica rep: the bundle's primitive on
// the replica's guest node, the others wherever they are active.
func (v *view) replicaNodes(r *engine.Resource, rep engine.Replica) []string {
	if r.Clone != nil {
		if st := r.State[rep.Connection]; st != nil && st.Active {
			return []string{rep.Connection}
		}
		return nil
	}
	return v.activeNodes(r)
}

// xmlNodeAttributes lists the node attributes of online nodes.
func (v *view) xmlNodeAttributes(root *xmlNode) {
	attrs := v.nodeAttributes()
	if len(attrs) == 0 {
		return
	}
	list := root.add("node_attributes")
	for _, na := range attrs {
		x := list.add("node", "name", na.node)
		for _, a := range na.attrs {
			e := x.add("attribute", "name", a.name, "value", a.value)
			if a.expected != "" {
				e.set("expected", a.expected)
			}
		}
	}
}

// xmlNodeHistory lists, per online node, the operations of each resource
// as crm_mon shows them, with fail counts.
func (v *view) xmlNodeHistory(root *xmlNode) {
	hist, any := v.nodeHistory()
	if !any {
		return
	}
	list := root.add("node_history")
	for _, nh := range hist {
		var x *xmlNode
		for _, rh := range nh.resources {
			if len(rh.ops) == 0 {
				continue
			}
			if x == nil {
				x = list.add("node", "name", nh.node)
			}
			e := x.add("resource_history", "id", rh.id, "orphan", boolText(rh.orphan),
				"migration-threshold", strconv.Itoa(rh.threshold))
			if rh.failCount > 0 {
				e.set("fail-count", scoreText(rh.failCount))
				if !rh.lastFailure.IsZero() {
					e.set("last-failure", rh.lastFailure.In(v.now.Location()).Format(timeLayout))
				}
			}
			for _, op := range rh.ops {
				v.xmlOperation(e, op)
			}
		}
	}
}

func (v *view) xmlOperation(parent *xmlNode, op *etree.Element) {
	task := op.SelectAttrValue("operation", "")
	interval := atoi(op.SelectAttrValue("interval", "0"))
	if task == "monitor" && interval == 0 {
		task = "probe"
	}
	rc := atoi(op.SelectAttrValue("rc-code", "0"))
	if rc < 0 {
		rc = 0
	}
	x := parent.add("operation_history", "call", op.SelectAttrValue("call-id", ""), "task", task,
		"rc", strconv.Itoa(rc), "rc_text", rcName(rc))
	if interval > 0 {
		x.set("interval", strconv.Itoa(interval)+"ms")
	}
	if lrc := atoi(op.SelectAttrValue("last-rc-change", "0")); lrc > 0 {
		x.set("last-rc-change", time.Unix(int64(lrc), 0).In(v.now.Location()).Format(timeLayout))
	}
	if et := op.SelectAttr("exec-time"); et != nil {
		x.set("exec-time", strconv.Itoa(atoi(et.Value))+"ms")
		x.set("queue-time", strconv.Itoa(atoi(op.SelectAttrValue("queue-time", "0")))+"ms")
	}
}

func rcName(rc int) string {
	if t, ok := rcText[rc]; ok {
		return t
	}
	return "unknown"
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// scoreText writes a score as Pacemaker does, INFINITY as 1000000.
func scoreText(n int) string {
	return strconv.Itoa(n)
}

// xmlFailures lists the failed operations, as "Failed Resource Actions".
func (v *view) xmlFailures(root *xmlNode) {
	failures := v.failures()
	if len(failures) == 0 {
		return
	}
	list := root.add("failures")
	for _, f := range failures {
		op := f.op
		r := f.Record
		x := list.add("failure")
		if op != nil && op.SelectAttr("operation_key") != nil {
			x.set("op_key", op.SelectAttrValue("operation_key", ""))
		} else if op != nil {
			x.set("id", op.SelectAttrValue("id", ""))
		} else {
			x.set("op_key", r.Key())
		}
		reason := r.ExitReason
		if reason == "" && (op == nil || op.SelectAttr("exit-reason") == nil) {
			reason = "none"
		}
		status, ok := execText[r.OpStatus]
		if !ok {
			status = "UNKNOWN!"
		}
		if r.OpStatus == cib.ExecDone {
			status = "complete"
		}
		x.set("node", f.Node, "exitstatus", rcName(r.RC), "exitreason", reason, "exitcode", strconv.Itoa(r.RC),
			"call", strconv.Itoa(r.CallID), "status", status)
		if op == nil || atoi(op.SelectAttrValue("last-rc-change", "0")) <= 0 {
			continue
		}
		x.set("last-rc-change", r.LastChange.UTC().Format("2006-01-02 15:04:05Z"))
		if op.SelectAttr("queue-time") != nil {
			x.set("queued", strconv.Itoa(int(r.QueueTime.Milliseconds())))
		}
		if op.SelectAttr("exec-time") != nil {
			x.set("exec", strconv.Itoa(int(r.ExecTime.Milliseconds())))
		}
		x.set("interval", strconv.FormatInt(r.Interval.Milliseconds(), 10), "task", r.Operation)
	}
}

// failedAction is a failed operation as crm_mon lists it, with the
// history record it was read from (nil if not found).
type failedAction struct {
	engine.Failure
	op *etree.Element
}

// name is the resource as crm_mon names it in the failure: from the
// operation key (RSC_TASK_INTERVAL), or the record's id in old CIBs, so
// an anonymous clone's instance keeps its number.
func (f failedAction) name() string {
	key := ""
	if f.op != nil {
		key = f.op.SelectAttrValue("operation_key", f.op.SelectAttrValue("id", ""))
	}
	suffix := fmt.Sprintf("_%s_%d", f.Record.Operation, f.Record.Interval.Milliseconds())
	if rsc, ok := strings.CutSuffix(key, suffix); ok && rsc != "" {
		return rsc
	}
	return f.Resource
}

// failures are the failed operations in the order crm_mon lists them:
// by the order in which the nodes' histories are read, without those
// whose failure-timeout has passed.
func (v *view) failures() []failedAction {
	var out []failedAction
	for _, f := range v.cl.Failures {
		if r := v.rscs[f.Resource]; r != nil && r.FailureTimeout > 0 && f.Record.LastChange.Unix() > 0 &&
			!v.now.Before(f.Record.LastChange.Add(r.FailureTimeout)) {
			continue
		}
		out = append(out, failedAction{Failure: f, op: v.failureElement(f)})
	}
	rank := func(node string) int {
		if n := v.nodes[node]; n != nil {
			return n.HistoryRank
		}
		return 0
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Node) < rank(out[j].Node) })
	return out
}

// failureElement finds the history record a failure was read from.
func (v *view) failureElement(f engine.Failure) *etree.Element {
	ns := v.states[f.Node]
	if ns == nil {
		return nil
	}
	for _, re := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
		if re.SelectAttrValue("id", "") != f.Record.Resource {
			continue
		}
		for _, op := range re.SelectElements("lrm_rsc_op") {
			if atoi(op.SelectAttrValue("call-id", "")) == f.Record.CallID && op.SelectAttrValue("operation", "") == f.Record.Operation &&
				atoi(op.SelectAttrValue("rc-code", "0")) == f.Record.RC && op.SelectAttrValue("exit-reason", "") == f.Record.ExitReason {
				return op
			}
		}
	}
	return nil
}

// xmlBans lists the location constraints that keep a resource off a
// node, as crm_mon does: the newest constraint first; a rule's nodes in
// reverse name order (in name order for an "or" rule), under the rule's
// id.
func (v *view) xmlBans(root *xmlNode) {
	var bans []*xmlNode
	cons := v.c.Section("constraints", false)
	if cons == nil {
		return
	}
	for _, e := range cons.SelectElements("rsc_location") {
		var rscs []string
		if r := e.SelectAttrValue("rsc", ""); r != "" {
			rscs = append(rscs, r)
		}
		for _, set := range e.SelectElements("resource_set") {
			for _, ref := range set.SelectElements("resource_ref") {
				rscs = append(rscs, ref.SelectAttrValue("id", ""))
			}
		}
		var known []string
		for _, r := range rscs {
			if v.knownResource(r) {
				known = append(known, r)
			}
		}
		if len(known) == 0 {
			continue
		}
		role := e.SelectAttrValue("role", "")
		var entries []*xmlNode
		ban := func(id, rsc, node string, score int, role string) {
			promoted := role == "Promoted" || role == "Master"
			entries = append(entries, newXML("ban", "id", id, "resource", rsc, "node", node, "weight", strconv.Itoa(score),
				"promoted-only", boolText(promoted), "master_only", boolText(promoted)))
		}
		if node := e.SelectAttrValue("node", ""); node != "" {
			score, err := engine.ParseScore(e.SelectAttrValue("score", "0"))
			if err != nil || score >= 0 || v.nodes[node] == nil {
				continue
			}
			for _, r := range known {
				ban(e.SelectAttrValue("id", ""), r, node, score, role)
			}
		}
		for _, rule := range e.SelectElements("rule") {
			ruleRole := rule.SelectAttrValue("role", role)
			nodes := append([]*engine.Node(nil), v.cl.Nodes...)
			if rule.SelectAttrValue("boolean-op", "and") != "or" {
				for i, j := 0, len(nodes)-1; i < j; i, j = i+1, j-1 {
					nodes[i], nodes[j] = nodes[j], nodes[i]
				}
			}
			var matched []*xmlNode
			for _, n := range nodes {
				score, holds, err := engine.RuleScore(rule, n, v.now)
				if err != nil || !holds || score >= 0 {
					continue
				}
				for _, r := range known {
					before := len(entries)
					ban(rule.SelectAttrValue("id", ""), r, n.Uname, score, ruleRole)
					matched = append(matched, entries[before:]...)
					entries = entries[:before]
				}
			}
			entries = append(entries, matched...)
		}
		bans = append(entries, bans...)
	}
	if len(bans) == 0 {
		return
	}
	list := root.add("bans")
	list.children = bans
}

// knownResource reports whether id names a configured resource, group,
// clone or bundle.
func (v *view) knownResource(id string) bool {
	if v.rscs[id] != nil || v.groups[id] != nil {
		return true
	}
	for _, c := range v.cl.Clones {
		if c.ID == id {
			return true
		}
	}
	for _, b := range v.cl.Bundles {
		if b.ID == id {
			return true
		}
	}
	for _, r := range v.cl.Resources {
		if r.Unique != nil && r.Unique.ID == id {
			return true
		}
	}
	return false
}

// xmlTickets lists the tickets: those constraints name first (in
// constraint order, as Pacemaker learns of them), then those only the
// status section knows.
func (v *view) xmlTickets(root *xmlNode) {
	type ticket struct {
		id               string
		granted, standby bool
		lastGranted      string
	}
	var tickets []*ticket
	byID := map[string]*ticket{}
	add := func(id string) *ticket {
		if t := byID[id]; t != nil {
			return t
		}
		t := &ticket{id: id}
		byID[id] = t
		tickets = append(tickets, t)
		return t
	}
	if cons := v.c.Section("constraints", false); cons != nil {
		for _, e := range cons.SelectElements("rsc_ticket") {
			if id := e.SelectAttrValue("ticket", ""); id != "" {
				add(id)
			}
		}
	}
	if st := v.c.Status(); st != nil {
		for _, ts := range st.FindElements("./tickets/ticket_state") {
			id := ts.SelectAttrValue("id", "")
			if id == "" {
				continue
			}
			t := add(id)
			t.granted = cib.IsTrue(ts.SelectAttrValue("granted", "false"))
			t.standby = cib.IsTrue(ts.SelectAttrValue("standby", "false"))
			t.lastGranted = ts.SelectAttrValue("last-granted", "")
		}
	}
	if len(tickets) == 0 {
		return
	}
	list := root.add("tickets")
	for _, t := range tickets {
		status := "revoked"
		if t.granted {
			status = "granted"
		}
		x := list.add("ticket", "id", t.id, "status", status, "standby", boolText(t.standby))
		if sec := atoi(t.lastGranted); sec > 0 {
			x.set("last-granted", time.Unix(int64(sec), 0).In(v.now.Location()).Format(timeLayout))
		}
	}
}

// instanceCounts counts resource instances as crm_mon's summary does:
// every primitive, and every instance of a clone, orphan instances that
// are active included.
func (v *view) instanceCounts() (instances, disabled, blocked int) {
	groupClones := map[*engine.Clone]int{}
	for _, r := range v.cl.Resources {
		n := 1
		switch {
		case r.Clone != nil && r.Clone.Group != nil:
			count, ok := groupClones[r.Clone]
			if !ok {
				count = countInstances(v.cloneInstances(v.cloneMax(r.Clone), r.Clone.Group.Members))
				groupClones[r.Clone] = count
			}
			n = count
		case r.Clone != nil && r.Bundle == "":
			n = countInstances(v.cloneInstances(v.cloneMax(r.Clone), []*engine.Resource{r}))
		case r.Clone != nil:
			n = r.Clone.Max
		}
		instances += n
		if r.Disabled() {
			disabled += n
		}
		if r.FailBlocked {
			blocked++
		}
	}
	return instances, disabled, blocked
}

// countInstances counts a clone's instances but its inactive orphans.
func countInstances(insts []*cloneInstance) int {
	n := 0
	for _, in := range insts {
		if !in.orphan || in.activeAnywhere() {
			n++
		}
	}
	return n
}
