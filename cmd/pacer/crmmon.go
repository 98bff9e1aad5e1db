package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/engine"
	"github.com/pacer-ha/pacer/monitor"
	"github.com/pacer-ha/pacer/shell"
	"golang.org/x/sys/unix"
)

// crm_mon's exit statuses (Pacemaker's crm_exit_e).
const (
	crmExOK         = 0
	crmExError      = 1
	crmExUsage      = 64
	crmExDisconnect = 102
)

// crmMonOptions is a crm_mon command line.
type crmMonOptions struct {
	once     bool
	inactive bool
	fails    bool
	attrs    bool
	format   string // text, xml, legacy-xml
	interval time.Duration
	version  bool
	help     bool
}

// crmMonUsage is crm_mon's help, for the options Pacer knows.
const crmMonUsage = `Usage:
  crm_mon [OPTION?]

Provides a summary of cluster's current state.

Options:
  -1, --one-shot                 Display the cluster status once and exit
  -r, --inactive                 Display inactive resources
  -f, --failcounts               Display resource fail counts
  -A, --show-node-attributes     Display node attributes
  -i, --interval=TIMESPEC        Update frequency (default is 5 seconds)
  --output-as=FORMAT             Specify output format as one of: text (default), xml
  -X, --as-xml                   Write cluster status as XML to stdout (one-shot; deprecated:
                                 use --output-as=xml)
  -N, --disable-ncurses          Deprecated: plain text output (always the case)
  -$, --version                  Display software version and exit
  -?, --help                     Show help options

Without -1, the status is shown live: read again every interval and redrawn
in place on a terminal (Ctrl-C quits); written again only when it changed
otherwise. With CIB_file=PATH, crm_mon always shows the file once.
`

// parseCrmMon reads crm_mon's options as Pacemaker 2.1.5 does: short
// options may be combined (-1rfA), an option's value may be attached
// (-i5, --interval=5) or follow; anything else is ignored.
func parseCrmMon(args []string) (crmMonOptions, error) {
	o := crmMonOptions{format: monitor.FormatText, interval: monitor.DefaultInterval}
	setInterval := func(name, v string) error {
		d, err := engine.ParseDuration(v)
		if err != nil || strings.TrimSpace(v) == "" {
			return fmt.Errorf("Invalid value for %s: %s", name, v)
		}
		o.interval = d
		return nil
	}
	setFormat := func(v string) error {
		switch v {
		case "text", "console":
			o.format = monitor.FormatText
		case "xml":
			o.format = monitor.FormatXML
		default:
			return fmt.Errorf("Unsupported output format %s (Pacer writes text and xml)", v)
		}
		return nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return o, nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			next := func() (string, error) {
				if hasValue {
					return value, nil
				}
				if i+1 >= len(args) {
					return "", fmt.Errorf("Missing argument for --%s", name)
				}
				i++
				return args[i], nil
			}
			switch name {
			case "one-shot":
				o.once = true
			case "inactive":
				o.inactive = true
			case "failcounts":
				o.fails = true
			case "show-node-attributes":
				o.attrs = true
			case "as-xml":
				o.format, o.once = monitor.FormatLegacyXML, true
			case "disable-ncurses", "verbose", "quiet":
			case "version":
				o.version = true
			case "help", "help-all":
				o.help = true
			case "interval":
				v, err := next()
				if err != nil {
					return o, err
				}
				if err := setInterval("--interval", v); err != nil {
					return o, err
				}
			case "output-as":
				v, err := next()
				if err != nil {
					return o, err
				}
				if err := setFormat(v); err != nil {
					return o, err
				}
			default:
				return o, fmt.Errorf("Unknown option --%s", name)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags := a[1:]
			for j := 0; j < len(flags); j++ {
				switch c := flags[j]; c {
				case '1':
					o.once = true
				case 'r':
					o.inactive = true
				case 'f':
					o.fails = true
				case 'A':
					o.attrs = true
				case 'X':
					o.format, o.once = monitor.FormatLegacyXML, true
				case 'N', 'V', 'Q':
				case '$':
					o.version = true
				case '?':
					o.help = true
				case 'i':
					v := flags[j+1:]
					if v == "" {
						if i+1 >= len(args) {
							return o, fmt.Errorf("Missing argument for -i")
						}
						i++
						v = args[i]
					}
					if err := setInterval("-i", v); err != nil {
						return o, err
					}
					j = len(flags)
				default:
					return o, fmt.Errorf("Unknown option -%c", c)
				}
			}
		}
	}
	return o, nil
}

// crmMon is crm_mon on backend b: once (-1, -X, or a CIB file, as
// Pacemaker's crm_mon does with CIB_file), or live until stop is closed.
func crmMon(args []string, stdout, stderr io.Writer, b shell.Backend, terminal bool, stop <-chan struct{}) int {
	o, err := parseCrmMon(args)
	if err != nil {
		fmt.Fprintf(stderr, "crm_mon: %v\n", err)
		return crmExUsage
	}
	switch {
	case o.help:
		io.WriteString(stdout, crmMonUsage)
		return crmExOK
	case o.version:
		fmt.Fprintln(stdout, "Pacer crm_mon (as Pacemaker 2.1.5's)")
		return crmExOK
	}
	opts := monitor.Options{Inactive: o.inactive, FailCounts: o.fails, NodeAttributes: o.attrs, Format: o.format,
		Request: strings.TrimSpace("crm_mon " + strings.Join(args, " "))}
	if _, file := b.(shell.FileBackend); o.once || file {
		c, err := b.Load()
		if err != nil {
			if o.format == monitor.FormatXML {
				monitor.ErrorXML(stdout, opts.Request, crmExDisconnect, "Not connected", err.Error())
			}
			fmt.Fprintf(stderr, "crm_mon: %v\n", err)
			return crmExDisconnect
		}
		if err := monitor.Render(stdout, c, time.Now(), opts); err != nil {
			fmt.Fprintf(stderr, "crm_mon: %v\n", err)
			return crmExError
		}
		return crmExOK
	}
	err = monitor.Watch(stdout, b.Load, opts, monitor.WatchOptions{Interval: o.interval, Terminal: terminal, Stop: stop, Errors: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "crm_mon: %v\n", err)
		return crmExError
	}
	if terminal {
		io.WriteString(stdout, "\n")
	}
	return crmExOK
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
