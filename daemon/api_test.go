package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClientSocketAuthorization: only root, the daemon's user and the
// haclient group (or apiauth's users) may use a node's socket; a refused
// client is told why.
func TestClientSocketAuthorization(t *testing.T) {
	if sock := os.Getenv("PACER_TEST_DIAL"); sock != "" {
		// The client, run as another user by the test below.
		_, err := Client{Socket: sock, Timeout: 5 * time.Second}.Info()
		fmt.Printf("result: %v\n", err)
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody")
	}
	grp, err := user.LookupGroup(ClientGroup)
	if err != nil {
		t.Skip("no haclient group (Debian's pacemaker packages create it)")
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	hagid, _ := strconv.Atoi(grp.Gid)
	mc := newMemCluster(t, "n1")
	os.Chmod(mc.dir, 0o755)
	os.Chmod(filepath.Dir(mc.dir), 0o755) // t.TempDir makes both private
	mc.eventually(10*time.Second, "n1 answers", func() (bool, string) {
		_, err := mc.client("n1").Info()
		return err == nil, fmt.Sprint(err)
	})
	st, err := os.Stat(mc.socket("n1"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o660 || st.Sys().(*syscall.Stat_t).Gid != uint32(hagid) {
		t.Errorf("socket mode %v group %d, want 0660 and haclient", st.Mode().Perm(), st.Sys().(*syscall.Stat_t).Gid)
	}
	// The client is this test binary, where another user may run it.
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	exe := mc.dir + "/client.test"
	if err := os.WriteFile(exe, self, 0o755); err != nil {
		t.Fatal(err)
	}
	dial := func(groups []uint32) string {
		cmd := exec.Command(exe, "-test.run", "^TestClientSocketAuthorization$")
		cmd.Env = append(os.Environ(), "PACER_TEST_DIAL="+mc.socket("n1"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: groups}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("client: %v: %s", err, out)
		}
		return string(out)
	}
	if out := dial(nil); !strings.Contains(out, "no permission to use the cluster daemon's socket") {
		t.Errorf("a stranger, through the socket's mode: %s", out)
	}
	// Past the mode, the daemon checks the credentials itself.
	os.Chmod(mc.socket("n1"), 0o666)
	if out := dial(nil); !strings.Contains(out, "permission denied: user nobody is neither root nor in the haclient group") {
		t.Errorf("a stranger, by the daemon: %s", out)
	}
	if out := dial([]uint32{uint32(hagid)}); !strings.Contains(out, "result: <nil>") {
		t.Errorf("a member of haclient: %s", out)
	}
}
