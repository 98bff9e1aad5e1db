// Package localcluster runs a whole cluster on one machine, for the demo
// and for tests: node1..nodeN are daemons bound to 127.0.0.1..127.0.0.N on
// one unprivileged UDP port, each with its own state and run directories
// under DIR/NODE.
package localcluster

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pacer-ha/pacer/daemon"
)

// Timing of local clusters: fast failover, with margin for a busy machine.
const (
	Keepalive = "250ms"
	Deadtime  = "2s"
	Warntime  = "1s"
	Initdead  = "4s"
)

// Cluster is a local cluster's directory.
type Cluster struct {
	Dir    string
	Binary string // the pacer binary to run; default: this executable
}

// NodeDir is where a node keeps ha.cf, authkeys, cib.xml, its socket, log
// and run directory.
func (c Cluster) NodeDir(node string) string { return filepath.Join(c.Dir, node) }

// Socket is the client socket of a node.
func (c Cluster) Socket(node string) string { return filepath.Join(c.NodeDir(node), "pacer.sock") }

// Nodes lists the nodes configured in Dir.
func (c Cluster) Nodes() ([]string, error) {
	ents, err := os.ReadDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("cluster directory: %w", err)
	}
	var out []string
	for _, e := range ents {
		if _, err := os.Stat(filepath.Join(c.Dir, e.Name(), "ha.cf")); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Slice(out, func(i, j int) bool { return nodeNum(out[i]) < nodeNum(out[j]) })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no local cluster (run 'pacer local up --dir %s' first)", c.Dir, c.Dir)
	}
	return out, nil
}

func nodeNum(s string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(s, "node"))
	return n
}

// Write creates the configuration of n nodes, unless Dir already has one
// (then it is kept, with its CIBs).
func (c Cluster) Write(n int) error {
	if n < 1 || n > 32 {
		return fmt.Errorf("--nodes %d: a local cluster has 1 to 32 nodes", n)
	}
	if nodes, err := c.Nodes(); err == nil {
		if len(nodes) != n {
			return fmt.Errorf("%s already holds a %d-node cluster; remove it or use --nodes %d", c.Dir, len(nodes), len(nodes))
		}
		return nil
	}
	port, err := freePort(n)
	if err != nil {
		return err
	}
	secret := make([]byte, 20)
	rand.Read(secret)
	var names, ucast []string
	for i := 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("node%d", i))
		ucast = append(ucast, fmt.Sprintf("127.0.0.%d", i))
	}
	for i, name := range names {
		dir := c.NodeDir(name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, "# Local test cluster written by 'pacer local up'.\n")
		fmt.Fprintf(&b, "node %s\n", strings.Join(names, " "))
		fmt.Fprintf(&b, "udpport %d\n", port)
		fmt.Fprintf(&b, "ucast lo %s\n", strings.Join(ucast, " "))
		fmt.Fprintf(&b, "# Pacer extension: listen on this node's own loopback address only.\n")
		fmt.Fprintf(&b, "bindaddr %s\n", ucast[i])
		fmt.Fprintf(&b, "keepalive %s\ndeadtime %s\nwarntime %s\ninitdead %s\ncrm respawn\n", Keepalive, Deadtime, Warntime, Initdead)
		if err := os.WriteFile(filepath.Join(dir, "ha.cf"), b.Bytes(), 0o644); err != nil {
			return err
		}
		keys := fmt.Sprintf("auth 1\n1 sha1 %s\n", hex.EncodeToString(secret))
		if err := os.WriteFile(filepath.Join(dir, "authkeys"), []byte(keys), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// freePort finds a UDP port free on 127.0.0.1..127.0.0.n.
func freePort(n int) (int, error) {
	for try := 0; try < 50; try++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 0, err
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		ok := true
		for i := 2; i <= n && ok; i++ {
			t, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, byte(i)), Port: port})
			if err != nil {
				ok = false
				continue
			}
			t.Close()
		}
		if ok {
			return port, nil
		}
	}
	return 0, errors.New("no free UDP port on the loopback addresses")
}

func (c Cluster) binary() (string, error) {
	if c.Binary != "" {
		return c.Binary, nil
	}
	return os.Executable()
}

