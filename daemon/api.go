package daemon

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// The client socket speaks one JSON request and one JSON reply per line.

type clientRequest struct {
	Op   string `json:"op"` // query, info, replace, cleanup
	Base string `json:"base,omitempty"`
	XML  string `json:"xml,omitempty"`
	// cleanup: the resource, the node ("" for every node), and whether
	// everything is forgotten (refresh) or only failures (cleanup).
	Resource string `json:"resource,omitempty"`
	Node     string `json:"node,omitempty"`
	All      bool   `json:"all,omitempty"`
	// status-attr: a transient node attribute to set (Value) or delete.
	Name   string `json:"name,omitempty"`
	Value  string `json:"value,omitempty"`
	Delete bool   `json:"delete,omitempty"`
	user   string // from the socket's peer credentials
	reply  chan clientReply
}

type clientReply struct {
	Err     string `json:"err,omitempty"`
	XML     string `json:"xml,omitempty"`
	Version string `json:"version,omitempty"`
	Info    *Info  `json:"info,omitempty"`
}

// Info is a node's view of the cluster.
type Info struct {
	Node     string   `json:"node"`
	DC       string   `json:"dc"`
	IsDC     bool     `json:"is_dc"`
	Members  []string `json:"members"`
	Nodes    []string `json:"nodes"`
	Quorum   bool     `json:"quorum"`
	Settled  bool     `json:"settled"`
	Version  string   `json:"version"`
	BadAuth  int64    `json:"bad_auth"`
	Replayed int64    `json:"replayed"`
	Patches  int      `json:"patches"`    // CIB patches applied from the DC
	Copies   int      `json:"cib_copies"` // whole CIBs taken from the DC
}

func (n *Node) serveClients(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("socket %s: another daemon is already running there", path)
	}
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("socket %s: %w", path, err)
	}
	// Root and the haclient group only, as Pacemaker's IPC: the socket's
	// mode keeps others out, and each connection's credentials are checked.
	os.Chmod(path, 0o660)
	if g, err := user.LookupGroup(ClientGroup); err == nil {
		if gid, err := strconv.Atoi(g.Gid); err == nil {
			os.Chown(path, -1, gid)
		}
	}
	done := make(chan struct{})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go n.serveConn(c, done)
		}
	}()
	return func() { close(done); l.Close(); os.Remove(path) }, nil
}

func (n *Node) serveConn(c net.Conn, done chan struct{}) {
	defer c.Close()
	if cred := peerCred(c); cred != nil {
		if err := n.authorize(cred); err != nil {
			n.log.Warn("client refused", "uid", cred.Uid, "pid", cred.Pid, "err", err)
			// Take the request first: closing on an unread one would
			// leave the client a broken pipe instead of the reason.
			c.SetReadDeadline(time.Now().Add(time.Second))
			bufio.NewReader(c).ReadBytes('\n')
			b, _ := json.Marshal(clientReply{Err: err.Error()})
			c.Write(append(b, '\n'))
			return
		}
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return
		}
		var req clientRequest
		var rep clientReply
		if err := json.Unmarshal(line, &req); err != nil {
			rep.Err = "bad request: " + err.Error()
		} else {
			req.reply = make(chan clientReply, 1)
			req.user = peerUser(c)
			select {
			case n.requests <- req:
			case <-done:
				return
			}
			select {
			case rep = <-req.reply:
			case <-done:
				return
			}
		}
		b, _ := json.Marshal(rep)
		if _, err := c.Write(append(b, '\n')); err != nil {
			return
		}
	}
}

