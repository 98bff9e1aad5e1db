package shell

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// levels are the shell's levels and, for each, its commands with a line
// of help: what help, completion and "ls" show.
var levels = map[string][][2]string{
	"": {
		{"configure", "CIB configuration (staged: changes reach the cluster on commit)"},
		{"resource", "resource management: start, stop, move, ban, clear, manage, ..."},
		{"node", "node management: standby, online, maintenance, attributes"},
		{"cib", "shadow CIBs: new, use, diff, commit, reset, delete, list"},
		{"ra", "resource agents: classes, list, providers, info"},
		{"options", "user preferences"},
		{"status", "the cluster's status, as crm_mon shows it"},
		{"cd", "go to a level (cd .. goes up)"},
		{"help", "help on a level or a command"},
		{"ls", "list this level's commands"},
		{"quit", "leave the shell"},
	},
	"configure": {
		{"primitive", "define a resource"}, {"group", "define a group"}, {"clone", "define a clone"}, {"ms", "define a promotable clone"},
		{"location", "a location preference"}, {"colocation", "a colocation constraint"}, {"order", "an order constraint"},
		{"rsc_ticket", "a resource's dependency on a ticket"}, {"rsc_template", "a resource template"}, {"tag", "a tag of resources"},
		{"property", "a cluster property"}, {"rsc_defaults", "resource defaults"}, {"op_defaults", "operation defaults"},
		{"node", "a node and its attributes"}, {"fencing_topology", "fencing levels"}, {"alert", "an alert"},
		{"show", "show the configuration (show changed: what commit would change)"}, {"delete", "delete objects"},
		{"rename", "rename an object"}, {"set", "set an attribute: set ID.ATTR VALUE"}, {"erase", "erase the configuration"},
		{"load", "load update|replace FILE"}, {"filter", "pass objects through a command"}, {"save", "save the configuration to a file"},
		{"verify", "check the staged configuration"}, {"commit", "apply the staged changes (shows the plan first)"},
		{"refresh", "discard the staged changes and start again from the cluster's CIB"}, {"status", "the cluster's status"},
		{"up", "leave configure"}, {"quit", "leave the shell"},
	},
	"resource": {
		{"status", "where resources run"}, {"list", "list resources"}, {"start", "start (target-role=Started)"}, {"stop", "stop (target-role=Stopped)"},
		{"restart", "stop, then start again"}, {"move", "move to a node (cli-prefer constraint)"}, {"migrate", "move to a node (cli-prefer constraint)"},
		{"ban", "keep off a node (cli-ban constraint)"}, {"clear", "remove move and ban constraints"}, {"unmove", "remove move and ban constraints"},
		{"unmigrate", "remove move and ban constraints"}, {"manage", "is-managed=true"}, {"unmanage", "is-managed=false"},
		{"maintenance", "maintenance mode for a resource"}, {"locate", "where a resource runs"}, {"failcount", "show fail counts"},
		{"meta", "a meta attribute: meta RSC set|delete|show NAME [VALUE]"}, {"param", "a parameter: param RSC set|delete|show NAME [VALUE]"},
		{"utilization", "a utilization attribute"}, {"up", "leave resource"}, {"quit", "leave the shell"},
	},
	"node": {
		{"status", "node states"}, {"list", "list nodes"}, {"show", "show a node"}, {"standby", "put a node in standby [lifetime]"},
		{"online", "bring a node out of standby"}, {"maintenance", "put a node in maintenance"}, {"ready", "bring a node out of maintenance"},
		{"attribute", "a node attribute: attribute NODE set|delete|show NAME [VALUE]"}, {"utilization", "a node's capacity"},
		{"status-attr", "a transient node attribute"}, {"fence", "fence a node (asks first)"}, {"delete", "delete a node"}, {"up", "leave node"}, {"quit", "leave the shell"},
	},
	"cib": {
		{"new", "new shadow CIB"}, {"use", "work on a shadow CIB (use live: the cluster's)"}, {"list", "list shadow CIBs"},
		{"diff", "what a shadow changes"}, {"commit", "apply a shadow to the cluster"}, {"reset", "copy the cluster's CIB into a shadow"},
		{"delete", "delete a shadow CIB"}, {"up", "leave cib"}, {"quit", "leave the shell"},
	},
	"ra": {
		{"classes", "the resource agent classes"}, {"list", "list agents: list CLASS [PROVIDER]"}, {"providers", "providers of an agent type"},
		{"info", "an agent's parameters and actions"}, {"meta", "an agent's parameters and actions"}, {"up", "leave ra"}, {"quit", "leave the shell"},
	},
	"options": {
		{"show", "show the preferences"}, {"up", "leave options"}, {"quit", "leave the shell"},
	},
}

// levelAliases are other names crmsh accepts for levels.
var levelAliases = map[string]string{"cfg": "configure", "rsc": "resource"}

// levelName resolves a level name or alias ("" if it is none).
func levelName(w string) string {
	if l, ok := levelAliases[w]; ok {
		return l
	}
	if _, ok := levels[w]; ok && w != "" {
		return w
	}
	return ""
}

// commandsOf lists a level's command names, sorted.
func commandsOf(level string) []string {
	var out []string
	for _, c := range levels[level] {
		out = append(out, c[0])
	}
	sort.Strings(out)
	return out
}

// help prints a level's commands with their help, or one command's.
func (s *session) help(args []string) {
	if len(args) > 0 {
		level := s.level
		if l := levelName(args[0]); l != "" && level == "" {
			level, args = l, args[1:]
		}
		if len(args) > 0 {
			for _, c := range levels[level] {
				if c[0] == args[0] {
					fmt.Fprintf(s.out, "%s: %s\n", c[0], c[1])
					return
				}
			}
			s.error(fmt.Sprintf("help: no command %q at level %s (try help)", args[0], levelOrTop(level)))
			return
		}
		s.printCommands(level)
		return
	}
	s.printCommands(s.level)
}

func (s *session) printCommands(level string) {
	fmt.Fprintf(s.out, "Commands at level %s:\n", levelOrTop(level))
	width := 0
	for _, c := range levels[level] {
		width = max(width, len(c[0]))
	}
	for _, c := range levels[level] {
		fmt.Fprintf(s.out, "  %-*s  %s\n", width, c[0], c[1])
	}
}

func levelOrTop(level string) string {
	if level == "" {
		return "top"
	}
	return level
}

// changeLevel moves to a level: "" or ".." for the top, or a level's
// name (from any level). Leaving configure with staged changes asks
// first; false when the user chose to stay.
func (s *session) changeLevel(to string) bool {
	target := ""
	switch to {
	case "", "..", "/", "up":
	default:
		target = levelName(strings.TrimPrefix(strings.TrimPrefix(to, "../"), "/"))
		if target == "" {
			s.error(fmt.Sprintf("cd: no level %q (levels: configure, resource, node, cib, ra, options)", to))
			return false
		}
	}
	if s.level == target {
		return true
	}
	if s.level == "configure" && !s.leaveConfigure() {
		return false
	}
	s.level = target
	if target == "configure" {
		s.enterConfigure()
	}
	return true
}

// hostName is the node the shell runs on, for the prompt.
func (s *session) hostName() string {
	if n, ok := s.live.(interface{ NodeName() string }); ok {
		if name := n.NodeName(); name != "" {
			return name
		}
	}
	h, _ := os.Hostname()
	if i := strings.IndexByte(h, '.'); i > 0 {
		h = h[:i]
	}
	return h
}
