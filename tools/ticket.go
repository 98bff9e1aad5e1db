package tools

import (
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// ticketOpts are crm_ticket's options: this site's tickets, kept in the
// status section.
type ticketOpts struct {
	ticket, get, set, del, value, dflt, setName, nvpair                                string
	info, details, raw, queryXML, constraints, grant, revoke, standby, activate, clean bool
	force, quiet, dfltGiven, valueGiven, help                                          bool
	verbose                                                                            int
}

func crmTicket(args []string, t *tool) int {
	var o ticketOpts
	p := newOptions(t.name)
	p.str('t', &o.ticket, "ticket")
	p.flag('l', &o.info, "info")
	p.flag('L', &o.details, "details")
	p.flag('w', &o.raw, "raw")
	p.flag('q', &o.queryXML, "query-xml")
	p.flag('c', &o.constraints, "constraints")
	p.flag('g', &o.grant, "grant")
	p.flag('r', &o.revoke, "revoke")
	p.flag('s', &o.standby, "standby")
	p.flag('a', &o.activate, "activate")
	p.str('G', &o.get, "get-attr")
	p.str('S', &o.set, "set-attr")
	p.str('D', &o.del, "delete-attr")
	p.flag('C', &o.clean, "cleanup")
	p.fn('v', true, func(v string) { o.value, o.valueGiven = v, true }, "attr-value")
	p.fn('d', true, func(v string) { o.dflt, o.dfltGiven = v, true }, "default")
	p.flag('f', &o.force, "force")
	p.str('n', &o.setName, "set-name")
	p.str('i', &o.nvpair, "nvpair")
	p.flag('Q', &o.quiet, "quiet")
	p.flag('h', &o.help, "help", "help-all")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("%s", ticketUsage)
		return exOK
	}
	return t.finish(t.ticketCommand(o))
}

const ticketUsage = `Usage: crm_ticket [OPTION...]
Show and change this site's tickets (rsc_ticket constraints depend on them).

  -l, --info          the tickets and their state     -L, --details   with every attribute
  -w, --raw           their ids                        -q, --query-xml their state as XML
  -c, --constraints   the rsc_ticket constraints
  -t, --ticket=ID     the ticket to show or change
  -g, --grant / -r, --revoke   grant or revoke it here (needs --force: this site cannot know
                               whether another holds it)
  -s, --standby / -a, --activate
  -G, --get-attr=NAME [-d DEFAULT]   -S, --set-attr=NAME -v VALUE   -D, --delete-attr=NAME
  -C, --cleanup       forget the ticket's state here (needs --force when it is granted)
`

