package shell

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

// Cluster properties whose values are checked, and the legacy names the
// pacemaker-3.x schema refuses, with what to write instead.
var (
	propertyValues = map[string][]string{
		"no-quorum-policy":     {"stop", "freeze", "ignore", "demote", "suicide"},
		"stonith-action":       {"reboot", "off", "poweroff"},
		"placement-strategy":   {"default", "utilization", "minimal", "balanced"},
		"node-health-strategy": {"none", "migrate-on-red", "only-green", "progressive", "custom"},
	}
	booleanProperties = []string{"stonith-enabled", "symmetric-cluster", "maintenance-mode", "start-failure-is-fatal",
		"enable-startup-probes", "stop-orphan-resources", "stop-orphan-actions", "startup-fencing", "concurrent-fencing"}
	legacyProperties = map[string]string{
		"default-resource-stickiness":         "rsc_defaults resource-stickiness=VALUE",
		"is-managed-default":                  "rsc_defaults is-managed=VALUE",
		"default-resource-failure-stickiness": "rsc_defaults migration-threshold=VALUE",
	}
)

// propertyProblems checks cluster options against their allowed values.
func propertyProblems(c *cib.CIB) []string {
	var out []string
	cfg := c.Section("crm_config", true)
	for _, set := range cfg.SelectElements("cluster_property_set") {
		for _, nv := range set.SelectElements("nvpair") {
			name, value := nv.SelectAttrValue("name", ""), nv.SelectAttrValue("value", "")
			if hint, ok := legacyProperties[name]; ok {
				out = append(out, fmt.Sprintf("property %s is no longer supported by the pacemaker-3 schema; use %s", name, hint))
				continue
			}
			if allowed, ok := propertyValues[name]; ok && !slices.Contains(allowed, value) {
				out = append(out, fmt.Sprintf("property %s=%s: the value must be one of %s", name, value, strings.Join(allowed, ", ")))
			}
			if slices.Contains(booleanProperties, name) && !isBool(value) {
				out = append(out, fmt.Sprintf("property %s=%s: the value must be true or false", name, value))
			}
		}
	}
	return out
}

func isBool(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "on", "off", "yes", "no", "y", "n", "1", "0":
		return true
	}
	return false
}

// agentProblems checks primitives against their agents' meta-data:
// installed, required parameters given, no unknown parameters, and no two
// resources sharing the value of a unique parameter.
func agentProblems(c *cib.CIB) []string {
	var out []string
	exec := &agents.Process{OCFRoots: agents.DefaultOCFRoots()}
	type owner struct{ rsc, value string }
	unique := map[string][]owner{} // agent/param -> resources and values
	roots := agents.DefaultOCFRoots()
	for _, p := range c.Primitives() {
		id := p.SelectAttrValue("id", "")
		class, provider, typ, params := effective(c, p)
		switch class {
		case "ocf":
		case "lsb":
			if script := filepath.Join(agents.DefaultInitDir(), typ); !fileExists(script) {
				out = append(out, fmt.Sprintf("%s: agent lsb:%s is not installed (no %s)", id, typ, script))
			}
			continue
		default:
			continue
		}
		agent := agents.Agent{Class: class, Provider: provider, Type: typ}
		if _, _, err := agents.FindOCF(roots, provider, typ); err != nil {
			out = append(out, fmt.Sprintf("%s: agent %s is not installed (looked in %s)", id, agent, strings.Join(roots, ", ")))
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		md, err := exec.MetaData(ctx, agent)
		cancel()
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", id, err))
			continue
		}
		known := map[string]bool{}
		for _, prm := range md.Parameters {
			known[prm.Name] = true
			v, given := params[prm.Name]
			if prm.Required && !given {
				out = append(out, fmt.Sprintf("%s: required parameter %q is not set (agent %s)", id, prm.Name, agent))
			}
			if prm.Unique && given {
				key := agent.String() + " " + prm.Name
				unique[key] = append(unique[key], owner{id, v})
			}
		}
		var names []string
		for name := range params {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !known[name] && len(md.Parameters) > 0 {
				out = append(out, fmt.Sprintf("%s: agent %s has no parameter %q", id, agent, name))
			}
		}
	}
	var keys []string
	for k := range unique {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		byValue := map[string][]string{}
		for _, o := range unique[k] {
			byValue[o.value] = append(byValue[o.value], o.rsc)
		}
		for v, rscs := range byValue {
			if len(rscs) > 1 {
				param := k[strings.LastIndexByte(k, ' ')+1:]
				out = append(out, fmt.Sprintf("resources %s share the value %q of the unique parameter %q", strings.Join(rscs, ","), v, param))
			}
		}
	}
	return out
}

// effective resolves a primitive's agent and parameters through its
// template, if it has one.
func effective(c *cib.CIB, p *etree.Element) (class, provider, typ string, params map[string]string) {
	params = map[string]string{}
	src := p
	if t := p.SelectAttrValue("template", ""); t != "" {
		if tpl := c.FindID(t); tpl != nil {
			src = tpl
			for k, v := range cib.NVPairs(tpl, cib.Params) {
				params[k] = v
			}
		}
	}
	for k, v := range cib.NVPairs(p, cib.Params) {
		params[k] = v
	}
	return src.SelectAttrValue("class", ""), src.SelectAttrValue("provider", ""), src.SelectAttrValue("type", ""), params
}

// timeoutWarnings lists operations whose timeout is below what the agent's
// meta-data advises: a warning, never a reason to refuse a commit.
func timeoutWarnings(c *cib.CIB) []string {
	var out []string
	exec := &agents.Process{OCFRoots: agents.DefaultOCFRoots()}
	for _, p := range c.Primitives() {
		class, provider, typ, _ := effective(c, p)
		if class != "ocf" {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		md, err := exec.MetaData(ctx, agents.Agent{Class: class, Provider: provider, Type: typ})
		cancel()
		if err != nil {
			continue
		}
		for _, op := range p.FindElements("operations/op") {
			name, to := op.SelectAttrValue("name", ""), op.SelectAttrValue("timeout", "")
			if to == "" {
				continue
			}
			given, err := agents.ParseDuration(to)
			if err != nil {
				continue
			}
			for _, a := range md.Actions {
				if a.Name == name && a.Timeout > 0 && given < a.Timeout {
					out = append(out, fmt.Sprintf("%s: specified timeout %s for %s is smaller than the advised %v", p.SelectAttrValue("id", ""), to, name, a.Timeout))
					break
				}
			}
		}
	}
	return out
}

// newWarnings are the timeout warnings of next that base did not have.
func newWarnings(base, next *cib.CIB) []string {
	had := map[string]bool{}
	for _, w := range timeoutWarnings(base) {
		had[w] = true
	}
	var out []string
	for _, w := range timeoutWarnings(next) {
		if !had[w] {
			out = append(out, w)
		}
	}
	return out
}
