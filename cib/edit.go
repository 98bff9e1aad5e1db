package cib

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/grammar"
)

// Erase removes the whole configuration but the nodes, or (nodes) only
// the nodes.
func (c *CIB) Erase(nodes bool) {
	conf := c.Configuration()
	for _, sec := range conf.ChildElements() {
		switch {
		case nodes && sec.Tag == "nodes":
			sec.Child = nil
		case !nodes && sec.Tag != "nodes":
			switch sec.Tag {
			case "crm_config", "resources", "constraints":
				sec.Child = nil
			default:
				conf.RemoveChild(sec)
			}
		}
	}
}

// Rename changes an object's id and every reference to it.
func (c *CIB) Rename(from, to string) error {
	e := c.FindID(from)
	if e == nil {
		return fmt.Errorf("object %s does not exist", from)
	}
	if c.FindID(to) != nil {
		return fmt.Errorf("%s: id is already in use", to)
	}
	if !validID(to) {
		return verifyErr("%q is not a valid id", to)
	}
	e.CreateAttr("id", to)
	for _, con := range c.Section("constraints", true).ChildElements() {
		for _, attr := range []string{"rsc", "with-rsc", "first", "then"} {
			if con.SelectAttrValue(attr, "") == from {
				con.CreateAttr(attr, to)
				c.notes = append(c.notes, fmt.Sprintf("modified %s:%s from %s to %s", kindOf(con.Tag), con.SelectAttrValue("id", ""), from, to))
			}
		}
	}
	for _, ref := range c.Configuration().FindElements(".//resource_ref") {
		if ref.SelectAttrValue("id", "") == from {
			ref.CreateAttr("id", to)
		}
	}
	for _, ref := range c.Configuration().FindElements(".//obj_ref") {
		if ref.SelectAttrValue("id", "") == from {
			ref.CreateAttr("id", to)
		}
	}
	for _, p := range c.Configuration().FindElements(".//primitive") {
		if p.SelectAttrValue("template", "") == from {
			p.CreateAttr("template", to)
		}
	}
	return nil
}

var idRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func validID(s string) bool { return idRE.MatchString(s) }

// SetPath sets a value by crmsh's path: ID.NAME (a parameter, meta
// attribute, utilization or attribute of the object), ID.OP.NAME or
// ID.OP.INTERVAL.NAME (an attribute of an operation).
func (c *CIB) SetPath(path, value string) error {
	parts := strings.Split(path, ".")
	if len(parts) < 2 {
		return fmt.Errorf("set: %q is not ID.NAME, ID.OP.NAME or ID.OP.INTERVAL.NAME", path)
	}
	e := c.FindID(parts[0])
	if e == nil {
		return fmt.Errorf("set: object %s does not exist", parts[0])
	}
	if len(parts) == 2 {
		name := parts[1]
		for _, tag := range []string{"instance_attributes", "meta_attributes", "utilization"} {
			for _, set := range e.SelectElements(tag) {
				for _, nv := range set.SelectElements("nvpair") {
					if nv.SelectAttrValue("name", "") == name {
						nv.CreateAttr("value", value)
						return nil
					}
				}
			}
		}
		if e.SelectAttr(name) != nil && name != "id" {
			e.CreateAttr(name, value)
			return nil
		}
		// A new parameter, as crmsh adds it.
		set := e.SelectElement("instance_attributes")
		if set == nil {
			set = etree.NewElement("instance_attributes")
			set.CreateAttr("id", parts[0]+"-instance_attributes")
			e.InsertChildAt(0, set)
		}
		addNVPair(set, set.SelectAttrValue("id", ""), name, value)
		return nil
	}
	opName, interval, attr := parts[1], "", parts[len(parts)-1]
	if len(parts) == 4 {
		interval = parts[2]
	}
	for _, op := range e.FindElements("operations/op") {
		if op.SelectAttrValue("name", "") == opName && (interval == "" || op.SelectAttrValue("interval", "") == interval) {
			op.CreateAttr(attr, value)
			return nil
		}
	}
	return fmt.Errorf("set: %s has no operation %s %s", parts[0], opName, interval)
}

