package cib

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Problem is something that makes the configuration invalid.
type Problem struct {
	Object string // the id of the object at fault
	Msg    string
}

func (p Problem) String() string { return p.Object + ": " + p.Msg }

// Verify checks what the schema and Pacemaker would refuse: references to
// resources, templates, devices and objects that do not exist, and scores
// that are not scores. Agents are checked by the caller, who knows where
// they live.
func (c *CIB) Verify() []Problem {
	var out []Problem
	// One pass over the resources, not one per reference.
	resources := map[string]bool{}
	for _, r := range c.Section("resources", true).FindElements(".//*[@id]") {
		switch r.Tag {
		case "primitive", "group", "clone", "master", "bundle", "template":
			resources[r.SelectAttrValue("id", "")] = true
		}
	}
	isResource := func(id string) bool { return resources[id] }
	bad := func(id, format string, args ...any) {
		out = append(out, Problem{Object: id, Msg: fmt.Sprintf(format, args...)})
	}
	for _, p := range c.Section("resources", true).FindElements(".//primitive") {
		if t := p.SelectAttrValue("template", ""); t != "" {
			if e := c.FindID(t); e == nil || e.Tag != "template" {
				bad(p.SelectAttrValue("id", ""), "no such rsc_template %s", t)
			}
		}
	}
	seen := map[string]string{}
	for _, e := range c.Configuration().FindElements(".//*[@id]") {
		if e.Tag == "resource_ref" || e.Tag == "obj_ref" || (e.Tag == "role" && e.Parent() != nil && e.Parent().Tag != "acls") {
			continue
		}
		id := e.SelectAttrValue("id", "")
		if prev, dup := seen[id]; dup {
			bad(id, "the id is used twice (a %s and a %s)", prev, e.Tag)
		}
		seen[id] = e.Tag
	}
	for _, e := range c.Configuration().FindElements(".//*[@id-ref]") {
		if ref := e.SelectAttrValue("id-ref", ""); c.FindID(ref) == nil {
			owner := e.Parent().SelectAttrValue("id", "")
			bad(owner, "%s $id-ref=%s: no such %s", e.Tag, ref, e.Tag)
		}
	}
	for _, con := range c.Section("constraints", true).ChildElements() {
		id := con.SelectAttrValue("id", "")
		for _, attr := range []string{"rsc", "with-rsc", "first", "then"} {
			if r := con.SelectAttrValue(attr, ""); r != "" && !isResource(r) {
				bad(id, "resource %s does not exist", r)
			}
		}
		for _, ref := range con.FindElements(".//resource_ref") {
			if r := ref.SelectAttrValue("id", ""); !isResource(r) {
				bad(id, "resource %s does not exist", r)
			}
		}
		if s := con.SelectAttr("score"); s != nil && !validScore(s.Value) {
			bad(id, "%q is not a score (an integer, INFINITY or -INFINITY)", s.Value)
		}
		for _, r := range con.FindElements(".//rule") {
			if s := r.SelectAttr("score"); s != nil && !validScore(s.Value) {
				bad(id, "%q is not a score", s.Value)
			}
		}
	}
	if tags := c.Section("tags", false); tags != nil {
		for _, t := range tags.SelectElements("tag") {
			for _, r := range t.SelectElements("obj_ref") {
				if c.FindID(r.SelectAttrValue("id", "")) == nil {
					bad(t.SelectAttrValue("id", ""), "object %s does not exist", r.SelectAttrValue("id", ""))
				}
			}
		}
	}
	if top := c.Section("fencing-topology", false); top != nil {
		for _, l := range top.SelectElements("fencing-level") {
			for _, d := range strings.Split(l.SelectAttrValue("devices", ""), ",") {
				if r := c.resource(d); r == nil || r.SelectAttrValue("class", "") != "stonith" {
					bad(l.SelectAttrValue("id", ""), "stonith device %s does not exist", d)
				}
			}
		}
	}
	return out
}

func validScore(s string) bool {
	_, err := NormalizeScore(s)
	return err == nil
}

// Primitives lists every primitive, at any depth.
func (c *CIB) Primitives() []*etree.Element {
	return c.Section("resources", true).FindElements(".//primitive")
}
