// Command pacer is Pacer's one binary. It acts by the name it is called
// by: crm, crm_mon, cibadmin, crm_simulate, crm_attribute, crm_resource,
// crm_verify, crm_node, crm_standby, crm_failcount, crm_ticket,
// stonith_admin, fence_pacer, haresources2cib; as pacer, it takes a
// subcommand (daemon, local, cib) or a tool name as its first argument.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pacer-ha/pacer/agents/fence"
)

// tools are the names the binary answers to.
var tools = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int{
	"crm":           runCrm,
	"crm_mon":       runCrmMon,
	"cibadmin":      runTool("cibadmin"),
	"crm_simulate":  runCrmSimulate,
	"crm_attribute": runTool("crm_attribute"),
	"fence_pacer":   runFencePacer,
	"crm_resource":  runTool("crm_resource"),
	"crm_verify":    runTool("crm_verify"),
	"crm_node":      runTool("crm_node"),
	"crm_standby":   runTool("crm_standby"),
	"crm_failcount": runTool("crm_failcount"),
	"crm_ticket":    runTool("crm_ticket"),
	"stonith_admin": runTool("stonith_admin"),

	"haresources2cib": runHaresources2cib,
}

func main() {
	name := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if tool, ok := tools[name]; ok {
		os.Exit(tool(args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(runPacer(args, os.Stdin, os.Stdout, os.Stderr))
}

func runPacer(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 64
	}
	if tool, ok := tools[args[0]]; ok {
		return tool(args[1:], stdin, stdout, stderr)
	}
	switch args[0] {
	case "daemon":
		return runDaemon(args[1:], stderr)
	case "local":
		return runLocal(args[1:], stdout, stderr)
	case "cib":
		return runCib(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "pacer: unknown command %q\n", args[0])
	usage(stderr)
	return 64
}

func usage(w io.Writer) {
	var names []string
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, `usage:
  pacer daemon --config /etc/ha.d/ha.cf [--node NAME] [--check]   run one cluster node
  pacer local up --nodes N --dir DIR       start a local N-node cluster on 127.0.0.x
  pacer local down|status --dir DIR        stop it / show its nodes
  pacer local kill|start --dir DIR NODE    SIGKILL / (re)start one node
  pacer cib accept PATH                    accept a hand-edited cib.xml
  pacer TOOL [ARGS]                        run a tool: %s
Tools also run by name (links to pacer): bin/crm, bin/crm_mon, ...
`, strings.Join(names, ", "))
}

// runFencePacer is the fence agent Pacer ships for its test clusters.
func runFencePacer(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return fence.Main(args, stdin, stdout, stderr)
}
