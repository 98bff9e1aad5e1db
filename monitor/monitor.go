// Package monitor owns the status view: what `crm status` and `crm_mon`
// print, in Pacemaker 2.1.5's crm_mon text and XML formats, computed from
// the CIB through the engine's unpacked view (and its notes, so an
// administrator sees why nothing runs); and crm_mon's live view (Watch).
package monitor

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
)

// Options select what the status view shows, as crm_mon's flags do.
type Options struct {
	Inactive       bool   // -r: list inactive resources too ("Full List of Resources")
	FailCounts     bool   // -f: the "Migration Summary" (fail counts per node)
	NodeAttributes bool   // -A: the "Node Attributes"
	Version        string // shown after the DC's name; default "pacer"
	// Format is FormatText (the default), FormatXML (--output-as=xml) or
	// FormatLegacyXML (-X); the XML formats show every section.
	Format string
	// Request is the command line the XML's request attribute repeats.
	Request string
}

// The output formats of Render.
const (
	FormatText      = "text"
	FormatXML       = "xml"
	FormatLegacyXML = "legacy-xml"
)

// Render writes the one-shot status view of c (crm_mon -1) to w: the text
// with the sections opts asks for (-r, -A, -f), or crm_mon's XML. Times
// are shown in now's location.
func Render(w io.Writer, c *cib.CIB, now time.Time, opts Options) error {
	if opts.Format == FormatXML || opts.Format == FormatLegacyXML {
		return renderXML(w, c, now, opts)
	}
	cl, err := engine.Unpack(c, now)
	if err != nil {
		return err
	}
	v := viewOf(c, cl, now)
	plan, err := engine.Schedule(engine.Input{CIB: c, Now: now})
	if err != nil {
		return err
	}
	version := v.dcVersion(opts)
	var b strings.Builder
	b.WriteString("Cluster Summary:\n  * Stack: " + v.stack() + "\n")
	if cl.DC != "" {
		q := "with"
		if !cl.HaveQuorum {
			q = "WITHOUT"
		}
		fmt.Fprintf(&b, "  * Current DC: %s (version %s) - partition %s quorum\n", cl.DC, version, q)
	} else {
		b.WriteString("  * Current DC: NONE\n")
	}
	fmt.Fprintf(&b, "  * Last updated: %s\n", now.Format("Mon Jan _2 15:04:05 2006"))
	change := cl.LastWritten
	if change != "" {
		// Each part shows when present, as crm_mon's.
		if cl.UpdateUser != "" {
			change += " by " + cl.UpdateUser
		}
		if cl.UpdateClient != "" {
			change += " via " + cl.UpdateClient
		}
		if cl.UpdateOrigin != "" {
			change += " on " + cl.UpdateOrigin
		}
	}
	fmt.Fprintf(&b, "  * Last change:  %s\n", change)
	fmt.Fprintf(&b, "  * %d node%s configured\n", len(cl.Nodes), plural(len(cl.Nodes)))
	instances, disabled, blocked := v.instanceCounts()
	fmt.Fprintf(&b, "  * %d resource instance%s configured", instances, plural(instances))
	switch {
	case disabled > 0 && blocked > 0:
		fmt.Fprintf(&b, " (%d DISABLED, %d BLOCKED from further action due to failure)", disabled, blocked)
	case disabled > 0:
		fmt.Fprintf(&b, " (%d DISABLED)", disabled)
	case blocked > 0:
		fmt.Fprintf(&b, " (%d BLOCKED from further action due to failure)", blocked)
	}
	b.WriteString("\n")
	for _, note := range plan.Notes {
		if note == "Resource start-up disabled since no STONITH resources have been defined" {
			fmt.Fprintf(&b, "  * %s\n    (configure a stonith resource, or run: crm configure property stonith-enabled=false)\n", note)
		}
	}
	if cl.MaintenanceMode {
		b.WriteString(maintenanceBanner)
	}

	b.WriteString("\nNode List:\n")
	writeNodes(&b, cl, "  ")

	lines := resourceLines(cl, opts.Inactive, "")
	if opts.Inactive {
		b.WriteString("\nFull List of Resources:\n")
		if len(cl.Resources) == 0 {
			b.WriteString("  * No resources\n")
		}
	} else {
		b.WriteString("\nActive Resources:\n")
		if len(lines) == 0 {
			b.WriteString("  * No active resources\n")
		}
	}
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	if opts.NodeAttributes {
		v.writeNodeAttributes(&b)
	}
	if opts.FailCounts {
		v.writeMigrationSummary(&b)
	}

	if failures := v.failures(); len(failures) > 0 {
		b.WriteString("\nFailed Resource Actions:\n")
		for _, f := range failures { // in history order, as crm_mon
			b.WriteString("  * " + failureLine(f.name(), f.Failure, now) + "\n")
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// writeNodes writes the node list as crm_mon does: a line of its own for
// each node in a special state (unclean, standby, maintenance, online or
// not), then the plain online and offline ones in brackets.
func writeNodes(b *strings.Builder, cl *engine.Cluster, indent string) {
	busy := map[string]bool{} // nodes where some resource is active
	for _, r := range cl.Resources {
		for _, n := range r.ActiveOn() {
			busy[n] = true
		}
	}
	var online, offline, remoteOnline, remoteOffline, guestOnline []string
	for _, n := range sortedNodes(cl.Nodes) {
		if n.Remote && !n.Unclean {
			// Remote and guest nodes are listed after the cluster's
			// (an offline guest node not at all).
			switch {
			case n.Container != "" && n.Online && n.Maintenance:
				fmt.Fprintf(b, "%s* GuestNode %s: maintenance\n", indent, n.Uname)
			case n.Container != "":
				if n.Online {
					guestOnline = append(guestOnline, n.Uname)
				}
			case n.Online && n.Maintenance:
				fmt.Fprintf(b, "%s* RemoteNode %s: maintenance\n", indent, n.Uname)
			case n.Online && n.Standby:
				fmt.Fprintf(b, "%s* RemoteNode %s: standby\n", indent, n.Uname)
			case n.Online:
				remoteOnline = append(remoteOnline, n.Uname)
			default:
				remoteOffline = append(remoteOffline, n.Uname)
			}
			continue
		}
		kind := "Node"
		if n.Remote {
			kind = "RemoteNode"
			if n.Container != "" {
				kind = "GuestNode"
			}
		}
		state := ""
		// Without a node_state, crm_mon never reads a node's standby or
		// maintenance attribute.
		standby, maint := n.Standby && n.InStatus, n.Maintenance && n.InStatus
		switch {
		case n.Unclean && n.Online:
			state = "UNCLEAN (online)"
		case n.Unclean:
			state = "UNCLEAN (offline)"
		case n.Pending:
			state = "pending"
		case standby && n.Online && busy[n.Uname]:
			state = "standby (with active resources)"
		case standby && n.Online:
			state = "standby"
		case standby:
			state = "OFFLINE (standby)"
		case maint && n.Online:
			state = "maintenance"
		case maint:
			state = "OFFLINE (maintenance)"
		case n.Health <= 0 && n.Online:
			state = "online" // listed alone, for its health
		case n.Health <= 0:
			state = "OFFLINE"
		case n.Online:
			online = append(online, n.Uname)
		default:
			offline = append(offline, n.Uname)
		}
		switch {
		case state != "" && n.Health < 0:
			state += " (health is RED)"
		case state != "" && n.Health == 0:
			state += " (health is YELLOW)"
		}
		if state != "" {
			fmt.Fprintf(b, "%s* %s %s: %s\n", indent, kind, n.Uname, state)
		}
	}
	if len(online) > 0 {
		fmt.Fprintf(b, "%s* Online: [ %s ]\n", indent, strings.Join(online, " "))
	}
	for _, l := range []struct {
		label string
		nodes []string
	}{{"OFFLINE", offline}, {"RemoteOnline", remoteOnline}, {"RemoteOFFLINE", remoteOffline}, {"GuestOnline", guestOnline}} {
		if len(l.nodes) > 0 {
			fmt.Fprintf(b, "%s* %s: [ %s ]\n", indent, l.label, strings.Join(l.nodes, " "))
		}
	}
}

// sortedNodes orders nodes by name as crm_mon lists them, special lines
// included.
func sortedNodes(nodes []*engine.Node) []*engine.Node {
	out := append([]*engine.Node(nil), nodes...)
	sort.SliceStable(out, func(i, j int) bool { return engine.NaturalLess(out[i].Uname, out[j].Uname) })
	return out
}

// resourceLines lists resources as crm_mon does: a group as a heading
// with its members indented under it. Lines start with "* " after indent.
func resourceLines(cl *engine.Cluster, inactive bool, indent string) []string {
	nodes := map[string]*engine.Node{}
	for _, n := range cl.Nodes {
		nodes[n.Uname] = n
	}
	var out []string
	done := map[string]bool{}
	groups := map[string]*engine.Group{}
	for _, g := range cl.Groups {
		groups[g.ID] = g
	}
	bundles := map[string]*engine.Bundle{}
	for _, b := range cl.Bundles {
		bundles[b.ID] = b
	}
	for _, r := range cl.Resources {
		if r.Implicit {
			continue // Pacemaker's own (a guest node's connection)
		}
		if r.Bundle != "" {
			if !done[r.Bundle] && bundles[r.Bundle] != nil {
				done[r.Bundle] = true
				if inactive || bundleActive(cl, bundles[r.Bundle]) {
					out = append(out, bundleLines(cl, bundles[r.Bundle], indent, nodes)...)
				}
			}
			continue
		}
		if r.Clone != nil && r.Clone.Group != nil {
			if !done[r.Clone.ID] {
				done[r.Clone.ID] = true
				out = append(out, groupCloneLines(cl, r.Clone, inactive, indent)...)
			}
			continue
		}
		if r.Clone != nil {
			out = append(out, cloneLines(cl, r, inactive, indent)...)
			continue
		}
		if r.Unique != nil {
			if done[r.Unique.ID] {
				continue
			}
			done[r.Unique.ID] = true
			base, _, _ := strings.Cut(r.ID, ":")
			var members []string
			anyActive := false
			for _, m := range cl.Resources {
				if m.Unique != r.Unique {
					continue
				}
				l, active := resourceLine(m, nodes)
				anyActive = anyActive || active
				members = append(members, indent+"  * "+l)
			}
			if anyActive || inactive {
				out = append(out, cloneHead(cl, indent, r.Unique, base, true))
				out = append(out, members...)
			}
			continue
		}
		if r.Group == "" {
			if l, active := resourceLine(r, nodes); active || (inactive && !r.Orphan) {
				out = append(out, indent+"* "+l)
			}
			continue
		}
		if done[r.Group] {
			continue
		}
		done[r.Group] = true
		g := groups[r.Group]
		var members []string
		anyActive, nInactive := false, 0
		for _, m := range g.Members {
			l, active := resourceLine(m, nodes)
			anyActive = anyActive || active
			if active || inactive {
				members = append(members, indent+"  * "+l)
			}
			if !active {
				nInactive++
			}
		}
		if !anyActive && !inactive {
			continue
		}
		// crm_mon's flags on the heading: members not shown, unmanaged,
		// disabled (the group's own target-role).
		var attrs []string
		if nInactive > 0 && !inactive {
			attrs = append(attrs, fmt.Sprintf("%d member%s inactive", nInactive, plural(nInactive)))
		}
		if collectiveUnmanaged(cl, g.Meta) {
			attrs = append(attrs, "unmanaged")
		}
		if collectiveDisabled(cl, g.Meta, false) {
			attrs = append(attrs, "disabled")
		}
		head := "Resource Group: " + g.ID + ":"
		if len(attrs) > 0 {
			head = "Resource Group: " + g.ID + " (" + strings.Join(attrs, ", ") + "):"
		}
		out = append(out, indent+"* "+head)
		out = append(out, members...)
	}
	return out
}

// cloneLines shows an anonymous clone as crm_mon does: the nodes it is
// started on, and (with inactive) the nodes where its other instances
// could run. An instance that is failed, unmanaged or on a node that is
// lost has a line of its own, in instance (history) order.
func cloneLines(cl *engine.Cluster, r *engine.Resource, inactive bool, indent string) []string {
	var started, promoted, stopped []string
	type full struct {
		rank int
		line string
	}
	var fulls []full
	unmanaged := collectiveUnmanaged(cl, r.Clone.Meta) || (!r.Managed && !r.FailBlocked)
	probed, probeRCs := map[int][]string{}, []int(nil)
	downActive := 0
	// Instances are numbered in history order: those past clone-max are
	// orphans, shown apart.
	orphan := map[string]bool{}
	if r.Clone.Max >= 0 {
		var on []*engine.Node
		for _, n := range cl.Nodes {
			if st := r.State[n.Uname]; st != nil && st.Active {
				on = append(on, n)
			}
		}
		sort.SliceStable(on, func(i, j int) bool { return instanceRank(r, on[i]) < instanceRank(r, on[j]) })
		for i, n := range on {
			orphan[n.Uname] = i >= r.Clone.Max
		}
	}
	for _, n := range cl.Nodes {
		st := r.State[n.Uname]
		lost := n.Unclean && !n.Online
		switch {
		case st != nil && st.Active && ((st.Failed || st.FailedInRole) || unmanaged || lost || orphan[n.Uname]):
			state := "Started"
			switch {
			case st.Failed || st.FailedInRole:
				state = "FAILED"
				if st.Promoted {
					state += " Promoted"
				}
			case st.Promoted:
				state = "Promoted"
			case r.Clone.Promotable:
				state = "Unpromoted"
			}
			var flags []string
			if lost {
				flags = append(flags, "UNCLEAN")
			}
			switch {
			case r.FailBlocked && (st.Failed || st.FailedInRole):
				flags = append(flags, "blocked")
			case unmanaged:
				flags = append(flags, "unmanaged")
			}
			if orphan[n.Uname] {
				state = "ORPHANED " + state
			}
			line := fmt.Sprintf("%s  * %s\t(%s):\t %s %s", indent, r.ID, r.Agent(), state, n.Uname)
			if len(flags) > 0 {
				line += " (" + strings.Join(flags, ", ") + ")"
			}
			fulls = append(fulls, full{instanceRank(r, n), line})
			if !n.Online && !n.Unclean {
				// (Left active on a node cleanly down: crm_mon counts the
				// node among those where the clone is stopped, too.)
				stopped = append(stopped, n.Uname)
				downActive++
			}
		case st != nil && st.Active && st.Promoted:
			promoted = append(promoted, n.Uname)
		case st != nil && st.Active:
			started = append(started, n.Uname)
		case n.Bundle != "":
			// A bundle's node runs nothing but the bundle's primitive.
		case st != nil && st.ProbeRC != 0 && n.Online:
			// A probe found it unusable there: listed apart, with why.
			if probed[st.ProbeRC] == nil {
				probeRCs = append(probeRCs, st.ProbeRC)
			}
			probed[st.ProbeRC] = append(probed[st.ProbeRC], n.Uname)
		default:
			stopped = append(stopped, n.Uname)
		}
	}
	sort.SliceStable(fulls, func(i, j int) bool { return fulls[i].rank < fulls[j].rank })
	max := r.Clone.Max
	if max < 0 {
		max = len(cl.Nodes)
	}
	if len(started)+len(promoted)+len(fulls) == 0 && !inactive {
		return nil
	}
	out := []string{cloneHead(cl, indent, r.Clone, r.ID, false)}
	for _, f := range fulls {
		out = append(out, f.line)
	}
	if len(promoted) > 0 {
		out = append(out, fmt.Sprintf("%s  * Promoted: [ %s ]", indent, strings.Join(promoted, " ")))
	}
	if len(started) > 0 {
		label := "Started"
		if r.Clone.Promotable {
			label = "Unpromoted"
		}
		out = append(out, fmt.Sprintf("%s  * %s: [ %s ]", indent, label, strings.Join(started, " ")))
	}
	if inactive && len(started)+len(promoted)+len(fulls)-downActive < max && len(stopped) > 0 {
		label := "Stopped"
		if r.Disabled() || collectiveDisabled(cl, r.Clone.Meta, r.Clone.Promotable) {
			label = "Stopped (disabled)"
		}
		out = append(out, fmt.Sprintf("%s  * %s: [ %s ]", indent, label, strings.Join(stopped, " ")))
	}
	if inactive {
		sort.Ints(probeRCs)
		for _, rc := range probeRCs {
			out = append(out, fmt.Sprintf("%s  * Stopped (%s): [ %s ]", indent, rcText[rc], strings.Join(probed[rc], " ")))
		}
	}
	return out
}

// cloneHead is a clone's heading, with crm_mon's flags in one
// parenthesis: promotable, unique, unmanaged, disabled.
func cloneHead(cl *engine.Cluster, indent string, c *engine.Clone, child string, unique bool) string {
	var flags []string
	if c.Promotable {
		flags = append(flags, "promotable")
	}
	if unique {
		flags = append(flags, "unique")
	}
	if collectiveUnmanaged(cl, c.Meta) || (c.Primitive != nil && !c.Primitive.Managed && !c.Primitive.FailBlocked) {
		flags = append(flags, "unmanaged")
	}
	if collectiveDisabled(cl, c.Meta, c.Promotable) {
		flags = append(flags, "disabled")
	}
	head := fmt.Sprintf("%s* Clone Set: %s [%s]", indent, c.ID, child)
	if len(flags) > 0 {
		head += " (" + strings.Join(flags, ", ") + ")"
	}
	return head + ":"
}

// collectiveMeta is a group's or clone's meta attribute, or rsc_defaults'
// when it sets none.
func collectiveMeta(cl *engine.Cluster, meta map[string]string, key string) string {
	if v, ok := meta[key]; ok {
		return v
	}
	return cl.ResourceDefaults[key]
}

// collectiveDisabled: a group or clone whose target-role is Stopped (or
// Unpromoted, for a promotable clone) is shown disabled.
func collectiveDisabled(cl *engine.Cluster, meta map[string]string, promotable bool) bool {
	role := collectiveMeta(cl, meta, "target-role")
	return strings.EqualFold(role, "Stopped") || (promotable && (strings.EqualFold(role, "Unpromoted") || strings.EqualFold(role, "Slave")))
}

// collectiveUnmanaged: is-managed false, maintenance on the resource or
// the whole cluster.
func collectiveUnmanaged(cl *engine.Cluster, meta map[string]string) bool {
	return cib.IsFalse(collectiveMeta(cl, meta, "is-managed")) || cib.IsTrue(collectiveMeta(cl, meta, "maintenance")) || cl.MaintenanceMode
}

// groupCloneLines shows a clone of a group: the nodes where the whole
// group runs as "Started", an instance whose group runs in part with its
// members, and (with inactive) the nodes where it does not run.
func groupCloneLines(cl *engine.Cluster, c *engine.Clone, inactive bool, indent string) []string {
	var started, stopped, partial []string
	inst := 0
	for _, n := range cl.Nodes {
		count := 0
		for _, m := range c.Group.Members {
			if st := m.State[n.Uname]; st != nil && st.Active && !st.Failed {
				count++
			}
		}
		lost := n.Unclean && !n.Online
		switch {
		case count == len(c.Group.Members) && !lost:
			started = append(started, n.Uname)
			inst++
		case count > 0:
			partial = append(partial, fmt.Sprintf("%s  * Resource Group: %s:%d:", indent, c.Group.ID, inst))
			for _, m := range c.Group.Members {
				state := "Stopped"
				if st := m.State[n.Uname]; st != nil && st.Active {
					state = "Started " + n.Uname
					if st.Failed {
						state = "FAILED " + n.Uname
					}
					if lost {
						state += " (UNCLEAN)"
					}
				} else if m.Disabled() {
					state += " (disabled)"
				}
				partial = append(partial, fmt.Sprintf("%s    * %s\t(%s):\t %s", indent, m.ID, m.Agent(), state))
			}
			inst++
		case n.Bundle != "":
			// A bundle's node runs nothing but the bundle's primitive.
		default:
			stopped = append(stopped, n.Uname)
		}
	}
	if len(started)+len(partial) == 0 && !inactive {
		return nil
	}
	disabled := collectiveDisabled(cl, c.Meta, c.Promotable)
	out := []string{cloneHead(cl, indent, c, c.Group.ID, false)}
	out = append(out, partial...)
	if len(started) > 0 {
		out = append(out, fmt.Sprintf("%s  * Started: [ %s ]", indent, strings.Join(started, " ")))
	}
	max := c.Max
	if max < 0 {
		max = len(cl.Nodes)
	}
	if inactive && len(stopped) > 0 && len(started) < max {
		label := "Stopped"
		if disabled || c.Primitive.Disabled() {
			label = "Stopped (disabled)"
		}
		out = append(out, fmt.Sprintf("%s  * %s: [ %s ]", indent, label, strings.Join(stopped, " ")))
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// resourceLine is "d1\t(ocf:pacer:Dummy):\t Started node1", and whether
// the resource is active anywhere. It follows crm_mon's layout: the state
// (FAILED wins over the role or the operation in flight), the node when
// there is exactly one, flags in one parenthesis, and the nodes in
// brackets when active on several.
func resourceLine(r *engine.Resource, nodes map[string]*engine.Node) (string, bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\t(%s):\t", r.ID, r.Agent())
	if r.Orphan {
		b.WriteString(" ORPHANED")
	}
	active := r.ActiveOn()
	failed, promoted, pending := false, false, ""
	for _, n := range active {
		st := r.State[n]
		failed = failed || st.Failed || st.FailedInRole
		promoted = promoted || st.Promoted
		if st.PendingTask != "" {
			pending = st.PendingTask
		}
	}
	for _, st := range r.State {
		failed = failed || (st.Failed && !st.Active) // stopped, the failure not settled
	}
	switch {
	case failed:
		b.WriteString(" FAILED")
		if promoted {
			b.WriteString(" Promoted")
		}
	case pendingStates[pending] != "":
		b.WriteString(" " + pendingStates[pending])
	case promoted:
		b.WriteString(" Promoted")
	case len(active) > 0 && ((r.Clone != nil && r.Clone.Promotable) || (r.Unique != nil && r.Unique.Promotable)):
		b.WriteString(" Unpromoted")
	case len(active) > 0:
		b.WriteString(" Started")
	default:
		b.WriteString(" Stopped")
		// A probe that found it unusable somewhere says why (crm_mon
		// leaves a space after it).
		if rc := failedProbe(r, nodes); rc != 0 {
			b.WriteString(" (" + rcText[rc] + ") ")
		}
	}
	if len(active) == 1 {
		b.WriteString(" " + active[0])
	}
	var flags []string
	if len(active) == 0 && r.LockedTo != "" {
		// Stopped by a clean shutdown, to start again there only.
		b.WriteString(" " + r.LockedTo)
		flags = append(flags, "LOCKED")
	}
	if len(active) == 1 {
		if n := nodes[active[0]]; n != nil && n.Unclean && !n.Online {
			flags = append(flags, "UNCLEAN")
		}
	}
	if pending == "monitor" {
		flags = append(flags, "Monitoring")
	}
	switch {
	case r.Disabled():
		flags = append(flags, "disabled")
	case r.Clone != nil && r.Clone.Promotable && strings.EqualFold(r.TargetRole, "Unpromoted"):
		flags = append(flags, "target-role:"+r.TargetRole)
	}
	switch {
	case r.FailBlocked:
		flags = append(flags, "blocked")
	case !r.Managed:
		flags = append(flags, "unmanaged")
	}
	if r.FailureIgnored {
		flags = append(flags, "failure ignored")
	}
	if len(flags) > 0 {
		b.WriteString(" (" + strings.Join(flags, ", ") + ")")
	}
	if len(active) > 1 {
		// In the order the nodes' histories are read, where each was found.
		sort.SliceStable(active, func(i, j int) bool { return seenRank(nodes, r, active[i]) < seenRank(nodes, r, active[j]) })
		b.WriteString(" [ " + strings.Join(active, " ") + " ]")
	}
	return b.String(), len(active) > 0
}

// instanceRank orders a clone's active instances as Pacemaker numbers
// them.
func instanceRank(r *engine.Resource, n *engine.Node) int {
	k, ok := r.SeenOrder(n.Uname)
	if !ok {
		k = 2 * n.HistoryRank
	}
	if n.Unclean && !n.Online {
		k += 1 << 20 // (an instance on a node that is lost is numbered last)
	}
	return k
}

// seenRank orders the nodes where r is active as Pacemaker found them
// (a node's history order when the engine does not say).
func seenRank(nodes map[string]*engine.Node, r *engine.Resource, name string) int {
	if k, ok := r.SeenOrder(name); ok {
		return k
	}
	if n := nodes[name]; n != nil {
		return 2 * n.HistoryRank
	}
	return 0
}

// pendingStates names an operation in flight as crm_mon shows it in
// place of the role; a recurring monitor in flight is a flag instead.
var pendingStates = map[string]string{
	"start": "Starting", "stop": "Stopping", "promote": "Promoting", "demote": "Demoting",
	"migrate_to": "Migrating", "migrate_from": "Migrating",
}

// rcText is the agent exit codes in crm_mon's words.
var rcText = map[int]string{
	0: "ok", 1: "error", 2: "invalid parameter", 3: "unimplemented feature", 4: "insufficient privileges",
	5: "not installed", 6: "not configured", 7: "not running", 8: "promoted", 9: "promoted (failed)",
	190: "OCF_DEGRADED", 191: "promoted (degraded)",
}

// execText is the executor's statuses in crm_mon's words.
var execText = map[int]string{
	cib.ExecPending: "pending", cib.ExecDone: "complete", cib.ExecCancelled: "Cancelled",
	cib.ExecTimeout: "Timed Out", cib.ExecNotSupported: "NOT SUPPORTED", cib.ExecError: "Error",
	cib.ExecErrorHard: "Hard error", cib.ExecErrorFatal: "Fatal error", cib.ExecNotInstalled: "Not installed",
	8: "Internal communication failure", 9: "Cannot execute now", 10: "No fence device", 11: "CIB secrets unavailable",
}

// failureLine is one "Failed Resource Actions" line, as crm_mon prints
// it; times are shown in now's location.
func failureLine(name string, f engine.Failure, now time.Time) string {
	r := f.Record
	var b strings.Builder
	b.WriteString(name + " ")
	if r.Interval > 0 {
		b.WriteString(readableInterval(r.Interval) + "-interval ")
	}
	task := r.Operation
	if task == "monitor" && r.Interval == 0 {
		task = "probe"
	}
	b.WriteString(task + " on " + f.Node)
	if r.OpStatus == cib.ExecDone {
		text, ok := rcText[r.RC]
		if !ok {
			text = "unknown"
		}
		b.WriteString(" returned '" + text + "'")
		if r.ExitReason != "" {
			b.WriteString(" (" + r.ExitReason + ")")
		}
	} else {
		text, ok := execText[r.OpStatus]
		if !ok {
			text = "UNKNOWN!"
		}
		b.WriteString(" could not be executed (" + text)
		if r.ExitReason != "" {
			b.WriteString(": " + r.ExitReason)
		}
		b.WriteString(")")
	}
	if r.LastChange.Unix() > 0 {
		b.WriteString(" at " + r.LastChange.In(now.Location()).Format("Mon Jan _2 15:04:05 2006"))
	}
	if r.ExecTime >= time.Millisecond {
		b.WriteString(" after " + readableInterval(r.ExecTime))
	}
	return b.String()
}

// readableInterval prints a duration as crm_mon does: days, hours and
// minutes only when strictly more than one unit (so 60000 ms is "60s"),
// then seconds with milliseconds as a fraction ("1.500s"), or "150ms".
func readableInterval(d time.Duration) string {
	const (
		s   = 1000
		m   = 60 * s
		h   = 60 * m
		day = 24 * h
	)
	ms := d.Milliseconds()
	var b strings.Builder
	for _, u := range []struct {
		size int64
		name string
	}{{day, "d"}, {h, "h"}, {m, "m"}} {
		if ms > u.size {
			fmt.Fprintf(&b, "%d%s", ms/u.size, u.name)
			ms %= u.size
		}
	}
	switch {
	case ms > s && ms%s != 0:
		fmt.Fprintf(&b, "%d.%03ds", ms/s, ms%s)
	case ms > s:
		fmt.Fprintf(&b, "%ds", ms/s)
	case ms > 0:
		fmt.Fprintf(&b, "%dms", ms)
	case b.Len() == 0:
		b.WriteString("0s")
	}
	return b.String()
}

const maintenanceBanner = "\n              *** Resource management is DISABLED ***\n  The cluster will not attempt to start, stop or recover services\n"

// instanceCounts counts resource instances as crm_mon does: every
// primitive and every clone instance, those disabled (target-role
// Stopped) and those blocked after a failure.
func instanceCounts(cl *engine.Cluster) (instances, disabled, blocked int) {
	for _, r := range cl.Resources {
		n := 1
		if r.Clone != nil {
			n = r.Clone.Max
			if n < 0 {
				n = len(cl.Nodes)
			}
		}
		instances += n
		if r.Disabled() {
			disabled += n
		}
		if r.FailBlocked {
			blocked++ // only the failed instance is blocked
		}
	}
	return instances, disabled, blocked
}

// failedProbe is the result of the first probe (in the order the nodes'
// histories are read) that found the resource unusable on an online node,
// or 0.
func failedProbe(r *engine.Resource, nodes map[string]*engine.Node) int {
	rc, rank := 0, 0
	for name, st := range r.State {
		n := nodes[name]
		if st.ProbeRC == 0 || n == nil || !n.Online {
			continue
		}
		if rc == 0 || n.HistoryRank < rank {
			rc, rank = st.ProbeRC, n.HistoryRank
		}
	}
	return rc
}

// bundleActive reports whether anything of the bundle is active: crm_mon
// leaves a wholly inactive bundle out of the active resources.
func bundleActive(cl *engine.Cluster, b *engine.Bundle) bool {
	for _, r := range cl.Resources {
		if r.Bundle == b.ID && len(r.ActiveOn()) > 0 {
			return true
		}
	}
	return false
}

// bundleLines lists a bundle as crm_mon does: a heading, then a line per
// replica named by its guest node (or container) and its address, showing
// the state of the bundle's primitive there (or of the container) and the
// node the container runs on.
func bundleLines(cl *engine.Cluster, b *engine.Bundle, indent string, nodes map[string]*engine.Node) []string {
	byID := map[string]*engine.Resource{}
	for _, r := range cl.Resources {
		byID[r.ID] = r
	}
	set, unmanaged := "", ""
	if len(b.Replicas) > 1 {
		set = " set"
	}
	if !b.Managed {
		unmanaged = " (unmanaged)"
	}
	out := []string{fmt.Sprintf("%s* Container bundle%s: %s [%s]%s:", indent, set, b.ID, b.Image, unmanaged)}
	for _, rep := range b.Replicas {
		ctr := byID[rep.Container]
		if ctr == nil {
			continue
		}
		node := ""
		if a := ctr.ActiveOn(); len(a) > 0 {
			node = a[0]
		}
		name, shown, where := rep.Container, ctr, node
		if rep.Connection != "" {
			name = rep.Connection
			if b.Child != nil && b.Child.Primitive != nil {
				shown, where = b.Child.Primitive, rep.Connection
			}
		}
		if rep.IPAddr != "" {
			name += " (" + rep.IPAddr + ")"
		}
		st := shown.State[where]
		promotable := shown.Clone != nil && shown.Clone.Promotable
		var state string
		switch {
		case st != nil && st.Active && st.Failed:
			state = "FAILED"
			if st.Promoted {
				state += " Promoted"
			}
		case st != nil && st.Active && st.Promoted:
			state = "Promoted"
		case st != nil && st.Active && promotable:
			state = "Unpromoted"
		case st != nil && st.Active:
			state = "Started"
		default:
			state = "Stopped"
		}
		if node != "" {
			state += " " + node
		}
		var flags []string
		if n := nodes[node]; n != nil && n.Unclean && !n.Online {
			flags = append(flags, "UNCLEAN")
		}
		if !shown.Managed {
			flags = append(flags, "unmanaged")
		}
		if len(flags) > 0 {
			state += " (" + strings.Join(flags, ", ") + ")"
		}
		out = append(out, fmt.Sprintf("%s  * %s\t(%s):\t %s", indent, name, shown.Agent(), state))
	}
	return out
}
