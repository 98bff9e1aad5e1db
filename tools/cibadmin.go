package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// cibadminOpts are cibadmin's options.
type cibadminOpts struct {
	query, erase, create, modify, replace, del, delAll, empty, bump, upgrade bool
	force, local, sync, allowCreate, noChildren, nodePath, pipe, help        bool
	scope, xpath, xmlText, xmlFile, timeout, node, user, showAccess          string
	verbose                                                                  int
}

func cibadmin(args []string, t *tool) int {
	var o cibadminOpts
	p := newOptions(t.name)
	p.flag('Q', &o.query, "query")
	p.flag('E', &o.erase, "erase")
	p.flag('C', &o.create, "create")
	p.flag('M', &o.modify, "modify")
	p.flag('R', &o.replace, "replace")
	p.flag('D', &o.del, "delete")
	p.flag('d', &o.delAll, "delete-all")
	p.flag('a', &o.empty, "empty")
	p.flag('B', &o.bump, "bump")
	p.flag('u', &o.upgrade, "upgrade")
	p.flag('f', &o.force, "force")
	p.flag('l', &o.local, "local")
	p.flag('s', &o.sync, "sync-call")
	p.flag('c', &o.allowCreate, "allow-create")
	p.flag('n', &o.noChildren, "no-children")
	p.flag('e', &o.nodePath, "node-path")
	p.flag('p', &o.pipe, "xml-pipe")
	p.flag('h', &o.help, "help")
	p.flag('?', &o.help, "help-all")
	p.str('o', &o.scope, "scope")
	p.str('A', &o.xpath, "xpath")
	p.str('X', &o.xmlText, "xml-text")
	p.str('x', &o.xmlFile, "xml-file")
	p.str('t', &o.timeout, "timeout")
	p.str('N', &o.node, "node")
	p.str('U', &o.user, "user")
	p.str('S', &o.showAccess, "show-access")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("%s", cibadminUsage)
		return exOK
	}
	var err error
	switch {
	case o.empty:
		t.printf("%s", cib.New().Bytes())
	case o.erase:
		err = t.erase(o)
	case o.bump:
		err = t.bump()
	case o.upgrade:
		err = t.upgrade()
	case o.create:
		err = t.withInput(o, t.create)
	case o.modify:
		err = t.withInput(o, t.modify)
	case o.replace:
		err = t.withInput(o, t.replace)
	case o.del || o.delAll:
		if o.xpath != "" {
			err = t.deleteXPath(o)
		} else {
			err = t.withInput(o, t.deleteMatching)
		}
	case o.query:
		err = t.query(o)
	default:
		err = fail(exUsage, "give a command: -Q, -C, -M, -R, -D, -E, -B or --empty (see --help)")
	}
	return t.finish(err)
}

const cibadminUsage = `Usage: cibadmin COMMAND [OPTION...]
Read and change the CIB as XML.

Commands:
  -Q, --query      print the CIB (or -o SECTION, or what -A XPATH finds)
  -C, --create     add the input XML under -o SECTION (it must not exist)
  -M, --modify     merge the input XML into the element of the same id (-c: create it if missing)
  -R, --replace    replace the element of the input's id (or -o SECTION, or the whole CIB)
  -D, --delete     delete the first element matching the input's tag and attributes (or -A XPATH; -d all matches)
  -E, --erase      empty the configuration (needs --force)
  -B, --bump       increase the epoch
  -a, --empty      print an empty CIB
Input and scope:
  -X, --xml-text=XML   -x, --xml-file=FILE   -p, --xml-pipe (stdin)
  -o, --scope=SECTION  configuration, nodes, resources, constraints, crm_config, rsc_defaults,
                       op_defaults, acls, fencing-topology, tags, alerts, status
  -A, --xpath=XPATH    -e, --node-path   -n, --no-children   -f, --force
`

// sections are the scopes -o takes.
var sections = map[string]bool{
	"configuration": true, "nodes": true, "resources": true, "constraints": true, "crm_config": true,
	"rsc_defaults": true, "op_defaults": true, "acls": true, "fencing-topology": true, "tags": true,
	"alerts": true, "status": true,
}

