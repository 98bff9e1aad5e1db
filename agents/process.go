package agents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultTimeout applies to an operation without its own.
const DefaultTimeout = 20 * time.Second

// Process is the real Executor: it runs agents as child processes, each in
// its own process group so that a timeout kills the agent and everything
// it started.
type Process struct {
	OCFRoots []string // nil: DefaultOCFRoots()
	// InitDir holds LSB init scripts (default /etc/init.d); HeartbeatDir
	// heartbeat-class scripts (default DefaultHeartbeatDirs()).
	InitDir, HeartbeatDir string
	FenceDir              string // fence_* agents (default DefaultFenceDir())
	// Env is passed to OCF agents besides the OCF variables: the daemon
	// tells them how to reach it (PACER_BIN, PACER_SOCKET), for the
	// attributes they set (a promotable agent's promotion score).
	Env       map[string]string
	RunDir    string // HA_RSCTMP: volatile agent state
	Logger    *slog.Logger
	MaxOutput int // bytes of output kept per operation; default 64 KiB

	mu   sync.Mutex
	meta map[string]metaCache
	// devices are the fence devices started here. As Pacemaker's
	// executor does, a device counts as running only between its start
	// and its stop on this node: a probe of one never started here says
	// "not running" without asking the agent, whose monitor only checks
	// that the device answers.
	devices map[string]bool
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Exec runs one operation.
func (p *Process) Exec(ctx context.Context, op Op) Result {
	start := time.Now()
	res := p.exec(ctx, op)
	res.Started, res.Duration = start, time.Since(start)
	if p.Logger != nil {
		p.Logger.Info("agent", "resource", op.Resource, "agent", op.Agent.String(), "action", op.Action,
			"interval", op.Interval, "rc", res.RC, "status", res.Status.String(), "took", res.Duration.Round(time.Millisecond))
	}
	return res
}

func (p *Process) roots() []string {
	if p.OCFRoots != nil {
		return p.OCFRoots
	}
	return DefaultOCFRoots()
}

func (p *Process) exec(ctx context.Context, op Op) Result {
	if op.Agent.Class == "stonith" {
		return p.execDevice(ctx, op)
	}
	return p.run(ctx, op)
}

// execDevice keeps track of the fence devices started here.
func (p *Process) execDevice(ctx context.Context, op Op) Result {
	p.mu.Lock()
	started := p.devices[op.Resource]
	p.mu.Unlock()
	switch {
	case op.Action == "monitor" && !started:
		return Result{RC: 7, Status: Done}
	case op.Action == "monitor" && op.Interval == 0:
		return Result{Status: Done}
	case op.Action != "start" && op.Action != "stop":
		return p.run(ctx, op)
	}
	res := p.run(ctx, op)
	if res.Status == Done && res.RC == 0 {
		p.mu.Lock()
		if p.devices == nil {
			p.devices = map[string]bool{}
		}
		p.devices[op.Resource] = op.Action == "start"
		p.mu.Unlock()
	}
	return res
}

// run runs one operation's agent.
func (p *Process) run(ctx context.Context, op Op) Result {
	inv, fail := p.prepare(op)
	if fail != nil {
		return *fail
	}
	path := inv.path
	timeout := op.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.Command(path, inv.args...)
	if inv.argv0 != "" {
		cmd.Args[0] = inv.argv0
	}
	cmd.Env = inv.env
	if inv.stdin != "" {
		cmd.Stdin = strings.NewReader(inv.stdin)
	}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &boundedBuffer{max: p.maxOutput()}
	var stderr boundedBuffer
	stderr.max = p.maxOutput()
	cmd.Stdout = out
	cmd.Stderr = &teeBuffer{a: out, b: &stderr}
	// Output pipes held open by what the agent left running (IPaddr2's
	// background send_arp, a daemon an init script started) must not
	// delay the result: once the agent has exited, what it wrote is read
	// within moments.
	cmd.WaitDelay = 100 * time.Millisecond
	if err := cmd.Start(); err != nil {
		return Result{RC: 5, Status: ExecFailed, ExitReason: fmt.Sprintf("cannot run %s: %v", path, err)}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var werr error
	timedOut := false
	select {
	case werr = <-done:
	case <-ctx.Done():
		timedOut = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		werr = <-done
	}
	// An agent that ended by itself keeps what it started: init scripts
	// start daemons with a plain '&', which share the agent's group.
	res := Result{Output: out.String(), ExitReason: exitReason(stderr.String())}
	if timedOut {
		res.RC, res.Status = 1, TimedOut
		if res.ExitReason == "" {
			res.ExitReason = fmt.Sprintf("%s %s timed out after %v", op.Resource, op.Action, timeout)
		}
		return res
	}
	var ee *exec.ExitError
	switch {
	case werr == nil, errors.Is(werr, exec.ErrWaitDelay):
	case errors.As(werr, &ee):
		res.RC = ee.ExitCode()
		if res.RC < 0 { // killed by a signal
			res.RC, res.Status = 1, ExecFailed
			res.ExitReason = fmt.Sprintf("%s was killed: %v", path, werr)
		}
	default:
		res.RC, res.Status = 1, ExecFailed
		res.ExitReason = fmt.Sprintf("%s: %v", path, werr)
	}
	if inv.remap != nil && res.Status == Done {
		res = inv.remap(res)
	}
	return res
}

// invocation is how an operation runs: the program, its arguments, its
// environment and stdin, and how its result reads as an OCF one.
type invocation struct {
	path  string
	argv0 string // the name the program is called by, when not path
	args  []string
	env   []string
	stdin string
	remap func(Result) Result
}

// prepare resolves an operation to its invocation by the agent's class,
// or to the result of an operation that cannot run.
func (p *Process) prepare(op Op) (*invocation, *Result) {
	failed := func(rc int, st Status, reason string) (*invocation, *Result) {
		return nil, &Result{RC: rc, Status: st, ExitReason: reason}
	}
	switch op.Agent.Class {
	case "ocf":
		path, root, err := FindOCF(p.roots(), op.Agent.Provider, op.Agent.Type)
		if err != nil {
			return failed(5, NotInstalled, err.Error())
		}
		if r := executable(op.Agent, path); r != nil {
			return nil, r
		}
		env, err := p.environment(op, root)
		if err != nil {
			return failed(2, ExecFailed, err.Error())
		}
		return &invocation{path: path, args: []string{op.Action}, env: env}, nil
	case "lsb":
		return p.prepareLSB(op)
	case "heartbeat":
		path, err := FindHeartbeat(heartbeatDirs(p.HeartbeatDir), op.Agent.Type)
		if err != nil {
			return failed(5, NotInstalled, err.Error())
		}
		if r := executable(op.Agent, path); r != nil {
			return nil, r
		}
		action := op.Action
		if action == "monitor" {
			action = "status"
		}
		// Arguments come from the parameters named 1, 2, ... in order.
		var args []string
		for i := 1; ; i++ {
			v, ok := op.Params[strconv.Itoa(i)]
			if !ok {
				break
			}
			args = append(args, v)
		}
		return &invocation{path: path, args: append(args, action), env: p.plainEnvironment(), remap: heartbeatResult(op.Action)}, nil
	case "stonith":
		return p.prepareStonith(op)
	case "systemd", "service":
		return p.prepareSystemd(op)
	}
	return failed(3, ExecFailed, fmt.Sprintf("agent class %q is not supported (ocf, lsb, heartbeat, stonith, service and systemd are)", op.Agent.Class))
}

// prepareLSB runs an init script: monitor is its status.
func (p *Process) prepareLSB(op Op) (*invocation, *Result) {
	if strings.ContainsAny(op.Agent.Type, "/\x00") || op.Agent.Type == "" {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("lsb:%s: invalid name", op.Agent.Type)}
	}
	path := filepath.Join(orDefault(p.InitDir, DefaultInitDir()), op.Agent.Type)
	if r := executable(op.Agent, path); r != nil {
		return nil, r
	}
	action := op.Action
	switch action {
	case "monitor":
		action = "status"
	case "meta-data":
		return nil, &Result{Status: Done} // answered by MetaData from the script's header
	}
	return &invocation{path: path, args: []string{action}, env: p.plainEnvironment(), remap: lsbResult(op.Action)}, nil
}

// executable checks that an agent's file exists and may be run.
func executable(a Agent, path string) *Result {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("%s %s is not installed (%s not found)", a.Class, a.Type, path)}
	case st.Mode().Perm()&0o111 == 0:
		return &Result{RC: 5, Status: ExecFailed, ExitReason: fmt.Sprintf("%s is not executable (run: chmod +x %s)", path, path)}
	}
	return nil
}

