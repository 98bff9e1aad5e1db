package cib

import "testing"

// Searches of one section must not reach into another: a node_state shares
// its id with its node, and status has no configuration objects.
func TestSearchesStayInTheirSection(t *testing.T) {
	c := New()
	applyAll(t, c, "property stonith-enabled=false\nnode n1\nprimitive a Dummy")
	c.SetNodeState(NodeState{ID: "n1", Uname: "n1", InCCM: true, Online: true}, nil)
	if ps := c.Verify(); len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if n := len(c.Primitives()); n != 1 {
		t.Fatalf("%d primitives", n)
	}
}
