package engine

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// Infinity is Pacemaker's INFINITY score; scores saturate at ±Infinity.
const Infinity = 1000000

// Cluster is the unpacked view of a CIB: what the scheduler decides from
// and what the status display shows.
type Cluster struct {
	DC                string // uname of the DC, "" if none is known
	HaveQuorum        bool
	StonithEnabled    bool
	Symmetric         bool
	NoQuorumPolicy    string
	MaintenanceMode   bool
	Nodes             []*Node
	Resources         []*Resource
	Constraints       []Location
	Rules             []RuleLocation
	Colocations       []Colocation
	Orders            []Order
	Groups            []*Group
	Clones            []*Clone
	StonithDevices    int             // stonith primitives anywhere, scheduled or not
	watchdog          bool            // have-watchdog: SBD can fence (a node itself), as a device would
	Tickets           map[string]bool // ticket -> usable (granted and not standby)
	TicketGranted     map[string]bool // ticket -> granted (standby or not)
	PlacementStrategy string          // default, utilization, minimal, balanced
	HealthStrategy    string          // none, migrate-on-red, only-green, progressive, custom
	StopOrphanActions bool            // cancel recurring monitors no longer configured (stop-orphan-actions)
	TicketDeps        []TicketDep
	Bundles           []*Bundle
	Notes             []string
	Failures          []Failure
	LastWritten       string
	UpdateOrigin      string
	UpdateClient      string
	UpdateUser        string
	// orphanOrder places the resources the history names but the
	// configuration no longer has, after the configured ones.
	orphanOrder map[string]int
	stopOrphans bool // stop-orphan-resources: orphans are managed
	// shutdownLock (shutdown-lock) keeps what a node that shuts down
	// cleanly ran stopped, to start again there only, for at most
	// shutdownLockLimit (shutdown-lock-limit; 0: until it comes back).
	shutdownLock      bool
	shutdownLockLimit time.Duration
	// concurrentFencing lets nodes be fenced at once (else one after
	// the other).
	concurrentFencing bool

	// ResourceDefaults is rsc_defaults' meta attributes: groups and
	// clones take them too (crm_mon flags them disabled or unmanaged).
	ResourceDefaults map[string]string
}

// Node is a cluster node and its state.
type Node struct {
	ID, Uname string
	Online    bool
	Unclean   bool // lost without being fenced: its resources may still run
	Pending   bool // joining the cluster: runs nothing yet
	// Health is what the #health-* attributes say under the cluster's
	// node-health-strategy: 1 green, 0 yellow, -1 red (always 1 with
	// strategy none); HealthScore their sum, a score on every resource.
	Health, HealthScore int
	ShuttingDown        bool   // its shutdown attribute is set: resources leave it
	UncleanReason       string // why it must be fenced, when not just lost
	IsDC                bool
	Standby             bool
	Maintenance         bool
	InStatus            bool // has a node_state (crm_mon shows standby and maintenance only then)
	// HistoryRank is the position at which Pacemaker reads this node's
	// resource history: anonymous clone instances are numbered in that
	// order. Online nodes (every node when fencing is on) come first, in
	// status order, then the rest.
	HistoryRank int
	Attrs       map[string]string // node attributes, permanent then transient
	Capacity    map[string]int    // utilization the node offers
	// A Pacemaker Remote node is reached through its connection resource
	// (an ocf:pacemaker:remote primitive of the node's name), and is
	// online when that connection runs. A guest node's connection is
	// implicit: the Container primitive (meta remote-node) runs the node.
	Remote     bool
	Unseen     bool   // unclean only because something ran there: not fenced if the connection comes back
	Connection string // the connection resource's id (Remote nodes)
	Container  string // the resource running the guest node ("" for a bare-metal remote node)
	Bundle     string // the bundle whose replica this guest node is: only the bundle's primitive runs there
	// lrm lists the node's resource histories (those with operations),
	// in the order the status section gives them.
	lrm []*lrmEntry
	// connectionFailed: a remote node's connection failed (to start, or
	// later: then it is fenced as unrecoverable).
	connectionFailed bool
	// guestReset: a guest node to be "fenced" by recovering its container
	// (which failed, or whose host is lost, or which ran what is active
	// on the guest while it is down).
	guestReset  bool
	guestFenced bool // (for what was active on it: the container failed)
	// readLate: a remote node whose connection (or container) does not
	// run: Pacemaker reads its history after the others'.
	readLate bool
	// wasFenced: a remote node fenced since its connection was lost
	// (node_fenced).
	wasFenced bool
}

// lrmEntry is one resource's history on a node: the agent it ran as, and
// the resource it belongs to (nil for one no longer configured).
type lrmEntry struct {
	id, class, provider, agent string
	rsc                        *Resource
	el                         *etree.Element
}

// Resource is a primitive with its configuration and where it is active.
type Resource struct {
	ID                    string
	Class, Provider, Type string
	Params, Meta          map[string]string
	Ops                   []OpConfig
	Order                 int
	Priority              int
	Stickiness            int
	MigrationThreshold    int
	TargetRole            string
	Managed               bool
	State                 map[string]*ResourceState // by node uname
	Blocked               bool                      // active on an unclean node
	FailBlocked           bool                      // on-fail=block after a failure: left alone (crm_mon's "blocked")
	FailureIgnored        bool                      // a failure was ignored (on-fail=ignore)
	DefaultTimeout        time.Duration
	startFailureIsFatal   bool
	duplicateMonitors     []time.Duration // monitors configured twice (none is scheduled)
	Group                 string          // the group it belongs to, "" if none
	Halted                bool            // on-fail=stop: stopped and not started again
	Utilization           map[string]int  // what it needs of each node capacity
	Unique                *Clone          // the globally-unique clone this is an instance of
	Orphan                bool            // in the history only, no longer configured
	Clone                 *Clone          // the anonymous clone it is the primitive of, or nil
	// FailureTimeout (failure-timeout) is how long a failure counts: after
	// it, the failure is forgotten and its fail count cleared.
	FailureTimeout time.Duration
	// ClearFailCount lists the nodes whose fail count for this resource
	// expired: the plan clears it there.
	ClearFailCount []string
	// Bundle is the bundle this resource is part of (its containers, IP
	// addresses, connections, and its primitive's clone), "" if none.
	Bundle string
	// Implicit marks a resource Pacemaker creates itself (a guest node's
	// connection): scheduled like the others, never listed.
	Implicit bool
	// Container is the resource this one runs inside (meta container, or
	// for a guest node's connection, the guest's resource).
	Container string
	// Live migration as the history left it: nodes where a finished
	// migration still has to stop it, the nodes of one half done, and
	// whether a failed one forbids migrating now.
	danglingSources              []string
	partialSource, partialTarget string
	noMigration                  bool
	// LockedTo is, with shutdown-lock, the node it is locked to: stopped
	// when that node shut down, it may start there only ("" if none).
	LockedTo string
	// lockExpired lists the nodes whose shutdown lock on it expired: its
	// history there is deleted.
	lockExpired []string
	// parentParams are the instance attributes of the group or clone it
	// is in: Pacemaker digests them with its own (which override them).
	parentParams map[string]string
}

// IsConnection reports whether the resource connects a Pacemaker Remote
// node (bare-metal or guest).
func (r *Resource) IsConnection() bool {
	return r.Class == "ocf" && r.Provider == "pacemaker" && r.Type == "remote"
}

// Agent is the resource's class:provider:type.
func (r *Resource) Agent() string {
	if r.Provider != "" {
		return r.Class + ":" + r.Provider + ":" + r.Type
	}
	return r.Class + ":" + r.Type
}

// Disabled reports target-role=Stopped.
func (r *Resource) Disabled() bool { return strings.EqualFold(r.TargetRole, "Stopped") }

