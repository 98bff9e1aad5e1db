package haresources

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacer-ha/pacer/grammar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testAgents are the stand-in agents in testdata/agents: OCF IPaddr,
// IPaddr2, IPv6addr, Filesystem, MailTo, apache, Dummy, SendArp; heartbeat
// scripts drbddisk and Announce; LSB httpd, mysql, postfix.
func testAgents() Agents {
	return Agents{
		OCFRoots:      []string{"testdata/agents/ocf"},
		HeartbeatDirs: []string{"testdata/agents/resource.d"},
		InitDir:       "testdata/agents/init.d",
	}
}

// TestGoldens converts testdata/IN.haresources with each case's options
// and compares with testdata/NAME.crm (and NAME.warnings when the
// conversion warns); -update rewrites them. Every golden must parse as
// crm configure syntax.
func TestGoldens(t *testing.T) {
	noMonitor := DefaultOptions(testAgents())
	noMonitor.Monitor, noMonitor.Score = "", 50
	noOCF := DefaultOptions(testAgents())
	noOCF.NoOCF = true
	cases := []struct {
		name, in string
		opt      Options
	}{
		{"classic", "classic", DefaultOptions(testAgents())},
		{"full", "full", DefaultOptions(testAgents())},
		{"classic-no-monitor", "classic", noMonitor},
		{"classic-no-ocf", "classic", noOCF},
		{"full-no-ocf", "full", noOCF},
		{"empty", "empty", DefaultOptions(testAgents())},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", tc.in+".haresources"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Convert(tc.in+".haresources", strings.NewReader(string(in)), tc.opt)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			warnings := ""
			if len(res.Warnings) > 0 {
				warnings = strings.Join(res.Warnings, "\n") + "\n"
			}
			golden(t, tc.name+".crm", res.Config)
			golden(t, tc.name+".warnings", warnings)
			if _, err := grammar.Parse(res.Config); err != nil {
				t.Errorf("the output does not parse as crm syntax: %v\n%s", err, res.Config)
			}
		})
	}
}

