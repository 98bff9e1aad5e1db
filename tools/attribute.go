package tools

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// attrOpts are crm_attribute's options.
type attrOpts struct {
	name, value, node, lifetime, typ, dflt, setName, id, pattern string
	promotion                                                    string
	valueGiven, dfltGiven, query, del, quiet, util, help         bool
	promotionGiven                                               bool
	verbose                                                      int
}

func crmAttribute(args []string, t *tool) int {
	var o attrOpts
	p := newOptions(t.name)
	p.str('n', &o.name, "name", "attr-name")
	p.fn('v', true, func(v string) { o.value, o.valueGiven = v, true }, "update", "attr-value")
	p.fn('d', true, func(v string) { o.dflt, o.dfltGiven = v, true }, "default")
	p.str('N', &o.node, "node")
	p.str('U', &o.node, "uname")
	p.str('l', &o.lifetime, "lifetime")
	p.str('t', &o.typ, "type")
	p.str('s', &o.setName, "set-name")
	p.str('i', &o.id, "id", "attr-id")
	p.str('P', &o.pattern, "pattern")
	p.flag('G', &o.query, "query", "get-value")
	p.flag('D', &o.del, "delete", "delete-attr")
	p.flag('q', &o.quiet, "quiet")
	p.flag('Q', &o.quiet, "quiet-deprecated")
	p.flag('z', &o.util, "utilization")
	p.optional('p', func(v string) { o.promotion, o.promotionGiven = v, true }, "promotion")
	p.optional(0, func(v string) { o.promotion, o.promotionGiven = v, true }, "master")
	p.flag('h', &o.help, "help", "help-all")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("%s", attributeUsage)
		return exOK
	}
	if o.promotionGiven {
		// A promotable agent's score on this node (what crm_master set).
		rsc := o.promotion
		if rsc == "" {
			rsc = os.Getenv("OCF_RESOURCE_INSTANCE")
		}
		if rsc == "" {
			return t.finish(fail(exUsage, "give the resource with --promotion=RESOURCE (or run from an agent, which has OCF_RESOURCE_INSTANCE)"))
		}
		o.name = "master-" + rsc
		if o.lifetime == "" {
			o.lifetime = "reboot"
		}
	}
	return t.finish(t.attribute(o))
}

const attributeUsage = `Usage: crm_attribute [OPTION...]
Query and change cluster options and node attributes.

  -n, --name=NAME        the attribute (for queries, all when not given)
  -v, --update=VALUE     set it          -D, --delete    delete it
  -G, --query            show it (the default)   -q, --quiet   the value alone
  -d, --default=VALUE    what to show when it is not set
  -N, --node=NODE        a node attribute of NODE (else a cluster option)
  -t, --type=SECTION     crm_config, nodes, status, rsc_defaults, op_defaults
  -l, --lifetime=WHEN    forever (a node attribute) or reboot (a transient one, in status)
  -z, --utilization      a node's utilization attribute
  -p, --promotion[=RSC]  the promotion score of RSC (default: the agent's OCF_RESOURCE_INSTANCE)
  -s, --set-name=ID      -i, --id=ID    (advanced) the set and nvpair to use
`

// attrScope is where an attribute lives.
type attrScope struct {
	section string // crm_config, nodes, status, rsc_defaults, op_defaults
	node    string // uname, for nodes and status
}

// scope works out where -t, -N, -l and -z point.
func (t *tool) scope(o attrOpts) (attrScope, error) {
	typ := o.typ
	switch o.lifetime {
	case "":
	case "reboot":
		if typ == "" || typ == "nodes" {
			typ = "status"
		}
	case "forever":
		if typ == "" || typ == "status" {
			typ = "nodes"
		}
	default:
		return attrScope{}, fail(exUsage, "unknown lifetime '%s' (reboot or forever)", o.lifetime)
	}
	if typ == "" {
		typ = "crm_config"
		if o.node != "" || o.util {
			typ = "nodes"
		}
	}
	switch typ {
	case "crm_config", "rsc_defaults", "op_defaults":
		return attrScope{section: typ}, nil
	case "nodes", "forever", "status", "reboot":
		if typ == "forever" {
			typ = "nodes"
		}
		if typ == "reboot" {
			typ = "status"
		}
		node := o.node
		if node == "" {
			node = t.localNode()
		}
		return attrScope{section: typ, node: node}, nil
	}
	return attrScope{}, fail(exUsage, "unknown type '%s' (crm_config, nodes, status, rsc_defaults or op_defaults)", typ)
}

