package daemon

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

func writeConf(t *testing.T, hacf, authkeys string, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ha.cf"), []byte(hacf), 0o644); err != nil {
		t.Fatal(err)
	}
	if authkeys != "" {
		if err := os.WriteFile(filepath.Join(dir, "authkeys"), []byte(authkeys), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, "authkeys"), mode)
	}
	return filepath.Join(dir, "ha.cf")
}

const goodKeys = "auth 2\n1 md5 old\n2 sha1 secret\n"

func TestLoadConfig(t *testing.T) {
	path := writeConf(t, `# comment
node alpha beta
node gamma
udpport 20694
ucast eth0 10.0.0.2 10.0.0.3
keepalive 500ms
deadtime 5
initdead 10
crm respawn
frobnicate yes
`, goodKeys, 0o600)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Nodes, ",") != "alpha,beta,gamma" || c.UDPPort != 20694 {
		t.Errorf("nodes %v port %d", c.Nodes, c.UDPPort)
	}
	if c.Keepalive != 500*time.Millisecond || c.Deadtime != 5*time.Second || c.Initdead != 10*time.Second || c.Warntime != 2500*time.Millisecond {
		t.Errorf("times: %v %v %v %v", c.Keepalive, c.Deadtime, c.Initdead, c.Warntime)
	}
	if strings.Join(c.Ucast, ",") != "10.0.0.2,10.0.0.3" {
		t.Errorf("ucast %v", c.Ucast)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], ":10: unknown directive \"frobnicate\"") {
		t.Errorf("warnings %q", c.Warnings)
	}
	if c.Auth.Method != "sha1" || c.Auth.Index != 2 {
		t.Errorf("auth %+v", c.Auth)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, hacf, keys string
		mode             os.FileMode
		want             string
	}{
		{"no nodes", "udpport 694\n", goodKeys, 0o600, "no 'node' directive"},
		{"bad port", "node a\nudpport 70000\n", goodKeys, 0o600, ":2: udpport: \"70000\" is not a port"},
		{"bad time", "node a\nkeepalive soon\n", goodKeys, 0o600, ":2: keepalive:"},
		{"deadtime short", "node a\nkeepalive 2\ndeadtime 1\n", goodKeys, 0o600, "deadtime (1s) must be longer"},
		{"bad ucast", "node a\nucast eth0 nowhere\n", goodKeys, 0o600, "not an IP address"},
		{"missing authkeys", "node a\n", "", 0, "authkeys:"},
		{"readable authkeys", "node a\n", goodKeys, 0o644, "chmod 600"},
		{"no auth line", "node a\n", "1 sha1 x\n", 0o600, "no 'auth N' line"},
		{"auth names nothing", "node a\n", "auth 3\n1 sha1 x\n", 0o600, "'auth 3' names no key"},
		{"unknown method", "node a\n", "auth 1\n1 rot13 x\n", 0o600, "unknown method \"rot13\""},
		{"no key", "node a\n", "auth 1\n1 sha256\n", 0o600, "needs a key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConf(t, tc.hacf, tc.keys, tc.mode))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAuthMethods(t *testing.T) {
	data := []byte("heartbeat")
	for _, m := range []string{"crc", "md5", "sha1", "sha256"} {
		a := &Auth{Index: 1, Method: m, key: []byte("k")}
		b := &Auth{Index: 1, Method: m, key: []byte("other")}
		sum := a.Sum(data)
		if !a.Verify(data, sum) {
			t.Errorf("%s: own code refused", m)
		}
		if m != "crc" && b.Verify(data, sum) {
			t.Errorf("%s: another key's code accepted", m)
		}
		if a.Verify([]byte("heartbeaT"), sum) {
			t.Errorf("%s: changed data accepted", m)
		}
		if len(sum) != a.SumLen() {
			t.Errorf("%s: SumLen %d, code %d bytes", m, a.SumLen(), len(sum))
		}
	}
}

// TestHaCfDirectives: every directive of Heartbeat's ha.cf that matters
// is read; obsolete ones and crc keys are warned about, naming the line.
func TestHaCfDirectives(t *testing.T) {
	path := writeConf(t, `node a b
ucast eth0 10.0.0.2
bcast eth1 eth2
mcast eth3 239.0.0.1 694 1 0
auto_failback off
autojoin none
respawn hacluster /usr/lib/heartbeat/ipfail
respawn root /bin/true
apiauth cib uid=hacluster,alice gid=haclient
apiauth ipfail uid=hacluster
logfacility local0
logfile /var/log/ha-log
debugfile /var/log/ha-debug
debug 1
ping 10.0.0.254
ping_group uplinks 10.0.1.1 10.0.2.1
serial /dev/ttyS0
stonith_host * baytech 10.0.0.3 mylogin mysecretpassword
pacemaker on
`, "auth 1\n1 crc\n", 0o600)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	var media []string
	for _, m := range c.Media {
		media = append(media, m.Kind+":"+m.Dev+":"+m.Group)
	}
	if strings.Join(media, " ") != "ucast:eth0: bcast:eth1: bcast:eth2: mcast:eth3:239.0.0.1" {
		t.Errorf("media %v", media)
	}
	if c.Media[3].Port != 694 || c.Media[3].TTL != 1 || c.Media[3].Loop {
		t.Errorf("mcast %+v", c.Media[3])
	}
	if c.AutoFailback != "off" || c.Autojoin != "none" || len(c.Respawn) != 2 || c.Respawn[1].Command[0] != "/bin/true" {
		t.Errorf("auto_failback %q autojoin %q respawn %+v", c.AutoFailback, c.Autojoin, c.Respawn)
	}
	if a := c.APIAuth["cib"]; strings.Join(a.Users, ",") != "hacluster,alice" || strings.Join(a.Groups, ",") != "haclient" {
		t.Errorf("apiauth %+v", c.APIAuth)
	}
	if c.LogFacility != "local0" || c.LogFile != "/var/log/ha-log" || c.DebugFile != "/var/log/ha-debug" || c.Debug != 1 {
		t.Errorf("logging %q %q %q %d", c.LogFacility, c.LogFile, c.DebugFile, c.Debug)
	}
	if strings.Join(c.Pings, " ") != "10.0.0.254 10.0.1.1 10.0.2.1" {
		t.Errorf("pings %v", c.Pings)
	}
	want := []string{
		":7: respawn: /usr/lib/heartbeat/ipfail is not installed and will not run; for connectivity, run a clone of ocf:pacer:ping",
		":17: serial is obsolete and ignored: serial links are not supported",
		":18: stonith_host is obsolete and ignored: configure fencing in the CIB",
		"authkeys: key 1 uses crc, which offers no security",
	}
	if len(c.Warnings) != len(want) {
		t.Fatalf("warnings:\n%s", strings.Join(c.Warnings, "\n"))
	}
	for i, w := range want {
		if !strings.Contains(c.Warnings[i], w) {
			t.Errorf("warning %d: %q, want it to contain %q", i, c.Warnings[i], w)
		}
	}
	for _, bad := range []struct{ line, want string }{
		{"mcast eth0 10.0.0.1 694 1 0", "not an IPv4 multicast group"},
		{"mcast eth0 239.0.0.1 694", "mcast needs DEVICE GROUP PORT TTL LOOP"},
		{"auto_failback maybe", "not on, off or legacy"},
		{"logfacility nowhere", "not a syslog facility"},
		{"apiauth cib user=x", "is not uid=USERS or gid=GROUPS"},
	} {
		_, err := LoadConfig(writeConf(t, "node a\n"+bad.line+"\n", goodKeys, 0o600))
		if err == nil || !strings.Contains(err.Error(), ":2: ") || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want line 2 and %q", bad.line, err, bad.want)
		}
	}
}

