package monitor

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// WatchOptions configure the live status view (crm_mon without -1).
type WatchOptions struct {
	// Interval is how often the CIB is read (crm_mon -i; 5s by default).
	Interval time.Duration
	// Terminal redraws the whole view in place (the screen cleared with
	// ANSI codes) at every interval; otherwise a new view is written only
	// when the CIB changed, so that a pipe or a log gets one per change.
	Terminal bool
	// Stop ends the view (crm_mon stops on Ctrl-C).
	Stop <-chan struct{}
	// Errors receives, when not on a terminal, a line each time reading
	// the CIB starts failing with a new error.
	Errors io.Writer
	// Now is the clock (time.Now by default).
	Now func() time.Time
}

// DefaultInterval is crm_mon's refresh interval.
const DefaultInterval = 5 * time.Second

// clearScreen moves the cursor home and clears the screen.
const clearScreen = "\033[H\033[2J"

// Watch shows the status live until opts.Stop is closed: it reads the
// CIB through load every interval and shows it again when it changed (on
// a terminal, at every interval, so that "Last updated" stays current).
// A CIB that cannot be read is reported and read again at the next
// interval: the view outlives a daemon restart.
func Watch(w io.Writer, load func() (*cib.CIB, error), opts Options, wo WatchOptions) error {
	if wo.Interval <= 0 {
		wo.Interval = DefaultInterval
	}
	if wo.Now == nil {
		wo.Now = time.Now
	}
	var last []byte
	lastErr := ""
	for {
		var out bytes.Buffer
		c, err := load()
		if err == nil {
			err = Render(&out, c, wo.Now(), opts)
		}
		switch {
		case err != nil && wo.Terminal:
			msg := fmt.Sprintf("%scrm_mon: %v\n\nTrying again every %s (Ctrl-C to quit)\n", clearScreen, err, wo.Interval)
			if _, werr := io.WriteString(w, msg); werr != nil {
				return werr
			}
			last = nil
		case err != nil:
			if err.Error() != lastErr && wo.Errors != nil {
				fmt.Fprintf(wo.Errors, "crm_mon: %v (trying again every %s)\n", err, wo.Interval)
			}
			lastErr = err.Error()
			last = nil
		default:
			lastErr = ""
			key := c.Compact()
			if wo.Terminal {
				if _, werr := io.WriteString(w, clearScreen+out.String()); werr != nil {
					return werr
				}
			} else if !bytes.Equal(key, last) {
				if _, werr := w.Write(out.Bytes()); werr != nil {
					return werr
				}
			}
			last = key
		}
		select {
		case <-wo.Stop:
			return nil
		case <-time.After(wo.Interval):
		}
	}
}
