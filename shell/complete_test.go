package shell

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestCompletion: what tab offers, by level and by the words before it.
func TestCompletion(t *testing.T) {
	b := newFile(t)
	for _, cmd := range [][]string{
		{"configure", "property", "stonith-enabled=false"},
		{"configure", "primitive", "d1", "ocf:pacer:Dummy"},
		{"configure", "primitive", "web", "ocf:pacer:Dummy"},
		{"configure", "node", "node1"},
		{"configure", "node", "node2"},
	} {
		if rc, _, errs := run(b, "", cmd...); rc != 0 {
			t.Fatalf("%v: %s", cmd, errs)
		}
	}
	s := &session{b: b, live: b, out: io.Discard, errw: io.Discard}
	c := &completer{s: s}
	for _, tc := range []struct {
		level, line string
		want        []string // endings that must be offered
		not         []string // endings that must not
	}{
		{"", "conf", []string{"igure"}, nil},
		{"", "resource st", []string{"art", "op", "atus"}, nil},
		{"", "resource stop d", []string{"1"}, []string{"eb"}},
		{"resource", "start ", []string{"d1", "web"}, nil},
		{"resource", "move web node", []string{"1", "2"}, nil},
		{"node", "standby n", []string{"ode1", "ode2"}, nil},
		{"configure", "primitive d2 ocf:pa", []string{"cer:"}, nil},
		{"configure", "primitive d2 ocf:pacer:Du", []string{"mmy"}, nil},
		{"configure", "primitive d2 ocf:pacer:Dummy params fa", []string{"ke="}, nil},
		{"configure", "primitive d2 ocf:pacer:Dummy params fake=1 st", []string{"ate="}, nil},
		{"configure", "show w", []string{"eb"}, nil},
		{"ra", "info ocf:pacer:D", []string{"ummy"}, nil},
	} {
		s.level = tc.level
		got, _ := c.Do([]rune(tc.line), len([]rune(tc.line)))
		var endings []string
		for _, g := range got {
			endings = append(endings, string(g))
		}
		for _, w := range tc.want {
			if !slices.Contains(endings, w) {
				t.Errorf("level %q, %q: %q not offered (got %q)", tc.level, tc.line, w, endings)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(endings, w) {
				t.Errorf("level %q, %q: %q offered", tc.level, tc.line, w)
			}
		}
	}
}

// TestRaInfo: ra info shows an installed agent's parameters (required
// ones starred, with types and defaults) and advised timeouts.
func TestRaInfo(t *testing.T) {
	if _, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/IPaddr2"); err != nil {
		t.Skip("Debian's resource-agents is not installed")
	}
	b := newFile(t)
	t.Setenv("PACER_OCF_ROOTS", "/usr/lib/ocf")
	rc, out, errs := run(b, "", "ra", "info", "ocf:heartbeat:IPaddr2")
	if rc != 0 {
		t.Fatalf("rc %d: %s", rc, errs)
	}
	for _, want := range []string{"IPaddr2 (ocf:heartbeat:IPaddr2)", "ip* (string):", "cidr_netmask (string", "Operations' defaults", "start                timeout=20s"} {
		if !strings.Contains(out, want) {
			t.Errorf("ra info lacks %q:\n%s", want, out)
		}
	}
	if rc, _, errs := run(b, "", "ra", "list", "ocf", "heartbeat"); rc != 0 {
		t.Errorf("ra list: %s", errs)
	}
}
