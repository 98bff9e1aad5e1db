package cib

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Schema facts of Pacemaker 2.1.5, which Pacer's CIBs are written for.
const (
	FeatureSet   = "3.16.1"
	ValidateWith = "pacemaker-3.9"
)

// ErrConflict is returned when a change was prepared against a CIB version
// that is no longer the current one.
var ErrConflict = errors.New("the CIB changed in the meantime")

// CIB is one Cluster Information Base document. It is not safe for
// concurrent use; callers that share one hold their own lock or Clone it.
type CIB struct {
	doc   *etree.Document
	notes []string // what the last edits did besides themselves
	// ids indexes the configuration during a bulk update (nil otherwise),
	// so that loading thousands of objects does not rescan the document
	// for every one of them.
	ids map[string]*etree.Element
}

// New returns the empty CIB that Pacemaker's `cibadmin --empty` prints.
func New() *CIB {
	doc := etree.NewDocument()
	root := doc.CreateElement("cib")
	root.CreateAttr("crm_feature_set", FeatureSet)
	root.CreateAttr("validate-with", ValidateWith)
	root.CreateAttr("epoch", "1")
	root.CreateAttr("num_updates", "0")
	root.CreateAttr("admin_epoch", "0")
	conf := root.CreateElement("configuration")
	for _, s := range []string{"crm_config", "nodes", "resources", "constraints"} {
		conf.CreateElement(s)
	}
	root.CreateElement("status")
	return &CIB{doc: doc}
}

// Parse reads a CIB from XML. It checks the shape every layer relies on: a
// <cib> root with a <configuration> holding the four mandatory sections.
// A missing <status> is added.
func Parse(data []byte) (*CIB, error) { return ParseString(string(data)) }

// ParseString is Parse of a string: for the largest CIBs, a copy of the
// input less in time and memory.
func ParseString(data string) (*CIB, error) {
	doc, err := readXML(data)
	if err != nil {
		return nil, fmt.Errorf("parse CIB: %w", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "cib" {
		return nil, errors.New("parse CIB: the root element is not <cib>")
	}
	conf := root.SelectElement("configuration")
	if conf == nil {
		return nil, errors.New("parse CIB: no <configuration> section")
	}
	for _, s := range []string{"crm_config", "nodes", "resources", "constraints"} {
		if conf.SelectElement(s) == nil {
			return nil, fmt.Errorf("parse CIB: no <%s> section in <configuration>", s)
		}
	}
	if root.SelectElement("status") == nil {
		root.CreateElement("status")
	}
	c := &CIB{doc: doc}
	for _, a := range []string{"epoch", "num_updates", "admin_epoch"} {
		if v := root.SelectAttrValue(a, "0"); !isCount(v) {
			return nil, fmt.Errorf("parse CIB: %s=%q is not a non-negative integer", a, v)
		}
	}
	return c, nil
}

func isCount(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0
}

// Bytes renders the document as indented XML, as cibadmin prints it.
func (c *CIB) Bytes() []byte {
	d := c.doc.Copy()
	d.Indent(2)
	b, _ := d.WriteToBytes()
	return b
}

// Compact renders the document without indentation, for the wire.
func (c *CIB) Compact() []byte {
	d := c.doc.Copy()
	d.Indent(etree.NoIndent)
	b, _ := d.WriteToBytes()
	return b
}

// Clone returns a deep copy.
func (c *CIB) Clone() *CIB { return &CIB{doc: c.doc.Copy()} }

// Root is the <cib> element.
func (c *CIB) Root() *etree.Element { return c.doc.Root() }

// Configuration is the <configuration> element.
func (c *CIB) Configuration() *etree.Element { return c.Root().SelectElement("configuration") }

// Status is the <status> element.
func (c *CIB) Status() *etree.Element { return c.Root().SelectElement("status") }

// Section returns a child of <configuration> by tag ("crm_config", "nodes",
// "resources", "constraints", "rsc_defaults", ...), creating the optional
// ones when create is set. It returns nil for a missing optional section.
func (c *CIB) Section(tag string, create bool) *etree.Element {
	conf := c.Configuration()
	if e := conf.SelectElement(tag); e != nil {
		return e
	}
	if !create {
		return nil
	}
	return conf.CreateElement(tag)
}

// Version is the CIB's (admin_epoch, epoch, num_updates) triple. The newest
// version wins when nodes exchange CIBs.
type Version struct {
	AdminEpoch, Epoch, NumUpdates int
}

// Compare orders versions: -1 if v is older than o, 0 if equal, 1 if newer.
func (v Version) Compare(o Version) int {
	for _, d := range [][2]int{{v.AdminEpoch, o.AdminEpoch}, {v.Epoch, o.Epoch}, {v.NumUpdates, o.NumUpdates}} {
		switch {
		case d[0] < d[1]:
			return -1
		case d[0] > d[1]:
			return 1
		}
	}
	return 0
}

// ConfigCompare orders versions by their configuration part only
// (admin_epoch, epoch), ignoring status updates.
func (v Version) ConfigCompare(o Version) int {
	return Version{v.AdminEpoch, v.Epoch, 0}.Compare(Version{o.AdminEpoch, o.Epoch, 0})
}

// String prints the version as Pacemaker does: admin_epoch.epoch.num_updates.
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.AdminEpoch, v.Epoch, v.NumUpdates)
}

