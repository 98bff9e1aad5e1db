package cib

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/grammar"
)

// Apply adds the object a crm configure statement describes, with the
// element layout and ids crmsh 4.4.1 gives it. Nothing changes on error.
func (c *CIB) Apply(s *grammar.Statement) error {
	switch {
	case s.Primitive != nil:
		return c.applyPrimitive(s.Primitive)
	case s.Property != nil:
		return c.applyNVSet("crm_config", "cluster_property_set", setName(s.Property.Set, s.Property.Pairs, "cib-bootstrap-options"), s.Property.Pairs)
	case s.RscDefaults != nil:
		return c.applyNVSet("rsc_defaults", "meta_attributes", setName(s.RscDefaults.Set, s.RscDefaults.Pairs, "rsc-options"), s.RscDefaults.Pairs)
	case s.OpDefaults != nil:
		return c.applyNVSet("op_defaults", "meta_attributes", setName(s.OpDefaults.Set, s.OpDefaults.Pairs, "op-options"), s.OpDefaults.Pairs)
	case s.Location != nil:
		return c.applyLocation(s.Location)
	}
	return fmt.Errorf("%s: not supported yet", s.Keyword())
}

func setName(score string, pairs []grammar.NVPair, def string) string {
	for _, p := range pairs {
		if p.Key == "$id" {
			return p.Value
		}
	}
	if score != "" {
		return strings.TrimSuffix(score, ":")
	}
	return def
}

func (c *CIB) idInUse(id string) bool {
	return c.FindID(id) != nil
}

// ParseAgentName reads class:provider:type, class:type, or a bare type
// (which crmsh takes as ocf:heartbeat:TYPE).
func ParseAgentName(s string) (class, provider, typ string, err error) {
	p := strings.Split(s, ":")
	switch {
	case len(p) == 1 && p[0] != "":
		return "ocf", "heartbeat", p[0], nil
	case len(p) == 2 && p[0] != "" && p[1] != "" && p[0] != "ocf":
		return p[0], "", p[1], nil
	case len(p) == 3 && p[0] == "ocf" && p[1] != "" && p[2] != "":
		return p[0], p[1], p[2], nil
	}
	return "", "", "", fmt.Errorf("%q is not an agent name (class:provider:type, class:type or type)", s)
}

func (c *CIB) applyPrimitive(p *grammar.Primitive) error {
	if c.idInUse(p.ID) {
		return fmt.Errorf("primitive %s: the id %s is already in use", p.ID, p.ID)
	}
	class, provider, typ, err := ParseAgentName(p.Agent)
	if err != nil {
		return fmt.Errorf("primitive %s: %w", p.ID, err)
	}
	e := etree.NewElement("primitive")
	e.CreateAttr("id", p.ID)
	e.CreateAttr("class", class)
	if provider != "" {
		e.CreateAttr("provider", provider)
	}
	e.CreateAttr("type", typ)
	// crmsh writes the lists in this order, whatever order they were typed in.
	for _, kind := range []struct{ word, tag string }{{"params", "instance_attributes"}, {"meta", "meta_attributes"}, {"utilization", "utilization"}} {
		var pairs []grammar.NVPair
		for _, sec := range p.Sections {
			if sec.Kind == kind.word {
				pairs = append(pairs, sec.Pairs...)
			}
		}
		if len(pairs) == 0 {
			continue
		}
		id := setName("", pairs, p.ID+"-"+kind.tag)
		set := e.CreateElement(kind.tag)
		set.CreateAttr("id", id)
		for _, nv := range pairs {
			if strings.HasPrefix(nv.Key, "$") {
				continue
			}
			addNVPair(set, id, nv.Key, nv.Value)
		}
	}
	var ops *etree.Element
	seen := map[string]bool{}
	for _, sec := range p.Sections {
		if sec.Op == nil {
			continue
		}
		if ops == nil {
			ops = e.CreateElement("operations")
		}
		op := ops.CreateElement("op")
		op.CreateAttr("name", sec.Op.Name)
		interval := ""
		for _, a := range sec.Op.Attrs {
			if a.Key == "interval" {
				interval = a.Value
			}
			if a.Key != "$id" {
				op.CreateAttr(a.Key, a.Value)
			}
		}
		if interval == "" {
			interval = "0"
			op.CreateAttr("interval", "0")
		}
		id := setName("", sec.Op.Attrs, fmt.Sprintf("%s-%s-%s", p.ID, sec.Op.Name, interval))
		if seen[id] || c.idInUse(id) {
			return fmt.Errorf("primitive %s: operation %s with interval %s is given twice", p.ID, sec.Op.Name, interval)
		}
		seen[id] = true
		op.CreateAttr("id", id)
	}
	c.Section("resources", true).AddChild(e)
	return nil
}

