package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

// machines records what runs where, as real agents' state files would:
// a start makes a resource run on that node, a stop ends it, a monitor
// reports it.
type machines struct {
	mu      sync.Mutex
	running map[string]bool // node/resource
	ops     []string
}

func (m *machines) Exec(ctx context.Context, op agents.Op) agents.Result {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := op.Node + "/" + op.Resource
	m.ops = append(m.ops, op.Node+" "+op.Resource+" "+op.Action)
	res := agents.Result{Started: time.Now(), Status: agents.Done}
	switch op.Action {
	case "start":
		m.running[key] = true
	case "stop":
		delete(m.running, key)
	case "monitor":
		if !m.running[key] {
			res.RC = 7
		}
	}
	return res
}

func (m *machines) where(rsc string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.running {
		if node, r, _ := strings.Cut(k, "/"); r == rsc {
			out = append(out, node)
		}
	}
	sort.Strings(out)
	return out
}

type memCluster struct {
	t      *testing.T
	net    *MemNetwork
	agents *machines
	dir    string
	names  []string
	stop   map[string]context.CancelFunc
	done   map[string]chan struct{}
}

func newMemCluster(t *testing.T, names ...string) *memCluster {
	mc := newMemNet(t)
	mc.names = names
	for _, n := range names {
		mc.start(n)
	}
	return mc
}

// newMemNet is an in-memory network with no node yet.
func newMemNet(t *testing.T) *memCluster {
	return &memCluster{t: t, net: NewMemNetwork(), agents: &machines{running: map[string]bool{}}, dir: t.TempDir(),
		stop: map[string]context.CancelFunc{}, done: map[string]chan struct{}{}}
}

// memConfig is a fast test cluster's configuration.
func memConfig(nodes ...string) *Config {
	return &Config{Path: "mem", Nodes: nodes, Keepalive: 100 * time.Millisecond, Deadtime: time.Second,
		Warntime: 500 * time.Millisecond, Initdead: 2 * time.Second, Auth: &Auth{Index: 1, Method: "sha256", key: []byte("k")}}
}

func (mc *memCluster) start(name string) {
	mc.startWith(name, memConfig(mc.names...), mc.names, mc.agents)
}

// startWith runs node name with its own configuration, peers and
// executor; it stops at the end of the test.
func (mc *memCluster) startWith(name string, cfg *Config, peers []string, exec agents.Executor) {
	n, err := New(Options{Config: cfg, Name: name, StateDir: filepath.Join(mc.dir, name), Socket: mc.socket(name),
		Transport: mc.net.Transport(name), Peers: peers, Executor: exec,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		mc.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	mc.stop[name], mc.done[name] = cancel, done
	go func() { n.Run(ctx); close(done) }()
	mc.t.Cleanup(func() { mc.kill(name) })
}

func (mc *memCluster) kill(name string) {
	if c := mc.stop[name]; c != nil {
		c()
		<-mc.done[name]
		delete(mc.stop, name)
	}
}

func (mc *memCluster) socket(name string) string { return filepath.Join(mc.dir, name+".sock") }

func (mc *memCluster) client(name string) Client {
	return Client{Socket: mc.socket(name), Timeout: 5 * time.Second}
}

func (mc *memCluster) eventually(limit time.Duration, what string, cond func() (bool, string)) {
	mc.t.Helper()
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		ok, s := cond()
		if ok {
			return
		}
		last = s
		time.Sleep(20 * time.Millisecond)
	}
	mc.t.Fatalf("%s: not within %v (last: %s)", what, limit, last)
}

// dcs returns each live node's DC.
func (mc *memCluster) dcs(names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		info, err := mc.client(n).Info()
		if err != nil {
			return nil, err
		}
		out[n] = info.DC
	}
	return out, nil
}

func (mc *memCluster) oneDC(names ...string) (bool, string) {
	d, err := mc.dcs(names...)
	if err != nil {
		return false, err.Error()
	}
	first := d[names[0]]
	for _, v := range d {
		if v == "" || v != first {
			return false, fmt.Sprint(d)
		}
	}
	return true, first
}

