package agents

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestIPaddr2InNetworkNamespace runs Debian's ocf:heartbeat:IPaddr2 in a
// network namespace the test creates: start adds the address to the
// namespace's interface, monitor sees it, stop removes it.
func TestIPaddr2InNetworkNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/IPaddr2"); err != nil {
		t.Skip("Debian's resource-agents is not installed")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("iproute2 is not installed")
	}
	ns := fmt.Sprintf("pacer-test-%d", os.Getpid())
	ip := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("ip", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	ip("-n", ns, "link", "set", "lo", "up")
	// A veth pair whose inner end lives in the namespace.
	host := fmt.Sprintf("pcr%d", os.Getpid()%100000)
	ip("link", "add", host, "type", "veth", "peer", "name", "pacer0", "netns", ns)
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run() })
	ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", "pacer0")
	ip("-n", ns, "link", "set", "pacer0", "up")

	p := &Process{OCFRoots: []string{"/usr/lib/ocf"}, RunDir: t.TempDir()}
	op := Op{Resource: "vip", Agent: Agent{"ocf", "heartbeat", "IPaddr2"}, Timeout: 20 * time.Second,
		Params: map[string]string{"ip": "192.0.2.50", "cidr_netmask": "24", "nic": "pacer0"}}
	// The agent runs inside the namespace: from a thread that joined it
	// (a thread left locked ends with its goroutine, namespace and all).
	inNamespace := func(action string) Result {
		done := make(chan Result, 1)
		go func() {
			runtime.LockOSThread()
			f, err := os.Open("/var/run/netns/" + ns)
			if err != nil {
				done <- Result{RC: -1, ExitReason: err.Error()}
				return
			}
			defer f.Close()
			if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
				done <- Result{RC: -1, ExitReason: "setns: " + err.Error()}
				return
			}
			o := op
			o.Action = action
			done <- p.Exec(context.Background(), o)
		}()
		return <-done
	}
	for _, step := range []struct {
		action string
		rc     int
		has    bool // whether the namespace holds the address afterwards
	}{{"monitor", 7, false}, {"start", 0, true}, {"monitor", 0, true}, {"stop", 0, false}, {"monitor", 7, false}} {
		r := inNamespace(step.action)
		if r.RC != step.rc {
			t.Fatalf("%s: rc %d (%s) %s %s", step.action, r.RC, r.Status, r.ExitReason, r.Output)
		}
		if got := strings.Contains(ip("-n", ns, "addr", "show", "dev", "pacer0"), "192.0.2.50/24"); got != step.has {
			t.Fatalf("after %s the namespace has the address: %v, want %v", step.action, got, step.has)
		}
	}
	if strings.Contains(ip("addr"), "192.0.2.50") {
		t.Error("the address leaked out of the namespace")
	}
}
