package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"

	"github.com/pacer-ha/pacer/daemon"
	"github.com/pacer-ha/pacer/daemon/localcluster"
)

func runLocal(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: pacer local up|down|status|kill|start --dir DIR [--nodes N] [NODE]")
		return 64
	}
	verb := args[0]
	fs := flag.NewFlagSet("pacer local "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "run", "directory of the local cluster")
	nodes := fs.Int("nodes", 3, "number of nodes (up)")
	if err := fs.Parse(args[1:]); err != nil {
		return 64
	}
	c := localcluster.Cluster{Dir: *dir}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "pacer local %s: %v\n", verb, err)
		return 1
	}
	node := func() (string, bool) {
		if fs.NArg() != 1 {
			fmt.Fprintf(stderr, "pacer local %s: name one node (e.g. node1)\n", verb)
			return "", false
		}
		return fs.Arg(0), true
	}
	switch verb {
	case "up":
		if err := c.Write(*nodes); err != nil {
			return fail(err)
		}
		names, err := c.Nodes()
		if err != nil {
			return fail(err)
		}
		for _, n := range names {
			if c.Running(n) {
				continue
			}
			if err := c.Start(n); err != nil {
				return fail(err)
			}
		}
		dc, err := c.WaitReady(30 * time.Second)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "local cluster of %d nodes is up in %s (DC: %s)\n", len(names), *dir, dc)
		fmt.Fprintf(stdout, "talk to a node with: PACER_SOCKET=%s bin/crm status\n", c.Socket(names[0]))
	case "down":
		if err := c.Down(); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "local cluster in %s is down\n", *dir)
	case "kill":
		n, ok := node()
		if !ok {
			return 64
		}
		if err := c.Kill(n); err != nil {
			return fail(err)
		}
	case "start":
		n, ok := node()
		if !ok {
			return 64
		}
		if err := c.Start(n); err != nil {
			return fail(err)
		}
		if _, err := c.WaitReady(30 * time.Second); err != nil {
			return fail(err)
		}
	case "status":
		names, err := c.Nodes()
		if err != nil {
			return fail(err)
		}
		t := tablewriter.NewTable(stdout)
		t.Header("Node", "Daemon", "DC", "Members", "Quorum", "CIB", "Socket")
		for _, n := range names {
			if !c.Running(n) {
				t.Append(n, "stopped", "", "", "", "", "")
				continue
			}
			info, err := daemon.Client{Socket: c.Socket(n), Timeout: 2 * time.Second}.Info()
			if err != nil {
				t.Append(n, "not answering", "", "", "", "", err.Error())
				continue
			}
			t.Append(n, "running", info.DC, strings.Join(info.Members, " "), fmt.Sprint(info.Quorum), info.Version, c.Socket(n))
		}
		t.Render()
	default:
		fmt.Fprintf(stderr, "pacer local: unknown command %q (up, down, status, kill, start)\n", verb)
		return 64
	}
	return 0
}
