package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// ruleScore evaluates a location rule for a node: whether it holds, and
// the score it then gives (its score, or the value of its score-attribute
// on that node).
func ruleScore(rule *etree.Element, n *Node, now time.Time) (int, bool, error) {
	ok, err := ruleHolds(rule, n, now)
	if err != nil || !ok {
		return 0, false, err
	}
	if sa := rule.SelectAttrValue("score-attribute", ""); sa != "" {
		v, defined := n.Attrs[sa]
		if !defined {
			return 0, false, nil
		}
		sc, err := ParseScore(v)
		return sc, err == nil, nil
	}
	sc, err := ParseScore(rule.SelectAttrValue("score", "INFINITY"))
	return sc, err == nil, err
}

func ruleHolds(rule *etree.Element, n *Node, now time.Time) (bool, error) {
	return ruleHoldsFor(rule, n, now, nil)
}

// agentRef is what a resource expression (rsc_expression, allowed in
// rsc_defaults and op_defaults rules) is matched against.
type agentRef struct{ class, provider, typ string }

// ruleHoldsFor evaluates a rule; agent is the resource the rule is asked
// about, nil where resource expressions have no meaning, and n is nil
// where node attributes have none.
func ruleHoldsFor(rule *etree.Element, n *Node, now time.Time, agent *agentRef) (bool, error) {
	or := rule.SelectAttrValue("boolean-op", "and") == "or"
	any := false
	for _, x := range rule.ChildElements() {
		var ok bool
		var err error
		switch x.Tag {
		case "expression":
			if n != nil {
				ok, err = exprHolds(x, n)
			}
		case "date_expression":
			ok, err = dateHolds(x, now)
		case "rsc_expression":
			ok = agent != nil
			for _, f := range [][2]string{{"class", agent.classOrEmpty()}, {"provider", agent.providerOrEmpty()}, {"type", agent.typeOrEmpty()}} {
				if want := x.SelectAttrValue(f[0], ""); want != "" && want != f[1] {
					ok = false
				}
			}
		case "rule":
			ok, err = ruleHoldsFor(x, n, now, agent)
		default:
			continue
		}
		if err != nil {
			return false, err
		}
		any = true
		if or && ok {
			return true, nil
		}
		if !or && !ok {
			return false, nil
		}
	}
	return any && !or, nil
}

// exprHolds compares a node attribute as Pacemaker does: #uname and #id
// are the node's name and id; type string compares text, integer and
// number compare numerically, version compares dotted versions; without a
// type, values that both read as numbers compare as numbers.
func exprHolds(x *etree.Element, n *Node) (bool, error) {
	attr, op, want := x.SelectAttrValue("attribute", ""), x.SelectAttrValue("operation", ""), x.SelectAttrValue("value", "")
	var have string
	var defined bool
	switch attr {
	case "#uname":
		have, defined = n.Uname, true
	case "#id":
		have, defined = n.ID, true
	case "#kind":
		have, defined = "cluster", true
		if n.Remote {
			have = "remote"
			if n.Container != "" {
				have = "container"
			}
		}
	case "#is_dc":
		have, defined = fmt.Sprint(n.IsDC), true
	default:
		have, defined = n.Attrs[attr]
	}
	switch op {
	case "defined":
		return defined, nil
	case "not_defined":
		return !defined, nil
	}
	if !defined {
		return false, nil
	}
	cmp, err := compareValues(x.SelectAttrValue("type", ""), have, want)
	if err != nil {
		return false, err
	}
	switch op {
	case "eq":
		return cmp == 0, nil
	case "ne":
		return cmp != 0, nil
	case "lt":
		return cmp < 0, nil
	case "lte":
		return cmp <= 0, nil
	case "gt":
		return cmp > 0, nil
	case "gte":
		return cmp >= 0, nil
	}
	return false, fmt.Errorf("expression %s: unknown operation %q", x.SelectAttrValue("id", ""), op)
}

func compareValues(typ, a, b string) (int, error) {
	num := func() (int, bool) {
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			return 0, false
		}
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	}
	switch typ {
	case "integer":
		// Read as Pacemaker reads integers: the leading whole number
		// ("3.6" is 3).
		x, ok1 := leadingInt(a)
		y, ok2 := leadingInt(b)
		if ok1 && ok2 {
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
		return strings.Compare(a, b), nil
	case "number":
		if c, ok := num(); ok {
			return c, nil
		}
		return strings.Compare(a, b), nil
	case "version":
		return compareVersions(a, b), nil
	case "string":
		return strings.Compare(a, b), nil
	}
	if c, ok := num(); ok {
		return c, nil
	}
	return strings.Compare(a, b), nil
}

// leadingInt reads the whole number a string starts with (after spaces,
// with an optional sign).
func leadingInt(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	end := 0
	if end < len(v) && (v[end] == '-' || v[end] == '+') {
		end++
	}
	digits := end
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	if end == digits {
		return 0, false
	}
	n, err := strconv.ParseInt(v[:end], 10, 64)
	return n, err == nil
}

func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Date formats Pacemaker accepts in rules.
var dateLayouts = []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 Z07:00", "2006-01-02 15:04:05Z", "2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05 Z07:00", "2006-01-02T15:04:05", "2006-01-02"}

func parseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", s)
}

func dateHolds(x *etree.Element, now time.Time) (bool, error) {
	start, end := x.SelectAttrValue("start", ""), x.SelectAttrValue("end", "")
	switch x.SelectAttrValue("operation", "in_range") {
	case "gt":
		t, err := parseDate(start)
		return err == nil && now.After(t), err
	case "lt":
		t, err := parseDate(end)
		return err == nil && now.Before(t), err
	case "in_range":
		if start != "" {
			t, err := parseDate(start)
			if err != nil {
				return false, err
			}
			if now.Before(t) {
				return false, nil
			}
			if d := x.SelectElement("duration"); d != nil && end == "" {
				return !now.After(addDuration(t, d)), nil
			}
		}
		if end != "" {
			t, err := parseDate(end)
			if err != nil {
				return false, err
			}
			return !now.After(t), nil
		}
		return true, nil
	case "date_spec":
		spec := x.SelectElement("date_spec")
		if spec == nil {
			return false, nil
		}
		_, week := now.ISOWeek()
		fields := map[string]int{"seconds": now.Second(), "minutes": now.Minute(), "hours": now.Hour(), "monthdays": now.Day(),
			"weekdays": (int(now.Weekday())+6)%7 + 1, "yeardays": now.YearDay(), "months": int(now.Month()), "weeks": week, "years": now.Year()}
		for _, a := range spec.Attr {
			v, ok := fields[a.Key]
			if !ok {
				continue
			}
			lo, hi, found := strings.Cut(a.Value, "-")
			l, err := strconv.Atoi(lo)
			if err != nil {
				return false, fmt.Errorf("date_spec %s=%q", a.Key, a.Value)
			}
			h := l
			if found {
				if h, err = strconv.Atoi(hi); err != nil {
					return false, fmt.Errorf("date_spec %s=%q", a.Key, a.Value)
				}
			}
			if v < l || v > h {
				return false, nil
			}
		}
		return true, nil
	}
	return false, fmt.Errorf("date_expression: unknown operation %q", x.SelectAttrValue("operation", ""))
}

func (a *agentRef) classOrEmpty() string {
	if a == nil {
		return ""
	}
	return a.class
}

func (a *agentRef) providerOrEmpty() string {
	if a == nil {
		return ""
	}
	return a.provider
}

func (a *agentRef) typeOrEmpty() string {
	if a == nil {
		return ""
	}
	return a.typ
}
