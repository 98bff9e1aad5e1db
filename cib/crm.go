package cib

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/grammar"
)

// ErrVerify marks an edit that makes the configuration invalid (a
// missing agent or reference, a bad score): crmsh's strict mode refuses
// the whole commit that contains one.
var ErrVerify = errors.New("the configuration would not verify")

// verifyErr wraps ErrVerify with the object and the reason.
func verifyErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrVerify, fmt.Sprintf(format, args...))
}

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
	case s.Group != nil:
		return c.applyGroup(s.Group)
	case s.Clone != nil:
		return c.applyClone(s.Clone)
	case s.Colocation != nil:
		return c.applyColocation(s.Colocation)
	case s.Order != nil:
		return c.applyOrder(s.Order)
	case s.Monitor != nil:
		return c.applyMonitor(s.Monitor)
	case s.Node != nil:
		return c.applyNode(s.Node)
	case s.Tag != nil:
		return c.applyTag(s.Tag)
	case s.Ticket != nil:
		return c.applyTicket(s.Ticket)
	case s.Fencing != nil:
		return c.applyFencing(s.Fencing)
	case s.Alert != nil:
		return c.applyAlert(s.Alert)
	case s.Role != nil:
		return c.applyRole(s.Role)
	case s.ACLTarget != nil:
		return c.applyACLTarget(s.ACLTarget)
	}
	return fmt.Errorf("%s: not supported yet", s.Keyword())
}

// refName returns the $id-ref of a list of pairs, if any.
func refName(pairs []grammar.NVPair) string {
	for _, p := range pairs {
		if p.Key == "$id-ref" {
			return p.Value
		}
	}
	return ""
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
		return fmt.Errorf("%s %s: the id %s is already in use", p.Kind, p.ID, p.ID)
	}
	tag := "primitive"
	if p.Kind == "rsc_template" {
		tag = "template"
	}
	e := etree.NewElement(tag)
	e.CreateAttr("id", p.ID)
	if tpl, ok := strings.CutPrefix(p.Agent, "@"); ok && tag == "primitive" {
		e.CreateAttr("template", tpl)
	} else {
		class, provider, typ, err := ParseAgentName(p.Agent)
		if err != nil {
			return fmt.Errorf("%s %s: %w", p.Kind, p.ID, err)
		}
		e.CreateAttr("class", class)
		if provider != "" {
			e.CreateAttr("provider", provider)
		}
		e.CreateAttr("type", typ)
	}
	for _, a := range p.Attrs {
		e.CreateAttr(a.Key, a.Value)
	}
	// Lists appear in the order they were typed, as crmsh writes them;
	// a repeated kind joins the first list of that kind.
	sets := map[string]*etree.Element{}
	count := map[string]int{}
	var ops, lastOp *etree.Element
	opPrefix := p.ID
	seen := map[string]bool{}
	for _, sec := range p.Sections {
		switch {
		case sec.Kind == "operations":
			// operations $id=ID names the list; its ops' ids start with it.
			if ops == nil {
				ops = e.CreateElement("operations")
			}
			for _, nv := range sec.Pairs {
				switch nv.Key {
				case "$id":
					ops.CreateAttr("id", nv.Value)
					opPrefix = nv.Value
				case "$id-ref":
					ops.CreateAttr("id-ref", nv.Value)
				}
			}
		case sec.Op != nil:
			if ops == nil {
				ops = e.CreateElement("operations")
			}
			op, err := c.newOp(opPrefix, sec.Op, seen)
			if err != nil {
				return fmt.Errorf("%s %s: %w", p.Kind, p.ID, err)
			}
			ops.AddChild(op)
			lastOp = op
		case sec.Kind == "op_params" || sec.Kind == "op_meta":
			if lastOp != nil {
				opAttrSet(lastOp, map[string]string{"op_params": "instance_attributes", "op_meta": "meta_attributes"}[sec.Kind], sec.Pairs)
			}
		default:
			tag := map[string]string{"params": "instance_attributes", "meta": "meta_attributes", "utilization": "utilization", "attributes": "instance_attributes"}[sec.Kind]
			set := sets[tag]
			if ref := refName(sec.Pairs); ref != "" {
				// A reference to a set defined elsewhere ($id-ref).
				e.CreateElement(tag).CreateAttr("id-ref", ref)
				continue
			}
			if set == nil || sec.Rule != nil {
				// Each rule-guarded list is a set of its own: ID-TAG,
				// ID-TAG-0, ...
				id := setName("", sec.Pairs, suffixID(p.ID+"-"+tag, count[tag]))
				count[tag]++
				set = e.CreateElement(tag)
				set.CreateAttr("id", id)
				if sec.Rule != nil {
					rule, err := ruleElement(id+"-rule", sec.Rule)
					if err != nil {
						return verifyErr("%s %s: %v", p.Kind, p.ID, err)
					}
					set.AddChild(rule)
				}
				sets[tag] = set
			}
			for _, nv := range sec.Pairs {
				if !strings.HasPrefix(nv.Key, "$") {
					addNVPair(set, set.SelectAttrValue("id", ""), nv.Key, nv.Value)
				}
			}
		}
	}
	c.Section("resources", true).AddChild(e)
	return nil
}

