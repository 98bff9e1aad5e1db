package cib

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// readXML builds the etree document of data exactly as etree's own reader
// (strict, on top of encoding/xml) would, several times faster and in far
// less memory: a hand-written scanner reads the input string in place and
// keeps one copy of each distinct name, value and text (a status section
// repeats the same few thousand strings across every node), so the input
// is not held by the tree; elements, texts, attributes and child lists
// come from shared slabs. Whatever the scanner does not handle
// itself (directives, other encodings, anything malformed) goes to etree,
// so the result is the same tree, or an error, for every input; errors
// then say where the XML breaks.
func readXML(data string) (*etree.Document, error) {
	if doc, ok := fastReadXML(data); ok {
		return doc, nil
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromString(data); err != nil {
		return nil, locateXMLError(data, err)
	}
	return doc, nil
}

// locateXMLError replays the input through encoding/xml, checking what
// etree checks on top of it, to tell the line and column where it breaks;
// etree's own errors give a line at most.
func locateXMLError(data string, err error) error {
	dec := xml.NewDecoder(strings.NewReader(data))
	dec.Strict = true
	var open []xml.Name
	for {
		// Where the token starts, for the errors about whole tags.
		line, col := dec.InputPos()
		tok, terr := dec.RawToken()
		switch {
		case terr == io.EOF:
			if len(open) > 0 {
				line, col := dec.InputPos()
				return fmt.Errorf("line %d, column %d: unexpected end of input, <%s> is not closed", line, col, qname(open[len(open)-1]))
			}
			return err
		case terr != nil:
			// The decoder stops just after the byte it refuses.
			line, col := dec.InputPos()
			var se *xml.SyntaxError
			if errors.As(terr, &se) {
				if col > 1 && !strings.HasPrefix(se.Msg, "unexpected EOF") {
					col--
				}
				return fmt.Errorf("line %d, column %d: %s", line, col, se.Msg)
			}
			return fmt.Errorf("line %d, column %d: %w", line, col, terr)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, t.Name)
		case xml.EndElement:
			if len(open) == 0 {
				return fmt.Errorf("line %d, column %d: </%s> closes no element", line, col, qname(t.Name))
			}
			if top := open[len(open)-1]; top != t.Name {
				return fmt.Errorf("line %d, column %d: </%s> does not close <%s>", line, col, qname(t.Name), qname(top))
			}
			open = open[:len(open)-1]
		}
	}
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// etreeMaxDepth is etree's default limit on element nesting.
const etreeMaxDepth = 1024

// Slab sizes: objects are carved from arrays this long, so that a CIB of
// a million elements costs thousands of allocations, not millions.
const (
	slabElements = 1024
	slabTexts    = 1024
	slabAttrs    = 8192
	slabTokens   = 8192
)

// xmlReader is the state of one fastReadXML.
type xmlReader struct {
	s   string // the input
	pos int
	// strs holds the one copy of each string the tree has.
	strs map[string]string

	elems  []etree.Element
	texts  []etree.CharData
	attrs  []etree.Attr
	tokens []etree.Token

	open    []*etree.Element // the document, then the open elements
	frames  []int            // where each open element's children start in pending
	pending []etree.Token    // children not yet given to their parent
	pairs   []string         // a start tag's attribute names and values
}

// noAttrs and noTokens are the empty, non-nil lists etree gives elements
// without attributes or children; their capacity is zero, so appending to
// one never writes into another's.
var (
	noAttrs  = make([]etree.Attr, 0)
	noTokens = make([]etree.Token, 0)
)

// fastReadXML is readXML's scanner; false means "ask etree".
func fastReadXML(data string) (*etree.Document, bool) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	r := &xmlReader{s: data, strs: make(map[string]string, len(data)/256)}
	r.open = append(r.open, &doc.Element)
	r.frames = append(r.frames, 0)
	for r.pos < len(r.s) {
		var ok bool
		if r.s[r.pos] != '<' {
			ok = r.text()
		} else {
			ok = r.markup()
		}
		if !ok {
			return nil, false
		}
	}
	if len(r.open) != 1 {
		return nil, false
	}
	doc.Child = noTokens
	r.adopt(&doc.Element, 0)
	return doc, true
}

