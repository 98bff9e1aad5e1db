package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// FuzzScheduleCluster schedules random valid clusters: the fuzzer's bytes
// choose the nodes and their states, the resources (primitives, groups,
// clones, promotable clones), constraints and every node's operation
// history. Whatever the cluster, the plan must hold together: no panic,
// no error, a resource outside clones placed and started on one node at
// most, every action that runs somewhere running on a node that is up
// (fencing aside), and ordering that refers to actions of the plan.
//
//	go test ./engine -run X -fuzz FuzzScheduleCluster -fuzztime 10m
func FuzzScheduleCluster(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x02\x00\x00\x03\x01\x02\x03\x04\x05\x06\x07\x08\x09",
		"\x04\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15",
		strings.Repeat("\x07\x03\x05\x01", 40),
		strings.Repeat("\xff\x80\x41\x13\x02", 60),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		xml := generateCluster(data)
		c, err := cib.Parse([]byte(xml))
		if err != nil {
			t.Fatalf("generated CIB does not parse: %v\n%s", err, xml)
		}
		now := time.Unix(1700000600, 0)
		plan, err := Schedule(Input{CIB: c, Now: now})
		if err != nil {
			t.Fatalf("schedule: %v\n%s", err, xml)
		}
		cl, err := Unpack(c, now)
		if err != nil {
			t.Fatalf("unpack: %v", err)
		}
		checkPlan(t, cl, plan, xml)
	})
}

// checkPlan asserts what every plan must hold.
func checkPlan(t *testing.T, cl *Cluster, plan *Plan, xml string) {
	t.Helper()
	cloned := map[string]bool{}
	for _, r := range cl.Resources {
		cloned[r.ID] = r.Clone != nil
	}
	up := map[string]bool{}
	for _, n := range cl.Nodes {
		up[n.Uname] = n.Online && !n.Unclean
	}
	placed := map[string]string{}
	for _, p := range plan.Placements {
		if p.Node == "" || cloned[p.Resource] || strings.Contains(p.Resource, ":") {
			continue
		}
		if other, dup := placed[p.Resource]; dup && other != p.Node {
			t.Fatalf("%s placed on %s and %s\n%s", p.Resource, other, p.Node, xml)
		}
		placed[p.Resource] = p.Node
	}
	starts := map[string]string{}
	for i, a := range plan.Actions {
		if a.ID != i+1 {
			t.Fatalf("action %d has id %d", i+1, a.ID)
		}
		for _, b := range a.After {
			if b < 1 || b > len(plan.Actions) || b == a.ID {
				t.Fatalf("action %d (%s %s on %s) waits for %d, not another action of the plan", a.ID, a.Task, a.Resource, a.Node, b)
			}
		}
		if a.Pseudo || a.Task == "fence" {
			continue
		}
		if !up[a.Node] {
			t.Fatalf("%s %s planned on %s, which is not up\n%s", a.Task, a.Resource, a.Node, xml)
		}
		if a.Task == "start" && !cloned[a.Resource] && a.Instance == "" {
			if n, dup := starts[a.Resource]; dup && n != a.Node {
				t.Fatalf("%s started on %s and %s\n%s", a.Resource, n, a.Node, xml)
			}
			starts[a.Resource] = a.Node
		}
	}
}

// choices reads the fuzzer's bytes as a series of small decisions; when
// they run out every decision is the first choice.
type choices struct {
	data []byte
	pos  int
}

func (c *choices) pick(n int) int {
	if n <= 1 || c.pos >= len(c.data) {
		return 0
	}
	b := int(c.data[c.pos])
	c.pos++
	return b % n
}

func (c *choices) of(options ...string) string { return options[c.pick(len(options))] }

