package agents

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLSBAndHeartbeatClasses runs an LSB init script and a heartbeat-class
// script written here through their life cycle, reading their results as
// Pacemaker does.
func TestLSBAndHeartbeatClasses(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	initDir, hbDir := filepath.Join(dir, "init.d"), filepath.Join(dir, "resource.d")
	os.MkdirAll(initDir, 0o755)
	os.MkdirAll(hbDir, 0o755)
	lsb := `#!/bin/sh
# LSB: exit codes by the book
case "$1" in
start) touch ` + state + `.lsb ;;
stop) rm -f ` + state + `.lsb ;;
status) [ -f ` + state + `.lsb ] && exit 0; [ -f ` + state + `.broken ] && exit 4; exit 3 ;;
*) exit 3 ;;
esac
`
	hb := `#!/bin/sh
# heartbeat class: SCRIPT ARG... start|stop|status
name=$1; action=$2
case "$action" in
start) touch ` + dir + `/"$name" ;;
stop) rm -f ` + dir + `/"$name" ;;
status) if [ -f ` + dir + `/"$name" ]; then echo "$name is running"; else echo "$name is stopped"; fi ;;
esac
exit 0
`
	os.WriteFile(filepath.Join(initDir, "svc"), []byte(lsb), 0o755)
	os.WriteFile(filepath.Join(hbDir, "hbsvc"), []byte(hb), 0o755)
	os.WriteFile(filepath.Join(initDir, "notexec"), []byte(lsb), 0o644)
	p := &Process{InitDir: initDir, HeartbeatDir: hbDir}
	run := func(a Agent, action string, params map[string]string) Result {
		return p.Exec(context.Background(), Op{Resource: "r", Agent: a, Action: action, Params: params, Timeout: 5 * time.Second})
	}
	lsbAgent := Agent{Class: "lsb", Type: "svc"}
	hbAgent := Agent{Class: "heartbeat", Type: "hbsvc"}
	for _, step := range []struct {
		agent  Agent
		action string
		rc     int
	}{
		{lsbAgent, "monitor", 7}, {lsbAgent, "start", 0}, {lsbAgent, "monitor", 0}, {lsbAgent, "start", 0},
		{lsbAgent, "stop", 0}, {lsbAgent, "stop", 0}, {lsbAgent, "monitor", 7},
		{hbAgent, "monitor", 7}, {hbAgent, "start", 0}, {hbAgent, "monitor", 0}, {hbAgent, "stop", 0}, {hbAgent, "monitor", 7},
	} {
		if r := run(step.agent, step.action, map[string]string{"1": "web"}); r.RC != step.rc || r.Status != Done {
			t.Fatalf("%s %s: rc %d (%s) %q, want rc %d", step.agent, step.action, r.RC, r.Status, r.ExitReason, step.rc)
		}
	}
	os.WriteFile(state+".broken", nil, 0o644)
	if r := run(lsbAgent, "monitor", nil); r.RC != 1 {
		t.Errorf("LSB status 4 (unknown) reads as rc %d, want 1 (error)", r.RC)
	}
	if r := run(Agent{Class: "lsb", Type: "nosuch"}, "start", nil); r.Status != NotInstalled || r.RC != 5 {
		t.Errorf("missing init script: %+v", r)
	}
	if r := run(Agent{Class: "lsb", Type: "notexec"}, "start", nil); r.Status != ExecFailed || r.ExitReason == "" {
		t.Errorf("init script that is not executable: %+v", r)
	}
	if r := run(Agent{Class: "lsb", Type: "../svc"}, "start", nil); r.RC != 5 {
		t.Errorf("a name with a slash must not reach outside the init directory: %+v", r)
	}
}

