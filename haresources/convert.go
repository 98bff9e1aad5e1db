package haresources

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Agents says where the agents a haresources file names are looked for.
type Agents struct {
	OCFRoots      []string // OCF roots: ROOT/resource.d/heartbeat/NAME
	HeartbeatDirs []string // heartbeat-class scripts (/etc/ha.d/resource.d, ...)
	InitDir       string   // LSB init scripts (/etc/init.d)
}

// Options of a conversion.
type Options struct {
	Agents Agents
	// Score of each line's location preference for its node
	// (haresources2cib.py wrote 100).
	Score int
	// Monitor is the interval of the monitor op given to each resource,
	// "" for none.
	Monitor string
	// MonitorTimeout is the monitor op's timeout ("" leaves it out).
	MonitorTimeout string
	// NoOCF makes every resource a heartbeat-class script with its
	// arguments as parameters 1, 2, ... (haresources2cib.py --no-ocf).
	NoOCF bool
}

// DefaultOptions are haresources2cib.py's: score 100, a monitor every
// 120 s with a 60 s timeout.
func DefaultOptions(a Agents) Options {
	return Options{Agents: a, Score: 100, Monitor: "120s", MonitorTimeout: "60s"}
}

// Result is a converted file.
type Result struct {
	Config   string   // crm configure syntax
	Warnings []string // FILE:LINE: message, one per line
}

// ocfArgs names, in order, the OCF parameters of the positional arguments
// (NAME::ARG1::ARG2) of the Heartbeat scripts whose OCF agent in
// resource-agents has the same name; min is how many are required.
// IPaddr, IPaddr2 and IPv6addr take an address spec instead (addrAgents).
var ocfArgs = map[string]struct {
	names []string
	min   int
}{
	"Filesystem":   {[]string{"device", "directory", "fstype", "options"}, 3},
	"MailTo":       {[]string{"email", "subject"}, 1},
	"IPsrcaddr":    {[]string{"ipaddress"}, 1},
	"LVM":          {[]string{"volgrpname"}, 1},
	"Raid1":        {[]string{"raidconf", "raiddev"}, 2},
	"apache":       {[]string{"configfile"}, 0},
	"db2":          {[]string{"instance"}, 1},
	"Xinetd":       {[]string{"service"}, 1},
	"SendArp":      {[]string{"ip", "nic"}, 1},
	"WinPopup":     {[]string{"hostfile"}, 0},
	"Delay":        {[]string{"startdelay", "stopdelay"}, 0},
	"ICP":          {[]string{"driveid", "device"}, 2},
	"LinuxSCSI":    {[]string{"scsi"}, 1},
	"ServeRAID":    {[]string{"serveraid", "mergegroup"}, 2},
	"portblock":    {[]string{"protocol", "portno", "action"}, 3},
	"AudibleAlarm": {[]string{"nodelist"}, 0}, // every argument, one list
}

// addrAgents take IP[/MASK[/NIC[/BROADCAST]]] (IPv6addr: ADDR[/PREFIX[/NIC]]).
var addrAgents = map[string]bool{"IPaddr": true, "IPaddr2": true, "IPv6addr": true}

type param struct{ name, value string }

type primitive struct {
	id     string
	agent  string // class:provider:type or class:type
	params []param
}

// Convert reads a haresources file and returns its CIB configuration in
// crm syntax. Every malformed line is an *Error (joined); nothing is
// returned then.
func Convert(file string, r io.Reader, opt Options) (*Result, error) {
	lines, err := Parse(file, r)
	var errs []error
	if err != nil {
		// Malformed lines are reported with those that do not convert.
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			return nil, err
		}
		for _, e := range joined.Unwrap() {
			if _, ok := e.(*Error); !ok {
				return nil, err
			}
			errs = append(errs, e)
		}
	}
	c := converter{opt: opt, used: map[string]bool{}, seen: map[string]int{}}
	var b strings.Builder
	fmt.Fprintf(&b, "# Converted from %s by haresources2cib: each line is a group that\n", file)
	fmt.Fprintf(&b, "# starts its resources in order on one node (Heartbeat's order and\n")
	fmt.Fprintf(&b, "# colocation), with a preference for the line's node.\n")
	fmt.Fprintf(&b, "# Load it with: crm configure load update FILE\n")
	for _, l := range lines {
		block, err := c.line(l)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b.WriteString("\n")
		b.WriteString(block)
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b error) int { return a.(*Error).Line - b.(*Error).Line })
		return nil, errors.Join(errs...)
	}
	return &Result{Config: b.String(), Warnings: c.warnings}, nil
}

