// Package tools implements Pacemaker's command-line tools (crm_resource,
// crm_attribute, cibadmin, crm_verify, crm_node, crm_standby,
// crm_failcount, crm_ticket) over a shell.Backend: options spelled as
// Pacemaker 2.1.5 spells them, short and long, the same output and exit
// statuses, working on a CIB file (CIB_file) or on the running cluster.
// Each tool parses its options and maps them onto the cib package's edits
// and the backend's requests; what it prints follows what Pacemaker's
// tool prints on the same CIB.
package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/shell"
)

// Exit statuses, Pacemaker's CRM_EX_* values.
const (
	exOK            = 0
	exError         = 1
	exInsuffPriv    = 4
	exUsage         = 64
	exDataErr       = 65
	exNoInput       = 66
	exNoHost        = 68
	exSoftware      = 70
	exConfig        = 78
	exDisconnect    = 102
	exNoSuch        = 105
	exUnsafe        = 107
	exExists        = 108
	exMultiple      = 109
	exUnimplemented = 3
	exOld           = 103
	exTimeout       = 124
)

// Membership is the running cluster's view of its nodes, for crm_node.
type Membership struct {
	Local   string   // this node's name
	Members []string // the nodes of this partition
	Nodes   []string // every node the cluster knows
	Quorum  bool
}

// Env is what a tool runs with.
type Env struct {
	Backend        shell.Backend
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the clock (lifetimes, ticket grants); time.Now when nil.
	Now func() time.Time
	// Cluster asks the running cluster for its membership; nil when the
	// tools work offline (CIB_file).
	Cluster func() (*Membership, error)
	// Fencer is the running cluster's fencing (stonith_admin); nil offline.
	Fencer Fencer
}

// Names are the tools this package implements.
var Names = []string{"crm_resource", "crm_attribute", "cibadmin", "crm_verify", "crm_node", "crm_standby", "crm_failcount", "crm_ticket", "stonith_admin"}

// Run runs the tool called name with args; ok is false when this package
// has no tool of that name.
func Run(name string, args []string, env Env) (rc int, ok bool) {
	f, ok := map[string]func([]string, *tool) int{
		"crm_resource":  crmResource,
		"crm_attribute": crmAttribute,
		"cibadmin":      cibadmin,
		"crm_verify":    crmVerify,
		"crm_node":      crmNode,
		"crm_standby":   crmStandby,
		"crm_failcount": crmFailcount,
		"crm_ticket":    crmTicket,
		"stonith_admin": stonithAdmin,
	}[name]
	if !ok {
		return 0, false
	}
	t := newTool(name, env)
	return f(args, t), true
}

// tool is one run of a tool.
type tool struct {
	name     string
	b        shell.Backend
	stdin    io.Reader
	out, err io.Writer
	now      func() time.Time
	cluster  func() (*Membership, error)
	fencer   Fencer
}

func newTool(name string, env Env) *tool {
	t := &tool{name: name, b: env.Backend, stdin: env.Stdin, out: env.Stdout, err: env.Stderr, now: env.Now, cluster: env.Cluster, fencer: env.Fencer}
	if t.now == nil {
		t.now = time.Now
	}
	if t.stdin == nil {
		t.stdin = strings.NewReader("")
	}
	if t.out == nil {
		t.out = io.Discard
	}
	if t.err == nil {
		t.err = io.Discard
	}
	return t
}

// exitError is a failure with its exit status and the one line that says
// what went wrong and where.
type exitError struct {
	rc  int
	msg string
}

func (e *exitError) Error() string { return e.msg }

func fail(rc int, format string, args ...any) error {
	return &exitError{rc: rc, msg: fmt.Sprintf(format, args...)}
}

// finish reports err (if any) as "TOOL: message" and returns the exit
// status.
func (t *tool) finish(err error) int {
	if err == nil {
		return exOK
	}
	var e *exitError
	if errors.As(err, &e) {
		if e.msg != "" {
			fmt.Fprintf(t.err, "%s: %s\n", t.name, e.msg)
		}
		return e.rc
	}
	fmt.Fprintf(t.err, "%s: %v\n", t.name, err)
	return exError
}

func (t *tool) printf(format string, args ...any) { fmt.Fprintf(t.out, format, args...) }

// where names the CIB the tool works on, for error messages.
func (t *tool) where() string {
	if f, ok := t.b.(shell.FileBackend); ok {
		return "in " + f.Path
	}
	return "in the cluster's CIB"
}

// offline reports whether the tool works on a file.
func (t *tool) offline() (shell.FileBackend, bool) {
	f, ok := t.b.(shell.FileBackend)
	return f, ok
}

// load reads the CIB, with Pacemaker's exit statuses when it cannot.
func (t *tool) load() (*cib.CIB, error) {
	if t.b == nil {
		return nil, fail(exDisconnect, "no CIB to work on")
	}
	c, err := t.b.Load()
	if err != nil {
		if f, ok := t.offline(); ok {
			if _, serr := os.Stat(f.Path); serr != nil {
				return nil, fail(exNoSuch, "cannot read the CIB: %v", err)
			}
			return nil, fail(exDataErr, "cannot read the CIB: %v", err)
		}
		return nil, fail(exDisconnect, "cannot reach the cluster: %v", err)
	}
	return c, nil
}

