// Package daemon owns one cluster node: Heartbeat-style authenticated UDP
// messaging (ha.cf, authkeys), membership and quorum, election of the
// Designated Controller (DC), replication of the CIB, and, on the DC,
// running the engine and dispatching the resulting actions to the nodes'
// executors. It also serves the node's local client socket.
//
//	ha.cf, authkeys ─▶ Config
//	Transport (UDP) ◀─▶ Node ─▶ engine.Schedule (on the DC)
//	                     │  └─▶ agents.Executor (every node)
//	client socket ◀──────┘      cib.Save (every node)
package daemon
