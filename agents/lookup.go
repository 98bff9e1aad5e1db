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
	if repo := shippedDir("ocf"); repo != "" {
		roots = append(roots, repo)
	}
	return append(roots, "/usr/lib/ocf")
}

// shippedDir finds a folder of the agents Pacer ships, agents/NAME in the
// tree the running binary was built in (bin/pacer), or "".
func shippedDir(name string) string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	dir := filepath.Join(filepath.Dir(exe), "..", "agents", name)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return filepath.Clean(dir)
	}
	return ""
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

// DefaultHeartbeatDirs are where heartbeat-class scripts are, searched in
// order: $PACER_HEARTBEAT_DIR (a list), or /etc/ha.d/resource.d and then
// the example scripts Pacer ships (agents/resource.d).
func DefaultHeartbeatDirs() []string {
	if d := os.Getenv("PACER_HEARTBEAT_DIR"); d != "" {
		return filepath.SplitList(d)
	}
	dirs := []string{"/etc/ha.d/resource.d"}
	if repo := shippedDir("resource.d"); repo != "" {
		dirs = append(dirs, repo)
	}
	return dirs
}

// heartbeatDirs is dir alone when set, else DefaultHeartbeatDirs().
func heartbeatDirs(dir string) []string {
	if dir != "" {
		return []string{dir}
	}
	return DefaultHeartbeatDirs()
}

// FindHeartbeat returns the path of a heartbeat-class script.
func FindHeartbeat(dirs []string, name string) (string, error) {
	if strings.ContainsAny(name, "/\x00") || name == "" || name == ".." {
		return "", fmt.Errorf("heartbeat:%s: %w (invalid name)", name, ErrNotFound)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			// Absolute: the script runs from another working directory.
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("heartbeat:%s: %w in %s", name, ErrNotFound, strings.Join(dirs, ", "))
}

// DefaultFenceDir is where fence agents (fence_*) are: $PACER_FENCE_DIR,
// or /usr/sbin.
func DefaultFenceDir() string {
	if d := os.Getenv("PACER_FENCE_DIR"); d != "" {
		return d
	}
	return "/usr/sbin"
}
