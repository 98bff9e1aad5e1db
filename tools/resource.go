package tools

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
	"github.com/pacer-ha/pacer/monitor"
)

// resourceOpts are crm_resource's options.
type resourceOpts struct {
	rsc, rtype, setParam, getParam, delParam, value, node, lifetime, showMeta string
	setName, nvpairID, operation, interval                                    string
	list, listRaw, locate, move, ban, clear, del, cleanup, refresh, reprobe   bool
	listOps, listAllOps, meta, util, force, quiet, queryXML, queryXMLRaw      bool
	expired, help, promoted                                                   bool
	verbose                                                                   int
	valueGiven                                                                bool
}

func crmResource(args []string, t *tool) int {
	var o resourceOpts
	p := newOptions(t.name)
	p.str('r', &o.rsc, "resource")
	p.str('t', &o.rtype, "resource-type")
	p.str('p', &o.setParam, "set-parameter")
	p.str('g', &o.getParam, "get-parameter")
	p.str('d', &o.delParam, "delete-parameter")
	p.fn('v', true, func(v string) { o.value, o.valueGiven = v, true }, "parameter-value")
	p.str('N', &o.node, "node")
	p.str('H', &o.node, "host-uname") // the spelling of Pacemaker 1.x's notes
	p.str('u', &o.lifetime, "lifetime")
	p.str(0, &o.showMeta, "show-metadata")
	p.str('s', &o.setName, "set-name")
	p.str('i', &o.nvpairID, "nvpair")
	p.str('n', &o.operation, "operation")
	p.str('I', &o.interval, "interval")
	p.flag('L', &o.list, "list")
	p.flag('l', &o.listRaw, "list-raw")
	p.flag('W', &o.locate, "locate")
	p.flag('M', &o.move, "move", "migrate")
	p.flag('B', &o.ban, "ban")
	p.flag('U', &o.clear, "clear", "un-migrate", "un-move")
	p.flag('D', &o.del, "delete")
	p.flag('C', &o.cleanup, "cleanup")
	p.flag('R', &o.refresh, "refresh")
	p.flag('P', &o.reprobe, "reprobe")
	p.flag('O', &o.listOps, "list-operations")
	p.flag('o', &o.listAllOps, "list-all-operations")
	p.flag('m', &o.meta, "meta")
	p.flag('z', &o.util, "utilization")
	p.flag('f', &o.force, "force")
	p.flag('Q', &o.quiet, "quiet")
	p.flag('q', &o.queryXML, "query-xml")
	p.flag('w', &o.queryXMLRaw, "query-xml-raw")
	p.flag('e', &o.expired, "expired")
	p.flag(0, &o.promoted, "promoted", "master")
	p.flag('h', &o.help, "help", "help-all")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("%s", resourceUsage)
		return exOK
	}
	needRsc := func() error {
		if o.rsc == "" {
			return fail(exUsage, "Must supply a resource id with -r")
		}
		return nil
	}
	var err error
	switch {
	case o.showMeta != "":
		err = t.showMetadata(o.showMeta)
	case o.listOps || o.listAllOps:
		err = t.listOperations(o)
	case o.listRaw:
		err = t.listRaw()
	case o.locate:
		if err = needRsc(); err == nil {
			err = t.locate(o)
		}
	case o.queryXML || o.queryXMLRaw:
		if err = needRsc(); err == nil {
			err = t.queryXML(o)
		}
	case o.getParam != "":
		if err = needRsc(); err == nil {
			err = t.getParameter(o)
		}
	case o.setParam != "":
		if err = needRsc(); err == nil {
			if !o.valueGiven {
				err = fail(exUsage, "You need to supply a value with the -v option")
			} else {
				err = t.setParameter(o)
			}
		}
	case o.delParam != "":
		if err = needRsc(); err == nil {
			err = t.deleteParameter(o)
		}
	case o.move:
		if err = needRsc(); err == nil {
			err = t.move(o)
		}
	case o.ban:
		if err = needRsc(); err == nil {
			err = t.ban(o)
		}
	case o.clear:
		if err = needRsc(); err == nil {
			err = t.clear(o)
		}
	case o.del:
		if err = needRsc(); err == nil {
			err = t.deleteResource(o)
		}
	case o.cleanup || o.refresh || o.reprobe:
		err = t.cleanup(o, o.cleanup && !o.refresh && !o.reprobe)
	default: // -L, and no command at all
		err = t.listResources()
	}
	return t.finish(err)
}

const resourceUsage = `Usage: crm_resource [OPTION...]
Query and change the cluster's resources.

Queries:
  -L, --list                 all resources with their state
  -l, --list-raw             the ids of all resource instances
  -O, --list-operations      active operations (with -r, -N to filter)
  -o, --list-all-operations  all recorded operations (with -r, -N to filter)
  -W, --locate               where -r RSC runs
  -q, --query-xml            -r RSC's definition
  -g, --get-parameter=NAME   a parameter of -r RSC (--meta, --utilization)
  --show-metadata=AGENT      an agent's meta-data (class:provider:type)
Commands:
  -p, --set-parameter=NAME -v VALUE   set a parameter of -r RSC (--meta, --utilization)
  -d, --delete-parameter=NAME         delete a parameter of -r RSC
  -M, --move [-N NODE] [-u PERIOD]    move -r RSC to NODE (or away from where it runs)
  -B, --ban [-N NODE] [-u PERIOD]     keep -r RSC off NODE (default: where it runs)
  -U, --clear [-N NODE] [--expired]   remove the constraints --move and --ban made
  -D, --delete -t TYPE                delete -r RSC (a primitive, group, clone...)
  -C, --cleanup [-r RSC] [-N NODE]    forget failures so the cluster probes again
  -R, --refresh [-r RSC] [-N NODE]    forget the whole operation history
  -P, --reprobe [-N NODE]             as --refresh (the spelling of Pacemaker 1.x)
Options:
  -r, --resource=ID   -N, --node=NAME (-H, --host-uname)   -t, --resource-type=TAG
  -v, --parameter-value=VALUE   -m, --meta   -z, --utilization   -u, --lifetime=ISO8601
  -f, --force   -Q, --quiet   -V, --verbose
Old spellings: -p target_role and -p is_managed set the meta attributes
target-role and is-managed, as they did in Heartbeat 2.
`

