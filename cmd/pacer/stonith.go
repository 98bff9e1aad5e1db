package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/daemon"
	"github.com/pacer-ha/pacer/shell"
	pcmk "github.com/pacer-ha/pacer/tools"
)

// fencer is stonith_admin's view of the cluster's fencing: requests and
// history through the node's socket (none on a CIB file), devices and
// agents from the CIB and this machine.
type fencer struct {
	b      shell.Backend
	client *daemon.Client
}

func (f fencer) Fence(node, action string) error {
	if f.client == nil {
		return fmt.Errorf("fencing needs the running cluster, not a CIB file (unset CIB_file)")
	}
	return f.client.Fence(node, action)
}

func (f fencer) History() ([]pcmk.FenceRecord, error) {
	if f.client == nil {
		return nil, fmt.Errorf("the fencing history is the running cluster's, not a CIB file's (unset CIB_file)")
	}
	h, err := f.client.FenceHistory()
	if err != nil {
		return nil, err
	}
	out := make([]pcmk.FenceRecord, len(h))
	for i, e := range h {
		out[i] = pcmk.FenceRecord{Target: e.Target, Action: e.Action, Device: e.Device, Delegate: e.Delegate, Origin: e.Origin, OK: e.OK, Error: e.Error, When: e.When}
	}
	return out, nil
}

func (f fencer) Devices(node string) ([]string, error) {
	c, err := f.b.Load()
	if err != nil {
		return nil, err
	}
	return daemon.FenceDevicesFor(c, &agents.Process{}, node)
}

func (f fencer) Installed() []string { return agents.Catalog{}.Agents("stonith", "") }

func (f fencer) MetaData(agent string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := (&agents.Process{}).Exec(ctx, agents.Op{Resource: agent, Agent: agents.Agent{Class: "stonith", Type: agent}, Action: "meta-data", Timeout: 10 * time.Second})
	if res.Status != agents.Done || res.RC != 0 {
		return "", fmt.Errorf("no meta-data from stonith:%s: %s", agent, res.ExitReason)
	}
	return res.Output, nil
}