// newOp builds an op element with crmsh's id RSC-NAME-INTERVAL.
func (c *CIB) newOp(rsc string, o *grammar.Op, seen map[string]bool) (*etree.Element, error) {
	op := etree.NewElement("op")
	op.CreateAttr("name", o.Name)
	interval := ""
	var checkLevel []grammar.NVPair
	for _, a := range o.Attrs {
		switch a.Key {
		case "$id":
		case "OCF_CHECK_LEVEL":
			// An agent parameter of the op, not an op attribute.
			checkLevel = append(checkLevel, a)
		default:
			if a.Key == "interval" {
				interval = a.Value
			}
			op.CreateAttr(a.Key, a.Value)
		}
	}
	if interval == "" {
		interval = "0"
		op.CreateAttr("interval", "0")
	}
	id := setName("", o.Attrs, fmt.Sprintf("%s-%s-%s", rsc, o.Name, interval))
	if seen[id] || c.idInUse(id) {
		return nil, fmt.Errorf("operation %s with interval %s is given twice", o.Name, interval)
	}
	seen[id] = true
	op.CreateAttr("id", id)
	if checkLevel != nil {
		opAttrSet(op, "instance_attributes", checkLevel)
	}
	return op, nil
}

// opAttrSet adds pairs to an op's instance_attributes (op_params) or
// meta_attributes (op_meta), with ids OPID-instance_attributes-NAME.
func opAttrSet(op *etree.Element, tag string, pairs []grammar.NVPair) {
	set := op.SelectElement(tag)
	if set == nil {
		set = op.CreateElement(tag)
		set.CreateAttr("id", op.SelectAttrValue("id", "")+"-"+tag)
	}
	for _, nv := range pairs {
		addNVPair(set, set.SelectAttrValue("id", ""), nv.Key, nv.Value)
	}
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
		return s, nil // crmsh keeps the sign as written ("+50")
	}
	return "", fmt.Errorf("%q is not a score (an integer, inf or -inf)", s+":")
}

var scoreRE = regexp.MustCompile(`^[+-]?[0-9]+$`)

func (c *CIB) applyLocation(l *grammar.Location) error {
	if c.idInUse(l.ID) {
		return fmt.Errorf("location %s: the id %s is already in use", l.ID, l.ID)
	}
	e := etree.NewElement("rsc_location")
	e.CreateAttr("id", l.ID)
	switch {
	case l.Resource != "":
		e.CreateAttr("rsc", l.Resource)
	case l.Pattern != "":
		e.CreateAttr("rsc-pattern", l.Pattern)
	}
	if l.Role != "" {
		e.CreateAttr("role", l.Role)
	}
	if l.Discovery != "" {
		e.CreateAttr("resource-discovery", l.Discovery)
	}
	if l.Node != "" {
		e.CreateAttr("score", scoreAsWritten(l.Score))
		e.CreateAttr("node", l.Node)
	}
	if len(l.Set) > 0 {
		e.AddChild(setElement(l.ID+"-0", resourceSet{refs: l.Set}))
	}
	for i, r := range l.Rules {
		rule, err := ruleElement(suffixID(l.ID+"-rule", i), r)
		if err != nil {
			return verifyErr("location %s: %v", l.ID, err)
		}
		e.AddChild(rule)
	}
	c.Section("constraints", true).AddChild(e)
	return nil
}

// scoreAsWritten normalises a valid score and keeps an invalid one as
// written, for Verify to report at commit.
func scoreAsWritten(s string) string {
	if n, err := NormalizeScore(s); err == nil {
		return n
	}
	return strings.TrimSuffix(s, ":")
}

// suffixID is crmsh's scheme for repeated ids: BASE, BASE-0, BASE-1, ...
func suffixID(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, i-1)
}