// legacyMeta maps the underscore spellings of meta attributes in
// Heartbeat 2's notes (where they were written as instance attributes)
// to the meta attributes they name today.
var legacyMeta = map[string]string{
	"target_role": "target-role", "is_managed": "is-managed", "resource_stickiness": "resource-stickiness",
	"migration_threshold": "migration-threshold", "failure_timeout": "failure-timeout", "allow_migrate": "allow-migrate",
	"multiple_active": "multiple-active",
}

// attrKind is the attribute set -p/-g/-d work on, and the name, after
// the old spellings are read.
func (t *tool) attrKind(o resourceOpts, name string) (kind, attr string) {
	switch {
	case o.meta:
		return cib.Meta, name
	case o.util:
		return cib.Utilization, name
	}
	if m, ok := legacyMeta[name]; ok {
		fmt.Fprintf(t.err, "%s: '%s' is the old spelling of the meta attribute '%s'; using that\n", t.name, name, m)
		return cib.Meta, m
	}
	return cib.Params, name
}

// findResource returns the configured resource (at any depth) or the
// not-found error.
func (t *tool) findResource(c *cib.CIB, id string) (*etree.Element, error) {
	if r := c.Resource(id); r != nil && r.Tag != "template" {
		return r, nil
	}
	// An instance name (d4:0) stands for its clone's primitive.
	if base, _, ok := strings.Cut(id, ":"); ok {
		if r := c.Resource(base); r != nil && r.Parent() != nil && isClone(r.Parent()) {
			return r, nil
		}
	}
	return nil, fail(exNoSuch, "Resource '%s' not found %s", id, t.where())
}

func isClone(e *etree.Element) bool { return e.Tag == "clone" || e.Tag == "master" }

func isResourceTag(tag string) bool {
	switch tag {
	case "primitive", "group", "clone", "master", "bundle":
		return true
	}
	return false
}

// displayName is the name Pacemaker gives a resource in messages: an
// anonymous clone's primitive is its first instance.
func displayName(r *etree.Element) string {
	id := r.SelectAttrValue("id", "")
	if p := r.Parent(); p != nil && isClone(p) && !cib.IsTrue(cloneMeta(p, "globally-unique")) {
		return id + ":0"
	}
	return id
}

func cloneMeta(clone *etree.Element, name string) string {
	return cib.NVPairs(clone, cib.Meta)[name]
}

// ---- -L, -l

// statusView renders the status as crm_mon -r does and returns its
// "Full List of Resources" lines.
func statusView(c *cib.CIB, now time.Time) ([]string, error) {
	var b strings.Builder
	if err := monitor.Render(&b, c, now, monitor.Options{Inactive: true}); err != nil {
		return nil, err
	}
	text := b.String()
	i := strings.Index(text, "\nFull List of Resources:\n")
	if i < 0 {
		return nil, nil
	}
	text = text[i+1:]
	if j := strings.Index(text, "\n\n"); j >= 0 {
		text = text[:j+1]
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n"), nil
}

// withoutNodes drops the node names from a primitive's status line, as
// crm_resource --list shows it: "d1\t(ocf:heartbeat:Dummy):\t Started".
func withoutNodes(line string, nodes map[string]bool) string {
	i := strings.Index(line, "):\t")
	if i < 0 {
		return line
	}
	head, tail := line[:i+3], line[i+3:]
	if j := strings.Index(tail, " [ "); j >= 0 && strings.HasSuffix(tail, " ]") {
		tail = tail[:j]
	}
	words := strings.Split(tail, " ")
	var kept []string
	flags := false
	for _, w := range words {
		if strings.HasPrefix(w, "(") {
			flags = true
		}
		if !flags && nodes[w] {
			continue
		}
		kept = append(kept, w)
	}
	return head + strings.Join(kept, " ")
}

func nodeNames(c *cib.CIB) map[string]bool {
	out := map[string]bool{}
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		out[n.SelectAttrValue("uname", "")] = true
	}
	for _, ns := range c.Status().SelectElements("node_state") {
		out[ns.SelectAttrValue("uname", "")] = true
	}
	return out
}

func (t *tool) listResources() error {
	c, err := t.load()
	if err != nil {
		return err
	}
	lines, err := statusView(c, t.now())
	if err != nil {
		return fail(exConfig, "%v", err)
	}
	nodes := nodeNames(c)
	for _, l := range lines {
		t.printf("%s\n", withoutNodes(l, nodes))
	}
	if len(c.Section("resources", true).ChildElements()) == 0 {
		return fail(exNoSuch, "no resources are configured %s", t.where())
	}
	return nil
}