// localNode is this node's name: the cluster's word for it, or the host
// name offline.
func (t *tool) localNode() string {
	if t.cluster != nil {
		if m, err := t.cluster(); err == nil && m.Local != "" {
			return m.Local
		}
	}
	h, _ := os.Hostname()
	return h
}

// attrSet is the element whose attribute sets hold the scope's
// attributes, and the tag and default id of those sets.
func attrSet(c *cib.CIB, s attrScope, util bool) (parent *etree.Element, tag, defID string) {
	switch s.section {
	case "crm_config":
		return c.Section("crm_config", true), "cluster_property_set", "cib-bootstrap-options"
	case "rsc_defaults":
		return c.Section("rsc_defaults", true), cib.Meta, "rsc-options"
	case "op_defaults":
		return c.Section("op_defaults", true), cib.Meta, "op-options"
	case "nodes":
		n := c.Node(s.node)
		if n == nil {
			return nil, "", ""
		}
		id := n.SelectAttrValue("id", s.node)
		if util {
			return n, cib.Utilization, "nodes-" + id + "-utilization"
		}
		return n, cib.Params, "nodes-" + id
	}
	return nil, "", ""
}

// nodeState is a node's node_state, made when create is set.
func nodeState(c *cib.CIB, uname string, create bool) *etree.Element {
	for _, ns := range c.Status().SelectElements("node_state") {
		if ns.SelectAttrValue("uname", "") == uname {
			return ns
		}
	}
	if !create {
		return nil
	}
	id := uname
	if n := c.Node(uname); n != nil {
		id = n.SelectAttrValue("id", uname)
	}
	ns := c.Status().CreateElement("node_state")
	ns.CreateAttr("id", id)
	ns.CreateAttr("uname", uname)
	return ns
}

// transientSet is the set of a node's transient attributes.
func transientSet(c *cib.CIB, uname string, create bool) *etree.Element {
	ns := nodeState(c, uname, create)
	if ns == nil {
		return nil
	}
	id := ns.SelectAttrValue("id", uname)
	ta := ns.SelectElement("transient_attributes")
	if ta == nil {
		if !create {
			return nil
		}
		ta = ns.CreateElement("transient_attributes")
		ta.CreateAttr("id", id)
	}
	set := ta.SelectElement("instance_attributes")
	if set == nil {
		if !create {
			return nil
		}
		set = ta.CreateElement("instance_attributes")
		set.CreateAttr("id", "status-"+id)
	}
	return set
}

// pairs lists the nvpairs of the sets of tag under parent.
func pairs(parent *etree.Element, tag, setName string) []*etree.Element {
	var out []*etree.Element
	if parent == nil {
		return nil
	}
	for _, set := range parent.SelectElements(tag) {
		if setName != "" && set.SelectAttrValue("id", "") != setName {
			continue
		}
		out = append(out, set.SelectElements("nvpair")...)
	}
	return out
}

func (t *tool) attribute(o attrOpts) error {
	s, err := t.scope(o)
	if err != nil {
		return err
	}
	switch {
	case o.del:
		return t.attrDelete(o, s)
	case o.valueGiven && !o.query:
		if o.name == "" && o.id == "" {
			return fail(exUsage, "give the attribute's name with -n NAME")
		}
		return t.attrSet(o, s)
	}
	return t.attrQuery(o, s)
}

func (t *tool) checkNode(c *cib.CIB, s attrScope) error {
	if s.node != "" && !c.HasNode(s.node) {
		return fail(exNoSuch, "Could not map name=%s to a UUID: no such node %s", s.node, t.where())
	}
	return nil
}

