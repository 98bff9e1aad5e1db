package daemon

import (
	"errors"
	"net"
	"strconv"
	"sync"
)

// Packet is one datagram received, with the address it came from.
type Packet struct {
	Data []byte
	From string
}

// Transport moves datagrams between nodes. Send may be called from any
// goroutine; Packets delivers everything received until Close.
type Transport interface {
	Send(addr string, data []byte) error
	Packets() <-chan Packet
	Close() error
}

// UDPTransport is the real transport: one UDP socket per node.
type UDPTransport struct {
	conn *net.UDPConn
	ch   chan Packet
	once sync.Once
}

// ListenUDP binds addr (e.g. "127.0.0.2:20694" or ":694").
func ListenUDP(addr string) (*UDPTransport, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	conn.SetReadBuffer(4 << 20)
	t := &UDPTransport{conn: conn, ch: make(chan Packet, 1024)}
	go t.read()
	return t, nil
}

func (t *UDPTransport) read() {
	buf := make([]byte, 65536)
	for {
		n, from, err := t.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				close(t.ch)
				return
			}
			continue
		}
		select {
		case t.ch <- Packet{Data: append([]byte(nil), buf[:n]...), From: from.String()}:
		default: // a full queue drops, as a full socket buffer would
		}
	}
}

// Send writes one datagram to addr.
func (t *UDPTransport) Send(addr string, data []byte) error {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return err
	}
	_, err = t.conn.WriteToUDP(data, ua)
	return err
}

// Packets delivers received datagrams.
func (t *UDPTransport) Packets() <-chan Packet { return t.ch }

// Close stops the transport.
func (t *UDPTransport) Close() error {
	var err error
	t.once.Do(func() { err = t.conn.Close() })
	return err
}

// MemNetwork connects in-process transports, for tests: every address is a
// name, and links can be cut to make partitions.
type MemNetwork struct {
	mu    sync.Mutex
	nodes map[string]*memTransport
	cut   map[[2]string]bool
}

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork {
	return &MemNetwork{nodes: map[string]*memTransport{}, cut: map[[2]string]bool{}}
}

// Transport returns the transport of the node at addr.
func (n *MemNetwork) Transport(addr string) Transport {
	n.mu.Lock()
	defer n.mu.Unlock()
	t := &memTransport{net: n, addr: addr, ch: make(chan Packet, 1024)}
	n.nodes[addr] = t
	return t
}

// Cut stops traffic between a and b in both directions; Heal restores it.
func (n *MemNetwork) Cut(a, b string) {
	n.mu.Lock()
	n.cut[[2]string{a, b}], n.cut[[2]string{b, a}] = true, true
	n.mu.Unlock()
}

// Heal restores traffic between a and b.
func (n *MemNetwork) Heal(a, b string) {
	n.mu.Lock()
	delete(n.cut, [2]string{a, b})
	delete(n.cut, [2]string{b, a})
	n.mu.Unlock()
}

type memTransport struct {
	net    *MemNetwork
	addr   string
	ch     chan Packet
	closed bool
}

func (t *memTransport) Send(addr string, data []byte) error {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	if t.closed {
		return net.ErrClosed
	}
	dst := t.net.nodes[addr]
	if dst == nil || dst.closed || t.net.cut[[2]string{t.addr, addr}] {
		return nil // lost, as UDP would lose it
	}
	select {
	case dst.ch <- Packet{Data: append([]byte(nil), data...), From: t.addr}:
	default:
	}
	return nil
}

func (t *memTransport) Packets() <-chan Packet { return t.ch }

func (t *memTransport) Close() error {
	t.net.mu.Lock()
	defer t.net.mu.Unlock()
	if !t.closed {
		t.closed = true
		close(t.ch)
	}
	return nil
}

// joinHostPort adds the default port to an address without one.
func joinHostPort(addr string, port int) string {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(addr, strconv.Itoa(port))
}
