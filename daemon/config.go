package daemon

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"hash/crc32"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is a node's cluster configuration, read from ha.cf.
type Config struct {
	Path      string
	Nodes     []string // the cluster's nodes, in the order ha.cf names them
	Ucast     []string // peer addresses (ip or ip:port) heartbeats go to
	BindAddr  string   // local address to listen on (Pacer's extension; default all)
	UDPPort   int      // default 694
	Keepalive time.Duration
	Deadtime  time.Duration
	Warntime  time.Duration
	Initdead  time.Duration
	Auth      *Auth
	Warnings  []string // unknown or obsolete directives, with their line
}

// Defaults of Heartbeat's ha.cf.
const (
	DefaultUDPPort   = 694
	DefaultKeepalive = 2 * time.Second
	DefaultDeadtime  = 30 * time.Second
)

// LoadConfig reads ha.cf and the authkeys file beside it.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ha.cf: %w", err)
	}
	defer f.Close()
	c := &Config{Path: path, UDPPort: DefaultUDPPort, Keepalive: DefaultKeepalive, Deadtime: DefaultDeadtime}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, line)
		key, args := strings.ToLower(fields[0]), fields[1:]
		need := func(n int) error {
			if len(args) < n {
				return fmt.Errorf("%s: %s needs %d argument(s)", where, key, n)
			}
			return nil
		}
		dur := func(dst *time.Duration) error {
			if err := need(1); err != nil {
				return err
			}
			d, err := parseHADuration(args[0])
			if err != nil {
				return fmt.Errorf("%s: %s: %w", where, key, err)
			}
			*dst = d
			return nil
		}
		switch key {
		case "node":
			if err := need(1); err != nil {
				return nil, err
			}
			c.Nodes = append(c.Nodes, args...)
		case "ucast":
			// Heartbeat: ucast DEVICE PEER-IP...
			if err := need(2); err != nil {
				return nil, err
			}
			for _, a := range args[1:] {
				if net.ParseIP(a) == nil {
					return nil, fmt.Errorf("%s: ucast: %q is not an IP address", where, a)
				}
				c.Ucast = append(c.Ucast, a)
			}
		case "bindaddr":
			if err := need(1); err != nil {
				return nil, err
			}
			if net.ParseIP(args[0]) == nil {
				return nil, fmt.Errorf("%s: bindaddr: %q is not an IP address", where, args[0])
			}
			c.BindAddr = args[0]
		case "udpport":
			if err := need(1); err != nil {
				return nil, err
			}
			p, err := strconv.Atoi(args[0])
			if err != nil || p < 1 || p > 65535 {
				return nil, fmt.Errorf("%s: udpport: %q is not a port number", where, args[0])
			}
			c.UDPPort = p
		case "keepalive":
			err = dur(&c.Keepalive)
		case "deadtime":
			err = dur(&c.Deadtime)
		case "warntime":
			err = dur(&c.Warntime)
		case "initdead":
			err = dur(&c.Initdead)
		case "crm", "pacemaker", "logfacility", "logfile", "debugfile", "use_logd", "autojoin",
			"auto_failback", "respawn", "apiauth", "ping", "ping_group", "bcast", "mcast", "debug":
			// Accepted; acted on by later layers (or not needed by Pacer).
		default:
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: unknown directive %q ignored", where, fields[0]))
		}
		if err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ha.cf %s: %w", path, err)
	}
	if len(c.Nodes) == 0 {
		return nil, fmt.Errorf("%s: no 'node' directive: name every cluster node", path)
	}
	if c.Deadtime <= c.Keepalive {
		return nil, fmt.Errorf("%s: deadtime (%v) must be longer than keepalive (%v)", path, c.Deadtime, c.Keepalive)
	}
	if c.Warntime == 0 {
		c.Warntime = c.Deadtime / 2
	}
	if c.Initdead == 0 {
		c.Initdead = 2 * c.Deadtime
	}
	auth, err := LoadAuthkeys(filepath.Join(filepath.Dir(path), "authkeys"))
	if err != nil {
		return nil, err
	}
	c.Auth = auth
	return c, nil
}

// parseHADuration reads ha.cf times: seconds ("30"), or with a unit
// ("500ms", "2s", "1m").
func parseHADuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%q must be positive", s)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a time (seconds, or with ms/s/m)", s)
	}
	return d, nil
}

// Auth signs and checks messages with the active key of authkeys.
type Auth struct {
	Index  int
	Method string // crc, md5, sha1, sha256
	key    []byte
}

// LoadAuthkeys reads Heartbeat's authkeys file: "auth N" selects key N,
// and "N METHOD [KEY]" lines define keys. Like Heartbeat, it refuses a
// file that group or others can read.
func LoadAuthkeys(path string) (*Auth, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("authkeys: %w (create it with 'auth 1' and '1 sha1 SECRET', mode 600)", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("authkeys %s: readable by group or others (mode %04o); run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authkeys: %w", err)
	}
	active := -1
	keys := map[int]*Auth{}
	for i, text := range strings.Split(string(data), "\n") {
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, i+1)
		if f[0] == "auth" {
			if len(f) != 2 {
				return nil, fmt.Errorf("%s: want 'auth N'", where)
			}
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("%s: auth: %q is not a key number", where, f[1])
			}
			active = n
			continue
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || len(f) < 2 {
			return nil, fmt.Errorf("%s: want 'N METHOD KEY'", where)
		}
		m := strings.ToLower(f[1])
		switch m {
		case "crc":
		case "md5", "sha1", "sha256":
			if len(f) < 3 {
				return nil, fmt.Errorf("%s: method %s needs a key", where, m)
			}
		default:
			return nil, fmt.Errorf("%s: unknown method %q (use sha256, sha1, md5 or crc)", where, f[1])
		}
		a := &Auth{Index: n, Method: m}
		if len(f) >= 3 {
			a.key = []byte(strings.Join(f[2:], " "))
		}
		keys[n] = a
	}
	if active < 0 {
		return nil, fmt.Errorf("authkeys %s: no 'auth N' line choosing a key", path)
	}
	a, ok := keys[active]
	if !ok {
		return nil, fmt.Errorf("authkeys %s: 'auth %d' names no key", path, active)
	}
	return a, nil
}

// Sum returns the message authentication code of data.
func (a *Auth) Sum(data []byte) []byte {
	var h hash.Hash
	switch a.Method {
	case "crc":
		v := crc32.ChecksumIEEE(data)
		return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	case "md5":
		h = hmac.New(md5.New, a.key)
	case "sha1":
		h = hmac.New(sha1.New, a.key)
	default:
		h = hmac.New(sha256.New, a.key)
	}
	h.Write(data)
	return h.Sum(nil)
}

// Verify checks a code in constant time.
func (a *Auth) Verify(data, sum []byte) bool { return hmac.Equal(a.Sum(data), sum) }

// SumLen is the length of the codes Sum returns.
func (a *Auth) SumLen() int { return len(a.Sum(nil)) }