// Update applies statements as `load update` does: an object whose id
// already exists is replaced by the new definition.
func (c *CIB) Update(stmts []*grammar.Statement) error {
	c.ids = map[string]*etree.Element{}
	c.index(c.Configuration())
	defer func() { c.ids = nil }()
	for _, st := range stmts {
		id := definedID(st)
		var parent *etree.Element
		idx := -1
		if id != "" {
			if old := c.topLevel(id); old != nil && old.Parent() != nil {
				parent, idx = old.Parent(), old.Index()
				parent.RemoveChild(old)
			}
		}
		if err := c.Apply(st); err != nil {
			return err
		}
		c.reindexAfter()
		// The new definition takes the old one's place.
		if parent != nil {
			if e := c.topLevel(id); e != nil && e.Parent() == parent {
				parent.RemoveChild(e)
				parent.InsertChildAt(min(idx, len(parent.Child)), e)
			}
		}
	}
	return nil
}

func definedID(st *grammar.Statement) string {
	switch {
	case st.Primitive != nil:
		return st.Primitive.ID
	case st.Group != nil:
		return st.Group.ID
	case st.Clone != nil:
		return st.Clone.ID
	case st.Location != nil:
		return st.Location.ID
	case st.Colocation != nil:
		return st.Colocation.ID
	case st.Order != nil:
		return st.Order.ID
	case st.Ticket != nil:
		return st.Ticket.ID
	}
	return ""
}

// reindexAfter indexes what a statement may have added: the last object
// of resources and constraints, and the small sections whole.
func (c *CIB) reindexAfter() {
	for _, sec := range c.Configuration().ChildElements() {
		switch sec.Tag {
		case "resources", "constraints":
			for i := len(sec.Child) - 1; i >= 0; i-- {
				if e, ok := sec.Child[i].(*etree.Element); ok {
					c.index(e)
					break
				}
			}
		default:
			c.index(sec)
		}
	}
}

// Upgrade moves the document to the newest schema Pacer writes
// (pacemaker-3.9). Documents of the pacemaker-3.x family differ from it
// only in what they allow, so the version is raised; older ones need
// Pacemaker's XSL transformations, which Pacer does not carry.
func (c *CIB) Upgrade() (bool, error) {
	cur := c.Attr("validate-with")
	if cur == ValidateWith {
		return false, nil
	}
	var major, minor int
	if _, err := fmt.Sscanf(cur, "pacemaker-%d.%d", &major, &minor); err != nil {
		return false, fmt.Errorf("upgrade: unknown schema %q", cur)
	}
	switch {
	case major < 3:
		return false, fmt.Errorf("upgrade: the schema %s predates pacemaker-3.0; upgrade it on a Pacemaker node with 'cibadmin --upgrade --force', then load it here", cur)
	case major > 3 || minor > 9:
		return false, fmt.Errorf("upgrade: the schema %s is newer than Pacer's %s", cur, ValidateWith)
	}
	c.SetAttr("validate-with", ValidateWith)
	return true, nil
}

// UpdateXML merges the configuration of another CIB, as load update does
// with an XML file: each object replaces the one with its id, or is added
// to its section; cluster option sets merge name by name.
func (c *CIB) UpdateXML(other *CIB) {
	for _, sec := range other.Configuration().ChildElements() {
		mine := c.Section(sec.Tag, true)
		for _, obj := range sec.ChildElements() {
			id := obj.SelectAttrValue("id", "")
			var old *etree.Element
			for _, e := range mine.ChildElements() {
				if id != "" && e.Tag == obj.Tag && e.SelectAttrValue("id", "") == id {
					old = e
				}
			}
			if old == nil && id != "" {
				if e := c.FindID(id); e != nil && e.Parent() != nil && e.Parent().Tag != "constraints" {
					old = e // e.g. a primitive that now stands in a group
				}
			}
			switch {
			case old != nil && (obj.Tag == "cluster_property_set" || obj.Tag == "meta_attributes"):
				for _, nv := range obj.SelectElements("nvpair") {
					setPair(old, nv.SelectAttrValue("name", ""), nv.SelectAttrValue("value", ""))
				}
			case old != nil:
				parent, idx := old.Parent(), old.Index()
				parent.RemoveChild(old)
				parent.InsertChildAt(idx, obj.Copy())
			default:
				mine.AddChild(obj.Copy())
			}
		}
	}
}
