package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
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
	if err := fs.Parse(args); err != nil {
		return 64
	}
	var c *cib.CIB
	var err error
	switch {
	case xmlFile != "":
		var data []byte
		if xmlFile == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(xmlFile)
		}
		if err == nil {
			c, err = cib.Parse(data)
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
	now := time.Now()
	// A CIB saved with its execution date is judged as of that instant
	// (rules, failure timeouts), as crm_simulate does.
	executed := ""
	if v, err := strconv.ParseInt(c.Attr("execution-date"), 10, 64); err == nil {
		now = time.Unix(v, 0).UTC()
		executed = "Using the original execution date of: " + now.Format("2006-01-02 15:04:05Z")
	}
	cl, err := engine.Unpack(c, now)
	if err != nil {
		fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
		return 65
	}
	plan, err := engine.Schedule(engine.Input{CIB: c, Now: now})
	if err != nil {
		fmt.Fprintf(stderr, "crm_simulate: %v\n", err)
		return 65
	}
	for _, n := range plan.Notes {
		fmt.Fprintf(stderr, "crm_simulate: %s\n", n)
	}
	if executed != "" {
		fmt.Fprintln(stdout, executed)
	}
	if !*quiet {
		monitor.SimulationHeader(stdout, cl)
		fmt.Fprintln(stdout, "Current cluster status:")
		monitor.RenderClusterStatus(stdout, cl)
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "Transition Summary:")
	monitor.NewTransitionSummary().Write(stdout, cl, plan)
	if *sim {
		fmt.Fprintln(stdout)
		fmt.Fprintln(stdout, "Executing Cluster Transition:")
		monitor.ExecutedActions(stdout, cl, plan)
		after, err := engine.Unpack(engine.Simulate(c, plan), now)
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