// Start starts one node's daemon in the background, in its own session,
// after clearing its run directory as a reboot clears /run.
func (c Cluster) Start(node string) error {
	dir := c.NodeDir(node)
	if pid := c.pid(node); pid > 0 && alive(pid) {
		return fmt.Errorf("%s is already running (pid %d)", node, pid)
	}
	if _, err := os.Stat(filepath.Join(dir, "ha.cf")); err != nil {
		return fmt.Errorf("%s: no such node in %s", node, c.Dir)
	}
	os.RemoveAll(filepath.Join(dir, "run"))
	bin, err := c.binary()
	if err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(dir, "pacer.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "daemon", "--config", filepath.Join(dir, "ha.cf"), "--node", node,
		"--state-dir", dir, "--run-dir", filepath.Join(dir, "run"), "--socket", c.Socket(node))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", node, err)
	}
	pid := cmd.Process.Pid
	cmd.Process.Release()
	return os.WriteFile(filepath.Join(dir, "pacer.pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

func (c Cluster) pid(node string) int {
	b, err := os.ReadFile(filepath.Join(c.NodeDir(node), "pacer.pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	// A zombie is not alive.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

// Running reports whether a node's daemon runs.
func (c Cluster) Running(node string) bool {
	pid := c.pid(node)
	return pid > 0 && alive(pid)
}

// Kill kills a node's daemon and everything it started (its session) at
// once with SIGKILL, as a power failure would.
func (c Cluster) Kill(node string) error {
	pid := c.pid(node)
	if pid <= 0 || !alive(pid) {
		return fmt.Errorf("%s is not running", node)
	}
	killSession(pid)
	os.Remove(filepath.Join(c.NodeDir(node), "pacer.pid"))
	return nil
}

// killSession SIGKILLs every process of session sid.
func killSession(sid int) {
	syscall.Kill(sid, syscall.SIGKILL)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		// fields after comm: state ppid pgrp session ...
		if len(f) > 3 && f[3] == strconv.Itoa(sid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Stop asks a node to leave (SIGTERM: it stops its resources first) and
// kills it if it has not gone within the grace period.
func (c Cluster) Stop(node string, grace time.Duration) error {
	pid := c.pid(node)
	if pid <= 0 || !alive(pid) {
		os.Remove(filepath.Join(c.NodeDir(node), "pacer.pid"))
		return nil
	}
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		killSession(pid)
	}
	os.Remove(filepath.Join(c.NodeDir(node), "pacer.pid"))
	return nil
}

// Down stops every node.
func (c Cluster) Down() error {
	nodes, err := c.Nodes()
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if pid := c.pid(n); pid > 0 && alive(pid) {
			syscall.Kill(pid, syscall.SIGTERM)
		}
	}
	for _, n := range nodes {
		c.Stop(n, 40*time.Second)
	}
	return nil
}

// WaitReady waits until every running node is a member of one partition
// that has elected one DC, and returns that DC.
func (c Cluster) WaitReady(timeout time.Duration) (string, error) {
	nodes, err := c.Nodes()
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(timeout)
	var why string
	for {
		var running []string
		for _, n := range nodes {
			if c.Running(n) {
				running = append(running, n)
			}
		}
		dc, reason := c.agree(running)
		if reason == "" {
			return dc, nil
		}
		why = reason
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the cluster did not form within %v: %s (see %s/NODE/pacer.log)", timeout, why, c.Dir)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c Cluster) agree(running []string) (string, string) {
	if len(running) == 0 {
		return "", "no node is running"
	}
	dc := ""
	for _, n := range running {
		info, err := daemon.Client{Socket: c.Socket(n), Timeout: 2 * time.Second}.Info()
		if err != nil {
			return "", fmt.Sprintf("%s: %v", n, err)
		}
		if len(info.Members) != len(running) {
			return "", fmt.Sprintf("%s sees members %v", n, info.Members)
		}
		if info.DC == "" {
			return "", fmt.Sprintf("%s has no DC yet", n)
		}
		if dc != "" && info.DC != dc {
			return "", fmt.Sprintf("%s follows DC %s, another node %s", n, info.DC, dc)
		}
		dc = info.DC
	}
	return dc, ""
}
