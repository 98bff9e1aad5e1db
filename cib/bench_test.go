package cib

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pacer-ha/pacer/grammar"
)

// bigConfig is 5,000 primitives with 5,000 location constraints, in crm
// syntax, as an administrator's `load update` file would hold them.
func bigConfig(n int) string {
	var b strings.Builder
	b.WriteString("property stonith-enabled=false\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "primitive r%d ocf:heartbeat:Dummy params fake=%d op monitor interval=10s timeout=20s\n", i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "location l%d r%d %d: node%d\n", i, i, i%100, i%16)
	}
	return b.String()
}

// BenchmarkLoadUpdate5000 parses and applies 5,000 primitives and 5,000
// constraints (target: under 1 s per operation).
func BenchmarkLoadUpdate5000(b *testing.B) {
	src := bigConfig(5000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		stmts, err := grammar.Parse(src)
		if err != nil {
			b.Fatal(err)
		}
		c := New()
		if err := c.Update(stmts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShow5000 renders that configuration back (target: under 1 s).
func BenchmarkShow5000(b *testing.B) {
	stmts, err := grammar.Parse(bigConfig(5000))
	if err != nil {
		b.Fatal(err)
	}
	c := New()
	if err := c.Update(stmts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Show(); err != nil {
			b.Fatal(err)
		}
	}
}