func ruleElement(id string, r *grammar.Rule) (*etree.Element, error) {
	if r.ID != "" {
		id = r.ID
	}
	e := etree.NewElement("rule")
	if r.Role != "" {
		e.CreateAttr("role", r.Role)
	}
	score := "INFINITY"
	if r.Score != "" {
		var err error
		if score, err = NormalizeScore(r.Score); err != nil {
			// A word that is not a number names the node attribute whose
			// value is the score.
			e.CreateAttr("score-attribute", strings.TrimSuffix(r.Score, ":"))
			score = ""
		}
	}
	if score != "" {
		e.CreateAttr("score", score)
	}
	if r.BoolOp == "or" {
		e.CreateAttr("boolean-op", "or")
	}
	e.CreateAttr("id", id)
	for i, x := range r.Exprs {
		eid := suffixID(id+"-expression", i)
		var ex *etree.Element
		switch x.Kind {
		case "date":
			ex = etree.NewElement("date_expression")
			switch x.Op {
			case "gt":
				ex.CreateAttr("operation", "gt")
				ex.CreateAttr("start", x.Value)
			case "lt":
				ex.CreateAttr("operation", "lt")
				ex.CreateAttr("end", x.Value)
			case "in", "in_range":
				ex.CreateAttr("operation", "in_range")
				var dur []grammar.NVPair
				for _, p := range x.Pairs {
					if p.Key == "start" || p.Key == "end" {
						ex.CreateAttr(p.Key, p.Value)
					} else {
						dur = append(dur, p)
					}
				}
				ex.CreateAttr("id", eid)
				if len(dur) > 0 {
					d := ex.CreateElement("duration")
					for _, p := range dur {
						d.CreateAttr(p.Key, p.Value)
					}
					d.CreateAttr("id", eid+"-duration")
				}
			case "spec", "date_spec":
				ex.CreateAttr("operation", "date_spec")
				ex.CreateAttr("id", eid)
				d := ex.CreateElement("date_spec")
				for _, p := range x.Pairs {
					d.CreateAttr(p.Key, p.Value)
				}
				d.CreateAttr("id", eid+"-date_spec")
			}
		default:
			ex = etree.NewElement("expression")
			op := x.Op
			if x.Kind != "compare" {
				op = x.Kind
			}
			ex.CreateAttr("operation", op)
			ex.CreateAttr("attribute", x.Attribute)
			if x.Kind == "compare" {
				ex.CreateAttr("value", x.Value)
			}
			if x.Type != "" {
				ex.CreateAttr("type", x.Type)
			}
		}
		if ex.SelectAttr("id") == nil {
			ex.CreateAttr("id", eid)
		}
		e.AddChild(ex)
	}
	return e, nil
}

// ruleText prints a rule as crm syntax; an INFINITY score is left out, as
// crmsh leaves it out.
func ruleText(r *etree.Element) string {
	parts := []string{"rule"}
	if role := r.SelectAttrValue("role", ""); role != "" {
		parts = append(parts, "$role="+role)
	}
	if sa := r.SelectAttrValue("score-attribute", ""); sa != "" {
		parts = append(parts, sa+":")
	} else if sc := r.SelectAttrValue("score", ""); sc != "" && sc != "INFINITY" && sc != "+INFINITY" {
		parts = append(parts, showScore(sc)+":")
	}
	op := r.SelectAttrValue("boolean-op", "and")
	var exprs []string
	for _, x := range r.ChildElements() {
		a := func(k string) string { return x.SelectAttrValue(k, "") }
		switch x.Tag {
		case "expression":
			switch a("operation") {
			case "defined", "not_defined":
				exprs = append(exprs, a("operation")+" "+a("attribute"))
			default:
				o := a("operation")
				if a("type") != "" && a("type") != "string" {
					o = a("type") + ":" + o
				}
				exprs = append(exprs, a("attribute")+" "+o+" "+showValue(a("value")))
			}
		case "date_expression":
			switch a("operation") {
			case "gt":
				exprs = append(exprs, "date gt "+showValue(a("start")))
			case "lt":
				exprs = append(exprs, "date lt "+showValue(a("end")))
			case "in_range":
				t := "date in"
				for _, k := range []string{"start", "end"} {
					if a(k) != "" {
						t += " " + k + "=" + a(k)
					}
				}
				for _, d := range x.SelectElements("duration") {
					for _, at := range d.Attr {
						if at.Key != "id" {
							t += " " + at.Key + "=" + at.Value
						}
					}
				}
				exprs = append(exprs, t)
			case "date_spec":
				t := "date spec"
				for _, d := range x.SelectElements("date_spec") {
					for _, at := range d.Attr {
						if at.Key != "id" {
							t += " " + at.Key + "=" + at.Value
						}
					}
				}
				exprs = append(exprs, t)
			}
		}
	}
	return strings.Join(parts, " ") + " " + strings.Join(exprs, " "+op+" ")
}

// isResource reports whether id names a resource, at any depth.
func (c *CIB) isResource(id string) bool { return c.resource(id) != nil }

func (c *CIB) resource(id string) *etree.Element {
	if c.ids != nil {
		if e := c.FindID(id); e != nil {
			switch e.Tag {
			case "primitive", "group", "clone", "master", "bundle", "template":
				return e
			}
		}
		return nil
	}
	var find func(e *etree.Element) *etree.Element
	find = func(e *etree.Element) *etree.Element {
		for _, r := range e.ChildElements() {
			switch r.Tag {
			case "primitive", "group", "clone", "master", "bundle", "template":
				// Constraints may name a template: they apply to the
				// primitives made from it.
				if r.SelectAttrValue("id", "") == id {
					return r
				}
				if f := find(r); f != nil {
					return f
				}
			}
		}
		return nil
	}
	return find(c.Section("resources", true))
}

// topResource returns a resource that stands at the top of the resources
// section (not inside a group or clone).
func (c *CIB) topResource(id string) *etree.Element {
	for _, r := range c.Section("resources", true).ChildElements() {
		if r.SelectAttrValue("id", "") == id {
			return r
		}
	}
	return nil
}