// edit applies f to the live configuration and commits it, made again on
// a newer CIB when another change came in between. A change that would
// leave a reference dangling (what Pacemaker's schema refuses) is refused
// whole: nothing is applied. It reports whether anything changed.
func (t *tool) edit(f func(c *cib.CIB) error) (bool, error) {
	for try := 0; ; try++ {
		base, err := t.load()
		if err != nil {
			return false, err
		}
		next := base.Clone()
		if err := f(next); err != nil {
			return false, err
		}
		next.TakeNotes()
		if next.ConfigEqual(base) {
			return false, nil
		}
		if ps := newProblems(base, next); len(ps) > 0 {
			more := ""
			if len(ps) > 1 {
				more = fmt.Sprintf(" (and %d more)", len(ps)-1)
			}
			return false, fail(exConfig, "the change would make the configuration invalid, nothing was applied: %s%s", ps[0], more)
		}
		err = t.b.Commit(base, next)
		if errors.Is(err, cib.ErrConflict) && try < 5 {
			continue
		}
		if err != nil {
			return false, fail(exError, "could not apply the change %s: %v", t.where(), err)
		}
		return true, nil
	}
}

// schemaProblems are what Pacemaker's schema and its unpacking refuse in
// a configuration: dangling references, bad scores, duplicate ids, and
// elements without what they must have.
func schemaProblems(c *cib.CIB) []string {
	var out []string
	for _, p := range c.Verify() {
		out = append(out, p.String())
	}
	for _, p := range c.Section("resources", true).FindElements(".//primitive") {
		id := p.SelectAttrValue("id", "")
		if p.SelectAttr("template") != nil {
			continue
		}
		if p.SelectAttrValue("class", "") == "" || p.SelectAttrValue("type", "") == "" {
			out = append(out, id+": a primitive needs class and type")
		} else if p.SelectAttrValue("class", "") == "ocf" && p.SelectAttrValue("provider", "") == "" {
			out = append(out, id+": an ocf primitive needs a provider")
		}
	}
	for _, tag := range []string{"group", "clone", "master"} {
		for _, g := range c.Section("resources", true).FindElements(".//" + tag) {
			n := 0
			for _, ch := range g.ChildElements() {
				switch ch.Tag {
				case "primitive", "group":
					n++
				}
			}
			if n == 0 {
				out = append(out, g.SelectAttrValue("id", "")+": a "+tag+" needs a resource in it")
			}
		}
	}
	for _, set := range c.Section("crm_config", true).SelectElements("cluster_property_set") {
		for _, nv := range set.SelectElements("nvpair") {
			if hint, ok := legacyOptions[nv.SelectAttrValue("name", "")]; ok {
				out = append(out, fmt.Sprintf("%s: the cluster option %s is not in the pacemaker-3 schema (use %s)", nv.SelectAttrValue("id", ""), nv.SelectAttrValue("name", ""), hint))
			}
		}
	}
	for _, nv := range c.Configuration().FindElements(".//nvpair") {
		if nv.SelectAttr("name") == nil && nv.SelectAttr("id-ref") == nil {
			out = append(out, nv.SelectAttrValue("id", "")+": an nvpair needs a name")
		}
	}
	for _, e := range c.Configuration().FindElements(".//*") {
		switch e.Tag {
		case "primitive", "group", "clone", "master", "nvpair", "rsc_location", "rsc_colocation", "rsc_order",
			"instance_attributes", "meta_attributes", "utilization", "op", "node", "cluster_property_set", "rsc_ticket", "tag":
			if e.SelectAttr("id") == nil && e.SelectAttr("id-ref") == nil {
				out = append(out, "a "+e.Tag+" needs an id")
			}
		}
	}
	return out
}

// newProblems are the schema problems of next that base did not have.
func newProblems(base, next *cib.CIB) []string {
	had := map[string]bool{}
	for _, p := range schemaProblems(base) {
		had[p] = true
	}
	var out []string
	for _, p := range schemaProblems(next) {
		if !had[p] {
			out = append(out, p)
		}
	}
	return out
}

// writeWhole replaces the CIB file with c, status section included (what
// Backend.Commit cannot do: it replaces only the configuration).
func (t *tool) writeWhole(c *cib.CIB) error {
	f, ok := t.offline()
	if !ok {
		return fail(exUnimplemented, "this change of the status section needs the cluster daemon's support, which it does not have yet")
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(f.Path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := cib.WriteFileAtomic(f.Path, c.Bytes(), mode); err != nil {
		return fail(exError, "could not write %s: %v", f.Path, err)
	}
	return nil
}

// timeText is a Unix time as Pacemaker's tools show it, in local time.
func timeText(sec int64) string {
	return time.Unix(sec, 0).Format("Mon Jan _2 15:04:05 2006")
}