// TestAutoFailbackStickiness: ha.cf's auto_failback is the scheduler's
// default resource-stickiness, unless the CIB sets one.
func TestAutoFailbackStickiness(t *testing.T) {
	for _, tc := range []struct {
		failback, cibValue, want string
	}{
		{"", "", ""}, {"on", "", "0"}, {"legacy", "", "0"}, {"off", "", "INFINITY"}, {"off", "50", "50"},
	} {
		c := cib.New()
		if tc.cibValue != "" {
			set := c.Section("rsc_defaults", true).CreateElement("meta_attributes")
			set.CreateAttr("id", "rsc-options")
			nv := set.CreateElement("nvpair")
			nv.CreateAttr("id", "rsc-options-resource-stickiness")
			nv.CreateAttr("name", "resource-stickiness")
			nv.CreateAttr("value", tc.cibValue)
		}
		ctl := &controller{n: &Node{cfg: &Config{AutoFailback: tc.failback}, cib: c}}
		got := ""
		for _, nv := range ctl.schedulingCIB().Section("rsc_defaults", true).FindElements("meta_attributes/nvpair[@name='resource-stickiness']") {
			got = nv.SelectAttrValue("value", "")
		}
		if got != tc.want {
			t.Errorf("auto_failback %q, CIB %q: stickiness %q, want %q", tc.failback, tc.cibValue, got, tc.want)
		}
		if len(c.Section("rsc_defaults", true).FindElements("meta_attributes[@id='ha-cf-auto-failback']")) > 0 {
			t.Error("the live CIB was changed")
		}
	}
}

// TestRespawn: a respawn line's program runs as its user and is started
// again when it exits; it stops with the daemon.
func TestRespawn(t *testing.T) {
	u, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	out := filepath.Join(t.TempDir(), "starts")
	mc := newMemNet(t)
	cfg := memConfig("n1")
	cfg.Respawn = []Respawn{{User: u.Username, Command: []string{"sh", "-c", "echo $$ >> " + out + "; exec sleep 0.3"}, Where: "ha.cf:9"}}
	mc.startWith("n1", cfg, []string{"n1"}, mc.agents)
	mc.eventually(10*time.Second, "the program started again after it exited", func() (bool, string) {
		b, _ := os.ReadFile(out)
		return strings.Count(string(b), "\n") >= 2, string(b)
	})
	mc.kill("n1")
	b, _ := os.ReadFile(out)
	time.Sleep(1500 * time.Millisecond)
	if after, _ := os.ReadFile(out); len(after) != len(b) {
		t.Errorf("the program was started again after the daemon stopped: %q", after)
	}
}
