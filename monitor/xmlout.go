package monitor

import (
	"strings"
)

// xmlNode is an element of crm_mon's XML output, written the way
// Pacemaker's tools write it: two spaces of indentation per level,
// attributes in the order they were added, empty elements closed with
// "/>", text kept on the element's line.
type xmlNode struct {
	name     string
	attrs    []string // name, value, name, value, ...
	children []*xmlNode
	text     string
	hasText  bool
}

func newXML(name string, attrs ...string) *xmlNode {
	return &xmlNode{name: name, attrs: attrs}
}

// add appends a child element and returns it.
func (x *xmlNode) add(name string, attrs ...string) *xmlNode {
	c := newXML(name, attrs...)
	x.children = append(x.children, c)
	return c
}

// set appends attributes.
func (x *xmlNode) set(attrs ...string) *xmlNode {
	x.attrs = append(x.attrs, attrs...)
	return x
}

func (x *xmlNode) write(b *strings.Builder, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent + "<" + x.name)
	for i := 0; i+1 < len(x.attrs); i += 2 {
		b.WriteString(" " + x.attrs[i] + "=\"" + escapeAttr(x.attrs[i+1]) + "\"")
	}
	switch {
	case x.hasText:
		b.WriteString(">" + escapeText(x.text) + "</" + x.name + ">\n")
	case len(x.children) == 0:
		b.WriteString("/>\n")
	default:
		b.WriteString(">\n")
		for _, c := range x.children {
			c.write(b, depth+1)
		}
		b.WriteString(indent + "</" + x.name + ">\n")
	}
}

var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")

func escapeAttr(s string) string { return attrEscaper.Replace(s) }

func escapeText(s string) string { return textEscaper.Replace(s) }

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}