// serve answers a client request on the event loop.
func (n *Node) serve(req clientRequest) {
	switch req.Op {
	case "query":
		req.reply <- clientReply{XML: string(n.cib.Bytes()), Version: n.cib.Version().String()}
	case "info":
		req.reply <- clientReply{Info: &Info{
			Node: n.self, DC: n.dc, IsDC: n.isDC, Members: n.members(), Nodes: n.cfg.Nodes,
			Quorum: n.quorate(), Settled: n.settled, Version: n.cib.Version().String(),
			BadAuth: n.counters.BadAuth.Load(), Replayed: n.counters.Replayed.Load(),
			Patches: n.patched, Copies: n.copied,
		}}
	case "fence":
		// Fence a node (stonith_admin, crm node fence): the DC does it.
		action := req.Value
		if action != "" && action != "reboot" && action != "off" {
			req.reply <- clientReply{Err: fmt.Sprintf("fence: action %q is not reboot or off", action)}
			return
		}
		if !slices.Contains(n.cfg.Nodes, req.Node) {
			req.reply <- clientReply{Err: fmt.Sprintf("fence: no such node %q (nodes: %s)", req.Node, strings.Join(n.cfg.Nodes, " "))}
			return
		}
		if !n.isDC && n.dc == "" {
			req.reply <- clientReply{Err: "fence: this node has no DC to ask (it is not part of a cluster partition yet)"}
			return
		}
		// Kept and sent again until its outcome is heard (see
		// resendFenceRequests): a request lost on the way is not lost.
		f := fenceReq{Target: req.Node, Action: action, Origin: req.user + " on " + n.self, Requested: time.Now()}
		n.fenceReqs[f.Target] = &f
		n.resendFenceRequests(time.Now(), true)
		req.reply <- clientReply{}
	case "fence-history":
		b, _ := json.Marshal(n.fenceHistory)
		req.reply <- clientReply{XML: string(b)}
	case "cleanup":
		if req.Resource == "" {
			req.reply <- clientReply{Err: "cleanup: no resource given"}
			return
		}
		msg := cleanupMsg{Resource: req.Resource, Node: req.Node, All: req.All}
		n.send("cleanup", "", msg)
		n.lrm.cleanup(msg)
		req.reply <- clientReply{}
	case "status-attr":
		if req.Node == "" || req.Name == "" {
			req.reply <- clientReply{Err: "status-attr: a node and an attribute name are needed"}
			return
		}
		msg := attrMsg{Node: req.Node, Name: req.Name, Value: req.Value, Delete: req.Delete}
		n.send("attr", "", msg)
		n.lrm.setAttr(msg)
		req.reply <- clientReply{}
	case "replace":
		base, err := cib.ParseVersion(req.Base)
		if err != nil {
			req.reply <- clientReply{Err: err.Error()}
			return
		}
		n.startCommit(commitReq{Base: base, XML: req.XML, User: req.user}, req.reply)
	default:
		req.reply <- clientReply{Err: fmt.Sprintf("unknown request %q", req.Op)}
	}
}

// peerUser names the user at the other end of a Unix socket.
func peerUser(c net.Conn) string {
	cred := peerCred(c)
	if cred == nil {
		return ""
	}
	if u, err := user.LookupId(strconv.Itoa(int(cred.Uid))); err == nil {
		return u.Username
	}
	return strconv.Itoa(int(cred.Uid))
}

// Fence asks the cluster to fence a node (action reboot or off; "" for
// the cluster's stonith-action). It returns once the DC has the request;
// FenceHistory tells the outcome.
func (c Client) Fence(node, action string) error {
	_, err := c.call(clientRequest{Op: "fence", Node: node, Value: action})
	return err
}

// FenceHistory is the cluster's fencing history, oldest first.
func (c Client) FenceHistory() ([]FenceEvent, error) {
	rep, err := c.call(clientRequest{Op: "fence-history"})
	if err != nil {
		return nil, err
	}
	var out []FenceEvent
	if err := json.Unmarshal([]byte(rep.XML), &out); err != nil {
		return nil, fmt.Errorf("fence history: %w", err)
	}
	return out, nil
}

