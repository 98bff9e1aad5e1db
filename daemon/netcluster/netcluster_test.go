package netcluster

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests run real daemons on separate hosts (network namespaces on a
// bridge), Debian's ocf:heartbeat:IPaddr2 for the virtual IP, a small TCP
// service that answers with its host's name, and fence_pacer in its
// namespace mode as the fence device.

const (
	vip      = Subnet + ".200"
	svcPort  = 7777
	serveEnv = "PACER_TEST_SERVE_NAME"
)

var bin string

func TestMain(m *testing.M) {
	if name := os.Getenv(serveEnv); name != "" {
		serve(name) // the cluster's TCP service: this binary, re-executed
		return
	}
	dir, err := os.MkdirTemp("", "pacer-netcluster-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "pacer")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/pacer").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serve answers every connection on the service port with the host's name.
func serve(name string) {
	l, err := net.Listen("tcp", fmt.Sprintf(":%d", svcPort))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		fmt.Fprintln(c, name)
		c.Close()
	}
}

// setup creates n hosts and starts their daemons; the service script and
// agents' paths go into the daemons' environment.
func setup(t *testing.T, n int, timing Timing, keys map[string]string) *Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("creates network namespaces and starts daemons")
	}
	if err := Usable(); err != nil {
		t.Skip(err)
	}
	if _, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/IPaddr2"); err != nil {
		t.Skip("Debian's resource-agents is not installed")
	}
	dir := t.TempDir()
	prefix := fmt.Sprintf("pt%d%s-", os.Getpid()%100000, strings.ToLower(string(rune('a'+len(t.Name())%26))))
	c, err := Create(prefix, dir, bin, n, timing, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("PACER_TEST_LOGS") != "" {
			for _, node := range c.Nodes {
				b, _ := os.ReadFile(filepath.Join(dir, node, "pacer.log"))
				lines := strings.Split(string(b), "\n")
				if len(lines) > 40 && os.Getenv("PACER_TEST_LOGS") == "" {
					lines = lines[len(lines)-40:]
				}
				t.Logf("--- %s log (tail):\n%s", node, strings.Join(lines, "\n"))
				svc, _ := os.ReadFile(filepath.Join(dir, node, "run", "vipsvc.log"))
				t.Logf("--- %s service log:\n%s", node, svc)
			}
		}
		c.Destroy()
	})
	initDir := filepath.Join(dir, "init.d")
	os.MkdirAll(initDir, 0o755)
	self, _ := os.Executable()
	script := `#!/bin/sh
# The test's TCP service, an LSB init script.
pidf=$HA_RSCTMP/vipsvc.pid
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
case "$1" in
start)
	running && exit 0
	` + serveEnv + `=$(basename "$(dirname "$HA_RSCTMP")") setsid ` + self + ` >>"$HA_RSCTMP/vipsvc.log" 2>&1 </dev/null &
	echo $! >"$pidf"
	exit 0 ;;
stop)
	running && kill "$(cat "$pidf")"
	rm -f "$pidf"
	exit 0 ;;
status)
	running && exit 0
	exit 3 ;;
*) exit 3 ;;
esac
`
	os.WriteFile(filepath.Join(initDir, "vipsvc"), []byte(script), 0o755)
	agentsDir, _ := filepath.Abs("../../agents/ocf")
	c.Env = []string{"PACER_INIT_DIR=" + initDir, "PACER_OCF_ROOTS=" + agentsDir + ":/usr/lib/ocf"}
	for _, node := range c.Nodes {
		if err := c.Start(node); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *Cluster) crm(t *testing.T, node string, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(filepath.Dir(bin), "pacer"), append([]string{"crm"}, args...)...)
	cmd.Env = append(append(os.Environ(), c.Env...), "PACER_SOCKET="+c.Socket(node))
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func eventually(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	last := ""
	for time.Since(start) < limit {
		ok, s := cond()
		if ok {
			return time.Since(start)
		}
		last = s
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v; last: %s", what, limit, last)
	return 0
}

// online waits until node's status shows every listed node online.
func (c *Cluster) online(t *testing.T, node string, nodes ...string) {
	t.Helper()
	eventually(t, 30*time.Second, "nodes online", func() (bool, string) {
		out, err := c.crm(t, node, "", "status")
		if err != nil {
			return false, out
		}
		want := "Online: [ " + strings.Join(nodes, " ") + " ]"
		return strings.Contains(out, want) && strings.Contains(out, "partition with quorum"), out
	})
}

// probe asks the service at the VIP, from the client host, which host
// answers. It runs on a thread of its own that joined the client
// namespace.
type probe struct {
	mu      sync.Mutex
	last    string
	at      time.Time
	changes []sample
	stop    chan struct{}
}

type sample struct {
	host string
	at   time.Time
}

func (c *Cluster) startProbe(t *testing.T) *probe {
	p := &probe{stop: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		f, err := os.Open("/run/netns/" + c.ClientNS())
		if err != nil {
			ready <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			ready <- err
			return
		}
		ready <- nil
		d := net.Dialer{Timeout: 100 * time.Millisecond}
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			host := ""
			if conn, err := d.Dial("tcp", net.JoinHostPort(vip, fmt.Sprint(svcPort))); err == nil {
				conn.SetDeadline(time.Now().Add(200 * time.Millisecond))
				line, _ := bufio.NewReader(conn).ReadString('\n')
				host = strings.TrimSpace(line)
				conn.Close()
			}
			now := time.Now()
			p.mu.Lock()
			if host != p.last {
				p.changes = append(p.changes, sample{host, now})
			}
			p.last, p.at = host, now
			p.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(p.stop) })
	return p
}

