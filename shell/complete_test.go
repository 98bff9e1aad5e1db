package shell

import (
	"io"
	"slices"
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
