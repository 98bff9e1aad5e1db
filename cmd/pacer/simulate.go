package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
	"github.com/pacer-ha/pacer/monitor"
)

// runCrmSimulate is crm_simulate: the scheduler's plan for a CIB (a file
// with -x, the live cluster with -L), and with -S the cluster as it would
// be once the plan ran.
func runCrmSimulate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crm_simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var xmlFile string
	fs.StringVar(&xmlFile, "x", "", "read the CIB from this file")
	fs.StringVar(&xmlFile, "xml-file", "", "read the CIB from this file")
	live := fs.Bool("L", false, "use the live cluster's CIB")
	fs.BoolVar(live, "live-check", false, "use the live cluster's CIB")
	sim := fs.Bool("S", false, "simulate the transition's execution and show the result")
	fs.BoolVar(sim, "simulate", false, "simulate the transition's execution and show the result")
	run := fs.Bool("R", false, "run the scheduler and show the transition summary")
	fs.BoolVar(run, "run", false, "run the scheduler and show the transition summary")
	quiet := fs.Bool("q", false, "show less")
	fs.BoolVar(quiet, "quiet", false, "show less")
	scores := fs.Bool("s", false, "show the allocation scores")
	fs.BoolVar(scores, "show-scores", false, "show the allocation scores")
	var graphFile string
	fs.StringVar(&graphFile, "G", "", "save the transition graph (XML) to this file")
	fs.StringVar(&graphFile, "save-graph", "", "save the transition graph (XML) to this file")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	var c *cib.CIB
	var err error
	switch {
	case xmlFile != "":
		var data string
		if data, err = readInput(xmlFile, stdin); err == nil {
			c, err = cib.ParseString(data)
		}
	case *live:
		c, err = backend().Load()
	default:
		fmt.Fprintln(stderr, "crm_simulate: give -x FILE or -L")
		return 64
	}
	if err != nil {
		fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
		return 66 // CRM_EX_NOINPUT
	}
	// The parse leaves its input and scratch behind: collected now, they
	// do not set the heap's next goal as if they lived on (for the largest
	// CIBs, hundreds of megabytes of peak memory).
	runtime.GC()
	now := time.Now()
	// A CIB saved with its execution date is judged as of that instant
	// (rules, failure timeouts), as crm_simulate does.
	executed := ""
	if v, err := strconv.ParseInt(c.Attr("execution-date"), 10, 64); err == nil {
		now = time.Unix(v, 0).UTC()
		executed = "Using the original execution date of: " + now.Format("2006-01-02 15:04:05Z")
	}
	// The status shown is the cluster before the plan, which Schedule
	// changes in its own unpacking: this one is unpacked alongside it,
	// both only reading the CIB.
	var cl *engine.Cluster
	var unpackErr error
	unpacked := make(chan struct{})
	go func() {
		defer close(unpacked)
		cl, unpackErr = engine.Unpack(c, now)
	}()
	plan, err := engine.Schedule(engine.Input{CIB: c, Now: now, Scores: *scores})
	<-unpacked
	if unpackErr != nil {
		fmt.Fprintf(stderr, "crm_simulate: %v\n", unpackErr)
		return 65
	}
	if err != nil {
		fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
		return 65
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(stderr, "crm_simulate: %s\n", n)
	}
	if graphFile != "" {
		if err := saveGraph(graphFile, c, cl, plan); err != nil {
			fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
			return 73 // CRM_EX_CANTCREAT
		}
	}
	if *scores {
		// Pacemaker lays the output out plainly when it shows scores: no
		// headings or bullets, the scores after the current status.
		var out bytes.Buffer
		code := summarize(&out, stderr, c, cl, plan, now, executed, *quiet, *sim)
		writePlain(stdout, out.String(), plan.Scores)
		return code
	}
	return summarize(stdout, stderr, c, cl, plan, now, executed, *quiet, *sim)
}

// readInput reads a file ("-": stdin) into one string, sized from the
// file's length, for cib.ParseString without a copy.
func readInput(path string, stdin io.Reader) (string, error) {
	r := stdin
	var b strings.Builder
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() > 0 {
			b.Grow(int(st.Size()) + 1)
		}
		r = f
	}
	if _, err := io.Copy(&b, r); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return b.String(), nil
}

// summarize writes crm_simulate's sections: the current status, the
// transition summary, and with sim the actions and the revised status.
func summarize(stdout, stderr io.Writer, c *cib.CIB, cl *engine.Cluster, plan *engine.Plan, now time.Time, executed string, quiet, sim bool) int {
	if executed != "" {
		fmt.Fprintln(stdout, executed)
	}
	if !quiet {
		monitor.SimulationHeader(stdout, cl)
		fmt.Fprintln(stdout, "Current cluster status:")
		monitor.RenderClusterStatus(stdout, cl)
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "Transition Summary:")
	io.WriteString(stdout, engine.Summarize(cl, plan).String())
	if sim {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "Executing Cluster Transition:")
		monitor.ExecutedActions(stdout, cl, plan)
		// The records of what ran carry the time it ran, as Pacemaker's
		// simulation writes them.
		after, err := engine.Unpack(engine.SimulateAt(c, plan, time.Now()), now)
		if err != nil {
			fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
			return 70
		}
		if executed != "" {
			fmt.Fprintln(stdout, executed)
		}
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "Revised Cluster Status:")
		monitor.RenderClusterStatus(stdout, after)
	}
	return 0
}

// saveGraph writes the plan as Pacemaker's transition graph XML, through
// a temporary file renamed into place.
func saveGraph(path string, c *cib.CIB, cl *engine.Cluster, plan *engine.Plan) error {
	ids := map[string]string{}
	for _, n := range cl.Nodes {
		ids[n.Uname] = n.ID
	}
	fatal := true
	if v, ok := c.Property("start-failure-is-fatal"); ok {
		fatal = v == "true" || v == "on" || v == "yes" || v == "1"
	}
	data, err := plan.TransitionGraph(ids, fatal).WriteToBytes()
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".crm_simulate-graph-*")
	if err != nil {
		return fmt.Errorf("save graph %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save graph %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save graph %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("save graph %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// writePlain rewrites crm_simulate's output as Pacemaker prints it along
// with the scores: section headings and list headings dropped, bullets
// and indentation gone, node lists without their labels, and the
// allocation scores after the current status.
func writePlain(w io.Writer, out string, scores []engine.AllocationScore) {
	headings := []string{"Current cluster status:", "Node List:", "Full List of Resources:", "Transition Summary:",
		"Executing Cluster Transition:", "Revised Cluster Status:"}
	nodeLists := []string{"Online: ", "OFFLINE: ", "RemoteOnline: ", "RemoteOFFLINE: ", "GuestOnline: "}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "Transition Summary:" {
			// After the current status: the scores.
			for _, sc := range scores {
				fmt.Fprintf(w, "%s: %s allocation score on %s: %s\n", sc.Step, sc.Resource, sc.Node, engine.FormatScore(sc.Score))
			}
			fmt.Fprintln(w)
			continue
		}
		t := strings.TrimPrefix(strings.TrimLeft(line, " "), "* ")
		heading := false
		for _, h := range headings {
			heading = heading || t == h
		}
		if heading || (strings.HasSuffix(t, ":") && (strings.HasPrefix(t, "Clone Set: ") || strings.HasPrefix(t, "Resource Group: ") ||
			strings.HasPrefix(t, "Container bundle"))) {
			continue
		}
		for _, l := range nodeLists {
			if strings.HasPrefix(t, l+"[") {
				t = strings.TrimPrefix(t, l)
			}
		}
		fmt.Fprintln(w, t)
	}
}