// sectionOf finds a scope's element, nil if absent.
func sectionOf(c *cib.CIB, scope string) *etree.Element {
	switch scope {
	case "configuration":
		return c.Configuration()
	case "status":
		return c.Status()
	case "cib":
		return c.Root()
	}
	return c.Section(scope, false)
}

// readInput reads the XML of -X, -x or -p.
func (t *tool) readInput(o cibadminOpts) (*etree.Element, error) {
	var data []byte
	switch {
	case o.xmlText != "":
		data = []byte(o.xmlText)
	case o.xmlFile != "":
		b, err := os.ReadFile(o.xmlFile)
		if err != nil {
			return nil, fail(exNoInput, "cannot read %s: %v", o.xmlFile, err)
		}
		data = b
	case o.pipe:
		b, err := io.ReadAll(t.stdin)
		if err != nil {
			return nil, fail(exNoInput, "cannot read standard input: %v", err)
		}
		data = b
	default:
		return nil, fail(exSoftware, "give the XML with -X XML, -x FILE or -p (standard input)")
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(data); err != nil || doc.Root() == nil {
		if err == nil {
			err = errors.New("no element")
		}
		return nil, fail(exDataErr, "the input is not well-formed XML: %v", err)
	}
	root := doc.Root()
	stripSpace(root)
	return root, nil
}

// stripSpace drops whitespace text and comments, as Pacemaker reads XML.
func stripSpace(e *etree.Element) {
	for _, tok := range append([]etree.Token(nil), e.Child...) {
		switch x := tok.(type) {
		case *etree.CharData:
			if strings.TrimSpace(x.Data) == "" {
				e.RemoveChild(x)
			}
		case *etree.Comment:
			e.RemoveChild(x)
		case *etree.Element:
			stripSpace(x)
		}
	}
}

func (t *tool) withInput(o cibadminOpts, f func(o cibadminOpts, in *etree.Element) error) error {
	in, err := t.readInput(o)
	if err != nil {
		return err
	}
	return f(o, in)
}

// apply makes a change to the whole CIB: a change of the configuration
// is committed (made again on a newer CIB if one came in between); a
// change of the status section or of the root is written to the file
// offline (the daemon keeps the status on a running cluster).
func (t *tool) apply(f func(c *cib.CIB) error) error {
	for try := 0; ; try++ {
		base, err := t.load()
		if err != nil {
			return err
		}
		next := base.Clone()
		if err := f(next); err != nil {
			return err
		}
		statusChanged := elemText(base.Status()) != elemText(next.Status()) || rootAttrs(base) != rootAttrs(next)
		configChanged := !next.ConfigEqual(base)
		if !statusChanged && !configChanged {
			return nil
		}
		if ps := newProblems(base, next); len(ps) > 0 {
			more := ""
			if len(ps) > 1 {
				more = fmt.Sprintf(" (and %d more)", len(ps)-1)
			}
			return fail(exConfig, "Update does not conform to the schema, nothing was applied: %s%s", ps[0], more)
		}
		if statusChanged {
			if configChanged && next.Version().ConfigCompare(base.Version()) == 0 {
				next.BumpEpoch()
			} else if !configChanged {
				next.BumpUpdates()
			}
			return t.writeWhole(next)
		}
		err = t.b.Commit(base, next)
		if errors.Is(err, cib.ErrConflict) && try < 5 {
			continue
		}
		if err != nil {
			return fail(exError, "could not apply the change %s: %v", t.where(), err)
		}
		return nil
	}
}

func elemText(e *etree.Element) string {
	if e == nil {
		return ""
	}
	d := etree.NewDocument()
	d.SetRoot(e.Copy())
	s, _ := d.WriteToString()
	return s
}

// rootAttrs are the root's attributes but the versions and stamps the
// backend keeps.
func rootAttrs(c *cib.CIB) string {
	var b strings.Builder
	for _, a := range c.Root().Attr {
		switch a.Key {
		case "epoch", "num_updates", "cib-last-written", "update-origin", "update-client", "update-user":
			continue
		}
		b.WriteString(a.Key + "=" + a.Value + " ")
	}
	return b.String()
}

// indented renders an element as cibadmin prints it.
func indented(e *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(e.Copy())
	d.Indent(2)
	s, _ := d.WriteToString()
	return s
}

func (t *tool) query(o cibadminOpts) error {
	c, err := t.load()
	if err != nil {
		return err
	}
	show := func(e *etree.Element) string {
		if o.noChildren {
			e = e.Copy()
			for _, ch := range append([]etree.Token(nil), e.Child...) {
				e.RemoveChild(ch)
			}
		}
		return indented(e)
	}
	if o.xpath != "" {
		found, err := xpathFind(c, o.xpath)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fail(exNoSuch, "nothing matches %s %s", o.xpath, t.where())
		}
		if o.nodePath {
			for _, e := range found {
				t.printf("%s\n", nodePath(e))
			}
			return nil
		}
		if len(found) == 1 {
			t.printf("%s", show(found[0]))
			return nil
		}
		q := etree.NewElement("xpath-query")
		for _, e := range found {
			if o.noChildren {
				x := e.Copy()
				for _, ch := range append([]etree.Token(nil), x.Child...) {
					x.RemoveChild(ch)
				}
				q.AddChild(x)
			} else {
				q.AddChild(e.Copy())
			}
		}
		t.printf("%s", indented(q))
		return nil
	}
	if o.scope != "" {
		if !sections[o.scope] {
			fmt.Fprintf(t.err, "%s: no section '%s': showing the whole CIB\n", t.name, o.scope)
		} else {
			e := sectionOf(c, o.scope)
			if e == nil {
				return fail(exNoSuch, "no %s section %s", o.scope, t.where())
			}
			t.printf("%s", show(e))
			return nil
		}
	}
	t.printf("%s", show(c.Root()))
	return nil
}

