package engine

import (
	"strconv"

	"github.com/beevik/etree"
)

// This file reads live migrations from the history as Pacemaker does. A
// migration is migrate_to on the source, then migrate_from on the target,
// then a stop on the source; the history may hold any prefix of it, or a
// failure along the way, and later operations on either node may make it
// no longer matter:
//
//   - migrate_to and migrate_from done but no stop yet: a dangling
//     migration, the resource runs on the target and is stopped on the
//     source (quietly);
//   - migrate_to done, migrate_from not (yet): a partial migration, the
//     resource may run on both; it continues if the target stays the
//     same;
//   - a failed step: the resource is taken as failed where it may run, and
//     recovered without migrating.

// migrations applies what the migration records of each primitive imply
// to its state on each node.
func (cl *Cluster) migrations() {
	for _, r := range cl.Resources {
		if r.Clone != nil || r.Unique != nil || len(r.State) == 0 {
			continue
		}
		for _, n := range cl.Nodes {
			st := r.State[n.Uname]
			if st == nil || st.entry == nil || !migrated(st.entry) {
				continue
			}
			for _, op := range sortedOps(st.entry) {
				switch op.SelectAttrValue("operation", "") {
				case "migrate_to":
					if opSucceeded(op) {
						cl.migrateToDone(r, n, op)
					} else if !opPending(op) {
						cl.migrateToFailed(r, n, op)
					}
				case "migrate_from":
					if !opSucceeded(op) && !opPending(op) {
						cl.migrateFromFailed(r, n, op)
					}
				}
			}
		}
	}
}

// migrated tells whether a history has a migration step at all; most
// have none, and sorting every history of a large status is costly.
func migrated(entry *etree.Element) bool {
	for _, t := range entry.Child {
		if op, ok := t.(*etree.Element); ok && op.Tag == "lrm_rsc_op" {
			if o := op.SelectAttrValue("operation", ""); o == "migrate_to" || o == "migrate_from" {
				return true
			}
		}
	}
	return false
}

func (cl *Cluster) migrateToDone(r *Resource, source *Node, op *etree.Element) {
	target := op.SelectAttrValue("migrate_target", "")
	if op.SelectAttrValue("migrate_source", "") != source.Uname {
		return
	}
	sourceNewer := r.nonMonitorAfter(source.Uname, op, true)
	from := r.findOp(target, "migrate_from", source.Uname)
	if sourceNewer && from != nil {
		return
	}
	targetNewer := r.newerStateAfterMigrate(target, op, from)
	if sourceNewer && targetNewer {
		return
	}
	tn := cl.nodeNamed(target)
	switch {
	case from != nil && opSucceeded(from):
		// Dangling: it runs on the target; the source's stop is due.
		if st := r.State[source.Uname]; st != nil {
			st.Active, st.Failed = false, false
		}
		r.danglingSources = append(r.danglingSources, source.Uname)
	case from != nil && !opPending(from):
		if !targetNewer && tn != nil && tn.Online {
			r.addRunning(target, source.Uname, true)
		} else {
			r.migrationFailed()
		}
	default: // pending, or done but its record erased
		if !targetNewer && tn != nil && tn.Online {
			r.addRunning(target, source.Uname, false)
			if source.Online {
				r.partialSource, r.partialTarget = source.Uname, target
			}
		} else if !sourceNewer {
			r.migrationFailed()
		}
	}
}

func (cl *Cluster) migrateToFailed(r *Resource, source *Node, op *etree.Element) {
	target := op.SelectAttrValue("migrate_target", "")
	if op.SelectAttrValue("migrate_source", "") != source.Uname {
		return
	}
	from := r.findOp(target, "migrate_from", source.Uname)
	if from != nil && !opSucceeded(from) {
		from = nil
	}
	if !r.unknownOn(target) && !r.newerStateAfterMigrate(target, op, from) {
		if tn := cl.nodeNamed(target); tn != nil && tn.Online {
			r.addRunning(target, source.Uname, false)
		}
	} else if !r.nonMonitorAfter(source.Uname, op, true) {
		r.danglingSources = append(r.danglingSources, source.Uname)
	}
}

func (cl *Cluster) migrateFromFailed(r *Resource, target *Node, op *etree.Element) {
	source := op.SelectAttrValue("migrate_source", "")
	if op.SelectAttrValue("migrate_target", "") != target.Uname {
		return
	}
	to := r.findOp(source, "migrate_to", target.Uname)
	if to != nil && !opSucceeded(to) {
		to = nil
	}
	if !r.unknownOn(source) && !r.newerStateAfterMigrate(source, to, op) {
		if sn := cl.nodeNamed(source); sn != nil && sn.Online {
			r.addRunning(source, target.Uname, true)
		}
	}
}

// migrationFailed marks a resource whose migration failed: failed where it
// runs, to be recovered by a stop and a start.
func (r *Resource) migrationFailed() {
	r.noMigration = true
	for _, st := range r.State {
		if st.Active {
			st.Failed = true
		}
	}
}

