package shell

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// cluster reads the cluster as the scheduler sees it now.
func (s *session) cluster() (*engine.Cluster, *cib.CIB, bool) {
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return nil, nil, false
	}
	cl, err := engine.Unpack(c, time.Now())
	if err != nil {
		s.error(err.Error())
		return nil, nil, false
	}
	return cl, c, true
}

// resourcesNamed finds the primitives an id stands for: itself, or the
// members of a group, clone or bundle of that id.
func resourcesNamed(cl *engine.Cluster, id string) []*engine.Resource {
	var out []*engine.Resource
	for _, r := range cl.Resources {
		if r.ID == id || r.Group == id || (r.Clone != nil && r.Clone.ID == id) || (r.Unique != nil && r.Unique.ID == id) || r.Bundle == id {
			out = append(out, r)
		}
	}
	return out
}

// locate prints where resources run, as crm_resource --locate does.
func (s *session) locate(ids []string) {
	cl, _, ok := s.cluster()
	if !ok {
		return
	}
	if len(ids) == 0 {
		for _, r := range cl.Resources {
			if !r.Implicit {
				ids = append(ids, r.ID)
			}
		}
	}
	for _, id := range ids {
		rs := resourcesNamed(cl, id)
		if len(rs) == 0 {
			s.error("no such resource: " + id)
			continue
		}
		var on []string
		for _, r := range rs {
			on = append(on, r.ActiveOn()...)
		}
		sort.Strings(on)
		if len(on) == 0 {
			fmt.Fprintf(s.out, "resource %s is NOT running\n", id)
			continue
		}
		fmt.Fprintf(s.out, "resource %s is running on: %s\n", id, strings.Join(slices.Compact(on), " "))
	}
}

// resourceTable lists the resources: agent, state and nodes.
func (s *session) resourceTable() {
	cl, _, ok := s.cluster()
	if !ok {
		return
	}
	t := tablewriter.NewTable(s.out)
	t.Header("Resource", "Agent", "In", "State", "Nodes")
	for _, r := range cl.Resources {
		if r.Implicit {
			continue
		}
		in := r.Group
		switch {
		case r.Clone != nil:
			in = r.Clone.ID
		case r.Unique != nil:
			in = r.Unique.ID
		case r.Bundle != "":
			in = r.Bundle
		}
		state := "Stopped"
		on := r.ActiveOn()
		for _, n := range on {
			st := r.State[n]
			switch {
			case st.Failed:
				state = "FAILED"
			case st.Promoted && state != "FAILED":
				state = "Promoted"
			case state == "Stopped":
				state = "Started"
			}
		}
		if r.Disabled() {
			state += " (disabled)"
		}
		if !r.Managed {
			state += " (unmanaged)"
		}
		t.Append(r.ID, r.Agent(), in, state, strings.Join(on, " "))
	}
	t.Render()
}

