package grammar

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// File is a sequence of statements, one per (continued) line.
type File struct {
	Statements []*Statement `parser:"( @@ EOL )*"`
}

// Statement is one configure statement; exactly one field is set.
type Statement struct {
	Pos         lexer.Position
	Primitive   *Primitive  `parser:"  @@"`
	Property    *Property   `parser:"| @@"`
	RscDefaults *Defaults   `parser:"| \"rsc_defaults\" @@"`
	OpDefaults  *Defaults   `parser:"| \"op_defaults\" @@"`
	Location    *Location   `parser:"| @@"`
	Group       *Group      `parser:"| @@"`
	Clone       *Clone      `parser:"| @@"`
	Colocation  *Colocation `parser:"| @@"`
	Order       *Order      `parser:"| @@"`
	Monitor     *Monitor    `parser:"| @@"`
	Node        *Node       `parser:"| @@"`
	Tag         *Tag        `parser:"| @@"`
	Ticket      *Ticket     `parser:"| @@"`
	Fencing     *Fencing    `parser:"| @@"`
	Alert       *Alert      `parser:"| @@"`
	Role        *Role       `parser:"| @@"`
	ACLTarget   *ACLTarget  `parser:"| @@"`
	User        *User       `parser:"| @@"`
}

// User is Pacemaker 1's ACL statement, kept only to say what to use.
type User struct {
	Pos   lexer.Position
	ID    string   `parser:"\"user\" @Word"`
	Items []string `parser:"@(Word | NVPair | Score)*"`
}

// Keyword is the statement's command word.
func (s *Statement) Keyword() string {
	switch {
	case s.Primitive != nil:
		return s.Primitive.Kind
	case s.Property != nil:
		return "property"
	case s.RscDefaults != nil:
		return "rsc_defaults"
	case s.OpDefaults != nil:
		return "op_defaults"
	case s.Location != nil:
		return "location"
	case s.Group != nil:
		return "group"
	case s.Clone != nil:
		return s.Clone.Kind
	case s.Colocation != nil:
		return "colocation"
	case s.Order != nil:
		return "order"
	case s.Monitor != nil:
		return "monitor"
	case s.Node != nil:
		return "node"
	case s.Tag != nil:
		return "tag"
	case s.Ticket != nil:
		return "rsc_ticket"
	case s.Fencing != nil:
		return "fencing_topology"
	case s.Alert != nil:
		return "alert"
	case s.Role != nil:
		return "role"
	case s.ACLTarget != nil:
		return s.ACLTarget.Kind
	case s.User != nil:
		return "user"
	}
	return ""
}

// Primitive: primitive|rsc_template ID AGENT|@TEMPLATE [description=TEXT]
// [params ...] [meta ...] [utilization ...] [op NAME ...]...
type Primitive struct {
	Pos      lexer.Position
	Kind     string     `parser:"@(\"primitive\" | \"rsc_template\")"`
	ID       string     `parser:"@Word"`
	Agent    string     `parser:"@Word"`
	Attrs    []NVPair   `parser:"@NVPair*"`
	Sections []*Section `parser:"@@*"`
}

// Node: node [$id=ID] NAME[:TYPE] [attributes K=V...] [utilization K=V...]
type Node struct {
	Pos      lexer.Position
	IDSpec   []NVPair   `parser:"\"node\" @NVPair?"`
	ID       string     `parser:"@Score?"`
	Name     string     `parser:"@Word"`
	Sections []*Section `parser:"@@*"`
}

// Tag: tag ID[:] RSC...
type Tag struct {
	Pos  lexer.Position
	ID   string   `parser:"\"tag\" @(Word | Score)"`
	Refs []string `parser:"@Word+"`
}

// Ticket: rsc_ticket ID TICKET: RSC[:ROLE]... [loss-policy=...]
type Ticket struct {
	Pos    lexer.Position
	ID     string   `parser:"\"rsc_ticket\" @Word"`
	Ticket string   `parser:"@Score"`
	Items  []string `parser:"@(Word | NVPair)+"`
}

