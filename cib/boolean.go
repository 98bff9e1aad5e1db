package cib

import "strings"

// IsTrue reports whether a CIB value reads as true, as Pacemaker reads
// booleans (true, on, yes, y, 1; any case, surrounding space ignored).
func IsTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "on", "yes", "y", "1":
		return true
	}
	return false
}

// IsFalse reports an explicit false (false, off, no, n, 0): an unset or
// unreadable value is neither true nor false.
func IsFalse(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "false", "off", "no", "n", "0":
		return true
	}
	return false
}
