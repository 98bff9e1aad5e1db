package tools

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// FenceRecord is one fencing in the cluster's history.
type FenceRecord struct {
	Target, Action, Device, Delegate, Origin string
	OK                                       bool
	Error                                    string
	When                                     time.Time
}

// Fencer is the running cluster's fencing, for stonith_admin; nil when
// the tools work on a file.
type Fencer interface {
	// Fence asks the DC to fence node (action reboot or off).
	Fence(node, action string) error
	// History is every node's fencing history, oldest first.
	History() ([]FenceRecord, error)
	// Devices lists the fence devices that can fence node.
	Devices(node string) ([]string, error)
	// Installed lists the fence agents installed here.
	Installed() []string
	// MetaData is a fence agent's meta-data XML.
	MetaData(agent string) (string, error)
}

type stonithOpts struct {
	reboot, off, unfence, list, history, confirm, agent string
	registered, installed, metadata, quiet, help        bool
	timeout                                             string
	verbose                                             int
}

// stonithAdmin is stonith_admin: fence a node (and wait for the outcome),
// list the devices, show the fencing history.
func stonithAdmin(args []string, t *tool) int {
	var o stonithOpts
	p := newOptions(t.name)
	p.str('B', &o.reboot, "reboot")
	p.str('F', &o.off, "fence")
	p.str('U', &o.unfence, "unfence")
	p.str('l', &o.list, "list")
	p.flag('L', &o.registered, "list-registered")
	p.flag('I', &o.installed, "list-installed")
	p.str('H', &o.history, "history")
	p.flag('M', &o.metadata, "metadata")
	p.str('a', &o.agent, "agent")
	p.str('t', &o.timeout, "timeout")
	p.str('C', &o.confirm, "confirm")
	p.flag('q', &o.quiet, "quiet")
	p.flag('h', &o.help, "help", "help-all")
	p.count('V', &o.verbose, "verbose")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if o.help {
		t.printf("%s", stonithUsage)
		return exOK
	}
	return t.finish(t.stonithCommand(o))
}

const stonithUsage = `Usage: stonith_admin [OPTION...]
Fence nodes and see the fencing devices and history of the running cluster.

  -B, --reboot=NODE        fence NODE by rebooting it, and wait for the outcome
  -F, --fence=NODE         fence NODE by powering it off, and wait for the outcome
  -t, --timeout=SECONDS    how long to wait (default 120)
  -l, --list=NODE          the devices that can fence NODE
  -L, --list-registered    the configured fence devices
  -I, --list-installed     the fence agents installed here
  -M, --metadata -a AGENT  an agent's meta-data
  -H, --history=NODE       NODE's fencing history ('*' for every node)
  -q, --quiet              less output
`

func (t *tool) stonithCommand(o stonithOpts) error {
	f := t.fencer
	switch {
	case o.installed:
		if f == nil {
			return fail(exUnimplemented, "--list-installed needs the running cluster")
		}
		return t.deviceList(f.Installed(), o.quiet)
	case o.metadata:
		if o.agent == "" {
			return fail(exUsage, "--metadata needs the agent: -a AGENT")
		}
		if f == nil {
			return fail(exUnimplemented, "--metadata needs the running cluster")
		}
		md, err := f.MetaData(o.agent)
		if err != nil {
			return fail(exNoSuch, "%v", err)
		}
		t.printf("%s\n", strings.TrimRight(md, "\n"))
		return nil
	case o.unfence != "":
		return fail(exUnimplemented, "unfencing is not supported (no fence device of Pacer's needs it)")
	case o.confirm != "":
		return fail(exUnimplemented, "--confirm is not supported: fence the node with a device (-B), or bring it back, so that the cluster knows it is down")
	}
	if f == nil {
		return fail(exDisconnect, "stonith_admin works on the running cluster, not on a CIB file (unset CIB_file)")
	}
	switch {
	case o.registered:
		c, err := t.load()
		if err != nil {
			return err
		}
		var ids []string
		for _, p := range c.Section("resources", true).FindElements(".//primitive[@class='stonith']") {
			ids = append(ids, p.SelectAttrValue("id", ""))
		}
		sort.Strings(ids)
		return t.deviceList(ids, o.quiet)
	case o.list != "":
		ids, err := f.Devices(o.list)
		if err != nil {
			return fail(exError, "%v", err)
		}
		return t.deviceList(ids, o.quiet)
	case o.history != "":
		return t.fenceHistory(f, o.history, o.quiet)
	case o.reboot != "" || o.off != "":
		node, action := o.reboot, "reboot"
		if node == "" {
			node, action = o.off, "off"
		}
		return t.fenceNode(f, node, action, o.timeout)
	}
	return fail(exUsage, "nothing to do: give -B/-F NODE, -l NODE, -L, -I, -H NODE or -M -a AGENT (see --help)")
}

func (t *tool) deviceList(ids []string, quiet bool) error {
	for _, id := range ids {
		if quiet {
			t.printf("%s\n", id)
		} else {
			t.printf(" %s\n", id)
		}
	}
	if !quiet {
		word := "devices"
		if len(ids) == 1 {
			word = "device"
		}
		t.printf("%d fence %s found\n", len(ids), word)
	}
	return nil
}

// fenceNode asks for the fencing and waits for its outcome in the
// history.
func (t *tool) fenceNode(f Fencer, node, action, timeout string) error {
	wait := 120 * time.Second
	if timeout != "" {
		s, err := strconv.Atoi(timeout)
		if err != nil || s <= 0 {
			return fail(exUsage, "--timeout %q is not a number of seconds", timeout)
		}
		wait = time.Duration(s) * time.Second
	}
	asked := t.now()
	if err := f.Fence(node, action); err != nil {
		return fail(exError, "%v", err)
	}
	for deadline := asked.Add(wait); t.now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		h, err := f.History()
		if err != nil {
			return fail(exDisconnect, "%v", err)
		}
		for i := len(h) - 1; i >= 0; i-- {
			r := h[i]
			if r.Target != node || r.When.Before(asked.Add(-time.Second)) {
				continue
			}
			if r.OK {
				t.printf("Node %s fenced (%s by %s through %s)\n", node, r.Action, r.Delegate, r.Device)
				return nil
			}
			return fail(exError, "fencing %s failed: %s (the cluster retries; see stonith_admin --history %s)", node, r.Error, node)
		}
	}
	return fail(exTimeout, "fencing %s did not finish within %v; the cluster keeps trying (see stonith_admin --history %s)", node, wait, node)
}

func (t *tool) fenceHistory(f Fencer, node string, quiet bool) error {
	h, err := f.History()
	if err != nil {
		return fail(exDisconnect, "%v", err)
	}
	n := 0
	for i := len(h) - 1; i >= 0; i-- {
		r := h[i]
		if node != "*" && r.Target != node {
			continue
		}
		n++
		when := r.When.Local().Format("2006-01-02 15:04:05 -07:00")
		if r.OK {
			t.printf("%s of %s successful: delegate=%s, device=%s, completed='%s'\n", r.Action, r.Target, r.Delegate, r.Device, when)
		} else {
			t.printf("%s of %s failed: delegate=%s, last-failed='%s': %s\n", r.Action, r.Target, r.Delegate, when, r.Error)
		}
		if quiet {
			break
		}
	}
	if n == 0 && !quiet {
		t.printf("No fencing history for %s\n", node)
	}
	return nil
}
