package cib

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// etreeRead is the reference: etree's own strict reader.
func etreeRead(data []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	err := doc.ReadFromBytes(data)
	return doc, err
}

// sameTree reports the first difference between two trees, "" if none:
// names, attributes (with the element each points back to), children in
// order with their kinds, parents and indexes, text flags.
func sameTree(a, b *etree.Element, path string) string {
	if a.Space != b.Space || a.Tag != b.Tag {
		return fmt.Sprintf("%s: element %s:%s vs %s:%s", path, a.Space, a.Tag, b.Space, b.Tag)
	}
	path += "/" + a.FullTag()
	if (a.Attr == nil) != (b.Attr == nil) || len(a.Attr) != len(b.Attr) {
		return fmt.Sprintf("%s: attributes %v vs %v", path, a.Attr, b.Attr)
	}
	for i := range a.Attr {
		x, y := a.Attr[i], b.Attr[i]
		if x.Space != y.Space || x.Key != y.Key || x.Value != y.Value {
			return fmt.Sprintf("%s: attribute %d: %q:%q=%q vs %q:%q=%q", path, i, x.Space, x.Key, x.Value, y.Space, y.Key, y.Value)
		}
		if x.Element() != a || y.Element() != b {
			return fmt.Sprintf("%s: attribute %d points to another element", path, i)
		}
	}
	if (a.Child == nil) != (b.Child == nil) || len(a.Child) != len(b.Child) {
		return fmt.Sprintf("%s: %d children vs %d", path, len(a.Child), len(b.Child))
	}
	for i := range a.Child {
		x, y := a.Child[i], b.Child[i]
		if x.Parent() != a || y.Parent() != b || x.Index() != i || y.Index() != i {
			return fmt.Sprintf("%s: child %d: parent or index", path, i)
		}
		switch x := x.(type) {
		case *etree.Element:
			y, ok := y.(*etree.Element)
			if !ok {
				return fmt.Sprintf("%s: child %d: element vs %T", path, i, y)
			}
			if d := sameTree(x, y, path); d != "" {
				return d
			}
		case *etree.CharData:
			y, ok := y.(*etree.CharData)
			if !ok || x.Data != y.Data || x.IsCData() != y.IsCData() || x.IsWhitespace() != y.IsWhitespace() {
				return fmt.Sprintf("%s: child %d: text %q vs %#v", path, i, x.Data, a.Child[i])
			}
		case *etree.Comment:
			y, ok := y.(*etree.Comment)
			if !ok || x.Data != y.Data {
				return fmt.Sprintf("%s: child %d: comment %q", path, i, x.Data)
			}
		case *etree.ProcInst:
			y, ok := y.(*etree.ProcInst)
			if !ok || x.Target != y.Target || x.Inst != y.Inst {
				return fmt.Sprintf("%s: child %d: processing instruction %q %q", path, i, x.Target, x.Inst)
			}
		case *etree.Directive:
			y, ok := y.(*etree.Directive)
			if !ok || x.Data != y.Data {
				return fmt.Sprintf("%s: child %d: directive %q", path, i, x.Data)
			}
		default:
			return fmt.Sprintf("%s: child %d: unknown %T", path, i, x)
		}
	}
	return ""
}

// compareReaders checks that readXML and etree agree on data: the same
// tree, or both an error.
func compareReaders(t *testing.T, name string, data []byte) {
	t.Helper()
	want, werr := etreeRead(data)
	got, gerr := readXML(string(data))
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: etree error %v, readXML error %v", name, werr, gerr)
	}
	if werr != nil {
		return
	}
	if d := sameTree(&got.Element, &want.Element, ""); d != "" {
		t.Fatalf("%s: trees differ: %s", name, d)
	}
	if got.ReadSettings.Permissive {
		t.Fatalf("%s: permissive document", name)
	}
}

func TestReadXMLMatchesEtreeOnEveryCIB(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/*.xml", "../engine/testdata/*.xml", "../engine/testdata/*/*.xml",
		"../../shared/conformance/scheduler/xml/*.xml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 2 {
		t.Fatalf("only %d CIBs found", len(files))
	}
	fast := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compareReaders(t, f, data)
		if _, ok := fastReadXML(string(data)); ok {
			fast++
		}
	}
	// The scanner, not the fallback, must be what reads real CIBs.
	if fast < len(files)*9/10 {
		t.Errorf("the scanner read %d of %d CIBs itself", fast, len(files))
	}
}

