package daemon

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"
	"time"
)

func pair(t *testing.T) (*messenger, *messenger, *Counters) {
	t.Helper()
	auth := &Auth{Index: 1, Method: "sha256", key: []byte("secret")}
	rc := &Counters{}
	return newMessenger("a", auth, 1, &Counters{}), newMessenger("b", auth, 1, rc), rc
}

func deliver(t *testing.T, to *messenger, pkts [][]byte) []*Message {
	t.Helper()
	var out []*Message
	for _, p := range pkts {
		if m := to.decode(Packet{Data: p, From: "x"}, time.Now()); m != nil {
			out = append(out, m)
		}
	}
	return out
}

func TestWireRoundTripAndReplay(t *testing.T) {
	a, b, rc := pair(t)
	pkts, err := a.encode("hb", "", map[string]int{"x": 1})
	if err != nil {
		t.Fatal(err)
	}
	got := deliver(t, b, pkts)
	if len(got) != 1 || got[0].Type != "hb" || got[0].From != "a" || string(got[0].Body) != `{"x":1}` {
		t.Fatalf("got %+v", got)
	}
	if again := deliver(t, b, pkts); len(again) != 0 || rc.Replayed.Load() != 1 {
		t.Fatalf("replay accepted: %d messages, %d counted", len(again), rc.Replayed.Load())
	}
}

func TestWireRejectsForgeries(t *testing.T) {
	a, b, rc := pair(t)
	pkts, _ := a.encode("hb", "", "hello")
	// Flip a byte of the body: the code no longer matches.
	bad := append([]byte(nil), pkts[0]...)
	bad[len(bad)-3] ^= 1
	// Another key altogether.
	evil := newMessenger("a", &Auth{Index: 1, Method: "sha256", key: []byte("guess")}, 1, &Counters{})
	forged, _ := evil.encode("hb", "", "hello")
	for _, p := range [][]byte{bad, forged[0], []byte("PCR1"), []byte("garbage that is long enough")} {
		if m := b.decode(Packet{Data: p}, time.Now()); m != nil {
			t.Fatalf("accepted %q", p)
		}
	}
	if rc.BadAuth.Load() != 2 || rc.Malformed.Load() != 2 {
		t.Errorf("bad auth %d, malformed %d", rc.BadAuth.Load(), rc.Malformed.Load())
	}
	// The genuine packet still gets through after the forgeries.
	if got := deliver(t, b, pkts); len(got) != 1 {
		t.Fatal("genuine packet refused")
	}
}

func TestWireGenerations(t *testing.T) {
	a, b, rc := pair(t)
	old, _ := a.encode("hb", "", 1)
	reboot := newMessenger("a", a.auth, 2, &Counters{})
	fresh, _ := reboot.encode("hb", "", 2)
	if len(deliver(t, b, fresh)) != 1 {
		t.Fatal("new generation refused")
	}
	if len(deliver(t, b, old)) != 0 || rc.StaleGen.Load() != 1 {
		t.Fatal("a packet of an earlier boot was accepted")
	}
}

func TestWireFragmentsOutOfOrder(t *testing.T) {
	a, b, _ := pair(t)
	// Random bytes do not compress: this needs several fragments.
	blob := make([]byte, 300*1024)
	rand.New(rand.NewSource(1)).Read(blob)
	pkts, err := a.encode("cib", "b", blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) < 4 {
		t.Fatalf("%d fragments", len(pkts))
	}
	for _, p := range pkts {
		if len(p) > 65507 {
			t.Fatalf("datagram of %d bytes", len(p))
		}
	}
	// Deliver in reverse order: the window accepts reordering.
	var rev [][]byte
	for i := len(pkts) - 1; i >= 0; i-- {
		rev = append(rev, pkts[i])
	}
	got := deliver(t, b, rev)
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	var back []byte
	if err := json.Unmarshal(got[0].Body, &back); err != nil || !bytes.Equal(back, blob) {
		t.Fatalf("reassembled body differs (%v)", err)
	}
}

func TestWireAddressedElsewhere(t *testing.T) {
	a, b, _ := pair(t)
	pkts, _ := a.encode("exec", "c", 1)
	if len(deliver(t, b, pkts)) != 0 {
		t.Fatal("b accepted a message for c")
	}
}

func TestWindow(t *testing.T) {
	w := &window{}
	for _, tc := range []struct {
		seq  uint64
		want bool
	}{{1, true}, {3, true}, {2, true}, {2, false}, {100, true}, {37, true}, {36, false}, {0, false}, {100, false}, {101, true}} {
		if got := w.accept(tc.seq); got != tc.want {
			t.Errorf("accept(%d) = %v, want %v", tc.seq, got, tc.want)
		}
	}
}
