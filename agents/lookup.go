package agents

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotFound means no agent file exists for an agent name.
var ErrNotFound = errors.New("agent not found")

// DefaultOCFRoots is where OCF agents are looked for, in order:
// $PACER_OCF_ROOTS (colon-separated) if set; else the agents/ocf directory
// of the source tree the running binary was built in (bin/pacer →
// ../agents/ocf), then the system's /usr/lib/ocf.
func DefaultOCFRoots() []string {
	if env := os.Getenv("PACER_OCF_ROOTS"); env != "" {
		return filepath.SplitList(env)
	}
	var roots []string
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		repo := filepath.Join(filepath.Dir(exe), "..", "agents", "ocf")
		if st, err := os.Stat(repo); err == nil && st.IsDir() {
			roots = append(roots, filepath.Clean(repo))
		}
	}
	return append(roots, "/usr/lib/ocf")
}

// FindOCF returns the path of an OCF agent and the OCF root it was found
// under (which becomes OCF_ROOT when it runs).
func FindOCF(roots []string, provider, typ string) (path, root string, err error) {
	if strings.ContainsAny(provider+typ, "/\x00") || provider == "" || typ == "" || provider == ".." || typ == ".." {
		return "", "", fmt.Errorf("ocf:%s:%s: %w (invalid name)", provider, typ, ErrNotFound)
	}
	for _, r := range roots {
		p := filepath.Join(r, "resource.d", provider, typ)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, r, nil
		}
	}
	return "", "", fmt.Errorf("ocf:%s:%s: %w in %s", provider, typ, ErrNotFound, strings.Join(roots, ", "))
}

// DefaultInitDir is where LSB init scripts are: $PACER_INIT_DIR, or
// /etc/init.d.
func DefaultInitDir() string {
	if d := os.Getenv("PACER_INIT_DIR"); d != "" {
		return d
	}
	return "/etc/init.d"
}

// DefaultHeartbeatDir is where heartbeat-class scripts are:
// $PACER_HEARTBEAT_DIR, or /etc/ha.d/resource.d.
func DefaultHeartbeatDir() string {
	if d := os.Getenv("PACER_HEARTBEAT_DIR"); d != "" {
		return d
	}
	return "/etc/ha.d/resource.d"
}

// DefaultFenceDir is where fence agents (fence_*) are: $PACER_FENCE_DIR,
// or /usr/sbin.
func DefaultFenceDir() string {
	if d := os.Getenv("PACER_FENCE_DIR"); d != "" {
		return d
	}
	return "/usr/sbin"
}
