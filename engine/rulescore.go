package engine

import (
	"time"

	"github.com/beevik/etree"
)

// RuleScore evaluates a location constraint's rule for node n as the
// scheduler does: whether it holds there, and the score it then gives.
// The status display lists the bans rules make (crm_mon's <bans>).
func RuleScore(rule *etree.Element, n *Node, now time.Time) (score int, holds bool, err error) {
	return ruleScore(rule, n, now)
}