// ParseVersion reads "A.E.N".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("version %q: want admin_epoch.epoch.num_updates", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("version %q: %q is not a count", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Version reads the triple from the root element.
func (c *CIB) Version() Version {
	r := c.Root()
	get := func(a string) int {
		n, _ := strconv.Atoi(r.SelectAttrValue(a, "0"))
		return n
	}
	return Version{get("admin_epoch"), get("epoch"), get("num_updates")}
}

// SetVersion writes the triple to the root element.
func (c *CIB) SetVersion(v Version) {
	r := c.Root()
	r.CreateAttr("admin_epoch", strconv.Itoa(v.AdminEpoch))
	r.CreateAttr("epoch", strconv.Itoa(v.Epoch))
	r.CreateAttr("num_updates", strconv.Itoa(v.NumUpdates))
}

// BumpEpoch records a configuration change: epoch+1, num_updates=0.
func (c *CIB) BumpEpoch() {
	v := c.Version()
	c.SetVersion(Version{v.AdminEpoch, v.Epoch + 1, 0})
}

// BumpUpdates records a status change: num_updates+1.
func (c *CIB) BumpUpdates() {
	v := c.Version()
	c.SetVersion(Version{v.AdminEpoch, v.Epoch, v.NumUpdates + 1})
}

// ReplaceConfiguration puts a copy of other's <configuration> in place of
// c's, keeping c's status and version attributes.
func (c *CIB) ReplaceConfiguration(other *CIB) {
	root := c.Root()
	old := c.Configuration()
	idx := old.Index()
	root.RemoveChildAt(idx)
	root.InsertChildAt(idx, other.Configuration().Copy())
}

// ReplaceStatus puts a copy of other's <status> in place of c's.
func (c *CIB) ReplaceStatus(other *CIB) {
	root := c.Root()
	old := c.Status()
	idx := old.Index()
	root.RemoveChildAt(idx)
	root.InsertChildAt(idx, other.Status().Copy())
}

// ConfigEqual reports whether both CIBs hold the same configuration text.
func (c *CIB) ConfigEqual(o *CIB) bool {
	return elementText(c.Configuration()) == elementText(o.Configuration())
}

func elementText(e *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(e.Copy())
	d.Indent(etree.NoIndent)
	s, _ := d.WriteToString()
	return s
}

// Attr returns a root attribute such as dc-uuid or have-quorum.
func (c *CIB) Attr(name string) string { return c.Root().SelectAttrValue(name, "") }