// plainEnvironment is what LSB and heartbeat scripts run with: a safe
// PATH and the C locale, HA_RSCTMP (Heartbeat's directory for volatile
// resource state) and Heartbeat's logging settings when the daemon has
// them (ha.cf's logfacility, logfile, debugfile), nothing else of the
// cluster's.
func (p *Process) plainEnvironment() []string {
	env := []string{"LANG=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	if p.RunDir != "" && os.MkdirAll(p.RunDir, 0o755) == nil {
		env = append(env, "HA_RSCTMP="+p.RunDir)
	}
	for _, k := range []string{"HA_LOGFACILITY", "HA_LOGFILE", "HA_DEBUGLOG"} {
		if v := p.Env[k]; v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// lsbResult reads an init script's exit code as OCF: status by the LSB
// status codes (0 running; 1, 2, 3 not running; 4 and the rest an
// error); start and stop by the LSB action codes, which match OCF's,
// a stop of what is not running counting as done.
func lsbResult(action string) func(Result) Result {
	return func(r Result) Result {
		switch {
		case action == "monitor" || action == "status":
			switch r.RC {
			case 0:
			case 1, 2, 3:
				r.RC = 7
			default:
				r.RC = 1
			}
		case action == "stop" && r.RC == 7:
			r.RC = 0
		}
		return r
	}
}

// heartbeatResult reads a heartbeat-class script's result: its status
// by what it prints ("running" or "OK": running; "stopped" or "No": not),
// start and stop by exit code 0 or an error.
func heartbeatResult(action string) func(Result) Result {
	return func(r Result) Result {
		if action != "monitor" && action != "status" {
			if r.RC != 0 {
				r.RC = 1
			}
			return r
		}
		out := strings.ToLower(r.Output)
		switch {
		case strings.Contains(out, "running") || strings.Contains(r.Output, "OK"):
			r.RC = 0
		case strings.Contains(out, "stopped") || strings.Contains(r.Output, "No"):
			r.RC = 7
		case r.RC != 0:
			r.RC = 1
		}
		return r
	}
}

func (p *Process) maxOutput() int {
	if p.MaxOutput > 0 {
		return p.MaxOutput
	}
	return 64 << 10
}

// environment builds the agent's environment as Pacemaker does; the agent
// inherits nothing else but a safe PATH.
func (p *Process) environment(op Op, root string) ([]string, error) {
	timeout := op.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	env := map[string]string{
		"PATH":                       "/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG":                       "C",
		"OCF_ROOT":                   root,
		"OCF_RA_VERSION_MAJOR":       "1",
		"OCF_RA_VERSION_MINOR":       "1",
		"OCF_RESOURCE_INSTANCE":      op.Resource,
		"OCF_RESOURCE_TYPE":          op.Agent.Type,
		"OCF_RESOURCE_PROVIDER":      op.Agent.Provider,
		"OCF_EXIT_REASON_PREFIX":     "ocf-exit-reason:",
		"OCF_RESKEY_crm_feature_set": "3.16.1",
	}
	if p.RunDir != "" {
		if err := os.MkdirAll(p.RunDir, 0o755); err != nil {
			return nil, fmt.Errorf("run directory: %w", err)
		}
		env["HA_RSCTMP"] = p.RunDir
	}
	for k, v := range p.Env {
		env[k] = v
	}
	for k, v := range op.Params {
		if !envName.MatchString(k) {
			return nil, fmt.Errorf("parameter name %q cannot be passed to an agent", k)
		}
		env["OCF_RESKEY_"+k] = v
		if k == "OCF_CHECK_LEVEL" {
			env[k] = v // an operation's depth is read under its own name
		}
	}
	for k, v := range op.Meta {
		k = strings.ReplaceAll(k, "-", "_")
		if !envName.MatchString(k) {
			return nil, fmt.Errorf("meta attribute %q cannot be passed to an agent", k)
		}
		env["OCF_RESKEY_CRM_meta_"+k] = v
	}
	env["OCF_RESKEY_CRM_meta_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	env["OCF_RESKEY_CRM_meta_interval"] = strconv.FormatInt(op.Interval.Milliseconds(), 10)
	env["OCF_RESKEY_CRM_meta_name"] = op.Action
	if op.Node != "" {
		env["OCF_RESKEY_CRM_meta_on_node"] = op.Node
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// exitReason is the text after the last ocf-exit-reason: prefix.
func exitReason(stderr string) string {
	reason := ""
	for _, line := range strings.Split(stderr, "\n") {
		if i := strings.Index(line, "ocf-exit-reason:"); i >= 0 {
			reason = strings.TrimSpace(line[i+len("ocf-exit-reason:"):])
		}
	}
	return reason
}

// boundedBuffer keeps the head and the tail of what is written to it.
type boundedBuffer struct {
	mu      sync.Mutex
	max     int
	head    bytes.Buffer
	tail    []byte
	dropped int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	half := b.max / 2
	if room := half - b.head.Len(); room > 0 {
		k := min(room, len(p))
		b.head.Write(p[:k])
		p = p[k:]
	}
	b.tail = append(b.tail, p...)
	if over := len(b.tail) - half; over > 0 {
		b.dropped += over
		b.tail = append(b.tail[:0], b.tail[over:]...)
	}
	return n, nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped == 0 {
		return b.head.String() + string(b.tail)
	}
	return fmt.Sprintf("%s\n... %d bytes omitted ...\n%s", b.head.String(), b.dropped, b.tail)
}

type teeBuffer struct{ a, b *boundedBuffer }

func (t *teeBuffer) Write(p []byte) (int, error) {
	t.a.Write(p)
	return t.b.Write(p)
}
