package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// CIB replication. Every heartbeat carries the sender's CIB version. The
// configuration with the newest (admin_epoch, epoch) wins: the DC pulls a
// newer configuration from any member, and every other node pulls the
// DC's whole CIB whenever it differs from its own and is not older. The DC
// also pushes its CIB to everyone after each change; pulls repair losses.

type cibMsg struct {
	XML string `json:"xml"`
}

type commitReq struct {
	ReqID  uint64      `json:"id"`
	Base   cib.Version `json:"base"`
	XML    string      `json:"xml"`
	User   string      `json:"user,omitempty"`
	Origin string      `json:"origin,omitempty"`
}

type commitAck struct {
	ReqID   uint64      `json:"id"`
	Err     string      `json:"err,omitempty"`
	Version cib.Version `json:"v"`
}

type pendingCommit struct {
	req      commitReq
	reply    chan clientReply
	deadline time.Time
	acked    *commitAck
	lastSent time.Time
}

func (n *Node) maybePull(p *peer, now time.Time) {
	mine := p.hb.Version
	cur := n.cib.Version()
	want := mine.ConfigCompare(cur) > 0 ||
		(!n.isDC && p.name == n.dc && mine.Compare(cur) != 0 && mine.ConfigCompare(cur) >= 0)
	if want && now.Sub(p.lastPull) >= n.cfg.Keepalive {
		p.lastPull = now
		n.send("cib-req", p.name, struct{}{})
	}
}

func (n *Node) receiveCIB(from string, m cibMsg) {
	c, err := cib.Parse([]byte(m.XML))
	if err != nil {
		n.log.Warn("CIB from peer does not parse", "peer", from, "err", err)
		return
	}
	theirs, mine := c.Version(), n.cib.Version()
	switch {
	case n.isDC:
		if theirs.ConfigCompare(mine) <= 0 {
			return
		}
		n.log.Info("taking newer configuration", "from", from, "version", theirs.String())
		n.cib.ReplaceConfiguration(c)
		n.cib.SetVersion(cib.Version{AdminEpoch: theirs.AdminEpoch, Epoch: theirs.Epoch, NumUpdates: mine.NumUpdates + 1})
		n.persist()
		n.ctl.changed()
		n.broadcastCIB()
	case from == n.dc && theirs.ConfigCompare(mine) >= 0:
		if theirs.Compare(mine) == 0 && c.ConfigEqual(n.cib) {
			return
		}
		n.cib = c
		n.copied++
		n.persist()
	case theirs.ConfigCompare(mine) > 0:
		n.cib.ReplaceConfiguration(c)
		n.cib.SetVersion(cib.Version{AdminEpoch: theirs.AdminEpoch, Epoch: theirs.Epoch})
		n.persist()
	}
}

// persist writes the configuration when its epoch changed.
func (n *Node) persist() {
	v := n.cib.Version()
	if v.ConfigCompare(n.savedEpoch) == 0 {
		return
	}
	if err := cib.Save(n.cibPath, n.cib); err != nil {
		n.log.Error("cannot save the CIB", "err", err)
		return
	}
	n.savedEpoch = v
	if !n.isDC && n.dc != "" {
		n.sendHeartbeat() // tells the DC at once that the change is on disk here
	}
}

// unsavedCommit is a change the DC applied, waiting for every member to
// have written it to disk before the client hears it succeeded.
type unsavedCommit struct {
	ack      commitAck
	answer   func(commitAck)
	deadline time.Time
}

// afterSaved answers a commit once every member has saved its version
// (at once for a refusal).
func (n *Node) afterSaved(ack commitAck, answer func(commitAck)) {
	if ack.Err != "" {
		answer(ack)
		return
	}
	wait := max(2*n.cfg.Deadtime, 5*time.Second)
	n.unsaved = append(n.unsaved, &unsavedCommit{ack: ack, answer: answer, deadline: time.Now().Add(wait)})
	n.answerSaved(time.Now())
}

// answerSaved answers the commits every member has saved (members that
// leave meanwhile are not waited for), and fails those a member did not
// confirm in time.
func (n *Node) answerSaved(now time.Time) {
	keep := n.unsaved[:0]
	for _, u := range n.unsaved {
		var missing []string
		for _, m := range n.members() {
			if m == n.self {
				continue
			}
			if p := n.peers[m]; p == nil || p.hb.Saved.ConfigCompare(u.ack.Version) < 0 {
				missing = append(missing, m)
			}
		}
		switch {
		case len(missing) == 0:
			u.answer(u.ack)
		case now.After(u.deadline):
			a := u.ack
			a.Err = fmt.Sprintf("the change is in the cluster's CIB (version %s), but %s did not confirm writing it to disk; check 'crm status' and that node's log", a.Version, strings.Join(missing, ", "))
			u.answer(a)
		default:
			keep = append(keep, u)
		}
	}
	n.unsaved = keep
}