// attrSections writes meta/params sections of a group or clone.
func attrSections(e *etree.Element, id string, secs []*grammar.Section) {
	for _, kind := range []struct{ word, tag string }{{"meta", "meta_attributes"}, {"params", "instance_attributes"}} {
		var pairs []grammar.NVPair
		for _, sec := range secs {
			if sec.Kind == kind.word {
				pairs = append(pairs, sec.Pairs...)
			}
		}
		if len(pairs) == 0 {
			continue
		}
		setID := setName("", pairs, id+"-"+kind.tag)
		set := e.CreateElement(kind.tag)
		set.CreateAttr("id", setID)
		for _, nv := range pairs {
			if !strings.HasPrefix(nv.Key, "$") {
				addNVPair(set, setID, nv.Key, nv.Value)
			}
		}
	}
}

// Notes collects what Apply did besides the statement itself (crmsh's
// INFO lines); the caller prints and clears them.
// rewriteRefs points constraints that name from at to instead, and says so.
func (c *CIB) rewriteRefs(from, to string) {
	for _, con := range c.Section("constraints", true).ChildElements() {
		for _, attr := range []string{"rsc", "with-rsc", "first", "then"} {
			if con.SelectAttrValue(attr, "") == from {
				con.CreateAttr(attr, to)
				c.notes = append(c.notes, fmt.Sprintf("modified %s:%s from %s to %s", kindOf(con.Tag), con.SelectAttrValue("id", ""), from, to))
			}
		}
	}
}

// TakeNotes returns and forgets the notes of the edits made so far.
func (c *CIB) TakeNotes() []string {
	n := c.notes
	c.notes = nil
	return n
}

func (c *CIB) applyGroup(g *grammar.Group) error {
	if c.idInUse(g.ID) {
		return fmt.Errorf("group %s: the id %s is already in use", g.ID, g.ID)
	}
	var members []*etree.Element
	for _, m := range g.Members {
		r := c.topResource(m)
		if r == nil || r.Tag != "primitive" {
			if c.isResource(m) {
				return fmt.Errorf("group %s: %s is already in a group or clone", g.ID, m)
			}
			return verifyErr("group %s: no such primitive %s", g.ID, m)
		}
		members = append(members, r)
	}
	e := etree.NewElement("group")
	e.CreateAttr("id", g.ID)
	attrSections(e, g.ID, g.Sections)
	res := c.Section("resources", true)
	for _, m := range members {
		res.RemoveChild(m)
		e.AddChild(m)
	}
	res.AddChild(e)
	for _, m := range g.Members {
		c.rewriteRefs(m, g.ID)
	}
	return nil
}

func (c *CIB) applyClone(cl *grammar.Clone) error {
	kind := cl.Kind
	if c.idInUse(cl.ID) {
		return fmt.Errorf("%s %s: the id %s is already in use", kind, cl.ID, cl.ID)
	}
	child := c.topResource(cl.Child)
	if child == nil || (child.Tag != "primitive" && child.Tag != "group") {
		if child != nil {
			return verifyErr("%s %s: %s is a %s; only a primitive or a group can be cloned", kind, cl.ID, cl.Child, child.Tag)
		}
		if c.isResource(cl.Child) {
			return fmt.Errorf("%s %s: %s is already in a group or clone", kind, cl.ID, cl.Child)
		}
		return verifyErr("%s %s: no such primitive or group %s", kind, cl.ID, cl.Child)
	}
	tag := "clone"
	if kind == "ms" || kind == "master" {
		tag = "master" // crmsh 4.4 keeps the legacy element for ms
	}
	e := etree.NewElement(tag)
	e.CreateAttr("id", cl.ID)
	attrSections(e, cl.ID, cl.Sections)
	res := c.Section("resources", true)
	res.RemoveChild(child)
	e.AddChild(child)
	res.AddChild(e)
	c.rewriteRefs(cl.Child, cl.ID)
	return nil
}

var roles = map[string]bool{"Started": true, "Stopped": true, "Master": true, "Slave": true, "Promoted": true, "Unpromoted": true}
var actions = map[string]bool{"start": true, "stop": true, "promote": true, "demote": true}

