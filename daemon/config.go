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
	"os/exec"
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
	Media     []Medium // every ucast, bcast and mcast line: the links heartbeats travel
	BindAddr  string   // local address to listen on (Pacer's extension; default all)
	UDPPort   int      // default 694
	Keepalive time.Duration
	Deadtime  time.Duration
	Warntime  time.Duration
	Initdead  time.Duration
	Auth      *Auth
	// AutoFailback is on, off or legacy ("" when ha.cf does not say):
	// whether resources move back to a returning node.
	AutoFailback string
	Autojoin     string    // none (default), other or any
	Respawn      []Respawn // programs the daemon starts and keeps running
	// APIAuth: who may use the client socket besides root, by service
	// name (apiauth SERVICE uid=U1,U2 gid=G1).
	APIAuth map[string]APIAuth
	// Heartbeat's logging: a syslog facility ("none": no syslog), a log
	// file, and a debug log file.
	LogFacility, LogFile, DebugFile string
	Debug                           int
	Pings                           []string // ping and ping_group hosts (ping nodes)
	Warnings                        []string // unknown or obsolete directives, with their line
}

// Medium is one heartbeat link of ha.cf.
type Medium struct {
	Kind  string   // ucast, bcast or mcast
	Dev   string   // the interface the line names
	Peers []string // ucast: the addresses
	Group string   // mcast: the group address
	Port  int      // mcast: its port
	TTL   int      // mcast
	Loop  bool     // mcast: loop back to this host
}

// Respawn is a respawn line: a program run as a user, restarted when it
// exits.
type Respawn struct {
	User    string
	Command []string
	Where   string // file:line
}

// APIAuth lists the users and groups allowed to use a service.
type APIAuth struct {
	Users, Groups []string
}