// TestFenceAgent runs a fence agent written here: it reads its action
// and parameters on stdin; start and a recurring monitor ask the device,
// stop runs nothing; a probe says whether the device was started here
// (as Pacemaker's executor does); its meta-data is read with -o metadata.
func TestFenceAgent(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "input")
	agent := `#!/bin/sh
if [ "$1" = "-o" ] && [ "$2" = "metadata" ]; then
cat <<'XML'
<?xml version="1.0" ?>
<resource-agent name="fence_test" shortdesc="Fence agent for tests">
<parameters>
<parameter name="ip" unique="0" required="1"><content type="string"/><shortdesc lang="en">Address of the device</shortdesc></parameter>
</parameters>
<actions><action name="monitor" timeout="20s"/></actions>
</resource-agent>
XML
exit 0
fi
cat > ` + log + `
grep -q '^ip=192.0.2.1$' ` + log + ` || exit 1
exit 0
`
	os.WriteFile(filepath.Join(dir, "fence_test"), []byte(agent), 0o755)
	p := &Process{FenceDir: dir}
	a := Agent{Class: "stonith", Type: "fence_test"}
	run := func(action string, params map[string]string) Result {
		op := Op{Resource: "f", Agent: a, Action: action, Params: params, Timeout: 5 * time.Second}
		if action == "monitor" {
			op.Interval = time.Minute
		}
		return p.Exec(context.Background(), op)
	}
	probe := func() int {
		return p.Exec(context.Background(), Op{Resource: "f", Agent: a, Action: "monitor", Params: map[string]string{"ip": "192.0.2.1"}}).RC
	}
	if rc := probe(); rc != 7 {
		t.Errorf("probe of a device never started here: rc %d, want 7", rc)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("the probe ran the fence agent")
	}
	if r := run("start", map[string]string{"ip": "192.0.2.1"}); r.RC != 0 {
		t.Fatalf("start: %+v", r)
	}
	if in, _ := os.ReadFile(log); string(in) != "action=monitor\nip=192.0.2.1\n" {
		t.Errorf("the agent read %q on stdin", in)
	}
	if rc := probe(); rc != 0 {
		t.Errorf("probe of a started device: rc %d, want 0", rc)
	}
	if r := run("monitor", map[string]string{"ip": "198.51.100.9"}); r.RC != 1 {
		t.Errorf("a device that does not answer: rc %d, want 1", r.RC)
	}
	os.Remove(log)
	if r := run("stop", nil); r.RC != 0 {
		t.Errorf("stop: %+v", r)
	}
	if rc := probe(); rc != 7 {
		t.Errorf("probe of a stopped device: rc %d, want 7", rc)
	}
	if _, err := os.Stat(log); err == nil {
		t.Error("stop ran the fence agent")
	}
	md, err := p.MetaData(context.Background(), a)
	if err != nil || len(md.Parameters) != 1 || md.Parameters[0].Name != "ip" || !md.Parameters[0].Required {
		t.Errorf("meta-data: %+v, %v", md, err)
	}
	if r := run("start", map[string]string{"ip": "1\naction=off"}); r.Status != ExecFailed {
		t.Errorf("a parameter with a newline must not reach the agent's stdin: %+v", r)
	}
}

// TestStatefulAgent runs the shipped ocf:pacer:Stateful through its roles:
// monitor says 0 unpromoted, 8 promoted, 7 stopped, and the promotion
// score it sets goes through $PACER_BIN crm_attribute.
func TestStatefulAgent(t *testing.T) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	fake := "#!/bin/sh\necho \"$*\" >> " + calls + "\n"
	os.WriteFile(filepath.Join(dir, "pacer"), []byte(fake), 0o755)
	root, _ := filepath.Abs("ocf")
	p := &Process{OCFRoots: []string{root}, RunDir: dir, Env: map[string]string{"PACER_BIN": filepath.Join(dir, "pacer")}}
	op := Op{Resource: "st", Agent: Agent{"ocf", "pacer", "Stateful"}, Node: "node1", Timeout: 5 * time.Second}
	for _, step := range []struct {
		action string
		rc     int
	}{{"monitor", 7}, {"start", 0}, {"monitor", 0}, {"promote", 0}, {"monitor", 8}, {"demote", 0}, {"monitor", 0}, {"stop", 0}, {"monitor", 7}} {
		op.Action = step.action
		if r := p.Exec(context.Background(), op); r.RC != step.rc {
			t.Fatalf("%s: rc %d (%s) %s", step.action, r.RC, r.ExitReason, r.Output)
		}
	}
	got, _ := os.ReadFile(calls)
	for _, want := range []string{"crm_attribute -N node1 -n master-st -l reboot -v 5", "crm_attribute -N node1 -n master-st -l reboot -v 10",
		"crm_attribute -N node1 -n master-st -l reboot -D"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the agent did not run %q; it ran:\n%s", want, got)
		}
	}
	md, err := p.MetaData(context.Background(), op.Agent)
	if err != nil || len(md.Actions) == 0 {
		t.Errorf("meta-data: %v", err)
	}
}