func addNVPair(set *etree.Element, setID, name, value string) {
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("name", name)
	nv.CreateAttr("value", value)
	nv.CreateAttr("id", setID+"-"+name)
}

// applyNVSet sets name=value pairs in a named set of a section, creating
// both as needed (property, rsc_defaults, op_defaults).
func (c *CIB) applyNVSet(section, tag, id string, pairs []grammar.NVPair) error {
	sec := c.Section(section, true)
	var set *etree.Element
	for _, s := range sec.SelectElements(tag) {
		if s.SelectAttrValue("id", "") == id {
			set = s
		}
	}
	if set == nil {
		if c.idInUse(id) {
			return fmt.Errorf("the id %s is already in use", id)
		}
		set = sec.CreateElement(tag)
		set.CreateAttr("id", id)
	}
	for _, p := range pairs {
		if strings.HasPrefix(p.Key, "$") {
			continue
		}
		found := false
		for _, nv := range set.SelectElements("nvpair") {
			if nv.SelectAttrValue("name", "") == p.Key {
				nv.CreateAttr("value", p.Value)
				found = true
			}
		}
		if !found {
			addNVPair(set, id, p.Key, p.Value)
		}
	}
	return nil
}

// NormalizeScore writes a score as Pacemaker stores it.
func NormalizeScore(s string) (string, error) {
	s = strings.TrimSuffix(s, ":")
	switch strings.ToLower(s) {
	case "inf", "+inf", "infinity", "+infinity":
		return "INFINITY", nil
	case "-inf", "-infinity":
		return "-INFINITY", nil
	}
	if scoreRE.MatchString(s) {
		return strings.TrimPrefix(s, "+"), nil
	}
	return "", fmt.Errorf("%q is not a score (an integer, inf or -inf)", s+":")
}

var scoreRE = regexp.MustCompile(`^[+-]?[0-9]+$`)

func (c *CIB) applyLocation(l *grammar.Location) error {
	if c.idInUse(l.ID) {
		return fmt.Errorf("location %s: the id %s is already in use", l.ID, l.ID)
	}
	if !c.isResource(l.Resource) {
		return fmt.Errorf("location %s: no such resource %s", l.ID, l.Resource)
	}
	score, err := NormalizeScore(l.Score)
	if err != nil {
		return fmt.Errorf("location %s: %w", l.ID, err)
	}
	e := c.Section("constraints", true).CreateElement("rsc_location")
	e.CreateAttr("id", l.ID)
	e.CreateAttr("rsc", l.Resource)
	e.CreateAttr("score", score)
	e.CreateAttr("node", l.Node)
	return nil
}

func (c *CIB) isResource(id string) bool {
	for _, r := range c.Section("resources", true).ChildElements() {
		if r.SelectAttrValue("id", "") == id {
			return true
		}
	}
	return false
}

// Delete removes top-level objects (resources, constraints) by id, and the
// constraints that would be left naming a deleted resource. It returns a
// note per dependent deletion; on error nothing is removed.
func (c *CIB) Delete(ids ...string) ([]string, error) {
	var targets []*etree.Element
	for _, id := range ids {
		e := c.topLevel(id)
		if e == nil {
			return nil, fmt.Errorf("no such resource or constraint: %s", id)
		}
		targets = append(targets, e)
	}
	var notes []string
	for _, e := range targets {
		id := e.SelectAttrValue("id", "")
		if e.Parent() == c.Section("resources", true) {
			for _, con := range c.Section("constraints", true).ChildElements() {
				if con.SelectAttrValue("rsc", "") == id {
					notes = append(notes, fmt.Sprintf("hanging %s:%s deleted", kindOf(con.Tag), con.SelectAttrValue("id", "")))
					con.Parent().RemoveChild(con)
				}
			}
		}
		e.Parent().RemoveChild(e)
	}
	return notes, nil
}

func (c *CIB) topLevel(id string) *etree.Element {
	for _, sec := range []string{"resources", "constraints"} {
		for _, e := range c.Section(sec, true).ChildElements() {
			if e.SelectAttrValue("id", "") == id {
				return e
			}
		}
	}
	return nil
}

func kindOf(tag string) string {
	switch tag {
	case "rsc_location":
		return "location"
	case "rsc_colocation":
		return "colocation"
	case "rsc_order":
		return "order"
	}
	return tag
}

