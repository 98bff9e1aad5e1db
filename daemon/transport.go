package daemon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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

// UDPTransport is the real transport: a UDP socket on the heartbeat port
// (unicast and broadcast), and one more per multicast group.
type UDPTransport struct {
	conn    *net.UDPConn
	groups  map[string]*net.UDPConn // "group:port" -> its socket
	ch      chan Packet
	once    sync.Once
	readers sync.WaitGroup
}

// ListenMedia binds addr (e.g. "127.0.0.2:20694" or ":694") and joins
// the multicast groups of media; it allows broadcasts, for bcast media.
func ListenMedia(addr string, media []Medium) (*UDPTransport, error) {
	network, reuse := "udp", false
	for _, m := range media {
		if m.Kind != "ucast" {
			network = "udp4" // broadcast and multicast are IPv4's
		}
		if m.Kind == "mcast" && strings.HasSuffix(addr, ":"+strconv.Itoa(m.Port)) {
			reuse = true // the group's socket shares the heartbeat port
		}
	}
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		c.Control(func(fd uintptr) {
			if network == "udp4" {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_BROADCAST, 1)
			}
			if reuse {
				serr = errors.Join(serr, syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1))
			}
		})
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), network, addr)
	if err != nil {
		return nil, err
	}
	conn := pc.(*net.UDPConn)
	conn.SetReadBuffer(4 << 20)
	t := &UDPTransport{conn: conn, groups: map[string]*net.UDPConn{}, ch: make(chan Packet, 1024)}
	for _, m := range media {
		if m.Kind != "mcast" {
			continue
		}
		gc, err := listenGroup(m)
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("mcast %s %s: %w", m.Dev, m.Group, err)
		}
		t.groups[net.JoinHostPort(m.Group, strconv.Itoa(m.Port))] = gc
	}
	t.readers.Add(1 + len(t.groups))
	go t.read(conn)
	for _, gc := range t.groups {
		go t.read(gc)
	}
	go func() { t.readers.Wait(); close(t.ch) }()
	return t, nil
}

// listenGroup joins a multicast group on the medium's interface, and
// sends through it with the medium's TTL and loop setting.
func listenGroup(m Medium) (*net.UDPConn, error) {
	ifi, err := net.InterfaceByName(m.Dev)
	if err != nil {
		return nil, err
	}
	gc, err := net.ListenMulticastUDP("udp4", ifi, &net.UDPAddr{IP: net.ParseIP(m.Group), Port: m.Port})
	if err != nil {
		return nil, err
	}
	raw, err := gc.SyscallConn()
	if err != nil {
		gc.Close()
		return nil, err
	}
	loop := 0
	if m.Loop {
		loop = 1
	}
	var serr error
	raw.Control(func(fd uintptr) {
		serr = errors.Join(
			syscall.SetsockoptIPMreqn(int(fd), syscall.IPPROTO_IP, syscall.IP_MULTICAST_IF, &syscall.IPMreqn{Ifindex: int32(ifi.Index)}),
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_MULTICAST_TTL, m.TTL),
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_MULTICAST_LOOP, loop))
	})
	if serr != nil {
		gc.Close()
		return nil, serr
	}
	gc.SetReadBuffer(4 << 20)
	return gc, nil
}

// BroadcastAddr is the IPv4 broadcast address of an interface's network.
func BroadcastAddr(dev string) (string, error) {
	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		return "", err
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			ip, mask := n.IP.To4(), net.IP(n.Mask).To4()
			b := make(net.IP, 4)
			for i := range b {
				b[i] = ip[i] | ^mask[i]
			}
			return b.String(), nil
		}
	}
	return "", fmt.Errorf("%s has no IPv4 address", dev)
}

func (t *UDPTransport) read(conn *net.UDPConn) {
	defer t.readers.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
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

// Send writes one datagram to addr: through its group's socket for a
// multicast group, else through the heartbeat socket.
func (t *UDPTransport) Send(addr string, data []byte) error {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return err
	}
	conn := t.conn
	if gc := t.groups[addr]; gc != nil {
		conn = gc
	}
	_, err = conn.WriteToUDP(data, ua)
	return err
}

// Packets delivers received datagrams.
func (t *UDPTransport) Packets() <-chan Packet { return t.ch }

// Close stops the transport.
func (t *UDPTransport) Close() error {
	var err error
	t.once.Do(func() {
		err = t.conn.Close()
		for _, gc := range t.groups {
			gc.Close()
		}
	})
	return err
}

// MemNetwork connects in-process transports, for tests: every address is a
// name, and links can be cut to make partitions.
type MemNetwork struct {
	mu    sync.Mutex
	nodes map[string]*memTransport
	cut   map[[2]string]bool
	loss  float64 // share of datagrams lost at random
	delay map[string]time.Duration
}

// SetDelay holds every datagram to addr for d before delivering it (a
// slow node, or a slow link to it).
func (n *MemNetwork) SetDelay(addr string, d time.Duration) {
	n.mu.Lock()
	if n.delay == nil {
		n.delay = map[string]time.Duration{}
	}
	n.delay[addr] = d
	n.mu.Unlock()
}

// SetLoss makes the network lose the given share of datagrams at random.
func (n *MemNetwork) SetLoss(share float64) {
	n.mu.Lock()
	n.loss = share
	n.mu.Unlock()
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
	if dst == nil || dst.closed || t.net.cut[[2]string{t.addr, addr}] || (t.net.loss > 0 && rand.Float64() < t.net.loss) {
		return nil // lost, as UDP would lose it
	}
	pkt := Packet{Data: append([]byte(nil), data...), From: t.addr}
	if d := t.net.delay[addr]; d > 0 {
		time.AfterFunc(d, func() {
			t.net.mu.Lock()
			defer t.net.mu.Unlock()
			if !dst.closed {
				select {
				case dst.ch <- pkt:
				default:
				}
			}
		})
		return nil
	}
	select {
	case dst.ch <- pkt:
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
