package tools

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
	"github.com/pacer-ha/pacer/shell"
)

// session runs tools on one CIB file, as an administrator's shell would.
type session struct {
	t    *testing.T
	path string
}

func newSession(t *testing.T, input string) *session {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", input))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cib.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return &session{t: t, path: path}
}

// run runs a command line ("crm_resource -r d1 -W") and returns its exit
// status, stdout and stderr.
func (s *session) run(line string) (int, string, string) {
	s.t.Helper()
	words := strings.Fields(line)
	var out, errs bytes.Buffer
	rc, ok := Run(words[0], words[1:], Env{Backend: shell.FileBackend{Path: s.path}, Stdout: &out, Stderr: &errs})
	if !ok {
		s.t.Fatalf("no tool %s", words[0])
	}
	return rc, out.String(), errs.String()
}

// ok runs a command that must succeed and returns its stdout.
func (s *session) ok(line string) string {
	s.t.Helper()
	rc, out, errs := s.run(line)
	if rc != 0 {
		s.t.Fatalf("%s: exit status %d: %s", line, rc, errs)
	}
	return out
}

func (s *session) cib() *cib.CIB {
	s.t.Helper()
	c, err := shell.FileBackend{Path: s.path}.Load()
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *session) resource(id string) *engine.Resource {
	s.t.Helper()
	cl, err := engine.Unpack(s.cib(), time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, r := range cl.Resources {
		if r.ID == id {
			return r
		}
	}
	s.t.Fatalf("no resource %s", id)
	return nil
}

func (s *session) constraint(id string) *etree.Element {
	for _, e := range s.cib().Section("constraints", true).ChildElements() {
		if e.SelectAttrValue("id", "") == id {
			return e
		}
	}
	return nil
}

// history reports whether a node's status has an operation history of rsc.
func (s *session) history(node, rsc string) bool {
	for _, ns := range s.cib().Status().SelectElements("node_state") {
		if ns.SelectAttrValue("uname", "") != node {
			continue
		}
		for _, re := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
			if re.SelectAttrValue("id", "") == rsc {
				return true
			}
		}
	}
	return false
}