// peerCred is who is at the other end of a client connection.
func peerCred(c net.Conn) *syscall.Ucred {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	var cred *syscall.Ucred
	raw.Control(func(fd uintptr) {
		cred, _ = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	return cred
}

// ClientGroup is the group whose members may use the client socket.
const ClientGroup = "haclient"

// authorize lets root, the daemon's own user, members of haclient and the
// users and groups of ha.cf's apiauth lines use the client socket.
func (n *Node) authorize(cred *syscall.Ucred) error {
	if cred.Uid == 0 || int(cred.Uid) == os.Geteuid() {
		return nil
	}
	allowedGroups := []string{ClientGroup}
	var allowedUsers []string
	for _, a := range n.cfg.APIAuth {
		allowedUsers = append(allowedUsers, a.Users...)
		allowedGroups = append(allowedGroups, a.Groups...)
	}
	name := strconv.Itoa(int(cred.Uid))
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	if slices.Contains(allowedUsers, name) {
		return nil
	}
	groups := append([]uint32{cred.Gid}, supplementaryGroups(cred.Pid)...)
	for _, g := range allowedGroups {
		grp, err := user.LookupGroup(g)
		if err != nil {
			continue
		}
		gid, _ := strconv.ParseUint(grp.Gid, 10, 32)
		if slices.Contains(groups, uint32(gid)) {
			return nil
		}
	}
	return fmt.Errorf("permission denied: user %s is neither root nor in the %s group (add it: usermod -a -G %s %s)", name, ClientGroup, ClientGroup, name)
}

// supplementaryGroups reads a process's groups from /proc.
func supplementaryGroups(pid int32) []uint32 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil
	}
	var out []uint32
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Groups:"); ok {
			for _, f := range strings.Fields(rest) {
				if g, err := strconv.ParseUint(f, 10, 32); err == nil {
					out = append(out, uint32(g))
				}
			}
		}
	}
	return out
}

// Client talks to a node's socket. It implements the shell's Backend.
type Client struct {
	Socket  string
	Timeout time.Duration
}

// DefaultSocket is where an installed node listens.
const DefaultSocket = "/run/pacer/pacer.sock"

func (c Client) call(req clientRequest) (clientReply, error) {
	to := c.Timeout
	if to == 0 {
		to = 15 * time.Second
	}
	conn, err := net.DialTimeout("unix", c.Socket, to)
	if err != nil {
		var rep clientReply
		if errors.Is(err, os.ErrPermission) {
			return rep, fmt.Errorf("no permission to use the cluster daemon's socket %s: run as root or as a member of the %s group", c.Socket, ClientGroup)
		}
		if errors.Is(err, os.ErrNotExist) || isRefused(err) {
			return rep, fmt.Errorf("cannot reach the cluster daemon at %s (is it running? start it, or set CIB_file=PATH to work on a file): %w", c.Socket, err)
		}
		return rep, fmt.Errorf("connect %s: %w", c.Socket, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(to))
	b, _ := json.Marshal(req)
	if _, err := conn.Write(append(b, '\n')); err != nil {
		return clientReply{}, fmt.Errorf("send to %s: %w", c.Socket, err)
	}
	line, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		return clientReply{}, fmt.Errorf("no answer from %s: %w", c.Socket, err)
	}
	var rep clientReply
	if err := json.Unmarshal(line, &rep); err != nil {
		return rep, fmt.Errorf("bad answer from %s: %w", c.Socket, err)
	}
	if rep.Err != "" {
		if rest, ok := strings.CutPrefix(rep.Err, cib.ErrConflict.Error()); ok {
			return rep, fmt.Errorf("%w%s", cib.ErrConflict, rest)
		}
		return rep, errors.New(rep.Err)
	}
	return rep, nil
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// Load returns the node's current CIB.
func (c Client) Load() (*cib.CIB, error) {
	rep, err := c.call(clientRequest{Op: "query"})
	if err != nil {
		return nil, err
	}
	return cib.Parse([]byte(rep.XML))
}

// Commit replaces the cluster's configuration with next's, if the cluster
// still has base's configuration version.
func (c Client) Commit(base, next *cib.CIB) error {
	_, err := c.call(clientRequest{Op: "replace", Base: base.Version().String(), XML: string(next.Compact())})
	return err
}

// Cleanup asks the cluster's nodes (one, or all when node is "") to
// forget a resource's failures (all its history with all): the
// scheduler then probes it again.
func (c Client) Cleanup(rsc, node string, all bool) error {
	_, err := c.call(clientRequest{Op: "cleanup", Resource: rsc, Node: node, All: all})
	return err
}

// StatusAttr sets (or with del, deletes) a transient attribute of a node
// (crm_attribute --lifetime reboot): the node records it with its status.
func (c Client) StatusAttr(node, name, value string, del bool) error {
	_, err := c.call(clientRequest{Op: "status-attr", Node: node, Name: name, Value: value, Delete: del})
	return err
}

// Info returns the node's view of the cluster.
func (c Client) Info() (*Info, error) {
	rep, err := c.call(clientRequest{Op: "info"})
	if err != nil {
		return nil, err
	}
	return rep.Info, nil
}