// answering is the host that answered the last probe ("" for none).
func (p *probe) answering() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

// answeredSince: the first time after t0 that a host other than old
// answered.
func (p *probe) answeredSince(t0 time.Time, old string) (string, time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.changes {
		if s.at.After(t0) && s.host != "" && s.host != old {
			return s.host, s.at, true
		}
	}
	return "", time.Time{}, false
}

// watchDual samples, every 100 ms, which hosts hold the VIP on a link
// that is up at both ends, and records any moment when two do.
func (c *Cluster) watchDual(t *testing.T) func() []string {
	var mu sync.Mutex
	var dual []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			var holders []string
			for _, node := range c.Nodes {
				if c.HasAddr(node, vip) && c.Connected(node) {
					holders = append(holders, node)
				}
			}
			if len(holders) > 1 {
				mu.Lock()
				dual = append(dual, time.Now().Format("15:04:05.000")+" "+strings.Join(holders, ","))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return dual
	}
}

// PowerOn boots a node that was powered off: its link comes up with only
// its own address (a boot forgets the VIP) and its daemon starts.
func (c *Cluster) PowerOn(node string) error {
	if err := ip("-n", c.NS(node), "addr", "flush", "dev", "eth0"); err != nil {
		return err
	}
	if err := ip("-n", c.NS(node), "addr", "add", c.Addr(node)+"/24", "dev", "eth0"); err != nil {
		return err
	}
	if err := ip("-n", c.NS(node), "link", "set", "eth0", "up"); err != nil {
		return err
	}
	return c.Start(node)
}

const vipConfig = `configure
primitive st stonith:fence_pacer params netns_prefix=%s pcmk_host_list="%s"
primitive vip ocf:heartbeat:IPaddr2 params ip=` + vip + ` cidr_netmask=24 nic=eth0 op monitor interval=1s timeout=20s
primitive svc lsb:vipsvc op monitor interval=1s timeout=20s
group g vip svc
rsc_defaults resource-stickiness=100
property stonith-enabled=true no-quorum-policy=stop
commit
`

// fast is the timing the acceptance asks for: keepalive 200ms, deadtime 1s.
var fast = Timing{Keepalive: "200ms", Deadtime: "1s", Initdead: "3s"}

func (c *Cluster) configureVIP(t *testing.T) string {
	t.Helper()
	c.online(t, "node1", c.Nodes...)
	if out, err := c.crm(t, "node1", fmt.Sprintf(vipConfig, c.Prefix, strings.Join(c.Nodes, " "))); err != nil {
		t.Fatalf("configure: %v\n%s", err, out)
	}
	var at string
	eventually(t, 30*time.Second, "the VIP answers", func() (bool, string) {
		out, _ := c.crm(t, "node1", "", "status")
		at = c.probeOnce()
		return at != "", out
	})
	return at
}

// probeOnce asks the VIP once, from the client namespace.
func (c *Cluster) probeOnce() string {
	out, _ := c.InClient("bash", "-c", fmt.Sprintf("exec 3<>/dev/tcp/%s/%d && timeout 1 head -1 <&3", vip, svcPort)).Output()
	return strings.TrimSpace(string(out))
}