// golden compares got with testdata/name; an empty want means no file.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if got == "" {
			os.Remove(path)
			return
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./haresources -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestErrors: each malformed line is one line of error, FILE:LINE first,
// and nothing is converted.
func TestErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"node1\n", "h:1: node node1 is given no resources: a line is NODE RESOURCE..."},
		{"# x\n\n10.0.0.1 httpd\n", `h:3: "10.0.0.1" is a resource, not a node: a line is NODE RESOURCE...`},
		{"IPaddr::10.0.0.1 httpd\n", `h:1: "IPaddr::10.0.0.1" is a resource, not a node: a line is NODE RESOURCE...`},
		{"node/1 httpd\n", `h:1: "node/1" is not a node name`},
		{"node1 10.0.0.300\n", `h:1: 10.0.0.300: "10.0.0.300" is not an IP address`},
		{"node1 10.0.0.1/33\n", `h:1: 10.0.0.1/33: "33" is not a netmask (0 to 32 bits, or dotted)`},
		{"node1 10.0.0.1/255.0.255.0\n", `h:1: 10.0.0.1/255.0.255.0: "255.0.255.0" is not a netmask (its ones are not contiguous)`},
		{"node1 10.0.0.1/24/eth0/10.0.0.255/x\n", "h:1: 10.0.0.1/24/eth0/10.0.0.255/x: an address is IP/MASK/NIC/BROADCAST, not 5 fields"},
		{"node1 10.0.0.1/24/eth0/bcast\n", `h:1: 10.0.0.1/24/eth0/bcast: "bcast" is not an IPv4 broadcast address`},
		{"node1 10.0.0.1/24/eth0:\n", `h:1: 10.0.0.1/24/eth0:: "eth0:" is not an interface`},
		{"node1 10.0.0.1::eth0\n", "h:1: 10.0.0.1::eth0: an address takes no '::' arguments (write IP/MASK/NIC/BROADCAST)"},
		{"node1 IPaddr\n", "h:1: IPaddr: give the address, as IPaddr::IP/MASK/NIC"},
		{"node1 IPaddr::2001:db8::1\n", "h:1: IPaddr::2001:db8::1: IPaddr takes one argument, IP/MASK/NIC/BROADCAST"},
		{"node1 IPaddr::2001:db8:0:0:0:0:0:1\n", "h:1: IPaddr::2001:db8:0:0:0:0:0:1: IPaddr takes IPv4 addresses (IPv6addr or IPaddr2 take IPv6)"},
		{"node1 IPv6addr::10.0.0.1\n", "h:1: IPv6addr::10.0.0.1: IPv6addr needs an IPv6 address, not 10.0.0.1"},
		{"node1 Filesystem::/dev/sda1\n", "h:1: Filesystem::/dev/sda1: Filesystem needs device, directory, fstype"},
		{"node1 Filesystem::a::b::c::d::e\n", "h:1: Filesystem::a::b::c::d::e: Filesystem takes at most 4 argument(s) (device, directory, fstype, options), not 5"},
		{"node1 ::r0\n", `h:1: "::r0": a resource begins with its script's name (NAME::ARG...)`},
		{"node1 ../bin/sh\n", `h:1: "../bin/sh": "../bin/sh" is not a resource script's name`},
		{"node1 web\"server\n", `h:1: "web\"server": "web\"server" is not a resource script's name`},
		{"node1 httpd \\\n", "h:1: the last line ends with a backslash: the line it continues on is missing"},
		{"node1 httpd \\\n  mysql \\\n\nnode2\n", "h:4: node node2 is given no resources: a line is NODE RESOURCE..."},
		{"node1 10.0.0.1 \\\n  10.0.0.2/99\nnode2\n", "h:1: 10.0.0.2/99: \"99\" is not a netmask (0 to 32 bits, or dotted)\nh:3: node node2 is given no resources: a line is NODE RESOURCE..."},
	}
	for _, tc := range cases {
		res, err := Convert("h", strings.NewReader(tc.in), DefaultOptions(testAgents()))
		if err == nil {
			t.Errorf("%q: no error, converted to\n%s", tc.in, res.Config)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.in, err, tc.want)
		}
	}
}

// TestContinuation: a backslash joins lines, a line's number is the one
// it starts on, and a backslash inside a comment does not continue it.
func TestContinuation(t *testing.T) {
	src := "# a comment \\\nnode1 10.0.0.1 \\\n\thttpd \\\n   mysql\nnode2 \\\n postfix # x \\\n"
	lines, err := Parse("h", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %+v", len(lines), lines)
	}
	if l := lines[0]; l.Num != 2 || l.Node != "node1" || len(l.Resources) != 3 || l.Resources[2].Name != "mysql" {
		t.Errorf("line 1: %+v", l)
	}
	if l := lines[1]; l.Num != 5 || l.Node != "node2" || len(l.Resources) != 1 || l.Resources[0].Name != "postfix" {
		t.Errorf("line 2: %+v", l)
	}
}

func TestMaskBits(t *testing.T) {
	for _, tc := range []struct {
		mask string
		bits int
	}{{"255.255.255.0", 24}, {"255.255.255.255", 32}, {"0.0.0.0", 0}, {"255.255.240.0", 20}, {"8", 8}, {"0", 0}} {
		got, err := maskBits(tc.mask, netipMust("10.0.0.1"))
		if err != nil || got != tc.bits {
			t.Errorf("%s: got %d, %v; want %d", tc.mask, got, err, tc.bits)
		}
	}
	if _, err := maskBits("64", netipMust("2001:db8::1")); err != nil {
		t.Errorf("IPv6 /64: %v", err)
	}
	if _, err := maskBits("+8", netipMust("10.0.0.1")); err == nil {
		t.Error("+8 accepted")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/dev/sda1":      "/dev/sda1",
		"noatime,rw":     "noatime,rw",
		"":               `""`,
		"a b":            `"a b"`,
		`say "hi" $HOME`: `"say \"hi\" \$HOME"`,
		"it's":           `"it's"`,
		"x#y":            `"x#y"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func netipMust(s string) netip.Addr { return netip.MustParseAddr(s) }