// tickets lists the tickets the CIB knows: their states, then those only
// constraints name.
func tickets(c *cib.CIB) (ids []string, state map[string]*etree.Element) {
	state = map[string]*etree.Element{}
	if ts := c.Status().SelectElement("tickets"); ts != nil {
		for _, e := range ts.SelectElements("ticket_state") {
			id := e.SelectAttrValue("id", "")
			if state[id] == nil {
				state[id] = e
				ids = append(ids, id)
			}
		}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, con := range c.Section("constraints", true).SelectElements("rsc_ticket") {
		if id := con.SelectAttrValue("ticket", ""); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, state
}

// ticketTime formats a ticket's time attribute as crm_ticket shows it.
func ticketTime(v string) string {
	var n int64
	if _, err := fmt.Sscan(v, &n); err != nil {
		return v
	}
	return timeText(n)
}

func (t *tool) ticketLine(id string, st *etree.Element, details bool) string {
	granted := st != nil && cib.IsTrue(st.SelectAttrValue("granted", ""))
	standby := st != nil && cib.IsTrue(st.SelectAttrValue("standby", ""))
	line := id + "\t"
	if granted {
		line += "granted"
	} else {
		line += "revoked"
	}
	if standby {
		line += " [standby]"
	} else {
		line += "          "
	}
	if details {
		var parts []string
		if st != nil {
			// granted and standby first, then the rest as recorded.
			attrs := append([]etree.Attr(nil), st.Attr...)
			rank := map[string]int{"granted": 0, "standby": 1}
			sort.SliceStable(attrs, func(i, j int) bool {
				ri, ok := rank[attrs[i].Key]
				if !ok {
					ri = 2
				}
				rj, ok := rank[attrs[j].Key]
				if !ok {
					rj = 2
				}
				return ri < rj
			})
			for _, a := range attrs {
				if a.Key == "id" {
					continue
				}
				v := a.Value
				if a.Key == "last-granted" || a.Key == "expires" {
					v = "'" + ticketTime(v) + "'"
				}
				parts = append(parts, a.Key+"="+v)
			}
		}
		if len(parts) > 0 {
			line += " (" + strings.Join(parts, ", ") + ")"
		}
		return line
	}
	if st != nil {
		if lg := st.SelectAttrValue("last-granted", ""); lg != "" {
			line += " last-granted='" + ticketTime(lg) + "'"
		}
	}
	return line
}

func (t *tool) ticketCommand(o ticketOpts) error {
	needTicket := func() error {
		if o.ticket == "" {
			return fail(exUsage, "give the ticket with -t TICKET")
		}
		return nil
	}
	switch {
	case o.grant || o.revoke:
		if err := needTicket(); err != nil {
			return err
		}
		if !o.force {
			if o.grant {
				return fail(exInsuffPriv, "granting %s here cannot check whether another site holds it; give --force if you know it does not", o.ticket)
			}
			return fail(exInsuffPriv, "revoking %s may trigger the loss-policy of the constraints that depend on it (see crm_ticket -t %s -c; --standby first is gentler); give --force to revoke it", o.ticket, o.ticket)
		}
		return t.setTicket(o.ticket, func(st *etree.Element) {
			if o.grant {
				st.CreateAttr("granted", "true")
				st.CreateAttr("last-granted", fmt.Sprint(t.now().Unix()))
			} else {
				st.CreateAttr("granted", "false")
			}
		})
	case o.standby || o.activate:
		if err := needTicket(); err != nil {
			return err
		}
		return t.setTicket(o.ticket, func(st *etree.Element) { st.CreateAttr("standby", fmt.Sprint(o.standby)) })
	case o.set != "":
		if err := needTicket(); err != nil {
			return err
		}
		if !o.valueGiven {
			return fail(exUsage, "give the value with -v VALUE")
		}
		if o.set == "granted" && !o.force {
			return fail(exInsuffPriv, "setting granted on %s needs --force (use -g or -r)", o.ticket)
		}
		return t.setTicket(o.ticket, func(st *etree.Element) {
			st.CreateAttr(o.set, o.value)
			if o.set == "granted" && cib.IsTrue(o.value) {
				st.CreateAttr("last-granted", fmt.Sprint(t.now().Unix()))
			}
		})
	case o.del != "":
		if err := needTicket(); err != nil {
			return err
		}
		if o.del == "granted" && !o.force {
			return fail(exInsuffPriv, "deleting granted from %s revokes it: give --force to do it", o.ticket)
		}
		return t.setTicket(o.ticket, func(st *etree.Element) { st.RemoveAttr(o.del) })
	case o.clean:
		if err := needTicket(); err != nil {
			return err
		}
		c, err := t.load()
		if err != nil {
			return err
		}
		_, states := tickets(c)
		if st := states[o.ticket]; st != nil && cib.IsTrue(st.SelectAttrValue("granted", "")) && !o.force {
			return fail(exInsuffPriv, "%s is granted: revoke it first, or give --force", o.ticket)
		}
		err = t.apply(func(c *cib.CIB) error {
			if ts := c.Status().SelectElement("tickets"); ts != nil {
				for _, e := range ts.SelectElements("ticket_state") {
					if e.SelectAttrValue("id", "") == o.ticket {
						ts.RemoveChild(e)
					}
				}
			}
			return nil
		})
		if err == nil {
			t.printf("Cleaned up %s\n", o.ticket)
		}
		return err
	}
	c, err := t.load()
	if err != nil {
		return err
	}
	ids, states := tickets(c)
	if o.ticket != "" {
		found := false
		for _, id := range ids {
			found = found || id == o.ticket
		}
		if !found && !o.constraints && !(o.get != "" && o.dfltGiven) {
			return fail(exNoSuch, "No such ticket '%s' %s", o.ticket, t.where())
		}
		ids = []string{o.ticket}
	}
	switch {
	case o.get != "":
		if err := needTicket(); err != nil {
			return err
		}
		st := states[o.ticket]
		if st != nil {
			if v := st.SelectAttr(o.get); v != nil {
				t.printf("%s\n", v.Value)
				return nil
			}
		}
		if o.dfltGiven {
			t.printf("%s\n", o.dflt)
			return nil
		}
		return fail(exNoSuch, "ticket %s has no attribute %s %s", o.ticket, o.get, t.where())
	case o.raw:
		for _, id := range ids {
			t.printf("%s\n", id)
		}
	case o.queryXML:
		ts := etree.NewElement("tickets")
		for _, id := range ids {
			if st := states[id]; st != nil {
				ts.AddChild(st.Copy())
			}
		}
		if len(ts.ChildElements()) == 0 {
			return fail(exNoSuch, "Could not query ticket XML: no ticket state %s", t.where())
		}
		out := ts
		if o.ticket != "" {
			out = ts.ChildElements()[0]
		}
		t.printf("State XML:\n\n%s", indented(out))
	case o.constraints:
		var cons []*etree.Element
		for _, con := range c.Section("constraints", true).SelectElements("rsc_ticket") {
			if o.ticket == "" || con.SelectAttrValue("ticket", "") == o.ticket {
				cons = append(cons, con)
			}
		}
		if len(cons) == 0 {
			return fail(exNoSuch, "Could not show ticket constraints: none %s", t.where())
		}
		t.printf("Constraints XML:\n\n")
		for _, con := range cons {
			t.printf("%s", indented(con))
		}
	default: // -l, -L
		for _, id := range ids {
			t.printf("%s\n", t.ticketLine(id, states[id], o.details))
		}
	}
	return nil
}

// setTicket changes a ticket's state in the status section (made when
// missing).
func (t *tool) setTicket(id string, f func(st *etree.Element)) error {
	return t.apply(func(c *cib.CIB) error {
		ts := c.Status().SelectElement("tickets")
		if ts == nil {
			ts = c.Status().CreateElement("tickets")
		}
		var st *etree.Element
		for _, e := range ts.SelectElements("ticket_state") {
			if e.SelectAttrValue("id", "") == id {
				st = e
			}
		}
		if st == nil {
			st = ts.CreateElement("ticket_state")
			st.CreateAttr("id", id)
		}
		f(st)
		return nil
	})
}
