package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