// TestClassicNotes runs the commands of administrators' old notes, as
// written, on a CIB file and checks what each does to it.
func TestClassicNotes(t *testing.T) {
	s := newSession(t, "cluster.xml")

	s.ok("crm_attribute -t crm_config -n stonith-enabled -v true")
	if v, _ := s.cib().Property("stonith-enabled"); v != "true" {
		t.Fatalf("stonith-enabled=%q after setting it true", v)
	}
	s.ok("crm_attribute -t crm_config -n stonith-enabled -v false")
	if v, _ := s.cib().Property("stonith-enabled"); v != "false" {
		t.Fatalf("stonith-enabled=%q after setting it false", v)
	}

	// target_role is read as the meta attribute target-role, as Heartbeat
	// 2 read it: the resource stops, and starts again.
	out := s.ok("crm_resource -r d1 -p target_role -v stopped")
	if want := "Set 'd1' option: id=d1-meta_attributes-target-role set=d1-meta_attributes name=target-role value=stopped\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if v, _ := s.cib().ResourceAttr("d1", cib.Meta, "target-role"); v != "stopped" {
		t.Errorf("meta target-role=%q, want stopped", v)
	}
	if _, ok := s.cib().ResourceAttr("d1", cib.Params, "target_role"); ok {
		t.Error("target_role was written as an instance attribute")
	}
	if !s.resource("d1").Disabled() {
		t.Error("d1 is not disabled by target_role=stopped")
	}
	plan, err := engine.Schedule(engine.Input{CIB: s.cib(), Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	stops := false
	for _, a := range plan.Actions {
		stops = stops || (a.Resource == "d1" && a.Task == "stop")
	}
	if !stops {
		t.Errorf("the plan does not stop d1 after target_role=stopped: %v", plan.Actions)
	}
	s.ok("crm_resource -r d1 -p target_role -v started")
	if v, _ := s.cib().ResourceAttr("d1", cib.Meta, "target-role"); v != "started" || s.resource("d1").Disabled() {
		t.Errorf("meta target-role=%q after target_role=started", v)
	}

	if out := s.ok("crm_resource -W -r d1"); out != "resource d1 is running on: node1\n" {
		t.Errorf("-W -r d1: %q", out)
	}

	// -M without a node bans the node it runs on.
	s.ok("crm_resource -M -r d1")
	if e := s.constraint("cli-ban-d1-on-node1"); e == nil || e.SelectAttrValue("score", "") != "-INFINITY" || e.SelectAttrValue("node", "") != "node1" {
		t.Fatalf("-M -r d1 left no cli-ban-d1-on-node1 -INFINITY constraint")
	}
	s.ok("crm_resource -M -r d1 -H node2")
	if e := s.constraint("cli-prefer-d1"); e == nil || e.SelectAttrValue("score", "") != "INFINITY" || e.SelectAttrValue("node", "") != "node2" {
		t.Fatalf("-M -r d1 -H node2 left no cli-prefer-d1 INFINITY on node2")
	}
	out = s.ok("crm_resource -U -r d1")
	if out != "Removing constraint: cli-ban-d1-on-node1\nRemoving constraint: cli-prefer-d1\n" {
		t.Errorf("-U -r d1: %q", out)
	}
	if s.constraint("cli-ban-d1-on-node1") != nil || s.constraint("cli-prefer-d1") != nil {
		t.Error("-U -r d1 left a cli- constraint")
	}

	// is_managed, the old spelling of the meta attribute is-managed.
	s.ok("crm_resource -p is_managed -r d1 -t primitive -v off")
	if v, _ := s.cib().ResourceAttr("d1", cib.Meta, "is-managed"); v != "off" || s.resource("d1").Managed {
		t.Errorf("is-managed=%q after is_managed off; managed=%v", v, s.resource("d1").Managed)
	}
	s.ok("crm_resource -p is_managed -r d1 -t primitive -v on")
	if v, _ := s.cib().ResourceAttr("d1", cib.Meta, "is-managed"); v != "on" || !s.resource("d1").Managed {
		t.Errorf("is-managed=%q after is_managed on", v)
	}

	// Cleanup of a failed group member: its failure and its history on
	// that node go (the whole group is cleaned, as Pacemaker does).
	if !s.history("node2", "d2") {
		t.Fatal("the input has no history of d2 on node2")
	}
	out = s.ok("crm_resource -C -H node2 -r d2")
	if out != "Cleaned up d2 on node2\nCleaned up d3 on node2\n" {
		t.Errorf("-C -H node2 -r d2: %q", out)
	}
	if s.history("node2", "d2") {
		t.Error("d2's failed history on node2 is still there")
	}
	if !s.history("node2", "d3") {
		t.Error("cleanup removed d3's history, which had no failure")
	}
	if s.resource("d2").State["node2"] != nil && s.resource("d2").State["node2"].FailCount > 0 {
		t.Error("d2 still has a fail count on node2")
	}

	// -P (Pacemaker 1.x's reprobe): the history goes, so the cluster
	// probes again; on one node, then everywhere.
	s.ok("crm_resource -P -H node1")
	if s.history("node1", "d1") || !s.history("node2", "d3") {
		t.Error("-P -H node1 did not forget node1's history alone")
	}
	s.ok("crm_resource -P")
	if s.history("node2", "d3") || s.history("node2", "d4") {
		t.Error("-P left some history")
	}

	s.ok("crm_resource -D -r d5 -t primitive")
	if s.cib().Resource("d5") != nil {
		t.Error("-D -r d5 -t primitive left d5")
	}
	// A resource that constraints name cannot go alone: nothing changes.
	before := s.cib().Bytes()
	rc, out, errs := s.run("crm_resource -D -r d1 -t primitive")
	if rc != 78 || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "loc-d1") {
		t.Errorf("-D of a referenced resource: exit %d, stdout %q, stderr %q; want 78 and one line naming the constraint", rc, out, errs)
	}
	if !bytes.Equal(before, s.cib().Bytes()) {
		t.Error("a refused delete changed the CIB")
	}
}

// TestErrorsSayWhatAndWhere: a failing command prints one line naming
// what is wrong and the CIB it worked on, exits non-zero, and changes
// nothing.
func TestErrorsSayWhatAndWhere(t *testing.T) {
	for _, line := range []string{
		"crm_resource -r nope -p a -v b",
		"crm_resource -M -r d1 -H nonode",
		"crm_resource -B -r nope",
		"crm_resource -U -r nope",
		"crm_resource -C -r nope",
		"crm_attribute -N nonode -n rack -v 1",
		"crm_attribute -n nope -G",
		"crm_standby -N nonode -v on",
		"crm_failcount -G -r d1 -N nonode",
		"cibadmin -M -X <nvpair/>",
		"crm_ticket -t T9 -l",
	} {
		s := newSession(t, "cluster.xml")
		before := s.cib().Bytes()
		rc, out, errs := s.run(line)
		if rc == 0 {
			t.Errorf("%s: exit status 0", line)
		}
		if out != "" {
			t.Errorf("%s: stdout %q", line, out)
		}
		if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], strings.Fields(line)[0]+": ") {
			t.Errorf("%s: want one line starting with the tool's name, got %q", line, errs)
		}
		if !strings.Contains(errs, s.path) && !strings.Contains(line, "cibadmin") {
			t.Errorf("%s: the error does not say which CIB: %q", line, errs)
		}
		if !bytes.Equal(before, s.cib().Bytes()) {
			t.Errorf("%s: the CIB changed", line)
		}
	}
}

