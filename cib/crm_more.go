package cib

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/grammar"
)

// applyNode declares a node, or adds attributes to a declared one.
func (c *CIB) applyNode(n *grammar.Node) error {
	uname := strings.TrimSuffix(n.Name, ":")
	typ := ""
	if u, t, ok := strings.Cut(uname, ":"); ok {
		uname, typ = u, t
	}
	id := uname
	if n.ID != "" {
		id = strings.TrimSuffix(n.ID, ":") // the "node ID: NAME" form show prints
	}
	for _, a := range n.IDSpec {
		if a.Key == "$id" {
			id = a.Value
		}
	}
	nodes := c.Section("nodes", true)
	var e *etree.Element
	for _, x := range nodes.SelectElements("node") {
		if x.SelectAttrValue("uname", "") == uname {
			e = x
		}
	}
	if e == nil {
		if c.idInUse(id) {
			return fmt.Errorf("node %s: the id %s is already in use", uname, id)
		}
		e = nodes.CreateElement("node")
		e.CreateAttr("id", id)
		e.CreateAttr("uname", uname)
		if typ != "" {
			e.CreateAttr("type", typ)
		}
	}
	for _, sec := range n.Sections {
		tag := map[string]string{"attributes": "instance_attributes", "params": "instance_attributes", "utilization": "utilization"}[sec.Kind]
		if tag == "" {
			return fmt.Errorf("node %s: %q does not apply to a node (attributes, utilization)", uname, sec.Kind)
		}
		set := e.SelectElement(tag)
		if set == nil {
			set = e.CreateElement(tag)
			set.CreateAttr("id", uname+"-"+tag)
		}
		for _, nv := range sec.Pairs {
			setPair(set, nv.Key, nv.Value)
		}
	}
	return nil
}

func setPair(set *etree.Element, name, value string) {
	for _, nv := range set.SelectElements("nvpair") {
		if nv.SelectAttrValue("name", "") == name {
			nv.CreateAttr("value", value)
			return
		}
	}
	addNVPair(set, set.SelectAttrValue("id", ""), name, value)
}

func (c *CIB) applyTag(t *grammar.Tag) error {
	id := strings.TrimSuffix(t.ID, ":")
	if c.idInUse(id) {
		return fmt.Errorf("tag %s: the id %s is already in use", id, id)
	}
	e := c.Section("tags", true).CreateElement("tag")
	e.CreateAttr("id", id)
	for _, r := range t.Refs {
		e.CreateElement("obj_ref").CreateAttr("id", r)
	}
	return nil
}

func (c *CIB) applyTicket(t *grammar.Ticket) error {
	if c.idInUse(t.ID) {
		return fmt.Errorf("rsc_ticket %s: the id %s is already in use", t.ID, t.ID)
	}
	sets, attrs := parseSets(t.Items)
	if err := c.checkRefs("rsc_ticket", t.ID, sets, roles, "a role"); err != nil {
		return err
	}
	e := etree.NewElement("rsc_ticket")
	e.CreateAttr("id", t.ID)
	e.CreateAttr("ticket", strings.TrimSuffix(t.Ticket, ":"))
	for _, a := range attrs {
		e.CreateAttr(a[0], a[1])
	}
	if len(sets) == 1 && sets[0].bracket == "" && len(sets[0].refs) == 1 {
		rsc, role := splitRef(sets[0].refs[0])
		e.CreateAttr("rsc", rsc)
		if role != "" {
			e.CreateAttr("rsc-role", role)
		}
	} else {
		for i, rs := range sets {
			e.AddChild(setElement(fmt.Sprintf("%s-%d", t.ID, i), rs))
		}
	}
	c.Section("constraints", true).AddChild(e)
	return nil
}