// listRaw prints every resource instance's id, as crm_resource -l.
func (t *tool) listRaw() error {
	c, err := t.load()
	if err != nil {
		return err
	}
	nNodes := len(c.Section("nodes", true).SelectElements("node"))
	var walk func(e *etree.Element, suffix string)
	walk = func(e *etree.Element, suffix string) {
		switch e.Tag {
		case "primitive":
			t.printf("%s%s\n", e.SelectAttrValue("id", ""), suffix)
		case "group":
			for _, ch := range e.ChildElements() {
				walk(ch, suffix)
			}
		case "clone", "master":
			max := nNodes
			if v, err := strconv.Atoi(cloneMeta(e, "clone-max")); err == nil {
				max = v
			}
			for i := 0; i < max; i++ {
				for _, ch := range e.ChildElements() {
					walk(ch, fmt.Sprintf(":%d", i))
				}
			}
		}
	}
	for _, e := range c.Section("resources", true).ChildElements() {
		walk(e, "")
	}
	return nil
}

// ---- -W

// statusOrder ranks nodes by their node_state's place in the status
// section: the order Pacemaker reads where resources run.
func statusOrder(c *cib.CIB) map[string]int {
	out := map[string]int{}
	for i, ns := range c.Status().SelectElements("node_state") {
		out[ns.SelectAttrValue("uname", "")] = i
	}
	return out
}

// primitivesOf lists the engine's resources that make up the configured
// resource id: itself, a group's members, a clone's instances.
func primitivesOf(cl *engine.Cluster, c *cib.CIB, id string) []*engine.Resource {
	e := c.Resource(id)
	var out []*engine.Resource
	for _, r := range cl.Resources {
		switch {
		case r.ID == id:
			out = append(out, r)
		case e != nil && r.Unique != nil && r.Unique.ID == id:
			out = append(out, r)
		case e != nil && r.Clone != nil && r.Clone.ID == id:
			out = append(out, r)
		case e != nil && inside(c, r.ID, e):
			out = append(out, r)
		}
	}
	return out
}

// inside reports whether the primitive rid (an instance name allowed) is
// configured inside e.
func inside(c *cib.CIB, rid string, e *etree.Element) bool {
	base, _, _ := strings.Cut(rid, ":")
	p := c.Resource(base)
	for p != nil && p != e {
		p = p.Parent()
		if p != nil && p.Tag == "resources" {
			return false
		}
	}
	return p == e
}

func (t *tool) locate(o resourceOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	cl, err := engine.Unpack(c, t.now())
	if err != nil {
		return fail(exConfig, "%v", err)
	}
	rs := primitivesOf(cl, c, o.rsc)
	if len(rs) == 0 {
		if c.Resource(o.rsc) == nil {
			return fail(exNoSuch, "Resource '%s' not found %s", o.rsc, t.where())
		}
	}
	order := statusOrder(c)
	type where struct {
		node     string
		promoted bool
	}
	seen := map[string]bool{}
	var found []where
	for _, r := range rs {
		for n, st := range r.State {
			if st.Active && !seen[n] {
				seen[n] = true
				found = append(found, where{n, st.Promoted})
			}
		}
	}
	// Pacemaker lists them last read first.
	sort.Slice(found, func(i, j int) bool { return order[found[i].node] > order[found[j].node] })
	if len(found) == 0 {
		if !o.quiet {
			fmt.Fprintf(t.err, "resource %s is NOT running\n", o.rsc) // on stderr, as Pacemaker prints it
		}
		return nil
	}
	for _, w := range found {
		switch {
		case o.quiet:
			t.printf("%s\n", w.node)
		case w.promoted:
			t.printf("resource %s is running on: %s Promoted\n", o.rsc, w.node)
		default:
			t.printf("resource %s is running on: %s\n", o.rsc, w.node)
		}
	}
	return nil
}

// ---- -q

func (t *tool) queryXML(o resourceOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	r, err := t.findResource(c, o.rsc)
	if err != nil {
		return err
	}
	if r.Tag == "primitive" {
		for _, line := range statusLineOf(c, r, t.now()) {
			t.printf("%s\n", line)
		}
	}
	doc := etree.NewDocument()
	doc.SetRoot(r.Copy())
	doc.Indent(2)
	s, _ := doc.WriteToString()
	t.printf("Resource XML:\n%s", s)
	return nil
}

// statusLineOf is crm_mon's line for a primitive (with its nodes).
func statusLineOf(c *cib.CIB, r *etree.Element, now time.Time) []string {
	lines, _ := statusView(c, now)
	id := r.SelectAttrValue("id", "")
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " *"), id+"\t") {
			return []string{strings.TrimLeft(l, " *")}
		}
	}
	return nil
}

// ---- -g, -p, -d

