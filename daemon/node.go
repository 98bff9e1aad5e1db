package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

// Options build a Node. Transport and Executor are the seams tests replace.
type Options struct {
	Config    *Config
	Name      string // this node's name; must be one of Config.Nodes
	StateDir  string // cib.xml lives here
	RunDir    string // volatile agent state (HA_RSCTMP)
	Socket    string // client socket path ("" = none)
	Transport Transport
	Peers     []string // addresses messages go to (default: Config.Ucast with the port)
	Executor  agents.Executor
	Logger    *slog.Logger
}

// Node is one cluster node's daemon. All state below is owned by the event
// loop goroutine (Run); other goroutines talk to it through channels.
type Node struct {
	opts    Options
	cfg     *Config
	self    string
	log     *slog.Logger
	tr      Transport
	msgr    *messenger
	gen     int64
	started time.Time
	cibPath string

	// membership
	peers     map[string]*peer
	settled   bool
	leftClean map[string]bool // peers that said they were leaving

	// election
	dc   string
	isDC bool

	// the CIB, as this node knows it
	cib        *cib.CIB
	savedEpoch cib.Version
	lastSent   *cib.CIB // DC: the CIB as last published, base of the next patch
	patched    int      // patches applied from the DC
	copied     int      // whole CIBs taken from the DC

	// this node's own operation history and the ops it runs
	lrm *localResources

	// DC state, reset at every election
	ctl *controller

	// clients waiting for a forwarded commit
	commits map[uint64]*pendingCommit
	reqID   uint64
	// DC: changes applied here whose answer waits until every member has
	// saved them.
	unsaved  []*unsavedCommit
	acks     map[string]commitAck // DC: answers already given, by sender/gen/req
	counters *Counters
	requests chan clientRequest
	results  chan opResult
	fenced   chan fenceResult
	// fenceHistory is the cluster's fencing as this node heard of it,
	// newest last; fenceReqs the clients' requests not yet answered.
	fenceHistory []FenceEvent
	fenceReqs    map[string]*fenceReq
	leaving      bool
	lastNotes    string
	seenAll      bool // every configured node has been a member at once since start
}

type peer struct {
	name      string
	addr      string
	lastHeard time.Time
	alive     bool
	hb        heartbeat
	gen       int64
	lastPull  time.Time
}

// heartbeat is what every node says about itself every keepalive.
type heartbeat struct {
	DC      string      `json:"dc,omitempty"`
	IsDC    bool        `json:"isdc,omitempty"`
	Version cib.Version `json:"v"`
	// Saved is the configuration version this node has on disk: the DC
	// answers a commit once every member has saved it.
	Saved   cib.Version `json:"sv"`
	HistSeq int         `json:"h"`
	Members []string    `json:"m"`
	Leaving bool        `json:"leaving,omitempty"`
}

