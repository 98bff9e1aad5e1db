package daemon

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// actionSlots bounds how many operations run at once on this node, as
// Pacemaker's node-action-limit does. An operation past the limit waits
// its turn in order; meanwhile it is pending, as Pacemaker shows a queued
// action, and its wait becomes the record's queue-time.
type actionSlots struct {
	mu      sync.Mutex
	limit   int
	active  int
	waiters []chan struct{}
}

func newActionSlots(limit int) *actionSlots { return &actionSlots{limit: limit} }

// acquire waits for a slot. It returns how long it waited, and false if
// ctx ended first (the slot is then not held).
func (s *actionSlots) acquire(ctx context.Context) (time.Duration, bool) {
	start := time.Now()
	s.mu.Lock()
	if s.active < s.limit {
		s.active++
		s.mu.Unlock()
		return 0, true
	}
	ch := make(chan struct{})
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return time.Since(start), true
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, w := range s.waiters {
			if w == ch {
				s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
				return time.Since(start), false
			}
		}
		// Granted just as ctx ended: give the slot on.
		s.releaseLocked()
		return time.Since(start), false
	}
}

func (s *actionSlots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked()
}

func (s *actionSlots) releaseLocked() {
	if len(s.waiters) > 0 && s.active <= s.limit {
		// The slot passes straight to the next in line.
		close(s.waiters[0])
		s.waiters = s.waiters[1:]
		return
	}
	s.active--
}

// setLimit changes the limit; a higher one lets waiting operations run.
func (s *actionSlots) setLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = n
	for s.active < s.limit && len(s.waiters) > 0 {
		s.active++
		close(s.waiters[0])
		s.waiters = s.waiters[1:]
	}
}

// nodeActionLimit reads node-action-limit: as in Pacemaker, a value that
// is not a positive number means twice the number of cores.
func nodeActionLimit(c *cib.CIB) int {
	if c != nil {
		if v, ok := c.Property("node-action-limit"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 2 * runtime.NumCPU()
}