// xpathFind evaluates the XPath subset etree knows on the whole CIB.
func xpathFind(c *cib.CIB, expr string) (found []*etree.Element, err error) {
	path, perr := etree.CompilePath(expr)
	if perr != nil {
		return nil, fail(exUsage, "cannot use the XPath %s: %v", expr, perr)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fail(exUsage, "cannot use the XPath %s: %v", expr, r)
		}
	}()
	if !strings.HasPrefix(expr, "/") {
		return nil, fail(exUsage, "the XPath %s must be absolute (start with /)", expr)
	}
	return c.Root().FindElementsPath(path), nil
}

// nodePath is an element's path as cibadmin -e prints it.
func nodePath(e *etree.Element) string {
	var parts []string
	for x := e; x != nil && x.Tag != ""; x = x.Parent() {
		p := x.Tag
		if id := x.SelectAttrValue("id", ""); id != "" {
			p += "[@id='" + id + "']"
		}
		parts = append([]string{p}, parts...)
		if x.Tag == "cib" {
			break
		}
	}
	return "/" + strings.Join(parts, "/")
}

// findByID finds the element with the input's tag and id under within.
func findByID(within *etree.Element, tag, id string) *etree.Element {
	if within.Tag == tag && within.SelectAttrValue("id", "") == id {
		return within
	}
	for _, e := range within.FindElements(".//" + tag) {
		if e.SelectAttrValue("id", "") == id {
			return e
		}
	}
	return nil
}

func (t *tool) scopeElem(c *cib.CIB, o cibadminOpts) (*etree.Element, error) {
	if o.scope == "" {
		return c.Root(), nil
	}
	if !sections[o.scope] {
		return nil, fail(exNoSuch, "no section '%s' (configuration, nodes, resources, constraints, crm_config, rsc_defaults, op_defaults, acls, fencing-topology, tags, alerts, status)", o.scope)
	}
	e := sectionOf(c, o.scope)
	if e == nil {
		return nil, fail(exNoSuch, "no %s section %s", o.scope, t.where())
	}
	return e, nil
}

