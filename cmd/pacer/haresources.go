package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/haresources"
)

// runHaresources2cib is haresources2cib: a Heartbeat haresources file to
// a CIB configuration in crm syntax on stdout.
func runHaresources2cib(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("haresources2cib", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opt := haresources.DefaultOptions(haresources.Agents{
		OCFRoots:      agents.DefaultOCFRoots(),
		HeartbeatDirs: agents.DefaultHeartbeatDirs(),
		InitDir:       agents.DefaultInitDir(),
	})
	fs.IntVar(&opt.Score, "score", opt.Score, "score of each group's `preference` for its node")
	fs.StringVar(&opt.Monitor, "monitor", opt.Monitor, "`interval` of each resource's monitor op")
	fs.StringVar(&opt.MonitorTimeout, "monitor-timeout", opt.MonitorTimeout, "`timeout` of the monitor op")
	noMonitor := fs.Bool("no-monitor", false, "give the resources no monitor op (Heartbeat never monitored them)")
	fs.BoolVar(&opt.NoOCF, "no-ocf", false, "make every resource a heartbeat-class script, arguments as parameters 1, 2, ...")
	fs.Bool("stdout", true, "accepted for haresources2cib.py's command lines: the output always goes to stdout")
	fs.String("c", "", "accepted for haresources2cib.py's command lines: ha.cf is read by the daemon itself (auto_failback, ping nodes)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: haresources2cib [OPTIONS] [FILE]   (or: pacer haresources2cib ...)
Turns Heartbeat's haresources (default /etc/ha.d/haresources; - reads stdin)
into a CIB configuration in crm syntax on stdout: a group per line, in the
line's order, preferring the line's node. Load it with
    haresources2cib /etc/ha.d/haresources > resources.crm
    crm configure load update resources.crm
Agents are looked for in $PACER_OCF_ROOTS (resource.d/heartbeat), the
heartbeat resource.d directories ($PACER_HEARTBEAT_DIR) and $PACER_INIT_DIR.
Options:
`)
		fs.PrintDefaults()
	}
	// Options may come before or after the file.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return 0
			}
			return 64
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *noMonitor {
		opt.Monitor = ""
	}
	file := "/etc/ha.d/haresources"
	switch len(files) {
	case 0:
	case 1:
		file = files[0]
	default:
		fmt.Fprintf(stderr, "haresources2cib: one file, not %d (%s)\n", len(files), strings.Join(files, " "))
		fs.Usage()
		return 64
	}
	in, name := stdin, file
	if file == "-" {
		name = "<stdin>"
	} else {
		f, err := os.Open(file)
		if err != nil {
			fmt.Fprintf(stderr, "haresources2cib: %v\n", err)
			return 66 // EX_NOINPUT
		}
		defer f.Close()
		in = f
	}
	res, err := haresources.Convert(name, in, opt)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "haresources2cib: %s\n", line)
		}
		return 65 // EX_DATAERR
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "haresources2cib: warning: %s\n", w)
	}
	if _, err := io.WriteString(stdout, res.Config); err != nil {
		fmt.Fprintf(stderr, "haresources2cib: %v\n", err)
		return 1
	}
	return 0
}
