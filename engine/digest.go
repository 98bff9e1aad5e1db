package engine

import (
	"crypto/md5"
	"encoding/hex"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// This file finds what changed in a resource's configuration since the
// operations its history records, as Pacemaker does: each record keeps a
// digest of the parameters the operation ran with (op-digest), of those
// that need a restart to change (op-restart-digest, over the names in
// op-force-restart) and of those that are not secret (op-secure-digest).
// A changed start restarts the resource, or reloads it when the agent
// can; a changed recurring monitor is scheduled again.

// digestOf is Pacemaker's digest of an operation's parameters: the MD5
// of the parameters as one XML element with its attributes in name order
// (as Pacemaker writes them, after a space, with a newline).
func digestOf(params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(" <parameters")
	for _, k := range names {
		b.WriteString(" " + k + "=\"" + xmlEscapeForDigest(params[k]) + "\"")
	}
	b.WriteString("/>\n")
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// xmlEscapeForDigest escapes an attribute value as Pacemaker's own XML
// writer does (tabs become four spaces, newlines a backslash and n).
func xmlEscapeForDigest(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c&0x80 != 0 && i+1 < len(v) && v[i+1]&0x80 != 0 {
			// Pacemaker stops escaping at the first multi-byte character.
			b.WriteString(v[i:])
			break
		}
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '&':
			b.WriteString("&amp;")
		case '\t':
			b.WriteString("    ")
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// digestResult is how an operation's record compares with the
// configuration.
type digestResult int

const (
	digestMatch   digestResult = iota
	digestAll                  // parameters changed: reload (or reschedule)
	digestUnknown              // no digest recorded: as digestAll
	digestRestart              // parameters that need a restart changed
)

// opParams are the parameters a resource's operation runs with, as the
// digests count them: the resource's parameters, the operation's own, and
// for a recurring operation its timeout.
func (r *Resource) opParams(task string, interval time.Duration) (all, own map[string]string) {
	all = r.digestParams()
	own = map[string]string{}
	var op *OpConfig
	for i := range r.Ops {
		if r.Ops[i].Name == task && r.Ops[i].Interval == interval {
			op = &r.Ops[i]
			break
		}
	}
	if op != nil {
		for k, v := range op.Params {
			own[k] = v
			all[k] = v
		}
	}
	if interval > 0 {
		timeout := r.DefaultTimeout
		if op != nil && op.Timeout > 0 {
			timeout = op.Timeout
		}
		all["CRM_meta_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	}
	return all, own
}

// runParams are the parameters an agent runs an operation with: the
// resource's (and its group's or clone's), and the operation's own, such
// as OCF_CHECK_LEVEL on a deeper monitor.
func (r *Resource) runParams(task string, interval time.Duration) map[string]string {
	all, _ := r.opParams(task, interval)
	delete(all, "CRM_meta_timeout")
	return all
}

// digestParams are the resource's parameters as Pacemaker digests them:
// with those of the group or clone it is in.
func (r *Resource) digestParams() map[string]string {
	all := maps.Clone(r.parentParams)
	if all == nil {
		all = map[string]string{}
	}
	maps.Copy(all, r.Params)
	return all
}

// digestTask is the operation whose parameters an operation runs with: a
// probe, a migrate_from and a promote run with the start's.
func digestTask(task string, interval time.Duration) string {
	if interval == 0 && (task == "monitor" || task == "migrate_from" || task == "promote") {
		return "start"
	}
	return task
}

// opDigest is the digest a node records for an operation (op-digest):
// of the parameters compareDigests will compare it with.
func (r *Resource) opDigest(task string, interval time.Duration) string {
	all, _ := r.opParams(digestTask(task, interval), interval)
	return digestOf(all)
}

// compareDigests compares one operation record (of task and interval)
// with the configuration; sanitized, as crm_simulate runs, a change only
// to secret parameters (those op-secure-params names) does not count.
func (r *Resource) compareDigests(op *etree.Element, task string, interval time.Duration) digestResult {
	task = digestTask(task, interval)
	all, own := r.opParams(task, interval)
	result := digestMatch
	recorded := op.SelectAttr("op-digest")
	restartDigest := op.SelectAttr("op-restart-digest")
	switch {
	case restartDigest != nil && digestOf(restartParams(all, op)) != restartDigest.Value:
		result = digestRestart
	case recorded == nil:
		result = digestUnknown
	case digestOf(all) != recorded.Value:
		result = digestAll
		if interval == 0 && len(own) > 0 {
			result = digestRestart // the operation's own parameters changed: restart to apply them
		}
	}
	if result != digestMatch {
		if secure := op.SelectAttr("op-secure-digest"); secure != nil && digestOf(secureParams(r, all, op, interval)) == secure.Value {
			return digestMatch // only secret parameters differ (masked in a saved CIB)
		}
	}
	return result
}

// restartParams keeps, of all parameters, those whose change needs a
// restart (op-force-restart names them; all when it does not).
func restartParams(all map[string]string, op *etree.Element) map[string]string {
	names := op.SelectAttr("op-force-restart")
	if names == nil {
		return all
	}
	out := map[string]string{}
	for k, v := range all {
		if strings.Contains(names.Value, " "+k+" ") {
			out[k] = v
		}
	}
	return out
}

// secureParams drops the secret parameters (op-secure-params) from the
// parameters the record's Pacemaker version digested: since 3.16.0 all of
// them, before only the resource's own, without fencing's pcmk_ ones and
// without a timeout.
func secureParams(r *Resource, all map[string]string, op *etree.Element, interval time.Duration) map[string]string {
	out := map[string]string{}
	old := compareVersions(op.SelectAttrValue("crm_feature_set", ""), "3.16.0") < 0
	src := all
	if old {
		src = r.digestParams()
	}
	secret := op.SelectAttrValue("op-secure-params", "")
	for k, v := range src {
		if strings.Contains(secret, " "+k+" ") || (old && r.Class == "stonith" && strings.HasPrefix(k, "pcmk_")) {
			continue
		}
		if old && k == "CRM_meta_timeout" {
			continue
		}
		out[k] = v
	}
	return out
}

// activeOps lists a resource's records on a node in call order, from the
// one that last started it (start, migrate_from; else a promote or
// demote; else a monitor that found it running); nil when it was stopped
// since.
func activeOps(entry *etree.Element) []*etree.Element {
	ops := entry.SelectElements("lrm_rsc_op")
	sortByCall(ops)
	start, stop, impliedMonitor, impliedClone := -1, -1, -1, -1
	for i, op := range ops {
		switch task := op.SelectAttrValue("operation", ""); {
		case task == "stop" && op.SelectAttrValue("op-status", "") == "0":
			stop = i
		case task == "start" || task == "migrate_from":
			start = i
		case task == "monitor" && impliedMonitor <= stop:
			if rc := op.SelectAttrValue("rc-code", ""); rc == "0" || rc == "8" {
				impliedMonitor = i
			}
		case task == "promote" || task == "demote":
			impliedClone = i
		}
	}
	if start == -1 {
		start = impliedClone
		if start == -1 {
			start = impliedMonitor
		}
	}
	if start < stop || start < 0 {
		return nil
	}
	return ops[start:]
}

// sortByCall sorts operation records in call order (those in flight
// last).
func sortByCall(ops []*etree.Element) {
	sort.SliceStable(ops, func(i, j int) bool {
		a, _ := strconv.Atoi(ops[i].SelectAttrValue("call-id", "0"))
		b, _ := strconv.Atoi(ops[j].SelectAttrValue("call-id", "0"))
		return callOrder(a) < callOrder(b)
	})
}

// configChanges plans what a resource needs on a node where it runs
// because its configuration changed since its history: a restart (its
// start then gives "resource definition change" as the reason), a reload,
// or monitors scheduled again; a fail count is cleared when an operation
// that changed had failed.
func (s *scheduler) configChanges(r *Resource, n *Node, entry *etree.Element) {
	st := r.State[n.Uname]
	if st == nil || !st.Active || st.entry != entry || r.Implicit || r.Bundle != "" {
		return
	}
	changed := false
	for _, op := range activeOps(entry) {
		task := op.SelectAttrValue("operation", "")
		ms, _ := strconv.Atoi(op.SelectAttrValue("interval", "0"))
		interval := time.Duration(ms) * time.Millisecond
		if interval > 0 && (cib.IsTrue(r.Meta["maintenance"]) || s.cl.MaintenanceMode || n.Maintenance) {
			continue // (its monitors are cancelled)
		}
		if interval == 0 && task != "monitor" && task != "start" && task != "promote" && task != "migrate_from" {
			continue
		}
		if interval > 0 && !r.hasOp(task, interval) {
			changed = true // an orphaned monitor, cancelled elsewhere
			continue
		}
		result := r.compareDigests(op, task, interval)
		switch {
		case result == digestMatch:
			continue
		case interval > 0:
			// Scheduled again with the new parameters (the running one
			// is replaced).
			delete(st.MonitorActive, interval)
			if st.rescheduled == nil {
				st.rescheduled = map[time.Duration]bool{}
			}
			st.rescheduled[interval] = true
		case result != digestRestart && op.SelectAttr("op-restart-digest") != nil && r.Managed && !st.Failed:
			if st.Restart {
				break // a restart is due anyway: no reload
			}
			st.reload = true
		default:
			st.Restart = true
			s.actionCauses[r.ID+" start "+n.Uname] = "resource definition change"
			s.forcedStart[r.ID+" "+n.Uname] = true
		}
		changed = true
	}
	if changed && st.FailCount != 0 && !slices.Contains(r.ClearFailCount, n.Uname) {
		id := s.add(Action{Task: "clear_failcount", Resource: r.ID, Class: r.Class, Provider: r.Provider, Type: r.Type, Node: n.Uname,
			Reason: "the definition of an operation of " + r.ID + " on " + n.Uname + " changed"})
		s.fromHistory[id] = true
	}
}

func (r *Resource) hasOp(task string, interval time.Duration) bool {
	for _, op := range r.Ops {
		if op.Name == task && op.Interval == interval {
			return true
		}
	}
	return false
}