func (t *tool) create(o cibadminOpts, in *etree.Element) error {
	var failed *etree.Element
	err := t.apply(func(c *cib.CIB) error {
		failed = nil
		scope := o.scope
		if scope == "" {
			if !sections[in.Tag] {
				return fail(exNoSuch, "give the section to create the %s in with -o SECTION", in.Tag)
			}
			scope = "configuration"
		}
		parent := sectionOf(c, scope)
		if parent == nil {
			if !sections[scope] || scope == "cib" {
				return fail(exNoSuch, "no section '%s'", scope)
			}
			return fail(exNoSuch, "no %s section %s", scope, t.where())
		}
		if id := in.SelectAttrValue("id", ""); id != "" {
			for _, e := range parent.SelectElements(in.Tag) {
				if e.SelectAttrValue("id", "") == id {
					failed = in
					return fail(exExists, "%s %s already exists %s", in.Tag, id, t.where())
				}
			}
		} else if parent.SelectElement(in.Tag) != nil && sections[in.Tag] {
			failed = in
			return fail(exExists, "the %s section already exists %s", in.Tag, t.where())
		}
		parent.AddChild(in.Copy())
		return nil
	})
	if failed != nil {
		f := etree.NewElement("failed")
		u := f.CreateElement("failed_update")
		u.CreateAttr("id", failed.SelectAttrValue("id", ""))
		u.CreateAttr("object_type", failed.Tag)
		u.CreateAttr("operation", "cib_create")
		u.CreateAttr("reason", "File exists")
		u.AddChild(failed.Copy())
		t.printf("%s", indented(f))
	}
	return err
}

// merge sets from's attributes on to and merges its children: one of
// the same tag and id (or the same tag, for elements without ids) is
// merged, others are added. A value "NAME++" increments the attribute.
func merge(to, from *etree.Element) {
	for _, a := range from.Attr {
		v := a.Value
		if v == a.Key+"++" {
			n, _ := strconv.Atoi(to.SelectAttrValue(a.Key, "0"))
			v = strconv.Itoa(n + 1)
		}
		to.CreateAttr(a.Key, v)
	}
	for _, ch := range from.ChildElements() {
		id := ch.SelectAttrValue("id", "")
		var match *etree.Element
		for _, e := range to.SelectElements(ch.Tag) {
			if e.SelectAttrValue("id", "") == id {
				match = e
				break
			}
		}
		if match != nil {
			merge(match, ch)
		} else {
			to.AddChild(ch.Copy())
		}
	}
}

func (t *tool) modify(o cibadminOpts, in *etree.Element) error {
	return t.apply(func(c *cib.CIB) error {
		within, err := t.scopeElem(c, o)
		if err != nil {
			return err
		}
		var target *etree.Element
		switch {
		case in.Tag == "cib":
			target = c.Root()
		case sections[in.Tag] && in.SelectAttr("id") == nil:
			target = sectionOf(c, in.Tag)
		default:
			target = findByID(within, in.Tag, in.SelectAttrValue("id", ""))
		}
		if target == nil {
			if !o.allowCreate {
				return fail(exNoSuch, "no %s with id '%s' %s (use -c to create it)", in.Tag, in.SelectAttrValue("id", ""), t.where())
			}
			within.AddChild(in.Copy())
			return nil
		}
		merge(target, in)
		return nil
	})
}

func (t *tool) replace(o cibadminOpts, in *etree.Element) error {
	if in.Tag == "cib" {
		return t.replaceWhole(in)
	}
	return t.apply(func(c *cib.CIB) error {
		if o.scope != "" && in.Tag == o.scope {
			old := sectionOf(c, o.scope)
			if old == nil {
				if !sections[o.scope] {
					return fail(exNoSuch, "no section '%s'", o.scope)
				}
				c.Configuration().AddChild(in.Copy())
				return nil
			}
			p := old.Parent()
			p.InsertChildAt(old.Index(), in.Copy())
			p.RemoveChild(old)
			return nil
		}
		within, err := t.scopeElem(c, o)
		if err != nil {
			return err
		}
		old := findByID(within, in.Tag, in.SelectAttrValue("id", ""))
		if old == nil || old == c.Root() {
			return fail(exNoSuch, "no %s with id '%s' %s", in.Tag, in.SelectAttrValue("id", ""), t.where())
		}
		p := old.Parent()
		p.InsertChildAt(old.Index(), in.Copy())
		p.RemoveChild(old)
		return nil
	})
}