func matches(nv *etree.Element, o attrOpts, re *regexp.Regexp) bool {
	switch {
	case o.id != "":
		return nv.SelectAttrValue("id", "") == o.id
	case re != nil:
		return re.MatchString(nv.SelectAttrValue("name", ""))
	case o.name != "":
		return nv.SelectAttrValue("name", "") == o.name
	}
	return true
}

func (t *tool) attrQuery(o attrOpts, s attrScope) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	if err := t.checkNode(c, s); err != nil {
		return err
	}
	var re *regexp.Regexp
	if o.pattern != "" {
		if re, err = regexp.Compile(o.pattern); err != nil {
			return fail(exUsage, "bad pattern %q: %v", o.pattern, err)
		}
	}
	var nvs []*etree.Element
	if s.section == "status" {
		if set := transientSet(c, s.node, false); set != nil {
			nvs = set.SelectElements("nvpair")
		} else {
			nvs = nil
		}
	} else {
		parent, tag, _ := attrSet(c, s, o.util)
		nvs = pairs(parent, tag, o.setName)
	}
	found := 0
	for _, nv := range nvs {
		if !matches(nv, o, re) {
			continue
		}
		found++
		t.showAttr(o, s, nv.SelectAttrValue("name", ""), nv.SelectAttrValue("value", ""))
	}
	if found == 0 {
		if o.dfltGiven {
			t.showAttr(o, s, o.name, o.dflt)
			return nil
		}
		what := "attribute"
		if o.name != "" {
			what = "attribute '" + o.name + "'"
		}
		where := s.section
		if s.node != "" {
			where += " of node " + s.node
		}
		return fail(exNoSuch, "%s not found in %s %s", what, where, t.where())
	}
	return nil
}

func (t *tool) showAttr(o attrOpts, s attrScope, name, value string) {
	if o.quiet {
		t.printf("%s\n", value)
		return
	}
	t.printf("scope=%s  name=%s value=%s\n", s.section, name, value)
}

func (t *tool) attrSet(o attrOpts, s attrScope) error {
	if s.section == "status" {
		return t.statusAttr(o, s, false)
	}
	_, err := t.edit(func(c *cib.CIB) error {
		if err := t.checkNode(c, s); err != nil {
			return err
		}
		parent, tag, defID := attrSet(c, s, o.util)
		for _, nv := range pairs(parent, tag, o.setName) {
			if matches(nv, o, nil) {
				nv.CreateAttr("value", o.value)
				return nil
			}
		}
		var set *etree.Element
		for _, e := range parent.SelectElements(tag) {
			if o.setName == "" || e.SelectAttrValue("id", "") == o.setName {
				set = e
				break
			}
		}
		if set == nil {
			id := o.setName
			if id == "" {
				id = defID
			}
			set = parent.CreateElement(tag)
			set.CreateAttr("id", id)
		}
		addPair(set, o)
		return nil
	})
	return err
}