// metaValues are a resource's meta attributes as Pacemaker evaluates
// them: its XML attributes, its own sets, its parents', rsc_defaults.
func metaValues(c *cib.CIB, r *etree.Element) map[string]string {
	out := map[string]string{}
	add := func(m map[string]string) {
		for k, v := range m {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	for _, a := range r.Attr {
		if _, ok := out[a.Key]; !ok {
			out[a.Key] = a.Value
		}
	}
	for p := r; p != nil && isResourceTag(p.Tag); p = p.Parent() {
		add(cib.NVPairs(p, cib.Meta))
	}
	if d := c.Section("rsc_defaults", false); d != nil {
		add(cib.NVPairs(d, cib.Meta))
	}
	return out
}

func paramValues(c *cib.CIB, r *etree.Element, kind string) map[string]string {
	out := cib.NVPairs(r, kind)
	if tpl := r.SelectAttrValue("template", ""); tpl != "" {
		if e := c.FindID(tpl); e != nil {
			for k, v := range cib.NVPairs(e, kind) {
				if _, ok := out[k]; !ok {
					out[k] = v
				}
			}
		}
	}
	return out
}

func (t *tool) getParameter(o resourceOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	r, err := t.findResource(c, o.rsc)
	if err != nil {
		return err
	}
	kind, name := t.attrKind(o, o.getParam)
	var values map[string]string
	if kind == cib.Meta {
		values = metaValues(c, r)
	} else {
		values = paramValues(c, r, kind)
	}
	v, ok := values[name]
	if !ok {
		fmt.Fprintf(t.err, "Attribute '%s' not found for '%s'\n", name, displayName(r))
		return nil
	}
	t.printf("%s\n", v)
	return nil
}

// sanitizeID makes a name usable in an XML id, as Pacemaker does.
func sanitizeID(s string) string {
	return strings.NewReplacer(":", ".", "#", ".").Replace(s)
}

// findPairs returns the nvpairs named name in e's sets of a kind.
func findPairs(e *etree.Element, kind, name, setName string) []*etree.Element {
	var out []*etree.Element
	for _, set := range e.SelectElements(kind) {
		if setName != "" && set.SelectAttrValue("id", "") != setName {
			continue
		}
		for _, nv := range set.SelectElements("nvpair") {
			if nv.SelectAttrValue("name", "") == name {
				out = append(out, nv)
			}
		}
	}
	return out
}

func pairIDs(nvs []*etree.Element) string {
	var ids []string
	for _, nv := range nvs {
		ids = append(ids, nv.SelectAttrValue("id", ""))
	}
	return strings.Join(ids, ", ")
}

func (t *tool) setParameter(o resourceOpts) error {
	kind, name := t.attrKind(o, o.setParam)
	var msgs []string
	_, err := t.edit(func(c *cib.CIB) error {
		msgs = nil
		r, err := t.findResource(c, o.rsc)
		if err != nil {
			return err
		}
		target := r
		if kind == cib.Params && !o.force {
			top := r
			for top.Parent() != nil && isResourceTag(top.Parent().Tag) {
				top = top.Parent()
			}
			if nvs := findPairs(top, cib.Meta, name, ""); len(nvs) > 0 {
				return fail(exMultiple, "there is already a meta attribute for '%s' called '%s' (id=%s): delete it first, set it with --meta, or use --force",
					top.SelectAttrValue("id", ""), name, pairIDs(nvs))
			}
		}
		if kind == cib.Meta && r.Parent() != nil && isClone(r.Parent()) {
			target = r.Parent()
			msgs = append(msgs, fmt.Sprintf("Performing update of '%s' on '%s', the parent of '%s'", name, target.SelectAttrValue("id", ""), o.rsc))
		}
		tid := target.SelectAttrValue("id", "")
		nvs := findPairs(target, kind, name, o.setName)
		switch {
		case len(nvs) > 1:
			return fail(exMultiple, "multiple attributes match name=%s in %s: %s; choose one with -i/--nvpair", name, tid, pairIDs(nvs))
		case len(nvs) == 1:
			nvs[0].CreateAttr("value", o.value)
			msgs = append(msgs, fmt.Sprintf("Set '%s' option: id=%s name=%s value=%s", tid, nvs[0].SelectAttrValue("id", ""), name, o.value))
			return nil
		}
		var set *etree.Element
		for _, s := range target.SelectElements(kind) {
			if o.setName == "" || s.SelectAttrValue("id", "") == o.setName {
				set = s
				break
			}
		}
		if set == nil {
			setID := o.setName
			if setID == "" {
				setID = tid + "-" + kind
			}
			set = target.CreateElement(kind)
			set.CreateAttr("id", setID)
		}
		setID := set.SelectAttrValue("id", "")
		id := o.nvpairID
		if id == "" {
			id = sanitizeID(setID + "-" + name)
		}
		nv := set.CreateElement("nvpair")
		nv.CreateAttr("id", id)
		nv.CreateAttr("name", name)
		nv.CreateAttr("value", o.value)
		msgs = append(msgs, fmt.Sprintf("Set '%s' option: id=%s set=%s name=%s value=%s", tid, id, setID, name, o.value))
		return nil
	})
	if err != nil {
		return err
	}
	if !o.quiet {
		for _, m := range msgs {
			t.printf("%s\n", m)
		}
	}
	return nil
}

func (t *tool) deleteParameter(o resourceOpts) error {
	kind, name := t.attrKind(o, o.delParam)
	var msg string
	_, err := t.edit(func(c *cib.CIB) error {
		msg = ""
		r, err := t.findResource(c, o.rsc)
		if err != nil {
			return err
		}
		target := r
		if kind == cib.Meta && r.Parent() != nil && isClone(r.Parent()) && len(findPairs(r, kind, name, o.setName)) == 0 {
			target = r.Parent()
		}
		nvs := findPairs(target, kind, name, o.setName)
		switch {
		case len(nvs) == 0:
			return nil
		case len(nvs) > 1 && o.nvpairID == "":
			return fail(exMultiple, "multiple attributes match name=%s in %s: %s; choose one with -i/--nvpair", name, target.SelectAttrValue("id", ""), pairIDs(nvs))
		}
		nv := nvs[0]
		for _, x := range nvs {
			if x.SelectAttrValue("id", "") == o.nvpairID {
				nv = x
			}
		}
		nv.Parent().RemoveChild(nv)
		msg = fmt.Sprintf("Deleted '%s' option: id=%s name=%s", target.SelectAttrValue("id", ""), nv.SelectAttrValue("id", ""), name)
		return nil
	})
	if err != nil {
		return err
	}
	if msg == "" {
		fmt.Fprintf(t.err, "Attribute '%s' not found for '%s': nothing to delete\n", name, o.rsc)
		return nil
	}
	if !o.quiet {
		t.printf("%s\n", msg)
	}
	return nil
}

// ---- -M, -B, -U

// lifetimeEnd reads -u: an ISO 8601 duration from now.
func (t *tool) lifetimeEnd(spec string) (time.Time, error) {
	if spec == "" {
		return time.Time{}, nil
	}
	d, err := engine.ParseDuration(spec)
	if err != nil || d <= 0 || !strings.HasPrefix(strings.ToUpper(spec), "P") {
		return time.Time{}, fail(exUsage, "Invalid duration specified: %s (an ISO 8601 duration such as PT30M or P1D)", spec)
	}
	return t.now().Add(d).UTC(), nil
}

// activeNodes lists where the resource runs.
func activeNodes(cl *engine.Cluster, c *cib.CIB, id string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range primitivesOf(cl, c, id) {
		for _, n := range r.ActiveOn() {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// placeConstraint puts a cli- constraint in place of one of the same id,
// or at the end of the constraints.
func placeConstraint(c *cib.CIB, e *etree.Element) {
	id := e.SelectAttrValue("id", "")
	cons := c.Section("constraints", true)
	for _, old := range cons.ChildElements() {
		if old.SelectAttrValue("id", "") == id {
			cons.InsertChildAt(old.Index(), e)
			cons.RemoveChild(old)
			return
		}
	}
	cons.AddChild(e)
}

func removeConstraint(c *cib.CIB, id string) bool {
	cons := c.Section("constraints", true)
	for _, e := range cons.ChildElements() {
		if e.SelectAttrValue("id", "") == id && e.Tag == "rsc_location" {
			cons.RemoveChild(e)
			return true
		}
	}
	return false
}

// locationConstraint is the constraint --move (score INFINITY, ids
// cli-prefer-*) and --ban (-INFINITY, cli-ban-*) write.
func locationConstraint(rsc, node string, prefer bool, until time.Time, promoted bool) *etree.Element {
	id, score := "cli-ban-"+rsc+"-on-"+node, "-INFINITY"
	if prefer {
		id, score = "cli-prefer-"+rsc, "INFINITY"
	}
	role := "Started"
	if promoted {
		role = "Promoted"
	}
	e := etree.NewElement("rsc_location")
	e.CreateAttr("id", id)
	e.CreateAttr("rsc", rsc)
	e.CreateAttr("role", role)
	if until.IsZero() {
		e.CreateAttr("node", node)
		e.CreateAttr("score", score)
		return e
	}
	ruleID, exprID, dateID := id+"-rule", id+"-expr", id+"-lifetime"
	if prefer {
		ruleID, exprID, dateID = "cli-prefer-rule-"+rsc, "cli-prefer-expr-"+rsc, "cli-prefer-lifetime-end-"+rsc
	}
	rule := e.CreateElement("rule")
	rule.CreateAttr("id", ruleID)
	rule.CreateAttr("score", score)
	rule.CreateAttr("boolean-op", "and")
	ex := rule.CreateElement("expression")
	ex.CreateAttr("id", exprID)
	ex.CreateAttr("attribute", "#uname")
	ex.CreateAttr("operation", "eq")
	ex.CreateAttr("value", node)
	ex.CreateAttr("type", "string")
	de := rule.CreateElement("date_expression")
	de.CreateAttr("id", dateID)
	de.CreateAttr("operation", "lt")
	de.CreateAttr("end", until.Format(cib.LifetimeFormat))
	return e
}

// banWarning is what crm_resource says when it creates a ban.
func (t *tool) banWarning(rsc, node string) {
	t.printf("WARNING: Creating rsc_location constraint 'cli-ban-%s-on-%s' with a score of -INFINITY for resource %s on %s.\n", rsc, node, rsc, node)
	t.printf("\tThis will prevent %s from running on %s until the constraint is removed using the clear option or by editing the CIB with an appropriate tool\n", rsc, node)
	t.printf("\tThis will be the case even if %s is the last node in the cluster\n", node)
}

// current is the one node the resource runs on, for -M and -B without
// a node.
func (t *tool) current(c *cib.CIB, rsc string) (string, error) {
	cl, err := engine.Unpack(c, t.now())
	if err != nil {
		return "", fail(exConfig, "%v", err)
	}
	active := activeNodes(cl, c, rsc)
	if len(active) != 1 {
		return "", fail(exUsage, "Resource '%s' not moved: active in %d locations; name the node with -N/--node", rsc, len(active))
	}
	return active[0], nil
}

func (t *tool) move(o resourceOpts) error {
	until, err := t.lifetimeEnd(o.lifetime)
	if err != nil {
		return err
	}
	c, err := t.load()
	if err != nil {
		return err
	}
	if _, err := t.findResource(c, o.rsc); err != nil {
		return err
	}
	if o.node == "" {
		node, err := t.current(c, o.rsc)
		if err != nil {
			return err
		}
		return t.banOn(o, node, until)
	}
	if !c.HasNode(o.node) {
		return fail(exNoSuch, "Node '%s' not found %s", o.node, t.where())
	}
	cl, err := engine.Unpack(c, t.now())
	if err != nil {
		return fail(exConfig, "%v", err)
	}
	if active := activeNodes(cl, c, o.rsc); len(active) == 1 && active[0] == o.node && !o.force {
		return fail(exExists, "%s is already active on %s (nothing to move; --force bans it there)", o.rsc, o.node)
	}
	_, err = t.edit(func(c *cib.CIB) error {
		if _, err := t.findResource(c, o.rsc); err != nil {
			return err
		}
		// As Pacemaker: the old preference and a ban from the new node
		// go, the new preference comes last.
		removeConstraint(c, "cli-ban-"+o.rsc+"-on-"+o.node)
		removeConstraint(c, "cli-prefer-"+o.rsc)
		placeConstraint(c, locationConstraint(o.rsc, o.node, true, until, o.promoted))
		return nil
	})
	if err != nil {
		return err
	}
	if !until.IsZero() && !o.quiet {
		t.printf("Migration will take effect until: %s\n", until.Format(cib.LifetimeFormat))
	}
	return nil
}

func (t *tool) ban(o resourceOpts) error {
	until, err := t.lifetimeEnd(o.lifetime)
	if err != nil {
		return err
	}
	c, err := t.load()
	if err != nil {
		return err
	}
	if _, err := t.findResource(c, o.rsc); err != nil {
		return err
	}
	node := o.node
	if node == "" {
		if node, err = t.current(c, o.rsc); err != nil {
			return err
		}
	} else if !c.HasNode(node) {
		return fail(exNoSuch, "Node '%s' not found %s", node, t.where())
	}
	return t.banOn(o, node, until)
}

func (t *tool) banOn(o resourceOpts, node string, until time.Time) error {
	_, err := t.edit(func(c *cib.CIB) error {
		if _, err := t.findResource(c, o.rsc); err != nil {
			return err
		}
		placeConstraint(c, locationConstraint(o.rsc, node, false, until, o.promoted))
		return nil
	})
	if err != nil {
		return err
	}
	if !o.quiet {
		if !until.IsZero() {
			t.printf("Migration will take effect until: %s\n", until.Format(cib.LifetimeFormat))
		}
		t.banWarning(o.rsc, node)
	}
	return nil
}

// constraintNode is the node a cli- constraint names (by attribute or
// in its rule).
func constraintNode(e *etree.Element) string {
	if n := e.SelectAttrValue("node", ""); n != "" {
		return n
	}
	for _, ex := range e.FindElements("./rule/expression") {
		if ex.SelectAttrValue("attribute", "") == "#uname" {
			return ex.SelectAttrValue("value", "")
		}
	}
	return ""
}

// expired reports whether a cli- constraint's lifetime is over.
func expired(e *etree.Element, now time.Time) bool {
	for _, de := range e.FindElements("./rule/date_expression") {
		end, err := time.Parse(cib.LifetimeFormat, de.SelectAttrValue("end", ""))
		if err == nil && !end.After(now) {
			return true
		}
	}
	return false
}

func (t *tool) clear(o resourceOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	if _, err := t.findResource(c, o.rsc); err != nil {
		return err
	}
	if o.node != "" && !c.HasNode(o.node) {
		return fail(exNoSuch, "Node '%s' not found %s", o.node, t.where())
	}
	var removed []string
	now := t.now()
	_, err = t.edit(func(c *cib.CIB) error {
		removed = nil
		cons := c.Section("constraints", true)
		byID := map[string]*etree.Element{}
		for _, e := range cons.SelectElements("rsc_location") {
			byID[e.SelectAttrValue("id", "")] = e
		}
		drop := func(id string, ok func(e *etree.Element) bool) {
			if e := byID[id]; e != nil && ok(e) && (!o.expired || expired(e, now)) {
				cons.RemoveChild(e)
				delete(byID, id)
				removed = append(removed, id)
			}
		}
		always := func(*etree.Element) bool { return true }
		nodes := []string{o.node}
		if o.node == "" {
			nodes = nil
			for _, n := range c.Section("nodes", true).SelectElements("node") {
				nodes = append(nodes, n.SelectAttrValue("uname", ""))
			}
			sort.SliceStable(nodes, func(i, j int) bool { return engine.NaturalLess(nodes[i], nodes[j]) })
		}
		for _, n := range nodes {
			drop("cli-ban-"+o.rsc+"-on-"+n, always)
		}
		drop("cli-prefer-"+o.rsc, func(e *etree.Element) bool {
			return o.node == "" || o.force || constraintNode(e) == o.node
		})
		return nil
	})
	if err != nil {
		return err
	}
	if !o.quiet {
		for _, id := range removed {
			t.printf("Removing constraint: %s\n", id)
		}
	}
	return nil
}

// ---- -D

func (t *tool) deleteResource(o resourceOpts) error {
	if o.rtype == "" {
		return fail(exNoSuch, "You need to specify a resource type with -t (primitive, group, clone...)")
	}
	deleted := false
	_, err := t.edit(func(c *cib.CIB) error {
		deleted = false
		if _, err := t.findResource(c, o.rsc); err != nil {
			return err
		}
		for _, e := range c.Section("resources", true).FindElements(".//" + o.rtype) {
			if e.SelectAttrValue("id", "") == o.rsc {
				e.Parent().RemoveChild(e)
				deleted = true
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !deleted {
		fmt.Fprintf(t.err, "%s: %s is not a %s: nothing deleted\n", t.name, o.rsc, o.rtype)
	}
	return nil
}

// ---- -C, -R, -P

// cleaner is a backend that can make nodes forget a resource's history.
type cleaner interface {
	Cleanup(rsc, node string, all bool) error
}

func (t *tool) cleanup(o resourceOpts, failuresOnly bool) error {
	cl, ok := t.b.(cleaner)
	if !ok {
		return fail(exSoftware, "this backend cannot clean up resources")
	}
	c, err := t.load()
	if err != nil {
		return err
	}
	if o.node != "" && !c.HasNode(o.node) {
		return fail(exNoSuch, "Node '%s' not found %s", o.node, t.where())
	}
	if o.rsc == "" {
		// Everything that has a history.
		seen := map[string]bool{}
		for _, ns := range c.Status().SelectElements("node_state") {
			if o.node != "" && ns.SelectAttrValue("uname", "") != o.node {
				continue
			}
			for _, re := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
				id := re.SelectAttrValue("id", "")
				if !seen[id] {
					seen[id] = true
					if err := cl.Cleanup(id, o.node, !failuresOnly); err != nil {
						return fail(exError, "cleanup of %s: %v", id, err)
					}
				}
			}
		}
		if !o.quiet {
			where := "all nodes"
			if o.node != "" {
				where = o.node
			}
			t.printf("Cleaned up all resources on %s\n", where)
		}
		return nil
	}
	r, err := t.findResource(c, o.rsc)
	if err != nil {
		return err
	}
	// A group member or a clone instance stands for its whole collective
	// resource, unless --force.
	top := r
	if !o.force {
		for top.Parent() != nil && isResourceTag(top.Parent().Tag) {
			top = top.Parent()
		}
	}
	var prims []*etree.Element
	if top.Tag == "primitive" {
		prims = []*etree.Element{top}
	} else {
		prims = top.FindElements(".//primitive")
	}
	order := statusOrder(c)
	for _, p := range prims {
		id := p.SelectAttrValue("id", "")
		anonymous := p.Parent() != nil && isClone(p.Parent()) && !cib.IsTrue(cloneMeta(p.Parent(), "globally-unique"))
		var nodes []string
		if o.node != "" {
			nodes = []string{o.node}
		} else {
			for _, ns := range c.Status().SelectElements("node_state") {
				for _, re := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
					hid := re.SelectAttrValue("id", "")
					if hid == id || strings.HasPrefix(hid, id+":") {
						nodes = append(nodes, ns.SelectAttrValue("uname", ""))
						break
					}
				}
			}
			sort.SliceStable(nodes, func(i, j int) bool { return order[nodes[i]] < order[nodes[j]] })
		}
		for i, n := range nodes {
			if err := cl.Cleanup(id, n, !failuresOnly); err != nil {
				return fail(exError, "cleanup of %s on %s: %v", id, n, err)
			}
			name := id
			if anonymous {
				name = fmt.Sprintf("%s:%d", id, i)
			}
			if !o.quiet {
				t.printf("Cleaned up %s on %s\n", name, n)
			}
		}
	}
	return nil
}

// ---- -O, -o

var execText = map[int]string{
	-1: "pending", 0: "complete", 1: "Cancelled", 2: "Timed Out", 3: "NOT SUPPORTED", 4: "Error",
	5: "Hard error", 6: "Fatal error", 7: "Not installed", 8: "Internal communication failure",
	9: "Cannot execute now", 10: "No fence device", 11: "CIB secrets unavailable",
}

// opEntry is one lrm_rsc_op with where it ran.
type opEntry struct {
	rsc, node string
	lrm       *etree.Element
	op        *etree.Element
	call      int
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// activeOps keeps, of one resource's operations on one node (sorted by
// call), those since it last started; none when it was stopped since.
func activeOps(ops []opEntry) []opEntry {
	start, stop := -1, -1
	impliedMonitor := -1
	impliedClone := -1
	for i, e := range ops {
		task := e.op.SelectAttrValue("operation", "")
		rc := atoi(e.op.SelectAttrValue("rc-code", ""))
		status := atoi(e.op.SelectAttrValue("op-status", ""))
		switch {
		case task == "stop" && status == 0 && rc == 0:
			stop = i
		case task == "start" || task == "migrate_from":
			start = i
		case impliedMonitor <= stop && task == "monitor" && (rc == 0 || rc == 8):
			impliedMonitor = i
		case task == "promote" || task == "demote":
			impliedClone = i
		}
	}
	if start == -1 {
		switch {
		case impliedClone != -1:
			start = impliedClone
		case impliedMonitor != -1:
			start = impliedMonitor
		}
	}
	if start < stop {
		return nil
	}
	if start < 0 {
		start = 0
	}
	return ops[start:]
}

func (t *tool) listOperations(o resourceOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	if o.node != "" && !c.HasNode(o.node) {
		return fail(exNoSuch, "Node '%s' not found %s", o.node, t.where())
	}
	now := t.now()
	cl, err := engine.Unpack(c, now)
	if err != nil {
		return fail(exConfig, "%v", err)
	}
	online := map[string]bool{}
	for _, n := range cl.Nodes {
		online[n.Uname] = n.Online
	}
	byID := map[string]*engine.Resource{}
	for _, r := range cl.Resources {
		byID[r.ID] = r
		if base, _, ok := strings.Cut(r.ID, ":"); ok && r.Clone != nil {
			byID[base] = r
		}
	}
	lines, _ := statusView(c, now)
	nodes := nodeNames(c)
	lineOf := map[string]string{}
	for _, l := range lines {
		l = strings.TrimLeft(l, " *")
		if id, _, ok := strings.Cut(l, "\t"); ok && strings.Contains(l, "):\t") {
			lineOf[id] = withoutNodes(l, nodes)
		}
	}
	for _, ns := range c.Status().SelectElements("node_state") {
		node := ns.SelectAttrValue("uname", "")
		if o.node != "" && !strings.EqualFold(node, o.node) {
			continue
		}
		if !online[node] && !cl.StonithEnabled {
			continue
		}
		for _, lrm := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
			id := lrm.SelectAttrValue("id", "")
			if o.rsc != "" && !strings.EqualFold(id, o.rsc) {
				continue
			}
			var ops []opEntry
			for _, op := range lrm.SelectElements("lrm_rsc_op") {
				ops = append(ops, opEntry{rsc: id, node: node, lrm: lrm, op: op, call: atoi(op.SelectAttrValue("call-id", ""))})
			}
			sort.SliceStable(ops, func(i, j int) bool {
				a, b := ops[i].call, ops[j].call
				if a < 0 || b < 0 { // pending: last
					return a >= 0 && b < 0
				}
				return a < b
			})
			if o.listOps {
				ops = activeOps(ops)
			}
			for _, e := range ops {
				t.printf("%s\n", t.opLine(e, byID, lineOf))
			}
		}
	}
	return nil
}

// opLine is one operation as crm_resource -O prints it.
func (t *tool) opLine(e opEntry, byID map[string]*engine.Resource, lineOf map[string]string) string {
	r := byID[e.rsc]
	agent := e.lrm.SelectAttrValue("class", "")
	if p := e.lrm.SelectAttrValue("provider", ""); p != "" {
		agent += ":" + p
	}
	agent += ":" + e.lrm.SelectAttrValue("type", "")
	var head string
	switch {
	case lineOf[e.rsc] != "":
		head = lineOf[e.rsc]
	case r != nil:
		head = fmt.Sprintf("%s\t(%s):\t %s", e.rsc, r.Agent(), cloneState(r, e.node))
	default:
		head = fmt.Sprintf("%s\t(%s):\t ORPHANED Stopped", e.rsc, agent)
	}
	op := e.op
	key := op.SelectAttrValue("operation_key", op.SelectAttrValue("id", ""))
	change := ""
	if s := op.SelectAttrValue("last-rc-change", ""); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			change = time.Unix(n, 0).Format("Mon Jan _2 15:04:05 2006")
		}
	}
	status := atoi(op.SelectAttrValue("op-status", "0"))
	return fmt.Sprintf("%s: %s (node=%s, call=%s, rc=%s, last-rc-change='%s', exec=%sms): %s",
		head, key, e.node, op.SelectAttrValue("call-id", ""), op.SelectAttrValue("rc-code", ""), change,
		op.SelectAttrValue("exec-time", "0"), execText[status])
}

// cloneState is the state word of a clone's primitive on a node.
func cloneState(r *engine.Resource, node string) string {
	st := r.State[node]
	switch {
	case st == nil || !st.Active:
		return "Stopped"
	case st.Failed:
		return "FAILED"
	case st.Promoted:
		return "Promoted"
	case r.Clone != nil && r.Clone.Promotable:
		return "Unpromoted"
	}
	return "Started"
}

// ---- --show-metadata

func (t *tool) showMetadata(spec string) error {
	parts := strings.Split(spec, ":")
	var a agents.Agent
	switch {
	case len(parts) == 3 && parts[0] == "ocf":
		a = agents.Agent{Class: "ocf", Provider: parts[1], Type: parts[2]}
	case len(parts) == 2 && parts[0] != "ocf" && parts[0] != "" && parts[1] != "":
		a = agents.Agent{Class: parts[0], Type: parts[1]}
	default:
		return fail(exNoSuch, "'%s' is not a valid agent specification (class:provider:type or class:type)", spec)
	}
	switch a.Class {
	case "ocf", "stonith":
	default:
		return fail(exNoSuch, "Metadata query for %s failed: %s agents have no meta-data", spec, a.Class)
	}
	p := &agents.Process{MaxOutput: 4 << 20}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := p.Exec(ctx, agents.Op{Resource: a.Type, Agent: a, Action: "meta-data", Timeout: 30 * time.Second})
	if res.Status != agents.Done || res.RC != 0 || strings.TrimSpace(res.Output) == "" {
		why := res.ExitReason
		if why == "" {
			why = fmt.Sprintf("exit status %d (%s)", res.RC, res.Status)
		}
		return fail(exNoSuch, "Metadata query for %s failed: %s", spec, why)
	}
	t.printf("%s", res.Output)
	return nil
}
