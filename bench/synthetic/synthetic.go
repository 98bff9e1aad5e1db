// Package synthetic generates the CIBs of the scheduler benchmark: a
// cluster of N nodes and M Dummy primitives in chains of four (each chain
// has a location preference for one node, and every link in it is an
// INFINITY colocation plus a mandatory order), either with no history at
// all (cold start: everything is probed and started) or with the history
// of a cluster where every resource already runs where it belongs (steady
// state: nothing to do). Pacemaker's crm_simulate reads the same files.
package synthetic

import (
	"bufio"
	"fmt"
	"io"
)

// Parameter digests Pacemaker records for a parameterless Dummy (one-shot
// operations and the 10 s monitor with a 20 s timeout). Without them
// Pacemaker would take every resource's definition as changed and restart
// it, and the steady state would not be steady for it.
const (
	digestOneShot = "f2317cad3d54cec5d7d7aa7d0bf35cf8"
	digestMonitor = "4811cef7f7f94e3a35a70be7916cb2fd"
)

func nodeName(i int) string { return fmt.Sprintf("node%02d", i+1) }

// home is the node chain c prefers: chains are spread round-robin.
func home(c, nodes int) int { return c % nodes }

// Write renders a CIB of nodes nodes and resources primitives; with
// steady, every resource already runs on its chain's node.
func Write(out io.Writer, nodes, resources int, steady bool) error {
	w := bufio.NewWriter(out)
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p(`<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="1">` + "\n")
	p("  <configuration>\n    <crm_config>\n      <cluster_property_set id=\"cib-bootstrap-options\">\n")
	p("        <nvpair id=\"opt-stonith\" name=\"stonith-enabled\" value=\"false\"/>\n")
	p("      </cluster_property_set>\n    </crm_config>\n    <nodes>\n")
	for i := 0; i < nodes; i++ {
		p("      <node id=\"%d\" uname=\"%s\"/>\n", i+1, nodeName(i))
	}
	p("    </nodes>\n    <resources>\n")
	for r := 0; r < resources; r++ {
		p("      <primitive id=\"r%d\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n", r)
		p("        <operations><op id=\"r%d-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations>\n", r)
		p("      </primitive>\n")
	}
	p("    </resources>\n    <constraints>\n")
	for r := 0; r < resources; r++ {
		c := r / 4
		if r%4 == 0 {
			p("      <rsc_location id=\"loc-r%d\" rsc=\"r%d\" node=\"%s\" score=\"100\"/>\n", r, r, nodeName(home(c, nodes)))
			continue
		}
		p("      <rsc_colocation id=\"col-r%d\" rsc=\"r%d\" with-rsc=\"r%d\" score=\"INFINITY\"/>\n", r, r, r-1)
		p("      <rsc_order id=\"ord-r%d\" first=\"r%d\" then=\"r%d\" kind=\"Mandatory\"/>\n", r, r-1, r)
	}
	p("    </constraints>\n  </configuration>\n  <status>\n")
	for i := 0; i < nodes; i++ {
		p("    <node_state id=\"%d\" uname=\"%s\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">\n", i+1, nodeName(i))
		if steady {
			p("      <lrm id=\"%d\">\n        <lrm_resources>\n", i+1)
			for r := 0; r < resources; r++ {
				running := home(r/4, nodes) == i
				p("          <lrm_resource id=\"r%d\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n", r)
				if running {
					p("            <lrm_rsc_op crm_feature_set=\"3.16.1\" id=\"r%d_last_0\" operation_key=\"r%d_start_0\" operation=\"start\" transition-key=\"1:1:0:x\" transition-magic=\"0:0;1:1:0:x\" call-id=\"%d\" rc-code=\"0\" op-status=\"0\" interval=\"0\" on_node=\"%s\" op-digest=\"%s\"/>\n", r, r, 2*r+1, nodeName(i), digestOneShot)
					p("            <lrm_rsc_op crm_feature_set=\"3.16.1\" id=\"r%d_monitor_10000\" operation_key=\"r%d_monitor_10000\" operation=\"monitor\" transition-key=\"2:1:0:x\" transition-magic=\"0:0;2:1:0:x\" call-id=\"%d\" rc-code=\"0\" op-status=\"0\" interval=\"10000\" on_node=\"%s\" op-digest=\"%s\"/>\n", r, r, 2*r+2, nodeName(i), digestMonitor)
				} else {
					p("            <lrm_rsc_op crm_feature_set=\"3.16.1\" id=\"r%d_last_0\" operation_key=\"r%d_monitor_0\" operation=\"monitor\" transition-key=\"3:1:7:x\" transition-magic=\"0:7;3:1:7:x\" call-id=\"%d\" rc-code=\"7\" op-status=\"0\" interval=\"0\" on_node=\"%s\" op-digest=\"%s\"/>\n", r, r, 2*r+1, nodeName(i), digestOneShot)
				}
				p("          </lrm_resource>\n")
			}
			p("        </lrm_resources>\n      </lrm>\n")
		}
		p("    </node_state>\n")
	}
	p("  </status>\n</cib>\n")
	return w.Flush()
}
