package agents

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Fence devices come in two kinds: fence-agents' fence_* programs, which
// read key=value lines on stdin, and cluster-glue's STONITH plugins
// (stonith:external/ssh, stonith:null, ...), run through cluster-glue's
// stonith command with their parameters in the environment (-E).

// DefaultStonithCommand is cluster-glue's stonith program:
// $PACER_STONITH_BIN, or /usr/sbin/stonith.
func DefaultStonithCommand() string {
	return orDefault(os.Getenv("PACER_STONITH_BIN"), "/usr/sbin/stonith")
}

// DefaultStonithPlugins is where cluster-glue keeps its plugins:
// $PACER_STONITH_PLUGINS, or /usr/lib/stonith/plugins.
func DefaultStonithPlugins() string {
	return orDefault(os.Getenv("PACER_STONITH_PLUGINS"), "/usr/lib/stonith/plugins")
}

// IsFenceAgent reports a fence-agents program name (fence_*), as opposed
// to a cluster-glue plugin.
func IsFenceAgent(typ string) bool { return strings.HasPrefix(typ, "fence_") }

// pacerFenceAgent is the fence agent Pacer ships as a name of its binary.
const pacerFenceAgent = "fence_pacer"

func (p *Process) prepareStonith(op Op) (*invocation, *Result) {
	typ := op.Agent.Type
	if op.Action == "stop" {
		// A fence device stops by being no longer used: nothing runs.
		return nil, &Result{Status: Done}
	}
	if strings.ContainsAny(typ, "\x00") || strings.Contains(typ, "..") || typ == "" {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("stonith:%s: invalid name", typ)}
	}
	if !IsFenceAgent(typ) {
		return p.prepareGluePlugin(op)
	}
	if strings.Contains(typ, "/") {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("stonith:%s: invalid name", typ)}
	}
	inv := &invocation{path: filepath.Join(orDefault(p.FenceDir, DefaultFenceDir()), typ), env: p.plainEnvironment()}
	if _, err := os.Stat(inv.path); err != nil && typ == pacerFenceAgent {
		inv.path, inv.argv0 = p.selfBinary(), pacerFenceAgent
	}
	if r := executable(op.Agent, inv.path); r != nil {
		return nil, r
	}
	if op.Action == "meta-data" {
		inv.args = []string{"-o", "metadata"}
		return inv, nil
	}
	in, err := fenceInput(op)
	if err != nil {
		return nil, &Result{RC: 2, Status: ExecFailed, ExitReason: err.Error()}
	}
	inv.stdin, inv.remap = in, stonithResult
	return inv, nil
}

// selfBinary is the pacer binary, which answers to fence_pacer.
func (p *Process) selfBinary() string {
	if b := p.Env["PACER_BIN"]; b != "" {
		return b
	}
	exe, _ := os.Executable()
	return exe
}

// gluePluginPath is where a cluster-glue plugin's file is: a shared
// object for the built-in ones, a script for external/NAME.
func gluePluginPath(typ string) string {
	if name, ok := strings.CutPrefix(typ, "external/"); ok {
		return filepath.Join(DefaultStonithPlugins(), "external", name)
	}
	return filepath.Join(DefaultStonithPlugins(), "stonith2", typ+".so")
}

func (p *Process) prepareGluePlugin(op Op) (*invocation, *Result) {
	typ := op.Agent.Type
	if strings.Count(typ, "/") > 1 || (strings.Contains(typ, "/") && !strings.HasPrefix(typ, "external/")) {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("stonith:%s: invalid name", typ)}
	}
	bin := DefaultStonithCommand()
	if _, err := os.Stat(bin); err != nil {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("stonith:%s is a cluster-glue plugin, but cluster-glue's %s is not installed (apt-get install cluster-glue)", typ, bin)}
	}
	if _, err := os.Stat(gluePluginPath(typ)); err != nil {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("stonith:%s is not installed (%s not found; 'stonith -L' lists the plugins there are)", typ, gluePluginPath(typ))}
	}
	inv := &invocation{path: bin, env: p.plainEnvironment(), remap: stonithResult}
	if op.Action == "meta-data" {
		inv.args, inv.remap = []string{"-t", typ, "-m"}, nil
		return inv, nil
	}
	// The device's parameters go in the environment, as cluster-glue's
	// -E reads them; the fencer's own (pcmk_*) and the target stay out.
	for k, v := range op.Params {
		if strings.HasPrefix(k, "pcmk_") || k == "port" || k == "plug" || k == "nodename" {
			continue
		}
		if !envName.MatchString(k) || strings.ContainsAny(v, "\x00") {
			return nil, &Result{RC: 2, Status: ExecFailed, ExitReason: fmt.Sprintf("parameter %q cannot be passed to a STONITH plugin", k)}
		}
		inv.env = append(inv.env, k+"="+v)
	}
	sort.Strings(inv.env)
	target := orDefault(op.Params["port"], op.Params["nodename"])
	switch op.Action {
	case "start", "monitor", "status":
		inv.args = []string{"-t", typ, "-E", "-S"}
	case "list":
		inv.args = []string{"-t", typ, "-E", "-l"}
	case "off", "on", "reboot":
		if target == "" {
			return nil, &Result{RC: 2, Status: ExecFailed, ExitReason: fmt.Sprintf("stonith:%s %s: no node named", typ, op.Action)}
		}
		how := op.Action
		if how == "reboot" {
			how = "reset"
		}
		inv.args = []string{"-t", typ, "-E", "-T", how, target}
	default:
		return nil, &Result{RC: 3, Status: ExecFailed, ExitReason: fmt.Sprintf("stonith:%s: action %q is not one a STONITH plugin has", typ, op.Action)}
	}
	return inv, nil
}

// stonithResult reads a fence device's result: 0 done (or, for a
// monitor, the device answers); anything else is an error.
func stonithResult(r Result) Result {
	if r.RC != 0 {
		r.RC = 1
	}
	return r
}

// fenceInput is what a fence agent reads on stdin: its action and its
// parameters, one key=value per line, as the fencer passes them. The
// fencer's own parameters (pcmk_*) are not the agent's.
func fenceInput(op Op) (string, error) {
	var b strings.Builder
	action := op.Action
	if action == "start" || action == "monitor" {
		action = "monitor"
	}
	fmt.Fprintf(&b, "action=%s\n", action)
	keys := make([]string, 0, len(op.Params))
	for k := range op.Params {
		if !strings.HasPrefix(k, "pcmk_") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := op.Params[k]
		if strings.ContainsAny(k+v, "\n\x00") || strings.Contains(k, "=") {
			return "", fmt.Errorf("parameter %q cannot be passed to a fence agent", k)
		}
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	return b.String(), nil
}