// addRunning makes a resource active on a node a migration may have left
// it on (failed, when the migration failed there), as found while reading
// the history of the node at the migration's other end.
func (r *Resource) addRunning(node, from string, failed bool) {
	st := r.State[node]
	if st == nil {
		return
	}
	if other := r.State[from]; other != nil && (!st.Active || other.seen < st.seen) {
		st.seen = other.seen - 1
	}
	st.Active = true
	if failed {
		st.Failed = true
		r.noMigration = true
	}
}

func (cl *Cluster) nodeNamed(uname string) *Node {
	for _, n := range cl.Nodes {
		if n.Uname == uname {
			return n
		}
	}
	return nil
}

// findOp finds a resource's record of task on a node; for migrate_to the
// one towards peer, for migrate_from the one from peer.
func (r *Resource) findOp(node, task, peer string) *etree.Element {
	st := r.State[node]
	if st == nil || st.entry == nil {
		return nil
	}
	for _, op := range st.entry.SelectElements("lrm_rsc_op") {
		if op.SelectAttrValue("operation", "") != task {
			continue
		}
		switch task {
		case "migrate_to":
			if op.SelectAttrValue("migrate_target", "") != peer {
				continue
			}
		case "migrate_from":
			if op.SelectAttrValue("migrate_source", "") != peer {
				continue
			}
		}
		return op
	}
	return nil
}

// unknownOn reports whether the history says nothing of the resource on a
// node.
func (r *Resource) unknownOn(node string) bool {
	st := r.State[node]
	return st == nil || st.entry == nil || len(st.entry.SelectElements("lrm_rsc_op")) == 0
}

// nonMonitorAfter reports whether a start, stop or migration of the
// resource on a node is newer than op.
func (r *Resource) nonMonitorAfter(node string, op *etree.Element, sameNode bool) bool {
	st := r.State[node]
	if st == nil || st.entry == nil {
		return false
	}
	for _, other := range st.entry.SelectElements("lrm_rsc_op") {
		if other == op {
			continue
		}
		switch other.SelectAttrValue("operation", "") {
		case "start", "stop", "migrate_to", "migrate_from":
			if newerOp(other, op, sameNode) > 0 {
				return true
			}
		}
	}
	return false
}

// newerStateAfterMigrate reports whether the resource has newer state on a
// node than the migration: an operation other than a monitor, or a
// monitor that found it not running.
func (r *Resource) newerStateAfterMigrate(node string, to, from *etree.Element) bool {
	op := to
	if from != nil {
		op = from
	}
	if op == nil {
		return false
	}
	source, target := op.SelectAttrValue("migrate_source", ""), op.SelectAttrValue("migrate_target", "")
	sameNode := false
	switch node {
	case target:
		if from != nil {
			op, sameNode = from, true
		} else {
			op = to
		}
	case source:
		if to != nil {
			op, sameNode = to, true
		} else {
			op = from
		}
	}
	if r.nonMonitorAfter(node, op, sameNode) {
		return true
	}
	if st := r.State[node]; st != nil && st.entry != nil {
		for _, m := range st.entry.SelectElements("lrm_rsc_op") {
			if m.SelectAttrValue("operation", "") != "monitor" {
				continue
			}
			// (Pacemaker looks at the first monitor record only.)
			return m.SelectAttrValue("rc-code", "") == "7" && m.SelectAttrValue("op-status", "0") == "0" && newerOp(m, op, sameNode) > 0
		}
	}
	return false
}

// newerOp compares two records by age as Pacemaker does: by call id on
// one node, else by the time of their last change.
func newerOp(a, b *etree.Element, sameNodeDefault bool) int {
	sameNode := sameNodeDefault
	if an, bn := a.SelectAttrValue("on_node", ""), b.SelectAttrValue("on_node", ""); an != "" && bn != "" {
		sameNode = an == bn
	}
	ac, _ := strconv.Atoi(a.SelectAttrValue("call-id", "-1"))
	bc, _ := strconv.Atoi(b.SelectAttrValue("call-id", "-1"))
	switch {
	case ac == -1 && bc == -1:
		return 0
	case sameNode && ac >= 0 && ac < bc:
		return -1
	case sameNode && bc >= 0 && ac > bc:
		return 1
	case ac >= 0 && bc >= 0 && (!sameNode || ac == bc):
		at, _ := strconv.ParseInt(a.SelectAttrValue("last-rc-change", "-1"), 10, 64)
		bt, _ := strconv.ParseInt(b.SelectAttrValue("last-rc-change", "-1"), 10, 64)
		switch {
		case at >= 0 && at < bt:
			return -1
		case bt >= 0 && at > bt:
			return 1
		}
	}
	return 0
}

func sortedOps(entry *etree.Element) []*etree.Element {
	ops := append([]*etree.Element(nil), entry.SelectElements("lrm_rsc_op")...)
	sortByCall(ops)
	return ops
}

func opSucceeded(op *etree.Element) bool {
	return op.SelectAttrValue("rc-code", "") == "0" && op.SelectAttrValue("op-status", "") == "0"
}

func opPending(op *etree.Element) bool {
	return op.SelectAttrValue("op-status", "") == "-1" || op.SelectAttrValue("call-id", "") == "-1"
}
