package tools

import (
	"strings"

	"github.com/pacer-ha/pacer/cib"
)

// crm_node: the cluster's nodes as its membership sees them.
func crmNode(args []string, t *tool) int {
	var list, partition, quorum, name, clusterID, force, quiet, help bool
	var nameFor, remove string
	var verbose int
	p := newOptions(t.name)
	p.flag('l', &list, "list")
	p.flag('p', &partition, "partition")
	p.flag('q', &quorum, "quorum")
	p.flag('n', &name, "name")
	p.flag('i', &clusterID, "cluster-id")
	p.str('N', &nameFor, "name-for-id")
	p.str('R', &remove, "remove")
	p.flag('f', &force, "force")
	p.flag('Q', &quiet, "quiet")
	p.flag('h', &help, "help", "help-all")
	p.count('V', &verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if help {
		t.printf("Usage: crm_node -l | -p | -q | -n | -i | -N ID | -R NAME --force\nShow the cluster's nodes, this node's name and id, whether there is quorum; remove a node.\n")
		return exOK
	}
	if remove != "" {
		if !force {
			return t.finish(fail(exUsage, "removing a node is dangerous: give --force to remove %s", remove))
		}
		return t.finish(t.removeNode(remove))
	}
	view, err := t.membership()
	if err != nil {
		return t.finish(err)
	}
	switch {
	case list:
		for _, n := range view.nodes {
			state := "lost"
			if view.member[n.uname] {
				state = "member"
			}
			t.printf("%s %s %s\n", n.id, n.uname, state)
		}
	case partition:
		var b strings.Builder
		for _, n := range view.nodes {
			if view.member[n.uname] {
				b.WriteString(n.uname + " ")
			}
		}
		t.printf("%s\n", b.String())
	case quorum:
		if view.quorum {
			t.printf("1\n")
		} else {
			t.printf("0\n")
		}
	case nameFor != "":
		for _, n := range view.nodes {
			if n.id == nameFor {
				t.printf("%s\n", n.uname)
				return exOK
			}
		}
		return t.finish(fail(exNoHost, "Node is not known to cluster: no node has the id %s", nameFor))
	case clusterID:
		for _, n := range view.nodes {
			if n.uname == view.local {
				t.printf("%s\n", n.id)
				return exOK
			}
		}
		return t.finish(fail(exNoHost, "this node (%s) is not a node of the cluster", view.local))
	default: // -n, and no command at all
		t.printf("%s\n", view.local)
	}
	return exOK
}

type nodeEntry struct{ id, uname string }

type membershipView struct {
	nodes  []nodeEntry
	member map[string]bool
	quorum bool
	local  string
}

// membership asks the running cluster, or reads the CIB file's status
// offline (where Pacemaker's crm_node would need the cluster).
func (t *tool) membership() (*membershipView, error) {
	c, err := t.load()
	if err != nil {
		return nil, err
	}
	v := &membershipView{member: map[string]bool{}}
	known := map[string]bool{}
	for _, n := range c.Section("nodes", true).SelectElements("node") {
		if n.SelectAttrValue("type", "") == "remote" {
			continue
		}
		u := n.SelectAttrValue("uname", "")
		known[u] = true
		v.nodes = append(v.nodes, nodeEntry{n.SelectAttrValue("id", u), u})
	}
	if t.cluster != nil {
		m, err := t.cluster()
		if err != nil {
			return nil, fail(exDisconnect, "cannot reach the cluster: %v", err)
		}
		for _, u := range append(append([]string(nil), m.Nodes...), m.Members...) {
			if !known[u] {
				known[u] = true
				v.nodes = append(v.nodes, nodeEntry{u, u})
			}
		}
		for _, u := range m.Members {
			v.member[u] = true
		}
		v.quorum, v.local = m.Quorum, m.Local
		return v, nil
	}
	for _, ns := range c.Status().SelectElements("node_state") {
		u := ns.SelectAttrValue("uname", "")
		if cib.IsTrue(ns.SelectAttrValue("in_ccm", "")) && ns.SelectAttrValue("crmd", "") == "online" {
			v.member[u] = true
		}
	}
	v.quorum = cib.IsTrue(c.Attr("have-quorum"))
	v.local = t.localNode()
	return v, nil
}

// removeNode takes a node out of the configuration (and, offline, its
// status), as crm_node -R does once the node is gone.
func (t *tool) removeNode(name string) error {
	if t.cluster != nil {
		m, err := t.cluster()
		if err != nil {
			return fail(exDisconnect, "cannot reach the cluster: %v", err)
		}
		for _, u := range m.Members {
			if u == name {
				return fail(exError, "%s is a member of the cluster: stop its daemon (and take it out of ha.cf) before removing it", name)
			}
		}
	}
	return t.apply(func(c *cib.CIB) error {
		nodes := c.Section("nodes", true)
		for _, n := range nodes.SelectElements("node") {
			if n.SelectAttrValue("uname", "") == name {
				nodes.RemoveChild(n)
			}
		}
		if _, offline := t.offline(); offline {
			for _, ns := range c.Status().SelectElements("node_state") {
				if ns.SelectAttrValue("uname", "") == name {
					c.Status().RemoveChild(ns)
				}
			}
		}
		return nil
	})
}
