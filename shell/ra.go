package shell

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/pacer-ha/pacer/agents"
)

// raCommand is the ra level: what resource agents this machine has.
func (s *session) raCommand(args []string) {
	cat := agents.Catalog{}
	if len(args) == 0 {
		s.error("ra: give a command: classes, list CLASS [PROVIDER], providers TYPE, info AGENT")
		return
	}
	switch args[0] {
	case "classes":
		for _, c := range cat.Classes() {
			fmt.Fprintln(s.out, c)
		}
	case "list":
		if len(args) < 2 {
			s.error("ra list: give a class (ocf, lsb, service, stonith) and, for ocf, optionally a provider")
			return
		}
		class, provider := args[1], ""
		if len(args) > 2 {
			provider = args[2]
		}
		t := tablewriter.NewTable(s.out)
		t.Header("Class", "Provider", "Agent")
		if class == "ocf" {
			providers := []string{provider}
			if provider == "" {
				providers = cat.Providers("")
			}
			for _, p := range providers {
				for _, a := range cat.Agents("ocf", p) {
					t.Append(class, p, a)
				}
			}
		} else {
			for _, a := range cat.Agents(class, "") {
				t.Append(class, "", a)
			}
		}
		t.Render()
	case "providers":
		if len(args) < 2 {
			s.error("ra providers: give an agent type, e.g. IPaddr2")
			return
		}
		fmt.Fprintln(s.out, strings.Join(cat.Providers(args[1]), " "))
	case "info", "meta":
		if len(args) < 2 {
			s.error("ra info: give an agent, e.g. ocf:heartbeat:IPaddr2")
			return
		}
		s.agentInfo(args[1])
	default:
		s.error(fmt.Sprintf("ra: unknown command %q (classes, list, providers, info)", args[0]))
	}
}

// resolveAgent reads "class:provider:type", "provider:type" (ocf) or a
// bare type (the first OCF provider that has it).
func resolveAgent(name string) (agents.Agent, error) {
	parts := strings.Split(name, ":")
	switch len(parts) {
	case 3:
		return agents.Agent{Class: parts[0], Provider: parts[1], Type: parts[2]}, nil
	case 2:
		if parts[0] == "lsb" || parts[0] == "stonith" || parts[0] == "service" || parts[0] == "systemd" {
			return agents.Agent{Class: parts[0], Type: parts[1]}, nil
		}
		// heartbeat:NAME is a heartbeat-class script when one is installed,
		// else the OCF agent of provider heartbeat.
		if parts[0] == "heartbeat" {
			if _, err := agents.FindHeartbeat(agents.DefaultHeartbeatDirs(), parts[1]); err == nil {
				return agents.Agent{Class: "heartbeat", Type: parts[1]}, nil
			}
		}
		return agents.Agent{Class: "ocf", Provider: parts[0], Type: parts[1]}, nil
	case 1:
		if p := (agents.Catalog{}).Providers(name); len(p) > 0 {
			prov := p[0]
			for _, x := range p {
				if x == "heartbeat" {
					prov = x
				}
			}
			return agents.Agent{Class: "ocf", Provider: prov, Type: name}, nil
		}
	}
	return agents.Agent{}, fmt.Errorf("no agent %q (give class:provider:type, e.g. ocf:heartbeat:IPaddr2; see ra list ocf)", name)
}

// metaData asks an agent for its meta-data (cached per agent file).
func metaData(a agents.Agent) (*agents.MetaData, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return raProcess.MetaData(ctx, a)
}

// raProcess runs agents for their meta-data (cached per agent file); its
// OCF roots are looked up at each call.
var raProcess = &agents.Process{}

// agentInfo prints an agent's description, parameters and advised
// operation timeouts, as crmsh's ra info does.
func (s *session) agentInfo(name string) {
	a, err := resolveAgent(name)
	if err != nil {
		s.error(err.Error())
		return
	}
	md, err := metaData(a)
	if err != nil {
		s.error(err.Error())
		return
	}
	fmt.Fprintf(s.out, "%s (%s) - %s\n\n", a.Type, a, strings.TrimSpace(md.ShortDesc))
	if d := strings.TrimSpace(md.LongDesc); d != "" {
		fmt.Fprintf(s.out, "%s\n\n", d)
	}
	fmt.Fprintln(s.out, "Parameters (*: required, []: default):")
	fmt.Fprintln(s.out)
	for _, p := range md.Parameters {
		req := ""
		if p.Required {
			req = "*"
		}
		def := ""
		if p.Default != "" {
			def = " [" + p.Default + "]"
		}
		fmt.Fprintf(s.out, "%s%s (%s%s): %s\n", p.Name, req, p.Type, def, strings.TrimSpace(p.ShortDesc))
		if d := strings.TrimSpace(p.LongDesc); d != "" && d != strings.TrimSpace(p.ShortDesc) {
			fmt.Fprintf(s.out, "    %s\n", strings.ReplaceAll(d, "\n", "\n    "))
		}
		fmt.Fprintln(s.out)
	}
	fmt.Fprintln(s.out, "Operations' defaults (advisory minimum):")
	fmt.Fprintln(s.out)
	for _, op := range md.Actions {
		if op.Name == "meta-data" || op.Name == "validate-all" {
			continue
		}
		line := fmt.Sprintf("    %-20s timeout=%s", op.Name+roleSuffix(op.Role), durationText(op.Timeout))
		if op.Interval > 0 {
			line += " interval=" + durationText(op.Interval)
		}
		fmt.Fprintln(s.out, line)
	}
}

func roleSuffix(role string) string {
	if role == "" {
		return ""
	}
	return "_" + role
}

// durationText writes a duration as crmsh does: whole seconds as "20s".
func durationText(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	return d.String()
}

// optionsCommand is the options level: the shell's preferences, which
// this shell takes from the environment.
func (s *session) optionsCommand(args []string) {
	if len(args) == 0 || args[0] == "show" || args[0] == "list" {
		editor := os.Getenv("EDITOR")
		if editor == "" {
			editor = "vi"
		}
		pager := os.Getenv("PAGER")
		if pager == "" {
			pager = "less"
		}
		for _, kv := range [][2]string{{"editor", editor}, {"pager", pager}, {"user", ""}, {"skill-level", "expert"},
			{"output", "plain"}, {"check-frequency", "always"}, {"check-mode", "strict"}, {"wait", "no"}} {
			fmt.Fprintf(s.out, "%s \"%s\"\n", kv[0], kv[1])
		}
		return
	}
	s.error(fmt.Sprintf("options: %q is not supported (this shell takes its preferences from the environment: EDITOR, PAGER)", args[0]))
}
