package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// TestSimulateAgreesWithPacemaker runs Pacer's crm_simulate and
// Pacemaker's (when installed: Debian's pacemaker-cli-utils, which CI
// installs) on every engine golden input and wants the same summary,
// line for line: the goldens pin Pacer's plans, this pins them to
// Pacemaker's.
func TestSimulateAgreesWithPacemaker(t *testing.T) {
	real, err := exec.LookPath("/usr/sbin/crm_simulate")
	if err != nil {
		t.Skip("Pacemaker's crm_simulate is not installed")
	}
	inputs, _ := filepath.Glob("../../engine/testdata/*.xml")
	if len(inputs) == 0 {
		t.Fatal("no engine golden inputs")
	}
	for _, in := range inputs {
		t.Run(strings.TrimSuffix(filepath.Base(in), ".xml"), func(t *testing.T) {
			var ours, errs bytes.Buffer
			if rc := runCrmSimulate([]string{"-x", in, "-S"}, nil, &ours, &errs); rc != 0 {
				t.Fatalf("exit %d: %s", rc, errs.String())
			}
			cmd := exec.Command(real, "-x", in, "-S")
			cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
			theirs, err := cmd.Output()
			if err != nil {
				t.Fatalf("Pacemaker's crm_simulate: %v", err)
			}
			if ours.String() != string(theirs) {
				t.Errorf("Pacer's summary differs from Pacemaker's:\n--- Pacer\n%s\n--- Pacemaker\n%s", ours.String(), theirs)
			}
		})
	}
}

// scoreGaps are the golden inputs whose allocation scores (-s) Pacer does
// not yet report as Pacemaker does, though it places them alike: the
// per-member and per-instance scores of groups and clones, an unmanaged
// resource's pinning, tickets, utilization and bundles.
var scoreGaps = map[string]bool{
	"18-not-managed": true, "20-group-move-standby": true, "26-clone-node-lost": true, "29-promote-and-follow": true,
	"30-ticket-revoked": true, "31-unique-clone-colocated": true, "33-utilization": true, "39-bundle": true,
}

// TestScoresAgreeWithPacemaker: crm_simulate -S -s gives Pacemaker's own
// output (plain layout, allocation scores) on the golden inputs.
func TestScoresAgreeWithPacemaker(t *testing.T) {
	real, err := exec.LookPath("/usr/sbin/crm_simulate")
	if err != nil {
		t.Skip("Pacemaker's crm_simulate is not installed")
	}
	inputs, _ := filepath.Glob("../../engine/testdata/*.xml")
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".xml")
		t.Run(name, func(t *testing.T) {
			if scoreGaps[name] {
				t.Skip("scores not yet reported as Pacemaker does for this input")
			}
			var ours, errs bytes.Buffer
			if rc := runCrmSimulate([]string{"-x", in, "-S", "-s"}, nil, &ours, &errs); rc != 0 {
				t.Fatalf("exit %d: %s", rc, errs.String())
			}
			theirs, err := exec.Command(real, "-x", in, "-S", "-s").Output()
			if err != nil {
				t.Fatalf("Pacemaker's crm_simulate: %v", err)
			}
			if ours.String() != string(theirs) {
				t.Errorf("differs from Pacemaker's:\n--- Pacer\n%s\n--- Pacemaker\n%s", ours.String(), theirs)
			}
		})
	}
}

// TestSaveGraph: -G writes a transition graph with a synapse per action,
// each trigger naming an action of the graph.
func TestSaveGraph(t *testing.T) {
	path := filepath.Join(t.TempDir(), "graph.xml")
	var out, errs bytes.Buffer
	if rc := runCrmSimulate([]string{"-x", "../../engine/testdata/29-promote-and-follow.xml", "-S", "-G", path}, nil, &out, &errs); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errs.String())
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(path); err != nil {
		t.Fatal(err)
	}
	g := doc.SelectElement("transition_graph")
	if g == nil || g.SelectAttrValue("failed-start-offset", "") != "INFINITY" {
		t.Fatalf("no transition_graph with Pacemaker's attributes in %s", path)
	}
	ids := map[string]bool{}
	synapses := g.SelectElements("synapse")
	for _, s := range synapses {
		for _, e := range s.SelectElement("action_set").ChildElements() {
			ids[e.SelectAttrValue("id", "")] = true
		}
	}
	if len(synapses) != 7 || !ids["1"] {
		t.Fatalf("%d synapses (want 7: promote with its pseudo actions, monitors, start) ids %v", len(synapses), ids)
	}
	for _, s := range synapses {
		for _, tr := range s.FindElements("./inputs/trigger/*") {
			if !ids[tr.SelectAttrValue("id", "")] {
				t.Errorf("trigger %s names no action of the graph", tr.SelectAttrValue("id", ""))
			}
		}
	}
	if rc := runCrmSimulate([]string{"-x", "../../engine/testdata/29-promote-and-follow.xml", "-G", "/nonexistent/dir/g.xml"}, nil, &out, &errs); rc == 0 {
		t.Error("a graph that cannot be written must fail the command")
	}
}