// ActiveOn lists the nodes where the resource is (or may be) active.
func (r *Resource) ActiveOn() []string {
	var out []string
	for n, s := range r.State {
		if s.Active {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// OpConfig is one configured operation.
type OpConfig struct {
	Name     string
	Interval time.Duration
	Timeout  time.Duration
	Attrs    map[string]string
	Params   map[string]string // its own instance attributes (agent parameters for this operation)
}

// ResourceState is what the history says of a resource on one node.
type ResourceState struct {
	Known    bool // there is history: no probe needed
	Active   bool
	Promoted bool // runs in the promoted role
	Failed   bool
	Restart  bool // must restart in place (something inside it failed), without having failed itself
	// Banned: a hard error here (invalid parameter, insufficient
	// privileges, not installed, a probe that could not tell) keeps the
	// resource off this node while the record stays; BannedEverywhere: a
	// fatal one (not configured) keeps it off every node.
	Banned, BannedEverywhere bool
	// ProbeRC is the result of a probe that failed in a way read as "not
	// running" (not installed, invalid parameter), for display; 0 if none.
	ProbeRC          int
	Pending          bool
	PendingTask      string // the operation in flight, for display: start, stop, monitor, ...
	MonitorActive    map[time.Duration]bool
	monitorSeen      map[time.Duration]bool // recurring monitors recorded since the last start, failed or not
	demoteOnFail     bool                   // a promoted-role failure with on-fail=demote: demote, keep running
	restartContainer bool                   // failed inside a container with on-fail=restart-container
	FailedInRole     bool                   // failed in the promoted role and only demoted for it (shown as FAILED)
	FailCount        int
	HistoryID        string // the id the history uses (an anonymous clone's may carry an instance number)
	lastCall         int
	fencedActive     bool // it ran on a node that is being fenced
	guestFailed      bool // it ran on a guest node that is down (and is fenced)
	lastFailure      *cib.OpRecord
	stoppedFailed    bool                   // stopped after a failure that the stop did not settle
	entry            *etree.Element         // the history (lrm_resource) this state was read from
	reload           bool                   // its parameters changed in a way the agent can reload
	rescheduled      map[time.Duration]bool // recurring monitors whose parameters changed: scheduled again
	// seen orders the nodes a resource runs on as Pacemaker lists them
	// (in the order it reads their histories, a migration's target
	// before its source).
	seen int
}

// Failure is a failed operation, for the status display.
type Failure struct {
	Resource, Node, Task string
	Interval             time.Duration
	Record               cib.OpRecord
}

// Location is a simple location constraint.
type Location struct {
	ID, Resource, Node string
	Score              int
	Role               string // "Promoted" for promotion preferences, "" otherwise
	Discovery          string // resource-discovery: always (""), never, exclusive
}

// RuleLocation is a location constraint with rules, evaluated per node.
type RuleLocation struct {
	ID, Resource string
	Rules        []*etree.Element
	Discovery    string // resource-discovery, for the nodes the rules match
}

// Colocation places Resource relative to With (resources or groups).
type Colocation struct {
	ID, Resource, With string
	Score              int
	WithRole           string // "Promoted": with the promoted instances only
	Role               string // "Promoted": only Resource's promoted instances follow
}

// Order starts Then after First (and stops in reverse when symmetrical).
type Order struct {
	ID, First, Then string
	FirstAction     string
	ThenAction      string
	Mandatory       bool
	Symmetrical     bool
	// Relaxed names the pseudo action ("one-or-more:SET" for a set with
	// require-all=false, "clone-one-or-more:ID" for a first clone with
	// clone-min) that then waits for instead of first: it is runnable
	// once Min of the firsts ordered through it can start.
	Relaxed string
	Min     int
}

// actions are the order's first and then actions as the graph orders
// them: an action a set leaves unsaid is start for first, and for then
// the same as first.
func (o Order) actions() (first, then string) {
	first, then = o.FirstAction, o.ThenAction
	if first == "" {
		first = "start"
	}
	if then == "" {
		then = first
	}
	return first, then
}

// Clone runs copies of one primitive on several nodes. Only anonymous
// clones (interchangeable instances, at most one per node) are scheduled.
type Clone struct {
	ID          string
	Primitive   *Resource
	Max         int // clone-max: how many instances at most (default: nodes)
	Meta        map[string]string
	Promotable  bool
	PromotedMax int    // promoted-max (master-max): how many instances are promoted
	Group       *Group // a clone of a group: Primitive is its first member
}

// TicketDep ties a resource to a ticket (rsc_ticket).
type TicketDep struct {
	ID, Resource, Ticket string
	Role                 string // "Promoted": only the promoted role needs it
	LossPolicy           string // stop (default), demote, freeze, fence
}

// Group is an ordered, colocated list of primitives.
type Group struct {
	ID      string
	Members []*Resource
	Meta    map[string]string
}

// Unpack reads a CIB.
func Unpack(c *cib.CIB, now time.Time) (*Cluster, error) {
	if c == nil {
		return nil, fmt.Errorf("unpack: no CIB")
	}
	cl := &Cluster{Symmetric: true, StonithEnabled: true, NoQuorumPolicy: "stop"}
	prop := func(name string) (string, bool) { return c.Property(name) }
	if v, ok := prop("stonith-enabled"); ok {
		cl.StonithEnabled = cib.IsTrue(v)
	}
	if v, ok := prop("symmetric-cluster"); ok {
		cl.Symmetric = cib.IsTrue(v)
	}
	if v, ok := prop("have-watchdog"); ok {
		cl.watchdog = cib.IsTrue(v)
	}
	if v, ok := prop("no-quorum-policy"); ok {
		cl.NoQuorumPolicy = v
	}
	cl.StopOrphanActions = true
	if v, ok := prop("stop-orphan-actions"); ok {
		cl.StopOrphanActions = cib.IsTrue(v)
	}
	if v, ok := prop("concurrent-fencing"); ok {
		cl.concurrentFencing = cib.IsTrue(v)
	}
	if v, ok := prop("shutdown-lock"); ok {
		cl.shutdownLock = cib.IsTrue(v)
	}
	if v, ok := prop("shutdown-lock-limit"); ok {
		cl.shutdownLockLimit, _ = ParseDuration(v)
	}
	if v, ok := prop("maintenance-mode"); ok {
		cl.MaintenanceMode = cib.IsTrue(v)
	}
	sfif := true
	if v, ok := prop("start-failure-is-fatal"); ok {
		sfif = cib.IsTrue(v)
	}
	cl.PlacementStrategy = "default"
	if v, ok := prop("placement-strategy"); ok {
		cl.PlacementStrategy = v
	}
	q := c.Attr("have-quorum")
	cl.HaveQuorum = q == "1" || cib.IsTrue(q)
	cl.LastWritten, cl.UpdateOrigin, cl.UpdateClient, cl.UpdateUser = c.Attr("cib-last-written"), c.Attr("update-origin"), c.Attr("update-client"), c.Attr("update-user")

	// Nodes: the cluster's, then the Pacemaker Remote nodes that the
	// resources define (a node entry of type remote only adds attributes).
	byID := map[string]*Node{}
	remotes := remoteNodes(c)
	for _, e := range c.Section("nodes", true).SelectElements("node") {
		n := &Node{ID: e.SelectAttrValue("id", ""), Uname: e.SelectAttrValue("uname", ""), Attrs: map[string]string{}}
		if n.Uname == "" {
			n.Uname = n.ID
		}
		if t := e.SelectAttrValue("type", "member"); t != "member" && t != "normal" {
			// A remote node entry without a resource defining it is a
			// remote node that stays offline.
			if t != "remote" || byID[n.Uname] != nil {
				continue
			}
			n.ID, n.Remote, n.Connection, n.Container, n.Bundle = n.Uname, true, n.Uname, remotes[n.Uname].container, remotes[n.Uname].bundle
		}
		attrs := nvpairs(e, "instance_attributes")
		for k, v := range attrs {
			n.Attrs[k] = v
		}
		n.Capacity = map[string]int{}
		for k, v := range nvpairs(e, "utilization") {
			if x, err := strconv.Atoi(v); err == nil {
				n.Capacity[k] = x
			}
		}
		n.Standby = cib.IsTrue(attrs["standby"])
		n.Maintenance = cib.IsTrue(attrs["maintenance"])
		cl.Nodes = append(cl.Nodes, n)
		byID[n.ID] = n
	}
	for _, name := range slices.Sorted(maps.Keys(remotes)) {
		if n := byID[name]; n == nil || !n.Remote {
			if n != nil {
				continue // a cluster node of that name wins
			}
			n = &Node{ID: name, Uname: name, Attrs: map[string]string{}, Capacity: map[string]int{},
				Remote: true, Connection: name, Container: remotes[name].container, Bundle: remotes[name].bundle}
			cl.Nodes = append(cl.Nodes, n)
			byID[name] = n
		}
	}
	// Pacemaker keeps nodes in natural name order; much of what it does
	// in node order (probes, ties) follows from that.
	sort.SliceStable(cl.Nodes, func(i, j int) bool { return NaturalLess(cl.Nodes[i].Uname, cl.Nodes[j].Uname) })
	dcID := c.Attr("dc-uuid")
	states := map[string]*etree.Element{}
	// Until its status is seen, a node may be running anything: with
	// fencing (and startup-fencing, on by default), it is unclean.
	startupFencing := cl.StonithEnabled
	if v, ok := prop("startup-fencing"); ok && cl.StonithEnabled {
		startupFencing = cib.IsTrue(v)
	}
	for _, n := range cl.Nodes {
		n.Unclean = startupFencing && !n.Remote
	}
	for _, ns := range c.Status().SelectElements("node_state") {
		id := ns.SelectAttrValue("id", "")
		n := byID[id]
		if n == nil {
			continue
		}
		states[n.Uname] = ns
		n.InStatus = true
		n.Unclean = false
		for _, t := range ns.SelectElements("transient_attributes") {
			for k, v := range nvpairs(t, "instance_attributes") {
				n.Attrs[k] = v
			}
		}
		if cib.IsTrue(n.Attrs["standby"]) {
			n.Standby = true
		}
		if v := n.Attrs["shutdown"]; v != "" && v != "0" {
			n.ShuttingDown = true
		}
		if n.Remote {
			n.wasFenced = ns.SelectAttrValue("node_fenced", "0") != "0"
			if cib.IsTrue(ns.SelectAttrValue("node_in_maintenance", "0")) {
				n.Maintenance = true // (set by the remote node's connection)
			}
			continue // online when its connection runs (read with the history)
		}
		cl.readNodeState(n, ns)
		if !cl.HaveQuorum && cl.NoQuorumPolicy == "suicide" && n.Online && !n.Unclean {
			// Without quorum, a partition with this policy fences itself.
			n.Unclean, n.UncleanReason = true, "cluster does not have quorum"
		}
	}
	cl.readNodeHealth(prop)
	rank := 0
	for pass := 0; pass < 2; pass++ {
		for _, ns := range c.Status().SelectElements("node_state") {
			n := byID[ns.SelectAttrValue("id", "")]
			if n == nil || (pass == 0) != (n.Online || cl.StonithEnabled) || n.HistoryRank > 0 {
				continue
			}
			rank++
			n.HistoryRank = rank
		}
	}
	for _, n := range cl.Nodes {
		if n.HistoryRank == 0 {
			rank++
			n.HistoryRank = rank
		}
		if n.ID == dcID && dcID != "" {
			cl.DC = n.Uname
			n.IsDC = true
		}
	}

	// Defaults.
	rscDefaults := map[string]string{}
	if s := c.Section("rsc_defaults", false); s != nil {
		rscDefaults = nvpairs(s, "meta_attributes")
	}
	cl.ResourceDefaults = rscDefaults
	defTimeout := 20 * time.Second
	if s := c.Section("op_defaults", false); s != nil {
		if d, err := ParseDuration(nvpairs(s, "meta_attributes")["timeout"]); err == nil && d > 0 {
			defTimeout = d
		}
	}

	// Resources, with the primitives of groups.
	byRsc := map[string]*Resource{}
	order := 0
	var addPrimitive func(e *etree.Element, group *Group) *Resource
	// Templates: a primitive made from one takes the template's agent and
	// settings, its own settings winning. Constraints that name a
	// template (or a tag) apply to the primitives made from it (tagged).
	templates := map[string]*etree.Element{}
	tags := map[string][]string{}
	for _, t := range c.Section("resources", true).SelectElements("template") {
		templates[t.SelectAttrValue("id", "")] = t
		tags[t.SelectAttrValue("id", "")] = []string{}
	}
	if ts := c.Section("tags", false); ts != nil {
		for _, t := range ts.SelectElements("tag") {
			for _, ref := range t.SelectElements("obj_ref") {
				tags[t.SelectAttrValue("id", "")] = append(tags[t.SelectAttrValue("id", "")], ref.SelectAttrValue("id", ""))
			}
		}
	}
	addPrimitive = func(e *etree.Element, group *Group) *Resource {
		if t := templates[e.SelectAttrValue("template", "")]; t != nil {
			e = fromTemplate(e, t)
			tags[t.SelectAttrValue("id", "")] = append(tags[t.SelectAttrValue("id", "")], e.SelectAttrValue("id", ""))
		}
		r := &Resource{ID: e.SelectAttrValue("id", ""), Class: e.SelectAttrValue("class", ""), Provider: e.SelectAttrValue("provider", ""),
			Type: e.SelectAttrValue("type", ""), Order: order, Params: nvpairs(e, "instance_attributes"), Meta: map[string]string{},
			State: map[string]*ResourceState{}, DefaultTimeout: defTimeout, Managed: true, MigrationThreshold: Infinity,
			startFailureIsFatal: sfif}
		order++
		if r.ID == "" {
			return nil
		}
		for k, v := range defaultsFor(c, &agentRef{r.Class, r.Provider, r.Type}, now) {
			r.Meta[k] = v
		}
		if group != nil {
			r.Group = group.ID
			for k, v := range group.Meta {
				r.Meta[k] = v
			}
		}
		for k, v := range nvpairs(e, "meta_attributes") {
			r.Meta[k] = v
		}
		r.Utilization = map[string]int{}
		for k, v := range nvpairs(e, "utilization") {
			if x, err := strconv.Atoi(v); err == nil && x > 0 {
				r.Utilization[k] = x
			}
		}
		r.TargetRole = r.Meta["target-role"]
		if d, err := ParseDuration(r.Meta["failure-timeout"]); err == nil && d > 0 {
			r.FailureTimeout = d
		}
		if v, ok := r.Meta["is-managed"]; ok {
			r.Managed = cib.IsTrue(v)
		}
		if cl.MaintenanceMode || cib.IsTrue(r.Meta["maintenance"]) {
			r.Managed = false
		}
		r.Priority, _ = ParseScore(r.Meta["priority"])
		r.Stickiness, _ = ParseScore(r.Meta["resource-stickiness"])
		if v, ok := r.Meta["migration-threshold"]; ok {
			if s, err := ParseScore(v); err == nil {
				r.MigrationThreshold = s
			}
		}
		for _, ops := range e.SelectElements("operations") {
			ops = dereference(ops)
			for _, op := range ops.SelectElements("op") {
				oc := OpConfig{Name: op.SelectAttrValue("name", ""), Attrs: map[string]string{}}
				oc.Interval, _ = ParseDuration(op.SelectAttrValue("interval", "0"))
				oc.Timeout, _ = ParseDuration(op.SelectAttrValue("timeout", ""))
				for _, a := range op.Attr {
					if a.Key != "id" && a.Key != "name" && a.Key != "interval" {
						oc.Attrs[a.Key] = a.Value
					}
				}
				oc.Params = nvpairs(op, "instance_attributes")
				for k, v := range oc.Params {
					oc.Attrs[k] = v
				}
				r.Ops = append(r.Ops, oc)
			}
		}
		r.Ops, r.duplicateMonitors = withoutDuplicateRecurring(r.Ops)
		cl.Resources = append(cl.Resources, r)
		byRsc[r.ID] = r
		return r
	}
	groups := map[string]*Group{}
	clones := map[string]*Clone{}
	uniques := map[string]*Clone{}
	for _, p := range c.Section("resources", true).FindElements(".//primitive") {
		if p.SelectAttrValue("class", "") == "stonith" {
			cl.StonithDevices++
		}
	}
	// Top-level resources in priority order (then configuration order), as
	// Pacemaker keeps them: its displays and graph follow that order.
	topLevel := c.Section("resources", true).ChildElements()
	topPriority := func(e *etree.Element) int {
		v, ok := nvpairs(e, "meta_attributes")["priority"]
		if !ok {
			v = rscDefaults["priority"]
		}
		p, _ := ParseScore(v)
		return p
	}
	sort.SliceStable(topLevel, func(i, j int) bool { return topPriority(topLevel[i]) > topPriority(topLevel[j]) })
	var topLevelIDs []string // (in configuration order)
	for _, e := range c.Section("resources", true).ChildElements() {
		if e.Tag != "template" {
			topLevelIDs = append(topLevelIDs, e.SelectAttrValue("id", ""))
		}
	}
	for _, e := range topLevel {
		switch e.Tag {
		case "primitive":
			addPrimitive(e, nil)
		case "group":
			g := &Group{ID: e.SelectAttrValue("id", ""), Meta: nvpairs(e, "meta_attributes")}
			for _, m := range e.SelectElements("primitive") {
				if r := addPrimitive(m, g); r != nil {
					g.Members = append(g.Members, r)
				}
			}
			if len(g.Members) > 0 {
				cl.Groups = append(cl.Groups, g)
				groups[g.ID] = g
			}
		case "clone", "master":
			meta := nvpairs(e, "meta_attributes")
			prims := e.SelectElements("primitive")
			if grp := e.SelectElement("group"); grp != nil && len(prims) == 0 && !cib.IsTrue(meta["globally-unique"]) && !(e.Tag == "master" || cib.IsTrue(meta["promotable"])) {
				// A clone of a group: each instance runs the whole group.
				cln := &Clone{ID: e.SelectAttrValue("id", ""), Meta: meta, Max: -1}
				if n, err := strconv.Atoi(meta["clone-max"]); err == nil && n >= 0 {
					cln.Max = n
				}
				g := &Group{ID: grp.SelectAttrValue("id", ""), Meta: map[string]string{}}
				for k, v := range meta {
					g.Meta[k] = v
				}
				for k, v := range nvpairs(grp, "meta_attributes") {
					g.Meta[k] = v
				}
				for _, m := range grp.SelectElements("primitive") {
					if r := addPrimitive(m, g); r != nil {
						r.Group, r.Clone = "", cln
						if _, set := r.Meta["resource-stickiness"]; !set {
							r.Stickiness = 1
						}
						g.Members = append(g.Members, r)
					}
				}
				if len(g.Members) == 0 {
					continue
				}
				cln.Group, cln.Primitive = g, g.Members[0]
				cl.Clones = append(cl.Clones, cln)
				clones[cln.ID] = cln
				groups[g.ID] = g
				continue
			}
			switch {
			case len(prims) != 1:
				cl.Notes = append(cl.Notes, fmt.Sprintf("clone %s: clones of promotable or unique groups are not supported yet and are ignored", e.SelectAttrValue("id", "")))
				continue
			case cib.IsTrue(meta["globally-unique"]):
				// Each instance is a resource of its own, RSC:0 ... RSC:N-1.
				cln := &Clone{ID: e.SelectAttrValue("id", ""), Meta: meta, Max: len(c.Section("nodes", true).SelectElements("node"))}
				if n, err := strconv.Atoi(meta["clone-max"]); err == nil && n >= 0 {
					cln.Max = n
				}
				if e.Tag == "master" || cib.IsTrue(meta["promotable"]) {
					cln.Promotable, cln.PromotedMax = true, promotedMax(meta)
				}
				g := &Group{ID: cln.ID, Meta: meta}
				for i := 0; i < cln.Max; i++ {
					inst := prims[0].Copy()
					inst.CreateAttr("id", fmt.Sprintf("%s:%d", prims[0].SelectAttrValue("id", ""), i))
					if r := addPrimitive(inst, g); r != nil {
						r.Group, r.Unique = "", cln
						if _, set := r.Meta["resource-stickiness"]; !set {
							r.Stickiness = 1
						}
						if cln.Primitive == nil {
							cln.Primitive = r
						}
					}
				}
				uniques[cln.ID] = cln
				continue
			case meta["clone-node-max"] != "" && meta["clone-node-max"] != "1":
				cl.Notes = append(cl.Notes, fmt.Sprintf("clone %s: clone-node-max other than 1 is not supported yet and is ignored", e.SelectAttrValue("id", "")))
				continue
			}
			cln := &Clone{ID: e.SelectAttrValue("id", ""), Meta: meta, Max: -1, PromotedMax: promotedMax(meta),
				Promotable: e.Tag == "master" || cib.IsTrue(meta["promotable"])}
			if v, ok := meta["clone-max"]; ok {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					cln.Max = n
				}
			}
			g := &Group{ID: cln.ID, Meta: meta}
			if r := addPrimitive(prims[0], g); r != nil {
				r.Group = ""
				r.Clone = cln
				cln.Primitive = r
				// Instances of a clone are sticky by default, as Pacemaker's.
				if _, set := r.Meta["resource-stickiness"]; !set {
					r.Stickiness = 1
				}
				cl.Clones = append(cl.Clones, cln)
				clones[cln.ID] = cln
			}
		case "bundle":
			b, prims, child := bundleParts(e)
			for _, p := range prims {
				if r := addPrimitive(p, nil); r != nil {
					r.Bundle = b.ID
				}
			}
			if child != nil {
				g := &Group{ID: b.Child.ID, Meta: b.Child.Meta}
				if r := addPrimitive(child, g); r != nil {
					r.Group, r.Clone, r.Bundle = "", b.Child, b.ID
					b.Child.Primitive = r
					if _, set := r.Meta["resource-stickiness"]; !set {
						r.Stickiness = 1
					}
					cl.Clones = append(cl.Clones, b.Child)
					clones[b.Child.ID] = b.Child
				} else {
					b.Child = nil
				}
			}
			cl.Bundles = append(cl.Bundles, b)
		case "template":
		default:
			cl.Notes = append(cl.Notes, fmt.Sprintf("%s %s is not supported yet and is ignored", e.Tag, e.SelectAttrValue("id", "")))
		}
	}
	// Containers, and the connections of guest nodes: Pacemaker adds one
	// ocf:pacemaker:remote primitive per guest, after all the others.
	for _, r := range append([]*Resource(nil), cl.Resources...) {
		if ct := r.Meta["container"]; ct != r.ID {
			r.Container = ct // (a group's container is not its own)
		}
		if r.IsConnection() && r.Container == "" {
			if _, set := r.Meta["allow-migrate"]; !set {
				r.Meta["allow-migrate"] = "true" // a connection may move without stopping what runs behind it
			}
		}
		name := r.Meta["remote-node"]
		if name == "" || byRsc[name] != nil {
			continue
		}
		conn := &Resource{ID: name, Class: "ocf", Provider: "pacemaker", Type: "remote", Order: order,
			Params: map[string]string{}, Meta: map[string]string{"container": r.ID}, State: map[string]*ResourceState{},
			DefaultTimeout: defTimeout, Managed: r.Managed, MigrationThreshold: Infinity, startFailureIsFatal: sfif,
			Utilization: map[string]int{}, Implicit: true, Container: r.ID,
			Ops: []OpConfig{{Name: "monitor", Interval: 30 * time.Second, Timeout: 30 * time.Second, Attrs: map[string]string{}}}}
		if v, ok := r.Meta["remote-allow-migrate"]; ok {
			conn.Meta["allow-migrate"] = v
		}
		order++
		cl.Resources = append(cl.Resources, conn)
		byRsc[name] = conn
	}
	known := func(id string) bool {
		return byRsc[id] != nil || groups[id] != nil || clones[id] != nil || uniques[id] != nil
	}

	// Constraints. One naming a bundle means: for a location, its
	// containers; otherwise its primitive's clone (or, for a bundle of one
	// bare container, that container).
	bundleAlias := map[string]string{}
	bundleContainers := map[string][]string{}
	for _, b := range cl.Bundles {
		for _, rep := range b.Replicas {
			bundleContainers[b.ID] = append(bundleContainers[b.ID], rep.Container)
		}
		switch {
		case b.Child != nil:
			bundleAlias[b.ID] = b.Child.ID
		case len(b.Replicas) == 1:
			bundleAlias[b.ID] = b.Replicas[0].Container
		}
	}
	constraints := c.Section("constraints", true).ChildElements()
	for i := 0; i < len(constraints); i++ {
		e := constraints[i]
		id := e.SelectAttrValue("id", "")
		// Placement constraints on a bundle place its containers.
		if ctrs := bundleContainers[e.SelectAttrValue("rsc", "")]; (e.Tag == "rsc_location" || e.Tag == "rsc_colocation") && len(ctrs) > 0 {
			for _, m := range ctrs {
				cp := e.Copy()
				cp.CreateAttr("rsc", m)
				constraints = append(constraints, cp)
			}
			continue
		}
		if ctrs := bundleContainers[e.SelectAttrValue("with-rsc", "")]; e.Tag == "rsc_colocation" && len(ctrs) == 1 {
			e = e.Copy()
			e.CreateAttr("with-rsc", ctrs[0])
		}
		if e.Tag != "rsc_location" {
			for _, attr := range []string{"rsc", "with-rsc", "first", "then"} {
				if alias, ok := bundleAlias[e.SelectAttrValue(attr, "")]; ok {
					e = e.Copy()
					e.CreateAttr(attr, alias)
				}
			}
		}
		switch e.Tag {
		case "rsc_location":
			rsc, node := e.SelectAttrValue("rsc", ""), e.SelectAttrValue("node", "")
			if members, ok := tags[rsc]; ok && len(members) > 0 {
				// A template or tag: the constraint holds for each member.
				for _, m := range members {
					cp := e.Copy()
					cp.CreateAttr("rsc", m)
					constraints = append(constraints, cp)
				}
				continue
			}
			if rsc == "" {
				// Resource sets and patterns: the constraint holds for
				// each resource of the sets, or each top-level resource
				// whose id matches the pattern (or, with a leading "!",
				// does not).
				expanded := false
				for _, set := range e.SelectElements("resource_set") {
					for _, ref := range set.SelectElements("resource_ref") {
						for _, m := range expandTag(tags, ref.SelectAttrValue("id", "")) {
							cp := e.Copy()
							for _, ch := range cp.SelectElements("resource_set") {
								cp.RemoveChild(ch)
							}
							cp.CreateAttr("rsc", m)
							if role := set.SelectAttrValue("role", ""); role != "" && cp.SelectAttr("role") == nil {
								cp.CreateAttr("role", role)
							}
							constraints = append(constraints, cp)
							expanded = true
						}
					}
				}
				if pattern := e.SelectAttrValue("rsc-pattern", ""); pattern != "" {
					invert := strings.HasPrefix(pattern, "!")
					re, err := regexp.Compile(strings.TrimPrefix(pattern, "!"))
					if err != nil {
						cl.Notes = append(cl.Notes, fmt.Sprintf("location %s: rsc-pattern %q: %v; ignored", id, pattern, err))
						continue
					}
					for _, top := range topLevelIDs {
						if re.MatchString(top) != invert {
							cp := e.Copy()
							cp.RemoveAttr("rsc-pattern")
							cp.CreateAttr("rsc", top)
							constraints = append(constraints, cp)
						}
					}
					expanded = true
				}
				if !expanded {
					cl.Notes = append(cl.Notes, fmt.Sprintf("location %s: no resource; ignored", id))
				}
				continue
			}
			if !known(rsc) {
				cl.Notes = append(cl.Notes, fmt.Sprintf("location %s: no such resource %s; ignored", id, rsc))
				continue
			}
			if rules := e.SelectElements("rule"); len(rules) > 0 {
				cl.Rules = append(cl.Rules, RuleLocation{ID: id, Resource: rsc, Rules: rules, Discovery: e.SelectAttrValue("resource-discovery", "")})
				continue
			}
			if node == "" {
				continue
			}
			score, err := ParseScore(e.SelectAttrValue("score", "0"))
			if err != nil {
				cl.Notes = append(cl.Notes, fmt.Sprintf("location %s: %v; ignored", id, err))
				continue
			}
			cl.Constraints = append(cl.Constraints, Location{ID: id, Resource: rsc, Node: node, Score: score, Role: normRole(e.SelectAttrValue("role", "")),
				Discovery: e.SelectAttrValue("resource-discovery", "")})
		case "rsc_colocation":
			rsc, with := e.SelectAttrValue("rsc", ""), e.SelectAttrValue("with-rsc", "")
			sets := readSets(e, tags)
			_, t1 := tags[rsc]
			if _, t2 := tags[with]; t1 && t2 {
				cl.Notes = append(cl.Notes, fmt.Sprintf("colocation %s: two templates or tags cannot be colocated; ignored", id))
				continue
			}
			if rsc != "" && (t1 || tags[with] != nil) {
				sets = []rscSet{tagSet(tags, rsc, normRole(e.SelectAttrValue("rsc-role", "")), "start"),
					tagSet(tags, with, normRole(e.SelectAttrValue("with-rsc-role", "")), "start")}
				rsc = ""
			}
			if rsc == "" && len(sets) > 0 {
				score, err := ParseScore(e.SelectAttrValue("score", "0"))
				if err != nil {
					cl.Notes = append(cl.Notes, fmt.Sprintf("colocation %s: %v; ignored", id, err))
					continue
				}
				for _, pr := range colocationPairs(sets, score) {
					if known(pr.dep.id) && known(pr.with.id) && pr.score != 0 {
						cl.Colocations = append(cl.Colocations, Colocation{ID: id, Resource: pr.dep.id, With: pr.with.id, Score: pr.score,
							WithRole: colocationRole(pr.with.role), Role: colocationRole(pr.dep.role)})
					}
				}
				continue
			}
			if missing := firstUnknown(known, rsc, with); missing != "" {
				cl.Notes = append(cl.Notes, fmt.Sprintf("colocation %s: %s; ignored", id, missing))
				continue
			}
			score, err := ParseScore(e.SelectAttrValue("score", "0"))
			if err != nil {
				cl.Notes = append(cl.Notes, fmt.Sprintf("colocation %s: %v; ignored", id, err))
				continue
			}
			cl.Colocations = append(cl.Colocations, Colocation{ID: id, Resource: rsc, With: with, Score: score,
				WithRole: colocationRole(normRole(e.SelectAttrValue("with-rsc-role", ""))), Role: colocationRole(normRole(e.SelectAttrValue("rsc-role", "")))})
		case "rsc_ticket":
			type dep struct{ rsc, role string }
			var deps []dep
			if r := e.SelectAttrValue("rsc", ""); r != "" {
				for _, m := range expandTag(tags, r) {
					deps = append(deps, dep{m, normRole(e.SelectAttrValue("rsc-role", ""))})
				}
			}
			for _, set := range e.SelectElements("resource_set") {
				for _, ref := range set.SelectElements("resource_ref") {
					for _, m := range expandTag(tags, ref.SelectAttrValue("id", "")) {
						deps = append(deps, dep{m, normRole(set.SelectAttrValue("role", ""))})
					}
				}
			}
			for _, d := range deps {
				if known(d.rsc) {
					cl.TicketDeps = append(cl.TicketDeps, TicketDep{ID: id, Resource: d.rsc, Ticket: e.SelectAttrValue("ticket", ""),
						Role: d.role, LossPolicy: e.SelectAttrValue("loss-policy", "stop")})
				}
			}
		case "rsc_order":
			first, then := e.SelectAttrValue("first", ""), e.SelectAttrValue("then", "")
			sets := readSets(e, tags)
			if _, t1 := tags[first]; first != "" && (t1 || tags[then] != nil) {
				sets = []rscSet{tagSet(tags, first, "", e.SelectAttrValue("first-action", "start")),
					tagSet(tags, then, "", e.SelectAttrValue("then-action", "start"))}
				first = ""
			}
			if first == "" && len(sets) > 0 {
				mandatory := true
				switch e.SelectAttrValue("kind", "") {
				case "Optional", "Serialize":
					mandatory = false
				case "":
					if sc, err := ParseScore(e.SelectAttrValue("score", "INFINITY")); err == nil && sc == 0 {
						mandatory = false
					}
				}
				sym := !strings.EqualFold(e.SelectAttrValue("symmetrical", "true"), "false")
				for _, pr := range orderPairs(sets) {
					if known(pr.first.id) && known(pr.then.id) {
						o := Order{ID: id, First: pr.first.id, Then: pr.then.id, Mandatory: mandatory,
							FirstAction: pr.first.action, ThenAction: pr.then.action, Symmetrical: sym}
						if pr.relaxed != "" {
							o.Relaxed, o.Min = "one-or-more:"+pr.relaxed, 1
						}
						cl.Orders = append(cl.Orders, o)
					}
				}
				continue
			}
			if missing := firstUnknown(known, first, then); missing != "" {
				cl.Notes = append(cl.Notes, fmt.Sprintf("order %s: %s; ignored", id, missing))
				continue
			}
			mandatory := true
			switch e.SelectAttrValue("kind", "") {
			case "Optional", "Serialize":
				mandatory = false
			case "":
				if sc, err := ParseScore(e.SelectAttrValue("score", "INFINITY")); err == nil && sc == 0 {
					mandatory = false
				}
			}
			o := Order{ID: id, First: first, Then: then, Mandatory: mandatory,
				FirstAction: e.SelectAttrValue("first-action", "start"), ThenAction: e.SelectAttrValue("then-action", "start"),
				Symmetrical: !strings.EqualFold(e.SelectAttrValue("symmetrical", "true"), "false")}
			// A first clone needs clone-min instances (require-all=false:
			// one) for then to start, through a pseudo action.
			if fc := clones[first]; fc != nil || uniques[first] != nil {
				if fc == nil {
					fc = uniques[first]
				}
				min, _ := strconv.Atoi(fc.Meta["clone-min"])
				if min <= 0 && cib.IsFalse(e.SelectAttrValue("require-all", "")) {
					min = 1
				}
				if min > 0 {
					o.Relaxed, o.Min = "clone-one-or-more:"+id, min
				}
			}
			cl.Orders = append(cl.Orders, o)
		}
	}

	// A bundle's IP address runs with its container, and starts first.
	for _, b := range cl.Bundles {
		for _, rep := range b.Replicas {
			if rep.IP != "" && byRsc[rep.IP] != nil && byRsc[rep.Container] != nil {
				cl.Colocations = append(cl.Colocations, Colocation{ID: "ip-with-docker", Resource: rep.IP, With: rep.Container, Score: Infinity})
				cl.Orders = append(cl.Orders, Order{ID: "ip-then-docker", First: rep.IP, Then: rep.Container, Mandatory: true,
					FirstAction: "start", ThenAction: "start", Symmetrical: true})
			}
		}
	}
	// What runs in a container (a guest node's connection included) runs
	// where the container does, after it starts and before it stops.
	for _, r := range cl.Resources {
		// (With a container that is a remote node's connection or runs a
		// guest node, it runs on that node instead: see remoteHost.)
		if ct := byRsc[r.Container]; r.Container == "" || ct == nil || (!r.IsConnection() && (ct.IsConnection() || ct.Meta["remote-node"] != "")) {
			continue
		}
		score := Infinity
		if r.Bundle != "" {
			score = 10000 // a bundle's connection may run apart from its container (nested on a remote node)
		}
		cl.Colocations = append(cl.Colocations, Colocation{ID: "resource-with-container", Resource: r.ID, With: r.Container, Score: score})
		cl.Orders = append(cl.Orders, Order{ID: "resource-with-container", First: r.Container, Then: r.ID, Mandatory: true,
			FirstAction: "start", ThenAction: "start", Symmetrical: true})
	}

	// Tickets the cluster holds (status section).
	cl.Tickets = map[string]bool{}
	cl.TicketGranted = map[string]bool{}
	for _, t := range c.Status().FindElements("./tickets/ticket_state") {
		cl.Tickets[t.SelectAttrValue("id", "")] = cib.IsTrue(t.SelectAttrValue("granted", "false")) && !cib.IsTrue(t.SelectAttrValue("standby", "false"))
		cl.TicketGranted[t.SelectAttrValue("id", "")] = cib.IsTrue(t.SelectAttrValue("granted", "false"))
	}

	// Resources Pacemaker creates itself (remote connections, a bundle's
	// containers and addresses) are not orphans even if unconfigured.
	var bundles []string
	for _, b := range c.Section("resources", true).FindElements(".//bundle") {
		bundles = append(bundles, b.SelectAttrValue("id", ""))
	}
	implicit := func(rid string, re *etree.Element) bool {
		if re.SelectAttrValue("type", "") == "remote" && re.SelectAttrValue("provider", "") == "pacemaker" {
			return true
		}
		for _, b := range bundles {
			if strings.HasPrefix(rid, b+"-") {
				return true
			}
		}
		return false
	}
	// History.
	stopOrphans := true
	if v, ok := prop("stop-orphan-resources"); ok {
		stopOrphans = cib.IsTrue(v)
	}
	cl.stopOrphans = stopOrphans
	uniqueBases := map[string]bool{}
	for _, r := range cl.Resources {
		if r.Unique != nil {
			base, _, _ := cutInstance(r.ID)
			uniqueBases[base] = true
		}
	}
	// Cluster nodes' history first: it says whether the connections of
	// Pacemaker Remote nodes run, and so whether those nodes are online
	// (and their own history worth reading).
	var historyOrder []*Node
	for _, remote := range []bool{false, true} {
		for _, n := range cl.Nodes {
			if n.Remote == remote {
				historyOrder = append(historyOrder, n)
			}
		}
	}
	// Orphans come after the configured resources, in the order the
	// status section names them.
	cl.orphanOrder = map[string]int{}
	// (Walked level by level in document order, as the path
	// ./node_state/lrm/lrm_resources/lrm_resource would be, without the
	// path query's cost on a large status.)
	for ns := range c.Status().SelectElementsSeq("node_state") {
		for lrm := range ns.SelectElementsSeq("lrm") {
			for list := range lrm.SelectElementsSeq("lrm_resources") {
				for re := range list.SelectElementsSeq("lrm_resource") {
					rid := re.SelectAttrValue("id", "")
					if _, seen := cl.orphanOrder[rid]; !seen && byRsc[rid] == nil {
						cl.orphanOrder[rid] = order + len(cl.orphanOrder)
					}
				}
			}
		}
	}
	configured := len(cl.Resources)
	remotesOnline := false
	for _, n := range historyOrder {
		if n.Remote && !remotesOnline {
			remotesOnline = true
			cl.remoteOnline(byRsc)
		}
		ns := states[n.Uname]
		if ns == nil {
			continue
		}
		for _, lrm := range ns.SelectElements("lrm") {
			for _, list := range lrm.SelectElements("lrm_resources") {
				for _, re := range list.SelectElements("lrm_resource") {
					rid := re.SelectAttrValue("id", "")
					r := byRsc[rid]
					if base, _, ok := strings.Cut(rid, ":"); r == nil && ok && byRsc[base] != nil && byRsc[base].Clone != nil {
						r = byRsc[base] // an instance of an anonymous clone
					}
					entry := &lrmEntry{id: rid, class: re.SelectAttrValue("class", ""), provider: re.SelectAttrValue("provider", ""),
						agent: re.SelectAttrValue("type", ""), rsc: r, el: re}
					if re.SelectElement("lrm_rsc_op") != nil {
						n.lrm = append(n.lrm, entry)
					}
					if r == nil {
						// In the history but no longer configured: an orphan,
						// stopped where it runs (unless stop-orphan-resources
						// is false: then left alone).
						base, _, inst := strings.Cut(rid, ":")
						if (inst && uniqueBases[base]) || rid == "" || implicit(rid, re) {
							entry.id = "" // Pacemaker's own, or a unique clone's orphan instance: left as it is
							continue
						}
						if st := replay(re); (!st.Active && !st.Pending) || inst || groups[rid] != nil || clones[rid] != nil {
							// (An orphan named as an instance or a group or
							// clone is not shown or stopped yet; its history
							// is still cleaned up where it is not active.)
							continue
						}
						r = &Resource{ID: rid, Class: re.SelectAttrValue("class", ""), Provider: re.SelectAttrValue("provider", ""),
							Type: re.SelectAttrValue("type", ""), Order: cl.orphanOrder[rid], Params: map[string]string{}, Meta: map[string]string{},
							State: map[string]*ResourceState{}, DefaultTimeout: defTimeout, Managed: stopOrphans,
							MigrationThreshold: Infinity, Orphan: true}
						cl.Resources = append(cl.Resources, r)
						byRsc[rid] = r
						entry.rsc = r
					}
					st := replayExpiring(re, cl.expiry(r, n, re, now))
					st.HistoryID, st.entry, st.seen = rid, re, 2*n.HistoryRank
					if prev := r.State[n.Uname]; prev != nil && (prev.Active && !st.Active || (prev.Active == st.Active && prev.lastCall > st.lastCall)) {
						// Another instance's history on this node: an active
						// instance counts over a stopped one, then the newer.
						st = prev
					}
					st.FailCount = effectiveFailCount(n.Attrs, r.ID, r.FailureTimeout, now)
					r.State[n.Uname] = st
					if n.Online {
						cl.Failures = appendFailures(cl.Failures, re, r.ID, n.Uname)
					}
					cl.applyOnFail(r, n, st)
				}
			}
		}
	}
	if !remotesOnline {
		cl.remoteOnline(byRsc)
	}
	orphans := cl.Resources[configured:]
	sort.SliceStable(orphans, func(i, j int) bool { return orphans[i].Order < orphans[j].Order })
	// A resource that failed inside its container restarts the container.
	for _, r := range cl.Resources {
		for node, st := range r.State {
			if ct := byRsc[r.Container]; st.restartContainer && ct != nil && ct.State[node] != nil && ct.State[node].Active {
				ct.State[node].Restart = true
			}
		}
	}
	cl.migrations()
	inheritParams(c, cl.Resources)
	cl.shutdownLocks(now)
	// A cluster node cleanly down but with a managed resource still
	// active there, as its history says, is fenced (with fencing on).
	for _, n := range cl.Nodes {
		if n.Remote || n.Online || n.Unclean || n.Maintenance || !cl.StonithEnabled {
			continue
		}
		for _, e := range n.lrm {
			if r := e.rsc; r != nil && r.Managed && r.State[n.Uname] != nil && (r.State[n.Uname].Active || r.State[n.Uname].Pending) {
				n.Unclean, n.UncleanReason = true, r.ID+" is thought to be active there"
				break
			}
		}
	}
	// A guest whose container runs on a host now known to be lost is
	// fenced too.
	for _, n := range cl.Nodes {
		if n.Container == "" || n.Bundle != "" || n.guestReset {
			continue
		}
		if ct := byRsc[n.Container]; ct != nil {
			for host, st := range ct.State {
				if h := cl.nodeNamed(host); st.Active && h != nil && h.Unclean && !h.Online {
					n.guestReset, n.Online = true, false
				}
			}
		}
	}
	// What happens on nodes that are not online.
	for _, r := range cl.Resources {
		for _, n := range cl.Nodes {
			st := r.State[n.Uname]
			if st == nil || (n.Online && !n.Unclean) {
				continue
			}
			if n.Remote && n.Container == "" && !n.Unclean && cl.StonithEnabled && (st.Active || st.Pending) && r.Managed && n.connectionFailed {
				n.Unclean, n.UncleanReason = true, r.ID+" is thought to be active there"
			}
			if n.Remote && n.Container == "" && !n.Unclean && cl.StonithEnabled && (st.Active || st.Pending) {
				// Active on a remote node whose connection is down: fenced,
				// unless the connection can start again somewhere.
				n.Unclean, n.Unseen = true, true
				n.UncleanReason = r.ID + " is active there (fencing will be revoked if remote connection can be re-established elsewhere)"
			}
			if n.Unclean && (st.Active || st.Pending) && (cl.StonithEnabled || n.Online) {
				r.Blocked = true
				continue
			}
			if n.Maintenance && !n.Unclean && (n.Online || cl.StonithEnabled) {
				continue // what the history says runs there is left alone
			}
			if n.Container != "" && n.Bundle == "" && st.Active && r.Managed {
				// Active on a guest node that is down: the guest is fenced
				// (its container recovered), which stops it; it failed there
				// (a clone's instance is not shown so: it is down).
				if r.Clone == nil {
					st.Failed = true
				}
				st.guestFailed = true
				n.guestReset, n.guestFenced, r.Blocked = true, true, true
				continue
			}
			if !r.Managed && !r.FailBlocked && cl.StonithEnabled && !n.Remote && st.Active {
				continue // not managed: left as the history says, even there
			}
			// Cleanly down, or down with fencing disabled (Pacemaker then
			// does not read its history): nothing runs there.
			st.Active, st.Pending, st.Failed = false, false, false
			st.Banned, st.BannedEverywhere = false, false
			st.MonitorActive = map[time.Duration]bool{}
		}
	}
	// A guest fenced for what was active on it: its container is
	// recovered.
	for _, n := range cl.Nodes {
		if !n.guestFenced {
			continue
		}
		for _, r := range cl.Resources {
			if r.ID == n.Container {
				for _, st := range r.State {
					if st.Active {
						st.Failed = true
					}
				}
			}
		}
	}
	cl.deferDownRemotes()
	cl.multiplyActive(groups)
	// What runs on a node in maintenance is left alone (Pacemaker makes
	// the primitive unmanaged; a clone's other instances stay managed,
	// which the engine cannot express yet, so clones are left as they are).
	for _, r := range cl.Resources {
		for _, n := range cl.Nodes {
			if st := r.State[n.Uname]; st != nil && st.Active && n.Maintenance && !n.Unclean && r.Clone == nil {
				r.Managed = false
			}
		}
	}
	return cl, nil
}

// shutdownLocks reads, with shutdown-lock, the locks the histories
// record: resources stopped by a node's clean shutdown stay locked to it,
// until shutdown-lock-limit after the shutdown.
func (cl *Cluster) shutdownLocks(now time.Time) {
	if !cl.shutdownLock {
		return
	}
	for _, n := range cl.Nodes {
		for _, e := range n.lrm {
			at, err := strconv.ParseInt(e.el.SelectAttrValue("shutdown-lock", "0"), 10, 64)
			if e.rsc == nil || err != nil || at == 0 {
				continue
			}
			if cl.shutdownLockLimit > 0 && now.After(time.Unix(at, 0).Add(cl.shutdownLockLimit)) {
				e.rsc.lockExpired = append(e.rsc.lockExpired, n.Uname)
				continue
			}
			e.rsc.LockedTo = n.Uname
		}
	}
}

// inheritParams gives the primitives in groups and clones the instance
// attributes of those (the nearest one's first).
func inheritParams(c *cib.CIB, resources []*Resource) {
	inherited := map[string]map[string]string{} // primitive id -> parameters
	var walk func(e *etree.Element, from map[string]string)
	walk = func(e *etree.Element, from map[string]string) {
		for _, child := range e.ChildElements() {
			switch child.Tag {
			case "group", "clone", "master":
				params := maps.Clone(from)
				own := nvpairs(child, "instance_attributes")
				if len(own) > 0 && params == nil {
					params = map[string]string{}
				}
				maps.Copy(params, own)
				walk(child, params)
			case "primitive":
				if from != nil {
					inherited[child.SelectAttrValue("id", "")] = from
				}
			}
		}
	}
	walk(c.Section("resources", true), nil)
	if len(inherited) == 0 {
		return
	}
	for _, r := range resources {
		id := r.ID
		if r.Unique != nil {
			if i := strings.LastIndexByte(id, ':'); i > 0 {
				id = id[:i]
			}
		}
		r.parentParams = inherited[id]
	}
}

// deferDownRemotes moves the remote and guest nodes that are not up to
// the end of the history order: Pacemaker reads their histories last,
// once it knows their connections are not running (which numbers the
// clone instances found there after the others).
func (cl *Cluster) deferDownRemotes() {
	last := 0
	for _, n := range cl.Nodes {
		last = max(last, n.HistoryRank)
	}
	var down []*Node
	for _, n := range cl.Nodes {
		if n.Remote && n.readLate {
			down = append(down, n)
		}
	}
	sort.SliceStable(down, func(i, j int) bool { return down[i].HistoryRank < down[j].HistoryRank })
	for i, n := range down {
		n.HistoryRank = last + 1 + i
		for _, r := range cl.Resources {
			if st := r.State[n.Uname]; st != nil && st.seen != 0 {
				st.seen = 2 * n.HistoryRank
			}
		}
	}
}

// multiplyActive applies multiple-active to the managed primitives active
// on more than one node: stop_only stops them everywhere for good, block
// leaves them (with their whole group when the group says block) alone.
// stop_start and stop_unexpected are the scheduler's.
func (cl *Cluster) multiplyActive(groups map[string]*Group) {
	for _, r := range cl.Resources {
		if !r.Managed || r.Clone != nil || len(r.ActiveOn()) < 2 {
			continue
		}
		switch r.Meta["multiple-active"] {
		case "stop_only":
			r.Halted = true
		case "block":
			blocked := []*Resource{r}
			if g := groups[r.Group]; g != nil && g.Meta["multiple-active"] == "block" {
				blocked = g.Members
			}
			for _, m := range blocked {
				m.Managed, m.FailBlocked = false, true
			}
		}
	}
}

// readNodeHealth applies the node-health-strategy to the #health-*
// node attributes (red, yellow, green or a score).
func (cl *Cluster) readNodeHealth(prop func(string) (string, bool)) {
	cl.HealthStrategy = "none"
	if v, ok := prop("node-health-strategy"); ok && v != "" {
		cl.HealthStrategy = v
	}
	score := func(name, def string) int {
		v, ok := prop(name)
		if !ok {
			v = def
		}
		n, _ := ParseScore(v)
		return n
	}
	red, yellow, green, base := 0, 0, 0, 0
	switch cl.HealthStrategy {
	case "none":
	case "migrate-on-red":
		red = -Infinity
	case "only-green":
		red, yellow = -Infinity, -Infinity
	default: // progressive, custom
		red, yellow, green = score("node-health-red", "-INFINITY"), score("node-health-yellow", "0"), score("node-health-green", "0")
		if cl.HealthStrategy == "progressive" {
			base = score("node-health-base", "0")
		}
	}
	for _, n := range cl.Nodes {
		n.Health, n.HealthScore = 1, base
		if cl.HealthStrategy == "none" {
			continue
		}
		for k, v := range n.Attrs {
			if !strings.HasPrefix(k, "#health") {
				continue
			}
			var sc int
			switch strings.ToLower(v) {
			case "red":
				sc = red
				n.Health = -1
			case "yellow":
				sc = yellow
				if n.Health > 0 {
					n.Health = 0
				}
			case "green":
				sc = green
			default:
				sc, _ = ParseScore(v)
				switch {
				case sc <= red:
					n.Health = -1
				case sc <= yellow && yellow != green && n.Health > 0:
					n.Health = 0
				}
			}
			n.HealthScore = addScores(n.HealthScore, sc)
		}
	}
}

// readNodeState decides, as Pacemaker does, whether a node is online,
// pending (joining: it runs nothing yet) or unclean (it must be fenced,
// and why), from its membership (in_ccm), its controller (crmd), its
// join state and what was expected of it.
func (cl *Cluster) readNodeState(n *Node, ns *etree.Element) {
	inCluster, seen := "", false
	if a := ns.SelectAttr("in_ccm"); a != nil {
		inCluster, seen = a.Value, true
	}
	member := cib.IsTrue(inCluster)
	peerOnline := strings.EqualFold(ns.SelectAttrValue("crmd", ""), "online")
	join := ns.SelectAttrValue("join", "")
	expected := ns.SelectAttrValue("expected", "down")
	terminate := false
	if t := n.Attrs["terminate"]; cib.IsTrue(t) || (t != "" && t[0] >= '1' && t[0] <= '9') {
		terminate = true
	}
	fence := func(why string) {
		n.Unclean = true
		if n.UncleanReason == "" {
			n.UncleanReason = why
		}
	}
	pending := func() { n.Pending, n.Standby = true, true }
	if !cl.StonithEnabled {
		switch {
		case !member:
		case peerOnline:
			n.Online = join == "member"
		case n.ShuttingDown || expected != "member":
		default:
			fence("peer is unexpectedly down")
		}
		return
	}
	online := member
	switch {
	case n.ShuttingDown:
		online = peerOnline // a dead peer cannot be shut down
	case !seen:
		fence("peer has not been seen by the cluster")
	case join == "banned" || join == "nack": // (Pacemaker's "nack" join state)
		fence("peer failed Pacemaker membership criteria")
	case !terminate && expected == "down":
		if member || peerOnline {
			pending()
		}
	case terminate && join == "down" && !member && !peerOnline:
		online = false // just shot
	case !member:
		fence("peer is no longer part of the cluster")
	case !peerOnline:
		fence("peer process is no longer available")
	case terminate:
		fence("termination was requested")
	case join == "member":
	case join == "pending" || join == "down":
		pending()
	default:
		fence("peer was in an unknown state")
	}
	n.Online = online
}

// appendFailures adds the failed operations of one resource's history on
// an online node, as Pacemaker lists them: in call order, once per
// operation key and node (the _last_0 and _last_failure_0 records of one
// failure are one entry), and not probes that found the agent missing.
func appendFailures(out []Failure, re *etree.Element, rsc, node string) []Failure {
	var recs []cib.OpRecord
	for _, op := range re.SelectElements("lrm_rsc_op") {
		rec := cib.ParseOpRecord(re, op)
		degraded := rec.Operation == "monitor" && (rec.RC == 190 || rec.RC == 191)
		if degraded || remapStatus(rec).Failed() {
			recs = append(recs, rec)
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return callOrder(recs[i].CallID) < callOrder(recs[j].CallID) })
next:
	for _, rec := range recs {
		probe := rec.Operation == "monitor" && rec.Interval == 0
		if probe && (rec.RC == 5 || rec.RC == 2 || rec.OpStatus == cib.ExecNotInstalled) {
			continue
		}
		for _, f := range out {
			if f.Node == node && f.Record.Key() == rec.Key() {
				continue next
			}
		}
		out = append(out, Failure{Resource: rsc, Node: node, Task: rec.Operation, Interval: rec.Interval, Record: rec})
	}
	return out
}

// remapStatus judges an "Error" execution status by the exit code, as
// Pacemaker does: older executors recorded results such as a probe's
// "not running" as errors, and the expected code is known here.
func remapStatus(r cib.OpRecord) cib.OpRecord {
	if r.OpStatus == cib.ExecError {
		r.OpStatus = cib.ExecDone
	}
	// An error code is a failure whatever result was expected (a
	// simulated failure records itself as expected).
	if r.OpStatus == cib.ExecDone && r.RC != 0 && r.RC != 7 && r.RC != 8 && r.RC != 190 && r.RC != 191 && r.ExpectedRC == r.RC {
		r.ExpectedRC = 0
	}
	// A monitor finding the service degraded found it running (the
	// result is still listed as a failed action).
	if r.Operation == "monitor" {
		switch r.RC {
		case 190:
			r.RC = 0
		case 191:
			r.RC = 8
		}
	}
	return r
}

// applyOnFail does what the failed operation's on-fail asks: ignore (as if
// it had succeeded), block (leave the resource alone), stop (stop it and
// keep it stopped). A failed stop, by default, fences the node when
// fencing is possible and blocks the resource otherwise.
func (cl *Cluster) applyOnFail(r *Resource, n *Node, st *ResourceState) {
	f := st.lastFailure
	if f == nil || !st.Failed {
		return
	}
	onFail := ""
	for _, op := range r.Ops {
		if op.Name == f.Operation && op.Interval == f.Interval {
			onFail = op.Attrs["on-fail"]
		}
	}
	hard := f.RC == 2 || f.RC == 4 || f.RC == 5 || (f.RC == 3 && f.Interval == 0) || f.OpStatus == cib.ExecNotInstalled
	if f.Operation == "stop" && hard && !cl.canFence(n) && r.Clone == nil {
		// A stop that failed for good where no fencing can help: no
		// recovery can be attempted. (A clone cannot have one instance
		// unmanaged yet.)
		r.Managed, r.FailBlocked = false, true
	}
	if n.Unclean {
		// The node will be fenced: that settles the failure (Pacemaker
		// ignores on-fail there, so the resource may start elsewhere).
		st.Failed = false
		return
	}
	if onFail == "ignore" && f.OpStatus == cib.ExecNotInstalled {
		onFail = "" // an agent that is not there cannot be ignored: it moves
	}
	if onFail == "" && r.Container != "" && !r.IsConnection() && !n.Remote {
		onFail = "restart-container" // the default inside a container
	}
	if onFail == "" && f.Operation == "stop" {
		onFail = "block"
		if cl.StonithEnabled {
			onFail = "fence"
		}
	}
	switch onFail {
	case "demote":
		// A failure in the promoted role only costs the promotion: the
		// instance is demoted and keeps running, and is not promoted again
		// in this transition. Once demoted, the failure is dealt with.
		if st.Promoted {
			st.Failed = false
			st.demoteOnFail, st.FailedInRole = true, true
		} else if f.Operation == "monitor" {
			st.Failed = false
		}
	case "ignore":
		st.Failed = false
		st.Banned, st.BannedEverywhere = false, false
		r.FailureIgnored = true
		if f.Operation == "stop" {
			st.Active = false
		}
		if f.Operation == "monitor" && f.Interval > 0 {
			st.MonitorActive[f.Interval] = true // it keeps running
		}
	case "block":
		r.Managed = false
		r.FailBlocked = true
	case "stop":
		r.Halted = true
	case "restart-container":
		// The container restarts (see restartContainers), and stops this
		// with it.
		st.restartContainer = true
		if f.Operation == "stop" {
			st.Active, st.Failed, st.Banned = false, false, false
			r.FailureIgnored = true
		}
	case "fence":
		if !n.Unclean {
			name := r.ID
			if r.Clone != nil {
				// An anonymous clone's instance, numbered by the histories
				// read before this one that found it active.
				k := 0
				for node, other := range r.State {
					if node != n.Uname && other.Active {
						k++
					}
				}
				name = fmt.Sprintf("%s:%d", r.ID, k)
			}
			n.Unclean = true
			n.UncleanReason = name + " failed there"
		}
	}
}

// canFence reports whether a node can be fenced: fencing is on, there is
// a device, and the partition has quorum (or ignores its loss, or the
// node is still in the membership).
func (cl *Cluster) canFence(n *Node) bool {
	switch {
	case !cl.StonithEnabled || (cl.StonithDevices == 0 && !cl.watchdog):
		return false
	case cl.HaveQuorum || cl.NoQuorumPolicy == "ignore":
		return true
	}
	return n.Online
}

// expiry tells which failed records of a resource on a node have expired
// (failure-timeout), as Pacemaker decides it: old enough, and no fail
// count that is still running. When a fail count is what expired, the
// node is noted for clearing it.
func (cl *Cluster) expiry(r *Resource, n *Node, re *etree.Element, now time.Time) func(cib.OpRecord) bool {
	if r.FailureTimeout <= 0 {
		return nil
	}
	// A failure that blocks the resource never expires: Pacemaker then
	// drops the resource's failure timeout altogether.
	for _, op := range re.SelectElements("lrm_rsc_op") {
		rec := remapStatus(cib.ParseOpRecord(re, op))
		if !rec.Failed() || rec.OpStatus == cib.ExecPending {
			continue
		}
		onFail := ""
		for _, oc := range r.Ops {
			if oc.Name == rec.Operation && oc.Interval == rec.Interval {
				onFail = oc.Attrs["on-fail"]
			}
		}
		if onFail == "block" || (onFail == "" && rec.Operation == "stop" && !cl.StonithEnabled) {
			r.FailureTimeout = 0
			return nil
		}
	}
	old := func(rec cib.OpRecord) bool {
		return !rec.LastChange.IsZero() && !now.Before(rec.LastChange.Add(r.FailureTimeout))
	}
	count, running := failCount(n.Attrs, r.ID), effectiveFailCount(n.Attrs, r.ID, r.FailureTimeout, now)
	if count > 0 && running == 0 && !slices.Contains(r.ClearFailCount, n.Uname) {
		for _, op := range re.SelectElements("lrm_rsc_op") {
			if old(cib.ParseOpRecord(re, op)) {
				r.ClearFailCount = append(r.ClearFailCount, n.Uname)
				break
			}
		}
	}
	return func(rec cib.OpRecord) bool { return old(rec) && running == 0 }
}

// effectiveFailCount is a resource's fail count on a node, zero once the
// last failure is older than the failure timeout.
func effectiveFailCount(attrs map[string]string, rsc string, timeout time.Duration, now time.Time) int {
	count := failCount(attrs, rsc)
	if count == 0 || timeout <= 0 {
		return count
	}
	var last int64
	for k, v := range attrs {
		if attrFor(k, "last-failure", rsc) {
			if t, err := strconv.ParseInt(v, 10, 64); err == nil && t > last {
				last = t
			}
		}
	}
	if last > 0 && !now.Before(time.Unix(last, 0).Add(timeout)) {
		return 0
	}
	return count
}

// replay walks a resource's records on one node in call order.
func replay(re *etree.Element) *ResourceState { return replayExpiring(re, nil) }

// replayExpiring is replay where the failures that expired (by expired)
// are forgotten: a one-shot operation's as if it never ran (a probe's
// leaving the state unknown), a recurring monitor's as if it passed.
func replayExpiring(re *etree.Element, expired func(cib.OpRecord) bool) *ResourceState {
	st := &ResourceState{MonitorActive: map[time.Duration]bool{}, monitorSeen: map[time.Duration]bool{}}
	// A history holds a few records: a slice searched for call ids beats
	// a map, and this runs for every resource on every node.
	var buf [4]cib.OpRecord
	recs := buf[:0]
	for _, t := range re.Child {
		op, ok := t.(*etree.Element)
		if !ok || op.Tag != "lrm_rsc_op" {
			continue
		}
		r := remapStatus(cib.ParseOpRecord(re, op))
		i := -1
		if r.CallID > 0 {
			i = slices.IndexFunc(recs, func(o cib.OpRecord) bool { return o.CallID == r.CallID })
		}
		if i >= 0 {
			// A recurring monitor keeps its call id: of its results (the
			// last one, and the last failure kept apart) the most recent
			// change counts, as Pacemaker orders them.
			if r.LastChange.After(recs[i].LastChange) {
				recs[i] = r
			}
			continue
		}
		recs = append(recs, r)
	}
	slices.SortStableFunc(recs, func(a, b cib.OpRecord) int { return cmp.Compare(callOrder(a.CallID), callOrder(b.CallID)) })
	for _, r := range recs {
		st.lastCall = r.CallID
		if r.OpStatus == cib.ExecPending && r.Operation == "monitor" && r.Interval == 0 {
			continue // a probe still running tells nothing yet, and blocks nothing
		}
		if expired != nil && r.Failed() && r.OpStatus != cib.ExecPending && expired(r) {
			switch {
			case r.Operation == "monitor" && r.Interval == 0 && (r.RC == 5 || r.RC == 2 || r.OpStatus == cib.ExecNotInstalled):
				// Unknown again: probed again.
			case r.Interval == 0:
				st.Known = true // as if it never ran
			default:
				// The monitor is scheduled again.
				st.Known = true
				st.monitorSeen[r.Interval] = true
				delete(st.MonitorActive, r.Interval)
			}
			continue
		}
		st.Known = true
		if r.Failed() {
			rec := r
			st.lastFailure = &rec
		}
		if r.OpStatus == cib.ExecPending && r.Operation == "monitor" && r.Interval > 0 {
			st.PendingTask = "monitor" // a recurring monitor in flight blocks nothing
			continue
		}
		if r.OpStatus == cib.ExecPending {
			st.Pending = true
			st.PendingTask = r.Operation
			if r.Operation == "start" || r.Operation == "stop" {
				st.Active = true // may be active until the op ends
			}
			continue
		}
		st.Pending, st.PendingTask = false, ""
		st.stoppedFailed = false
		if r.Failed() {
			switch {
			case r.RC == 6:
				st.BannedEverywhere = true
			case r.RC == 2 || r.RC == 4 || r.RC == 5 || r.OpStatus == cib.ExecNotInstalled:
				st.Banned = true
			}
		}
		switch {
		case r.Operation == "promote":
			if r.Failed() {
				st.Active, st.Failed = true, true
			} else {
				st.Active, st.Promoted, st.Failed = true, true, false // (which settles an earlier failure)
			}
		case r.Operation == "demote":
			if r.Failed() {
				st.Active, st.Failed = true, true
			} else {
				st.Active, st.Promoted = true, false
			}
		case r.Operation == "start" || r.Operation == "migrate_from":
			st.MonitorActive = map[time.Duration]bool{}
			st.monitorSeen = map[time.Duration]bool{}
			st.Promoted = false
			st.Active = true
			st.Failed = r.Failed()
			if st.Failed {
			}
		case r.Operation == "migrate_to":
			if r.Failed() {
				st.Active, st.Failed = true, true // still on the source, failed
			}
		case r.Operation == "stop":
			st.MonitorActive = map[time.Duration]bool{}
			st.monitorSeen = map[time.Duration]bool{}
			if r.Failed() {
				st.Active, st.Failed = true, true
				st.Banned = true // a node that failed to stop it may not run it again
			} else {
				st.stoppedFailed = st.Failed
				st.Active, st.Failed = false, false
			}
		case r.Operation == "monitor" && r.Interval == 0 && (r.RC == 5 || r.RC == 2 || r.OpStatus == cib.ExecNotInstalled):
			// Pacemaker reads such a probe as "not running", and keeps
			// the resource off the node.
			st.Active, st.Failed, st.Promoted = false, false, false
			st.Banned = true
			if st.ProbeRC == 0 {
				st.ProbeRC = r.RC
			}
		case r.Operation == "monitor" && r.Interval == 0:
			switch {
			case r.OpStatus != cib.ExecDone:
				st.Active, st.Failed = true, true
			case r.RC == 7:
				st.Active, st.Failed, st.Promoted = false, false, false
			case r.RC == 0 || r.RC == 8:
				st.Active, st.Failed, st.Promoted = true, false, r.RC == 8
			default:
				st.Active, st.Failed = true, true
			}
		case r.Operation == "monitor":
			st.monitorSeen[r.Interval] = true
			if r.Failed() {
				st.Active, st.Failed = true, true
				delete(st.MonitorActive, r.Interval)
			} else {
				st.MonitorActive[r.Interval] = true
				if r.RC != 7 && !st.Active {
					// A monitor that passed says it runs, even with no
					// start on record.
					st.Active, st.Promoted = true, r.RC == 8
				}
			}
		case r.Operation == "notify" || r.Operation == "meta-data":
			// (Pacemaker ignores these.)
		default:
			if r.Failed() {
				st.Active, st.Failed = true, true // any other operation that failed
			}
		}
	}
	return st
}

// attrFor reports whether a node attribute is the given kind ("fail-count"
// or "last-failure") for a resource: NAME-RSC, NAME-RSC#OP_INTERVAL, or
// with an anonymous clone instance number as older versions wrote them
// (NAME-RSC:N...).
func attrFor(k, kind, rsc string) bool {
	rest, ok := strings.CutPrefix(k, kind+"-"+rsc)
	if !ok {
		return false
	}
	if n, ok := strings.CutPrefix(rest, ":"); ok {
		digits := strings.IndexFunc(n, func(c rune) bool { return c < '0' || c > '9' })
		if digits == 0 {
			return false
		}
		if digits < 0 {
			return true
		}
		rest = n[digits:]
	}
	return rest == "" || rest[0] == '#'
}

func failCount(attrs map[string]string, rsc string) int {
	total := 0
	for k, v := range attrs {
		if !attrFor(k, "fail-count", rsc) {
			continue
		}
		n, err := ParseScore(v)
		if err == nil {
			total = addScores(total, n)
		}
	}
	return total
}

func nvpairs(e *etree.Element, tag string) map[string]string {
	out := map[string]string{}
	for _, set := range e.SelectElements(tag) {
		set = dereference(set)
		for _, nv := range set.SelectElements("nvpair") {
			// The first value given for a name wins, as in Pacemaker.
			if _, seen := out[nv.SelectAttrValue("name", "")]; !seen {
				out[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
			}
		}
	}
	return out
}

// dereference follows an element's id-ref to the element of that id (of
// the same kind) elsewhere in the document, as Pacemaker does for sets of
// attributes and operations; an element without one is itself.
func dereference(e *etree.Element) *etree.Element {
	ref := e.SelectAttrValue("id-ref", "")
	if ref == "" || strings.ContainsAny(ref, "'[]") {
		return e
	}
	root := e
	for root.Parent() != nil {
		root = root.Parent()
	}
	if target := root.FindElement("//" + e.Tag + "[@id='" + ref + "']"); target != nil {
		return target
	}
	return e
}

// setMember is one resource of a resource set, with its set's options.
type setMember struct {
	id, role, action string
	requireAll       bool
}

type rscSet struct {
	id         string
	members    []setMember
	sequential bool
	ordering   string // colocation sets: "group" (default) or "listed"
	score      *int   // its own score, if it has one
}

// defaultsFor gives the resource defaults that apply to a resource: the
// rsc_defaults blocks whose rule (if any) holds for its agent, the first
// value of each setting winning.
func defaultsFor(c *cib.CIB, agent *agentRef, now time.Time) map[string]string {
	out := map[string]string{}
	s := c.Section("rsc_defaults", false)
	if s == nil {
		return out
	}
	for _, block := range s.SelectElements("meta_attributes") {
		if rule := block.SelectElement("rule"); rule != nil {
			if ok, err := ruleHoldsFor(rule, nil, now, agent); err != nil || !ok {
				continue
			}
		}
		for _, nv := range block.SelectElements("nvpair") {
			if _, seen := out[nv.SelectAttrValue("name", "")]; !seen {
				out[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
			}
		}
	}
	return out
}

// promotedMax is how many instances of a promotable clone are promoted:
// promoted-max, or the older master-max, 1 by default.
func promotedMax(meta map[string]string) int {
	for _, k := range []string{"promoted-max", "master-max"} {
		if n, err := strconv.Atoi(meta[k]); err == nil && n >= 0 {
			return n
		}
	}
	return 1
}

// expandTag gives the members of a template or tag, or id itself.
func expandTag(tags map[string][]string, id string) []string {
	if m, ok := tags[id]; ok {
		return m
	}
	return []string{id}
}

// tagSet turns one side of a constraint into a set: a template or tag
// becomes an unordered set of its members, as Pacemaker does.
func tagSet(tags map[string][]string, id, role, action string) rscSet {
	_, isTag := tags[id]
	rs := rscSet{sequential: !isTag}
	for _, m := range expandTag(tags, id) {
		rs.members = append(rs.members, setMember{id: m, role: role, action: action, requireAll: true})
	}
	return rs
}

// fromTemplate merges a template into a primitive made from it: the
// template's agent, and its settings after the primitive's own (the first
// value of a setting wins).
func fromTemplate(e, t *etree.Element) *etree.Element {
	out := e.Copy()
	for _, a := range []string{"class", "provider", "type"} {
		if out.SelectAttr(a) == nil && t.SelectAttr(a) != nil {
			out.CreateAttr(a, t.SelectAttrValue(a, ""))
		}
	}
	own := map[string]bool{}
	for _, op := range e.FindElements("./operations/op") {
		own[op.SelectAttrValue("name", "")+"/"+op.SelectAttrValue("interval", "0")] = true
	}
	for _, ch := range t.ChildElements() {
		cp := ch.Copy()
		if cp.Tag == "operations" {
			for _, op := range cp.SelectElements("op") {
				if own[op.SelectAttrValue("name", "")+"/"+op.SelectAttrValue("interval", "0")] {
					cp.RemoveChild(op)
				}
			}
		}
		out.AddChild(cp) // after the primitive's own, which win
	}
	return out
}

func readSets(e *etree.Element, tags map[string][]string) []rscSet {
	var out []rscSet
	for _, set := range e.SelectElements("resource_set") {
		rs := rscSet{id: set.SelectAttrValue("id", ""), sequential: !strings.EqualFold(set.SelectAttrValue("sequential", "true"), "false"),
			ordering: set.SelectAttrValue("ordering", "group")}
		if v := set.SelectAttrValue("score", ""); v != "" {
			if sc, err := ParseScore(v); err == nil {
				rs.score = &sc
			}
		}
		role := normRole(set.SelectAttrValue("role", ""))
		action := set.SelectAttrValue("action", "start")
		reqAll := !strings.EqualFold(set.SelectAttrValue("require-all", "true"), "false")
		for _, ref := range set.SelectElements("resource_ref") {
			for _, id := range expandTag(tags, ref.SelectAttrValue("id", "")) {
				rs.members = append(rs.members, setMember{id: id, role: role, action: action, requireAll: reqAll})
			}
		}
		if len(rs.members) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// colocPair is one colocation a set constraint makes.
type colocPair struct {
	dep, with setMember
	score     int
}

// colocationPairs expands colocation sets into (dependent, with) pairs.
// Within a sequential set, with a positive score, each member is placed
// with the one before it (with ordering=listed, each with the one after
// it); with a negative score, each member stays away from every one
// before it. Each set is placed with the set after it (its first member,
// or each member when not sequential, with the last member of the next
// set, or each). A set's own score wins over the constraint's.
func colocationPairs(sets []rscSet, score int) []colocPair {
	var out []colocPair
	for _, s := range sets {
		sc := score
		if s.score != nil {
			sc = *s.score
		}
		switch {
		case !s.sequential || sc == 0:
		case sc < 0:
			for i := 1; i < len(s.members); i++ {
				for j := 0; j < i; j++ {
					out = append(out, colocPair{s.members[i], s.members[j], sc})
				}
			}
		case s.ordering == "listed":
			for i := 1; i < len(s.members); i++ {
				out = append(out, colocPair{s.members[i-1], s.members[i], sc})
			}
		default:
			for i := 1; i < len(s.members); i++ {
				out = append(out, colocPair{s.members[i], s.members[i-1], sc})
			}
		}
	}
	for i := 0; i+1 < len(sets); i++ {
		deps, withs := sets[i].members, sets[i+1].members
		if sets[i].sequential {
			deps = deps[:1]
		}
		if sets[i+1].sequential {
			withs = withs[len(withs)-1:]
		}
		for _, d := range deps {
			for _, w := range withs {
				out = append(out, colocPair{d, w, score})
			}
		}
	}
	return out
}

// orderPair is one (first, then) pair of an ordered set constraint;
// relaxed names the set whose members are firsts through a one-or-more
// pseudo action ("" for a plain pair).
type orderPair struct {
	first, then setMember
	relaxed     string
}

// orderPairs expands order sets into (first, then) pairs: members of a
// sequential set one after another; each set after the one before it (its
// last member, or each member when not sequential, before the first member
// of the next set, or each). A set with require-all=false comes before the
// next as a whole: each of its members is a first of a relaxed pair.
func orderPairs(sets []rscSet) []orderPair {
	var out []orderPair
	for _, s := range sets {
		if s.sequential {
			for i := 1; i < len(s.members); i++ {
				out = append(out, orderPair{first: s.members[i-1], then: s.members[i]})
			}
		}
	}
	for i := 0; i+1 < len(sets); i++ {
		firsts, thens := sets[i].members, sets[i+1].members
		relaxed := ""
		if a := firsts[0].action; !firsts[0].requireAll && a != "stop" && a != "demote" {
			relaxed = sets[i].id
		}
		if sets[i].sequential && relaxed == "" {
			firsts = firsts[len(firsts)-1:]
		}
		if sets[i+1].sequential {
			thens = thens[:1]
		}
		for _, f := range firsts {
			for _, t := range thens {
				out = append(out, orderPair{first: f, then: t, relaxed: relaxed})
			}
		}
	}
	return out
}

// colocationRole is a colocation's role: Started means any role.
func colocationRole(role string) string {
	if role == "Started" {
		return ""
	}
	return role
}

// normRole reads a role name, old or new: Master is Promoted, Slave is
// Unpromoted.
func normRole(r string) string {
	switch strings.ToLower(r) {
	case "master", "promoted":
		return "Promoted"
	case "slave", "unpromoted":
		return "Unpromoted"
	case "started":
		return "Started"
	case "stopped":
		return "Stopped"
	}
	return ""
}

// ParseScore reads a Pacemaker score: an integer, or [+-]INFINITY/inf.
func ParseScore(s string) (int, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimPrefix(s, "+")) {
	case "":
		return 0, nil
	case "infinity", "inf":
		return Infinity, nil
	case "-infinity", "-inf":
		return -Infinity, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// Pacemaker reads the integer part of a decimal ("2.0" is 2).
		whole, frac, ok := strings.Cut(s, ".")
		if n, err = strconv.Atoi(whole); err != nil || !ok || (frac != "" && !isDigits(frac)) {
			return 0, fmt.Errorf("score %q is not an integer or INFINITY", s)
		}
	}
	return clamp(n), nil
}

func clamp(n int) int {
	if n > Infinity {
		return Infinity
	}
	if n < -Infinity {
		return -Infinity
	}
	return n
}

// addScores adds as Pacemaker does: -INFINITY wins over INFINITY.
func addScores(a, b int) int {
	if a <= -Infinity || b <= -Infinity {
		return -Infinity
	}
	if a >= Infinity || b >= Infinity {
		return Infinity
	}
	return clamp(a + b)
}

// ParseDuration reads Pacemaker intervals and timeouts: "10s", "2m",
// "500ms", "1h", a plain number of seconds, or ISO 8601 "PT30S".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "pt") || strings.HasPrefix(s, "p") {
		return parseISODuration(s)
	}
	units := []struct {
		suffix string
		d      time.Duration
	}{{"msec", time.Millisecond}, {"ms", time.Millisecond}, {"usec", time.Microsecond}, {"us", time.Microsecond},
		{"sec", time.Second}, {"s", time.Second}, {"min", time.Minute}, {"m", time.Minute}, {"hr", time.Hour}, {"h", time.Hour}}
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			n, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("duration %q", s)
			}
			return time.Duration(n * float64(u.d)), nil
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("duration %q: want a number with ms, s, m or h", s)
	}
	return time.Duration(n * float64(time.Second)), nil
}

func parseISODuration(s string) (time.Duration, error) {
	var total time.Duration
	inTime := false
	num := ""
	for _, ch := range strings.TrimPrefix(s, "p") {
		switch {
		case ch == 't':
			inTime = true
		case ch >= '0' && ch <= '9' || ch == '.':
			num += string(ch)
		default:
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("duration %q", s)
			}
			num = ""
			var u time.Duration
			switch {
			case ch == 'h' && inTime:
				u = time.Hour
			case ch == 'm' && inTime:
				u = time.Minute
			case ch == 's':
				u = time.Second // "P10S" without the T is read as seconds, as Pacemaker does
			case ch == 'h' && !inTime:
				u = time.Hour
			case ch == 'd' && !inTime:
				u = 24 * time.Hour
			case ch == 'w' && !inTime:
				u = 7 * 24 * time.Hour
			default:
				return 0, fmt.Errorf("duration %q", s)
			}
			total += time.Duration(n * float64(u))
		}
	}
	if num != "" {
		return 0, fmt.Errorf("duration %q", s)
	}
	return total, nil
}