// commit applies edit to the configuration through node.
func (mc *memCluster) commit(node string, edit func(c *cib.CIB)) {
	mc.t.Helper()
	cl := mc.client(node)
	base, err := cl.Load()
	if err != nil {
		mc.t.Fatal(err)
	}
	next := base.Clone()
	edit(next)
	if err := cl.Commit(base, next); err != nil {
		mc.t.Fatal(err)
	}
}

func addDummy(id string) func(c *cib.CIB) {
	return func(c *cib.CIB) {
		p := c.Section("resources", true).CreateElement("primitive")
		p.CreateAttr("id", id)
		p.CreateAttr("class", "ocf")
		p.CreateAttr("provider", "pacer")
		p.CreateAttr("type", "Dummy")
		ops := p.CreateElement("operations")
		op := ops.CreateElement("op")
		op.CreateAttr("name", "monitor")
		op.CreateAttr("interval", "1s")
		op.CreateAttr("id", id+"-monitor-1s")
	}
}

func TestClusterFormsReplicatesAndRunsOnce(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })

	mc.commit("n2", func(c *cib.CIB) {
		c.SetProperty("stonith-enabled", "false")
		addDummy("d1")(c)
	})
	// The change reached every node's CIB.
	for _, n := range mc.names {
		mc.eventually(2*time.Second, n+" has d1", func() (bool, string) {
			c, err := mc.client(n).Load()
			if err != nil {
				return false, err.Error()
			}
			return c.FindID("d1") != nil, c.Version().String()
		})
	}
	mc.eventually(10*time.Second, "d1 runs on one node", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1, fmt.Sprint(w)
	})

	// A stale base is refused as a conflict, and changes nothing.
	cl := mc.client("n3")
	base, _ := cl.Load()
	mc.commit("n1", func(c *cib.CIB) { c.SetProperty("cluster-name", "a") })
	next := base.Clone()
	next.SetProperty("cluster-name", "b")
	if err := cl.Commit(base, next); err == nil || !strings.Contains(err.Error(), cib.ErrConflict.Error()) {
		t.Fatalf("stale commit: %v", err)
	}
	mc.eventually(2*time.Second, "n3 sees a", func() (bool, string) {
		c, _ := mc.client("n3").Load()
		v, _ := c.Property("cluster-name")
		return v == "a", v
	})
	// Changes reached the other nodes mostly as patches, not whole CIBs.
	for _, n := range mc.names {
		info, err := mc.client(n).Info()
		if err != nil {
			t.Fatal(err)
		}
		if !info.IsDC && (info.Patches == 0 || info.Patches < info.Copies) {
			t.Errorf("%s: %d patches, %d whole copies", n, info.Patches, info.Copies)
		}
	}
}

func TestPartitionAndMerge(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	mc.commit("n1", func(c *cib.CIB) {
		c.SetProperty("stonith-enabled", "false")
		addDummy("d1")(c)
	})
	var at string
	mc.eventually(10*time.Second, "d1 runs", func() (bool, string) {
		w := mc.agents.where("d1")
		if len(w) == 1 {
			at = w[0]
		}
		return len(w) == 1, fmt.Sprint(w)
	})
	// Cut the node running d1 off: it loses quorum and stops d1
	// (no-quorum-policy=stop); the majority starts d1.
	var others []string
	for _, n := range mc.names {
		if n != at {
			others = append(others, n)
			mc.net.Cut(at, n)
		}
	}
	mc.eventually(10*time.Second, "d1 only in the majority", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1 && w[0] != at, fmt.Sprint(w)
	})
	mc.eventually(6*time.Second, "the minority elects itself", func() (bool, string) { return mc.oneDC(at) })
	// Heal: one DC again, one copy of d1.
	for _, n := range others {
		mc.net.Heal(at, n)
	}
	mc.eventually(10*time.Second, "one DC after merge", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	mc.eventually(10*time.Second, "one d1 after merge", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1, fmt.Sprint(w)
	})
}