// adopt makes the pending tokens from start on the children of e.
func (r *xmlReader) adopt(e *etree.Element, start int) {
	kids := r.pending[start:]
	if len(kids) == 0 {
		e.Child = noTokens
	} else {
		e.Child = r.tokenSlice(len(kids))
		for _, t := range kids {
			e.AddChild(t)
		}
		clear(kids)
	}
	r.pending = r.pending[:start]
}

func (r *xmlReader) tokenSlice(n int) []etree.Token {
	if cap(r.tokens)-len(r.tokens) < n {
		r.tokens = make([]etree.Token, 0, max(slabTokens, n))
	}
	l := len(r.tokens)
	r.tokens = r.tokens[:l+n]
	return r.tokens[l : l : l+n]
}

func (r *xmlReader) attrSlice(n int) []etree.Attr {
	if cap(r.attrs)-len(r.attrs) < n {
		r.attrs = make([]etree.Attr, 0, max(slabAttrs, n))
	}
	l := len(r.attrs)
	r.attrs = r.attrs[:l+n]
	return r.attrs[l : l : l+n]
}

func (r *xmlReader) newElement() *etree.Element {
	if len(r.elems) == cap(r.elems) {
		r.elems = make([]etree.Element, 0, slabElements)
	}
	r.elems = r.elems[:len(r.elems)+1]
	return &r.elems[len(r.elems)-1]
}

// str returns the tree's copy of s, which may be a slice of the input.
func (r *xmlReader) str(s string) string {
	if v, ok := r.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	r.strs[v] = v
	return v
}

func (r *xmlReader) addText(data string) {
	if len(r.texts) == cap(r.texts) {
		r.texts = make([]etree.CharData, 0, slabTexts)
	}
	r.texts = r.texts[:len(r.texts)+1]
	c := &r.texts[len(r.texts)-1]
	c.SetData(r.str(data)) // sets the whitespace flag as etree's reader does
	r.pending = append(r.pending, c)
}

// text reads character data up to the next '<' or the end.
func (r *xmlReader) text() bool {
	start := r.pos
	end, decode, ok := scanChars(r.s, start, -1)
	if !ok {
		return false
	}
	r.pos = end
	data := r.s[start:end]
	if decode {
		if data, ok = decodeChars(data, false); !ok {
			return false
		}
	}
	r.addText(data)
	return true
}

// scanChars finds the end of text (quote < 0: before '<' or at the end of
// the input) or of a quoted attribute value (before the quote), checking
// what encoding/xml checks: XML characters only, no "]]>" in text, no '<'
// in values. decode tells whether entities or carriage returns need work.
func scanChars(s string, i int, quote int) (end int, decode, ok bool) {
	for i < len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			ch, size := utf8.DecodeRuneInString(s[i:])
			if ch == utf8.RuneError && size == 1 || !isXMLChar(ch) {
				return 0, false, false
			}
			i += size
			continue
		}
		switch {
		case int(c) == quote:
			return i, decode, true
		case c == '<':
			if quote >= 0 {
				return 0, false, false
			}
			return i, decode, true
		case c == '&' || c == '\r':
			decode = true
		case c == ']':
			if quote < 0 && strings.HasPrefix(s[i:], "]]>") {
				return 0, false, false
			}
		case c < 0x20 && c != '\t' && c != '\n':
			return 0, false, false
		}
		i++
	}
	if quote >= 0 {
		return 0, false, false
	}
	return i, decode, true
}