// remoteNode is a Pacemaker Remote node a resource defines.
type remoteNode struct {
	container string // the guest's resource; "" for a bare-metal node
	bundle    string // the bundle it is a replica of, if any
}

// remoteNodes finds the Pacemaker Remote nodes the resources section
// defines: one per ocf:pacemaker:remote primitive (named by its id), and
// one guest node per primitive with the remote-node meta attribute.
func remoteNodes(c *cib.CIB) map[string]remoteNode {
	out := map[string]remoteNode{}
	for _, e := range c.Section("resources", true).SelectElements("bundle") {
		b, _, _ := bundleParts(e)
		for _, rep := range b.Replicas {
			if rep.Connection != "" {
				out[rep.Connection] = remoteNode{container: rep.Container, bundle: b.ID}
			}
		}
	}
	for _, e := range c.Section("resources", true).FindElements(".//primitive") {
		if e.Parent() != nil && e.Parent().Tag == "bundle" {
			continue
		}
		id := e.SelectAttrValue("id", "")
		if e.SelectAttrValue("class", "") == "ocf" && e.SelectAttrValue("provider", "") == "pacemaker" && e.SelectAttrValue("type", "") == "remote" {
			out[id] = remoteNode{}
			continue
		}
		if name := nvpairs(e, "meta_attributes")["remote-node"]; name != "" {
			out[name] = remoteNode{container: id}
		}
	}
	return out
}

