package shell

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacer-ha/pacer/cib"
)

func newFile(t *testing.T) FileBackend {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cib.xml")
	if err := os.WriteFile(path, cib.New().Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("../agents/ocf")
	t.Setenv("PACER_OCF_ROOTS", abs)
	return FileBackend{Path: path}
}

func run(b Backend, stdin string, args ...string) (int, string, string) {
	var o, e bytes.Buffer
	rc := Main(args, strings.NewReader(stdin), &o, &e, b)
	return rc, o.String(), e.String()
}

func TestOneShotCommands(t *testing.T) {
	b := newFile(t)
	for _, cmd := range [][]string{
		{"configure", "property", "stonith-enabled=false"},
		{"configure", "primitive", "d1", "ocf:pacer:Dummy", "params", "fake=a b", "op", "monitor", "interval=10s"},
		{"configure", "rsc_defaults", "resource-stickiness=100"},
		{"configure", "location", "l1", "d1", "inf:", "node1"},
	} {
		if rc, _, errs := run(b, "", cmd...); rc != 0 {
			t.Fatalf("%v: rc %d: %s", cmd, rc, errs)
		}
	}
	_, out, _ := run(b, "", "configure", "show")
	want := `primitive d1 ocf:pacer:Dummy \
	params fake="a b" \
	op monitor interval=10s
location l1 d1 inf: node1
property cib-bootstrap-options: \
	stonith-enabled=false
rsc_defaults rsc-options: \
	resource-stickiness=100
`
	if out != want {
		t.Errorf("show:\n%s\nwant:\n%s", out, want)
	}
	c, _ := b.Load()
	if c.Version().Epoch != 5 || c.FindID("d1-monitor-10s") == nil || c.FindID("d1-instance_attributes-fake") == nil {
		t.Errorf("CIB: %s", c.Bytes())
	}
	if st, _ := os.Stat(b.Path); st.Mode().Perm() != 0o640 {
		t.Errorf("file mode changed to %v", st.Mode())
	}
	rc, _, errs := run(b, "", "configure", "delete", "d1")
	if rc != 0 || !strings.Contains(errs, "INFO: hanging location:l1 deleted") {
		t.Errorf("delete: %d %q", rc, errs)
	}
}

// Bad input: one ERROR line, exit 1, and the file byte for byte as before.
func TestBadInputChangesNothing(t *testing.T) {
	b := newFile(t)
	run(b, "", "configure", "property", "stonith-enabled=false")
	run(b, "", "configure", "primitive", "d1", "ocf:pacer:Dummy")
	before, _ := os.ReadFile(b.Path)
	for _, cmd := range [][]string{
		{"configure", "primitive", "d2", "ocf:pacer:NoSuchAgent"},
		{"configure", "primitive", "d1", "ocf:pacer:Dummy"},
		{"configure", "primitive", "d2", "ocf:pacer:Dummy", "op", "monitor", "interval"},
		{"configure", "delete", "nosuch"},
		{"configure", "location", "l1", "nosuch", "inf:", "node1"},
		{"configure", "location", "l1", "d1", "foo:", "node1"},
		{"configure", "primitve", "d2", "Dummy"},
		{"frobnicate"},
		{"--bogus"},
	} {
		rc, _, errs := run(b, "", cmd...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if rc != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "ERROR: ") {
			t.Errorf("%v: rc %d, stderr %q", cmd, rc, errs)
		}
	}
	if after, _ := os.ReadFile(b.Path); !bytes.Equal(before, after) {
		t.Errorf("the CIB changed:\n%s", after)
	}
}

func TestScriptOnStdin(t *testing.T) {
	b := newFile(t)
	script := `configure
property stonith-enabled=false
primitive d1 ocf:pacer:Dummy \
    op monitor interval=10s
primitive d2 ocf:pacer:NoSuchAgent
show
commit
primitive d3 ocf:pacer:Dummy
up
`
	before, _ := os.ReadFile(b.Path)
	rc, out, errs := run(b, script)
	if rc != 1 || !strings.Contains(errs, "agent ocf:pacer:NoSuchAgent is not installed") || !strings.Contains(errs, "commit with force") {
		t.Errorf("rc %d, stderr %q: a failed line makes the exit status 1", rc, errs)
	}
	if !strings.Contains(out, "primitive d1 ocf:pacer:Dummy") {
		t.Errorf("show in the working copy: %q", out)
	}
	// An edit that cannot verify refuses the whole transaction.
	if after, _ := os.ReadFile(b.Path); !bytes.Equal(before, after) {
		t.Errorf("a transaction with an error was committed:\n%s", after)
	}
	// commit force applies the working copy as it is, as crmsh does.
	rc, _, _ = run(b, strings.Replace(script, "commit\n", "commit force\n", 1))
	c, _ := b.Load()
	if c.FindID("d1") == nil || c.FindID("d2") == nil {
		t.Errorf("commit force: rc %d, %s", rc, c.Bytes())
	}
}

// A script that leaves configure with edits it did not commit applies
// none of them and fails, however it leaves: up, cd, quit or end of input.
func TestBatchLeavesUncommittedRefused(t *testing.T) {
	for _, leave := range []string{"up\n", "cd ..\n", "quit\n", "end\n", ""} {
		b := newFile(t)
		run(b, "", "configure", "property", "stonith-enabled=false")
		before, _ := os.ReadFile(b.Path)
		rc, _, errs := run(b, "configure\nprimitive d1 ocf:pacer:Dummy\n"+leave+"configure property no-quorum-policy=ignore\n")
		if rc == 0 || !strings.Contains(errs, "changes not committed; nothing was applied") {
			t.Errorf("leave %q: rc %d, stderr %q", leave, rc, errs)
		}
		if after, _ := os.ReadFile(b.Path); !bytes.Equal(before, after) {
			t.Errorf("leave %q: uncommitted edits reached the CIB, or the run went on after the refusal:\n%s", leave, after)
		}
		// With the commit, the same script applies its edits and exits 0.
		rc, _, errs = run(b, "configure\nprimitive d1 ocf:pacer:Dummy\ncommit\n"+leave)
		if c, _ := b.Load(); rc != 0 || c.FindID("d1") == nil {
			t.Errorf("leave %q after commit: rc %d, %q", leave, rc, errs)
		}
	}
}

// A reference fixed before commit does not refuse the commit.
func TestProblemFixedBeforeCommit(t *testing.T) {
	b := newFile(t)
	script := "configure\nproperty stonith-enabled=false\nprimitive a ocf:pacer:Dummy\norder o Mandatory: a nosuch\ndelete o\ncommit\n"
	rc, _, errs := run(b, script)
	c, _ := b.Load()
	if rc != 0 || c.FindID("a") == nil || !strings.Contains(errs, "WARNING: o: resource nosuch does not exist") {
		t.Errorf("rc %d, %q, %s", rc, errs, c.Bytes())
	}
}

func TestStonithCheck(t *testing.T) {
	b := newFile(t)
	rc, _, errs := run(b, "", "configure", "primitive", "d1", "ocf:pacer:Dummy")
	if rc != 1 || !strings.Contains(errs, "no STONITH resources have been defined") {
		t.Fatalf("rc %d, %q", rc, errs)
	}
	if rc, _, errs = run(b, "", "-F", "configure", "primitive", "d1", "ocf:pacer:Dummy"); rc != 0 {
		t.Fatalf("-F: rc %d, %q", rc, errs)
	}
	// While the problem stands, every configure commit is refused, as
	// crmsh refuses it; resource commands are not configure commits.
	if rc, _, errs = run(b, "", "configure", "rsc_defaults", "resource-stickiness=1"); rc != 1 || !strings.Contains(errs, "STONITH") {
		t.Fatalf("commit with a standing problem: rc %d, %q", rc, errs)
	}
	if rc, _, errs = run(b, "", "resource", "stop", "d1"); rc != 0 {
		t.Fatalf("resource stop: rc %d, %q", rc, errs)
	}
}

func TestCommitConflict(t *testing.T) {
	b := newFile(t)
	base, _ := b.Load()
	run(b, "", "configure", "property", "a=1")
	next := base.Clone()
	next.SetProperty("b", "2")
	if err := b.Commit(base, next); err == nil || !strings.Contains(err.Error(), cib.ErrConflict.Error()) {
		t.Fatalf("stale commit: %v", err)
	}
	c, _ := b.Load()
	if v, _ := c.Property("a"); v != "1" {
		t.Fatal("the stale commit overwrote a newer change")
	}
}

// Each step runs one command against the file and checks what show prints.
func TestLevelCommands(t *testing.T) {
	b := newFile(t)
	c, _ := b.Load()
	c.Section("nodes", true).CreateElement("node").CreateAttr("id", "1")
	nodes := c.Section("nodes", true).ChildElements()
	nodes[0].CreateAttr("uname", "node1")
	os.WriteFile(b.Path, c.Bytes(), 0o640)
	for _, step := range []struct {
		args []string
		want []string // lines show must contain afterwards
		out  string   // text stdout must contain
		rc   int
	}{
		{args: []string{"configure", "property", "stonith-enabled=false"}},
		{args: []string{"configure", "primitive", "a", "ocf:pacer:Dummy", "params", "fake=1"}},
		{args: []string{"configure", "primitive", "b", "ocf:pacer:Dummy"}},
		{args: []string{"configure", "group", "g", "a", "b"}, want: []string{"group g a b"}},
		{args: []string{"resource", "stop", "g"}, want: []string{"meta target-role=Stopped"}},
		{args: []string{"resource", "unmanage", "a"}, want: []string{"meta is-managed=false"}},
		{args: []string{"resource", "meta", "a", "set", "priority", "5"}, out: "Set 'a' option: id=a-meta_attributes-priority"},
		{args: []string{"resource", "param", "a", "show", "fake"}, out: "1\n"},
		{args: []string{"resource", "move", "g", "node1"}, want: []string{"location cli-prefer-g g role=Started inf: node1"}},
		{args: []string{"resource", "move", "g", "nowhere"}, rc: 1},
		{args: []string{"resource", "clear", "g"}},
		{args: []string{"resource", "ban", "g", "node1"}, want: []string{"location cli-ban-g-on-node1 g role=Started -inf: node1"}},
		{args: []string{"resource", "stop", "nosuch"}, rc: 1},
		{args: []string{"node", "attribute", "node1", "set", "rack", "r1"}, want: []string{"attributes rack=r1"}},
		{args: []string{"node", "standby", "node1"}, want: []string{"standby=on"}},
		{args: []string{"configure", "rename", "b", "b2"}, want: []string{"group g a b2"}},
		{args: []string{"configure", "set", "a.fake", "2"}, want: []string{"params fake=2"}},
		{args: []string{"configure", "verify"}},
	} {
		rc, out, errs := run(b, "", step.args...)
		if rc != step.rc {
			t.Fatalf("%v: rc %d (want %d): %s", step.args, rc, step.rc, errs)
		}
		if !strings.Contains(out, step.out) {
			t.Errorf("%v: stdout %q lacks %q", step.args, out, step.out)
		}
		_, show, _ := run(b, "", "configure", "show")
		for _, w := range step.want {
			if !strings.Contains(show, w) {
				t.Errorf("%v: show lacks %q:\n%s", step.args, w, show)
			}
		}
		// The clear removed the move constraint.
		if step.args[1] == "clear" && strings.Contains(show, "cli-prefer-g") {
			t.Errorf("clear left the move constraint:\n%s", show)
		}
	}
}

func TestShadowCIB(t *testing.T) {
	b := newFile(t)
	t.Setenv("CIB_shadow_dir", t.TempDir())
	run(b, "", "configure", "property", "stonith-enabled=false")
	script := "cib new trial\nconfigure primitive in-shadow ocf:pacer:Dummy\ncib list\ncib use live\nconfigure primitive in-live ocf:pacer:Dummy\ncib diff trial\n"
	rc, out, errs := run(b, script)
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	c, _ := b.Load()
	if c.FindID("in-shadow") != nil || c.FindID("in-live") == nil {
		t.Fatalf("live CIB: %s", c.Bytes())
	}
	if !strings.Contains(out, "trial") || !strings.Contains(out, "+ primitive in-shadow") || !strings.Contains(out, "- primitive in-live") {
		t.Errorf("list/diff output: %q", out)
	}
	// CIB_shadow makes every command work on the shadow.
	t.Setenv("CIB_shadow", "trial")
	run(b, "", "configure", "primitive", "again", "ocf:pacer:Dummy")
	t.Setenv("CIB_shadow", "")
	if c, _ := b.Load(); c.FindID("again") != nil {
		t.Fatal("CIB_shadow edit reached the live CIB")
	}
	// Committing the shadow makes its configuration the live one.
	if rc, _, errs := run(b, "cib commit trial\ncib delete trial\n"); rc != 0 {
		t.Fatalf("commit: %s", errs)
	}
	c, _ = b.Load()
	if c.FindID("in-shadow") == nil || c.FindID("again") == nil || c.FindID("in-live") != nil {
		t.Fatalf("after commit: %s", c.Bytes())
	}
	if _, err := os.Stat(ShadowPath("trial")); err == nil {
		t.Error("shadow not deleted")
	}
}

func TestTimeoutBelowAdviceWarnsOnly(t *testing.T) {
	b := newFile(t)
	run(b, "", "configure", "property", "stonith-enabled=false")
	rc, _, errs := run(b, "", "configure", "primitive", "d1", "ocf:pacer:Dummy", "op", "start", "timeout=5s")
	if rc != 0 || !strings.Contains(errs, "WARNING: d1: specified timeout 5s for start is smaller than the advised 20s") {
		t.Fatalf("rc %d, %q", rc, errs)
	}
	if c, _ := b.Load(); c.FindID("d1") == nil {
		t.Fatal("a warning refused the commit")
	}
}

// TestCleanupOnFile: on a CIB file, cleanup drops a resource's failed
// history and fail counts from the status section, and only those.
func TestCleanupOnFile(t *testing.T) {
	b := newFile(t)
	run(b, "", "configure", "property", "stonith-enabled=false")
	run(b, "", "configure", "primitive", "d1", "ocf:pacer:Dummy")
	run(b, "", "configure", "primitive", "d2", "ocf:pacer:Dummy")
	run(b, "", "configure", "node", "node1")
	c, _ := b.Load()
	h := cib.NewNodeHistory("node1", "node1")
	h.Record(cib.OpRecord{Resource: "d1", Class: "ocf", Provider: "pacer", Type: "Dummy", Operation: "start"})
	h.Record(cib.OpRecord{Resource: "d1", Class: "ocf", Provider: "pacer", Type: "Dummy", Operation: "monitor", Interval: 10e9, RC: 7})
	h.Record(cib.OpRecord{Resource: "d2", Class: "ocf", Provider: "pacer", Type: "Dummy", Operation: "start"})
	ns := c.Status().CreateElement("node_state")
	ns.CreateAttr("id", "node1")
	ns.CreateAttr("uname", "node1")
	ns.AddChild(h.Transient())
	ns.AddChild(h.LRM())
	os.WriteFile(b.Path, c.Bytes(), 0o644)
	if rc, out, errs := run(b, "", "resource", "cleanup", "d1"); rc != 0 || !strings.Contains(out, "Cleaned up d1") {
		t.Fatalf("cleanup: rc %d %q %q", rc, out, errs)
	}
	after, _ := b.Load()
	text := string(after.Bytes())
	if strings.Contains(text, `lrm_resource id="d1"`) || strings.Contains(text, "fail-count-d1") {
		t.Errorf("d1's failure survived the cleanup:\n%s", text)
	}
	if !strings.Contains(text, `lrm_resource id="d2"`) {
		t.Errorf("cleanup of d1 took d2's history too:\n%s", text)
	}
}

// TestNodeStatusAttrAndDelete: transient attributes on a CIB file, and
// node delete refusing a member.
func TestNodeStatusAttrAndDelete(t *testing.T) {
	b := newFile(t)
	run(b, "", "configure", "node", "node1")
	run(b, "", "configure", "node", "node2")
	if rc, _, errs := run(b, "", "node", "status-attr", "node1", "set", "pingd", "100"); rc != 0 {
		t.Fatalf("status-attr set: %s", errs)
	}
	if rc, out, _ := run(b, "", "node", "status-attr", "node1", "show", "pingd"); rc != 0 || !strings.Contains(out, "name=pingd value=100") {
		t.Fatalf("status-attr show: rc %d %q", rc, out)
	}
	run(b, "", "node", "status-attr", "node1", "delete", "pingd")
	if rc, _, _ := run(b, "", "node", "status-attr", "node1", "show", "pingd"); rc == 0 {
		t.Fatal("a deleted status attribute is still shown")
	}
	if rc, _, _ := run(b, "", "node", "status-attr", "nosuch", "set", "a", "1"); rc == 0 {
		t.Fatal("status-attr on a node that does not exist must fail")
	}
	// Only a running cluster knows a node has left: on a file, node
	// delete changes nothing (as crmsh's, which asks the controller).
	if rc, _, errs := run(b, "", "node", "delete", "node2"); rc == 0 || !strings.Contains(errs, "needs the running cluster") {
		t.Fatalf("node delete on a file: rc %d %q", rc, errs)
	}
	if _, out, _ := run(b, "", "configure", "show"); !strings.Contains(out, "node2") {
		t.Fatalf("node delete on a file removed the node:\n%s", out)
	}
}

// TestNodeFenceOnFile: as crmsh, node fence asks first (a script must
// force it), and on a CIB file it sets the node's terminate attribute.
func TestNodeFenceOnFile(t *testing.T) {
	b := newFile(t)
	run(b, "", "configure", "node", "node1")
	if rc, _, errs := run(b, "", "node", "fence", "node1"); rc == 0 || !strings.Contains(errs, "crm -F node fence node1") {
		t.Fatalf("unforced fence in a script: rc %d %q", rc, errs)
	}
	if rc, _, errs := run(b, "", "-F", "node", "fence", "node1"); rc != 0 {
		t.Fatalf("forced fence: %s", errs)
	}
	if rc, out, _ := run(b, "", "node", "status-attr", "node1", "show", "terminate"); rc != 0 || !strings.Contains(out, "value=true") {
		t.Errorf("terminate attribute: %q", out)
	}
	if rc, _, errs := run(b, "", "-F", "node", "fence", "nosuch"); rc == 0 || !strings.Contains(errs, "no such node: nosuch") {
		t.Errorf("unknown node: rc %d %q", rc, errs)
	}
}