// TestVIPAcrossHosts: three hosts, a VIP and a TCP service in a group. A
// partition 2|1 cuts the active host off: it stops its resources (no
// quorum), the majority fences it and takes over. The fenced host boots
// and rejoins; then the active host's daemon is SIGKILLed: it is fenced
// and the VIP answers from a survivor. At no sampled moment do two hosts
// hold the VIP.
func TestVIPAcrossHosts(t *testing.T) {
	c := setup(t, 3, fast, nil)
	first := c.configureVIP(t)
	p := c.startProbe(t)
	dual := c.watchDual(t)
	defer func() {
		if d := dual(); len(d) > 0 {
			t.Errorf("two hosts held the VIP at once: %v", d)
		}
	}()

	// Partition 2|1.
	t0 := time.Now()
	if err := c.Cut(first); err != nil {
		t.Fatal(err)
	}
	var second string
	eventually(t, 30*time.Second, "the majority takes the VIP over from "+first, func() (bool, string) {
		h, at, ok := p.answeredSince(t0, first)
		if ok {
			second = h
			t.Logf("partition: %s cut off; the VIP answered from %s after %v", first, h, at.Sub(t0).Round(time.Millisecond))
		}
		return ok, p.answering()
	})
	// The cut-off host was fenced by the majority: powered off.
	eventually(t, 10*time.Second, first+" fenced", func() (bool, string) {
		out, _ := exec.Command("ip", "netns", "pids", c.NS(first)).Output()
		return len(bytes.TrimSpace(out)) == 0, string(out)
	})
	majority := c.other(first)
	out, _ := c.crm(t, majority, "", "status")
	if !strings.Contains(out, "OFFLINE: [ "+first+" ]") {
		t.Errorf("status after the partition:\n%s", out)
	}

	// The fenced host boots and rejoins; the VIP stays (stickiness).
	c.Heal(first)
	if err := c.PowerOn(first); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...) // every host has joined, the rebooted one too
	}
	if h := c.probeOnce(); h != second {
		t.Fatalf("after %s rejoined the VIP answers from %q, want %s", first, h, second)
	}

	// SIGKILL of the active host's daemon.
	t1 := time.Now()
	if err := c.KillDaemon(second); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "a survivor takes the VIP over from "+second, func() (bool, string) {
		h, at, ok := p.answeredSince(t1, second)
		if ok {
			t.Logf("daemon of %s killed; the VIP answered from %s after %v", second, h, at.Sub(t1).Round(time.Millisecond))
		}
		return ok, p.answering()
	})
}

// other returns a node other than not.
func (c *Cluster) other(not ...string) string {
	nodes := append([]string{}, c.Nodes...)
	sort.Strings(nodes)
	for _, n := range nodes {
		skip := false
		for _, x := range not {
			skip = skip || n == x
		}
		if !skip {
			return n
		}
	}
	return ""
}

// TestFailoverTimes is the failover benchmark (bench/failover.sh runs it):
// PACER_FAILOVER_RUNS times, the host holding the VIP is powered off (its
// link goes down and everything on it dies at once), and the time until
// the VIP answers from another host is measured. It prints min, median
// and max.
func TestFailoverTimes(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("PACER_FAILOVER_RUNS"))
	if runs <= 0 {
		t.Skip("a benchmark: set PACER_FAILOVER_RUNS (bench/failover.sh does)")
	}
	c := setup(t, 3, fast, nil)
	c.configureVIP(t)
	p := c.startProbe(t)
	var times []time.Duration
	for i := 0; i < runs; i++ {
		for _, n := range c.Nodes {
			c.online(t, n, c.Nodes...)
		}
		active := c.probeOnce()
		if active == "" {
			t.Fatal("the VIP does not answer")
		}
		t0 := time.Now()
		c.PowerOff(active)
		eventually(t, 30*time.Second, "the VIP answers after "+active+" failed", func() (bool, string) {
			h, at, ok := p.answeredSince(t0, active)
			if ok {
				times = append(times, at.Sub(t0))
				t.Logf("run %d: %s powered off; the VIP answered from %s after %v", i+1, active, h, at.Sub(t0).Round(time.Millisecond))
			}
			return ok, p.answering()
		})
		if err := c.PowerOn(active); err != nil {
			t.Fatal(err)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	fmt.Printf("pacer failover (keepalive %s, deadtime %s, %d runs): min %v median %v max %v\n", fast.Keepalive, fast.Deadtime, len(times),
		times[0].Round(time.Millisecond), median.Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
}