func TestGroupRunsTogetherAndMoves(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	mc.commit("n1", func(c *cib.CIB) {
		c.SetProperty("stonith-enabled", "false")
		addDummy("ip")(c)
		addDummy("web")(c)
		res := c.Section("resources", true)
		g := res.CreateElement("group")
		g.CreateAttr("id", "g")
		for _, id := range []string{"ip", "web"} {
			p := c.FindID(id)
			res.RemoveChild(p)
			g.AddChild(p)
		}
	})
	var at string
	mc.eventually(10*time.Second, "ip and web on one node", func() (bool, string) {
		ip, web := mc.agents.where("ip"), mc.agents.where("web")
		if len(ip) == 1 {
			at = ip[0]
		}
		return len(ip) == 1 && len(web) == 1 && ip[0] == web[0], fmt.Sprint(ip, web)
	})
	// web started after ip.
	mc.agents.mu.Lock()
	ipStart, webStart := -1, -1
	for i, op := range mc.agents.ops {
		switch op {
		case at + " ip start":
			ipStart = i
		case at + " web start":
			webStart = i
		}
	}
	mc.agents.mu.Unlock()
	if ipStart < 0 || webStart < ipStart {
		t.Fatalf("start order: ip at %d, web at %d", ipStart, webStart)
	}
	for _, n := range mc.names {
		if n != at {
			mc.net.Cut(at, n)
		}
	}
	mc.eventually(10*time.Second, "the group moves to the majority, together", func() (bool, string) {
		ip, web := mc.agents.where("ip"), mc.agents.where("web")
		return len(ip) == 1 && len(web) == 1 && ip[0] == web[0] && ip[0] != at, fmt.Sprint(ip, web)
	})
}

// TestLossyNetwork: with a fifth of all datagrams lost, what is lost is
// sent again: membership holds, commits reach every node, and every
// resource runs once.
func TestLossyNetwork(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	mc.net.SetLoss(0.2)
	mc.commit("n2", func(c *cib.CIB) { c.SetProperty("stonith-enabled", "false") })
	for i := range 4 {
		// Through each node in turn; a node that has not heard of the
		// last change yet refuses (a conflict) and the client reloads,
		// as a user would.
		node := mc.names[i%3]
		mc.eventually(15*time.Second, fmt.Sprintf("d%d committed through %s", i, node), func() (bool, string) {
			cl := mc.client(node)
			base, err := cl.Load()
			if err != nil {
				return false, err.Error()
			}
			if base.FindID(fmt.Sprintf("d%d", i)) != nil {
				return true, "" // an earlier try went through after all
			}
			next := base.Clone()
			addDummy(fmt.Sprintf("d%d", i))(next)
			if err := cl.Commit(base, next); err != nil {
				return false, err.Error()
			}
			return true, ""
		})
	}
	for _, n := range mc.names {
		mc.eventually(15*time.Second, n+" has every change", func() (bool, string) {
			c, err := mc.client(n).Load()
			if err != nil {
				return false, err.Error()
			}
			return c.FindID("d3") != nil && c.FindID("d0") != nil, c.Version().String()
		})
	}
	mc.eventually(30*time.Second, "each resource runs once", func() (bool, string) {
		var where []string
		for i := range 4 {
			w := mc.agents.where(fmt.Sprintf("d%d", i))
			if len(w) != 1 {
				return false, fmt.Sprintf("d%d on %v", i, w)
			}
			where = append(where, w[0])
		}
		return true, fmt.Sprint(where)
	})
	for _, n := range mc.names {
		info, err := mc.client(n).Info()
		if err != nil {
			t.Fatal(err)
		}
		if len(info.Members) != 3 {
			t.Errorf("%s's members under loss: %v", n, info.Members)
		}
	}
}

