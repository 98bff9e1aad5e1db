package tools

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// crm_verify: check a configuration as Pacemaker would load it.
func crmVerify(args []string, t *tool) int {
	var live, pipe, help bool
	var file, text, save string
	var verbose int
	p := newOptions(t.name)
	p.flag('L', &live, "live-check")
	p.str('x', &file, "xml-file")
	p.flag('p', &pipe, "xml-pipe")
	p.str('X', &text, "xml-text")
	p.str('S', &save, "save-xml")
	p.count('V', &verbose, "verbose")
	p.flag('h', &help, "help", "help-all")
	if err := p.parse(args); err != nil {
		return t.finish(err)
	}
	if help {
		t.printf("Usage: crm_verify -L | -x FILE | -X XML | -p [-S FILE] [-V]\nCheck a cluster configuration: exit status 0 when it is valid.\n")
		return exOK
	}
	var c *cib.CIB
	var err error
	// A file or text is checked as given; the live CIB (or CIB_file) was
	// loaded by the cluster, so the schema problems of one mean it could
	// not be read at all.
	schemaRC := exConfig
	switch {
	case file != "":
		data, rerr := os.ReadFile(file)
		if rerr == nil {
			c, err = cib.Parse(data)
		}
		if rerr != nil || err != nil {
			why := rerr
			if why == nil {
				why = err
			}
			return t.finish(fail(exError, "Couldn't parse input file: %s: %v", file, why))
		}
	case text != "" || pipe:
		data := []byte(text)
		if pipe {
			if data, err = io.ReadAll(t.stdin); err != nil {
				return t.finish(fail(exError, "cannot read standard input: %v", err))
			}
		}
		if c, err = cib.Parse(data); err != nil {
			return t.finish(fail(exError, "Couldn't parse input: %v", err))
		}
	case live:
		if c, err = t.load(); err != nil {
			return t.finish(err)
		}
		if _, offline := t.offline(); offline {
			schemaRC = exNoInput
		}
	default:
		return t.finish(fail(exError, "No configuration source specified: give -L (the cluster, or CIB_file) or -x FILE"))
	}
	if save != "" {
		if err := os.WriteFile(save, c.Bytes(), 0o644); err != nil {
			return t.finish(fail(exError, "cannot save %s: %v", save, err))
		}
	}
	if ps := schemaProblems(c); len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintf(t.err, "%s: error: %s\n", t.name, p)
		}
		if schemaRC == exNoInput {
			return t.finish(fail(schemaRC, "the CIB does not validate against the schema %s", c.Attr("validate-with")))
		}
		return t.finish(fail(schemaRC, "Errors found during check: config not valid"))
	}
	ps := configProblems(c)
	if len(ps) == 0 {
		return exOK
	}
	for _, p := range ps {
		fmt.Fprintf(t.err, "%s: error: %s\n", t.name, p)
	}
	return t.finish(fail(exConfig, "Errors found during check: config not valid"))
}

// Cluster options whose values Pacemaker checks.
var (
	optionChoices = map[string][]string{
		"no-quorum-policy":     {"stop", "freeze", "ignore", "demote", "suicide"},
		"stonith-action":       {"reboot", "off", "poweroff"},
		"placement-strategy":   {"default", "utilization", "minimal", "balanced"},
		"node-health-strategy": {"none", "migrate-on-red", "only-green", "progressive", "custom"},
	}
	booleanOptions = map[string]bool{
		"stonith-enabled": true, "symmetric-cluster": true, "maintenance-mode": true, "start-failure-is-fatal": true,
		"enable-startup-probes": true, "stop-orphan-resources": true, "stop-orphan-actions": true, "startup-fencing": true,
		"concurrent-fencing": true, "stop-all-resources": true, "shutdown-lock": true, "remove-after-stop": true,
		"have-watchdog": true, "enable-acl": true,
	}
	integerOptions = map[string]bool{
		"batch-limit": true, "migration-limit": true, "node-action-limit": true, "pe-error-series-max": true,
		"pe-warn-series-max": true, "pe-input-series-max": true, "cluster-ipc-limit": true,
	}
	timeOptions = map[string]bool{
		"cluster-delay": true, "dc-deadtime": true, "stonith-timeout": true, "cluster-recheck-interval": true,
		"shutdown-escalation": true, "election-timeout": true, "join-integration-timeout": true,
		"join-finalization-timeout": true, "transition-delay": true, "priority-fencing-delay": true,
		"shutdown-lock-limit": true, "fence-reaction": false,
	}
	// Legacy options the pacemaker-3 schema no longer accepts.
	legacyOptions = map[string]string{
		"default-resource-stickiness":         "rsc_defaults resource-stickiness",
		"is-managed-default":                  "rsc_defaults is-managed",
		"default-resource-failure-stickiness": "rsc_defaults migration-threshold",
	}
)

func isBoolean(v string) bool { return cib.IsTrue(v) || cib.IsFalse(v) }

// configProblems are what Pacemaker's scheduler reports as errors when it
// reads the configuration: cluster options with values it cannot use, and
// fencing enabled with no device to fence with.
func configProblems(c *cib.CIB) []string {
	var out []string
	stonith := true
	for _, set := range c.Section("crm_config", true).SelectElements("cluster_property_set") {
		for _, nv := range set.SelectElements("nvpair") {
			name, value := nv.SelectAttrValue("name", ""), nv.SelectAttrValue("value", "")
			bad := false
			switch {
			case optionChoices[name] != nil:
				bad = !slices.Contains(optionChoices[name], strings.ToLower(value))
			case booleanOptions[name]:
				bad = !isBoolean(value)
			case integerOptions[name]:
				_, err := strconv.Atoi(value)
				bad = err != nil
			case timeOptions[name]:
				_, err := engine.ParseDuration(value)
				bad = err != nil
			}
			if bad {
				out = append(out, fmt.Sprintf("Using default value for cluster option '%s' because '%s' is invalid", name, value))
				continue
			}
			if name == "stonith-enabled" {
				stonith = cib.IsTrue(value)
			}
		}
	}
	if stonith {
		devices := 0
		for _, p := range c.Primitives() {
			if p.SelectAttrValue("class", "") == "stonith" {
				devices++
			}
		}
		if devices == 0 {
			out = append(out, "Resource start-up disabled since no STONITH resources have been defined; configure one, or set the cluster option stonith-enabled=false (clusters with shared data need fencing)")
		}
	}
	return out
}