// New checks the options and loads this node's saved CIB.
func New(opts Options) (*Node, error) {
	cfg := opts.Config
	if cfg == nil {
		return nil, errors.New("no configuration")
	}
	known := false
	for _, n := range cfg.Nodes {
		known = known || n == opts.Name
	}
	if !known {
		return nil, fmt.Errorf("this node %q is not named by a 'node' directive in %s (nodes: %v); use --node NAME", opts.Name, cfg.Path, cfg.Nodes)
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	n := &Node{
		opts:      opts,
		cfg:       cfg,
		self:      opts.Name,
		log:       opts.Logger.With("node", opts.Name),
		gen:       time.Now().UnixNano(),
		peers:     map[string]*peer{},
		leftClean: map[string]bool{},
		cibPath:   filepath.Join(opts.StateDir, "cib.xml"),
		commits:   map[uint64]*pendingCommit{},
		acks:      map[string]commitAck{},
		counters:  &Counters{},
		requests:  make(chan clientRequest),
		results:   make(chan opResult, 64),
		fenced:    make(chan fenceResult, 8),
		fenceReqs: map[string]*fenceReq{},
	}
	if _, err := os.Stat(n.cibPath); err == nil {
		c, err := cib.Load(n.cibPath)
		if err != nil {
			return nil, err
		}
		c.Status().Child = nil
		n.cib = c
	} else {
		n.cib = cib.New()
	}
	n.savedEpoch = n.cib.Version()
	for _, name := range cfg.Nodes {
		if name != n.self {
			n.peers[name] = &peer{name: name}
		}
	}
	n.msgr = newMessenger(n.self, cfg.Auth, n.gen, n.counters)
	n.lrm = newLocalResources(n)
	if len(opts.Peers) == 0 {
		for _, a := range cfg.Ucast {
			opts.Peers = append(opts.Peers, joinHostPort(a, cfg.UDPPort))
		}
		n.opts.Peers = opts.Peers
	}
	return n, nil
}

// Counters reports the messages this node refused.
func (n *Node) Counters() *Counters { return n.counters }

// Run is the node's event loop. It returns when ctx is done, after a
// graceful leave: local resources are stopped and peers are told.
func (n *Node) Run(ctx context.Context) error {
	if n.tr == nil {
		n.tr = n.opts.Transport
	}
	if n.tr == nil {
		bind := n.cfg.BindAddr
		t, err := ListenMedia(joinHostPort(bind, n.cfg.UDPPort), n.cfg.Media)
		if err != nil {
			return fmt.Errorf("listen on udp port %d: %w", n.cfg.UDPPort, err)
		}
		n.tr = t
		// Broadcast and multicast media: where heartbeats go besides the
		// ucast peers.
		for _, m := range n.cfg.Media {
			switch m.Kind {
			case "bcast":
				b, err := BroadcastAddr(m.Dev)
				if err != nil {
					n.log.Error("bcast: not sending on this link", "dev", m.Dev, "err", err)
					continue
				}
				n.opts.Peers = append(n.opts.Peers, joinHostPort(b, n.cfg.UDPPort))
			case "mcast":
				n.opts.Peers = append(n.opts.Peers, net.JoinHostPort(m.Group, strconv.Itoa(m.Port)))
			}
		}
	}
	defer n.tr.Close()
	if n.opts.Socket != "" {
		stop, err := n.serveClients(n.opts.Socket)
		if err != nil {
			return err
		}
		defer stop()
	}
	for _, r := range n.cfg.Respawn {
		rctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { n.respawn(rctx, r); close(done) }()
		defer func() { stop(); <-done }()
	}
	n.started = time.Now()
	n.log.Info("starting", "nodes", n.cfg.Nodes, "keepalive", n.cfg.Keepalive, "deadtime", n.cfg.Deadtime, "cib", n.cib.Version().String())
	tick := time.NewTicker(n.tickEvery())
	defer tick.Stop()
	n.sendHeartbeat()
	lastHB := time.Now()
	react := time.NewTimer(time.Hour)
	defer react.Stop()
	reacting := false
	// dead fires when a peer's deadtime runs out between two ticks, so a
	// death is noticed on time, not up to a tick late.
	dead := time.NewTimer(time.Hour)
	defer dead.Stop()
	for {
		if n.isDC && n.ctl.dirty && !reacting && n.ctl.ready() {
			react.Reset(5 * time.Millisecond) // a few events arriving together make one plan
			reacting = true
		}
		select {
		case <-ctx.Done():
			return n.leave()
		case p, ok := <-n.tr.Packets():
			if !ok {
				return errors.New("transport closed")
			}
			if m := n.msgr.decode(p, time.Now()); m != nil {
				n.handle(m)
			}
		case r := <-n.results:
			n.lrm.finished(r)
		case r := <-n.fenced:
			if n.isDC {
				n.ctl.fenceDone(r, time.Now())
			}
		case req := <-n.requests:
			n.serve(req)
		case <-react.C:
			reacting = false
			// Act on a result or a report at once, not at the next tick:
			// every tick saved is failover time saved.
			if n.isDC {
				n.ctl.reconcile(time.Now())
			}
		case now := <-dead.C:
			n.checkMembership(now)
			n.elect()
		case now := <-tick.C:
			if now.Sub(lastHB) >= n.cfg.Keepalive-n.tickEvery()/2 {
				n.sendHeartbeat()
				lastHB = now
			}
			n.checkMembership(now)
			if d, ok := n.nextDeath(); ok && d.Sub(now) < n.tickEvery() {
				dead.Reset(max(d.Sub(now), 0) + time.Millisecond)
			}
			n.elect()
			n.expireCommits(now)
			n.answerSaved(now)
			n.resendFenceRequests(now, false)
			if n.isDC {
				n.ctl.reconcile(now)
			}
		}
	}
}

func (n *Node) tickEvery() time.Duration {
	t := n.cfg.Keepalive / 4
	if t < 20*time.Millisecond {
		t = 20 * time.Millisecond
	}
	return t
}

// send encodes a message and sends it to one node (to != "") or all.
func (n *Node) send(typ, to string, body any) {
	pkts, err := n.msgr.encode(typ, to, body)
	if err != nil {
		n.log.Error("encode", "type", typ, "err", err)
		return
	}
	addrs := n.opts.Peers
	if p := n.peers[to]; p != nil && p.addr != "" {
		addrs = []string{p.addr}
	}
	for _, a := range addrs {
		for _, pkt := range pkts {
			n.tr.Send(a, pkt)
		}
	}
}

func (n *Node) sendHeartbeat() {
	n.send("hb", "", heartbeat{DC: n.dc, IsDC: n.isDC, Version: n.cib.Version(), Saved: n.savedEpoch, HistSeq: n.lrm.seq, Members: n.members(), Leaving: n.leaving})
}

// members lists the nodes this node can hear, itself included, sorted.
func (n *Node) members() []string {
	out := []string{n.self}
	for _, p := range n.peers {
		if p.alive {
			out = append(out, p.name)
		}
	}
	sort.Strings(out)
	return out
}

func (n *Node) isMember(name string) bool {
	if name == n.self {
		return true
	}
	p := n.peers[name]
	return p != nil && p.alive
}

// quorate: more than half of the configured nodes are members. A
// two-node cluster keeps quorum with one node, as corosync's two_node
// does, but only once this node has seen its peer since it started (its
// wait_for_all): a node booting alone does not take over on its own.
func (n *Node) quorate() bool {
	if len(n.cfg.Nodes) == 2 {
		return n.seenAll
	}
	return len(n.members())*2 > len(n.cfg.Nodes)
}

func (n *Node) handle(m *Message) {
	p := n.peers[m.From]
	if p == nil && (n.cfg.Autojoin == "other" || n.cfg.Autojoin == "any") && validNodeName(m.From) {
		// autojoin: a node that holds the key may join without a 'node'
		// line; it counts for quorum from now on.
		p = &peer{name: m.From}
		n.peers[m.From] = p
		n.cfg.Nodes = append(n.cfg.Nodes, m.From)
		if !slices.Contains(n.opts.Peers, m.Addr) {
			n.opts.Peers = append(n.opts.Peers, m.Addr)
		}
		n.log.Info("node joined by autojoin", "peer", m.From, "addr", m.Addr, "nodes", n.cfg.Nodes)
	}
	if p == nil {
		n.counters.Malformed.Add(1) // authenticated, but not a node of ha.cf
		return
	}
	now := time.Now()
	if p.gen != m.Gen {
		if p.gen != 0 {
			n.log.Info("peer restarted", "peer", p.name)
		}
		p.gen = m.Gen
		p.hb = heartbeat{}
		if n.isDC {
			n.ctl.forget(p.name)
		}
	}
	p.addr = m.Addr
	if late := now.Sub(p.lastHeard); p.alive && late > n.cfg.Warntime {
		n.log.Warn("late heartbeat", "peer", p.name, "after", late.Round(time.Millisecond))
	}
	p.lastHeard = now
	switch m.Type {
	case "hb":
		var hb heartbeat
		if json.Unmarshal(m.Body, &hb) != nil {
			return
		}
		p.hb = hb
		if n.isDC && len(n.unsaved) > 0 {
			n.answerSaved(now)
		}
		if hb.Leaving {
			n.leftClean[p.name] = true
			if p.alive {
				n.log.Info("peer left", "peer", p.name)
				p.alive = false
				n.membershipChanged(p.name, true)
			}
			return
		}
		if !p.alive {
			p.alive = true
			delete(n.leftClean, p.name)
			n.log.Info("peer joined", "peer", p.name)
			n.membershipChanged(p.name, false)
		}
		n.elect()
		n.maybePull(p, now)
		if n.isDC {
			n.ctl.heard(p.name, hb.HistSeq)
		}
	case "cib-req":
		n.send("cib", m.From, cibMsg{XML: string(n.cib.Compact())})
	case "cib":
		var cm cibMsg
		if json.Unmarshal(m.Body, &cm) == nil {
			n.receiveCIB(m.From, cm)
		}
	case "cib-patch":
		var p cib.Patch
		if json.Unmarshal(m.Body, &p) == nil {
			n.receivePatch(m.From, &p)
		}
	case "hist-req":
		n.lrm.report()
	case "hist":
		var h histMsg
		if json.Unmarshal(m.Body, &h) == nil && n.isDC {
			n.ctl.history(m.From, h)
		}
	case "attr":
		var a attrMsg
		if json.Unmarshal(m.Body, &a) == nil {
			n.lrm.setAttr(a)
		}
	case "fence-req":
		var f fenceReq
		if json.Unmarshal(m.Body, &f) == nil && n.isDC {
			n.ctl.fence(f.Target, f.Action, "requested by "+f.Origin, now)
		}
	case "fenced":
		var ev FenceEvent
		if json.Unmarshal(m.Body, &ev) == nil {
			n.recordFence(ev)
		}
	case "cleanup":
		var c cleanupMsg
		if json.Unmarshal(m.Body, &c) == nil {
			n.lrm.cleanup(c)
		}
	case "exec":
		var e execMsg
		if json.Unmarshal(m.Body, &e) == nil && m.From == n.dc {
			n.lrm.exec(e)
		}
	case "commit":
		var c commitReq
		if json.Unmarshal(m.Body, &c) == nil {
			n.commitFromPeer(m, c)
		}
	case "commit-ack":
		var a commitAck
		if json.Unmarshal(m.Body, &a) == nil {
			n.commitAcked(a)
		}
	}
}

func (n *Node) checkMembership(now time.Time) {
	heardAll := true
	for _, p := range n.peers {
		if p.alive && now.Sub(p.lastHeard) > n.cfg.Deadtime {
			p.alive = false
			n.log.Warn("node is dead", "peer", p.name, "silent", now.Sub(p.lastHeard).Round(time.Millisecond))
			n.membershipChanged(p.name, false)
		}
		heardAll = heardAll && p.alive
	}
	if !n.settled && (heardAll || now.Sub(n.started) >= n.cfg.Initdead) {
		n.settled = true
		n.log.Info("membership settled", "members", n.members())
	}
}

// nextDeath is when the first live peer's deadtime runs out if nothing
// more is heard from it.
func (n *Node) nextDeath() (time.Time, bool) {
	var first time.Time
	for _, p := range n.peers {
		if d := p.lastHeard.Add(n.cfg.Deadtime); p.alive && (first.IsZero() || d.Before(first)) {
			first = d
		}
	}
	return first, !first.IsZero()
}

func (n *Node) membershipChanged(name string, clean bool) {
	if len(n.members()) == len(n.cfg.Nodes) {
		n.seenAll = true
	}
	if n.dc == name && !n.isMember(name) {
		n.dc = ""
	}
	if n.isDC {
		n.ctl.membershipChanged(name, clean)
	}
	n.log.Info("membership", "members", n.members(), "quorum", n.quorate())
}

// elect keeps one DC per partition: a node that claims DC keeps it unless
// a lower-named member claims it too; with no claimant, the lowest-named
// member takes it. Nodes elect only once membership has settled, so a
// starting node does not take over from a running DC it has not heard yet.
func (n *Node) elect() {
	if !n.settled || n.leaving {
		return
	}
	var claimants []string
	for _, p := range n.peers {
		if p.alive && p.hb.IsDC {
			claimants = append(claimants, p.name)
		}
	}
	sort.Strings(claimants)
	if n.isDC {
		if len(claimants) > 0 && claimants[0] < n.self {
			n.log.Info("another DC with precedence; stepping down", "dc", claimants[0])
			n.isDC, n.dc, n.ctl = false, claimants[0], nil
		}
		return
	}
	if len(claimants) > 0 {
		if n.dc != claimants[0] {
			n.dc = claimants[0]
			n.log.Info("following DC", "dc", n.dc)
			n.lrm.report()
		}
		return
	}
	if n.members()[0] == n.self {
		n.isDC, n.dc = true, n.self
		n.lastSent = nil // peers may hold anything: publish whole first
		n.ctl = newController(n)
		n.lrm.report()
		n.log.Info("elected DC", "members", n.members(), "quorum", n.quorate())
		n.sendHeartbeat()
	} else if n.dc != "" {
		n.dc = ""
	}
}

// leave stops what runs here, tells the peers, and returns.
func (n *Node) leave() error {
	n.log.Info("shutting down: stopping local resources")
	n.leaving = true
	n.lrm.stopAll(30 * time.Second)
	for i := 0; i < 3; i++ {
		n.sendHeartbeat()
		time.Sleep(20 * time.Millisecond)
	}
	n.log.Info("left the cluster")
	return nil
}

// peersLate reports a member whose heartbeat is overdue (later than a
// keepalive and two ticks) though not yet past deadtime.
func (n *Node) peersLate(now time.Time) bool {
	late := n.cfg.Keepalive + 2*n.tickEvery()
	for _, p := range n.peers {
		if p.alive && now.Sub(p.lastHeard) > late {
			return true
		}
	}
	return false
}

// validNodeName: a name a node may go by (a host name).
func validNodeName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}
