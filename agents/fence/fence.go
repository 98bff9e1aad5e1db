// Package fence owns fence_pacer, the fence agent Pacer ships for its
// test clusters: on a local cluster (pacer local) it stops a node by
// killing its daemon's whole session, agents included; on a cluster of
// network namespaces it kills every process in the node's namespace and
// takes its links down, as cutting the power would.
//
// It speaks the fence-agents protocol: options as key=value lines on
// stdin (what Pacemaker's fencer sends) or as -o/--action, -n/--plug and
// --cluster-dir / --netns-prefix arguments.
package fence

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit codes of the fence-agents convention.
const (
	exitOK    = 0
	exitError = 1
	exitOff   = 2 // status: the node is powered off
)

// options are what the agent was asked.
type options struct {
	action      string
	plug        string
	clusterDir  string
	netnsPrefix string
}

// Main runs fence_pacer; it returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parse(args, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "fence_pacer: %v\n", err)
		return exitError
	}
	switch o.action {
	case "metadata", "meta-data":
		io.WriteString(stdout, metadata)
		return exitOK
	case "validate-all":
		if err := o.validate(); err != nil {
			fmt.Fprintf(stderr, "fence_pacer: %v\n", err)
			return exitError
		}
		return exitOK
	}
	if err := o.validate(); err != nil {
		fmt.Fprintf(stderr, "fence_pacer: %v\n", err)
		return exitError
	}
	switch o.action {
	case "monitor":
		return exitOK
	case "list", "list-status":
		nodes, err := o.nodes()
		if err != nil {
			fmt.Fprintf(stderr, "fence_pacer: list: %v\n", err)
			return exitError
		}
		for _, n := range nodes {
			if o.action == "list-status" {
				state := "off"
				if o.on(n) {
					state = "on"
				}
				fmt.Fprintf(stdout, "%s,,%s\n", n, state)
				continue
			}
			fmt.Fprintf(stdout, "%s,\n", n)
		}
		return exitOK
	}
	if o.plug == "" {
		fmt.Fprintf(stderr, "fence_pacer: %s: no node named (give port=, plug= or nodename=)\n", o.action)
		return exitError
	}
	switch o.action {
	case "status":
		if o.on(o.plug) {
			fmt.Fprintf(stdout, "Status: ON\n")
			return exitOK
		}
		fmt.Fprintf(stdout, "Status: OFF\n")
		return exitOff
	case "off", "reboot":
		// A test cluster has nothing to power a node on again: reboot
		// leaves it off, and the administrator starts it.
		if err := o.off(o.plug); err != nil {
			fmt.Fprintf(stderr, "fence_pacer: %s %s: %v\n", o.action, o.plug, err)
			return exitError
		}
		fmt.Fprintf(stderr, "fence_pacer: %s is off\n", o.plug)
		return exitOK
	case "on":
		fmt.Fprintf(stderr, "fence_pacer: on %s: this agent cannot power a node on; start it with 'pacer local start' or by hand\n", o.plug)
		return exitError
	}
	fmt.Fprintf(stderr, "fence_pacer: unknown action %q (off, reboot, status, list, monitor, metadata, validate-all)\n", o.action)
	return exitError
}

// parse reads the options: arguments when there are any, else stdin.
func parse(args []string, stdin io.Reader) (options, error) {
	o := options{action: "reboot"}
	set := func(k, v string) {
		switch k {
		case "action", "option", "o":
			o.action = v
		case "port", "plug", "nodename", "n":
			if o.plug == "" || k != "nodename" {
				o.plug = v
			}
		case "cluster_dir", "cluster-dir":
			o.clusterDir = v
		case "netns_prefix", "netns-prefix":
			o.netnsPrefix = v
		}
	}
	if len(args) > 0 {
		for i := 0; i < len(args); i++ {
			a := strings.TrimLeft(args[i], "-")
			k, v, ok := strings.Cut(a, "=")
			if !ok {
				if i+1 >= len(args) {
					return o, fmt.Errorf("option %s needs a value", args[i])
				}
				i++
				v = args[i]
			}
			set(k, v)
		}
		return o, nil
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return o, fmt.Errorf("stdin: %q is not key=value", line)
		}
		set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return o, sc.Err()
}

func (o options) validate() error {
	switch {
	case o.clusterDir == "" && o.netnsPrefix == "":
		return errors.New("set cluster_dir (a pacer local cluster's directory) or netns_prefix (the namespaces' common prefix)")
	case o.clusterDir != "":
		if st, err := os.Stat(o.clusterDir); err != nil || !st.IsDir() {
			return fmt.Errorf("cluster_dir %s is not a directory", o.clusterDir)
		}
	}
	if strings.ContainsAny(o.plug, "/\x00") || o.plug == ".." {
		return fmt.Errorf("node name %q is not valid", o.plug)
	}
	return nil
}

