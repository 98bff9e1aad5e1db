package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateAgreesWithPacemaker runs Pacer's crm_simulate and
// Pacemaker's (when installed: Debian's pacemaker-cli-utils, which CI
// installs) on every engine golden input and wants the same summary,
// line for line: the goldens pin Pacer's plans, this pins them to
// Pacemaker's.
func TestSimulateAgreesWithPacemaker(t *testing.T) {
	real, err := exec.LookPath("/usr/sbin/crm_simulate")
	if err != nil {
		t.Skip("Pacemaker's crm_simulate is not installed")
	}
	inputs, _ := filepath.Glob("../../engine/testdata/*.xml")
	if len(inputs) == 0 {
		t.Fatal("no engine golden inputs")
	}
	for _, in := range inputs {
		t.Run(strings.TrimSuffix(filepath.Base(in), ".xml"), func(t *testing.T) {
			var ours, errs bytes.Buffer
			if rc := runCrmSimulate([]string{"-x", in, "-S"}, nil, &ours, &errs); rc != 0 {
				t.Fatalf("exit %d: %s", rc, errs.String())
			}
			cmd := exec.Command(real, "-x", in, "-S")
			cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
			theirs, err := cmd.Output()
			if err != nil {
				t.Fatalf("Pacemaker's crm_simulate: %v", err)
			}
			if ours.String() != string(theirs) {
				t.Errorf("Pacer's summary differs from Pacemaker's:\n--- Pacer\n%s\n--- Pacemaker\n%s", ours.String(), theirs)
			}
		})
	}
}