// decodeChars replaces entities (unless cdata) and turns "\r\n" and "\r"
// into "\n", as encoding/xml does; false for entities it would refuse.
func decodeChars(s string, cdata bool) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\r':
			b.WriteByte('\n')
			i++
			if i < len(s) && s[i] == '\n' {
				i++
			}
		case c == '&' && !cdata:
			ch, n, ok := entity(s[i+1:])
			if !ok {
				return "", false
			}
			b.WriteString(ch)
			i += 1 + n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), true
}

// entity decodes the entity reference after '&' at the start of s: what it
// stands for and how many bytes it takes with its ';'.
func entity(s string) (string, int, bool) {
	for _, e := range [...]struct{ name, text string }{
		{"lt;", "<"}, {"gt;", ">"}, {"amp;", "&"}, {"apos;", "'"}, {"quot;", `"`},
	} {
		if strings.HasPrefix(s, e.name) {
			return e.text, len(e.name), true
		}
	}
	if !strings.HasPrefix(s, "#") {
		return "", 0, false
	}
	i, base := 1, 10
	if strings.HasPrefix(s[1:], "x") {
		i, base = 2, 16
	}
	j := i
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || base == 16 && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'f')) {
		j++
	}
	if j >= len(s) || s[j] != ';' {
		return "", 0, false
	}
	n, err := strconv.ParseUint(s[i:j], base, 64)
	if err != nil || n > unicode.MaxRune {
		return "", 0, false
	}
	// A surrogate becomes U+FFFD, as in encoding/xml.
	text := string(rune(n))
	if ch, _ := utf8.DecodeRuneInString(text); !isXMLChar(ch) {
		return "", 0, false
	}
	return text, j + 1, true
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// markup reads what starts with '<'.
func (r *xmlReader) markup() bool {
	s := r.s
	if r.pos+1 >= len(s) {
		return false
	}
	switch s[r.pos+1] {
	case '/':
		return r.endTag()
	case '?':
		return r.procInst()
	case '!':
		rest := s[r.pos+2:]
		switch {
		case strings.HasPrefix(rest, "--"):
			body := r.pos + 4
			k := strings.Index(s[body:], "--")
			if k < 0 || body+k+2 >= len(s) || s[body+k+2] != '>' {
				return false
			}
			c := etree.NewComment(strings.Clone(s[body : body+k]))
			r.pending = append(r.pending, c)
			r.pos = body + k + 3
			return true
		case strings.HasPrefix(rest, "[CDATA["):
			body := r.pos + 9
			k := strings.Index(s[body:], "]]>")
			if k < 0 {
				return false
			}
			data := s[body : body+k]
			if !validChars(data) {
				return false
			}
			if strings.IndexByte(data, '\r') >= 0 {
				data, _ = decodeChars(data, true)
			}
			r.addText(data)
			r.pos = body + k + 3
			return true
		}
		return false // directives: etree's
	}
	return r.startTag()
}

// validChars reports whether s is UTF-8 of XML characters only.
func validChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		ch, size := utf8.DecodeRuneInString(s[i:])
		if ch == utf8.RuneError && size == 1 || !isXMLChar(ch) {
			return false
		}
		i += size
	}
	return true
}

// name reads an XML name of ASCII characters at i: its end, or -1 where
// encoding/xml would refuse it or read it differently (non-ASCII names go
// to etree).
func name(s string, i int) int {
	if i >= len(s) || !isNameStart(s[i]) {
		return -1
	}
	j := i + 1
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	if j < len(s) && s[j] >= utf8.RuneSelf {
		return -1
	}
	return j
}

func isNameStart(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == ':'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-'
}

