package cib

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/pacer-ha/pacer/grammar"
)

func applyAll(t *testing.T, c *CIB, src string) {
	t.Helper()
	stmts, err := grammar.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stmts {
		if err := c.Apply(st); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDiffPatch: for random sequences of edits, the patch from a to b
// applied to a gives b exactly, and is small for small edits.
func TestDiffPatch(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	a := New()
	applyAll(t, a, "property stonith-enabled=false\nprimitive base Dummy\nlocation lb base 10: n1")
	for round := 0; round < 200; round++ {
		b := a.Clone()
		switch rng.Intn(5) {
		case 0:
			applyAll(t, b, fmt.Sprintf("primitive r%d Dummy params fake=%d", round, rng.Intn(9)))
		case 1:
			if prims := b.Primitives(); len(prims) > 1 {
				b.Delete(prims[rng.Intn(len(prims))].SelectAttrValue("id", ""))
			}
		case 2:
			b.SetProperty("cluster-name", fmt.Sprint("c", round))
		case 3:
			h := NewNodeHistory("n1", "n1")
			h.Record(op("base", "start", 0, 0, 0))
			b.SetNodeState(NodeState{ID: "n1", Uname: "n1", InCCM: true, Online: true}, h)
			b.BumpUpdates()
		case 4:
			applyAll(t, b, fmt.Sprintf("node n%d attributes rack=r%d", round, round))
		}
		b.BumpEpoch()
		p := Diff(a, b)
		got, err := a.ApplyPatch(p)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if string(got.Compact()) != string(b.Compact()) {
			t.Fatalf("round %d: patched\n%s\nwant\n%s", round, got.Bytes(), b.Bytes())
		}
		if len(p.Changes) > 3 {
			t.Errorf("round %d: %d changes for one edit", round, len(p.Changes))
		}
		a = b
	}
}

func TestPatchRefusesOtherBase(t *testing.T) {
	a := New()
	b := a.Clone()
	b.SetProperty("x", "1")
	b.BumpEpoch()
	p := Diff(a, b)
	other := a.Clone()
	other.BumpEpoch()
	if _, err := other.ApplyPatch(p); !errors.Is(err, ErrPatchBase) {
		t.Fatalf("applied to another version: %v", err)
	}
	// Same version, but an object the patch does not touch differs: the
	// result would not be the sender's document, and the digest says so.
	forged := a.Clone()
	applyAll(t, forged, "primitive stray Dummy")
	if _, err := forged.ApplyPatch(p); !errors.Is(err, ErrPatchBase) {
		t.Fatalf("applied to other content: %v", err)
	}
}