// TestPingAgent: the shipped ocf:pacer:ping counts the hosts that answer
// (the parameter's, or ha.cf's ping lines) and sets the attribute.
func TestPingAgent(t *testing.T) {
	if _, err := os.Stat("/usr/bin/ping"); err != nil {
		if _, err := os.Stat("/bin/ping"); err != nil {
			t.Skip("ping is not installed")
		}
	}
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	os.WriteFile(filepath.Join(dir, "pacer"), []byte("#!/bin/sh\necho \"$*\" >> "+calls+"\n"), 0o755)
	hacf := filepath.Join(dir, "ha.cf")
	os.WriteFile(hacf, []byte("node n1\nping 127.0.0.1 # the router\nping_group uplinks 127.0.0.2 192.0.2.254\n"), 0o644)
	root, _ := filepath.Abs("ocf")
	p := &Process{OCFRoots: []string{root}, RunDir: dir, Env: map[string]string{"PACER_BIN": filepath.Join(dir, "pacer"), "PACER_HA_CF": hacf}}
	op := Op{Resource: "pingd", Agent: Agent{"ocf", "pacer", "ping"}, Node: "n1", Timeout: 20 * time.Second,
		Params: map[string]string{"multiplier": "100", "timeout": "1"}}
	for _, step := range []struct {
		action string
		rc     int
	}{{"monitor", 7}, {"start", 0}, {"monitor", 0}, {"stop", 0}, {"monitor", 7}} {
		op.Action = step.action
		if r := p.Exec(context.Background(), op); r.RC != step.rc {
			t.Fatalf("%s: rc %d (%s) %s", step.action, r.RC, r.ExitReason, r.Output)
		}
	}
	got, _ := os.ReadFile(calls)
	// 127.0.0.1 and 127.0.0.2 answer; 192.0.2.254 (TEST-NET-1) does not.
	for _, want := range []string{"crm_attribute -N n1 -n pingd -l reboot -v 200", "crm_attribute -N n1 -n pingd -l reboot -D"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the agent did not run %q; it ran:\n%s", want, got)
		}
	}
	op.Params = map[string]string{"host_list": "127.0.0.1", "name": "net"}
	op.Action = "start"
	if r := p.Exec(context.Background(), op); r.RC != 0 {
		t.Fatalf("start with host_list: %+v", r)
	}
	if got, _ := os.ReadFile(calls); !strings.Contains(string(got), "-n net -l reboot -v 1") {
		t.Errorf("host_list and name were not used:\n%s", got)
	}
	op.Params, op.Action = map[string]string{}, "start"
	p.Env["PACER_HA_CF"] = filepath.Join(dir, "none")
	if r := p.Exec(context.Background(), op); r.RC != 6 || r.ExitReason == "" {
		t.Errorf("no hosts at all must be a configuration error with a reason: %+v", r)
	}
}

// TestClusterGluePlugin runs cluster-glue's null STONITH plugin through
// the stonith command, its parameters in the environment: its status, a
// reset of a node it controls, its meta-data.
func TestClusterGluePlugin(t *testing.T) {
	if _, err := os.Stat(DefaultStonithCommand()); err != nil {
		t.Skip("cluster-glue is not installed")
	}
	p := &Process{}
	null := Agent{Class: "stonith", Type: "null"}
	params := map[string]string{"hostlist": "node1 node2", "pcmk_host_list": "node1 node2"}
	for _, step := range []struct {
		action string
		params map[string]string
		rc     int
		status Status
		reason string
	}{
		{"start", params, 0, Done, ""},
		{"monitor", params, 0, Done, ""},
		{"reboot", map[string]string{"hostlist": "node1 node2", "port": "node2"}, 0, Done, ""},
		{"off", params, 2, ExecFailed, "no node named"},
		{"stop", nil, 0, Done, ""},
	} {
		r := p.Exec(context.Background(), Op{Resource: "st", Agent: null, Action: step.action, Params: step.params, Timeout: 10 * time.Second})
		if r.RC != step.rc || r.Status != step.status || !strings.Contains(r.ExitReason, step.reason) {
			t.Errorf("%s: rc %d (%s) %q %q", step.action, r.RC, r.Status, r.ExitReason, r.Output)
		}
	}
	md, err := p.MetaData(context.Background(), null)
	if err != nil || len(md.Parameters) == 0 || md.Parameters[0].Name != "hostlist" || !md.Parameters[0].Required {
		t.Errorf("meta-data: %v %+v", err, md)
	}
	r := p.Exec(context.Background(), Op{Resource: "st", Agent: Agent{Class: "stonith", Type: "external/nosuch"}, Action: "start"})
	if r.Status != NotInstalled || !strings.Contains(r.ExitReason, "stonith -L") {
		t.Errorf("a missing plugin: %+v", r)
	}
}

