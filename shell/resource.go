package shell

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// resourceCommand runs a command of the resource level. Each is one CIB
// edit, applied at once, as crm_resource makes it.
func (s *session) resourceCommand(args []string) {
	if len(args) == 0 {
		s.error("resource: give a command (status, list, locate, start, stop, restart, manage, unmanage, maintenance, meta, param, utilization, move, ban, clear, failcount)")
		return
	}
	cmd, rest := args[0], args[1:]
	need := func(n int, usage string) bool {
		if len(rest) < n {
			s.error(fmt.Sprintf("resource %s: usage: %s", cmd, usage))
			return false
		}
		return true
	}
	switch cmd {
	case "locate", "status":
		s.locate(rest)
		return
	case "list", "show":
		s.resourceTable()
		return
	case "failcount":
		s.failcounts(rest)
		return
	case "restart":
		if need(1, "restart RSC...") {
			s.restart(rest)
		}
		return
	case "cleanup", "refresh":
		s.cleanup(cmd == "refresh", rest)
		return
	case "start", "stop":
		if !need(1, cmd+" RSC...") {
			return
		}
		role := map[string]string{"start": "Started", "stop": "Stopped"}[cmd]
		s.eachTarget(rest, func(c *cib.CIB, rsc string) error {
			_, _, err := c.SetResourceAttrFirst(rsc, cib.Meta, "target-role", role)
			return err
		})
	case "manage", "unmanage":
		if !need(1, cmd+" RSC...") {
			return
		}
		val := fmt.Sprint(cmd == "manage")
		s.eachTarget(rest, func(c *cib.CIB, rsc string) error {
			_, _, err := c.SetResourceAttrFirst(rsc, cib.Meta, "is-managed", val)
			return err
		})
	case "maintenance":
		if !need(1, "maintenance RSC [true|false]") {
			return
		}
		val := "true"
		if len(rest) > 1 {
			val = rest[1]
		}
		s.eachTarget(rest[:1], func(c *cib.CIB, rsc string) error {
			_, _, err := c.SetResourceAttrFirst(rsc, cib.Meta, "maintenance", val)
			return err
		})
	case "meta", "param", "params", "utilization":
		kind := map[string]string{"meta": cib.Meta, "param": cib.Params, "params": cib.Params, "utilization": cib.Utilization}[cmd]
		s.attrCommand(cmd, kind, rest)
	case "move", "migrate":
		if cmd == "migrate" {
			s.warn("\"migrate\" is deprecated; use \"move\"")
		}
		if !need(1, cmd+" RSC [NODE] [LIFETIME] [force]") {
			return
		}
		s.move(rest)
	case "ban":
		if !need(2, "ban RSC NODE") {
			return
		}
		rsc, node := rest[0], rest[1]
		s.edit(func(c *cib.CIB) error {
			if !c.HasNode(node) {
				return fmt.Errorf("no such node: %s", node)
			}
			return c.Ban(rsc, node)
		})
		if !s.failed {
			s.warn(fmt.Sprintf("Creating rsc_location constraint 'cli-ban-%s-on-%s' with a score of -INFINITY for resource %s on %s: it keeps %s off %s until removed with 'crm resource clear %s'", rsc, node, rsc, node, rsc, node, rsc))
			s.info(fmt.Sprintf("Ban constraint created for %s to %s", rsc, node))
			s.info(fmt.Sprintf("Use `crm resource clear %s` to remove this constraint", rsc))
		}
	case "clear", "unmove", "unmigrate", "unban":
		if !need(1, cmd+" RSC") {
			return
		}
		rsc := rest[0]
		var gone []string
		s.edit(func(c *cib.CIB) error {
			if c.Resource(rsc) == nil {
				return fmt.Errorf("no such resource: %s", rsc)
			}
			gone = c.Clear(rsc)
			return nil
		})
		if !s.failed && len(gone) > 0 {
			s.info("Removed migration constraints for " + rsc)
		}
	default:
		s.error(fmt.Sprintf("resource: unknown command %q", cmd))
	}
}

