package fence

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// Fencing must be quick: these work on a namespace directly, with no
// helper processes (ip(8) would cost a fork and exec per step).

// linksDown takes every interface of namespace ns but lo down.
func linksDown(ns string) error {
	f, err := os.Open(filepath.Join("/run/netns", ns))
	if err != nil {
		return fmt.Errorf("no network namespace %s: %w", ns, err)
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() {
		// The thread joins the namespace and is never unlocked, so it ends
		// with this goroutine instead of serving others from inside.
		runtime.LockOSThread()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("enter %s: %w", ns, err)
			return
		}
		done <- downAll()
	}()
	return <-done
}

func downAll() error {
	ifaces, err := net.Interfaces()
	if err != nil {
		return err
	}
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(sock)
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagUp == 0 {
			continue
		}
		req, err := unix.NewIfreq(ifc.Name)
		if err != nil {
			return err
		}
		if err := unix.IoctlIfreq(sock, unix.SIOCGIFFLAGS, req); err != nil {
			return fmt.Errorf("%s: %w", ifc.Name, err)
		}
		req.SetUint16(req.Uint16() &^ unix.IFF_UP)
		if err := unix.IoctlIfreq(sock, unix.SIOCSIFFLAGS, req); err != nil {
			return fmt.Errorf("take %s down: %w", ifc.Name, err)
		}
	}
	return nil
}

// namespacePIDs lists the processes in namespace ns (but this one), as
// ip netns pids does: those whose network namespace is the same file.
func namespacePIDs(ns string) ([]int, error) {
	var want unix.Stat_t
	if err := unix.Stat(filepath.Join("/run/netns", ns), &want); err != nil {
		return nil, fmt.Errorf("no network namespace %s: %w", ns, err)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+e.Name()+"/ns/net", &st) == nil && st.Ino == want.Ino && st.Dev == want.Dev {
			out = append(out, pid)
		}
	}
	return out, nil
}
