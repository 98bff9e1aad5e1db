package netcluster

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/daemon"
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
		// Short tries, often: a try sent while the VIP was nowhere waits
		// out its timeout, which would count against the failover time.
		d := net.Dialer{Timeout: 50 * time.Millisecond}
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
			time.Sleep(10 * time.Millisecond)
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
				if c.HoldsOnLink(node, vip) {
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

// vipConfig is the group of the VIP and the service; with fencing, a
// fence_pacer device, stonith-enabled and no-quorum-policy=stop, without,
// the classic two-node setup.
func (c *Cluster) vipConfig(fencing bool) string {
	s := "configure\n"
	if fencing {
		s += fmt.Sprintf("primitive st stonith:fence_pacer params netns_prefix=%s pcmk_host_list=\"%s\"\n", c.Prefix, strings.Join(c.Nodes, " "))
	}
	s += `primitive vip ocf:heartbeat:IPaddr2 params ip=` + vip + ` cidr_netmask=24 nic=eth0 op monitor interval=1s timeout=20s
primitive svc lsb:vipsvc op monitor interval=1s timeout=20s
group g vip svc
rsc_defaults resource-stickiness=100
`
	if fencing {
		s += "property stonith-enabled=true no-quorum-policy=stop\n"
	} else {
		s += "property stonith-enabled=false no-quorum-policy=ignore\n"
	}
	return s + "commit\n"
}

// fast is the timing the acceptance asks for: keepalive 200ms, deadtime 1s.
var fast = Timing{Keepalive: "200ms", Deadtime: "1s", Initdead: "3s"}

func (c *Cluster) configureVIP(t *testing.T, fencing bool) string {
	t.Helper()
	c.online(t, "node1", c.Nodes...)
	if out, err := c.crm(t, "node1", c.vipConfig(fencing)); err != nil {
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
	first := c.configureVIP(t, true)
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
	c.configureVIP(t, true)
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
		t.Logf("run %d: %s powered off at %s", i+1, active, t0.UTC().Format("15:04:05.000"))
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
	fmt.Printf("pacer failover (keepalive %s, deadtime %s, %d runs): %s\n", fast.Keepalive, fast.Deadtime, len(times), spread(times))
}

// spread is "min A median B max C" of some times.
func spread(times []time.Duration) string {
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	return fmt.Sprintf("min %v median %v max %v", times[0].Round(time.Millisecond), median.Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
}

// failover powers the host answering on the VIP off and waits until
// another answers; it returns the new one.
func (c *Cluster) failover(t *testing.T, p *probe) string {
	t.Helper()
	active := p.answering()
	if active == "" {
		t.Fatal("the VIP does not answer")
	}
	t0 := time.Now()
	c.PowerOff(active)
	var now string
	eventually(t, 30*time.Second, "the VIP answers after "+active+" failed", func() (bool, string) {
		h, at, ok := p.answeredSince(t0, active)
		if ok {
			now = h
			t.Logf("%s powered off; the VIP answered from %s after %v", active, h, at.Sub(t0).Round(time.Millisecond))
		}
		return ok, p.answering()
	})
	return now
}

// property reads a cluster property through a node.
func (c *Cluster) property(t *testing.T, node, name string) string {
	t.Helper()
	out, err := c.crm(t, node, "", "configure", "show", "cib-bootstrap-options")
	if err != nil {
		return ""
	}
	for _, f := range strings.Fields(strings.ReplaceAll(out, "\\", " ")) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestTwoNode: the classic two-node cluster (no fencing,
// no-quorum-policy=ignore). Either node's death moves the resources; when
// both go down and come back in the wrong order (the one with the older
// CIB first), they converge on the newest CIB: nothing committed is lost.
func TestTwoNode(t *testing.T) {
	c := setup(t, 2, fast, nil)
	c.configureVIP(t, false)
	p := c.startProbe(t)
	eventually(t, 10*time.Second, "the probe sees the VIP", func() (bool, string) { return p.answering() != "", "" })
	first := p.answering()
	second := c.failover(t, p)
	if err := c.PowerOn(first); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...)
	}
	if back := c.failover(t, p); back != first {
		t.Fatalf("after %s failed the VIP answered from %s", second, back)
	}
	if err := c.PowerOn(second); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...)
	}

	// Both down, the newer CIB on node1 only; node2 comes back first.
	if out, err := c.crm(t, "node1", "", "configure", "property", "marker=both"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	eventually(t, 10*time.Second, "node2 has the change", func() (bool, string) {
		v := c.property(t, "node2", "marker")
		return v == "both", v
	})
	c.PowerOff("node2")
	eventually(t, 10*time.Second, "node1 alone", func() (bool, string) {
		out, _ := c.crm(t, "node1", "", "status")
		return strings.Contains(out, "OFFLINE: [ node2 ]"), out
	})
	if out, err := c.crm(t, "node1", "", "configure", "property", "marker=node1-only"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	c.PowerOff("node1")
	if err := c.PowerOn("node2"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second) // past initdead: node2 runs alone a while
	if err := c.PowerOn("node1"); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...)
	}
	for _, n := range c.Nodes {
		eventually(t, 10*time.Second, n+" has the newest CIB", func() (bool, string) {
			v := c.property(t, n, "marker")
			return v == "node1-only", v
		})
	}
	eventually(t, 20*time.Second, "the VIP answers again", func() (bool, string) { return c.probeOnce() != "", "" })
}

// inNS runs fn on a thread that joined namespace ns.
func inNS(ns string, fn func() error) error {
	f, err := os.Open("/run/netns/" + ns)
	if err != nil {
		return err
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	return <-done
}

// capture records, on the switch, the heartbeat datagrams node sends
// for a while: what an attacker on the wire could replay.
func (c *Cluster) capture(node string, d time.Duration) ([][]byte, error) {
	var out [][]byte
	src := net.ParseIP(c.Addr(node)).To4()
	err := inNS(c.switchNS(), func() error {
		ifc, err := net.InterfaceByName(c.port(node, 0))
		if err != nil {
			return err
		}
		proto := uint16(0x0300) // ETH_P_ALL in network byte order
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(proto))
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifc.Index}); err != nil {
			return err
		}
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 100000})
		buf := make([]byte, 65536)
		for end := time.Now().Add(d); time.Now().Before(end); {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil || n < 14+20+8 || buf[12] != 0x08 || buf[13] != 0x00 { // IPv4 frames only
				continue
			}
			ipHdr := buf[14:n]
			ihl := int(ipHdr[0]&0x0f) * 4
			if ipHdr[9] != unix.IPPROTO_UDP || !net.IP(ipHdr[12:16]).Equal(src) || len(ipHdr) < ihl+8 {
				continue
			}
			udp := ipHdr[ihl:]
			if int(udp[2])<<8|int(udp[3]) != 694 {
				continue
			}
			out = append(out, append([]byte(nil), udp[8:]...))
		}
		return nil
	})
	return out, err
}

