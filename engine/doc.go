// Package engine owns scheduling: a pure function from a CIB
// (configuration + status) and a time to a Plan — where each resource
// runs, and the ordered actions that get the cluster there, with notes
// that explain decisions. It does no I/O and reads no clock.
//
//	cib.CIB ─▶ Unpack ─▶ Cluster ─▶ Schedule ─▶ Plan (placements, actions, notes)
package engine
