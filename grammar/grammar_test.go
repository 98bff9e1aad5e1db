package grammar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/parse/*.crm")
	if len(files) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, _ := os.ReadFile(in)
			var got string
			stmts, err := Parse(string(src))
			if err != nil {
				got = "error: " + err.Error() + "\n"
			} else {
				b, _ := json.MarshalIndent(stmts, "", "  ")
				got = string(b) + "\n"
			}
			golden := strings.TrimSuffix(in, ".crm") + ".golden"
			if os.Getenv("UPDATE_GOLDEN") != "" {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, _ := os.ReadFile(golden)
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"primitive", "line 1:10: primitive: expected a name, got the end of the statement"},
		{"primitive d1 ocf:pacer:Dummy op monitor interval", `line 1:41: primitive: expected params, meta, utilization, op or key=value, got "interval"`},
		{"primitive d1 Dummy params", `line 1:20: primitive: expected at least one key=value after "params"`},
		{"primitive 1d Dummy", `line 1:1: primitive: "1d" is not a valid id`},
		{"primitve d1 Dummy", `unknown command "primitve"`},
		{"property stonith-enabled", `line 1:10: property: expected`},
		{"location l1 d1 node1", `line 1:16: location: expected a score and a node such as 100: node1, or rule, got "node1"`},
		{"location l1 d1 rule 10: #uname eq n1 and a eq 1 or b eq 2", "line 1:49: location: mixing and with or in one rule is not allowed"},
		{"location l1 d1 rule 10: #uname frob n1", `"frob" is not a comparison`},
		{"location l1 d1 rule date soon 2030-01-01", `date "soon": expected gt, lt, in or spec`},
		{"primitive d1 Dummy params a=\"b", "line 1:29: unterminated \" quote"},
		{"property a=b\n\nprimitive d1 Dummy \\\n  meta", "line 4:"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): %v\nwant it to contain %q", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q): error spans lines: %q", tc.in, err)
		}
	}
}

func TestQuoteArgs(t *testing.T) {
	st, err := ParseArgs([]string{"primitive", "d1", "ocf:pacer:Dummy", "params", "fake=a b \"c\"", "op", "monitor", "interval=10s"})
	if err != nil {
		t.Fatal(err)
	}
	p := st.Primitive
	if p.Sections[0].Pairs[0].Value != `a b "c"` || p.Sections[1].Op.Attrs[0] != (NVPair{"interval", "10s"}) {
		t.Fatalf("%+v %+v", p.Sections[0], p.Sections[1].Op)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"primitive d1 Dummy params a=b op monitor interval=10s", "property stonith-enabled=false",
		"location l1 d1 inf: n1", "rsc_defaults resource-stickiness=100", "primitive d1 \\\n Dummy", "a \"b", "#c\nproperty a=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		stmts, err := Parse(s)
		if err != nil {
			var e *Error
			if !asError(err, &e) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		for _, st := range stmts {
			if st.Keyword() == "" {
				t.Fatalf("statement without a kind in %q", s)
			}
		}
	})
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}
