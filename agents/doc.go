// Package agents owns running resource agents: finding them, passing them
// parameters through the environment as the OCF standard says, enforcing
// each operation's timeout on the agent's whole process group, bounding
// what they print, and reading their meta-data. It also holds the agents
// Pacer ships, under ocf/resource.d/pacer/.
//
//	daemon ─Exec(Op)─▶ Executor ─▶ Process ─▶ /usr/lib/ocf/resource.d/PROVIDER/TYPE ACTION
package agents