// SetAttr sets a root attribute; an empty value removes it.
func (c *CIB) SetAttr(name, value string) {
	if value == "" {
		c.Root().RemoveAttr(name)
		return
	}
	c.Root().CreateAttr(name, value)
}

// FindID returns the element of the configuration whose id attribute is id,
// or nil.
func (c *CIB) FindID(id string) *etree.Element {
	if c.ids != nil {
		if e := c.ids[id]; e != nil && e.SelectAttrValue("id", "") == id && c.attached(e) {
			return e
		}
		return nil
	}
	return findID(c.Configuration(), id)
}

// attached reports whether e is still inside the configuration.
func (c *CIB) attached(e *etree.Element) bool {
	conf := c.Configuration()
	for p := e; p != nil; p = p.Parent() {
		if p == conf {
			return true
		}
	}
	return false
}

// index adds the ids of e's subtree to the bulk index.
func (c *CIB) index(e *etree.Element) {
	if e == nil || e.Tag == "resource_ref" || e.Tag == "obj_ref" {
		return
	}
	if id := e.SelectAttrValue("id", ""); id != "" {
		c.ids[id] = e
	}
	for _, ch := range e.ChildElements() {
		c.index(ch)
	}
}

func findID(e *etree.Element, id string) *etree.Element {
	// A reference carries the id of what it points at, not its own.
	if e.Tag == "resource_ref" || e.Tag == "obj_ref" {
		return nil
	}
	if e.SelectAttrValue("id", "") == id {
		return e
	}
	for _, ch := range e.ChildElements() {
		if f := findID(ch, id); f != nil {
			return f
		}
	}
	return nil
}

// Property returns a cluster option from the crm_config sets
// (cib-bootstrap-options first, as Pacemaker evaluates them).
func (c *CIB) Property(name string) (string, bool) {
	cfg := c.Section("crm_config", false)
	sets := cfg.SelectElements("cluster_property_set")
	// Pacemaker evaluates cib-bootstrap-options before other sets.
	for pass := 0; pass < 2; pass++ {
		for _, s := range sets {
			if (s.SelectAttrValue("id", "") == "cib-bootstrap-options") != (pass == 0) {
				continue
			}
			for _, nv := range s.SelectElements("nvpair") {
				if nv.SelectAttrValue("name", "") == name {
					return nv.SelectAttrValue("value", ""), true
				}
			}
		}
	}
	return "", false
}

// SetProperty sets a cluster option in cib-bootstrap-options, with the ids
// crmsh gives them (cib-bootstrap-options-NAME).
func (c *CIB) SetProperty(name, value string) {
	cfg := c.Section("crm_config", true)
	var set *etree.Element
	for _, s := range cfg.SelectElements("cluster_property_set") {
		if s.SelectAttrValue("id", "") == "cib-bootstrap-options" {
			set = s
		}
	}
	if set == nil {
		set = etree.NewElement("cluster_property_set")
		set.CreateAttr("id", "cib-bootstrap-options")
		cfg.InsertChildAt(0, set)
	}
	for _, nv := range set.SelectElements("nvpair") {
		if nv.SelectAttrValue("name", "") == name {
			nv.CreateAttr("value", value)
			return
		}
	}
	nv := set.CreateElement("nvpair")
	nv.CreateAttr("name", name)
	nv.CreateAttr("value", value)
	nv.CreateAttr("id", "cib-bootstrap-options-"+name)
}

// StampChange records who changed the configuration, when, with which
// tool and on which node, in the root attributes Pacemaker uses (crm_mon
// prints them as "Last change: ... by USER via CLIENT on NODE").
func StampChange(c *CIB, when time.Time, user, client, origin string) {
	c.SetAttr("cib-last-written", when.Format("Mon Jan _2 15:04:05 2006"))
	c.SetAttr("update-user", user)
	c.SetAttr("update-client", client)
	c.SetAttr("update-origin", origin)
}
