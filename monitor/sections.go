package monitor

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// nodeAttrs is one node's attributes as crm_mon -A shows them.
type nodeAttrs struct {
	node  string
	attrs []nodeAttr
}

type nodeAttr struct {
	name, value string
	expected    string // what a ping resource running there would set, "" if none
}

// hiddenAttr reports the node attributes crm_mon never lists: those the
// cluster keeps for itself.
func hiddenAttr(name string) bool {
	switch name {
	case "shutdown", "terminate", "standby":
		return true
	}
	return strings.HasPrefix(name, "#") || strings.HasPrefix(name, "fail-count-") || strings.HasPrefix(name, "last-failure-")
}

// nodeAttributes lists, for each online node with any, its attributes by
// name.
func (v *view) nodeAttributes() []nodeAttrs {
	var out []nodeAttrs
	for _, n := range v.cl.Nodes {
		if !n.Online {
			continue
		}
		var names []string
		for k := range n.Attrs {
			if !hiddenAttr(k) {
				names = append(names, k)
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		na := nodeAttrs{node: n.Uname}
		for _, k := range names {
			na.attrs = append(na.attrs, nodeAttr{name: k, value: n.Attrs[k], expected: v.pingExpected(n.Uname, k)})
		}
		out = append(out, na)
	}
	return out
}

// pingExpected is the value a ping resource active on node would give
// attribute name when every host answers (multiplier times the hosts in
// host_list), as a string; "" when no such resource runs there.
func (v *view) pingExpected(node, name string) string {
	for _, r := range v.cl.Resources {
		if r.Class != "ocf" || r.Provider != "pacemaker" || (r.Type != "ping" && r.Type != "pingd") {
			continue
		}
		attr := r.Params["name"]
		if attr == "" {
			attr = "pingd"
		}
		if attr != name {
			continue
		}
		if st := r.State[node]; st == nil || !st.Active {
			continue
		}
		mult := 1
		if m, err := strconv.Atoi(strings.TrimSpace(r.Params["multiplier"])); err == nil {
			mult = m
		}
		hosts := len(strings.Fields(r.Params["host_list"]))
		return strconv.Itoa(mult * hosts)
	}
	return ""
}

// writeNodeAttributes writes the "Node Attributes" section (crm_mon -A).
func (v *view) writeNodeAttributes(b *strings.Builder) {
	attrs := v.nodeAttributes()
	if len(attrs) == 0 {
		return
	}
	b.WriteString("\nNode Attributes:\n")
	for _, na := range attrs {
		fmt.Fprintf(b, "  * Node: %s:\n", na.node)
		for _, a := range na.attrs {
			fmt.Fprintf(b, "    * %-32s\t: %-10s", a.name, a.value)
			if a.expected != "" {
				value, _ := strconv.Atoi(a.value)
				expected, _ := strconv.Atoi(a.expected)
				switch {
				case value <= 0:
					b.WriteString("\t: Connectivity is lost")
				case value < expected:
					fmt.Fprintf(b, "\t: Connectivity is degraded (Expected=%d)", expected)
				}
			}
			b.WriteString("\n")
		}
	}
}

// nodeHistory is one node's resource history as crm_mon shows it.
type nodeHistory struct {
	node      string
	resources []resourceHistory
}

type resourceHistory struct {
	id          string // as the XML names it
	historyID   string // as the node's history names it
	orphan      bool
	threshold   int
	failCount   int
	lastFailure time.Time
	ops         []*etree.Element
}

// nodeHistory reads each online node's history, in status order: per
// resource, its operations in call order, without notifications and
// probes that found it stopped (a resource may be left with none: the
// XML leaves it out, the Migration Summary does not). any reports whether
// there is a node to show at all (crm_mon writes the section, empty,
// then).
func (v *view) nodeHistory() (out []nodeHistory, any bool) {
	for _, uname := range v.order {
		n := v.nodes[uname]
		if n == nil || !n.Online {
			continue
		}
		any = true
		nh := nodeHistory{node: uname}
		for _, re := range v.states[uname].FindElements("./lrm/lrm_resources/lrm_resource") {
			var ops []*etree.Element
			for _, op := range re.SelectElements("lrm_rsc_op") {
				task := op.SelectAttrValue("operation", "")
				if task == "notify" {
					continue
				}
				if task == "monitor" && atoi(op.SelectAttrValue("interval", "0")) == 0 && atoi(op.SelectAttrValue("rc-code", "0")) == 7 {
					continue
				}
				ops = append(ops, op)
			}
			sort.SliceStable(ops, func(i, j int) bool { return callLess(ops[i], ops[j]) })
			hid := re.SelectAttrValue("id", "")
			rh := resourceHistory{id: hid, historyID: hid, threshold: engine.Infinity}
			r := v.rscs[hid]
			base, _, inst := strings.Cut(hid, ":")
			if r == nil && inst {
				if c := v.rscs[base]; c != nil && c.Clone != nil {
					r = c
				}
			}
			cfg, configured := v.configPrimitives()[base]
			if (r != nil && r.Clone != nil) || (configured && cfg.anonymous) {
				rh.id = base
			}
			// crm_mon 2.1.5 says orphan="false" even of history no
			// longer configured.
			key := hid
			if r != nil {
				key = r.ID
			}
			rh.threshold = v.threshold(r, hid)
			// crm_mon shows the fail count as recorded, expired or not.
			rh.failCount, rh.lastFailure = failCount(n.Attrs, key, v.legacyFailCounts())
			rh.ops = ops
			nh.resources = append(nh.resources, rh)
		}
		out = append(out, nh)
	}
	return out, any
}

// callLess orders operations by call id, those still pending (-1)
// last, then (a recurring operation keeps its call id) by when their
// result last changed.
func callLess(a, b *etree.Element) bool {
	ca, cb := atoi(a.SelectAttrValue("call-id", "0")), atoi(b.SelectAttrValue("call-id", "0"))
	if (ca < 0) != (cb < 0) {
		return cb < 0
	}
	if ca != cb {
		return ca < cb
	}
	return atoi(a.SelectAttrValue("last-rc-change", "0")) < atoi(b.SelectAttrValue("last-rc-change", "0"))
}

// configPrimitive is what the configuration says of a primitive.
type configPrimitive struct {
	anonymous bool // an instance of an anonymous clone (or a bundle's)
}

// configPrimitives indexes the configured primitives by id.
func (v *view) configPrimitives() map[string]configPrimitive {
	if v.prims != nil {
		return v.prims
	}
	v.prims = map[string]configPrimitive{}
	res := v.c.Section("resources", false)
	if res == nil {
		return v.prims
	}
	for _, p := range res.FindElements(".//primitive") {
		cp := configPrimitive{}
		for e := p.Parent(); e != nil && e.Tag != "resources"; e = e.Parent() {
			switch e.Tag {
			case "clone", "master":
				unique := false
				for _, m := range e.SelectElements("meta_attributes") {
					for _, nv := range m.SelectElements("nvpair") {
						if nv.SelectAttrValue("name", "") == "globally-unique" {
							unique = cib.IsTrue(nv.SelectAttrValue("value", ""))
						}
					}
				}
				cp.anonymous = !unique
			case "bundle":
				cp.anonymous = true
			}
		}
		v.prims[p.SelectAttrValue("id", "")] = cp
	}
	return v.prims
}

// failCount sums a resource's fail counts on a node and finds its last
// failure, from the attributes as the CIB's feature set names them: per
// operation (fail-count-RSC#OP_INTERVAL) since feature set 3.0.13, per
// resource (fail-count-RSC) before. An anonymous clone's attributes may
// name any of its instances (RSC:N).
func failCount(attrs map[string]string, rsc string, legacy bool) (int, time.Time) {
	total := 0
	var last int64
	for k, val := range attrs {
		switch {
		case attrFor(k, "fail-count", rsc, legacy):
			n, err := engine.ParseScore(val)
			if err == nil {
				total += n
				if total > engine.Infinity {
					total = engine.Infinity
				}
			}
		case attrFor(k, "last-failure", rsc, legacy):
			if t, err := strconv.ParseInt(val, 10, 64); err == nil && t > last {
				last = t
			}
		}
	}
	if last <= 0 {
		return total, time.Time{}
	}
	return total, time.Unix(last, 0)
}

// attrFor reports whether k is the kind (fail-count, last-failure)
// attribute of rsc (or of one of its clone instances): per operation
// (KIND-RSC#OP_INTERVAL), or legacy (KIND-RSC).
func attrFor(k, kind, rsc string, legacy bool) bool {
	rest, ok := strings.CutPrefix(k, kind+"-"+rsc)
	if !ok {
		return false
	}
	if n, ok := strings.CutPrefix(rest, ":"); ok && !strings.Contains(rsc, ":") {
		digits := strings.IndexFunc(n, func(c rune) bool { return c < '0' || c > '9' })
		switch digits {
		case 0:
			return false
		case -1:
			rest = ""
		default:
			rest = n[digits:]
		}
	}
	if legacy {
		return rest == ""
	}
	return strings.HasPrefix(rest, "#")
}

// legacyFailCounts reports whether the CIB predates per-operation fail
// counts (feature set 3.0.13).
func (v *view) legacyFailCounts() bool {
	return compareVersions(v.c.Attr("crm_feature_set"), "3.0.13") < 0
}

// compareVersions compares dotted version numbers.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if a == "" {
		return -1
	}
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = atoi(pa[i])
		}
		if i < len(pb) {
			y = atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// writeMigrationSummary writes the "Migration Summary" section (crm_mon
// -f): per node, the resources that failed there.
func (v *view) writeMigrationSummary(b *strings.Builder) {
	hist, any := v.nodeHistory()
	if !any {
		return
	}
	b.WriteString("\nMigration Summary:\n")
	for _, nh := range hist {
		var lines []string
		for _, rh := range nh.resources {
			if rh.failCount <= 0 {
				continue
			}
			l := fmt.Sprintf("    * %s: migration-threshold=%d fail-count=%s", rh.historyID, rh.threshold, scoreText(rh.failCount))
			if !rh.lastFailure.IsZero() {
				l += " last-failure='" + rh.lastFailure.In(v.now.Location()).Format(timeLayout) + "'"
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(b, "  * Node: %s:\n", nh.node)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
}

// threshold is a resource's migration-threshold. For what the engine
// does not model (an implicit connection, a resource it ignores) it is
// read from the configuration: the primitive's meta attributes, its
// parents', then rsc_defaults.
func (v *view) threshold(r *engine.Resource, historyID string) int {
	if r != nil && !r.Implicit {
		return r.MigrationThreshold
	}
	id, _, _ := strings.Cut(historyID, ":")
	if r != nil {
		id = r.ID
	}
	var metas []*etree.Element
	if res := v.c.Section("resources", false); res != nil {
		for _, p := range res.FindElements(".//primitive") {
			if p.SelectAttrValue("id", "") != id {
				continue
			}
			for e := p; e != nil && e.Tag != "resources"; e = e.Parent() {
				metas = append(metas, e.SelectElements("meta_attributes")...)
			}
			break
		}
	}
	if d := v.c.Section("rsc_defaults", false); d != nil {
		metas = append(metas, d.SelectElements("meta_attributes")...)
	}
	for _, m := range metas {
		if m.SelectElement("rule") != nil {
			continue
		}
		for _, nv := range m.SelectElements("nvpair") {
			if nv.SelectAttrValue("name", "") == "migration-threshold" {
				if n, err := engine.ParseScore(nv.SelectAttrValue("value", "")); err == nil {
					return n
				}
			}
		}
	}
	return engine.Infinity
}
