package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// NextChange is when the plan for c may next change by itself, with no
// event: a failure reaching its failure-timeout, a date rule (a move or
// ban lifetime is one) starting or ending to hold. The daemon plans again
// then. ok is false when nothing in c changes with time.
func NextChange(c *cib.CIB, now time.Time) (next time.Time, ok bool) {
	consider := func(t time.Time) {
		if t.After(now) && (!ok || t.Before(next)) {
			next, ok = t, true
		}
	}
	root := c.Root()
	if root == nil {
		return time.Time{}, false
	}
	for _, x := range root.FindElements("//configuration//date_expression") {
		for _, t := range dateBoundaries(x, now) {
			consider(t)
		}
	}
	timeouts := failureTimeouts(c)
	if len(timeouts) == 0 {
		return next, ok
	}
	for _, ns := range c.Status().SelectElements("node_state") {
		for _, re := range ns.FindElements("lrm/lrm_resources/lrm_resource") {
			d := timeouts[baseID(re.SelectAttrValue("id", ""))]
			if d <= 0 {
				continue
			}
			for _, op := range re.SelectElements("lrm_rsc_op") {
				if rec := cib.ParseOpRecord(re, op); rec.Failed() && !rec.LastChange.IsZero() {
					consider(rec.LastChange.Add(d))
				}
			}
		}
		for _, nv := range ns.FindElements("transient_attributes/instance_attributes/nvpair") {
			name := nv.SelectAttrValue("name", "")
			rest, found := strings.CutPrefix(name, "last-failure-")
			if !found {
				continue
			}
			rsc, _, _ := strings.Cut(rest, "#") // last-failure-RSC#OP_INTERVAL
			if d := timeouts[baseID(rsc)]; d > 0 {
				if sec, err := strconv.ParseInt(nv.SelectAttrValue("value", ""), 10, 64); err == nil {
					consider(time.Unix(sec, 0).Add(d))
				}
			}
		}
	}
	return next, ok
}

// baseID is a clone instance's resource id without its instance number.
func baseID(id string) string {
	if i := strings.LastIndexByte(id, ':'); i > 0 {
		if _, err := strconv.Atoi(id[i+1:]); err == nil {
			return id[:i]
		}
	}
	return id
}

// failureTimeouts is each primitive's failure-timeout: its own meta
// attribute, its group's or clone's, its template's, or rsc_defaults'.
func failureTimeouts(c *cib.CIB) map[string]time.Duration {
	metaOf := func(e *etree.Element) (time.Duration, bool) {
		v, found := cib.NVPairs(e, cib.Meta)["failure-timeout"]
		if !found {
			return 0, false
		}
		d, err := ParseDuration(v)
		return d, err == nil
	}
	var dflt time.Duration
	if rd := c.Root().FindElement("configuration/rsc_defaults"); rd != nil {
		dflt, _ = metaOf(rd)
	}
	out := map[string]time.Duration{}
	for _, p := range c.Root().FindElements("configuration/resources//primitive") {
		d, found := metaOf(p)
		for e := p.Parent(); !found && e != nil && e.Tag != "resources"; e = e.Parent() {
			d, found = metaOf(e)
		}
		if !found {
			if t := p.SelectAttrValue("template", ""); t != "" {
				if tpl := c.FindID(t); tpl != nil {
					d, found = metaOf(tpl)
				}
			}
		}
		if !found {
			d = dflt
		}
		if d > 0 {
			out[p.SelectAttrValue("id", "")] = d
		}
	}
	return out
}

// dateBoundaries are the moments after now when a date expression may
// change its truth.
func dateBoundaries(x *etree.Element, now time.Time) []time.Time {
	var out []time.Time
	at := func(s string) {
		if t, err := parseDate(s); err == nil {
			out = append(out, t, t.Add(time.Second))
		}
	}
	switch x.SelectAttrValue("operation", "in_range") {
	case "gt":
		at(x.SelectAttrValue("start", ""))
	case "lt":
		at(x.SelectAttrValue("end", ""))
	case "in_range":
		start := x.SelectAttrValue("start", "")
		at(start)
		at(x.SelectAttrValue("end", ""))
		if d := x.SelectElement("duration"); d != nil && start != "" {
			if t, err := parseDate(start); err == nil {
				e := addDuration(t, d)
				out = append(out, e, e.Add(time.Second))
			}
		}
	case "date_spec":
		// A date_spec holds in ranges of its fields; it can change at
		// the next second when it names seconds, else the next minute.
		step := time.Minute
		if spec := x.SelectElement("date_spec"); spec != nil && spec.SelectAttr("seconds") != nil {
			step = time.Second
		}
		out = append(out, now.Truncate(step).Add(step))
	}
	return out
}

// addDuration adds a date expression's duration element to t.
func addDuration(t time.Time, d *etree.Element) time.Time {
	for _, a := range d.Attr {
		n, _ := strconv.Atoi(a.Value)
		switch a.Key {
		case "years":
			t = t.AddDate(n, 0, 0)
		case "months":
			t = t.AddDate(0, n, 0)
		case "weeks":
			t = t.AddDate(0, 0, 7*n)
		case "days":
			t = t.AddDate(0, 0, n)
		case "hours":
			t = t.Add(time.Duration(n) * time.Hour)
		case "minutes":
			t = t.Add(time.Duration(n) * time.Minute)
		case "seconds":
			t = t.Add(time.Duration(n) * time.Second)
		}
	}
	return t
}