type converter struct {
	opt      Options
	used     map[string]bool // ids given out
	seen     map[string]int  // resource word -> line it first appeared on
	groups   int
	warnings []string
}

func (c *converter) warn(l Line, format string, a ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf("%s:%d: %s", l.File, l.Num, fmt.Sprintf(format, a...)))
}

// line converts one haresources line to its primitives, a group when
// there are several (group_1, group_2, ... in the file's order), and the
// location.
func (c *converter) line(l Line) (string, error) {
	var b strings.Builder
	words := []string{l.Node}
	for _, r := range l.Resources {
		words = append(words, r.Word)
	}
	// crmsh keeps comments in the CIB as XML comments, which may not
	// hold "--" nor end with '-'.
	comment := fmt.Sprintf("%s:%d: %s", l.File, l.Num, strings.Join(words, " "))
	if strings.Contains(comment, "--") || strings.HasSuffix(comment, "-") {
		comment = fmt.Sprintf("%s line %d", strings.ReplaceAll(l.File, "-", "_"), l.Num)
	}
	fmt.Fprintf(&b, "# %s\n", comment)
	var ids []string
	for _, r := range l.Resources {
		p, err := c.resolve(l, r)
		if err != nil {
			return "", &Error{l.File, l.Num, err.Error()}
		}
		if first, ok := c.seen[r.Word]; ok {
			c.warn(l, "%s is also on line %d: the cluster would run it twice", r.Word, first)
		} else {
			c.seen[r.Word] = l.Num
		}
		p.id = c.unique(p.id)
		ids = append(ids, p.id)
		c.primitive(&b, p)
	}
	target := ids[0]
	if len(ids) > 1 {
		c.groups++
		target = c.unique(fmt.Sprintf("group_%d", c.groups))
		fmt.Fprintf(&b, "group %s %s\n", target, strings.Join(ids, " "))
	}
	fmt.Fprintf(&b, "location %s %s %d: %s\n", c.unique("rsc_location_"+target), target, c.opt.Score, l.Node)
	return b.String(), nil
}

func (c *converter) primitive(b *strings.Builder, p primitive) {
	fmt.Fprintf(b, "primitive %s %s", p.id, p.agent)
	if len(p.params) > 0 {
		b.WriteString(" \\\n\tparams")
		for _, kv := range p.params {
			fmt.Fprintf(b, " %s=%s", kv.name, quote(kv.value))
		}
	}
	if c.opt.Monitor != "" {
		fmt.Fprintf(b, " \\\n\top monitor interval=%s", quote(c.opt.Monitor))
		if c.opt.MonitorTimeout != "" {
			fmt.Fprintf(b, " timeout=%s", quote(c.opt.MonitorTimeout))
		}
	}
	b.WriteString("\n")
}

// unique returns id, or id_2, id_3, ... if it was given out already.
func (c *converter) unique(id string) string {
	out := id
	for i := 2; c.used[out]; i++ {
		out = fmt.Sprintf("%s_%d", id, i)
	}
	c.used[out] = true
	return out
}

