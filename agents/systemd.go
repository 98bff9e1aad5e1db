package agents

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// SystemdRunning reports whether systemd is this host's init (PID 1), by
// the test sd_booted(3) documents.
func SystemdRunning() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

// prepareSystemd runs a systemd unit through systemctl. The service class
// is systemd where systemd runs and LSB elsewhere, as in Pacemaker.
func (p *Process) prepareSystemd(op Op) (*invocation, *Result) {
	name := op.Agent.Type
	if strings.ContainsAny(name, "/\x00 ") || name == "" || strings.HasPrefix(name, "-") {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf("%s:%s: invalid unit name", op.Agent.Class, name)}
	}
	if !SystemdRunning() {
		if op.Agent.Class == "service" {
			return p.prepareLSB(op)
		}
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: fmt.Sprintf(
			"systemd:%s: systemd is not running on this host (PID 1 is %s), so its units cannot be managed; use lsb:%s (its init script) or an OCF agent", name, initName(), name)}
	}
	systemctl, err := exec.LookPath("systemctl")
	if err != nil {
		return nil, &Result{RC: 5, Status: NotInstalled, ExitReason: "systemctl not found, though systemd runs"}
	}
	unit := name
	if !strings.Contains(unit, ".") {
		unit += ".service"
	}
	inv := &invocation{path: systemctl, env: p.plainEnvironment()}
	switch op.Action {
	case "start", "stop", "reload", "restart":
		// systemctl waits for the job to finish; a failed job exits 1.
		inv.args = []string{op.Action, unit}
		inv.remap = func(r Result) Result {
			if r.RC != 0 {
				r.RC = 1
			}
			return r
		}
	case "monitor", "status":
		inv.args = []string{"is-active", unit}
		inv.remap = systemdState
	case "meta-data":
		return nil, &Result{Status: Done}
	default:
		return nil, &Result{RC: 3, Status: ExecFailed, ExitReason: fmt.Sprintf("systemd:%s: action %q is not one a unit has", name, op.Action)}
	}
	return inv, nil
}

// systemdState reads systemctl is-active: active (or still activating)
// is running, failed an error, anything else stopped.
func systemdState(r Result) Result {
	switch strings.TrimSpace(r.Output) {
	case "active", "activating", "reloading":
		r.RC = 0
	case "failed":
		r.RC = 1
	default:
		r.RC = 7
	}
	return r
}

func initName() string {
	b, err := os.ReadFile("/proc/1/comm")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}