// Fencing: fencing_topology [TARGET:] LEVEL... ...
type Fencing struct {
	Pos   lexer.Position
	Items []string `parser:"\"fencing_topology\" @(Word | Score | NVPair)+"`
}

// Alert: alert ID PATH [meta ...] [select ...] [to RECIPIENT [meta ...]]...
type Alert struct {
	Pos   lexer.Position
	ID    string   `parser:"\"alert\" @Word"`
	Path  string   `parser:"@Word"`
	Items []string `parser:"@(Word | NVPair)*"`
}

// Section is one attribute list of a primitive (params, meta,
// utilization) or one of its operations.
type Section struct {
	Pos       lexer.Position
	Kind      string   `parser:"( @(\"params\" | \"meta\" | \"utilization\" | \"op_params\" | \"op_meta\" | \"attributes\" | \"operations\")"`
	RuleWords []string `parser:"  ( \"rule\" @(Word | Score)+ )?"`
	Pairs     []NVPair `parser:"  @NVPair* )"`
	Op        *Op      `parser:"| \"op\" @@"`

	// Rule guards the set (params rule 10: #uname eq n1 k=v), read from
	// RuleWords by check.
	Rule *Rule
}

// Op is an operation: op NAME [K=V ...].
type Op struct {
	Pos   lexer.Position
	Name  string   `parser:"@Word"`
	Attrs []NVPair `parser:"@NVPair*"`
}

// Group: group ID RSC... [meta K=V...] [params K=V...]
type Group struct {
	Pos      lexer.Position
	ID       string     `parser:"\"group\" @Word"`
	Members  []string   `parser:"( (?! \"meta\" | \"params\" ) @Word )+"`
	Sections []*Section `parser:"@@*"`
}

// Clone: clone|ms ID RSC [meta K=V...] [params K=V...]
type Clone struct {
	Pos      lexer.Position
	Kind     string     `parser:"@(\"clone\" | \"ms\" | \"master\")"`
	ID       string     `parser:"@Word"`
	Child    string     `parser:"@Word"`
	Sections []*Section `parser:"@@*"`
}

// Colocation: colocation ID SCORE: RSC[:ROLE] WITH-RSC[:ROLE] [K=V...]
type Colocation struct {
	Pos   lexer.Position
	ID    string   `parser:"\"colocation\" @Word"`
	Score string   `parser:"@Score"`
	Items []string `parser:"@(Word | NVPair)+"`
}

// Order: order ID [KIND:|SCORE:] FIRST[:ACTION] THEN[:ACTION] [K=V...]
type Order struct {
	Pos   lexer.Position
	ID    string   `parser:"\"order\" @Word"`
	Score string   `parser:"@Score?"`
	Items []string `parser:"@(Word | NVPair)+"`
}

// Monitor: monitor RSC[:ROLE] INTERVAL[:TIMEOUT]
type Monitor struct {
	Pos      lexer.Position
	Resource string `parser:"\"monitor\" @Word"`
	Spec     string `parser:"@(Word | Score)"`
}

// Role: role ID (read|write|deny SPEC...)... where a SPEC is xpath:X,
// ref:ID, tag:T, attribute:A, or a shortcut such as meta:RSC:ATTR or cib.
type Role struct {
	Pos   lexer.Position
	ID    string   `parser:"\"role\" @Word"`
	Items []string `parser:"@(Word | NVPair | Score)+"`
}

// ACLTarget: acl_target|acl_group ID ROLE...
type ACLTarget struct {
	Pos   lexer.Position
	Kind  string   `parser:"@(\"acl_target\" | \"acl_group\")"`
	ID    string   `parser:"@Word"`
	Roles []string `parser:"@Word*"`
}

