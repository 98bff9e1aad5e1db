package cib

import (
	"errors"
	"fmt"

	"github.com/beevik/etree"
)

// ErrPatchBase means a patch was made against another version than the
// CIB it is applied to; the receiver asks for the whole CIB instead.
var ErrPatchBase = errors.New("the patch does not apply to this version")

// Patch is what changed between two versions of a CIB, object by object:
// the children of each configuration section and of the status section
// are matched by tag and id. Digest is that of the resulting document, so
// a patch that does not reproduce it is refused.
type Patch struct {
	From, To Version
	Attrs    [][2]string `json:",omitempty"` // the root's attributes after, in order
	Changes  []Change
	Digest   string
}

// Change replaces, adds or removes one object, or a whole section.
type Change struct {
	Parent string // "configuration/resources", "status", or "configuration" for a whole section
	Tag    string
	ID     string
	Index  int    // position among the parent's elements, for adds and replaces
	XML    string `json:",omitempty"` // the new element; empty to remove it
}

// Diff computes the patch that turns a into b.
func Diff(a, b *CIB) *Patch {
	p := &Patch{From: a.Version(), To: b.Version(), Digest: Digest(b.Compact())}
	for _, at := range b.Root().Attr {
		p.Attrs = append(p.Attrs, [2]string{at.Key, at.Value})
	}
	confA, confB := a.Configuration(), b.Configuration()
	for _, secB := range confB.ChildElements() {
		secA := confA.SelectElement(secB.Tag)
		if secA == nil || !diffChildren(p, "configuration/"+secB.Tag, secA, secB) {
			p.Changes = append(p.Changes, Change{Parent: "configuration", Tag: secB.Tag, Index: secB.Index(), XML: elementString(secB)})
		}
	}
	for _, secA := range confA.ChildElements() {
		if confB.SelectElement(secA.Tag) == nil {
			p.Changes = append(p.Changes, Change{Parent: "configuration", Tag: secA.Tag})
		}
	}
	if !diffChildren(p, "status", a.Status(), b.Status()) {
		p.Changes = append(p.Changes, Change{Parent: "", Tag: "status", XML: elementString(b.Status())})
	}
	return p
}

// diffChildren adds the changes from the children of x to those of y,
// keyed by tag and id. It returns false when the children cannot be told
// apart (no ids, duplicates, or another order), for the caller to replace
// the whole parent.
func diffChildren(p *Patch, parent string, x, y *etree.Element) bool {
	key := func(e *etree.Element) string { return e.Tag + "#" + e.SelectAttrValue("id", "") }
	xs, ys := x.ChildElements(), y.ChildElements()
	inX := map[string]*etree.Element{}
	for _, e := range xs {
		if e.SelectAttrValue("id", "") == "" || inX[key(e)] != nil {
			return false
		}
		inX[key(e)] = e
	}
	inY := map[string]bool{}
	var kept []string // keys present in both, in y's order
	var changes []Change
	for i, e := range ys {
		k := key(e)
		if e.SelectAttrValue("id", "") == "" || inY[k] {
			return false
		}
		inY[k] = true
		old := inX[k]
		switch {
		case old == nil:
			changes = append(changes, Change{Parent: parent, Tag: e.Tag, ID: e.SelectAttrValue("id", ""), Index: i, XML: elementString(e)})
		case elementString(old) != elementString(e):
			changes = append(changes, Change{Parent: parent, Tag: e.Tag, ID: e.SelectAttrValue("id", ""), Index: i, XML: elementString(e)})
			kept = append(kept, k)
		default:
			kept = append(kept, k)
		}
	}
	// Objects kept must keep their relative order; otherwise replace all.
	j := 0
	for _, e := range xs {
		if j < len(kept) && key(e) == kept[j] {
			j++
		}
	}
	if j != len(kept) {
		return false
	}
	for _, e := range xs {
		if !inY[key(e)] {
			p.Changes = append(p.Changes, Change{Parent: parent, Tag: e.Tag, ID: e.SelectAttrValue("id", "")})
		}
	}
	p.Changes = append(p.Changes, changes...)
	return true
}

// ApplyPatch applies a patch to a copy of c and returns it. c must have the
// patch's From version; the result must have its digest.
func (c *CIB) ApplyPatch(p *Patch) (*CIB, error) {
	if c.Version().Compare(p.From) != 0 {
		return nil, fmt.Errorf("%w: have %s, the patch is from %s", ErrPatchBase, c.Version(), p.From)
	}
	out := c.Clone()
	root := out.Root()
	root.Attr = nil
	for _, kv := range p.Attrs {
		root.CreateAttr(kv[0], kv[1])
	}
	for _, ch := range p.Changes {
		if err := out.applyChange(ch); err != nil {
			return nil, err
		}
	}
	out.SetVersion(p.To)
	if Digest(out.Compact()) != p.Digest {
		return nil, fmt.Errorf("%w: the result differs from the sender's", ErrPatchBase)
	}
	return out, nil
}

func (c *CIB) applyChange(ch Change) error {
	var parent *etree.Element
	switch ch.Parent {
	case "":
		parent = c.Root()
	case "configuration":
		parent = c.Configuration()
	case "status":
		parent = c.Status()
	default:
		parent = c.Configuration().SelectElement(ch.Parent[len("configuration/"):])
	}
	if parent == nil {
		return fmt.Errorf("%w: no %s", ErrPatchBase, ch.Parent)
	}
	var old *etree.Element
	for _, e := range parent.SelectElements(ch.Tag) {
		if e.SelectAttrValue("id", "") == ch.ID {
			old = e
		}
	}
	var next *etree.Element
	if ch.XML != "" {
		d := etree.NewDocument()
		if err := d.ReadFromString(ch.XML); err != nil || d.Root() == nil {
			return fmt.Errorf("%w: bad element in patch", ErrPatchBase)
		}
		next = d.Root()
	}
	switch {
	case next == nil && old != nil:
		parent.RemoveChild(old)
	case next != nil && old != nil:
		idx := old.Index()
		parent.RemoveChild(old)
		parent.InsertChildAt(idx, next)
	case next != nil:
		// Insert before the element that is at Index among elements now.
		els := parent.ChildElements()
		if ch.Index < len(els) {
			parent.InsertChildAt(els[ch.Index].Index(), next)
		} else {
			parent.AddChild(next)
		}
	}
	return nil
}