// TestWrongKeyAndFlood: a node with the wrong authkeys is rejected (its
// packets counted) and never joins, while the others keep working; a
// flood of forged packets and of replayed real ones, sent from another
// host, does not disturb membership.
func TestWrongKeyAndFlood(t *testing.T) {
	c := setup(t, 3, fast, map[string]string{"node3": "auth 2\n2 sha256 not-the-cluster-secret\n"})
	good := []string{"node1", "node2"}
	for _, n := range good {
		c.online(t, n, good...)
	}
	if out, err := c.crm(t, "node1", "configure\nproperty stonith-enabled=false\nprimitive d1 ocf:pacer:Dummy op monitor interval=1s\ncommit\n"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	eventually(t, 20*time.Second, "d1 runs on node1 or node2", func() (bool, string) {
		out, _ := c.crm(t, "node2", "", "status")
		return regexp.MustCompile(`d1\s.*Started node[12]`).MatchString(out), out
	})
	info := func(node string) daemon.Info {
		t.Helper()
		i, err := daemon.Client{Socket: c.Socket(node), Timeout: 5 * time.Second}.Info()
		if err != nil {
			t.Fatal(err)
		}
		return *i
	}
	if i := info("node1"); i.BadAuth == 0 || strings.Contains(strings.Join(i.Members, " "), "node3") {
		t.Errorf("node1 with node3 on the wrong key: members %v, %d rejected", i.Members, i.BadAuth)
	}
	if i := info("node3"); len(i.Members) != 1 || i.Quorum {
		t.Errorf("node3 with the wrong key joined: members %v, quorum %v", i.Members, i.Quorum)
	}

	// The flood, from the client host: replays of node1's real packets
	// and forged ones, at node1 and node2.
	replays, err := c.capture("node1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(replays) == 0 {
		t.Fatal("captured nothing of node1's traffic")
	}
	before := map[string]daemon.Info{"node1": info("node1"), "node2": info("node2")}
	floodDone := make(chan error, 1)
	go func() {
		floodDone <- inNS(c.ClientNS(), func() error {
			conn, err := net.ListenUDP("udp4", nil)
			if err != nil {
				return err
			}
			defer conn.Close()
			forged := make([]byte, 200)
			for round := 0; round < 20; round++ {
				for _, dst := range []string{c.Addr("node1"), c.Addr("node2")} {
					to := &net.UDPAddr{IP: net.ParseIP(dst), Port: 694}
					for _, r := range replays {
						conn.WriteToUDP(r, to)
					}
					for i := 0; i < 200; i++ {
						rand.Read(forged)
						copy(forged, "PCR1\x01\x20") // the right magic, key index and code length
						conn.WriteToUDP(forged, to)
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
			return nil
		})
	}()
	// Membership holds while the flood lasts.
	for {
		select {
		case err := <-floodDone:
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range good {
				b, _ := os.ReadFile(filepath.Join(c.Dir, n, "pacer.log"))
				if bytes.Contains(b, []byte("node is dead")) || bytes.Contains(b, []byte("peer restarted")) {
					t.Errorf("%s's membership was disturbed by the flood", n)
				}
				i := info(n)
				if i.Replayed <= before[n].Replayed && n == "node2" || i.BadAuth <= before[n].BadAuth {
					t.Errorf("%s counted %d replayed (before %d), %d rejected (before %d)", n, i.Replayed, before[n].Replayed, i.BadAuth, before[n].BadAuth)
				}
				t.Logf("%s: %d replayed and %d forged packets refused", n, i.Replayed-before[n].Replayed, i.BadAuth-before[n].BadAuth)
			}
			return
		case <-time.After(100 * time.Millisecond):
			for _, n := range good {
				if m := info(n).Members; strings.Join(m, " ") != "node1 node2" {
					t.Fatalf("%s's members during the flood: %v", n, m)
				}
			}
		}
	}
}

// TestRedundantLinks: two heartbeat links, broadcast on one and multicast
// on the other. A node cut off one link (either) stays a member; cut off
// both, it is dead to the others.
func TestRedundantLinks(t *testing.T) {
	c := setup(t, 3, Timing{Keepalive: "200ms", Deadtime: "1s", Initdead: "3s", Media: []string{"bcast", "mcast"}}, nil)
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...)
	}
	members := func(node string) string {
		i, err := daemon.Client{Socket: c.Socket(node), Timeout: 5 * time.Second}.Info()
		if err != nil {
			return err.Error()
		}
		return strings.Join(i.Members, " ")
	}
	all := strings.Join(c.Nodes, " ")
	for link := 0; link < 2; link++ {
		if err := c.CutLink("node1", link); err != nil {
			t.Fatal(err)
		}
		// Three deadtimes on one link: nobody may be declared dead.
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			for _, n := range c.Nodes {
				if m := members(n); m != all {
					t.Fatalf("link %d of node1 cut: %s sees %q", link, n, m)
				}
			}
		}
		if err := c.Heal("node1"); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range c.Nodes {
		b, _ := os.ReadFile(filepath.Join(c.Dir, n, "pacer.log"))
		if bytes.Contains(b, []byte("node is dead")) {
			t.Errorf("%s declared a node dead while a link remained", n)
		}
	}
	c.Cut("node1")
	eventually(t, 5*time.Second, "node1, cut off both links, is dead to the others", func() (bool, string) {
		m := members("node2")
		return m == "node2 node3", m
	})
}

// TestPingdMovesOffLostUplink: ha.cf names the client host as a ping
// node; a clone of ocf:pacer:ping keeps the pingd attribute on every
// node, and a rule keeps a resource off nodes without it. When the node
// running the resource loses its route to the ping node (its cluster
// links stay up), the resource moves.
func TestPingdMovesOffLostUplink(t *testing.T) {
	c := setup(t, 3, Timing{Keepalive: "200ms", Deadtime: "1s", Initdead: "3s", Pings: []string{Subnet + ".100"}}, nil)
	for _, n := range c.Nodes {
		c.online(t, n, c.Nodes...)
	}
	cfg := `configure
property stonith-enabled=false
primitive ping ocf:pacer:ping params multiplier=100 timeout=1 op monitor interval=1s timeout=10s
clone cl-ping ping
primitive d1 ocf:pacer:Dummy op monitor interval=1s
location d1-needs-uplink d1 rule -inf: not_defined pingd or pingd lte 0
commit
`
	if out, err := c.crm(t, "node1", cfg); err != nil {
		t.Fatalf("configure: %v\n%s", err, out)
	}
	where := func() string {
		out, _ := c.crm(t, "node1", "", "status")
		m := regexp.MustCompile(`d1\s.*Started (node\d)`).FindStringSubmatch(out)
		if m == nil {
			return ""
		}
		return m[1]
	}
	var first string
	eventually(t, 30*time.Second, "d1 runs where the uplink is", func() (bool, string) {
		first = where()
		return first != "", first
	})
	// Every node sees the ping node: pingd=100 everywhere.
	for _, n := range c.Nodes {
		eventually(t, 15*time.Second, n+"'s pingd", func() (bool, string) {
			out, _ := c.crm(t, "node1", "", "node", "status-attr", n, "show", "pingd")
			return strings.Contains(out, "value=100"), out
		})
	}
	// The uplink of d1's node goes: no route to the ping node.
	if err := ip("-n", c.NS(first), "route", "add", "blackhole", Subnet+".100/32"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "d1 leaves "+first, func() (bool, string) {
		w := where()
		return w != "" && w != first, w
	})
	out, _ := c.crm(t, "node1", "", "node", "status-attr", first, "show", "pingd")
	if !strings.Contains(out, "value=0") {
		t.Errorf("%s's pingd after losing its uplink: %q", first, out)
	}
}
