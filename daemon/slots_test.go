package daemon

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

func TestActionSlotsOrderAndLimit(t *testing.T) {
	s := newActionSlots(2)
	ctx := context.Background()
	s.acquire(ctx)
	s.acquire(ctx)
	got := make(chan int, 3)
	for i := range 3 {
		go func() {
			s.acquire(ctx)
			got <- i
		}()
		// Queue them in a known order.
		for {
			s.mu.Lock()
			n := len(s.waiters)
			s.mu.Unlock()
			if n == i+1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	select {
	case i := <-got:
		t.Fatalf("waiter %d ran past the limit", i)
	case <-time.After(20 * time.Millisecond):
	}
	s.release()
	if i := <-got; i != 0 {
		t.Fatalf("first released waiter: %d, want 0", i)
	}
	// Raising the limit lets the rest run at once.
	s.setLimit(4)
	a, b := <-got, <-got
	if a+b != 3 {
		t.Fatalf("waiters after raising the limit: %d %d", a, b)
	}
	if s.active != 4 {
		t.Fatalf("active = %d, want 4", s.active)
	}
	// A waiter whose context ends leaves the queue without a slot.
	s.setLimit(1)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := s.acquire(cctx); ok {
		t.Fatal("acquire with an ended context succeeded")
	}
	if len(s.waiters) != 0 {
		t.Fatalf("%d waiters left", len(s.waiters))
	}
}

func TestNodeActionLimitProperty(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  int
	}{{"3", 3}, {"1", 1}, {"0", 0}, {"-2", 0}, {"x", 0}, {"", 0}} {
		c := cib.New()
		if tc.value != "" {
			c.SetProperty("node-action-limit", tc.value)
		}
		got, want := nodeActionLimit(c), tc.want
		if want == 0 {
			want = 2 * runtime.NumCPU()
		}
		if got != want {
			t.Errorf("node-action-limit=%q: %d, want %d", tc.value, got, want)
		}
	}
}

// crowd runs each operation for a moment and records how many ran at once
// on each node.
type crowd struct {
	machines
	mu     sync.Mutex
	now    map[string]int
	most   map[string]int
	linger time.Duration
}

func (c *crowd) Exec(ctx context.Context, op agents.Op) agents.Result {
	c.mu.Lock()
	c.now[op.Node]++
	c.most[op.Node] = max(c.most[op.Node], c.now[op.Node])
	c.mu.Unlock()
	time.Sleep(c.linger)
	c.mu.Lock()
	c.now[op.Node]--
	c.mu.Unlock()
	return c.machines.Exec(ctx, op)
}

func TestNodeActionLimitQueues(t *testing.T) {
	ex := &crowd{machines: machines{running: map[string]bool{}}, now: map[string]int{}, most: map[string]int{}, linger: 60 * time.Millisecond}
	mc := newMemNet(t)
	cfg := memConfig("n1")
	cfg.Initdead = time.Second
	mc.startWith("n1", cfg, []string{"n1"}, ex)
	cl := mc.client("n1")
	mc.eventually(10*time.Second, "n1 is DC", func() (bool, string) {
		info, err := cl.Info()
		if err != nil {
			return false, err.Error()
		}
		return info.IsDC, info.DC
	})
	base, err := cl.Load()
	if err != nil {
		t.Fatal(err)
	}
	next := base.Clone()
	next.SetProperty("stonith-enabled", "false")
	next.SetProperty("node-action-limit", "2")
	for i := range 6 {
		addDummy("d" + strconv.Itoa(i))(next)
	}
	if err := cl.Commit(base, next); err != nil {
		t.Fatal(err)
	}
	mc.eventually(20*time.Second, "all six run", func() (bool, string) {
		var out []string
		for i := range 6 {
			out = append(out, ex.where("d"+strconv.Itoa(i))...)
		}
		return len(out) == 6, fmt.Sprint(out)
	})
	ex.mu.Lock()
	most := ex.most["n1"]
	ex.mu.Unlock()
	if most != 2 {
		t.Errorf("at most %d operations ran at once, want the limit, 2", most)
	}
	// Operations that waited for a slot carry their queue-time.
	var queued int
	mc.eventually(5*time.Second, "a queue-time in the history", func() (bool, string) {
		c, err := cl.Load()
		if err != nil {
			return false, err.Error()
		}
		queued = 0
		for _, op := range c.Root().FindElements("//lrm_rsc_op") {
			if q, _ := strconv.Atoi(op.SelectAttrValue("queue-time", "0")); q > 0 {
				queued++
			}
		}
		return queued > 0, strconv.Itoa(queued)
	})
}