// splitRef splits "rsc:Role" or "rsc:action".
func splitRef(s string) (string, string) {
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// resourceSet is one group of resources in a colocation or order.
type resourceSet struct {
	refs    []string
	bracket string // "", "(" or "["
	attrs   [][2]string
}

// parseSets reads "a b ( c d ) [ e f require-all=true ] g k=v": resources
// outside brackets in a row form one set; NAME=VALUE outside brackets is an
// attribute of the constraint.
func parseSets(items []string) (sets []resourceSet, attrs [][2]string) {
	var cur *resourceSet
	for _, it := range items {
		switch {
		case it == "(" || it == "[":
			sets = append(sets, resourceSet{bracket: it})
			cur = &sets[len(sets)-1]
		case it == ")" || it == "]":
			cur = nil
		case strings.Contains(it, "="):
			k, v, _ := strings.Cut(it, "=")
			if cur != nil && cur.bracket != "" {
				cur.attrs = append(cur.attrs, [2]string{k, v})
			} else {
				attrs = append(attrs, [2]string{k, v})
			}
		default:
			if cur == nil {
				sets = append(sets, resourceSet{})
				cur = &sets[len(sets)-1]
			}
			cur.refs = append(cur.refs, it)
		}
	}
	return sets, attrs
}

// setElement renders a set as crmsh does: ( ) is sequential=false, [ ] is
// require-all=false sequential=false; explicit attributes inside the
// brackets override those defaults (true is Pacemaker's default and is
// left out).
func setElement(id string, rs resourceSet) *etree.Element {
	e := etree.NewElement("resource_set")
	vals := map[string]string{}
	switch rs.bracket {
	case "(":
		vals["sequential"] = "false"
	case "[":
		vals["require-all"], vals["sequential"] = "false", "false"
	}
	for _, a := range rs.attrs {
		vals[a[0]] = a[1]
	}
	if vals["require-all"] == "false" || (vals["require-all"] == "" && rs.bracket == "(" && vals["sequential"] == "false" && hasAttr(rs.attrs, "require-all")) {
		e.CreateAttr("require-all", "false")
	}
	if vals["require-all"] == "false" && rs.bracket == "(" {
		vals["sequential"] = "false"
	}
	if vals["sequential"] == "false" {
		e.CreateAttr("sequential", "false")
	}
	for _, a := range rs.attrs {
		if a[0] != "require-all" && a[0] != "sequential" {
			e.CreateAttr(a[0], a[1])
		}
	}
	e.CreateAttr("id", id)
	for _, r := range rs.refs {
		e.CreateElement("resource_ref").CreateAttr("id", r)
	}
	return e
}

func hasAttr(attrs [][2]string, k string) bool {
	for _, a := range attrs {
		if a[0] == k {
			return true
		}
	}
	return false
}

// checkRefs verifies the resources a constraint names.
func (c *CIB) checkRefs(kind, id string, sets []resourceSet, qualifiers map[string]bool, what string) error {
	for _, rs := range sets {
		for _, r := range rs.refs {
			_, q := splitRef(r)
			if q != "" && !qualifiers[q] {
				return fmt.Errorf("%s %s: %q is not %s", kind, id, q, what)
			}
		}
	}
	return nil
}

func (c *CIB) applyColocation(co *grammar.Colocation) error {
	if c.idInUse(co.ID) {
		return fmt.Errorf("colocation %s: the id %s is already in use", co.ID, co.ID)
	}
	score := scoreAsWritten(co.Score)
	sets, attrs := parseSets(co.Items)
	if err := c.checkRefs("colocation", co.ID, sets, roles, "a role (Started, Stopped, Promoted, Unpromoted, Master, Slave)"); err != nil {
		return err
	}
	e := etree.NewElement("rsc_colocation")
	e.CreateAttr("id", co.ID)
	e.CreateAttr("score", score)
	if len(sets) == 1 && sets[0].bracket == "" && len(sets[0].refs) == 2 {
		for i, attr := range []string{"rsc", "with-rsc"} {
			rsc, role := splitRef(sets[0].refs[i])
			e.CreateAttr(attr, rsc)
			if role != "" {
				e.CreateAttr(attr+"-role", role)
			}
		}
	} else {
		for i, rs := range sets {
			e.AddChild(setElement(fmt.Sprintf("%s-%d", co.ID, i), rs))
		}
	}
	for _, a := range attrs {
		e.CreateAttr(a[0], a[1])
	}
	c.Section("constraints", true).AddChild(e)
	return nil
}

func (c *CIB) applyOrder(o *grammar.Order) error {
	if c.idInUse(o.ID) {
		return fmt.Errorf("order %s: the id %s is already in use", o.ID, o.ID)
	}
	e := etree.NewElement("rsc_order")
	e.CreateAttr("id", o.ID)
	switch kind := strings.TrimSuffix(o.Score, ":"); kind {
	case "Mandatory", "Optional", "Serialize":
		e.CreateAttr("kind", kind)
	case "":
	default:
		score, err := NormalizeScore(kind)
		if err != nil {
			return fmt.Errorf("order %s: %v (or a kind: Mandatory, Optional, Serialize)", o.ID, err)
		}
		// crmsh writes scores as kinds: 0 is advisory, anything else mandatory.
		if score == "0" {
			e.CreateAttr("kind", "Optional")
		} else {
			e.CreateAttr("kind", "Mandatory")
		}
	}
	sets, attrs := parseSets(o.Items)
	if err := c.checkRefs("order", o.ID, sets, actions, "an action (start, stop, promote, demote)"); err != nil {
		return err
	}
	if len(sets) == 1 && sets[0].bracket == "" && len(sets[0].refs) == 2 {
		for i, attr := range []string{"first", "then"} {
			rsc, action := splitRef(sets[0].refs[i])
			e.CreateAttr(attr, rsc)
			if action != "" {
				e.CreateAttr(attr+"-action", action)
			}
		}
	} else {
		for i, rs := range sets {
			e.AddChild(setElement(fmt.Sprintf("%s-%d", o.ID, i), rs))
		}
	}
	for _, a := range attrs {
		e.CreateAttr(a[0], a[1])
	}
	c.Section("constraints", true).AddChild(e)
	return nil
}

// applyMonitor adds "op monitor" to a primitive: monitor RSC[:ROLE] INTERVAL[:TIMEOUT].
func (c *CIB) applyMonitor(m *grammar.Monitor) error {
	rsc, role := splitRef(m.Resource)
	p := c.resource(rsc)
	if p == nil || p.Tag != "primitive" {
		return fmt.Errorf("monitor: no such primitive %s", rsc)
	}
	interval, timeout, _ := strings.Cut(strings.TrimSuffix(m.Spec, ":"), ":")
	ops := p.SelectElement("operations")
	if ops == nil {
		ops = p.CreateElement("operations")
	}
	id := fmt.Sprintf("%s-monitor-%s", rsc, interval)
	if c.idInUse(id) {
		return fmt.Errorf("monitor: %s already has a monitor with interval %s", rsc, interval)
	}
	op := ops.CreateElement("op")
	op.CreateAttr("name", "monitor")
	if role != "" {
		op.CreateAttr("role", role)
	}
	op.CreateAttr("interval", interval)
	if timeout != "" {
		op.CreateAttr("timeout", timeout)
	}
	op.CreateAttr("id", id)
	return nil
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
		if e.Parent() != c.Section("constraints", true) {
			for _, con := range c.Section("constraints", true).ChildElements() {
				if dropFromSets(con, id) {
					continue
				}
				if con.SelectAttrValue("rsc", "") == id || con.SelectAttrValue("with-rsc", "") == id ||
					con.SelectAttrValue("first", "") == id || con.SelectAttrValue("then", "") == id {
					notes = append(notes, fmt.Sprintf("hanging %s:%s deleted", kindOf(con.Tag), con.SelectAttrValue("id", "")))
					con.Parent().RemoveChild(con)
				}
			}
		}
		if tags := c.Section("tags", false); tags != nil && e.Parent() != tags {
			for _, t := range tags.SelectElements("tag") {
				for _, r := range t.SelectElements("obj_ref") {
					if r.SelectAttrValue("id", "") == id {
						t.RemoveChild(r)
					}
				}
				if len(t.SelectElements("obj_ref")) == 0 {
					tags.RemoveChild(t)
				}
			}
		}
		parent := e.Parent()
		if parent == nil {
			continue // already removed with an earlier target
		}
		idx := e.Index()
		parent.RemoveChild(e)
		// Deleting a group or clone keeps what it held, as crmsh does.
		if e.Tag == "group" || e.Tag == "clone" || e.Tag == "master" {
			for _, ch := range e.ChildElements() {
				if ch.Tag == "primitive" || ch.Tag == "group" {
					e.RemoveChild(ch)
					parent.InsertChildAt(idx, ch)
					idx++
				}
			}
		}
	}
	return notes, nil
}

