package shell

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/grammar"
)

// editCommand runs the configure commands that edit the working copy as a
// whole: rename, set, erase, load, filter. It returns false for a command
// it does not know.
func (s *session) editCommand(fields []string, line string) (func(*cib.CIB) error, bool) {
	switch fields[0] {
	case "rename":
		if len(fields) != 3 {
			return usageEdit("rename OLD NEW"), true
		}
		return func(c *cib.CIB) error { return c.Rename(fields[1], fields[2]) }, true
	case "set":
		if len(fields) != 3 {
			return usageEdit("set ID.NAME VALUE"), true
		}
		return func(c *cib.CIB) error { return c.SetPath(fields[1], fields[2]) }, true
	case "upgrade":
		return func(c *cib.CIB) error {
			changed, err := c.Upgrade()
			if err == nil && !changed {
				s.info("the CIB already uses the latest schema, " + cib.ValidateWith)
			}
			return err
		}, true
	case "erase":
		nodes := len(fields) > 1 && fields[1] == "nodes"
		return func(c *cib.CIB) error { c.Erase(nodes); return nil }, true
	case "load":
		if len(fields) != 3 || (fields[1] != "update" && fields[1] != "replace" && fields[1] != "push") {
			return usageEdit("load update|replace|push FILE|-"), true
		}
		return s.loadEdit(fields[1], fields[2]), true
	case "filter":
		args := splitLine(line)
		if len(args) < 2 {
			return usageEdit("filter COMMAND [ID...]"), true
		}
		return filterEdit(args[1], args[2:]), true
	}
	return nil, false
}

func usageEdit(u string) func(*cib.CIB) error {
	return func(*cib.CIB) error { return fmt.Errorf("usage: %s", u) }
}

// loadEdit reads crm syntax or CIB XML from a file (or stdin, "-").
// update merges objects in (replacing those with the same id); replace
// and push make the file the whole configuration.
func (s *session) loadEdit(mode, file string) func(*cib.CIB) error {
	return func(c *cib.CIB) error {
		var data []byte
		var err error
		if file == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(file)
		}
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")) {
			x, err := cib.Parse(data)
			if err != nil {
				return fmt.Errorf("load %s: %w", file, err)
			}
			if mode == "update" {
				c.UpdateXML(x)
				return nil
			}
			c.ReplaceConfiguration(x)
			return nil
		}
		stmts, err := grammar.Parse(string(data))
		if err != nil {
			return fmt.Errorf("load %s: %w", file, err)
		}
		if mode != "update" {
			c.Erase(false)
			c.Erase(true)
		}
		return c.Update(stmts)
	}
}

// filterEdit pipes the crm text of the named objects (or of everything)
// through a shell command and takes the output as their new definition.
func filterEdit(command string, ids []string) func(*cib.CIB) error {
	return func(c *cib.CIB) error {
		text, err := c.Show(ids...)
		if err != nil {
			return fmt.Errorf("filter: %w", err)
		}
		cmd := exec.Command("/bin/sh", "-c", command)
		cmd.Stdin = strings.NewReader(text)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("filter %q: %v %s", command, err, strings.TrimSpace(errb.String()))
		}
		stmts, err := grammar.Parse(out.String())
		if err != nil {
			return fmt.Errorf("filter output: %w", err)
		}
		var keep []*grammar.Statement
		for _, st := range stmts {
			if st.Node == nil || len(ids) > 0 {
				keep = append(keep, st)
			}
		}
		return c.Update(keep)
	}
}

// saveConfig writes the working copy to a file, in crm syntax or XML.
func saveConfig(c *cib.CIB, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: save [xml] FILE")
	}
	asXML := args[0] == "xml"
	if asXML {
		args = args[1:]
	}
	if len(args) != 1 {
		return fmt.Errorf("usage: save [xml] FILE")
	}
	var data []byte
	if asXML || strings.HasSuffix(args[0], ".xml") {
		data = c.Bytes()
	} else {
		text, err := c.Show()
		if err != nil {
			return err
		}
		data = []byte(text)
	}
	if err := cib.WriteFileAtomic(args[0], data, 0o644); err != nil {
		return fmt.Errorf("save %s: %w", args[0], err)
	}
	return nil
}

// changedText lists the objects of work that differ from base, in crm
// syntax (show changed).
func changedText(base, work *cib.CIB) string {
	before, _ := base.Show()
	after, _ := work.Show()
	old := map[string]bool{}
	for _, o := range splitObjects(before) {
		old[o] = true
	}
	var out []string
	for _, o := range splitObjects(after) {
		if !old[o] {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// splitObjects cuts show's text into objects (continuation lines stay
// with their object).
func splitObjects(text string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(line, "\t") && len(out) > 0 {
			out[len(out)-1] += "\n" + line
			continue
		}
		out = append(out, line)
	}
	return out
}
