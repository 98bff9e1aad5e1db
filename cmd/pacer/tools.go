package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/daemon"
	"github.com/pacer-ha/pacer/monitor"
	"github.com/pacer-ha/pacer/shell"
)

// backend picks where the tools read and write the CIB, by Pacemaker's
// convention: CIB_file=PATH works on a file offline; otherwise the node
// at PACER_SOCKET, or the installed node's default socket.
func backend() shell.Backend {
	if f := os.Getenv("CIB_file"); f != "" {
		return shell.FileBackend{Path: f}
	}
	sock := os.Getenv("PACER_SOCKET")
	if sock == "" {
		sock = daemon.DefaultSocket
	}
	return daemon.Client{Socket: sock}
}

func runCrm(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return shell.Main(args, stdin, stdout, stderr, backend())
}

func runCrmMon(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crm_mon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	once := fs.Bool("1", false, "display the cluster status once and exit")
	fs.BoolVar(once, "one-shot", false, "display the cluster status once and exit")
	inactive := fs.Bool("r", false, "also show inactive resources")
	fs.BoolVar(inactive, "inactive", false, "also show inactive resources")
	interval := fs.Duration("i", 2*time.Second, "refresh interval of the live view")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	b := backend()
	show := func() int {
		c, err := b.Load()
		if err != nil {
			fmt.Fprintf(stderr, "crm_mon: %v\n", err)
			return 102 // CRM_EX_DISCONNECT
		}
		if err := monitor.Render(stdout, c, time.Now(), monitor.Options{Inactive: *inactive}); err != nil {
			fmt.Fprintf(stderr, "crm_mon: %v\n", err)
			return 1
		}
		return 0
	}
	if *once {
		return show()
	}
	for {
		fmt.Fprint(stdout, "\033[H\033[2J")
		if rc := show(); rc != 0 {
			return rc
		}
		time.Sleep(*interval)
	}
}

func runCibadmin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cibadmin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	query := fs.Bool("Q", false, "print the CIB")
	fs.BoolVar(query, "query", false, "print the CIB")
	empty := fs.Bool("empty", false, "print an empty CIB")
	fs.BoolVar(empty, "a", false, "print an empty CIB")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	switch {
	case *empty:
		stdout.Write(cib.New().Bytes())
		fmt.Fprintln(stdout)
		return 0
	case *query:
		c, err := backend().Load()
		if err != nil {
			fmt.Fprintf(stderr, "cibadmin: %v\n", err)
			return 102
		}
		stdout.Write(c.Bytes())
		fmt.Fprintln(stdout)
		return 0
	}
	fmt.Fprintln(stderr, "cibadmin: give -Q (query) or --empty; other modes come with a later release")
	return 64
}

func runCib(args []string, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "accept" {
		if err := cib.Accept(args[1]); err != nil {
			fmt.Fprintf(stderr, "pacer cib: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s accepted\n", args[1])
		return 0
	}
	fmt.Fprintln(stderr, "usage: pacer cib accept PATH")
	return 64
}

// runCrmAttribute is crm_attribute: a node attribute, permanent
// (--lifetime forever, the default) or transient (--lifetime reboot, as
// agents set their promotion scores), or without --node a cluster
// property; set with -v, deleted with -D, read with -G.
func runCrmAttribute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crm_attribute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var node, name, value, lifetime string
	for _, f := range [][2]string{{"N", "node"}, {"n", "name"}, {"v", "update"}, {"l", "lifetime"}} {
		target := map[string]*string{"N": &node, "n": &name, "v": &value, "l": &lifetime}[f[0]]
		fs.StringVar(target, f[0], "", "")
		fs.StringVar(target, f[1], "", "")
	}
	del := fs.Bool("D", false, "delete the attribute")
	fs.BoolVar(del, "delete", false, "delete the attribute")
	query := fs.Bool("G", false, "show the attribute's value")
	fs.BoolVar(query, "query", false, "show the attribute's value")
	quiet := fs.Bool("q", false, "print only the value")
	fs.BoolVar(quiet, "quiet", false, "print only the value")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	if name == "" {
		fmt.Fprintln(stderr, "crm_attribute: give the attribute's name with -n NAME")
		return 64
	}
	verb := "show"
	switch {
	case *del:
		verb = "delete"
	case value != "" && !*query:
		verb = "set"
	}
	var crmArgs []string
	switch {
	case node == "":
		if verb != "set" && verb != "show" {
			fmt.Fprintln(stderr, "crm_attribute: deleting a cluster property: use crm configure property")
			return 64
		}
		if verb == "show" {
			crmArgs = []string{"configure", "show", "cib-bootstrap-options"}
		} else {
			crmArgs = []string{"configure", "property", name + "=" + value}
		}
	case lifetime == "reboot" || lifetime == "status":
		crmArgs = []string{"node", "status-attr", node, verb, name}
	case lifetime == "" || lifetime == "forever" || lifetime == "permanent" || lifetime == "nodes":
		crmArgs = []string{"node", "attribute", node, verb, name}
	default:
		fmt.Fprintf(stderr, "crm_attribute: unknown lifetime %q (reboot or forever)\n", lifetime)
		return 64
	}
	if verb == "set" {
		crmArgs = append(crmArgs, value)
	}
	if verb != "show" || !*quiet {
		return shell.Main(crmArgs, stdin, stdout, stderr, backend())
	}
	// -q: the value alone.
	var out bytes.Buffer
	rc := shell.Main(crmArgs, stdin, &out, stderr, backend())
	if _, v, ok := strings.Cut(strings.TrimSpace(out.String()), "value="); ok {
		fmt.Fprintln(stdout, v)
	}
	return rc
}
