// Package netcluster runs a cluster whose nodes are separate hosts: each
// node is a network namespace with its own address on a bridge (in a
// switch namespace of its own, so the machine's own network is never
// touched), and a client namespace probes the services from outside. It
// is for tests and benchmarks, and needs root and iproute2.
package netcluster

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Subnet is the /24 the hosts share: 198.18.0.0/15 is set aside for
// benchmarking networks (RFC 2544), so it clashes with nothing real.
const Subnet = "198.18.0"

// Cluster is a set of namespaced hosts and their daemons' files.
type Cluster struct {
	Prefix string   // node namespaces are Prefix+node; fence_pacer's netns_prefix
	Dir    string   // DIR/NODE holds ha.cf, authkeys, cib.xml, socket, log
	Binary string   // the pacer binary
	Nodes  []string // node1..nodeN
	Links  int      // heartbeat links (bridges); the first carries the VIP and the client
	Env    []string // added to the daemons' environment
}

// Timing of the hosts' heartbeats (ha.cf keepalive and deadtime), and
// their links.
type Timing struct {
	Keepalive, Deadtime, Initdead string
	// Media are the heartbeat media, one per link (each link is a bridge
	// of its own; a node's interface on link k is ethk, its address
	// 198.18.k.(10+n)): "ucast" (the default), "bcast" or "mcast".
	Media []string
	// Pings are ha.cf's ping nodes.
	Pings []string
}

func (t Timing) media() []string {
	if len(t.Media) == 0 {
		return []string{"ucast"}
	}
	return t.Media
}

// Usable reports why namespaced hosts cannot be made here, or nil.
func Usable() error {
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return errors.New("iproute2 (ip) is not installed")
	}
	return nil
}

func (c *Cluster) switchNS() string { return strings.TrimSuffix(c.Prefix, "-") + "sw" }

// ClientNS is the namespace of the outside host that probes services.
func (c *Cluster) ClientNS() string { return strings.TrimSuffix(c.Prefix, "-") + "cl" }

// NS is the namespace of a node.
func (c *Cluster) NS(node string) string { return c.Prefix + node }

// Addr is a node's address (on the first link).
func (c *Cluster) Addr(node string) string { return c.linkAddr(node, 0) }

func (c *Cluster) linkAddr(node string, link int) string {
	for i, n := range c.Nodes {
		if n == node {
			return fmt.Sprintf("198.18.%d.%d", link, 11+i)
		}
	}
	return ""
}

// Socket is a node's client socket (a path: reachable from any namespace).
func (c *Cluster) Socket(node string) string { return filepath.Join(c.Dir, node, "pacer.sock") }

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// Create makes the namespaces, the bridge and the nodes' configuration.
// authkeys may give a node its own key (to test a wrong one); absent
// nodes share one generated key.
func Create(prefix, dir, binary string, n int, t Timing, authkeys map[string]string) (*Cluster, error) {
	if err := Usable(); err != nil {
		return nil, err
	}
	c := &Cluster{Prefix: prefix, Dir: dir, Binary: binary, Links: len(t.media())}
	for i := 1; i <= n; i++ {
		c.Nodes = append(c.Nodes, fmt.Sprintf("node%d", i))
	}
	sw := c.switchNS()
	if err := ip("netns", "add", sw); err != nil {
		return nil, err
	}
	var steps [][]string
	for k := 0; k < c.Links; k++ {
		br := fmt.Sprintf("br%d", k)
		steps = append(steps, []string{"-n", sw, "link", "add", br, "type", "bridge"}, []string{"-n", sw, "link", "set", br, "up"})
	}
	hosts := append([]string{}, c.Nodes...)
	hosts = append(hosts, "client")
	for _, h := range hosts {
		ns := c.NS(h)
		if h == "client" {
			ns = c.ClientNS()
		}
		if err := ip("netns", "add", ns); err != nil {
			c.Destroy()
			return nil, err
		}
		steps = append(steps, []string{"-n", ns, "link", "set", "lo", "up"})
		for k := 0; k < c.Links; k++ {
			if h == "client" && k > 0 {
				break // the client is on the first link only
			}
			port, addr := c.port(h, k), c.linkAddr(h, k)
			if h == "client" {
				port, addr = "pc", Subnet+".100"
			}
			dev := fmt.Sprintf("eth%d", k)
			steps = append(steps,
				[]string{"-n", sw, "link", "add", port, "type", "veth", "peer", "name", dev, "netns", ns},
				[]string{"-n", sw, "link", "set", port, "master", fmt.Sprintf("br%d", k)},
				[]string{"-n", sw, "link", "set", port, "up"},
				[]string{"-n", ns, "addr", "add", addr + "/24", "dev", dev},
				[]string{"-n", ns, "link", "set", dev, "up"},
			)
		}
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			c.Destroy()
			return nil, err
		}
	}
	secret := make([]byte, 20)
	rand.Read(secret)
	var media string
	for k, kind := range t.media() {
		dev := fmt.Sprintf("eth%d", k)
		switch kind {
		case "bcast":
			media += fmt.Sprintf("bcast %s\n", dev)
		case "mcast":
			media += fmt.Sprintf("mcast %s 239.0.0.%d 694 1 0\n", dev, 1+k)
		default:
			var addrs []string
			for _, node := range c.Nodes {
				addrs = append(addrs, c.linkAddr(node, k))
			}
			media += fmt.Sprintf("ucast %s %s\n", dev, strings.Join(addrs, " "))
		}
	}
	if len(t.Pings) > 0 {
		media += "ping " + strings.Join(t.Pings, " ") + "\n"
	}
	for _, node := range c.Nodes {
		d := filepath.Join(dir, node)
		if err := os.MkdirAll(d, 0o700); err != nil {
			c.Destroy()
			return nil, err
		}
		cf := fmt.Sprintf("# A host of a namespaced test cluster.\nnode %s\n%skeepalive %s\ndeadtime %s\ninitdead %s\ncrm respawn\n",
			strings.Join(c.Nodes, " "), media, t.Keepalive, t.Deadtime, t.Initdead)
		keys := authkeys[node]
		if keys == "" {
			keys = "auth 1\n1 sha256 " + hex.EncodeToString(secret) + "\n"
		}
		if err := os.WriteFile(filepath.Join(d, "ha.cf"), []byte(cf), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "authkeys"), []byte(keys), 0o600); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Start runs a node's daemon inside its namespace, in a session of its
