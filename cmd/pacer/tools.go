package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/daemon"
	"github.com/pacer-ha/pacer/shell"
	pcmk "github.com/pacer-ha/pacer/tools"
)

// backend picks where the tools read and write the CIB, by Pacemaker's
// convention: CIB_file=PATH works on a file offline; otherwise the node
// at PACER_SOCKET, or the installed node's default socket.
func backend() shell.Backend {
	if f := os.Getenv("CIB_file"); f != "" {
		return shell.FileBackend{Path: f}
	}
	sock := os.Getenv("PACER_SOCKET")
	if sock == "" {
		sock = daemon.DefaultSocket
	}
	return daemon.Client{Socket: sock}
}

func runCrm(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return shell.Main(args, stdin, stdout, stderr, backend())
}

func runCrmMon(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	stop := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer func() {
		signal.Stop(sigs)
		close(sigs) // ends the goroutine below
	}()
	go func() {
		if _, ok := <-sigs; ok {
			close(stop)
		}
	}()
	return crmMon(args, stdout, stderr, backend(), isTerminal(stdout), stop)
}

func runCib(args []string, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "accept" {
		if err := cib.Accept(args[1]); err != nil {
			fmt.Fprintf(stderr, "pacer cib: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s accepted\n", args[1])
		return 0
	}
	fmt.Fprintln(stderr, "usage: pacer cib accept PATH")
	return 64
}

// runTool runs one of Pacemaker's tools (package tools) on the CIB
// backend() picks; on the running cluster, crm_node and the tools that
// need this node's name ask the daemon.
func runTool(name string) func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		b := backend()
		env := pcmk.Env{Backend: b, Stdin: stdin, Stdout: stdout, Stderr: stderr}
		f := fencer{b: b}
		if client, ok := b.(daemon.Client); ok {
			f.client = &client
		}
		env.Fencer = f
		if client, ok := b.(daemon.Client); ok {
			env.Cluster = func() (*pcmk.Membership, error) {
				info, err := client.Info()
				if err != nil {
					return nil, err
				}
				return &pcmk.Membership{Local: info.Node, Members: info.Members, Nodes: info.Nodes, Quorum: info.Quorum}, nil
			}
		}
		rc, _ := pcmk.Run(name, args, env)
		return rc
	}
}