// splitName splits a prefixed name as encoding/xml's RawToken and etree's
// CreateAttr both do; names they would split differently (a leading or
// trailing colon, several colons) are refused.
func splitName(n string) (space, local string, ok bool) {
	k := strings.IndexByte(n, ':')
	if k < 0 {
		return "", n, true
	}
	if k == 0 || k == len(n)-1 || strings.IndexByte(n[k+1:], ':') >= 0 {
		return "", "", false
	}
	return n[:k], n[k+1:], true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

func (r *xmlReader) startTag() bool {
	s := r.s
	i := r.pos + 1
	end := name(s, i)
	if end < 0 {
		return false
	}
	space, tag, ok := splitName(s[i:end])
	if !ok || len(r.open) > etreeMaxDepth {
		return false
	}
	i = end
	r.pairs = r.pairs[:0]
	empty := false
	for {
		i = skipSpace(s, i)
		if i >= len(s) {
			return false
		}
		if s[i] == '/' {
			if i+1 >= len(s) || s[i+1] != '>' {
				return false
			}
			empty = true
			i += 2
			break
		}
		if s[i] == '>' {
			i++
			break
		}
		k := name(s, i)
		if k < 0 {
			return false
		}
		key := s[i:k]
		if _, _, ok := splitName(key); !ok {
			return false
		}
		i = skipSpace(s, k)
		if i >= len(s) || s[i] != '=' {
			return false
		}
		i = skipSpace(s, i+1)
		if i >= len(s) || s[i] != '"' && s[i] != '\'' {
			return false
		}
		q := s[i]
		vend, decode, ok := scanChars(s, i+1, int(q))
		if !ok {
			return false
		}
		value := s[i+1 : vend]
		if decode {
			if value, ok = decodeChars(value, false); !ok {
				return false
			}
		}
		r.pairs = append(r.pairs, key, value)
		i = vend + 1
	}
	r.pos = i
	e := r.newElement()
	e.Space, e.Tag = r.str(space), r.str(tag)
	if len(r.pairs) == 0 {
		e.Attr = noAttrs
	} else {
		e.Attr = r.attrSlice(len(r.pairs) / 2)
		for j := 0; j < len(r.pairs); j += 2 {
			// CreateAttr, like etree's reader, keeps the last of
			// duplicate attributes in the place of the first.
			e.CreateAttr(r.str(r.pairs[j]), r.str(r.pairs[j+1]))
		}
	}
	r.pending = append(r.pending, e)
	if empty {
		e.Child = noTokens
		return true
	}
	r.open = append(r.open, e)
	r.frames = append(r.frames, len(r.pending))
	return true
}

func (r *xmlReader) endTag() bool {
	s := r.s
	i := r.pos + 2
	end := name(s, i)
	if end < 0 {
		return false
	}
	space, tag, ok := splitName(s[i:end])
	if !ok {
		return false
	}
	i = skipSpace(s, end)
	if i >= len(s) || s[i] != '>' {
		return false
	}
	top := r.open[len(r.open)-1]
	if len(r.open) == 1 || top.Space != space || top.Tag != tag {
		return false
	}
	r.pos = i + 1
	r.adopt(top, r.frames[len(r.frames)-1])
	r.open = r.open[:len(r.open)-1]
	r.frames = r.frames[:len(r.frames)-1]
	return true
}

func (r *xmlReader) procInst() bool {
	s := r.s
	i := r.pos + 2
	end := name(s, i)
	if end < 0 {
		return false
	}
	target := s[i:end]
	i = skipSpace(s, end)
	k := strings.Index(s[i:], "?>")
	if k < 0 {
		return false
	}
	inst := s[i : i+k]
	if target == "xml" {
		// Other versions and encodings: etree's errors and charset readers.
		if v := procInstParam("version", inst); v != "" && v != "1.0" {
			return false
		}
		if enc := procInstParam("encoding", inst); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return false
		}
	}
	r.pending = append(r.pending, etree.NewProcInst(strings.Clone(target), strings.Clone(inst)))
	r.pos = i + k + 2
	return true
}

// procInstParam is encoding/xml's reading of param="..." in the <?xml?>
// declaration, which decides when it wants another encoding.
func procInstParam(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}