// Property: property [SET:] K=V ...
type Property struct {
	Pos   lexer.Position
	Set   string   `parser:"\"property\" @Score?"`
	Pairs []NVPair `parser:"@NVPair+"`
}

// Defaults: rsc_defaults|op_defaults [SET:] K=V ...
type Defaults struct {
	Pos   lexer.Position
	Set   string   `parser:"@Score?"`
	Pairs []NVPair `parser:"@NVPair+"`
}

// Location: location ID RSC|/PATTERN/|{ RSC... } [role=R]
// [resource-discovery=X] (SCORE: NODE | rule ...). The words after the id
// are structured by check into the fields below them.
type Location struct {
	Pos   lexer.Position
	ID    string   `parser:"\"location\" @Word"`
	Items []string `parser:"@(Word | NVPair | Score)+"`
	// Tokens are filled by participle: the statement's tokens, for
	// positions in errors.
	Tokens []lexer.Token

	Resource  string   // one resource
	Pattern   string   // rsc-pattern (from /.../)
	Set       []string // a resource set ({ a b })
	Role      string
	Discovery string
	Score     string // with Node
	Node      string
	Rules     []*Rule
}

// Rule is one location rule: rule [$id=ID] [$role=R] [SCORE:] EXPRESSION.
type Rule struct {
	ID, Role, Score string
	BoolOp          string // "and" or "or" between expressions
	Exprs           []*Expr
}

// Expr is one rule expression.
type Expr struct {
	Kind      string // "defined", "not_defined", "compare", "date"
	Attribute string
	Op        string // eq ne lt gt lte gte; for dates: gt lt in spec
	Type      string // string, integer, number, version
	Value     string
	Pairs     []NVPair // date in / spec: start=, end=, durations, spec fields
}

// NVPair is key=value, the value unquoted.
type NVPair struct {
	Key, Value string
}

// Capture splits the token at its first '='.
func (n *NVPair) Capture(values []string) error {
	k, v, _ := strings.Cut(values[0], "=")
	n.Key, n.Value = k, v
	return nil
}

var parser = participle.MustBuild[File](
	participle.Lexer(definition{}),
)

// Error is a syntax error with its place in the input.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d:%d: %s", e.Line, e.Col, e.Msg) }

// Parse reads statements.
func Parse(src string) ([]*Statement, error) {
	f, err := parser.ParseString("", src)
	if err != nil {
		return nil, translate(src, err)
	}
	for _, s := range f.Statements {
		if err := check(s); err != nil {
			return nil, err
		}
	}
	return f.Statements, nil
}

// ParseArgs reads one statement given as command-line arguments.
func ParseArgs(args []string) (*Statement, error) {
	stmts, err := Parse(QuoteArgs(args))
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &Error{Line: 1, Col: 1, Msg: "expected one statement"}
	}
	return stmts[0], nil
}

// Keywords are the statements this version knows.
var Keywords = []string{"node", "primitive", "rsc_template", "group", "clone", "ms", "master", "location", "colocation", "order",
	"rsc_ticket", "monitor", "tag", "fencing_topology", "property", "rsc_defaults", "op_defaults", "alert", "role", "acl_target", "acl_group", "user"}

