package cib

import (
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Attribute sets of a resource, by their crm_resource names.
const (
	Meta        = "meta_attributes"
	Params      = "instance_attributes"
	Utilization = "utilization"
)

// Resource returns the resource element with this id, at any depth.
func (c *CIB) Resource(id string) *etree.Element { return c.resource(id) }

// ResolveTargets expands a tag into the resources it names; a resource id
// stands for itself.
func (c *CIB) ResolveTargets(id string) ([]string, error) {
	if c.resource(id) != nil {
		return []string{id}, nil
	}
	if tags := c.Section("tags", false); tags != nil {
		for _, t := range tags.SelectElements("tag") {
			if t.SelectAttrValue("id", "") == id {
				var out []string
				for _, r := range t.SelectElements("obj_ref") {
					out = append(out, r.SelectAttrValue("id", ""))
				}
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("no such resource: %s", id)
}

// SetResourceAttr sets NAME=VALUE in a resource's set of the given kind,
// as crm_resource does: in its first such set, or in a new one named
// RSC-KIND added at the end. It returns the ids of the nvpair and the set.
func (c *CIB) SetResourceAttr(rsc, kind, name, value string) (string, string, error) {
	return c.setResourceAttr(rsc, kind, name, value, false)
}

// SetResourceAttrFirst is SetResourceAttr for the commands crmsh applies
// itself (start, stop, manage, maintenance): a new set goes before a
// group's or clone's children.
func (c *CIB) SetResourceAttrFirst(rsc, kind, name, value string) (string, string, error) {
	return c.setResourceAttr(rsc, kind, name, value, true)
}

func (c *CIB) setResourceAttr(rsc, kind, name, value string, first bool) (string, string, error) {
	r := c.resource(rsc)
	if r == nil {
		return "", "", fmt.Errorf("no such resource: %s", rsc)
	}
	set := r.SelectElement(kind)
	if set == nil {
		set = etree.NewElement(kind)
		set.CreateAttr("id", rsc+"-"+kind)
		// At the end; with first, in a group before its members.
		at := len(r.Child)
		for _, ch := range r.ChildElements() {
			switch ch.Tag {
			case "primitive", "group", "clone", "master":
				if first && r.Tag == "group" && ch.Index() < at {
					at = ch.Index()
				}
			}
		}
		r.InsertChildAt(at, set)
	}
	setID := set.SelectAttrValue("id", "")
	for _, nv := range set.SelectElements("nvpair") {
		if nv.SelectAttrValue("name", "") == name {
			nv.CreateAttr("value", value)
			return nv.SelectAttrValue("id", ""), setID, nil
		}
	}
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("id", setID+"-"+name)
	nv.CreateAttr("name", name)
	nv.CreateAttr("value", value)
	return setID + "-" + name, setID, nil
}

// DeleteResourceAttr removes NAME from a resource's sets of a kind and
// returns the id of what it removed.
func (c *CIB) DeleteResourceAttr(rsc, kind, name string) (string, error) {
	r := c.resource(rsc)
	if r == nil {
		return "", fmt.Errorf("no such resource: %s", rsc)
	}
	if id, ok := removePair(r, kind, name); ok {
		return id, nil
	}
	return "", fmt.Errorf("%s has no %s %s", rsc, strings.TrimSuffix(kind, "_attributes"), name)
}

// ResourceAttr reads NAME from a resource's sets of a kind.
func (c *CIB) ResourceAttr(rsc, kind, name string) (string, bool) {
	return lookupPair(c.resource(rsc), kind, name)
}

// lookupPair reads NAME from e's sets of a kind (e may be nil).
func lookupPair(e *etree.Element, kind, name string) (string, bool) {
	if e == nil {
		return "", false
	}
	v, ok := NVPairs(e, kind)[name]
	return v, ok
}

// removePair deletes NAME from e's sets of a kind and returns its id.
func removePair(e *etree.Element, kind, name string) (string, bool) {
	for _, set := range e.SelectElements(kind) {
		for _, nv := range set.SelectElements("nvpair") {
			if nv.SelectAttrValue("name", "") == name {
				set.RemoveChild(nv)
				return nv.SelectAttrValue("id", ""), true
			}
		}
	}
	return "", false
}

// NVPairs reads the name=value pairs of e's sets of one kind
// (instance_attributes, meta_attributes, utilization).
func NVPairs(e *etree.Element, kind string) map[string]string {
	out := map[string]string{}
	for _, set := range e.SelectElements(kind) {
		for _, nv := range set.SelectElements("nvpair") {
			out[nv.SelectAttrValue("name", "")] = nv.SelectAttrValue("value", "")
		}
	}
	return out
}

// LifetimeFormat is how crm_resource writes the end of a constraint's
// lifetime.
const LifetimeFormat = "2006-01-02 15:04:05Z"

// Move adds the cli-prefer-RSC constraint crm_resource --move writes:
// INFINITY on node, or, with a lifetime, a rule that expires then. An
// earlier move constraint of the resource is replaced.
func (c *CIB) Move(rsc, node string, until time.Time) error {
	if c.resource(rsc) == nil {
		return fmt.Errorf("no such resource: %s", rsc)
	}
	id := "cli-prefer-" + rsc
	if old := c.FindID(id); old != nil {
		old.Parent().RemoveChild(old)
	}
	e := c.Section("constraints", true).CreateElement("rsc_location")
	e.CreateAttr("id", id)
	e.CreateAttr("rsc", rsc)
	e.CreateAttr("role", "Started")
	if until.IsZero() {
		e.CreateAttr("node", node)
		e.CreateAttr("score", "INFINITY")
		return nil
	}
	rule := e.CreateElement("rule")
	rule.CreateAttr("id", "cli-prefer-rule-"+rsc)
	rule.CreateAttr("score", "INFINITY")
	rule.CreateAttr("boolean-op", "and")
	ex := rule.CreateElement("expression")
	ex.CreateAttr("id", "cli-prefer-expr-"+rsc)
	ex.CreateAttr("attribute", "#uname")
	ex.CreateAttr("operation", "eq")
	ex.CreateAttr("value", node)
	ex.CreateAttr("type", "string")
	de := rule.CreateElement("date_expression")
	de.CreateAttr("id", "cli-prefer-lifetime-end-"+rsc)
	de.CreateAttr("operation", "lt")
	de.CreateAttr("end", until.UTC().Format(LifetimeFormat))
	return nil
}

// Ban adds cli-ban-RSC-on-NODE with -INFINITY, as crm_resource --ban.
func (c *CIB) Ban(rsc, node string) error {
	if c.resource(rsc) == nil {
		return fmt.Errorf("no such resource: %s", rsc)
	}
	id := "cli-ban-" + rsc + "-on-" + node
	if old := c.FindID(id); old != nil {
		old.Parent().RemoveChild(old)
	}
	e := c.Section("constraints", true).CreateElement("rsc_location")
	e.CreateAttr("id", id)
	e.CreateAttr("rsc", rsc)
	e.CreateAttr("role", "Started")
	e.CreateAttr("node", node)
	e.CreateAttr("score", "-INFINITY")
	return nil
}

// Clear removes the move and ban constraints of a resource and returns
// their ids.
func (c *CIB) Clear(rsc string) []string {
	var gone []string
	for _, con := range c.Section("constraints", true).SelectElements("rsc_location") {
		id := con.SelectAttrValue("id", "")
		if id == "cli-prefer-"+rsc || strings.HasPrefix(id, "cli-ban-"+rsc+"-on-") {
			con.Parent().RemoveChild(con)
			gone = append(gone, id)
		}
	}
	return gone
}

// HasNode reports whether a node of that name is declared.
func (c *CIB) HasNode(uname string) bool {
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		if n.SelectAttrValue("uname", "") == uname {
			return true
		}
	}
	return false
}

// Node returns the node element with this uname, or nil.
func (c *CIB) Node(uname string) *etree.Element {
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		if n.SelectAttrValue("uname", "") == uname {
			return n
		}
	}
	return nil
}

// SetNodeAttr sets a permanent node attribute as crm_attribute does: in
// the node's first set of the kind, or a new one with id setID. It
// returns the nvpair's id.
func (c *CIB) SetNodeAttr(uname, kind, setID, name, value string) (string, error) {
	n := c.Node(uname)
	if n == nil {
		return "", fmt.Errorf("no such node: %s", uname)
	}
	set := n.SelectElement(kind)
	if set == nil {
		set = n.CreateElement(kind)
		set.CreateAttr("id", setID)
	}
	sid := set.SelectAttrValue("id", "")
	for _, nv := range set.SelectElements("nvpair") {
		if nv.SelectAttrValue("name", "") == name {
			nv.CreateAttr("value", value)
			return nv.SelectAttrValue("id", ""), nil
		}
	}
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("id", sid+"-"+name)
	nv.CreateAttr("name", name)
	nv.CreateAttr("value", value)
	return sid + "-" + name, nil
}

// DeleteNodeAttr removes a permanent node attribute and returns its id.
func (c *CIB) DeleteNodeAttr(uname, kind, name string) (string, error) {
	n := c.Node(uname)
	if n == nil {
		return "", fmt.Errorf("no such node: %s", uname)
	}
	if id, ok := removePair(n, kind, name); ok {
		return id, nil
	}
	return "", fmt.Errorf("node %s has no attribute %s", uname, name)
}

// NodeAttr reads a permanent node attribute.
func (c *CIB) NodeAttr(uname, kind, name string) (string, bool) {
	return lookupPair(c.Node(uname), kind, name)
}
