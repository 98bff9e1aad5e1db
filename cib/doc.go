// Package cib owns the Cluster Information Base: Pacemaker's XML document
// (configuration plus status), its version triple (admin_epoch, epoch,
// num_updates), the records of resource operations kept in the status
// section, and the atomic, digest-checked persistence of cib.xml.
//
//	shell, tools ──edit──▶ cib ◀──replicate── daemon
//	                        │
//	                        └──read──▶ engine (pure scheduler)
//
// Every other layer reads and writes the CIB through this package; nothing
// else parses or serialises the document.
package cib