// resolve decides the class, agent and parameters of a resource, in
// Heartbeat's order and haresources2cib.py's mapping:
//
//  1. an address (a word that begins with a digit) is ocf:heartbeat:IPaddr2;
//     IPaddr, IPaddr2 and IPv6addr become those OCF agents with ip,
//     cidr_netmask, nic (and iflabel), broadcast;
//  2. a script whose resource-agents OCF agent has the same name and whose
//     arguments haresources2cib.py knew (Filesystem, MailTo, ...; see
//     ocfArgs) becomes that OCF agent, its arguments named;
//  3. a script in a heartbeat resource.d directory is heartbeat class,
//     its arguments as parameters 1, 2, ...;
//  4. an OCF heartbeat agent of that name, without arguments, is OCF;
//  5. an /etc/init.d script without arguments is lsb:NAME;
//  6. anything else is heartbeat class (with a warning: not found).
//
// With NoOCF, everything but an address is heartbeat class.
func (c *converter) resolve(l Line, r Resource) (primitive, error) {
	a := c.opt.Agents
	if looksLikeAddress(r.Name) {
		if len(r.Args) > 0 {
			return primitive{}, fmt.Errorf("%s: an address takes no '::' arguments (write IP/MASK/NIC/BROADCAST)", r.Word)
		}
		if c.opt.NoOCF {
			ip, _, _ := strings.Cut(r.Name, "/")
			return heartbeat("IPaddr", id("IPaddr", []string{ip}), []string{r.Name}), nil
		}
		return c.addr(l, "IPaddr2", r.Name, r.Word)
	}
	if c.opt.NoOCF {
		c.found(l, r, a.hasHeartbeat(r.Name))
		return heartbeat(r.Name, id(r.Name, r.Args), r.Args), nil
	}
	if addrAgents[r.Name] {
		if len(r.Args) == 0 {
			return primitive{}, fmt.Errorf("%s: give the address, as %s::IP/MASK/NIC", r.Word, r.Name)
		}
		spec := r.Args[0]
		if r.Name == "IPv6addr" {
			// An IPv6 address holds "::" itself.
			spec = strings.Join(r.Args, "::")
		} else if len(r.Args) > 1 {
			return primitive{}, fmt.Errorf("%s: %s takes one argument, IP/MASK/NIC/BROADCAST", r.Word, r.Name)
		}
		return c.addr(l, r.Name, spec, r.Word)
	}
	if m, ok := ocfArgs[r.Name]; ok {
		args := r.Args
		if r.Name == "SendArp" && len(args) == 1 && strings.Contains(args[0], "/") {
			args = strings.SplitN(args[0], "/", 2) // SendArp::IP/NIC
		}
		if r.Name == "AudibleAlarm" && len(args) > 0 {
			args = []string{strings.Join(args, " ")}
		}
		if len(args) > len(m.names) {
			return primitive{}, fmt.Errorf("%s: %s takes at most %d argument(s) (%s), not %d", r.Word, r.Name, len(m.names), strings.Join(m.names, ", "), len(args))
		}
		if nonEmpty(args) < m.min {
			return primitive{}, fmt.Errorf("%s: %s needs %s", r.Word, r.Name, strings.Join(m.names[:m.min], ", "))
		}
		p := primitive{id: id(r.Name, args), agent: "ocf:heartbeat:" + r.Name}
		for i, v := range args {
			if v != "" {
				p.params = append(p.params, param{m.names[i], v})
			}
		}
		if !a.hasOCF(r.Name) {
			c.warn(l, "%s: ocf:heartbeat:%s is not installed here (it comes with resource-agents)", r.Word, r.Name)
		}
		return p, nil
	}
	if r.Name == "drbddisk" {
		c.warn(l, "%s: DRBD's Heartbeat script runs as heartbeat:drbddisk; in a Pacemaker-era cluster ocf:linbit:drbd runs as a promotable clone under the group (see examples/drbd-db)", r.Word)
	}
	switch {
	case a.hasHeartbeat(r.Name):
	case a.hasOCF(r.Name) && len(r.Args) == 0:
		return primitive{id: id(r.Name, nil), agent: "ocf:heartbeat:" + r.Name}, nil
	case a.hasOCF(r.Name):
		c.warn(l, "%s: ocf:heartbeat:%s takes named parameters, which its arguments cannot be matched to; made heartbeat:%s, which needs the script in %s", r.Word, r.Name, r.Name, strings.Join(a.HeartbeatDirs, " or "))
	case a.hasLSB(r.Name) && len(r.Args) == 0:
		return primitive{id: id(r.Name, nil), agent: "lsb:" + r.Name}, nil
	case a.hasLSB(r.Name):
		c.warn(l, "%s: an LSB script takes no arguments; made heartbeat:%s, which needs the script in %s", r.Word, r.Name, strings.Join(a.HeartbeatDirs, " or "))
	default:
		c.found(l, r, false)
	}
	return heartbeat(r.Name, id(r.Name, r.Args), r.Args), nil
}

func (c *converter) found(l Line, r Resource, ok bool) {
	if !ok {
		c.warn(l, "%s: no script %s in %s: made heartbeat:%s", r.Word, r.Name, strings.Join(c.opt.Agents.searched(), ", "), r.Name)
	}
}

// heartbeat is a heartbeat-class script with its arguments as the
// parameters 1, 2, ...
func heartbeat(name, rid string, args []string) primitive {
	p := primitive{id: rid, agent: "heartbeat:" + name}
	for i, v := range args {
		p.params = append(p.params, param{strconv.Itoa(i + 1), v})
	}
	return p
}