// remoteOnline decides whether each Pacemaker Remote node is online, as
// Pacemaker does: when its connection is started and neither it nor the
// guest's container has failed.
func (cl *Cluster) remoteOnline(byRsc map[string]*Resource) {
	for _, n := range cl.Nodes {
		if !n.Remote {
			continue
		}
		n.Online = false
		conn := byRsc[n.Connection]
		if conn == nil {
			continue
		}
		started, failed, reset := false, false, false
		reconnect, _ := ParseDuration(conn.Params["reconnect_interval"])
		for _, st := range conn.State {
			if f := st.lastFailure; st.stoppedFailed && !st.Active && reconnect > 0 && f != nil && f.Operation == "monitor" && f.Interval > 0 {
				// A lost connection that waits to reconnect: its stop does
				// not settle the failure, the node stays to be fenced.
				st.Failed = true
			}
			started = started || st.Active
			failed = failed || st.Failed
			// (Failing to start, or a probe finding it failed, says no
			// connection was lost: no reason to fence.)
			if f := st.lastFailure; st.Failed && f != nil && f.Operation != "start" && !(f.Operation == "monitor" && f.Interval == 0) {
				reset = true
			}
		}
		n.connectionFailed = failed
		if n.Container != "" {
			if ct := byRsc[n.Container]; ct != nil {
				up := false
				for host, st := range ct.State {
					up = up || st.Active
					failed = failed || st.Failed
					// A guest whose container failed, or runs on a host lost
					// unclean, is "fenced" by recovering the container.
					if h := cl.nodeNamed(host); st.Active && n.Bundle == "" && (st.Failed || (h != nil && h.Unclean && !h.Online)) {
						n.guestReset = true
					}
				}
				started = started && up
			}
		}
		n.Online = started && !failed && !n.guestReset
		n.readLate = !started
		if n.Container == "" && reset && conn.Managed && cl.StonithEnabled {
			// A failed connection (on-fail reset-remote, the default with
			// fencing): the node must be fenced before it is trusted.
			n.Unclean, n.UncleanReason = true, "remote connection is unrecoverable"
		}
		if failed && n.Container == "" {
			if d, err := ParseDuration(conn.Params["reconnect_interval"]); err == nil && d > 0 {
				conn.Halted = true // it stays down until the failure expires
			}
		}
	}
}