// TestSystemdClass: without systemd as PID 1 a systemd unit cannot run,
// and says so; the service class falls back to the LSB init script.
func TestSystemdClass(t *testing.T) {
	if SystemdRunning() {
		t.Skip("systemd runs here: units would really start")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "svc"), []byte("#!/bin/sh\n[ \"$1\" = status ] && exit 3; exit 0\n"), 0o755)
	p := &Process{InitDir: dir}
	r := p.Exec(context.Background(), Op{Resource: "r", Agent: Agent{Class: "systemd", Type: "nginx"}, Action: "start"})
	if r.Status != NotInstalled || !strings.Contains(r.ExitReason, "systemd is not running on this host") || !strings.Contains(r.ExitReason, "use lsb:nginx") {
		t.Errorf("systemd without systemd: %+v", r)
	}
	for action, rc := range map[string]int{"monitor": 7, "start": 0} {
		r := p.Exec(context.Background(), Op{Resource: "r", Agent: Agent{Class: "service", Type: "svc"}, Action: action})
		if r.RC != rc || r.Status != Done {
			t.Errorf("service:svc %s: %+v", action, r)
		}
	}
}

// TestShippedAnnounce runs the heartbeat-class example Pacer ships: it
// logs through logger and, as Heartbeat's ha_log did, to HA_LOGFILE.
func TestShippedAnnounce(t *testing.T) {
	dir := t.TempDir()
	logfile := filepath.Join(dir, "ha-log")
	p := &Process{HeartbeatDir: "resource.d", RunDir: filepath.Join(dir, "run"), Env: map[string]string{"HA_LOGFILE": logfile}}
	params := map[string]string{"1": "web tier", "2": "web"}
	run := func(action string) Result {
		return p.Exec(context.Background(), Op{Resource: "hello", Agent: Agent{Class: "heartbeat", Type: "Announce"}, Action: action, Params: params, Timeout: 5 * time.Second})
	}
	for _, step := range []struct {
		action string
		rc     int
		logged string
	}{
		{"monitor", 7, ""},
		{"start", 0, "web: web tier: started\n"},
		{"monitor", 0, ""},
		{"stop", 0, "web: web tier: stopped\n"},
		{"stop", 0, ""},
		{"monitor", 7, ""},
	} {
		before, _ := os.ReadFile(logfile)
		if r := run(step.action); r.RC != step.rc || r.Status != Done {
			t.Fatalf("%s: rc %d (%s) %q %q, want %d", step.action, r.RC, r.Status, r.ExitReason, r.Output, step.rc)
		}
		after, _ := os.ReadFile(logfile)
		added := string(after[len(before):])
		if step.logged == "" && added != "" || step.logged != "" && !strings.HasSuffix(added, step.logged) {
			t.Errorf("%s logged %q, want %q", step.action, added, step.logged)
		}
	} // A heartbeat script cannot describe itself: its header comment and
	// positional parameters stand in.
	md, err := p.MetaData(context.Background(), Agent{Class: "heartbeat", Type: "Announce"})
	if err != nil {
		t.Fatal(err)
	}
	if md.ShortDesc != "Announces a resource's start and stop in syslog (logger)" || len(md.Parameters) != 4 || md.Parameters[0].Name != "1" {
		t.Errorf("meta-data: %q, %d parameters", md.ShortDesc, len(md.Parameters))
	}
}