// generateCluster writes a valid CIB from the fuzzer's choices.
func generateCluster(data []byte) string {
	ch := &choices{data: data}
	var b strings.Builder
	nodes := 1 + ch.pick(5)
	fmt.Fprintf(&b, `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="%s" dc-uuid="n1">`+"\n", ch.of("1", "1", "0"))
	b.WriteString("<configuration>\n<crm_config><cluster_property_set id=\"cib-bootstrap-options\">\n")
	fmt.Fprintf(&b, `<nvpair id="o1" name="stonith-enabled" value="%s"/>`+"\n", ch.of("false", "true"))
	fmt.Fprintf(&b, `<nvpair id="o2" name="no-quorum-policy" value="%s"/>`+"\n", ch.of("stop", "ignore", "freeze", "demote"))
	fmt.Fprintf(&b, `<nvpair id="o3" name="symmetric-cluster" value="%s"/>`+"\n", ch.of("true", "true", "false"))
	b.WriteString("</cluster_property_set></crm_config>\n<nodes>\n")
	names := make([]string, nodes)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i+1)
		attrs := ""
		switch ch.pick(5) {
		case 1:
			attrs = fmt.Sprintf(`<instance_attributes id="%s-ia"><nvpair id="%s-sb" name="standby" value="on"/></instance_attributes>`, names[i], names[i])
		case 2:
			attrs = fmt.Sprintf(`<instance_attributes id="%s-ia"><nvpair id="%s-mt" name="maintenance" value="on"/></instance_attributes>`, names[i], names[i])
		case 3:
			attrs = fmt.Sprintf(`<instance_attributes id="%s-ia"><nvpair id="%s-pg" name="pingd" value="%d"/></instance_attributes>`, names[i], names[i], ch.pick(3)*100)
		}
		fmt.Fprintf(&b, `<node id="%s" uname="%s">%s</node>`+"\n", names[i], names[i], attrs)
	}
	b.WriteString("</nodes>\n<resources>\n")

	// Primitives are what the history and the constraints refer to;
	// tops are the resources constraints may name.
	type prim struct{ id, typ, clone string }
	var prims []prim
	var tops []string
	primitive := func(id, typ string) string {
		meta := ""
		switch ch.pick(6) {
		case 1:
			meta = fmt.Sprintf(`<meta_attributes id="%s-meta"><nvpair id="%s-tr" name="target-role" value="%s"/></meta_attributes>`, id, id, ch.of("Stopped", "Started", "Unpromoted", "Promoted"))
		case 2:
			meta = fmt.Sprintf(`<meta_attributes id="%s-meta"><nvpair id="%s-mt" name="migration-threshold" value="%d"/><nvpair id="%s-st" name="resource-stickiness" value="%d"/></meta_attributes>`, id, id, 1+ch.pick(3), id, ch.pick(3)*50)
		case 3:
			meta = fmt.Sprintf(`<meta_attributes id="%s-meta"><nvpair id="%s-im" name="is-managed" value="false"/></meta_attributes>`, id, id)
		}
		return fmt.Sprintf(`<primitive id="%s" class="ocf" provider="pacemaker" type="%s">%s<operations><op id="%s-mon" name="monitor" interval="10s"/></operations></primitive>`, id, typ, meta, id)
	}
	for i := 0; i < 1+ch.pick(8); i++ {
		id := fmt.Sprintf("r%d", i+1)
		switch ch.pick(5) {
		case 0, 1:
			b.WriteString(primitive(id, "Dummy") + "\n")
			prims = append(prims, prim{id, "Dummy", ""})
		case 2:
			fmt.Fprintf(&b, `<group id="%s">`, id)
			for j := 0; j < 1+ch.pick(3); j++ {
				m := fmt.Sprintf("%s-m%d", id, j+1)
				b.WriteString(primitive(m, "Dummy"))
				prims = append(prims, prim{m, "Dummy", ""})
			}
			b.WriteString("</group>\n")
		case 3:
			m := id + "-p"
			fmt.Fprintf(&b, `<clone id="%s"><meta_attributes id="%s-cm"><nvpair id="%s-cm1" name="interleave" value="%s"/><nvpair id="%s-cm2" name="clone-max" value="%d"/></meta_attributes>%s</clone>`+"\n",
				id, id, id, ch.of("false", "true"), id, 1+ch.pick(nodes+1), primitive(m, "Dummy"))
			prims = append(prims, prim{m, "Dummy", id})
		case 4:
			m := id + "-p"
			fmt.Fprintf(&b, `<clone id="%s"><meta_attributes id="%s-cm"><nvpair id="%s-cm1" name="promotable" value="true"/><nvpair id="%s-cm2" name="promoted-max" value="%d"/></meta_attributes>%s</clone>`+"\n",
				id, id, id, id, 1+ch.pick(2), primitive(m, "Stateful"))
			prims = append(prims, prim{m, "Stateful", id})
		}
		tops = append(tops, id)
	}
	b.WriteString("</resources>\n<constraints>\n")
	scores := []string{"-INFINITY", "-100", "0", "50", "200", "INFINITY"}
	for i := 0; i < ch.pick(7); i++ {
		rsc := tops[ch.pick(len(tops))]
		other := tops[ch.pick(len(tops))]
		switch ch.pick(4) {
		case 0:
			fmt.Fprintf(&b, `<rsc_location id="l%d" rsc="%s" node="%s" score="%s"/>`+"\n", i, rsc, names[ch.pick(nodes)], scores[ch.pick(len(scores))])
		case 1:
			fmt.Fprintf(&b, `<rsc_location id="l%d" rsc="%s"><rule id="l%d-r" score="-INFINITY" boolean-op="or"><expression id="l%d-e1" attribute="pingd" operation="not_defined"/><expression id="l%d-e2" attribute="pingd" operation="lte" value="0"/></rule></rsc_location>`+"\n", i, rsc, i, i, i)
		case 2:
			if rsc != other {
				role := ch.of("", ` with-rsc-role="Promoted"`, ` rsc-role="Unpromoted"`)
				fmt.Fprintf(&b, `<rsc_colocation id="c%d" rsc="%s" with-rsc="%s" score="%s"%s/>`+"\n", i, rsc, other, scores[ch.pick(len(scores))], role)
			}
		case 3:
			if rsc != other {
				fmt.Fprintf(&b, `<rsc_order id="o%d" first="%s" then="%s" kind="%s"%s/>`+"\n", i, rsc, other, ch.of("Mandatory", "Optional", "Serialize"), ch.of("", ` first-action="promote"`, ` symmetrical="false"`))
			}
		}
	}
	b.WriteString("</constraints>\n</configuration>\n<status>\n")
	call := 10
	for _, n := range names {
		state := ch.pick(5)
		switch state {
		case 0, 1, 2: // up
			fmt.Fprintf(&b, `<node_state id="%s" uname="%s" in_ccm="true" crmd="online" join="member" expected="member">`, n, n)
		case 3: // shut down cleanly
			fmt.Fprintf(&b, `<node_state id="%s" uname="%s" in_ccm="false" crmd="offline" join="down" expected="down">`, n, n)
		case 4: // lost
			fmt.Fprintf(&b, `<node_state id="%s" uname="%s" in_ccm="false" crmd="offline" join="member" expected="member">`, n, n)
		}
		b.WriteString("<lrm><lrm_resources>")
		for _, p := range prims {
			op, rc := "", 0
			switch ch.pick(8) {
			case 0, 1, 2:
				continue // never ran here
			case 3:
				op, rc = "monitor", 7 // probed: not running
			case 4:
				op, rc = "start", 0
			case 5:
				op, rc = ch.of("start", "stop", "monitor"), 1
			case 6:
				op, rc = "promote", 0
				if p.typ != "Stateful" {
					op = "start"
				}
			case 7:
				op, rc = "monitor", []int{0, 8}[ch.pick(2)] // running, or promoted
			}
			if state == 3 {
				op, rc = "stop", 0 // a clean shutdown stopped everything
			}
			interval := "0"
			if op == "monitor" && rc != 7 && ch.pick(2) == 1 {
				interval = "10000"
			}
			call++
			fmt.Fprintf(&b, `<lrm_resource id="%s" class="ocf" provider="pacemaker" type="%s"><lrm_rsc_op id="%s_last_0" operation_key="%s_%s_%s" operation="%s" crm-debug-origin="fuzz" crm_feature_set="3.16.1" transition-key="1:1:0:x" transition-magic="0:%d;1:1:0:x" call-id="%d" rc-code="%d" op-status="0" interval="%s" last-rc-change="1700000000" exec-time="1" queue-time="0"/></lrm_resource>`,
				p.id, p.typ, p.id, p.id, op, interval, op, rc, call, rc, interval)
		}
		b.WriteString("</lrm_resources></lrm></node_state>\n")
	}
	b.WriteString("</status>\n</cib>\n")
	return b.String()
}