// own, after clearing its run directory as a boot clears /run.
func (c *Cluster) Start(node string) error {
	d := filepath.Join(c.Dir, node)
	os.RemoveAll(filepath.Join(d, "run"))
	logf, err := os.OpenFile(filepath.Join(d, "pacer.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command("ip", "netns", "exec", c.NS(node), c.Binary, "daemon", "--config", filepath.Join(d, "ha.cf"),
		"--node", node, "--state-dir", d, "--run-dir", filepath.Join(d, "run"), "--socket", c.Socket(node))
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", node, err)
	}
	// ip netns exec execs the daemon: the pid is the daemon's.
	pid := cmd.Process.Pid
	go cmd.Wait()
	return os.WriteFile(filepath.Join(d, "pacer.pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

// PID is a node's daemon's process id, 0 if unknown.
func (c *Cluster) PID(node string) int {
	b, _ := os.ReadFile(filepath.Join(c.Dir, node, "pacer.pid"))
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// KillDaemon SIGKILLs a node's daemon alone: what it started keeps
// running, as after a crash of the cluster software.
func (c *Cluster) KillDaemon(node string) error {
	pid := c.PID(node)
	if pid <= 0 {
		return fmt.Errorf("%s: no daemon", node)
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

// PowerOff kills everything in a node's namespace and takes its links
// down.
func (c *Cluster) PowerOff(node string) {
	for k := 0; k < max(c.Links, 1); k++ {
		ip("-n", c.NS(node), "link", "set", fmt.Sprintf("eth%d", k), "down")
	}
	out, _ := exec.Command("ip", "netns", "pids", c.NS(node)).Output()
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// PowerOn boots a node that was powered off: its links come up with only
// its own addresses (a boot forgets the VIP) and its daemon starts.
func (c *Cluster) PowerOn(node string) error {
	for k := 0; k < c.Links; k++ {
		dev := fmt.Sprintf("eth%d", k)
		for _, args := range [][]string{
			{"-n", c.NS(node), "addr", "flush", "dev", dev},
			{"-n", c.NS(node), "addr", "add", c.linkAddr(node, k) + "/24", "dev", dev},
			{"-n", c.NS(node), "link", "set", dev, "up"},
		} {
			if err := ip(args...); err != nil {
				return err
			}
		}
	}
	return c.Start(node)
}

// Cut disconnects a node from the switch on every link (its side of the
// cable stays up, as when a switch port or cable fails); Heal reconnects
// it.
func (c *Cluster) Cut(node string) error {
	for k := 0; k < c.Links; k++ {
		if err := c.CutLink(node, k); err != nil {
			return err
		}
	}
	return nil
}

// Heal reconnects a node cut off by Cut.
func (c *Cluster) Heal(node string) error {
	for k := 0; k < c.Links; k++ {
		if err := ip("-n", c.switchNS(), "link", "set", c.port(node, k), "up"); err != nil {
			return err
		}
	}
	return nil
}

// CutLink disconnects a node on one link only.
func (c *Cluster) CutLink(node string, link int) error {
	return ip("-n", c.switchNS(), "link", "set", c.port(node, link), "down")
}

func (c *Cluster) port(node string, link int) string {
	for i, n := range c.Nodes {
		if n == node {
			return fmt.Sprintf("p%d.%d", i, link)
		}
	}
	return ""
}

// HoldsOnLink reports whether a node's eth0 carries addr while its cable is
// up at both ends. One dump answers both: reading the address and the link
// state apart could mix the states before and after a reboot.
func (c *Cluster) HoldsOnLink(node, addr string) bool {
	out, err := exec.Command("ip", "-n", c.NS(node), "addr", "show", "dev", "eth0").Output()
	if err != nil {
		return false
	}
	s := string(out)
	// LOWER_UP on a veth: this end is up and so is the switch's end.
	return strings.Contains(s, ",LOWER_UP") && strings.Contains(s, " "+addr+"/")
}

// InClient runs a command in the client namespace.
func (c *Cluster) InClient(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", c.ClientNS(), name}, args...)...)
}

// Destroy kills every daemon and agent and removes the namespaces.
func (c *Cluster) Destroy() {
	for _, node := range c.Nodes {
		c.PowerOff(node)
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, ns := range append(c.nsList(), c.ClientNS(), c.switchNS()) {
		for time.Now().Before(deadline) {
			out, _ := exec.Command("ip", "netns", "pids", ns).Output()
			if len(bytes.TrimSpace(out)) == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		exec.Command("ip", "netns", "del", ns).Run()
	}
}

func (c *Cluster) nsList() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, c.NS(n))
	}
	return out
}