// nodes lists the nodes this device controls.
func (o options) nodes() ([]string, error) {
	var out []string
	if o.clusterDir != "" {
		ents, err := os.ReadDir(o.clusterDir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if _, err := os.Stat(filepath.Join(o.clusterDir, e.Name(), "ha.cf")); err == nil {
				out = append(out, e.Name())
			}
		}
		return out, nil
	}
	b, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("ip netns list: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], o.netnsPrefix) {
			out = append(out, strings.TrimPrefix(f[0], o.netnsPrefix))
		}
	}
	sort.Strings(out)
	return out, nil
}

// on reports whether a node runs.
func (o options) on(node string) bool {
	if o.clusterDir != "" {
		pid := daemonPID(o.clusterDir, node)
		return pid > 0 && alive(pid)
	}
	pids, err := namespacePIDs(o.netnsPrefix + node)
	return err == nil && len(pids) > 0
}

// off stops a node: its daemon and everything it started.
func (o options) off(node string) error {
	if o.clusterDir != "" {
		if _, err := os.Stat(filepath.Join(o.clusterDir, node, "ha.cf")); err != nil {
			return fmt.Errorf("no node %s in %s", node, o.clusterDir)
		}
		pid := daemonPID(o.clusterDir, node)
		if pid <= 0 || !alive(pid) {
			return nil // already off
		}
		// The daemon leads its own session; its agents are in it too,
		// each in a process group of its own.
		for range 50 {
			killSession(pid)
			if !alive(pid) {
				return nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return fmt.Errorf("pid %d survived SIGKILL", pid)
	}
	ns := o.netnsPrefix + node
	if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
		return fmt.Errorf("no network namespace %s", ns)
	}
	// Cut the links first, so that nothing the node still runs for a
	// moment is heard, then kill what runs there.
	if err := linksDown(ns); err != nil {
		return err
	}
	for range 50 {
		pids, err := namespacePIDs(ns)
		if err != nil {
			return err
		}
		if len(pids) == 0 {
			return nil
		}
		for _, p := range pids {
			syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("processes in %s survived SIGKILL", ns)
}

func daemonPID(dir, node string) int {
	b, err := os.ReadFile(filepath.Join(dir, node, "pacer.pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	f := procStat(pid)
	return len(f) > 0 && f[0] != "Z"
}

// procStat is /proc/PID/stat's fields after the command name: state,
// ppid, pgrp, session, ...
func procStat(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
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
		if f := procStat(pid); len(f) > 3 && f[3] == strconv.Itoa(sid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

const metadata = `<?xml version="1.0" ?>
<resource-agent name="fence_pacer" shortdesc="Fence agent for Pacer's local and network-namespace test clusters">
<longdesc>fence_pacer powers a node of a Pacer test cluster off: on a local cluster (pacer local) it kills the node's daemon with every agent it started; on a cluster of network namespaces it takes the node's links down and kills every process in its namespace. It cannot power a node on: reboot leaves the node off.</longdesc>
<vendor-url>https://github.com/pacer-ha/pacer</vendor-url>
<parameters>
	<parameter name="action" unique="0" required="1">
		<getopt mixed="-o, --action=[action]" />
		<content type="string" default="reboot" />
		<shortdesc lang="en">Fencing action</shortdesc>
	</parameter>
	<parameter name="plug" unique="0" required="0" obsoletes="port">
		<getopt mixed="-n, --plug=[node]" />
		<content type="string" />
		<shortdesc lang="en">The node to act on</shortdesc>
	</parameter>
	<parameter name="port" unique="0" required="0" deprecated="1">
		<getopt mixed="-n, --plug=[node]" />
		<content type="string" />
		<shortdesc lang="en">The node to act on</shortdesc>
	</parameter>
	<parameter name="cluster_dir" unique="0" required="0">
		<getopt mixed="--cluster-dir=[dir]" />
		<content type="string" />
		<shortdesc lang="en">Directory of a local cluster (pacer local --dir)</shortdesc>
	</parameter>
	<parameter name="netns_prefix" unique="0" required="0">
		<getopt mixed="--netns-prefix=[prefix]" />
		<content type="string" />
		<shortdesc lang="en">Prefix of the nodes' network namespaces: node N lives in PREFIX+N</shortdesc>
	</parameter>
</parameters>
<actions>
	<action name="off" />
	<action name="reboot" />
	<action name="status" />
	<action name="list" />
	<action name="list-status" />
	<action name="monitor" />
	<action name="metadata" />
	<action name="validate-all" />
</actions>
</resource-agent>
`
