package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pcmk "github.com/pacer-ha/pacer/tools"
)

// TestToolNames: every tool of package tools answers by its name, and
// make build links it.
func TestToolNames(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	var linked []string
	for _, line := range strings.Split(string(mk), "\n") {
		if rest, ok := strings.CutPrefix(line, "TOOLS"); ok {
			_, list, _ := strings.Cut(rest, ":=")
			linked = strings.Fields(list)
		}
	}
	for _, name := range pcmk.Names {
		if tools[name] == nil {
			t.Errorf("%s is not a name of the binary", name)
		}
		found := false
		for _, l := range linked {
			found = found || l == name
		}
		if !found {
			t.Errorf("make build does not link bin/%s (Makefile TOOLS)", name)
		}
	}
}

// TestToolsOnCIBFile runs the tools as the binary does, by name, on
// CIB_file.
func TestToolsOnCIBFile(t *testing.T) {
	data, err := os.ReadFile("../../tools/testdata/cluster.xml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cib.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CIB_file", path)
	run := func(args ...string) (int, string) {
		var out, errs bytes.Buffer
		rc := runPacer(args, strings.NewReader(""), &out, &errs)
		return rc, out.String() + errs.String()
	}
	if rc, out := run("crm_resource", "-W", "-r", "d1"); rc != 0 || out != "resource d1 is running on: node1\n" {
		t.Errorf("crm_resource -W: %d %q", rc, out)
	}
	if rc, out := run("crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-G", "-q"); rc != 0 || out != "false\n" {
		t.Errorf("crm_attribute -G: %d %q", rc, out)
	}
	if rc, out := run("crm_resource", "-r", "d1", "-p", "target_role", "-v", "stopped"); rc != 0 || !strings.Contains(out, "name=target-role value=stopped") {
		t.Errorf("crm_resource -p target_role: %d %q", rc, out)
	}
	if rc, out := run("cibadmin", "-Q", "-o", "nodes"); rc != 0 || !strings.HasPrefix(out, "<nodes>\n") || strings.HasSuffix(out, "\n\n") {
		t.Errorf("cibadmin -Q -o nodes: %d %q", rc, out)
	}
	if rc, out := run("crm_verify", "-L"); rc != 0 || out != "" {
		t.Errorf("crm_verify -L: %d %q", rc, out)
	}
	if rc, out := run("crm_standby", "-N", "node2", "-v", "on"); rc != 0 || out != "" {
		t.Errorf("crm_standby: %d %q", rc, out)
	}
	if rc, out := run("crm_failcount", "-G", "-r", "d2", "-N", "node2", "-q"); rc != 0 || out != "1\n" {
		t.Errorf("crm_failcount: %d %q", rc, out)
	}
	if rc, out := run("crm_node", "-p"); rc != 0 || out != "node1 node2 node3 \n" {
		t.Errorf("crm_node -p: %d %q", rc, out)
	}
	if rc, _ := run("crm_ticket", "-t", "T1", "-g", "--force"); rc != 0 {
		t.Errorf("crm_ticket -g: %d", rc)
	}
	if rc, out := run("crm_ticket", "-t", "T1", "-G", "granted"); rc != 0 || out != "true\n" {
		t.Errorf("crm_ticket -G: %d %q", rc, out)
	}
}
