package daemon

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// The wire format of one datagram:
//
//	"PCR1" | key index (1 byte) | code length (1 byte) | code | envelope (JSON)
//
// The code authenticates the envelope with the authkeys key. Each envelope
// carries the sender's boot generation and a per-boot sequence number, so
// that replays and duplicates are dropped; messages too large for one
// datagram travel as numbered fragments.
var magic = []byte("PCR1")

// maxFragment keeps datagrams well under the 64 KiB UDP limit once the
// chunk is base64-encoded in the JSON envelope (4/3 larger).
const maxFragment = 36 * 1024

type envelope struct {
	Type  string `json:"t"`
	From  string `json:"f"`
	To    string `json:"to,omitempty"`
	Gen   int64  `json:"g"`
	Seq   uint64 `json:"s"`
	MsgID uint64 `json:"m,omitempty"`
	Frag  int    `json:"i,omitempty"`
	Frags int    `json:"n,omitempty"`
	Gzip  bool   `json:"z,omitempty"`
	Body  []byte `json:"b,omitempty"`
}

// Message is a whole, authenticated, deduplicated message.
type Message struct {
	Type string
	From string
	To   string
	Gen  int64
	Body []byte
	Addr string // where it came from
}

// Counters of what the messenger refused.
type Counters struct {
	BadAuth   atomic.Int64 // wrong key, forged, or garbage
	Replayed  atomic.Int64 // duplicate or replayed sequence numbers
	StaleGen  atomic.Int64 // from an earlier boot of the sender
	Malformed atomic.Int64
}

// messenger frames, signs, checks and reassembles messages. Its methods
// are called from the node's event loop only.
type messenger struct {
	self     string
	auth     *Auth
	gen      int64
	seq      uint64
	msgID    uint64
	peers    map[string]*window
	partials map[string]*partial
	counters *Counters
}

type partial struct {
	frags   [][]byte
	have    int
	started time.Time
}

func newMessenger(self string, auth *Auth, gen int64, c *Counters) *messenger {
	return &messenger{self: self, auth: auth, gen: gen, peers: map[string]*window{}, partials: map[string]*partial{}, counters: c}
}

// encode turns a message into one or more signed datagrams.
func (m *messenger) encode(typ, to string, body any) ([][]byte, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", typ, err)
	}
	gz := false
	if len(raw) > 4096 {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(raw)
		w.Close()
		raw, gz = b.Bytes(), true
	}
	var chunks [][]byte
	for len(raw) > maxFragment {
		chunks = append(chunks, raw[:maxFragment])
		raw = raw[maxFragment:]
	}
	chunks = append(chunks, raw)
	m.msgID++
	var out [][]byte
	for i, c := range chunks {
		m.seq++
		env := envelope{Type: typ, From: m.self, To: to, Gen: m.gen, Seq: m.seq, Gzip: gz, Body: c}
		if len(chunks) > 1 {
			env.MsgID, env.Frag, env.Frags = m.msgID, i, len(chunks)
		}
		payload, err := json.Marshal(env)
		if err != nil {
			return nil, err
		}
		sum := m.auth.Sum(payload)
		pkt := make([]byte, 0, len(magic)+2+len(sum)+len(payload))
		pkt = append(pkt, magic...)
		pkt = append(pkt, byte(m.auth.Index), byte(len(sum)))
		pkt = append(pkt, sum...)
		pkt = append(pkt, payload...)
		out = append(out, pkt)
	}
	return out, nil
}

var errBadPacket = errors.New("bad packet")

// decode checks one datagram. It returns a complete message, or nil when
// the datagram was refused or is a fragment of an unfinished message.
func (m *messenger) decode(p Packet, now time.Time) *Message {
	d := p.Data
	if len(d) < len(magic)+2 || !bytes.Equal(d[:len(magic)], magic) {
		m.counters.Malformed.Add(1)
		return nil
	}
	idx, n := int(d[len(magic)]), int(d[len(magic)+1])
	rest := d[len(magic)+2:]
	if idx != m.auth.Index || n != m.auth.SumLen() || len(rest) < n || !m.auth.Verify(rest[n:], rest[:n]) {
		m.counters.BadAuth.Add(1)
		return nil
	}
	var env envelope
	if err := json.Unmarshal(rest[n:], &env); err != nil || env.From == "" {
		m.counters.Malformed.Add(1)
		return nil
	}
	if env.From == m.self {
		return nil // our own, looped back
	}
	w := m.peers[env.From]
	switch {
	case w == nil || env.Gen > w.gen:
		w = &window{gen: env.Gen}
		m.peers[env.From] = w
	case env.Gen < w.gen:
		m.counters.StaleGen.Add(1)
		return nil
	}
	if !w.accept(env.Seq) {
		m.counters.Replayed.Add(1)
		return nil
	}
	if env.To != "" && env.To != m.self {
		return nil
	}
	body := env.Body
	if env.Frags > 1 {
		if env.Frag < 0 || env.Frag >= env.Frags || env.Frags > 4096 {
			m.counters.Malformed.Add(1)
			return nil
		}
		key := fmt.Sprintf("%s/%d/%d", env.From, env.Gen, env.MsgID)
		pt := m.partials[key]
		if pt == nil {
			pt = &partial{frags: make([][]byte, env.Frags), started: now}
			m.partials[key] = pt
		}
		if len(pt.frags) != env.Frags || pt.frags[env.Frag] != nil {
			return nil
		}
		pt.frags[env.Frag] = body
		pt.have++
		// Forget fragments of messages that never completed.
		for k, o := range m.partials {
			if now.Sub(o.started) > 10*time.Second {
				delete(m.partials, k)
			}
		}
		if pt.have < env.Frags {
			return nil
		}
		delete(m.partials, key)
		body = bytes.Join(pt.frags, nil)
	}
	if env.Gzip {
		r, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			m.counters.Malformed.Add(1)
			return nil
		}
		body, err = io.ReadAll(io.LimitReader(r, 256<<20))
		if err != nil {
			m.counters.Malformed.Add(1)
			return nil
		}
	}
	return &Message{Type: env.Type, From: env.From, To: env.To, Gen: env.Gen, Body: body, Addr: p.From}
}

// window accepts each sequence number of one sender's boot once, allowing
// some reordering (as IPsec's anti-replay window does).
type window struct {
	gen  int64
	top  uint64
	seen uint64 // bit i: top-i was seen
}

func (w *window) accept(seq uint64) bool {
	switch {
	case seq == 0:
		return false
	case seq > w.top:
		shift := seq - w.top
		if shift >= 64 {
			w.seen = 0
		} else {
			w.seen <<= shift
		}
		w.seen |= 1
		w.top = seq
		return true
	case w.top-seq >= 64:
		return false
	default:
		bit := uint64(1) << (w.top - seq)
		if w.seen&bit != 0 {
			return false
		}
		w.seen |= bit
		return true
	}
}