// obsolete are directives of Heartbeat that Pacer accepts without acting
// on them; the warning says why, or what replaces them.
var obsolete = map[string]string{
	"serial":                  "serial links are not supported; use ucast, bcast or mcast",
	"baud":                    "serial links are not supported",
	"stonith":                 "configure fencing in the CIB: primitive NAME stonith:TYPE params ...",
	"stonith_host":            "configure fencing in the CIB: primitive NAME stonith:TYPE params ...",
	"watchdog":                "the watchdog device is not supported",
	"use_logd":                "Pacer logs by itself (logfile, logfacility)",
	"conn_logd_time":          "Pacer logs by itself (logfile, logfacility)",
	"hopfudge":                "not needed by Pacer",
	"deadping":                "ping nodes are watched by ocf:pacer:ping",
	"realtime":                "not needed by Pacer",
	"hbgenmethod":             "Pacer numbers its boots itself",
	"msgfmt":                  "Pacer has one message format",
	"coredumps":               "not needed by Pacer",
	"uuidfrom":                "nodes are known by name",
	"compression":             "Pacer compresses large messages by itself",
	"compression_threshold":   "Pacer compresses large messages by itself",
	"traditional_compression": "Pacer compresses large messages by itself",
	"max_rexmit_delay":        "Pacer retransmits by itself",
	"memreserve":              "not needed by Pacer",
	"record_config_changes":   "not needed by Pacer",
	"record_pengine_inputs":   "not needed by Pacer",
	"enable_config_writes":    "the CIB is always written",
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
			c.Media = append(c.Media, Medium{Kind: "ucast", Dev: args[0], Peers: args[1:]})
		case "bcast":
			// bcast DEVICE...: broadcast on each device's IPv4 network.
			if err := need(1); err != nil {
				return nil, err
			}
			for _, dev := range args {
				c.Media = append(c.Media, Medium{Kind: "bcast", Dev: dev})
			}
		case "mcast":
			// mcast DEVICE GROUP PORT TTL LOOP
			if len(args) != 5 {
				return nil, fmt.Errorf("%s: mcast needs DEVICE GROUP PORT TTL LOOP (e.g. mcast eth0 239.0.0.1 694 1 0)", where)
			}
			g := net.ParseIP(args[1])
			if g == nil || !g.IsMulticast() || g.To4() == nil {
				return nil, fmt.Errorf("%s: mcast: %q is not an IPv4 multicast group (224.0.0.0/4)", where, args[1])
			}
			port, perr := strconv.Atoi(args[2])
			ttl, terr := strconv.Atoi(args[3])
			if perr != nil || port < 1 || port > 65535 {
				return nil, fmt.Errorf("%s: mcast: %q is not a port number", where, args[2])
			}
			if terr != nil || ttl < 1 || ttl > 255 {
				return nil, fmt.Errorf("%s: mcast: TTL %q must be 1 to 255", where, args[3])
			}
			if args[4] != "0" && args[4] != "1" {
				return nil, fmt.Errorf("%s: mcast: LOOP %q must be 0 or 1", where, args[4])
			}
			c.Media = append(c.Media, Medium{Kind: "mcast", Dev: args[0], Group: args[1], Port: port, TTL: ttl, Loop: args[4] == "1"})
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
		case "crm", "pacemaker":
			// crm on|yes|respawn: Pacer always is the cluster manager.
			if len(args) > 0 && (args[0] == "off" || args[0] == "no") {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: crm %s: Pacer always manages resources through the CIB (haresources is not read; convert it with 'pacer haresources2cib')", where, args[0]))
			}
		case "auto_failback":
			if err := need(1); err != nil {
				return nil, err
			}
			switch v := strings.ToLower(args[0]); v {
			case "on", "off", "legacy":
				c.AutoFailback = v
			default:
				return nil, fmt.Errorf("%s: auto_failback: %q is not on, off or legacy", where, args[0])
			}
		case "autojoin":
			if err := need(1); err != nil {
				return nil, err
			}
			switch v := strings.ToLower(args[0]); v {
			case "none", "other", "any":
				c.Autojoin = v
			default:
				return nil, fmt.Errorf("%s: autojoin: %q is not none, other or any", where, args[0])
			}
		case "respawn":
			// respawn USER PROGRAM [ARGS...]
			if err := need(2); err != nil {
				return nil, err
			}
			c.Respawn = append(c.Respawn, Respawn{User: args[0], Command: args[1:], Where: where})
			if _, err := exec.LookPath(args[1]); err != nil {
				hint := ""
				switch filepath.Base(args[1]) {
				case "pingd", "ipfail":
					hint = "; for connectivity, run a clone of ocf:pacer:ping (it pings ha.cf's ping nodes and sets the pingd attribute)"
				}
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: respawn: %s is not installed and will not run%s", where, args[1], hint))
			}
		case "apiauth":
			// apiauth SERVICE [uid=USER,...] [gid=GROUP,...]
			if err := need(2); err != nil {
				return nil, err
			}
			a := c.APIAuth[args[0]]
			for _, kv := range args[1:] {
				k, v, ok := strings.Cut(kv, "=")
				switch {
				case ok && k == "uid":
					a.Users = append(a.Users, strings.Split(v, ",")...)
				case ok && k == "gid":
					a.Groups = append(a.Groups, strings.Split(v, ",")...)
				default:
					return nil, fmt.Errorf("%s: apiauth: %q is not uid=USERS or gid=GROUPS", where, kv)
				}
			}
			if c.APIAuth == nil {
				c.APIAuth = map[string]APIAuth{}
			}
			c.APIAuth[args[0]] = a
		case "logfacility":
			if err := need(1); err != nil {
				return nil, err
			}
			c.LogFacility = strings.ToLower(args[0])
			if _, ok := syslogFacilities[c.LogFacility]; !ok && c.LogFacility != "none" {
				return nil, fmt.Errorf("%s: logfacility: %q is not a syslog facility (daemon, local0..local7, ... or none)", where, args[0])
			}
		case "logfile":
			if err := need(1); err != nil {
				return nil, err
			}
			c.LogFile = args[0]
		case "debugfile":
			if err := need(1); err != nil {
				return nil, err
			}
			c.DebugFile = args[0]
		case "debug":
			if err := need(1); err != nil {
				return nil, err
			}
			c.Debug, err = strconv.Atoi(args[0])
			if err != nil || c.Debug < 0 {
				return nil, fmt.Errorf("%s: debug: %q is not a level (0 and up)", where, args[0])
			}
		case "ping":
			if err := need(1); err != nil {
				return nil, err
			}
			c.Pings = append(c.Pings, args...)
		case "ping_group":
			// ping_group NAME HOST...: the group counts as one ping node.
			if err := need(2); err != nil {
				return nil, err
			}
			c.Pings = append(c.Pings, args[1:]...)
		default:
			if why, ok := obsolete[key]; ok {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %s is obsolete and ignored: %s", where, fields[0], why))
				break
			}
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
	if len(c.Media) == 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: no ucast, bcast or mcast line: this node cannot hear the others", path))
	}
	auth, err := LoadAuthkeys(filepath.Join(filepath.Dir(path), "authkeys"))
	if err != nil {
		return nil, err
	}
	if auth.Method == "crc" {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s: key %d uses crc, which offers no security: anyone on the network can forge cluster messages; use sha256",
			filepath.Join(filepath.Dir(path), "authkeys"), auth.Index))
	}
	c.Auth = auth
	return c, nil
}

// syslogFacilities are the facility names logfacility accepts.
var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
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
