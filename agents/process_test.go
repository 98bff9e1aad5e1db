package agents

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func repoRoots(t *testing.T) []string {
	t.Helper()
	abs, err := filepath.Abs("ocf")
	if err != nil {
		t.Fatal(err)
	}
	return []string{abs}
}

func dummyOp(action string) Op {
	return Op{Resource: "d1", Agent: Agent{"ocf", "pacer", "Dummy"}, Action: action, Timeout: 5 * time.Second}
}

func TestDummyLifecycle(t *testing.T) {
	a := &Process{OCFRoots: repoRoots(t), RunDir: t.TempDir()}
	b := &Process{OCFRoots: repoRoots(t), RunDir: t.TempDir()}
	ctx := context.Background()
	for _, step := range []struct {
		p      *Process
		action string
		rc     int
	}{
		{a, "monitor", 7}, {a, "stop", 0}, {a, "start", 0}, {a, "start", 0}, {a, "monitor", 0},
		{b, "monitor", 7}, // another node's run directory: not running there
		{a, "stop", 0}, {a, "monitor", 7}, {a, "frobnicate", 3},
	} {
		if r := step.p.Exec(ctx, dummyOp(step.action)); r.RC != step.rc || r.Status != Done {
			t.Fatalf("%s: rc %d status %v (%s), want rc %d", step.action, r.RC, r.Status, r.ExitReason, step.rc)
		}
	}
}

func TestHeartbeatDummyFromResourceAgents(t *testing.T) {
	if _, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/Dummy"); err != nil {
		t.Skip("Debian's resource-agents is not installed")
	}
	p := &Process{OCFRoots: []string{"/usr/lib/ocf"}, RunDir: t.TempDir()}
	op := Op{Resource: "hb1", Agent: Agent{"ocf", "heartbeat", "Dummy"}, Timeout: 10 * time.Second,
		Params: map[string]string{"state": filepath.Join(t.TempDir(), "hb1.state")}}
	for _, step := range []struct {
		action string
		rc     int
	}{{"start", 0}, {"monitor", 0}, {"stop", 0}, {"monitor", 7}} {
		op.Action = step.action
		if r := p.Exec(context.Background(), op); r.RC != step.rc {
			t.Fatalf("%s: rc %d (%s) %s", step.action, r.RC, r.ExitReason, r.Output)
		}
	}
	md, err := p.MetaData(context.Background(), op.Agent)
	if err != nil || md.Name != "Dummy" || len(md.Parameters) == 0 {
		t.Fatalf("meta-data: %v %+v", err, md)
	}
}

// hostile writes an agent script into a temporary OCF root.
func hostile(t *testing.T, name, script string, mode os.FileMode) *Process {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "resource.d", "test")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), mode); err != nil {
		t.Fatal(err)
	}
	return &Process{OCFRoots: []string{root}, RunDir: t.TempDir()}
}

func TestHangingAgentIsKilledWithItsChildren(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "child.pid")
	p := hostile(t, "Hang", "#!/bin/sh\nsleep 1000 &\necho $! > "+pidfile+"\nsleep 1000\n", 0o755)
	start := time.Now()
	r := p.Exec(context.Background(), Op{Resource: "h", Agent: Agent{"ocf", "test", "Hang"}, Action: "start", Timeout: time.Second})
	if r.Status != TimedOut || r.RC != 1 {
		t.Fatalf("status %v rc %d", r.Status, r.RC)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("took %v", took)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // reaped by init shortly after the kill
	}
	if syscall.Kill(pid, 0) == nil {
		if st, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); !strings.Contains(string(st), ") Z ") {
			t.Fatalf("the agent's child %d survived the timeout", pid)
		}
	}
}

func TestNoisyAgentOutputIsBounded(t *testing.T) {
	p := hostile(t, "Noisy", "#!/bin/sh\nhead -c 10000000 /dev/zero | tr '\\0' x\necho 'ocf-exit-reason:broke after talking' >&2\nexit 1\n", 0o755)
	p.MaxOutput = 4096
	r := p.Exec(context.Background(), Op{Resource: "n", Agent: Agent{"ocf", "test", "Noisy"}, Action: "start", Timeout: 10 * time.Second})
	if r.RC != 1 || r.Status != Done {
		t.Fatalf("rc %d status %v", r.RC, r.Status)
	}
	if len(r.Output) > 4096+100 || !strings.Contains(r.Output, "bytes omitted") {
		t.Fatalf("output of %d bytes", len(r.Output))
	}
	if r.ExitReason != "broke after talking" {
		t.Fatalf("exit reason %q", r.ExitReason)
	}
}