// applyFencing replaces the fencing topology. Targets are "node:",
// "attr:NAME=VALUE" or "pattern:REGEX"; without any target the levels
// apply to every node.
func (c *CIB) applyFencing(f *grammar.Fencing) error {
	type level struct {
		target  [][2]string
		devices string
	}
	var levels []level
	var target [][2]string
	anyTarget := false
	for _, it := range f.Items {
		switch {
		case strings.HasSuffix(it, ":") && !strings.Contains(it, "="):
			target, anyTarget = [][2]string{{"target", strings.TrimSuffix(it, ":")}}, true
		case strings.HasPrefix(it, "attr:"):
			k, v, _ := strings.Cut(strings.TrimPrefix(it, "attr:"), "=")
			target, anyTarget = [][2]string{{"target-attribute", k}, {"target-value", v}}, true
		case strings.HasPrefix(it, "pattern:"):
			target, anyTarget = [][2]string{{"target-pattern", strings.TrimPrefix(it, "pattern:")}}, true
		default:
			levels = append(levels, level{target: target, devices: it})
		}
	}
	if anyTarget && len(levels) > 0 && levels[0].target == nil {
		return fmt.Errorf("fencing_topology: levels before the first target")
	}
	if !anyTarget {
		var all []level
		for _, n := range c.Section("nodes", true).SelectElements("node") {
			for _, l := range levels {
				all = append(all, level{target: [][2]string{{"target", n.SelectAttrValue("uname", "")}}, devices: l.devices})
			}
		}
		levels = all
	}
	if old := c.Section("fencing-topology", false); old != nil {
		old.Parent().RemoveChild(old)
	}
	top := c.Section("fencing-topology", true)
	index := map[string]int{}
	for i, l := range levels {
		e := top.CreateElement("fencing-level")
		key := fmt.Sprint(l.target)
		index[key]++
		if l.target[0][0] == "target" {
			e.CreateAttr("target", l.target[0][1])
		}
		e.CreateAttr("index", strconv.Itoa(index[key]))
		e.CreateAttr("devices", l.devices)
		for _, t := range l.target {
			if t[0] != "target" {
				e.CreateAttr(t[0], t[1])
			}
		}
		id := "fencing"
		if i > 0 {
			id = fmt.Sprintf("fencing-%d", i-1)
		}
		e.CreateAttr("id", id)
	}
	return nil
}

func (c *CIB) applyAlert(a *grammar.Alert) error {
	if c.idInUse(a.ID) {
		return fmt.Errorf("alert %s: the id %s is already in use", a.ID, a.ID)
	}
	e := etree.NewElement("alert")
	e.CreateAttr("id", a.ID)
	e.CreateAttr("path", a.Path)
	cur := e   // where meta/attributes go: the alert or its last recipient
	mode := "" // the keyword whose words follow
	var sel, selAttrs *etree.Element
	recipients := 0
	nattr := 0
	for _, it := range a.Items {
		if mode == "select" && it == "attributes" {
			selAttrs, mode = sel.CreateElement("select_attributes"), "select-attrs"
			continue
		}
		switch it {
		case "meta", "attributes":
			mode = it
			continue
		case "select":
			sel, mode = e.CreateElement("select"), "select"
			continue
		case "to":
			mode = "to"
			continue
		case "{", "}":
			if it == "}" && mode == "select-attrs" {
				mode = "select"
			}
			continue
		}
		switch mode {
		case "meta", "attributes":
			k, v, ok := strings.Cut(it, "=")
			if !ok {
				return fmt.Errorf("alert %s: expected key=value after %s, got %q", a.ID, mode, it)
			}
			tag := map[string]string{"meta": "meta_attributes", "attributes": "instance_attributes"}[mode]
			set := cur.SelectElement(tag)
			if set == nil {
				set = cur.CreateElement(tag)
				set.CreateAttr("id", cur.SelectAttrValue("id", "")+"-"+tag)
			}
			addNVPair(set, set.SelectAttrValue("id", ""), k, v)
		case "select":
			if it == "attributes" {
				selAttrs, mode = sel.CreateElement("select_attributes"), "select-attrs"
				continue
			}
			sel.CreateElement("select_" + it)
		case "select-attrs":
			at := selAttrs.CreateElement("attribute")
			at.CreateAttr("name", it)
			at.CreateAttr("id", fmt.Sprintf("%s-%d", a.ID, nattr))
			nattr++
		case "to":
			recipients++
			cur = e.CreateElement("recipient")
			cur.CreateAttr("id", fmt.Sprintf("%s-recipient-%d", a.ID, recipients))
			cur.CreateAttr("value", it)
			mode = ""
		default:
			return fmt.Errorf("alert %s: unexpected %q (expected meta, attributes, select or to)", a.ID, it)
		}
	}
	c.Section("alerts", true).AddChild(e)
	return nil
}

// The show forms of the objects above.