func TestOptionSpellings(t *testing.T) {
	for _, line := range []string{
		"crm_resource -Wrd1",
		"crm_resource -W -rd1",
		"crm_resource --locate --resource d1",
		"crm_resource --locate --resource=d1",
		"crm_resource -W -Q -r d1 -V",
	} {
		s := newSession(t, "cluster.xml")
		out := s.ok(line)
		if !strings.Contains(out, "node1") {
			t.Errorf("%s: %q", line, out)
		}
	}
	s := newSession(t, "cluster.xml")
	if rc, _, errs := s.run("crm_resource -P --bogus"); rc != 64 || !strings.Contains(errs, "--bogus") {
		t.Errorf("unknown option: exit %d, %q", rc, errs)
	}
	if rc, _, errs := s.run("crm_resource -r"); rc != 64 || !strings.Contains(errs, "Missing argument for -r") {
		t.Errorf("missing argument: exit %d, %q", rc, errs)
	}
}

// memBackend is a running cluster as the tools see it: a CIB behind
// Load and Commit, and the requests the daemon takes.
type memBackend struct {
	c        *cib.CIB
	cleanups []string
	attrs    []string
}

func (m *memBackend) Load() (*cib.CIB, error) { return m.c.Clone(), nil }

func (m *memBackend) Commit(base, next *cib.CIB) error {
	if m.c.Version().ConfigCompare(base.Version()) != 0 {
		return fmt.Errorf("%w: changed meanwhile", cib.ErrConflict)
	}
	m.c.ReplaceConfiguration(next)
	m.c.BumpEpoch()
	return nil
}

func (m *memBackend) Cleanup(rsc, node string, all bool) error {
	m.cleanups = append(m.cleanups, fmt.Sprintf("%s@%s all=%v", rsc, node, all))
	return nil
}

func (m *memBackend) StatusAttr(node, name, value string, del bool) error {
	m.attrs = append(m.attrs, fmt.Sprintf("%s %s=%s del=%v", node, name, value, del))
	return nil
}

// TestThroughTheDaemon: on the running cluster the tools change the
// configuration through Commit and ask the daemon for cleanups and
// transient attributes.
func TestThroughTheDaemon(t *testing.T) {
	data, err := os.ReadFile("testdata/cluster.xml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := cib.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m := &memBackend{c: c}
	run := func(line string) (int, string, string) {
		words := strings.Fields(line)
		var out, errs bytes.Buffer
		rc, _ := Run(words[0], words[1:], Env{Backend: m, Stdout: &out, Stderr: &errs,
			Cluster: func() (*Membership, error) {
				return &Membership{Local: "node1", Members: []string{"node1", "node2"}, Nodes: []string{"node1", "node2", "node3"}, Quorum: true}, nil
			}})
		return rc, out.String(), errs.String()
	}
	if rc, _, errs := run("crm_resource -M -r d1 -N node2"); rc != 0 {
		t.Fatalf("move: %d %s", rc, errs)
	}
	if m.c.FindID("cli-prefer-d1") == nil {
		t.Error("the move did not reach the cluster's CIB")
	}
	if rc, _, errs := run("crm_attribute -N node2 -n pingd -v 100 -l reboot"); rc != 0 || len(m.attrs) != 1 || m.attrs[0] != "node2 pingd=100 del=false" {
		t.Errorf("transient attribute: %d %s %v", rc, errs, m.attrs)
	}
	if rc, out, _ := run("crm_resource -C -r d2 -N node2"); rc != 0 || out != "Cleaned up d2 on node2\nCleaned up d3 on node2\n" ||
		strings.Join(m.cleanups, ";") != "d2@node2 all=false;d3@node2 all=false" {
		t.Errorf("cleanup: %d %q %v", rc, out, m.cleanups)
	}
	if _, out, _ := run("crm_node -l"); out != "1 node1 member\n2 node2 member\n3 node3 lost\n" {
		t.Errorf("crm_node -l: %q", out)
	}
	if _, out, _ := run("crm_node -p"); out != "node1 node2 \n" {
		t.Errorf("crm_node -p: %q", out)
	}
	if _, out, _ := run("crm_node -q"); out != "1\n" {
		t.Errorf("crm_node -q: %q", out)
	}
	if _, out, _ := run("crm_node -n"); out != "node1\n" {
		t.Errorf("crm_node -n: %q", out)
	}
	if _, out, _ := run("crm_node -i"); out != "1\n" {
		t.Errorf("crm_node -i: %q", out)
	}
	if rc, _, _ := run("crm_node -R node2 --force"); rc == 0 {
		t.Error("crm_node -R removed a member of the cluster")
	}
	if rc, _, errs := run("crm_node -R node3 --force"); rc != 0 || m.c.Node("node3") != nil {
		t.Errorf("crm_node -R node3: %d %s", rc, errs)
	}
	if rc, _, _ := run("crm_ticket -t T1 -g --force"); rc != 3 {
		t.Errorf("granting a ticket on the cluster: exit %d, want 3 (not supported by the daemon yet)", rc)
	}
}