// eachTarget applies an edit to each resource named (tags expand to
// their resources), in one commit.
func (s *session) eachTarget(ids []string, f func(c *cib.CIB, rsc string) error) {
	s.edit(func(c *cib.CIB) error {
		for _, id := range ids {
			rscs, err := c.ResolveTargets(id)
			if err != nil {
				return err
			}
			for _, r := range rscs {
				if err := f(c, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// edit applies a resource- or node-level change to the live CIB at once
// (made again on a newer CIB when another change came in between). Like
// crm_resource, it refuses only problems the change itself brings.
func (s *session) edit(f func(c *cib.CIB) error) { s.commitEdit(f, false) }

// configureEdit is edit for configure commands: as crmsh's commit, the
// whole configuration must verify.
func (s *session) configureEdit(f func(c *cib.CIB) error) { s.commitEdit(f, true) }

func (s *session) commitEdit(f func(c *cib.CIB) error, whole bool) {
	for try := 0; ; try++ {
		base, err := s.b.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		next := base.Clone()
		if err := f(next); err != nil {
			s.error(err.Error())
			return
		}
		for _, n := range next.TakeNotes() {
			s.info(n)
		}
		if next.ConfigEqual(base) {
			return
		}
		ps := newProblems(base, next)
		if whole {
			ps = problems(next)
		}
		if len(ps) > 0 && !s.force {
			s.error(refusal(ps))
			return
		}
		for _, w := range newWarnings(base, next) {
			s.warn(w)
		}
		err = s.b.Commit(base, next)
		if errors.Is(err, cib.ErrConflict) && try < s.conflictRetries {
			continue
		}
		if err != nil {
			s.error("commit: " + err.Error())
		}
		return
	}
}

func (s *session) attrCommand(cmd, kind string, rest []string) {
	if len(rest) < 3 || (rest[1] == "set" && len(rest) < 4) {
		s.error(fmt.Sprintf("resource %s: usage: %s RSC set NAME VALUE | delete NAME | show NAME", cmd, cmd))
		return
	}
	rsc, verb, name := rest[0], rest[1], rest[2]
	switch verb {
	case "set":
		var id, set string
		s.edit(func(c *cib.CIB) (err error) {
			id, set, err = c.SetResourceAttr(rsc, kind, name, rest[3])
			return err
		})
		if !s.failed {
			fmt.Fprintf(s.out, "Set '%s' option: id=%s set=%s name=%s value=%s\n", rsc, id, set, name, rest[3])
		}
	case "delete":
		var id string
		s.edit(func(c *cib.CIB) (err error) {
			id, err = c.DeleteResourceAttr(rsc, kind, name)
			return err
		})
		if !s.failed {
			fmt.Fprintf(s.out, "Deleted '%s' option: id=%s name=%s\n", rsc, id, name)
		}
	case "show", "get":
		c, err := s.b.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		if c.Resource(rsc) == nil {
			s.error("no such resource: " + rsc)
			return
		}
		v, ok := c.ResourceAttr(rsc, kind, name)
		if !ok {
			s.error(fmt.Sprintf("%s has no %s %s", rsc, cmd, name))
			return
		}
		fmt.Fprintln(s.out, v)
	default:
		s.error(fmt.Sprintf("resource %s: %q is not set, delete or show", cmd, verb))
	}
}

// move: move RSC [NODE] [LIFETIME] [force]. Without a node, the resource
// moves off the node it runs on (a ban there).
func (s *session) move(rest []string) {
	rsc := rest[0]
	var node, lifetime string
	for _, a := range rest[1:] {
		switch {
		case a == "force":
		case strings.HasPrefix(a, "P") || strings.HasPrefix(a, "p"):
			lifetime = a
		case node == "":
			node = a
		default:
			s.error(fmt.Sprintf("resource move: unexpected %q (usage: move RSC [NODE] [LIFETIME] [force])", a))
			return
		}
	}
	var until time.Time
	if lifetime != "" {
		d, err := engine.ParseDuration(lifetime)
		if err != nil || d <= 0 {
			s.error(fmt.Sprintf("resource move: lifetime %q is not an ISO 8601 duration such as PT30M", lifetime))
			return
		}
		until = time.Now().Add(d)
	}
	if node == "" {
		c, err := s.b.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		cl, err := engine.Unpack(c, time.Now())
		if err != nil {
			s.error(err.Error())
			return
		}
		for _, r := range cl.Resources {
			if r.ID == rsc && len(r.ActiveOn()) == 1 {
				node = r.ActiveOn()[0]
			}
		}
		if node == "" {
			s.error(fmt.Sprintf("resource move: %s is not running on exactly one node; name the node to move it to", rsc))
			return
		}
		s.edit(func(c *cib.CIB) error { return c.Ban(rsc, node) })
		if !s.failed {
			s.info(fmt.Sprintf("Ban constraint created for %s to %s; use `crm resource clear %s` to remove it", rsc, node, rsc))
		}
		return
	}
	s.edit(func(c *cib.CIB) error {
		if !c.HasNode(node) {
			return fmt.Errorf("no such node: %s", node)
		}
		return c.Move(rsc, node, until)
	})
	if !s.failed {
		s.info(fmt.Sprintf("Move constraint created for %s to %s", rsc, node))
		s.info(fmt.Sprintf("Use `crm resource clear %s` to remove this constraint", rsc))
	}
}

func (s *session) warn(msg string) { fmt.Fprintf(s.errw, "WARNING: %s\n", msg) }

// cleaner is a backend that can make nodes forget a resource's history.
type cleaner interface {
	Cleanup(rsc, node string, all bool) error
}

// cleanup makes the cluster forget a resource's failures (refresh: all
// its history) on one node or all, as crm_resource --cleanup/--refresh
// does: the scheduler then probes it again and starts afresh.
func (s *session) cleanup(all bool, args []string) {
	cl, ok := s.b.(cleaner)
	if !ok {
		s.error("resource cleanup: this backend cannot clean up")
		return
	}
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	var ids []string
	node := ""
	if len(args) > 0 {
		ids = []string{args[0]}
		if len(args) > 1 {
			node = args[1]
			if !c.HasNode(node) {
				s.error("no such node: " + node)
				return
			}
		}
	} else {
		for _, p := range c.Section("resources", true).FindElements(".//primitive") {
			ids = append(ids, p.SelectAttrValue("id", ""))
		}
	}
	for _, id := range ids {
		rscs, err := c.ResolveTargets(id)
		if err != nil {
			s.error(err.Error())
			return
		}
		for _, r := range rscs {
			if err := cl.Cleanup(r, node, all); err != nil {
				s.error(err.Error())
				return
			}
			where := "all nodes"
			if node != "" {
				where = node
			}
			fmt.Fprintf(s.out, "Cleaned up %s on %s\n", r, where)
		}
	}
}
