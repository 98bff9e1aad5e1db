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