// xmlCases are the corners of XML the scanner must read as etree does, or
// leave to it.
var xmlCases = []string{
	``,
	`<cib/>`,
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cib a='1' b=\"2\"/>\n",
	`<?xml version="1.1"?><a/>`,
	`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`,
	`<?xml encoding="latin1"?><a/>`,
	`<?pi?><?pi  some data ?><a/>`,
	`<!DOCTYPE cib [<!ENTITY x "y">]><cib/>`,
	`<a><!-- a comment --><!----><b/></a>`,
	`<a><!-- bad -- comment --></a>`,
	`<a><!--unterminated</a>`,
	`<a><![CDATA[<x> & ]] ]]]></a>`,
	"<a><![CDATA[\r\nx\ry]]></a>",
	`<a><![CDATX[x]]></a>`,
	`<a>x]]>y</a>`,
	`<a b="x]]>y"/>`,
	`<a b="<"/>`,
	`<a b='"' c="'"/>`,
	`<a b="&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;"/>`,
	`<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#X43;</a>`,
	`<a>&#0;</a>`, `<a>&#xD800;</a>`, `<a>&#1114112;</a>`, `<a>&#99999999999999999999;</a>`, `<a>&#;</a>`, `<a>&#x;</a>`,
	`<a>&nbsp;</a>`, `<a>&lt</a>`, `<a>&ltx;</a>`, `<a>&</a>`,
	"<a b=\"x\r\ny\rz\">p\r\nq\rr\r\r\n</a>",
	"<a b=\"x\ty\"> \t\n</a>",
	"<a>\x01</a>", "<a b=\"\x00\"/>", "<a>\xff</a>", "<a>é ✓ 😀</a>", "<a>\uFFFE</a>",
	`<a b="1" b="2" c="3" b="4"/>`,
	`<a b="1"c="2"/>`,
	`<a b = "1" />`,
	`<a b=1/>`, `<a b/>`, `<a b="1/>`, `<a/ >`, `< a/>`, `<a></b>`, `<a></a >`, `<a></ a>`,
	`<x:a x:b="1" c:d="2"></x:a>`, `<x:a></a>`, `<:a/>`, `<a:/>`, `<a:b:c/>`, `<a :b="1"/>`, `<a b:="1"/>`,
	`<_a-b.c d_e.f-g="1"/>`, `<1a/>`, `<-a/>`, `<aé/>`, `<a bé="1"/>`,
	`<a>`, `<a><b></a>`, `</a>`, `<a/><b/>`, `text<a/>text`, "\ufeff<a/>", `<a/>trailing`, `<`, `<a`, `<!`, `<?`, `<?x`,
	`<a>text<b>more</b>tail<![CDATA[c]]>end</a>`,
}

func TestReadXMLCorners(t *testing.T) {
	for _, c := range xmlCases {
		compareReaders(t, fmt.Sprintf("%q", c), []byte(c))
	}
	deep := strings.Repeat("<a>", 1025) + strings.Repeat("</a>", 1025)
	compareReaders(t, "1025 deep", []byte(deep))
	deep = strings.Repeat("<a>", 1024) + strings.Repeat("</a>", 1024)
	compareReaders(t, "1024 deep", []byte(deep))
}

func TestReadXMLErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct{ xml, want string }{
		{"<cib>\n  <configuration>\n</cib>", "line 3, column 1: </cib> does not close <configuration>"},
		{"<cib>\n  <a b=1/>", "line 2, column 8: unquoted or missing attribute value in element"},
		{"<cib>\n <a>", "line 2, column 5: unexpected end of input, <a> is not closed"},
	} {
		_, err := readXML(tc.xml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.xml, err, tc.want)
		}
	}
}

func FuzzReadXML(f *testing.F) {
	for _, c := range xmlCases {
		f.Add([]byte(c))
	}
	if data, err := os.ReadFile("testdata/every-statement.xml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareReaders(t, "input", data)
	})
}