// TestAutojoin: with autojoin any, a node that holds the key but is not
// named by the others' 'node' lines joins them, and counts for quorum.
func TestAutojoin(t *testing.T) {
	mc := newMemNet(t)
	start := func(name string, nodes []string, autojoin string) {
		cfg := memConfig(nodes...)
		cfg.Autojoin, cfg.Initdead = autojoin, time.Second
		mc.startWith(name, cfg, nodes, mc.agents)
	}
	start("n1", []string{"n1", "n2"}, "any")
	start("n2", []string{"n1", "n2"}, "any")
	start("n3", []string{"n1", "n2", "n3"}, "")
	for _, n := range []string{"n1", "n2", "n3"} {
		mc.eventually(10*time.Second, n+" sees all three", func() (bool, string) {
			info, err := mc.client(n).Info()
			if err != nil {
				return false, err.Error()
			}
			return strings.Join(info.Members, " ") == "n1 n2 n3" && len(info.Nodes) == 3, fmt.Sprint(info.Members, info.Nodes)
		})
	}
	// Without autojoin, a node not named is refused: n5 names n3, but n3
	// (autojoin none) does not name n5.
	start("n5", []string{"n3", "n5"}, "")
	time.Sleep(time.Second)
	if info, _ := mc.client("n3").Info(); strings.Contains(strings.Join(info.Members, " "), "n5") || len(info.Nodes) != 3 {
		t.Errorf("n3 (no autojoin) took an unnamed node: %v %v", info.Members, info.Nodes)
	}
}

// TestCommitSavedEverywhere: a client hears that its change succeeded only
// once every member has written it to disk, even a slow one.
func TestCommitSavedEverywhere(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	info, _ := mc.client("n1").Info()
	slow := "n3"
	if info.DC == "n3" {
		slow = "n2"
	}
	mc.net.SetDelay(slow, 300*time.Millisecond)
	for i := range 3 {
		id := fmt.Sprintf("saved%d", i)
		mc.commit("n1", func(c *cib.CIB) { c.SetProperty("marker", id) })
		for _, n := range mc.names {
			saved, err := cib.Load(filepath.Join(mc.dir, n, "cib.xml"))
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			if v, _ := saved.Property("marker"); v != id {
				t.Errorf("commit %d answered while %s had %q on disk", i, n, v)
			}
		}
	}
}

// TestFailureTimeoutExpiresOnTime: the DC plans again when a failure
// times out, with no other event: a resource that failed on its
// preferred node moves back there once failure-timeout has passed.
func TestFailureTimeoutExpiresOnTime(t *testing.T) {
	mc := newMemCluster(t, "n1", "n2", "n3")
	mc.eventually(10*time.Second, "one DC", func() (bool, string) { return mc.oneDC("n1", "n2", "n3") })
	mc.commit("n1", func(c *cib.CIB) {
		c.SetProperty("stonith-enabled", "false")
		addDummy("d1")(c)
		p := c.FindID("d1")
		meta := p.CreateElement("meta_attributes")
		meta.CreateAttr("id", "d1-meta")
		for _, kv := range [][2]string{{"failure-timeout", "3s"}, {"migration-threshold", "1"}} {
			nv := meta.CreateElement("nvpair")
			nv.CreateAttr("id", "d1-meta-"+kv[0])
			nv.CreateAttr("name", kv[0])
			nv.CreateAttr("value", kv[1])
		}
		loc := c.Section("constraints", true).CreateElement("rsc_location")
		loc.CreateAttr("id", "d1-prefers-n1")
		loc.CreateAttr("rsc", "d1")
		loc.CreateAttr("node", "n1")
		loc.CreateAttr("score", "100")
	})
	mc.eventually(10*time.Second, "d1 on n1", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1 && w[0] == "n1", fmt.Sprint(w)
	})
	// d1 dies on n1 behind the cluster's back.
	mc.agents.mu.Lock()
	delete(mc.agents.running, "n1/d1")
	mc.agents.mu.Unlock()
	failed := time.Now()
	mc.eventually(10*time.Second, "d1 recovered away from n1", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1 && w[0] != "n1", fmt.Sprint(w)
	})
	mc.eventually(15*time.Second, "d1 back on n1 once its failure timed out", func() (bool, string) {
		w := mc.agents.where("d1")
		return len(w) == 1 && w[0] == "n1", fmt.Sprint(w)
	})
	// Failure times are recorded in whole seconds, as Pacemaker's are.
	if back := time.Since(failed); back < 2*time.Second {
		t.Errorf("d1 went back after %v, before its 3s failure-timeout", back)
	}
}