// Fuzzy returns the command keyword a misspelt word stands for, as crmsh
// accepts "primitve" for "primitive": the only keyword within two edits.
func Fuzzy(word string) (string, bool) {
	if isKeyword(word) {
		return word, true
	}
	best, n := "", 0
	for _, k := range Keywords {
		if d := editDistance(word, k); d <= 2 && len(word) > 3 {
			best, n = k, n+1
		}
	}
	return best, n == 1
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

var (
	unexpected = regexp.MustCompile(`unexpected token "((?:[^"\\]|\\.)*)"(?: \(expected (.*)\))?`)
	expected   = strings.NewReplacer(`<nvpair>`, `key=value`, `<word>`, `a name`, `<score>`, `a score such as 100: or inf:`,
		`<eol>`, `the end of the statement`, `<EOF>`, `the end of input`, `"`, ``)
)

// translate turns participle's error into one in the language's words.
func translate(src string, err error) error {
	var le *Error
	if errors.As(err, &le) {
		return le
	}
	var pe participle.Error
	if !errors.As(err, &pe) {
		return &Error{Line: 1, Col: 1, Msg: err.Error()}
	}
	pos := pe.Position()
	stmt := statementAt(src, pos.Line)
	msg := pe.Message()
	if m := unexpected.FindStringSubmatch(msg); m != nil {
		got := m[1]
		if got == "\n" || got == "\\n" || got == "" || got == "<EOF>" {
			got = "the end of the statement"
		} else {
			got = fmt.Sprintf("%q", got)
		}
		exp := m[2]
		if f := strings.Fields(exp); len(f) > 1 && !strings.Contains(exp, "|") {
			exp = f[0] // a sequence: what is missing is its first element
		}
		want := expected.Replace(exp)
		if want == "" || (want == "the end of the statement" && stmt == "primitive") {
			want = expectedFor(stmt)
		}
		msg = fmt.Sprintf("expected %s, got %s", want, got)
	}
	if !isKeyword(stmt) && stmt != "" {
		msg = fmt.Sprintf("unknown command %q (this version knows %s)", stmt, strings.Join(Keywords, ", "))
	} else if stmt != "" {
		msg = stmt + ": " + msg
	}
	return &Error{Line: pos.Line, Col: pos.Column, Msg: msg}
}

func expectedFor(stmt string) string {
	switch stmt {
	case "primitive":
		return "params, meta, utilization, op or key=value"
	}
	return "more input"
}

func isKeyword(w string) bool {
	for _, k := range Keywords {
		if k == w {
			return true
		}
	}
	return false
}

// statementAt finds the command word of the statement that covers line.
func statementAt(src string, line int) string {
	lines := strings.Split(src, "\n")
	i := line - 1
	for i > 0 && i-1 < len(lines) && strings.HasSuffix(lines[i-1], "\\") {
		i--
	}
	if i < 0 || i >= len(lines) {
		return ""
	}
	f := strings.Fields(lines[i])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// check makes the semantic checks the grammar cannot.
func check(s *Statement) error {
	bad := func(pos lexer.Position, format string, args ...any) error {
		return &Error{Line: pos.Line, Col: pos.Column, Msg: fmt.Sprintf(s.Keyword()+": "+format, args...)}
	}
	switch {
	case s.Primitive != nil:
		p := s.Primitive
		for _, a := range p.Attrs {
			if a.Key != "description" {
				return bad(p.Pos, "unexpected %s=%s (only description= may follow the agent)", a.Key, a.Value)
			}
		}
		if !validID(p.ID) {
			return bad(p.Pos, "%q is not a valid id (letters, digits, '_', '.', '-'; not starting with a digit)", p.ID)
		}
		for _, sec := range p.Sections {
			switch {
			case sec.Op != nil && !validID(sec.Op.Name):
				return bad(sec.Op.Pos, "%q is not an operation name", sec.Op.Name)
			case (sec.Kind == "op_params" || sec.Kind == "op_meta") && !afterOp(p.Sections, sec):
				return bad(sec.Pos, "%s must follow an op", sec.Kind)
			case len(sec.RuleWords) > 0 && sec.parseRule() != "":
				return bad(sec.Pos, "%s rule: %s", sec.Kind, sec.parseRule())
			case sec.Op == nil && len(sec.Pairs) == 0:
				return bad(sec.Pos, "expected at least one key=value after %q", sec.Kind)
			}
		}
	case s.User != nil:
		return bad(s.User.Pos, "the user statement is Pacemaker 1's ACL syntax and the pacemaker-3 schema refuses it; define a role and an acl_target (acl_target %s ROLE...)", s.User.ID)
	case s.Colocation != nil:
		if err := checkSets(s.Colocation.Items); err != "" {
			return bad(s.Colocation.Pos, "%s", err)
		}
	case s.Order != nil:
		if err := checkSets(s.Order.Items); err != "" {
			return bad(s.Order.Pos, "%s", err)
		}
	case s.Location != nil:
		l := s.Location
		if !validID(l.ID) {
			return bad(l.Pos, "%q is not a valid id", l.ID)
		}
		if msg, at := l.structure(); msg != "" {
			pos := l.Pos
			// Items start after "location" and the id.
			if k := at + 2; at >= 0 && k < len(l.Tokens) {
				pos = l.Tokens[k].Pos
			}
			return bad(pos, "%s", msg)
		}
	}
	return nil
}

var compareOps = map[string]bool{"eq": true, "ne": true, "lt": true, "gt": true, "lte": true, "gte": true}

// structure reads the words of a location into its fields; it returns
// what is wrong, or "".
func (l *Location) structure() (string, int) {
	it := l.Items
	at := func() int { return len(l.Items) - len(it) } // index of it[0]
	switch {
	case it[0] == "{":
		i := 1
		for ; i < len(it) && it[i] != "}"; i++ {
			l.Set = append(l.Set, it[i])
		}
		if i == len(it) || len(l.Set) == 0 {
			return "a resource set { ... } is not closed or is empty", 0
		}
		it = it[i+1:]
	case len(it[0]) > 2 && strings.HasPrefix(it[0], "/") && strings.HasSuffix(it[0], "/"):
		l.Pattern, it = strings.Trim(it[0], "/"), it[1:]
	default:
		l.Resource, it = it[0], it[1:]
	}
	for len(it) > 0 && strings.Contains(it[0], "=") {
		k, v, _ := strings.Cut(it[0], "=")
		switch k {
		case "role", "$role":
			l.Role = v
		case "resource-discovery":
			l.Discovery = v
		default:
			return fmt.Sprintf("unexpected %s (expected role=, resource-discovery=, a score or rule)", it[0]), at()
		}
		it = it[1:]
	}
	if len(it) == 0 {
		return "expected a score and a node (100: node1), or rule", at() - 1
	}
	if it[0] != "rule" {
		if !strings.HasSuffix(it[0], ":") || len(it) != 2 {
			return fmt.Sprintf("expected a score and a node such as 100: node1, or rule, got %q", strings.Join(it, " ")), at()
		}
		l.Score, l.Node = it[0], it[1]
		return "", -1
	}
	for len(it) > 0 {
		if it[0] != "rule" {
			return fmt.Sprintf("expected rule, got %q", it[0]), at()
		}
		it = it[1:]
		r := &Rule{}
		for len(it) > 0 && strings.HasPrefix(it[0], "$") && strings.Contains(it[0], "=") {
			k, v, _ := strings.Cut(it[0], "=")
			switch k {
			case "$id":
				r.ID = v
			case "$role":
				r.Role = v
			default:
				return fmt.Sprintf("unexpected %s in a rule", it[0]), at()
			}
			it = it[1:]
		}
		if len(it) > 0 && strings.HasSuffix(it[0], ":") && !strings.Contains(it[0], "=") {
			r.Score, it = it[0], it[1:]
		}
		end := 0
		for end < len(it) && it[end] != "rule" {
			end++
		}
		if msg, k := r.parseExprs(it[:end]); msg != "" {
			return msg, at() + k
		}
		l.Rules = append(l.Rules, r)
		it = it[end:]
	}
	return "", -1
}

// parseExprs reads "simple (and|or simple)*"; mixing and with or is
// refused, as crmsh refuses it.
func (r *Rule) parseExprs(words []string) (string, int) {
	if len(words) == 0 {
		return "a rule needs an expression", 0
	}
	var cur []string
	start := 0
	flush := func(at int) (string, int) {
		if len(cur) == 0 {
			return "an expression is missing around and/or", at
		}
		e, msg := parseExpr(cur)
		if msg != "" {
			return msg, start
		}
		r.Exprs = append(r.Exprs, e)
		cur = nil
		return "", 0
	}
	for i, w := range words {
		if w == "and" || w == "or" {
			if r.BoolOp != "" && r.BoolOp != w {
				return "mixing and with or in one rule is not allowed; use two rules", i
			}
			r.BoolOp = w
			if msg, k := flush(i); msg != "" {
				return msg, k
			}
			start = i + 1
			continue
		}
		cur = append(cur, w)
	}
	return flush(len(words))
}

func parseExpr(w []string) (*Expr, string) {
	switch {
	case w[0] == "defined" || w[0] == "not_defined":
		if len(w) != 2 {
			return nil, fmt.Sprintf("%s takes one attribute name", w[0])
		}
		return &Expr{Kind: w[0], Attribute: w[1]}, ""
	case w[0] == "date":
		if len(w) < 2 {
			return nil, "date needs gt, lt, in or spec"
		}
		e := &Expr{Kind: "date", Op: w[1]}
		switch w[1] {
		case "gt", "lt":
			if len(w) != 3 {
				return nil, fmt.Sprintf("date %s takes one date", w[1])
			}
			e.Value = w[2]
		case "in", "in_range", "spec", "date_spec":
			for _, p := range w[2:] {
				k, v, ok := strings.Cut(p, "=")
				if !ok {
					return nil, fmt.Sprintf("date %s: expected key=value, got %q", w[1], p)
				}
				e.Pairs = append(e.Pairs, NVPair{k, v})
			}
			if len(e.Pairs) == 0 {
				return nil, fmt.Sprintf("date %s needs key=value pairs", w[1])
			}
		default:
			return nil, fmt.Sprintf("date %q: expected gt, lt, in or spec", w[1])
		}
		return e, ""
	case len(w) == 3:
		op, typ := w[1], ""
		if t, o, ok := strings.Cut(op, ":"); ok {
			typ, op = t, o
		}
		if !compareOps[op] {
			return nil, fmt.Sprintf("%q is not a comparison (eq, ne, lt, gt, lte, gte)", w[1])
		}
		return &Expr{Kind: "compare", Attribute: w[0], Op: op, Type: typ, Value: w[2]}, ""
	}
	return nil, fmt.Sprintf("cannot read the expression %q (ATTR OP VALUE, defined ATTR, date ...)", strings.Join(w, " "))
}

// parseRule reads the rule guarding a set; it returns what is wrong, or "".
func (sec *Section) parseRule() string {
	w := sec.RuleWords
	r := &Rule{}
	if len(w) > 0 && strings.HasSuffix(w[0], ":") {
		r.Score, w = w[0], w[1:]
	}
	if msg, _ := r.parseExprs(w); msg != "" {
		return msg
	}
	sec.Rule = r
	return ""
}

// checkSets checks the resources of a colocation or order: at least two,
// and brackets that open and close in pairs.
func checkSets(items []string) string {
	open, n := "", 0
	for _, it := range items {
		switch it {
		case "(", "[":
			if open != "" {
				return "resource sets cannot nest"
			}
			open = it
		case ")", "]":
			if (open == "(" && it != ")") || (open == "[" && it != "]") || open == "" {
				return fmt.Sprintf("unbalanced %q", it)
			}
			open = ""
		default:
			if !strings.Contains(it, "=") {
				n++
			}
		}
	}
	if open != "" {
		return fmt.Sprintf("%q is not closed", open)
	}
	if n < 2 {
		return "needs at least two resources"
	}
	return ""
}

// afterOp: the section comes after an op (op_params and op_meta belong to
// the op before them).
func afterOp(secs []*Section, sec *Section) bool {
	for _, x := range secs {
		if x == sec {
			return false
		}
		if x.Op != nil {
			return true
		}
	}
	return false
}

var idRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

func validID(s string) bool { return idRE.MatchString(s) }