// broadcastCIB publishes the DC's CIB: as a patch from the version it
// last published (small, as most changes are one object or one node's
// status), or whole the first time. A node that cannot apply a patch
// asks for the whole CIB.
func (n *Node) broadcastCIB() {
	if n.lastSent != nil {
		n.send("cib-patch", "", cib.Diff(n.lastSent, n.cib))
	} else {
		n.send("cib", "", cibMsg{XML: string(n.cib.Compact())})
	}
	n.lastSent = n.cib.Clone()
}

// receivePatch applies the DC's patch, or asks for the whole CIB.
func (n *Node) receivePatch(from string, p *cib.Patch) {
	if n.isDC || from != n.dc {
		return
	}
	next, err := n.cib.ApplyPatch(p)
	if err != nil {
		if peer := n.peers[from]; peer != nil && time.Since(peer.lastPull) >= n.cfg.Keepalive/2 {
			peer.lastPull = time.Now()
			n.send("cib-req", from, struct{}{})
		}
		return
	}
	n.cib = next
	n.patched++
	n.persist()
	for _, pc := range n.commits {
		if pc.acked != nil {
			n.finishCommit(pc)
		}
	}
}

// applyCommit is the DC's half of a configuration change.
func (n *Node) applyCommit(req commitReq) commitAck {
	next, err := cib.Parse([]byte(req.XML))
	if err != nil {
		return commitAck{ReqID: req.ReqID, Err: err.Error()}
	}
	cur := n.cib.Version()
	if req.Base.ConfigCompare(cur) != 0 {
		return commitAck{ReqID: req.ReqID, Err: fmt.Sprintf("%s: your change was made on version %s, the cluster has %s; reload and apply it again", cib.ErrConflict, req.Base, cur), Version: cur}
	}
	n.cib.ReplaceConfiguration(next)
	n.cib.BumpEpoch()
	cib.StampChange(n.cib, time.Now(), req.User, "crm", req.Origin)
	n.persist()
	n.ctl.changed()
	n.broadcastCIB()
	n.log.Info("configuration changed", "version", n.cib.Version().String())
	return commitAck{ReqID: req.ReqID, Version: n.cib.Version()}
}

// commitFromPeer: the DC answers a forwarded change once, and repeats the
// same answer if the request is retransmitted.
func (n *Node) commitFromPeer(m *Message, req commitReq) {
	if !n.isDC {
		return
	}
	key := fmt.Sprintf("%s/%d/%d", m.From, m.Gen, req.ReqID)
	ack, done := n.acks[key]
	switch {
	case done && ack.ReqID == 0:
		// Applied, not yet saved everywhere: the answer comes then.
	case done:
		n.send("commit-ack", m.From, ack)
	default:
		n.acks[key] = commitAck{} // applied: a retransmission must not apply it again
		from := m.From
		n.afterSaved(n.applyCommit(req), func(a commitAck) {
			n.acks[key] = a
			if len(n.acks) > 1000 {
				n.acks = map[string]commitAck{key: a}
			}
			n.send("commit-ack", from, a)
		})
	}
}

func (n *Node) startCommit(req commitReq, reply chan clientReply) {
	req.Origin = n.self
	if n.isDC {
		n.afterSaved(n.applyCommit(req), func(a commitAck) { reply <- ackReply(a) })
		return
	}
	if n.dc == "" {
		reply <- clientReply{Err: "no DC is elected yet: the cluster is starting or this node is alone; try again shortly"}
		return
	}
	n.reqID++
	req.ReqID = n.reqID
	pc := &pendingCommit{req: req, reply: reply, deadline: time.Now().Add(10 * time.Second), lastSent: time.Now()}
	n.commits[req.ReqID] = pc
	n.send("commit", n.dc, req)
}

func (n *Node) commitAcked(a commitAck) {
	pc := n.commits[a.ReqID]
	if pc == nil {
		return
	}
	pc.acked = &a
	n.finishCommit(pc)
}

// finishCommit answers the client once the DC acknowledged and this node's
// own copy has the change, so a following read here sees it.
func (n *Node) finishCommit(pc *pendingCommit) {
	a := pc.acked
	if a.Err == "" && n.cib.Version().ConfigCompare(a.Version) < 0 {
		if p := n.peers[n.dc]; p != nil {
			p.lastPull = time.Time{}
			n.maybePull(p, time.Now())
		}
		return
	}
	delete(n.commits, a.ReqID)
	pc.reply <- ackReply(*a)
}

func ackReply(a commitAck) clientReply {
	return clientReply{Err: a.Err, Version: a.Version.String()}
}

func (n *Node) expireCommits(now time.Time) {
	for id, pc := range n.commits {
		switch {
		case now.After(pc.deadline):
			delete(n.commits, id)
			pc.reply <- clientReply{Err: "the DC did not confirm the change within 10s; check 'crm status' before retrying"}
		case pc.acked != nil:
			n.finishCommit(pc)
		case now.Sub(pc.lastSent) >= 500*time.Millisecond && n.dc != "" && !n.isDC:
			pc.lastSent = now
			n.send("commit", n.dc, pc.req)
		}
	}
}