func nodeText(n *etree.Element) string {
	id, uname := n.SelectAttrValue("id", ""), n.SelectAttrValue("uname", "")
	head := "node " + id + ": " + uname
	if id == uname || uname == "" {
		head = "node " + id
	}
	var lines []string
	for _, ch := range n.ChildElements() {
		switch ch.Tag {
		case "instance_attributes":
			lines = append(lines, strings.TrimSpace("attributes "+pairsText(ch)))
		case "utilization":
			lines = append(lines, strings.TrimSpace("utilization "+pairsText(ch)))
		}
	}
	return continued(head, lines)
}

func tagText(t *etree.Element) string {
	var refs []string
	for _, r := range t.SelectElements("obj_ref") {
		refs = append(refs, r.SelectAttrValue("id", ""))
	}
	return "tag " + t.SelectAttrValue("id", "") + " " + strings.Join(refs, " ")
}

func ticketText(t *etree.Element) string {
	a := func(k string) string { return t.SelectAttrValue(k, "") }
	body := setsText(t)
	if a("rsc") != "" {
		body = a("rsc")
		if a("rsc-role") != "" {
			body += ":" + a("rsc-role")
		}
	}
	var extra []string
	for _, at := range t.Attr {
		switch at.Key {
		case "id", "ticket", "rsc", "rsc-role":
		default:
			extra = append(extra, at.Key+"="+showValue(at.Value))
		}
	}
	return strings.TrimSpace(fmt.Sprintf("rsc_ticket %s %s: %s %s", a("id"), a("ticket"), body, strings.Join(extra, " ")))
}

// fencingText prints the topology; when every node has the same levels it
// uses the short form without targets.
func (c *CIB) fencingText(top *etree.Element) string {
	type target struct {
		name   string
		levels []string
	}
	var order []*target
	by := map[string]*target{}
	for _, l := range top.SelectElements("fencing-level") {
		name := l.SelectAttrValue("target", "")
		switch {
		case l.SelectAttrValue("target-attribute", "") != "":
			name = "attr:" + l.SelectAttrValue("target-attribute", "") + "=" + l.SelectAttrValue("target-value", "")
		case l.SelectAttrValue("target-pattern", "") != "":
			name = "pattern:" + l.SelectAttrValue("target-pattern", "")
		default:
			name += ":"
		}
		t := by[name]
		if t == nil {
			t = &target{name: name}
			by[name] = t
			order = append(order, t)
		}
		t.levels = append(t.levels, l.SelectAttrValue("devices", ""))
	}
	nodes := c.Section("nodes", true).SelectElements("node")
	same := len(order) == len(nodes) && len(order) > 0
	for _, n := range nodes {
		t := by[n.SelectAttrValue("uname", "")+":"]
		same = same && t != nil && strings.Join(t.levels, " ") == strings.Join(order[0].levels, " ")
	}
	if same {
		return "fencing_topology " + strings.Join(order[0].levels, " ")
	}
	var lines []string
	for _, t := range order {
		lines = append(lines, t.name+" "+strings.Join(t.levels, " "))
	}
	return continued("fencing_topology", lines)
}

func alertText(a *etree.Element) string {
	var lines []string
	add := func(e *etree.Element) []string {
		var out []string
		for _, s := range []struct{ tag, word string }{{"meta_attributes", "meta"}, {"instance_attributes", "attributes"}} {
			for _, set := range e.SelectElements(s.tag) {
				out = append(out, s.word+" "+pairsText(set))
			}
		}
		return out
	}
	lines = append(lines, add(a)...)
	for _, sel := range a.SelectElements("select") {
		parts := []string{"select"}
		for _, ch := range sel.ChildElements() {
			kind := strings.TrimPrefix(ch.Tag, "select_")
			if kind == "attributes" {
				var names []string
				for _, at := range ch.SelectElements("attribute") {
					names = append(names, at.SelectAttrValue("name", ""))
				}
				parts = append(parts, "attributes { "+strings.Join(names, " ")+" }")
				continue
			}
			parts = append(parts, kind)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	for _, r := range a.SelectElements("recipient") {
		lines = append(lines, strings.TrimSpace("to "+showValue(r.SelectAttrValue("value", ""))+" "+strings.Join(add(r), " ")))
	}
	return continued("alert "+a.SelectAttrValue("id", "")+" "+`"`+a.SelectAttrValue("path", "")+`"`, lines)
}

func sortByID(list []*etree.Element) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].SelectAttrValue("id", "") < list[j].SelectAttrValue("id", "") })
}