func TestMissingAndNotExecutableAgents(t *testing.T) {
	p := hostile(t, "Plain", "#!/bin/sh\nexit 0\n", 0o644)
	r := p.Exec(context.Background(), Op{Resource: "x", Agent: Agent{"ocf", "test", "Plain"}, Action: "start"})
	if r.Status != ExecFailed || !strings.Contains(r.ExitReason, "chmod +x") || !strings.Contains(r.ExitReason, "Plain") {
		t.Fatalf("not executable: %v %q", r.Status, r.ExitReason)
	}
	r = p.Exec(context.Background(), Op{Resource: "x", Agent: Agent{"ocf", "test", "Nowhere"}, Action: "start"})
	if r.Status != NotInstalled || r.RC != 5 || !strings.Contains(r.ExitReason, p.OCFRoots[0]) {
		t.Fatalf("missing: %v rc %d %q", r.Status, r.RC, r.ExitReason)
	}
	os.WriteFile(filepath.Join(p.OCFRoots[0], "resource.d", "test", "Ok"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	r = p.Exec(context.Background(), Op{Resource: "x", Agent: Agent{"ocf", "test", "Ok"}, Action: "start", Params: map[string]string{"bad name": "v"}})
	if r.Status != ExecFailed || !strings.Contains(r.ExitReason, `"bad name"`) {
		t.Fatalf("bad parameter name: %v %q", r.Status, r.ExitReason)
	}
}

func TestEnvironment(t *testing.T) {
	dump := filepath.Join(t.TempDir(), "env")
	p := hostile(t, "Env", "#!/bin/sh\nenv > "+dump+"\n", 0o755)
	r := p.Exec(context.Background(), Op{Resource: "vip", Agent: Agent{"ocf", "test", "Env"}, Action: "monitor", Interval: 10 * time.Second,
		Timeout: 30 * time.Second, Params: map[string]string{"ip": "192.0.2.1", "OCF_CHECK_LEVEL": "10"}, Meta: map[string]string{"target-role": "Started"}, Node: "n1"})
	if r.RC != 0 {
		t.Fatal(r.ExitReason)
	}
	b, _ := os.ReadFile(dump)
	env := string(b)
	for _, want := range []string{"OCF_RESKEY_ip=192.0.2.1", "OCF_RESKEY_CRM_meta_timeout=30000", "OCF_RESKEY_CRM_meta_interval=10000",
		"OCF_RESKEY_CRM_meta_target_role=Started", "OCF_RESKEY_CRM_meta_on_node=n1", "OCF_RESOURCE_INSTANCE=vip",
		"OCF_RESOURCE_TYPE=Env", "OCF_RESOURCE_PROVIDER=test", "OCF_RA_VERSION_MAJOR=1", "HA_RSCTMP=" + p.RunDir, "OCF_ROOT=" + p.OCFRoots[0],
		"OCF_CHECK_LEVEL=10"} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("environment lacks %s", want)
		}
	}
}

func TestMetaData(t *testing.T) {
	p := &Process{OCFRoots: repoRoots(t), RunDir: t.TempDir()}
	md, err := p.MetaData(context.Background(), Agent{"ocf", "pacer", "Dummy"})
	if err != nil {
		t.Fatal(err)
	}
	if md.Name != "Dummy" || md.Version != "1.1" || len(md.Parameters) != 3 || !md.Parameters[0].Unique || !md.Parameters[1].Reloadable {
		t.Fatalf("%+v", md)
	}
	var mon ActionSpec
	for _, a := range md.Actions {
		if a.Name == "monitor" {
			mon = a
		}
	}
	if mon.Timeout != 20*time.Second || mon.Interval != 10*time.Second {
		t.Fatalf("monitor %+v", mon)
	}
	bad := hostile(t, "Bad", "#!/bin/sh\necho '<resource-agent name=\"Bad\"><parameters><parameter'\n", 0o755)
	if _, err := bad.MetaData(context.Background(), Agent{"ocf", "test", "Bad"}); err == nil || !strings.Contains(err.Error(), "malformed meta-data") {
		t.Fatalf("malformed meta-data: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{{"20s", 20 * time.Second, false}, {"20", 20 * time.Second, false}, {"2m", 2 * time.Minute, false}, {"100ms", 100 * time.Millisecond, false},
		{"1h", time.Hour, false}, {"", 0, false}, {"90sec", 90 * time.Second, false}, {"20x", 0, true}, {"-1", 0, true}} {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
}