// dropFromSets removes a deleted resource from a constraint's sets, and
// turns a constraint left with two resources in one set into the simple
// form, as crmsh does. It reports whether the constraint had sets; one
// left with fewer than two resources is removed.
func dropFromSets(con *etree.Element, id string) bool {
	sets := con.SelectElements("resource_set")
	if len(sets) == 0 {
		return false
	}
	total := 0
	for _, set := range sets {
		for _, r := range set.SelectElements("resource_ref") {
			if r.SelectAttrValue("id", "") == id {
				set.RemoveChild(r)
			}
		}
		if len(set.SelectElements("resource_ref")) == 0 {
			con.RemoveChild(set)
		}
		total += len(set.SelectElements("resource_ref"))
	}
	sets = con.SelectElements("resource_set")
	switch {
	case total < 2:
		con.Parent().RemoveChild(con)
	case len(sets) == 1 && total == 2 && len(sets[0].Attr) == 1:
		refs := sets[0].SelectElements("resource_ref")
		x, y := refs[0].SelectAttrValue("id", ""), refs[1].SelectAttrValue("id", "")
		con.RemoveChild(sets[0])
		if con.Tag == "rsc_colocation" {
			// In a colocation set each resource is placed with the one before.
			con.CreateAttr("rsc", y)
			con.CreateAttr("with-rsc", x)
		} else {
			con.CreateAttr("first", x)
			con.CreateAttr("then", y)
		}
	}
	return true
}