// withoutDuplicateRecurring drops recurring operations configured more
// than once with the same name and interval (for different roles, say):
// Pacemaker rejects the configuration of every one of them and schedules
// none.
func withoutDuplicateRecurring(ops []OpConfig) ([]OpConfig, []time.Duration) {
	type key struct {
		name     string
		interval time.Duration
	}
	count := map[key]int{}
	for _, op := range ops {
		count[key{op.Name, op.Interval}]++
	}
	out := ops[:0:0]
	var dupMonitors []time.Duration
	for _, op := range ops {
		if op.Interval > 0 && count[key{op.Name, op.Interval}] > 1 {
			if op.Name == "monitor" {
				dupMonitors = append(dupMonitors, op.Interval)
			}
			continue
		}
		out = append(out, op)
	}
	return out, dupMonitors
}

// firstUnknown says what is wrong with the two resources a constraint
// names: one missing, or one that does not exist ("" if both do).
func firstUnknown(known func(string) bool, a, b string) string {
	for _, id := range []string{a, b} {
		switch {
		case id == "":
			return "a resource is missing"
		case !known(id):
			return "no such resource " + id
		}
	}
	return ""
}

// callOrder orders operation records by call id, those still in flight
// (call id -1) after every finished one, as Pacemaker reads them.
func callOrder(id int) int {
	if id < 0 {
		return math.MaxInt
	}
	return id
}