func (t *tool) attrDelete(o attrOpts, s attrScope) error {
	if s.section == "status" {
		return t.statusAttr(o, s, true)
	}
	var gone []*etree.Element
	_, err := t.edit(func(c *cib.CIB) error {
		gone = nil
		if err := t.checkNode(c, s); err != nil {
			return err
		}
		parent, tag, _ := attrSet(c, s, o.util)
		for _, nv := range pairs(parent, tag, o.setName) {
			if matches(nv, o, nil) {
				nv.Parent().RemoveChild(nv)
				gone = append(gone, nv)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	what := "crm_config option"
	if s.section != "crm_config" {
		what = s.section + " attribute"
	}
	for _, nv := range gone {
		if !o.quiet {
			t.printf("Deleted %s: id=%s name=%s\n", what, nv.SelectAttrValue("id", ""), nv.SelectAttrValue("name", ""))
		}
	}
	return nil
}

// statusAttr sets or deletes a transient node attribute: in the file's
// status section offline, through the daemon on the running cluster.
func (t *tool) statusAttr(o attrOpts, s attrScope, del bool) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	if err := t.checkNode(c, s); err != nil {
		return err
	}
	if o.name == "" {
		return fail(exUsage, "give the attribute's name with -n NAME")
	}
	var old *etree.Element
	if set := transientSet(c, s.node, false); set != nil {
		for _, nv := range set.SelectElements("nvpair") {
			if matches(nv, o, nil) {
				old = nv
			}
		}
	}
	if _, offline := t.offline(); !offline {
		w, ok := t.b.(interface {
			StatusAttr(node, name, value string, del bool) error
		})
		if !ok {
			return fail(exSoftware, "this backend cannot set transient attributes")
		}
		// The daemon records attributes as it gets them: what Load shows
		// may lag, so a delete is always sent.
		if err := w.StatusAttr(s.node, o.name, o.value, del); err != nil {
			return fail(exError, "could not %s %s on %s: %v", map[bool]string{true: "delete", false: "set"}[del], o.name, s.node, err)
		}
		if del && old != nil && !o.quiet {
			t.printf("Deleted status attribute: id=%s name=%s\n", old.SelectAttrValue("id", ""), o.name)
		}
		return nil
	}
	switch {
	case del && old == nil:
		return nil
	case del:
		old.Parent().RemoveChild(old)
		c.BumpUpdates()
		if err := t.writeWhole(c); err != nil {
			return err
		}
		if !o.quiet {
			t.printf("Deleted status attribute: id=%s name=%s\n", old.SelectAttrValue("id", ""), o.name)
		}
		return nil
	case old != nil && old.SelectAttrValue("value", "") == o.value:
		return nil
	case old != nil:
		old.CreateAttr("value", o.value)
	default:
		addPair(transientSet(c, s.node, true), o)
	}
	c.BumpUpdates()
	return t.writeWhole(c)
}

// ---- crm_standby

func crmStandby(args []string, t *tool) int {
	var o attrOpts
	p := newOptions(t.name)
	p.fn('v', true, func(v string) { o.value, o.valueGiven = v, true }, "update", "attr-value")
	p.str('N', &o.node, "node", "uname")
	p.str('U', &o.node, "uname-deprecated")
	p.str('l', &o.lifetime, "lifetime")
	p.str('i', &o.id, "id", "attr-id")
	p.flag('G', &o.query, "query", "get-value")
	p.flag('Q', &o.query, "query-deprecated")
	p.flag('D', &o.del, "delete", "delete-attr")
	p.flag('q', &o.quiet, "quiet")
	p.flag('h', &o.help, "help")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("Usage: crm_standby [-N NODE] -G | -v on|off | -D [-l forever|reboot] [-q]\nQuery, set or clear a node's standby mode.\n")
		return exOK
	}
	if o.node == "" {
		o.node = t.localNode()
	}
	o.name = "standby"
	switch {
	case o.del:
		if o.lifetime != "" {
			return t.finish(t.attribute(o))
		}
		// Without a lifetime both the permanent and the transient one go.
		for _, l := range []string{"forever", "reboot"} {
			o.lifetime = l
			if err := t.attribute(o); err != nil {
				return t.finish(err)
			}
		}
		return exOK
	case o.valueGiven && !o.query:
		if o.lifetime == "" {
			o.lifetime = "forever"
		}
		return t.finish(t.attribute(o))
	}
	if o.lifetime == "" {
		// The permanent setting if there is one, else the transient one,
		// else off.
		q := o
		q.lifetime = "forever"
		c, err := t.load()
		if err != nil {
			return t.finish(err)
		}
		s, err := t.scope(q)
		if err != nil {
			return t.finish(err)
		}
		parent, tag, _ := attrSet(c, s, false)
		found := false
		for _, nv := range pairs(parent, tag, "") {
			found = found || nv.SelectAttrValue("name", "") == "standby"
		}
		if found {
			o.lifetime = "forever"
		} else {
			o.lifetime, o.dflt, o.dfltGiven = "reboot", "off", true
		}
	}
	return t.finish(t.attribute(o))
}

// ---- crm_failcount

func crmFailcount(args []string, t *tool) int {
	var rsc, node, op, interval, ignored string
	var query, del, quiet, help bool
	var verbose int
	p := newOptions(t.name)
	p.str('r', &rsc, "resource", "resource-id")
	p.str('N', &node, "node")
	p.str('U', &node, "uname")
	p.str('n', &op, "operation")
	p.str('I', &interval, "interval")
	p.flag('G', &query, "query", "get-value")
	p.flag('D', &del, "delete", "delete-attr")
	p.fn('v', true, func(v string) {
		if v == "0" {
			del = true
		}
	}, "attr-value")
	p.str('i', &ignored, "attr-id")
	p.str('l', &ignored, "lifetime")
	p.flag('q', &quiet, "quiet")
	p.flag('Q', &quiet, "quiet-deprecated")
	p.flag('h', &help, "help")
	p.count('V', &verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if help {
		t.printf("Usage: crm_failcount -G|-D -r RESOURCE [-N NODE] [-n OPERATION [-I INTERVAL]] [-q]\nQuery or clear a resource's fail count on a node.\n")
		return exOK
	}
	switch {
	case !query && !del:
		return t.finish(fail(exUsage, "give a command: -G (query) or -D (delete)"))
	case rsc == "":
		return t.finish(fail(exUsage, "give the resource with -r RESOURCE"))
	}
	if node == "" {
		node = t.localNode()
	}
	ms := int64(0)
	if interval != "" {
		d, err := engine.ParseDuration(interval)
		if err != nil {
			fmt.Fprintf(t.err, "%s: unrecognized interval %q, using 0\n", t.name, interval)
		}
		ms = d.Milliseconds()
	}
	if del {
		ro := resourceOpts{rsc: rsc, node: node, quiet: quiet}
		return t.finish(t.cleanup(ro, true))
	}
	c, err := t.load()
	if err != nil {
		return t.finish(err)
	}
	if !c.HasNode(node) {
		return t.finish(fail(exNoSuch, "Could not map name=%s to a UUID: no such node %s", node, t.where()))
	}
	name := "fail-count-" + rsc
	var vals []string
	if set := transientSet(c, node, false); set != nil {
		for _, nv := range set.SelectElements("nvpair") {
			n := nv.SelectAttrValue("name", "")
			switch {
			case op != "" && n == fmt.Sprintf("%s#%s_%d", name, op, ms):
				vals = append(vals, nv.SelectAttrValue("value", ""))
			case op == "" && strings.HasPrefix(n, name+"#"):
				vals = append(vals, nv.SelectAttrValue("value", ""))
			}
		}
	}
	shown := name
	if op != "" {
		shown = fmt.Sprintf("%s#%s_%d", name, op, ms)
	}
	total := sumScores(vals)
	if total == "0" { // a fail count as Pacemaker before 1.1.17 kept it
		if set := transientSet(c, node, false); set != nil {
			for _, nv := range set.SelectElements("nvpair") {
				if nv.SelectAttrValue("name", "") == name {
					total, shown = sumScores([]string{nv.SelectAttrValue("value", "")}), name
				}
			}
		}
	}
	if quiet {
		t.printf("%s\n", total)
	} else {
		t.printf("scope=status  name=%s value=%s\n", shown, total)
	}
	return exOK
}

// sumScores adds fail counts as scores: INFINITY wins.
func sumScores(vals []string) string {
	total := 0
	for _, v := range vals {
		switch strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(v), "+")) {
		case "INFINITY":
			return "INFINITY"
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err == nil {
			total += n
		}
	}
	if total >= engine.Infinity {
		return "INFINITY"
	}
	return strconv.Itoa(total)
}

// addPair adds the attribute o sets to set, with o's id or one made of
// the set's id and the name, as crm_attribute names it.
func addPair(set *etree.Element, o attrOpts) {
	id := o.id
	if id == "" {
		id = sanitizeID(set.SelectAttrValue("id", "") + "-" + o.name)
	}
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("id", id)
	nv.CreateAttr("name", o.name)
	nv.CreateAttr("value", o.value)
}
