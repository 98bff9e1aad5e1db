package shell

import (
	"fmt"

	"github.com/pacer-ha/pacer/cib"
)

// nodeCommand runs a command of the node level: permanent node
// attributes, as crm_attribute and crm_standby write them.
func (s *session) nodeCommand(args []string) {
	if len(args) > 0 {
		switch args[0] {
		case "list", "status":
			s.nodeTable()
			return
		case "show":
			s.nodeShow(args[1:])
			return
		case "status-attr":
			s.statusAttr(args[1:])
			return
		case "delete":
			if len(args) == 2 {
				s.deleteNode(args[1])
				return
			}
		case "fence":
			if len(args) == 2 {
				s.fenceNode(args[1])
				return
			}
			s.error("node fence: usage: node fence NODE")
			return
		}
	}
	if len(args) < 2 {
		s.error("node: usage: node standby|online|maintenance|ready NODE, node attribute|utilization NODE set|delete|show NAME [VALUE]")
		return
	}
	cmd, node := args[0], args[1]
	set := func(kind string, setID func(c *cib.CIB) string, name, value string) {
		s.edit(func(c *cib.CIB) error {
			if c.Node(node) == nil {
				return fmt.Errorf("no such node: %s", node)
			}
			_, err := c.SetNodeAttr(node, kind, setID(c), name, value)
			return err
		})
	}
	switch cmd {
	case "standby", "online":
		val := map[string]string{"standby": "on", "online": "off"}[cmd]
		set(cib.Params, func(c *cib.CIB) string {
			return "num-" + c.Node(node).SelectAttrValue("id", "") + "-instance_attributes"
		}, "standby", val)
		if !s.failed {
			s.info(fmt.Sprintf("%s node %s", cmd, node))
		}
	case "maintenance", "ready":
		val := map[string]string{"maintenance": "true", "ready": "off"}[cmd]
		set(cib.Params, func(c *cib.CIB) string { return "nodes-" + c.Node(node).SelectAttrValue("id", "") }, "maintenance", val)
	case "attribute", "utilization":
		kind := map[string]string{"attribute": cib.Params, "utilization": cib.Utilization}[cmd]
		suffix := map[string]string{"attribute": "", "utilization": "-utilization"}[cmd]
		if len(args) < 4 || (args[2] == "set" && len(args) < 5) {
			s.error(fmt.Sprintf("node %s: usage: %s NODE set NAME VALUE | delete NAME | show NAME", cmd, cmd))
			return
		}
		verb, name := args[2], args[3]
		switch verb {
		case "set":
			set(kind, func(c *cib.CIB) string { return "nodes-" + c.Node(node).SelectAttrValue("id", "") + suffix }, name, args[4])
		case "delete":
			var id string
			s.edit(func(c *cib.CIB) (err error) {
				id, err = c.DeleteNodeAttr(node, kind, name)
				return err
			})
			if !s.failed {
				fmt.Fprintf(s.out, "Deleted nodes attribute: id=%s name=%s\n", id, name)
			}
		case "show", "get":
			c, err := s.b.Load()
			if err != nil {
				s.error(err.Error())
				return
			}
			v, ok := c.NodeAttr(node, kind, name)
			if !ok {
				s.error(fmt.Sprintf("node %s has no %s %s", node, cmd, name))
				return
			}
			fmt.Fprintf(s.out, "scope=nodes  name=%s value=%s\n", name, v)
		default:
			s.error(fmt.Sprintf("node %s: %q is not set, delete or show", cmd, verb))
		}
	default:
		s.error(fmt.Sprintf("node: unknown command %q", cmd))
	}
}

// statusAttr reads and writes a node's transient attributes (they last
// until the node restarts), as crm_attribute --lifetime reboot does.
func (s *session) statusAttr(args []string) {
	if len(args) < 3 || (args[1] == "set" && len(args) < 4) {
		s.error("node status-attr: usage: status-attr NODE set NAME VALUE | delete NAME | show NAME")
		return
	}
	node, verb, name := args[0], args[1], args[2]
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	if !c.HasNode(node) {
		s.error("no such node: " + node)
		return
	}
	switch verb {
	case "show", "get":
		for _, ns := range c.Status().SelectElements("node_state") {
			if ns.SelectAttrValue("uname", "") != node {
				continue
			}
			for _, nv := range ns.FindElements("./transient_attributes/instance_attributes/nvpair") {
				if nv.SelectAttrValue("name", "") == name {
					fmt.Fprintf(s.out, "scope=status  name=%s value=%s\n", name, nv.SelectAttrValue("value", ""))
					return
				}
			}
		}
		s.error(fmt.Sprintf("node %s has no status attribute %s", node, name))
	case "set", "delete":
		w, ok := s.b.(interface {
			StatusAttr(node, name, value string, del bool) error
		})
		if !ok {
			s.error("node status-attr: this backend cannot set status attributes")
			return
		}
		value := ""
		if verb == "set" {
			value = args[3]
		}
		if err := w.StatusAttr(node, name, value, verb == "delete"); err != nil {
			s.error(err.Error())
		}
	default:
		s.error(fmt.Sprintf("node status-attr: %q is not set, delete or show", verb))
	}
}

// deleteNode removes a node from the configuration, as crmsh's node
// delete does, refusing while the node is a member of the cluster.
func (s *session) deleteNode(node string) {
	if _, offline := s.b.(FileBackend); offline {
		// Only the cluster can tell that a node is gone for good.
		s.error("node delete needs the running cluster (to know that " + node + " has left it); on a CIB file, edit the nodes section with configure")
		return
	}
	s.edit(func(c *cib.CIB) error {
		e := c.Node(node)
		if e == nil {
			return fmt.Errorf("no such node: %s", node)
		}
		for _, ns := range c.Status().SelectElements("node_state") {
			if ns.SelectAttrValue("uname", "") == node && cib.IsTrue(ns.SelectAttrValue("in_ccm", "")) && ns.SelectAttrValue("crmd", "") == "online" {
				return fmt.Errorf("node %s is a member of the cluster: stop its daemon (and take it out of ha.cf) before deleting it", node)
			}
		}
		e.Parent().RemoveChild(e)
		return nil
	})
	if !s.failed {
		s.info("node " + node + " deleted")
	}
}

// fenceNode fences a node: on the running cluster the DC runs the fence
// devices at once; on a CIB file, as crmsh does, the node's terminate
// attribute asks the scheduler for it. It asks first, unless forced.
func (s *session) fenceNode(node string) {
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	if !c.HasNode(node) {
		s.error("node fence: no such node: " + node)
		return
	}
	if !s.force {
		if s.ask == nil {
			s.error(fmt.Sprintf("node fence: fencing %s shuts it down and moves its resources; not asked in a script: run crm -F node fence %s", node, node))
			return
		}
		if a := s.ask(fmt.Sprintf("Fencing %s shuts it down and moves its resources elsewhere. Fence it? (y/n): ", node)); a != "y" && a != "yes" {
			s.error("node fence: not fenced")
			return
		}
	}
	if f, ok := s.b.(interface {
		Fence(node, action string) error
	}); ok {
		if err := f.Fence(node, ""); err != nil {
			s.error(err.Error())
			return
		}
		s.info(fmt.Sprintf("fencing %s; see stonith_admin --history %s", node, node))
		return
	}
	w, ok := s.b.(interface {
		StatusAttr(node, name, value string, del bool) error
	})
	if !ok {
		s.error("node fence: this backend cannot fence")
		return
	}
	if err := w.StatusAttr(node, "terminate", "true", false); err != nil {
		s.error(err.Error())
	}
}