// failcounts shows a resource's fail counts per node (crmsh: resource
// failcount RSC show NODE).
func (s *session) failcounts(args []string) {
	if len(args) < 2 || (args[1] != "show" && args[1] != "get") {
		s.error("resource failcount: usage: failcount RSC show [NODE] (setting and deleting fail counts is cleanup's job)")
		return
	}
	cl, c, ok := s.cluster()
	if !ok {
		return
	}
	if len(resourcesNamed(cl, args[0])) == 0 {
		s.error("no such resource: " + args[0])
		return
	}
	want := ""
	if len(args) > 2 {
		want = args[2]
		if !c.HasNode(want) {
			s.error("no such node: " + want)
			return
		}
	}
	t := tablewriter.NewTable(s.out)
	t.Header("Resource", "Node", "Operation", "Fail count", "Last failure")
	for _, n := range cl.Nodes {
		if want != "" && n.Uname != want {
			continue
		}
		var keys []string
		for k := range n.Attrs {
			if strings.HasPrefix(k, "fail-count-"+args[0]+"#") || k == "fail-count-"+args[0] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if len(keys) == 0 && want != "" {
			t.Append(args[0], n.Uname, "", "0", "")
		}
		for _, k := range keys {
			op := strings.TrimPrefix(strings.TrimPrefix(k, "fail-count-"+args[0]), "#")
			last := ""
			if v, err := strconv.ParseInt(n.Attrs["last-failure-"+args[0]+"#"+op], 10, 64); err == nil {
				last = time.Unix(v, 0).Format("2006-01-02 15:04:05")
			}
			t.Append(args[0], n.Uname, op, n.Attrs[k], last)
		}
	}
	t.Render()
}

// restart stops resources and, once the cluster has stopped them, starts
// them again, as crmsh does. Without a cluster to wait on (a CIB file) it
// stops them and fails, as crmsh's restart does there.
func (s *session) restart(ids []string) {
	s.info("ordering " + strings.Join(ids, ", ") + " to stop")
	s.eachTarget(ids, func(c *cib.CIB, rsc string) error {
		_, _, err := c.SetResourceAttrFirst(rsc, cib.Meta, "target-role", "Stopped")
		return err
	})
	if s.failed {
		return
	}
	if _, offline := s.b.(FileBackend); offline {
		s.error("cannot wait for the resources to stop: no cluster (working on a CIB file); start them with 'crm resource start' when they have")
		return
	}
	deadline := time.Now().Add(restartWait)
	for {
		cl, _, ok := s.cluster()
		if !ok {
			return
		}
		running := false
		for _, id := range ids {
			for _, r := range resourcesNamed(cl, id) {
				running = running || len(r.ActiveOn()) > 0
			}
		}
		if !running {
			break
		}
		if time.Now().After(deadline) {
			s.error(fmt.Sprintf("%s did not stop within %s; left stopped (target-role=Stopped): start it when it has", strings.Join(ids, ", "), restartWait))
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	s.info("ordering " + strings.Join(ids, ", ") + " to start")
	s.eachTarget(ids, func(c *cib.CIB, rsc string) error {
		_, _, err := c.SetResourceAttrFirst(rsc, cib.Meta, "target-role", "Started")
		return err
	})
}

// restartWait bounds how long restart waits for the stop.
var restartWait = 2 * time.Minute

// nodeTable lists the nodes with their state and attributes.
func (s *session) nodeTable() {
	cl, _, ok := s.cluster()
	if !ok {
		return
	}
	t := tablewriter.NewTable(s.out)
	t.Header("Node", "ID", "State", "Standby", "Maintenance", "Resources")
	for _, n := range cl.Nodes {
		state := "offline"
		switch {
		case n.Unclean:
			state = "UNCLEAN"
		case n.Pending:
			state = "pending"
		case n.Online:
			state = "online"
		}
		if n.Remote {
			state = "remote " + state
		}
		count := 0
		for _, r := range cl.Resources {
			if st := r.State[n.Uname]; st != nil && st.Active {
				count++
			}
		}
		t.Append(n.Uname, n.ID, state, onOff(n.Standby), onOff(n.Maintenance), strconv.Itoa(count))
	}
	t.Render()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// nodeShow prints a node as crmsh does: name(id): state, then its
// attributes.
func (s *session) nodeShow(names []string) {
	cl, _, ok := s.cluster()
	if !ok {
		return
	}
	for _, n := range cl.Nodes {
		if len(names) > 0 && !slices.Contains(names, n.Uname) {
			continue
		}
		state := "member"
		if !n.Online {
			state = "offline"
		}
		fmt.Fprintf(s.out, "%s(%s): %s\n", n.Uname, n.ID, state)
		var keys []string
		for k := range n.Attrs {
			if !strings.HasPrefix(k, "fail-count-") && !strings.HasPrefix(k, "last-failure-") && !strings.HasPrefix(k, "#") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(s.out, "\t%s=%s\n", k, n.Attrs[k])
		}
	}
}
