package shell

import (
	"sort"
	"strings"
	"time"

	"github.com/pacer-ha/pacer/agents"
	"github.com/pacer-ha/pacer/cib"
)

// completer completes what is typed at the prompt: the level's commands,
// then, by command, resource and node ids from the CIB, agent names
// (class, provider, type) and an agent's parameter names from its
// meta-data.
type completer struct {
	s      *session
	cached *cib.CIB
	at     time.Time
}

// Do is readline's AutoCompleter: the endings that complete the word
// before pos, and that word's length.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	text := string(line[:pos])
	words := strings.Fields(text)
	partial := ""
	if len(words) > 0 && !strings.HasSuffix(text, " ") {
		partial, words = words[len(words)-1], words[:len(words)-1]
	}
	var out [][]rune
	for _, cand := range c.candidates(words, partial) {
		if strings.HasPrefix(cand, partial) && cand != partial {
			out = append(out, []rune(cand[len(partial):]))
		}
	}
	return out, len([]rune(partial))
}

// cib is the CIB completion draws ids from: configure's working copy, or
// the cluster's (read at most once a second).
func (c *completer) cib() *cib.CIB {
	if c.s.work != nil {
		return c.s.work
	}
	if c.cached == nil || time.Since(c.at) > time.Second {
		if x, err := c.s.b.Load(); err == nil {
			c.cached, c.at = x, time.Now()
		}
	}
	return c.cached
}

func (c *completer) resources() []string {
	x := c.cib()
	if x == nil {
		return nil
	}
	var out []string
	for _, tag := range []string{"primitive", "group", "clone", "master", "bundle"} {
		for _, e := range x.Section("resources", true).FindElements(".//" + tag) {
			out = append(out, e.SelectAttrValue("id", ""))
		}
	}
	sort.Strings(out)
	return out
}

func (c *completer) nodes() []string {
	x := c.cib()
	if x == nil {
		return nil
	}
	var out []string
	for _, n := range x.Section("nodes", true).SelectElements("node") {
		out = append(out, firstNonEmpty(n.SelectAttrValue("uname", ""), n.SelectAttrValue("id", "")))
	}
	sort.Strings(out)
	return out
}

// objects lists every configuration object's id (for show, delete, ...).
func (c *completer) objects() []string {
	x := c.cib()
	if x == nil {
		return nil
	}
	var out []string
	for _, sec := range []string{"resources", "constraints"} {
		for _, e := range x.Section(sec, true).FindElements(".//*[@id]") {
			switch e.Tag {
			case "primitive", "group", "clone", "master", "bundle", "template", "rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket":
				out = append(out, e.SelectAttrValue("id", ""))
			}
		}
	}
	sort.Strings(out)
	return out
}

// agentNames completes an agent name piece by piece: class, then for
// ocf the provider, then the type.
func agentNames(partial string) []string {
	cat := agents.Catalog{}
	parts := strings.Split(partial, ":")
	switch {
	case len(parts) == 1:
		return []string{"ocf:", "lsb:", "service:", "stonith:", "systemd:"}
	case parts[0] == "ocf" && len(parts) == 2:
		var out []string
		for _, p := range cat.Providers("") {
			out = append(out, "ocf:"+p+":")
		}
		return out
	case parts[0] == "ocf":
		var out []string
		for _, t := range cat.Agents("ocf", parts[1]) {
			out = append(out, "ocf:"+parts[1]+":"+t)
		}
		return out
	default:
		var out []string
		for _, t := range cat.Agents(parts[0], "") {
			out = append(out, parts[0]+":"+t)
		}
		return out
	}
}

// paramNames are the agent's parameters as "name=", for a primitive
// being defined with that agent.
func paramNames(agent string) []string {
	a, err := resolveAgent(agent)
	if err != nil {
		return nil
	}
	md, err := metaData(a)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range md.Parameters {
		out = append(out, p.Name+"=")
	}
	return out
}

func (c *completer) candidates(words []string, partial string) []string {
	level := c.s.level
	if len(words) == 0 {
		out := commandsOf(level)
		if level != "" {
			out = append(out, "cd", "help", "ls", "end")
		}
		return out
	}
	cmd := words[0]
	// A top-level line that names a level completes as in that level.
	if level == "" {
		if l := levelName(cmd); l != "" && len(words) >= 1 {
			if len(words) == 1 {
				return commandsOf(l)
			}
			level, cmd, words = l, words[1], words[1:]
		}
	}
	switch cmd {
	case "cd":
		return []string{"configure", "resource", "node", "cib", "ra", "options", ".."}
	case "help":
		return commandsOf(level)
	}
	switch level {
	case "resource":
		switch {
		case len(words) == 1:
			return c.resources()
		case cmd == "move" || cmd == "migrate" || cmd == "ban":
			return c.nodes()
		case cmd == "meta" || cmd == "param" || cmd == "utilization":
			if len(words) == 2 {
				return []string{"set", "delete", "show"}
			}
		}
	case "node":
		if len(words) == 1 {
			return c.nodes()
		}
	case "ra":
		switch cmd {
		case "list":
			if len(words) == 1 {
				return []string{"ocf", "lsb", "service", "stonith"}
			}
			return agents.Catalog{}.Providers("")
		case "info", "meta":
			return agentNames(partial)
		}
	case "configure":
		switch cmd {
		case "primitive":
			if len(words) == 2 {
				return agentNames(partial)
			}
			if len(words) >= 3 {
				last := words[len(words)-1]
				inParams := false
				for _, w := range words[3:] {
					switch w {
					case "params":
						inParams = true
					case "meta", "op", "utilization":
						inParams = false
					}
				}
				if last == "params" || inParams {
					return paramNames(words[2])
				}
				return []string{"params", "meta", "op", "utilization"}
			}
		case "show", "delete", "rm", "edit", "rename":
			return append(c.objects(), "changed", "xml")
		case "location":
			switch len(words) {
			case 2:
				return c.resources()
			case 4:
				return c.nodes()
			}
		case "colocation", "order":
			if len(words) >= 3 {
				return c.resources()
			}
		case "group", "clone", "ms":
			if len(words) >= 2 {
				return c.resources()
			}
		case "property":
			return []string{"stonith-enabled=", "no-quorum-policy=", "symmetric-cluster=", "maintenance-mode=",
				"placement-strategy=", "start-failure-is-fatal=", "stonith-timeout=", "cluster-recheck-interval="}
		}
	}
	return nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
