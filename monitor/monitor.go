package monitor

import (
	"io"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// Options select what the status view shows, as crm_mon's flags do.
type Options struct {
	Inactive bool // -r: list inactive resources too ("Full List of Resources")
}

// Render writes the one-shot status view of c (crm_mon -1) to w.
func Render(w io.Writer, c *cib.CIB, now time.Time, opts Options) error {
	panic("not yet")
}
