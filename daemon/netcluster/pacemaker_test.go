package netcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The comparison run of the failover benchmark: the same hosts, VIP and
// service, run by Debian's Corosync 3 + Pacemaker 2.1.5 instead of Pacer.
// Each host's daemons get their own /etc/corosync, /var/lib/pacemaker,
// /var/lib/corosync, /run and /etc/init.d through bind mounts in a mount
// namespace of their own; their IPC (abstract sockets) is per network
// namespace already.

// pacemakerInstalled reports whether Corosync and Pacemaker are here.
func pacemakerInstalled() bool {
	for _, p := range []string{"/usr/sbin/corosync", "/usr/sbin/pacemakerd"} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// startPacemaker writes a host's corosync.conf (token in ms) and starts
// corosync and pacemakerd in its namespaces.
func (c *Cluster) startPacemaker(node string, token int, initDir string) error {
	d := filepath.Join(c.Dir, node, "pcmk")
	for _, sub := range []string{"etc", "lib-pcmk/cib", "lib-pcmk/pengine", "lib-pcmk/blackbox", "lib-pcmk/cores", "lib-coro", "log"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o750); err != nil {
			return err
		}
	}
	var nodes strings.Builder
	for i, n := range c.Nodes {
		fmt.Fprintf(&nodes, "  node {\n    ring0_addr: %s\n    name: %s\n    nodeid: %d\n  }\n", c.Addr(n), n, i+1)
	}
	conf := fmt.Sprintf(`totem {
  version: 2
  cluster_name: pacerbench
  transport: knet
  token: %d
  crypto_cipher: none
  crypto_hash: none
}
nodelist {
%s}
quorum {
  provider: corosync_votequorum
}
logging {
  to_logfile: yes
  logfile: %s
  to_syslog: no
  to_stderr: no
}
`, token, nodes.String(), filepath.Join(d, "log", "corosync.log"))
	if err := os.WriteFile(filepath.Join(d, "etc", "corosync.conf"), []byte(conf), 0o644); err != nil {
		return err
	}
	exec.Command("chown", "-R", "hacluster:haclient", filepath.Join(d, "lib-pcmk"), filepath.Join(d, "log")).Run()
	script := fmt.Sprintf(`set -e
mount --bind %[1]s/etc /etc/corosync
mount --bind %[1]s/lib-pcmk /var/lib/pacemaker
mount --bind %[1]s/lib-coro /var/lib/corosync
mount --bind %[2]s /etc/init.d
mount -t tmpfs tmpfs /run
mkdir -p /run/resource-agents /run/crm /var/log/pacemaker
mount --bind %[1]s/log /var/log/pacemaker
corosync -f >%[1]s/log/corosync.out 2>&1 &
sleep 0.5
exec pacemakerd >%[1]s/log/pacemakerd.out 2>&1
`, d, initDir)
	cmd := exec.Command("ip", "netns", "exec", c.NS(node), "unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// inPacemaker runs a Pacemaker tool on a host.
func (c *Cluster) inPacemaker(node string, stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", c.NS(node), name}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestFailoverTimesPacemaker is bench/failover.sh's comparison: the same
// measurement with Corosync + Pacemaker (token 1000 ms, no fencing: the
// failed host is really off).
func TestFailoverTimesPacemaker(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv("PACER_FAILOVER_RUNS"))
	if runs <= 0 || os.Getenv("PACER_FAILOVER_PACEMAKER") == "" {
		t.Skip("a benchmark: set PACER_FAILOVER_RUNS and PACER_FAILOVER_PACEMAKER=1 (bench/failover.sh does)")
	}
	if !pacemakerInstalled() {
		t.Skip("Corosync and Pacemaker are not installed")
	}
	if err := Usable(); err != nil {
		t.Skip(err)
	}
	token, _ := strconv.Atoi(os.Getenv("PACER_FAILOVER_TOKEN"))
	if token <= 0 {
		token = 1000
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	c, err := Create(fmt.Sprintf("pm%d-", os.Getpid()%100000), dir, bin, 3, fast, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Destroy)
	initDir := filepath.Join(dir, "init.d")
	os.MkdirAll(initDir, 0o755)
	self, _ := os.Executable()
	script := `#!/bin/sh
pidf=/run/resource-agents/vipsvc.pid
running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
case "$1" in
start) running && exit 0
	` + serveEnv + `=$(uname -n)-$(ip -o -4 addr show dev eth0 | awk 'NR==1 { print $4 }') setsid ` + self + ` >/dev/null 2>&1 </dev/null &
	echo $! >"$pidf"; exit 0 ;;
stop) running && kill "$(cat "$pidf")"; rm -f "$pidf"; exit 0 ;;
status) running && exit 0; exit 3 ;;
*) exit 3 ;;
esac
`
	os.WriteFile(filepath.Join(initDir, "vipsvc"), []byte(script), 0o755)
	for _, n := range c.Nodes {
		if err := c.startPacemaker(n, token, initDir); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 90*time.Second, "Pacemaker's cluster up", func() (bool, string) {
		out, _ := c.inPacemaker("node1", "", "crm_mon", "-1")
		return strings.Contains(out, "Online: [ node1 node2 node3 ]"), out
	})
	cfg := `configure
property stonith-enabled=false no-quorum-policy=stop
rsc_defaults resource-stickiness=100
primitive vip IPaddr2 params ip=` + vip + ` cidr_netmask=24 nic=eth0 op monitor interval=1s timeout=20s
primitive svc lsb:vipsvc op monitor interval=1s timeout=20s
group g vip svc
commit
`
	// crmsh reads the LSB script's meta-data itself: it runs where the
	// hosts' /etc/init.d is.
	if out, err := c.inPacemaker("node1", cfg, "unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind "+initDir+" /etc/init.d && exec crm"); err != nil {
		t.Fatalf("crm: %v\n%s", err, out)
	}
	p := c.startProbe(t)
	eventually(t, 60*time.Second, "the VIP answers", func() (bool, string) { return p.answering() != "", "" })
	owner := func(answer string) string { // "node1-198.18.0.11/24" names the host
		for _, n := range c.Nodes {
			if strings.Contains(answer, "-"+c.Addr(n)+"/") {
				return n
			}
		}
		return answer
	}
	var times []time.Duration
	for i := 0; i < runs; i++ {
		eventually(t, 120*time.Second, "all hosts online", func() (bool, string) {
			out, _ := c.inPacemaker(c.other(), "", "crm_mon", "-1")
			return strings.Contains(out, "Online: [ node1 node2 node3 ]") && p.answering() != "", out
		})
		active := p.answering()
		host := owner(active)
		t0 := time.Now()
		c.PowerOff(host)
		eventually(t, 60*time.Second, "the VIP answers after "+host+" failed", func() (bool, string) {
			h, at, ok := p.answeredSince(t0, active)
			if ok {
				times = append(times, at.Sub(t0))
				t.Logf("run %d: %s powered off; the VIP answered from %s after %v", i+1, host, owner(h), at.Sub(t0).Round(time.Millisecond))
			}
			return ok, p.answering()
		})
		// Boot it again: links up, its Corosync and Pacemaker restarted.
		for _, args := range [][]string{
			{"-n", c.NS(host), "addr", "flush", "dev", "eth0"},
			{"-n", c.NS(host), "addr", "add", c.Addr(host) + "/24", "dev", "eth0"},
			{"-n", c.NS(host), "link", "set", "eth0", "up"},
		} {
			if err := ip(args...); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.startPacemaker(host, token, initDir); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("corosync+pacemaker failover (token %d ms, %d runs): %s\n", token, len(times), spread(times))
}
