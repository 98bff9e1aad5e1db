package cib

import "testing"

func TestBooleans(t *testing.T) {
	for _, tc := range []struct {
		in          string
		true, false bool
	}{{"true", true, false}, {" On ", true, false}, {"Y", true, false}, {"1", true, false},
		{"false", false, true}, {"off", false, true}, {"N", false, true}, {"0", false, true},
		{"", false, false}, {"maybe", false, false}, {"2", false, false}} {
		if IsTrue(tc.in) != tc.true || IsFalse(tc.in) != tc.false {
			t.Errorf("%q: IsTrue %v IsFalse %v", tc.in, IsTrue(tc.in), IsFalse(tc.in))
		}
	}
}