func (c *CIB) topLevel(id string) *etree.Element {
	if r := c.resource(id); r != nil {
		return r
	}
	if c.ids != nil {
		if e := c.FindID(id); e != nil && (e.Parent().Tag == "constraints" || e.Tag == "tag") {
			return e
		}
		return nil
	}
	if tags := c.Section("tags", false); tags != nil {
		for _, t := range tags.SelectElements("tag") {
			if t.SelectAttrValue("id", "") == id {
				return t
			}
		}
	}
	for _, e := range c.Section("constraints", true).ChildElements() {
		if e.SelectAttrValue("id", "") == id {
			return e
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
	nodes := c.Section("nodes", true).SelectElements("node")
	sortByID(nodes)
	for _, n := range nodes {
		add(n.SelectAttrValue("uname", ""), nodeText(n))
	}
	var tmpls, prims, groups, clones []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, r := range e.ChildElements() {
			switch r.Tag {
			case "template":
				tmpls = append(tmpls, r)
			case "primitive":
				prims = append(prims, r)
			case "group":
				groups = append(groups, r)
				walk(r)
			case "clone", "master":
				clones = append(clones, r)
				walk(r)
			}
		}
	}
	walk(c.Section("resources", true))
	for _, list := range [][]*etree.Element{tmpls, prims, groups, clones} {
		sortByID(list)
		for _, r := range list {
			add(r.SelectAttrValue("id", ""), resourceText(r))
		}
	}
	if tags := c.Section("tags", false); tags != nil {
		list := tags.SelectElements("tag")
		sortByID(list)
		for _, t := range list {
			add(t.SelectAttrValue("id", ""), tagText(t))
		}
	}
	cons := c.Section("constraints", true).ChildElements()
	sortByID(cons)
	for _, con := range cons {
		text := constraintText(con)
		if con.Tag == "rsc_ticket" {
			text = ticketText(con)
		}
		if text != "" {
			add(con.SelectAttrValue("id", ""), text)
		}
	}
	if top := c.Section("fencing-topology", false); top != nil && len(top.ChildElements()) > 0 {
		add("fencing_topology", c.fencingText(top))
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
	if acls := c.Section("acls", false); acls != nil {
		roles := acls.SelectElements("acl_role")
		sortByID(roles)
		for _, r := range roles {
			add(r.SelectAttrValue("id", ""), roleText(r))
		}
		var targets []*etree.Element
		for _, t := range acls.ChildElements() {
			if t.Tag == "acl_target" || t.Tag == "acl_group" {
				targets = append(targets, t)
			}
		}
		sortByID(targets)
		for _, t := range targets {
			add(t.SelectAttrValue("id", ""), aclTargetText(t))
		}
	}
	if alerts := c.Section("alerts", false); alerts != nil {
		for _, a := range alerts.SelectElements("alert") {
			add(a.SelectAttrValue("id", ""), alertText(a))
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

func resourceText(r *etree.Element) string {
	id := r.SelectAttrValue("id", "")
	switch r.Tag {
	case "group", "clone", "master":
		word := map[string]string{"group": "group", "clone": "clone", "master": "ms"}[r.Tag]
		var kids []string
		for _, k := range r.ChildElements() {
			switch k.Tag {
			case "primitive", "group":
				kids = append(kids, k.SelectAttrValue("id", ""))
			}
		}
		var lines []string
		for _, s := range []struct{ tag, word string }{{"meta_attributes", "meta"}, {"instance_attributes", "params"}} {
			for _, set := range r.SelectElements(s.tag) {
				lines = append(lines, s.word+" "+pairsText(set))
			}
		}
		return continued(word+" "+id+" "+strings.Join(kids, " "), lines)
	}
	return primitiveText(r)
}

func constraintText(con *etree.Element) string {
	a := func(k string) string { return con.SelectAttrValue(k, "") }
	ref := func(rsc, qual string) string {
		if qual != "" {
			return rsc + ":" + qual
		}
		return rsc
	}
	extra := func(skip ...string) string {
		var out []string
		for _, at := range con.Attr {
			known := false
			for _, k := range skip {
				known = known || at.Key == k
			}
			if !known {
				out = append(out, at.Key+"="+showValue(at.Value))
			}
		}
		if len(out) == 0 {
			return ""
		}
		return " " + strings.Join(out, " ")
	}
	switch con.Tag {
	case "rsc_location":
		what := a("rsc")
		if a("rsc-pattern") != "" {
			what = "/" + a("rsc-pattern") + "/"
		}
		if sets := con.SelectElements("resource_set"); len(sets) > 0 {
			var refs []string
			for _, r := range sets[0].SelectElements("resource_ref") {
				refs = append(refs, r.SelectAttrValue("id", ""))
			}
			what = "{ " + strings.Join(refs, " ") + " }"
		}
		head := "location " + a("id") + " " + what
		if a("role") != "" {
			head += " role=" + a("role")
		}
		if a("resource-discovery") != "" {
			head += " resource-discovery=" + a("resource-discovery")
		}
		if a("node") != "" {
			return fmt.Sprintf("%s %s: %s", head, showScore(a("score")), a("node"))
		}
		var rules []string
		for _, r := range con.SelectElements("rule") {
			rules = append(rules, ruleText(r))
		}
		return continued(head, rules)
	case "rsc_colocation":
		if a("rsc") == "" {
			return fmt.Sprintf("colocation %s %s: %s%s", a("id"), showScore(a("score")), setsText(con), extra("id", "score"))
		}
		return fmt.Sprintf("colocation %s %s: %s %s%s", a("id"), showScore(a("score")), ref(a("rsc"), a("rsc-role")), ref(a("with-rsc"), a("with-rsc-role")),
			extra("id", "score", "rsc", "rsc-role", "with-rsc", "with-rsc-role"))
	case "rsc_order":
		kind := a("kind")
		if kind == "" && a("score") != "" {
			kind = showScore(a("score"))
		}
		head := "order " + a("id") + " "
		if kind != "" {
			head += kind + ": "
		}
		if a("first") == "" {
			return head + setsText(con) + extra("id", "kind", "score")
		}
		return head + ref(a("first"), a("first-action")) + " " + ref(a("then"), a("then-action")) +
			extra("id", "kind", "score", "first", "first-action", "then", "then-action")
	}
	return ""
}

// setsText prints a constraint's resource sets in crm syntax.
func setsText(con *etree.Element) string {
	var parts []string
	for _, set := range con.SelectElements("resource_set") {
		var refs []string
		for _, r := range set.SelectElements("resource_ref") {
			refs = append(refs, r.SelectAttrValue("id", ""))
		}
		reqAll := set.SelectAttrValue("require-all", "true") != "false"
		seq := set.SelectAttrValue("sequential", "true") != "false"
		var extra []string
		for _, a := range set.Attr {
			if a.Key != "id" && a.Key != "require-all" && a.Key != "sequential" {
				extra = append(extra, a.Key+"="+a.Value)
			}
		}
		switch {
		case !reqAll && !seq:
			parts = append(parts, "[ "+strings.Join(append(refs, extra...), " ")+" ]")
		case !reqAll:
			parts = append(parts, "[ "+strings.Join(append(append(refs, extra...), "sequential=true"), " ")+" ]")
		case !seq:
			parts = append(parts, "( "+strings.Join(append(refs, extra...), " ")+" )")
		default:
			parts = append(parts, strings.Join(append(refs, extra...), " "))
		}
	}
	return strings.Join(parts, " ")
}

func primitiveText(r *etree.Element) string {
	class, provider, typ := r.SelectAttrValue("class", ""), r.SelectAttrValue("provider", ""), r.SelectAttrValue("type", "")
	agent := class + ":" + typ
	switch {
	case r.SelectAttrValue("template", "") != "":
		agent = "@" + r.SelectAttrValue("template", "")
	case class == "ocf" && provider == "heartbeat":
		agent = typ
	case provider != "":
		agent = class + ":" + provider + ":" + typ
	}
	var lines []string
	if d := r.SelectAttrValue("description", ""); d != "" {
		lines = append(lines, "description="+showValue(d))
	}
	for _, ch := range r.ChildElements() {
		word := map[string]string{"instance_attributes": "params", "meta_attributes": "meta", "utilization": "utilization"}[ch.Tag]
		if ref := ch.SelectAttrValue("id-ref", ""); ref != "" && word != "" {
			lines = append(lines, word+" $id-ref="+ref)
			continue
		}
		if rule := ch.SelectElement("rule"); rule != nil && word != "" {
			lines = append(lines, word+" "+ruleText(rule)+" "+pairsText(ch))
			continue
		}
		switch ch.Tag {
		case "instance_attributes":
			lines = append(lines, "params "+pairsText(ch))
		case "meta_attributes":
			lines = append(lines, "meta "+pairsText(ch))
		case "utilization":
			lines = append(lines, "utilization "+pairsText(ch))
		case "operations":
			if id := ch.SelectAttrValue("id", ""); id != "" {
				lines = append(lines, "operations $id="+id)
			}
			for _, op := range ch.SelectElements("op") {
				parts := []string{"op", op.SelectAttrValue("name", "")}
				for _, a := range op.Attr {
					if a.Key != "id" && a.Key != "name" {
						parts = append(parts, a.Key+"="+showValue(a.Value))
					}
				}
				lines = append(lines, strings.Join(parts, " "))
				for _, s := range []struct{ tag, word string }{{"instance_attributes", "op_params"}, {"meta_attributes", "op_meta"}} {
					for _, set := range op.SelectElements(s.tag) {
						lines = append(lines, s.word+" "+pairsText(set))
					}
				}
			}
		}
	}
	word := "primitive"
	if r.Tag == "template" {
		word = "rsc_template"
	}
	return continued(word+" "+r.SelectAttrValue("id", "")+" "+agent, lines)
}

func pairsText(set *etree.Element) string {
	var parts []string
	for _, nv := range set.SelectElements("nvpair") {
		parts = append(parts, nv.SelectAttrValue("name", "")+"="+showValue(nv.SelectAttrValue("value", "")))
	}
	return strings.Join(parts, " ")
}

var plainValue = regexp.MustCompile(`^[A-Za-z0-9_.:,+@-]+$`)

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