// replaceWhole puts a whole CIB in place of the current one, refusing an
// older one.
func (t *tool) replaceWhole(in *etree.Element) error {
	d := etree.NewDocument()
	d.SetRoot(in.Copy())
	data, _ := d.WriteToBytes()
	nc, err := cib.Parse(data)
	if err != nil {
		return fail(exDataErr, "%v", err)
	}
	cur, err := t.load()
	if err != nil {
		return err
	}
	nv, cv := nc.Version(), cur.Version()
	if nv.AdminEpoch < cv.AdminEpoch || (nv.AdminEpoch == cv.AdminEpoch && nv.Epoch < cv.Epoch) {
		return fail(exOld, "Update was older than existing configuration: it has version %s, the CIB %s", nv, cv)
	}
	if ps := newProblems(cur, nc); len(ps) > 0 {
		return fail(exConfig, "Update does not conform to the schema, nothing was applied: %s", ps[0])
	}
	if _, offline := t.offline(); offline {
		return t.writeWhole(nc)
	}
	if err := t.b.Commit(cur, nc); err != nil {
		return fail(exError, "could not replace the configuration %s: %v", t.where(), err)
	}
	return nil
}

// attrsMatch reports whether e has every attribute of pattern.
func attrsMatch(e, pattern *etree.Element) bool {
	for _, a := range pattern.Attr {
		if e.SelectAttrValue(a.Key, "\x00") != a.Value {
			return false
		}
	}
	return true
}

func (t *tool) deleteMatching(o cibadminOpts, in *etree.Element) error {
	return t.apply(func(c *cib.CIB) error {
		within, err := t.scopeElem(c, o)
		if err != nil {
			return err
		}
		for _, e := range within.FindElements(".//" + in.Tag) {
			if attrsMatch(e, in) {
				e.Parent().RemoveChild(e)
				return nil
			}
		}
		return nil
	})
}

func (t *tool) deleteXPath(o cibadminOpts) error {
	if o.delAll && !o.force {
		return fail(exUnsafe, "deleting everything an XPath matches is dangerous: give --force to do it")
	}
	return t.apply(func(c *cib.CIB) error {
		found, err := xpathFind(c, o.xpath)
		if err != nil {
			return err
		}
		for _, e := range found {
			if e == c.Root() || e == c.Configuration() || e == c.Status() {
				return fail(exUsage, "%s matches a part of the CIB that cannot be deleted", o.xpath)
			}
			e.Parent().RemoveChild(e)
			if !o.delAll {
				break
			}
		}
		return nil
	})
}

func (t *tool) erase(o cibadminOpts) error {
	if !o.force {
		return fail(exUnsafe, "erasing the whole CIB is dangerous: give --force to do it")
	}
	c, err := t.load()
	if err != nil {
		return err
	}
	next := c.Clone()
	conf := next.Configuration()
	for _, ch := range append([]etree.Token(nil), conf.Child...) {
		conf.RemoveChild(ch)
	}
	for _, s := range []string{"crm_config", "nodes", "resources", "constraints"} {
		conf.CreateElement(s)
	}
	if _, offline := t.offline(); offline {
		st := next.Status()
		for _, ch := range append([]etree.Token(nil), st.Child...) {
			st.RemoveChild(ch)
		}
		v := next.Version()
		next.SetVersion(cib.Version{AdminEpoch: v.AdminEpoch + 1, Epoch: v.Epoch + 1})
		return t.writeWhole(next)
	}
	if err := t.b.Commit(c, next); err != nil {
		return fail(exError, "could not erase the configuration %s: %v", t.where(), err)
	}
	return nil
}

func (t *tool) bump() error {
	c, err := t.load()
	if err != nil {
		return err
	}
	if _, offline := t.offline(); offline {
		next := c.Clone()
		next.BumpEpoch()
		return t.writeWhole(next)
	}
	if err := t.b.Commit(c, c.Clone()); err != nil {
		return fail(exError, "could not bump the epoch %s: %v", t.where(), err)
	}
	return nil
}

func (t *tool) upgrade() error {
	return t.apply(func(c *cib.CIB) error {
		if _, err := c.Upgrade(); err != nil {
			return fail(exConfig, "cannot upgrade the configuration: %v", err)
		}
		return nil
	})
}
