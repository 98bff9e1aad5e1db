package shell

import "github.com/pacer-ha/pacer/cib"

// Backend is where the shell reads and writes the CIB: a running node
// (through its socket), or an offline file (CIB_file).
type Backend interface {
	// Load returns the current CIB, configuration and status.
	Load() (*cib.CIB, error)
	// Commit replaces the configuration with next's. base is the CIB the
	// change was made from; if the live configuration's (admin_epoch,
	// epoch) differs from base's, Commit returns an error wrapping
	// cib.ErrConflict and changes nothing. The backend bumps the epoch.
	Commit(base, next *cib.CIB) error
}
