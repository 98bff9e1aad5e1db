package cib

import (
	"strings"
	"testing"
	"time"
)

func op(rsc, task string, interval time.Duration, rc, expected int) OpRecord {
	return OpRecord{Resource: rsc, Class: "ocf", Provider: "pacer", Type: "Dummy", Operation: task, Interval: interval,
		RC: rc, ExpectedRC: expected, LastChange: time.Unix(1700000000, 0)}
}

func TestNodeHistoryFollowsPacemakerRules(t *testing.T) {
	h := NewNodeHistory("1", "n1")
	h.Record(op("d1", "monitor", 0, 7, 7)) // probe: not running
	h.Record(op("d1", "start", 0, 0, 0))
	h.Record(op("d1", "monitor", 10*time.Second, 0, 0))
	h.Record(op("d1", "monitor", 10*time.Second, 7, 0)) // the monitor fails
	lrm := elementString(h.LRM())
	for _, want := range []string{
		`<lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start"`,
		`id="d1_monitor_10000" operation_key="d1_monitor_10000" operation="monitor"`,
		`transition-magic="0:7;0:0:0:pacer"`,
		`id="d1_last_failure_0" operation_key="d1_monitor_10000"`,
		`call-id="4"`,
		`on_node="n1"`,
	} {
		if !strings.Contains(lrm, want) {
			t.Errorf("lrm lacks %s:\n%s", want, lrm)
		}
	}
	if h.Attrs["fail-count-d1#monitor_10000"] != "1" || h.Attrs["last-failure-d1#monitor_10000"] != "1700000000" {
		t.Errorf("attrs %v", h.Attrs)
	}
	if !strings.Contains(elementString(h.Transient()), `name="fail-count-d1#monitor_10000" value="1"`) {
		t.Errorf("transient: %s", elementString(h.Transient()))
	}
	// A successful stop cancels recurring monitors.
	h.Record(op("d1", "stop", 0, 0, 0))
	if strings.Contains(elementString(h.LRM()), `id="d1_monitor_10000"`) {
		t.Error("recurring monitor kept after stop")
	}
	h.Forget("d1")
	if len(h.Resources()) != 0 || len(h.Attrs) != 0 {
		t.Errorf("forget left %v %v", h.Resources(), h.Attrs)
	}
}

func TestOpRecordRoundTrip(t *testing.T) {
	h := NewNodeHistory("n1", "n1")
	want := h.Record(OpRecord{Resource: "vip", Class: "ocf", Provider: "heartbeat", Type: "IPaddr2", Operation: "start",
		RC: 1, ExpectedRC: 0, OpStatus: ExecDone, ExitReason: "no such device", LastChange: time.Unix(5, 0),
		ExecTime: 30 * time.Millisecond})
	lrm := h.LRM()
	rsc := lrm.FindElement("lrm_resources/lrm_resource")
	got := ParseOpRecord(rsc, rsc.SelectElement("lrm_rsc_op"))
	if got != want {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
	if !got.Failed() {
		t.Error("a start returning 1 is a failure")
	}
	for _, tc := range []struct {
		r    OpRecord
		fail bool
	}{
		{op("a", "monitor", 0, 7, 7), false},
		{op("a", "monitor", 0, 0, 7), false}, // a probe finding it running
		{op("a", "monitor", 0, 1, 7), true},
		{op("a", "monitor", time.Second, 7, 0), true},
		{OpRecord{Operation: "start", OpStatus: ExecPending}, false},
		{OpRecord{Operation: "start", OpStatus: ExecTimeout}, true},
	} {
		if tc.r.Failed() != tc.fail {
			t.Errorf("%+v: Failed %v", tc.r, !tc.fail)
		}
	}
}

func TestNodeStateElements(t *testing.T) {
	c := New()
	h := NewNodeHistory("n2", "n2")
	h.Record(op("d1", "start", 0, 0, 0))
	c.SetNodeState(NodeState{ID: "n2", Uname: "n2", InCCM: true, Online: true, Expected: true}, h)
	ns := c.NodeStateOf("n2")
	if ns == nil || ns.SelectAttrValue("crmd", "") != "online" || ns.SelectAttrValue("join", "") != "member" || ns.FindElement("lrm/lrm_resources/lrm_resource") == nil {
		t.Fatalf("node_state: %s", c.Bytes())
	}
	// Keeping the children while the node is away.
	c.SetNodeStateChildren(NodeState{ID: "n2", Uname: "n2", Expected: true}, true, nil)
	ns = c.NodeStateOf("n2")
	if ns.SelectAttrValue("in_ccm", "") != "false" || ns.SelectAttrValue("expected", "") != "member" || ns.FindElement("lrm") == nil {
		t.Fatalf("away: %s", c.Bytes())
	}
	c.ClearNodeHistory("n2")
	if len(c.NodeStateOf("n2").ChildElements()) != 0 {
		t.Fatal("history not cleared")
	}
}

func TestNodeHistoryCleanup(t *testing.T) {
	h := NewNodeHistory("1", "node1")
	h.Record(OpRecord{Resource: "ok", Operation: "start", RC: 0})
	h.Record(OpRecord{Resource: "bad", Operation: "start", RC: 0})
	h.Record(OpRecord{Resource: "bad", Operation: "monitor", Interval: 10 * time.Second, RC: 7})
	h.Record(OpRecord{Resource: "cl:0", Operation: "start", RC: 1})
	if got := h.Cleanup("ok", true); len(got) != 0 {
		t.Errorf("cleanup of a resource without failures forgot %v", got)
	}
	if got := h.Cleanup("bad", true); len(got) != 1 || got[0] != "bad" {
		t.Errorf("cleanup bad: %v", got)
	}
	if _, ok := h.Last("bad"); ok {
		t.Error("bad's history survived its cleanup")
	}
	for k := range h.Attrs {
		if strings.Contains(k, "bad") {
			t.Errorf("fail count %s survived the cleanup", k)
		}
	}
	if got := h.Cleanup("cl", true); len(got) != 1 || got[0] != "cl:0" {
		t.Errorf("cleanup of a clone must reach its instances: %v", got)
	}
	if got := h.Cleanup("ok", false); len(got) != 1 {
		t.Errorf("refresh forgets everything: %v", got)
	}
}
