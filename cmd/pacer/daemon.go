package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/daemon"
)

func runDaemon(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pacer daemon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "/etc/ha.d/ha.cf", "ha.cf of this node (authkeys is read beside it)")
	host, _ := os.Hostname()
	node := fs.String("node", host, "this node's name, as ha.cf's 'node' lines spell it")
	stateDir := fs.String("state-dir", "/var/lib/pacer", "where cib.xml is kept")
	runDir := fs.String("run-dir", "/run/resource-agents", "volatile state of agents (HA_RSCTMP)")
	socket := fs.String("socket", daemon.DefaultSocket, "client socket")
	check := fs.Bool("check", false, "check the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	cfg, err := daemon.LoadConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "pacer daemon: %v\n", err)
		return 78 // CRM_EX_CONFIG
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "pacer daemon: warning: %s\n", w)
	}
	if *check {
		// Nothing is created: no state directory, no log files.
		if !slices.Contains(cfg.Nodes, *node) {
			fmt.Fprintf(stderr, "pacer daemon: this node %q is not named by a 'node' directive in %s (nodes: %v); use --node NAME\n", *node, *config, cfg.Nodes)
			return 78
		}
		fmt.Fprintf(stderr, "pacer daemon: %s is valid: %d nodes, %d warning(s)\n", *config, len(cfg.Nodes), len(cfg.Warnings))
		return 0
	}
	log, logs, err := daemon.NewLogger(cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "pacer daemon: %v\n", err)
		return 78
	}
	defer logs.Close()
	// SIGHUP, as logrotate sends it, opens the log files again; it never
	// stops the node.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			logs.Reopen()
			log.Info("SIGHUP: log files opened again")
		}
	}()
	self, _ := os.Executable()
	haCF, _ := filepath.Abs(*config)
	env := map[string]string{"PACER_BIN": self, "PACER_SOCKET": *socket, "PACER_HA_CF": haCF,
		"HA_LOGFACILITY": cfg.LogFacility, "HA_LOGFILE": cfg.LogFile, "HA_DEBUGLOG": cfg.DebugFile}
	exec := &agents.Process{RunDir: *runDir, Logger: log, Env: env}
	n, err := daemon.New(daemon.Options{Config: cfg, Name: *node, StateDir: *stateDir, RunDir: *runDir, Socket: *socket, Executor: exec, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "pacer daemon: %v\n", err)
		return 78
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := n.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "pacer daemon: %v\n", err)
		return 1
	}
	return 0
}
