package grammar

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token kinds. A shell word is classified once it is split:
//
//	NVPair  key=value (the value already unquoted)
//	Score   a word ending in ':' such as inf:, -100:, pingd:
//	Word    anything else
//	EOL     the end of a statement (a newline not escaped by a backslash)
const (
	tokEOF lexer.TokenType = -(iota + 1)
	tokWord
	tokNVPair
	tokScore
	tokEOL
)

type definition struct{}

// Symbols is built on each call: the parser is built during package
// initialisation, possibly before any package-level map would be.
func (definition) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{"EOF": tokEOF, "Word": tokWord, "NVPair": tokNVPair, "Score": tokScore, "EOL": tokEOL}
}

func (definition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, err := split(filename, string(b))
	if err != nil {
		return nil, err
	}
	return &tokens{toks: toks}, nil
}

type tokens struct {
	toks []lexer.Token
	i    int
}

func (t *tokens) Next() (lexer.Token, error) {
	if t.i >= len(t.toks) {
		return lexer.Token{Type: tokEOF}, nil
	}
	t.i++
	return t.toks[t.i-1], nil
}

// split cuts src into shell words: whitespace separates words; single and
// double quotes group (quoted spans may sit inside a word: a"b c"d is one
// word); a backslash escapes the next character, and a backslash before a
// newline joins lines; '#' at the start of a line begins a comment.
func split(filename, src string) ([]lexer.Token, error) {
	var out []lexer.Token
	line, col := 1, 1
	pos := func(off int) lexer.Position {
		return lexer.Position{Filename: filename, Offset: off, Line: line, Column: col}
	}
	i := 0
	lineStart := true
	advance := func() {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i++
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			advance()
			advance()
			continue
		case c == '\n':
			if len(out) > 0 && out[len(out)-1].Type != tokEOL {
				out = append(out, lexer.Token{Type: tokEOL, Value: "\n", Pos: pos(i)})
			}
			advance()
			lineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r':
			advance()
			continue
		case c == '#' && lineStart:
			for i < len(src) && src[i] != '\n' {
				advance()
			}
			continue
		}
		lineStart = false
		start := pos(i)
		var w strings.Builder
		quoted := false
		for i < len(src) {
			c := src[i]
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				break
			}
			switch c {
			case '\\':
				if i+1 < len(src) && src[i+1] == '\n' {
					advance()
					advance()
					continue
				}
				advance()
				if i < len(src) {
					w.WriteByte(src[i])
					advance()
				}
			case '\'', '"':
				quoted = true
				q := c
				qpos := pos(i)
				advance()
				for i < len(src) && src[i] != q {
					if q == '"' && src[i] == '\\' && i+1 < len(src) && strings.IndexByte("\"\\$`", src[i+1]) >= 0 {
						advance()
					}
					w.WriteByte(src[i])
					advance()
				}
				if i >= len(src) {
					return nil, &Error{Line: qpos.Line, Col: qpos.Column, Msg: fmt.Sprintf("unterminated %c quote", q)}
				}
				advance()
			default:
				w.WriteByte(c)
				advance()
			}
		}
		out = append(out, classify(w.String(), quoted, start))
	}
	if len(out) > 0 && out[len(out)-1].Type != tokEOL {
		out = append(out, lexer.Token{Type: tokEOL, Value: "\n", Pos: pos(i)})
	}
	return out, nil
}

func classify(word string, quoted bool, p lexer.Position) lexer.Token {
	t := lexer.Token{Type: tokWord, Value: word, Pos: p}
	switch {
	case strings.IndexByte(word, '=') > 0:
		t.Type = tokNVPair
	case !quoted && len(word) > 1 && strings.HasSuffix(word, ":") && !strings.Contains(word[:len(word)-1], ":"):
		t.Type = tokScore
	}
	return t
}

// QuoteArgs joins command-line arguments into one statement, quoting the
// ones the shell had kept together, so that `crm configure primitive d1
// Dummy params fake="a b"` parses as crmsh parses it.
func QuoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = quoteWord(a)
	}
	return strings.Join(out, " ")
}

func quoteWord(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n'\"\\#") {
		return a
	}
	if k, v, ok := strings.Cut(a, "="); ok && k != "" && !strings.ContainsAny(k, " \t\n'\"\\#") {
		return k + "=" + doubleQuote(v)
	}
	return doubleQuote(a)
}

func doubleQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return `"` + r.Replace(s) + `"`
}
