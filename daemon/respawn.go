package daemon

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
	"time"
)

// respawn runs a respawn line's program as its user and starts it again
// whenever it exits, as Heartbeat did; a program that keeps failing is
// restarted less and less often (1 s doubling to a minute). It returns
// when ctx ends, after stopping the program.
func (n *Node) respawn(ctx context.Context, r Respawn) {
	log := n.log.With("respawn", r.Command[0], "where", r.Where)
	cred, err := credential(r.User)
	if err != nil {
		log.Error("respawn: cannot run as this user; not started", "user", r.User, "err", err)
		return
	}
	pause := time.Second
	for {
		cmd := exec.Command(r.Command[0], r.Command[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
		cmd.Env = append(os.Environ(), "HA_LOGFACILITY="+n.cfg.LogFacility, "HA_LOGFILE="+n.cfg.LogFile)
		started := time.Now()
		if err := cmd.Start(); err != nil {
			log.Error("respawn: cannot start", "err", err)
		} else {
			log.Info("respawn: started", "pid", cmd.Process.Pid, "user", r.User)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-ctx.Done():
				syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-done
				}
				return
			case err := <-done:
				log.Warn("respawn: exited; starting it again", "err", err, "ran", time.Since(started).Round(time.Millisecond))
			}
		}
		if time.Since(started) > time.Minute {
			pause = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Minute)
	}
}

// credential is who a respawned program runs as; nil for the daemon's
// own user.
func credential(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, err
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %s: ids %s/%s", name, u.Uid, u.Gid)
	}
	if int(uid) == os.Geteuid() {
		return nil, nil
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}