// addr converts IP[/MASK[/NIC[/BROADCAST]]] for IPaddr or IPaddr2, or
// ADDR[/PREFIX[/NIC]] for IPv6addr.
func (c *converter) addr(l Line, agent, spec, word string) (primitive, error) {
	parts := strings.Split(spec, "/")
	max := 4
	if agent == "IPv6addr" {
		max = 3
	}
	if len(parts) > max {
		return primitive{}, fmt.Errorf("%s: an address is IP/MASK/NIC/BROADCAST, not %d fields", word, len(parts))
	}
	ip, err := netip.ParseAddr(parts[0])
	if err != nil || ip.Zone() != "" {
		return primitive{}, fmt.Errorf("%s: %q is not an IP address", word, parts[0])
	}
	if agent == "IPv6addr" && !ip.Is6() {
		return primitive{}, fmt.Errorf("%s: IPv6addr needs an IPv6 address, not %s", word, ip)
	}
	if agent == "IPaddr" && !ip.Is4() {
		return primitive{}, fmt.Errorf("%s: IPaddr takes IPv4 addresses (IPv6addr or IPaddr2 take IPv6)", word)
	}
	ipName := "ip"
	if agent == "IPv6addr" {
		ipName = "ipv6addr"
	}
	p := primitive{id: id(agent, []string{ip.String()}), agent: "ocf:heartbeat:" + agent,
		params: []param{{ipName, ip.String()}}}
	if len(parts) > 1 && parts[1] != "" {
		bits, err := maskBits(parts[1], ip)
		if err != nil {
			return primitive{}, fmt.Errorf("%s: %v", word, err)
		}
		p.params = append(p.params, param{"cidr_netmask", strconv.Itoa(bits)})
	}
	if len(parts) > 2 && parts[2] != "" {
		nic, label, hasLabel := strings.Cut(parts[2], ":")
		if nic == "" || (hasLabel && (label == "" || agent == "IPv6addr")) {
			return primitive{}, fmt.Errorf("%s: %q is not an interface", word, parts[2])
		}
		p.params = append(p.params, param{"nic", nic})
		if hasLabel {
			// eth0:1, an alias interface: IPaddr2 and IPaddr call it iflabel.
			p.params = append(p.params, param{"iflabel", label})
		}
	}
	if len(parts) > 3 && parts[3] != "" {
		brd, err := netip.ParseAddr(parts[3])
		if err != nil || !brd.Is4() || !ip.Is4() {
			return primitive{}, fmt.Errorf("%s: %q is not an IPv4 broadcast address", word, parts[3])
		}
		p.params = append(p.params, param{"broadcast", brd.String()})
	}
	if !c.opt.Agents.hasOCF(agent) {
		c.warn(l, "%s: ocf:heartbeat:%s is not installed here (it comes with resource-agents)", word, agent)
	}
	return p, nil
}

// maskBits reads a netmask as a prefix length (24) or, for IPv4, dotted
// (255.255.255.0).
func maskBits(s string, ip netip.Addr) (int, error) {
	if strings.Contains(s, ".") {
		m, err := netip.ParseAddr(s)
		if err != nil || !m.Is4() || !ip.Is4() {
			return 0, fmt.Errorf("%q is not a netmask", s)
		}
		b := m.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		bits := 0
		for v&0x80000000 != 0 {
			bits++
			v <<= 1
		}
		if v != 0 {
			return 0, fmt.Errorf("%q is not a netmask (its ones are not contiguous)", s)
		}
		return bits, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > ip.BitLen() || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not a netmask (0 to %d bits, or dotted)", s, ip.BitLen())
	}
	return n, nil
}

func nonEmpty(args []string) int {
	n := 0
	for _, a := range args {
		if a != "" {
			n++
		}
	}
	return n
}

// id names a resource after its script and first argument, as
// haresources2cib.py did (IPaddr_10_0_0_1, Filesystem_dev_sda1,
// drbddisk_r0, httpd), in the characters an XML id allows.
func id(name string, args []string) string {
	s := sanitize(name)
	for _, a := range args {
		if a != "" {
			if t := strings.TrimLeft(sanitize(a), "-"); t != "" {
				s += "_" + t
			}
			break
		}
	}
	if s == "" || s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
		s = "rsc_" + s
	}
	return s
}

func sanitize(s string) string {
	var b strings.Builder
	sep := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(c)
			sep = false
		} else {
			sep = true
		}
	}
	return b.String()
}

// quote writes a value as the crm shell reads it: bare when it is plain,
// else in double quotes with \ " $ ` escaped.
func quote(s string) string {
	plain := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.,:/@%+", c)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return `"` + r.Replace(s) + `"`
}

func (a Agents) hasOCF(name string) bool {
	for _, r := range a.OCFRoots {
		if isFile(filepath.Join(r, "resource.d", "heartbeat", name)) {
			return true
		}
	}
	return false
}

func (a Agents) hasHeartbeat(name string) bool {
	for _, d := range a.HeartbeatDirs {
		if isFile(filepath.Join(d, name)) {
			return true
		}
	}
	return false
}

func (a Agents) hasLSB(name string) bool {
	return a.InitDir != "" && isFile(filepath.Join(a.InitDir, name))
}

func (a Agents) searched() []string {
	out := append([]string{}, a.HeartbeatDirs...)
	if a.InitDir != "" {
		out = append(out, a.InitDir)
	}
	return out
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
