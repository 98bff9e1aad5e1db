package agents

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Catalog lists the agents installed on this machine, by class: OCF
// agents under the OCF roots (by provider), LSB init scripts, and fence
// agents for the stonith class.
type Catalog struct {
	OCFRoots []string // default: DefaultOCFRoots()
	InitDir  string   // default: DefaultInitDir()
	FenceDir string   // default: /usr/sbin
	// HeartbeatDir holds heartbeat-class scripts (default:
	// DefaultHeartbeatDirs()).
	HeartbeatDir string
}

func (c Catalog) roots() []string {
	if len(c.OCFRoots) > 0 {
		return c.OCFRoots
	}
	return DefaultOCFRoots()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Classes lists the resource agent classes this machine has agents of,
// with the providers of the ocf class.
func (c Catalog) Classes() []string {
	out := []string{}
	if len(c.Agents("lsb", "")) > 0 {
		out = append(out, "lsb")
	}
	if len(c.Agents("heartbeat", "")) > 0 {
		out = append(out, "heartbeat")
	}
	if p := c.Providers(""); len(p) > 0 {
		out = append(out, "ocf / "+strings.Join(p, " "))
	}
	out = append(out, "service")
	if len(c.Agents("stonith", "")) > 0 {
		out = append(out, "stonith")
	}
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		out = append(out, "systemd")
	}
	return out
}

// Providers lists the OCF providers, all of them or those with an agent
// of the given type.
func (c Catalog) Providers(typ string) []string {
	seen := map[string]bool{}
	for _, r := range c.roots() {
		entries, _ := os.ReadDir(filepath.Join(r, "resource.d"))
		for _, e := range entries {
			if !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			if typ == "" || isAgentFile(filepath.Join(r, "resource.d", e.Name(), typ)) {
				seen[e.Name()] = true
			}
		}
	}
	return sortedSet(seen)
}

// Agents lists the agents of a class (for ocf, of one provider, or of all
// when provider is ""), by name.
func (c Catalog) Agents(class, provider string) []string {
	seen := map[string]bool{}
	add := func(dir, prefix string) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || !strings.HasPrefix(name, prefix) || !isAgentFile(filepath.Join(dir, name)) {
				continue
			}
			seen[name] = true
		}
	}
	switch class {
	case "ocf":
		providers := []string{provider}
		if provider == "" {
			providers = c.Providers("")
		}
		for _, r := range c.roots() {
			for _, p := range providers {
				add(filepath.Join(r, "resource.d", p), "")
			}
		}
	case "lsb", "service":
		add(orDefault(c.InitDir, DefaultInitDir()), "")
	case "heartbeat":
		for _, d := range heartbeatDirs(c.HeartbeatDir) {
			add(d, "")
		}
	case "stonith":
		add(orDefault(c.FenceDir, DefaultFenceDir()), "fence_")
		seen[pacerFenceAgent] = true // a name of the pacer binary itself
		// cluster-glue's plugins: shared objects, and external/ scripts.
		plugins := DefaultStonithPlugins()
		if _, err := os.Stat(DefaultStonithCommand()); err == nil {
			entries, _ := os.ReadDir(filepath.Join(plugins, "stonith2"))
			for _, e := range entries {
				if name, ok := strings.CutSuffix(e.Name(), ".so"); ok && name != "external" && name != "rhcs" {
					seen[name] = true
				}
			}
			entries, _ = os.ReadDir(filepath.Join(plugins, "external"))
			for _, e := range entries {
				if isAgentFile(filepath.Join(plugins, "external", e.Name())) {
					seen["external/"+e.Name()] = true
				}
			}
		}
	}
	return sortedSet(seen)
}

// isAgentFile reports an executable regular file (links followed).
func isAgentFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