// Show renders the configuration (or the objects named by ids) in crm
// syntax, as `crm configure show` prints it.
func (c *CIB) Show(ids ...string) (string, error) {
	var objs []string
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	add := func(id, text string) {
		if len(ids) == 0 || want[id] {
			objs = append(objs, text)
			delete(want, id)
		}
	}
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		id, uname := n.SelectAttrValue("id", ""), n.SelectAttrValue("uname", "")
		head := "node " + id + ": " + uname
		if id == uname || uname == "" {
			head = "node " + id
			if uname != "" {
				head = "node " + uname
			}
		}
		var lines []string
		for _, tag := range []string{"instance_attributes", "utilization"} {
			word := map[string]string{"instance_attributes": "attributes", "utilization": "utilization"}[tag]
			for _, set := range n.SelectElements(tag) {
				lines = append(lines, strings.TrimSpace(word+" "+pairsText(set)))
			}
		}
		add(uname, continued(head, lines))
	}
	for _, r := range c.Section("resources", true).ChildElements() {
		if r.Tag != "primitive" {
			continue
		}
		add(r.SelectAttrValue("id", ""), primitiveText(r))
	}
	cons := c.Section("constraints", true).ChildElements()
	sort.SliceStable(cons, func(i, j int) bool { return cons[i].SelectAttrValue("id", "") < cons[j].SelectAttrValue("id", "") })
	for _, con := range cons {
		if con.Tag == "rsc_location" && con.SelectAttrValue("node", "") != "" {
			add(con.SelectAttrValue("id", ""), fmt.Sprintf("location %s %s %s: %s", con.SelectAttrValue("id", ""), con.SelectAttrValue("rsc", ""),
				showScore(con.SelectAttrValue("score", "0")), con.SelectAttrValue("node", "")))
		}
	}
	for _, s := range []struct{ section, tag, word string }{{"crm_config", "cluster_property_set", "property"}, {"rsc_defaults", "meta_attributes", "rsc_defaults"}, {"op_defaults", "meta_attributes", "op_defaults"}} {
		sec := c.Section(s.section, false)
		if sec == nil {
			continue
		}
		for _, set := range sec.SelectElements(s.tag) {
			id := set.SelectAttrValue("id", "")
			var lines []string
			for _, nv := range set.SelectElements("nvpair") {
				lines = append(lines, nv.SelectAttrValue("name", "")+"="+showValue(nv.SelectAttrValue("value", "")))
			}
			add(id, continued(s.word+" "+id+":", lines))
		}
	}
	for id := range want {
		return "", fmt.Errorf("no such object: %s", id)
	}
	if len(objs) == 0 {
		return "", nil
	}
	return strings.Join(objs, "\n") + "\n", nil
}

// continued joins a head and its lines with crmsh's " \" + newline + tab.
func continued(head string, lines []string) string {
	if len(lines) == 0 {
		return head
	}
	return head + " \\\n\t" + strings.Join(lines, " \\\n\t")
}

func primitiveText(r *etree.Element) string {
	class, provider, typ := r.SelectAttrValue("class", ""), r.SelectAttrValue("provider", ""), r.SelectAttrValue("type", "")
	agent := class + ":" + typ
	switch {
	case class == "ocf" && provider == "heartbeat":
		agent = typ
	case provider != "":
		agent = class + ":" + provider + ":" + typ
	}
	var lines []string
	for _, s := range []struct{ tag, word string }{{"instance_attributes", "params"}, {"meta_attributes", "meta"}, {"utilization", "utilization"}} {
		for _, set := range r.SelectElements(s.tag) {
			lines = append(lines, s.word+" "+pairsText(set))
		}
	}
	for _, ops := range r.SelectElements("operations") {
		for _, op := range ops.SelectElements("op") {
			parts := []string{"op", op.SelectAttrValue("name", "")}
			for _, a := range op.Attr {
				if a.Key != "id" && a.Key != "name" {
					parts = append(parts, a.Key+"="+showValue(a.Value))
				}
			}
			lines = append(lines, strings.Join(parts, " "))
		}
	}
	return continued("primitive "+r.SelectAttrValue("id", "")+" "+agent, lines)
}

func pairsText(set *etree.Element) string {
	var parts []string
	for _, nv := range set.SelectElements("nvpair") {
		parts = append(parts, nv.SelectAttrValue("name", "")+"="+showValue(nv.SelectAttrValue("value", "")))
	}
	return strings.Join(parts, " ")
}

var plainValue = regexp.MustCompile(`^[A-Za-z0-9_.:,+@%-]+$`)

// showValue quotes values the way crmsh does: plain words stay bare.
func showValue(v string) string {
	if plainValue.MatchString(v) {
		return v
	}
	return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
}

func showScore(s string) string {
	switch s {
	case "INFINITY", "+INFINITY":
		return "inf"
	case "-INFINITY":
		return "-inf"
	}
	return s
}
