package cib

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoadDigestAndBackups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cib.xml")
	c := New()
	for i := 0; i < Backups+3; i++ {
		c.SetProperty("cluster-name", fmt.Sprint("c", i))
		c.BumpEpoch()
		c.BumpUpdates()
		c.SetNodeState(NodeState{ID: "1", Uname: "n1", InCCM: true, Online: true}, nil)
		if err := Save(path, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Property("cluster-name"); v != fmt.Sprint("c", Backups+2) {
		t.Errorf("loaded cluster-name %q", v)
	}
	if got.Version().NumUpdates != 0 || len(got.Status().ChildElements()) != 0 {
		t.Errorf("status or num_updates written to disk: %s", got.Bytes())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	// The newest backups are kept, and no more than Backups of them.
	for i := 1; i <= Backups; i++ {
		b, err := Load(fmt.Sprintf("%s.%d", path, i))
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		if v, _ := b.Property("cluster-name"); v != fmt.Sprint("c", Backups+2-i) {
			t.Errorf("backup %d holds %q", i, v)
		}
	}
	if _, err := os.Stat(fmt.Sprintf("%s.%d", path, Backups+1)); err == nil {
		t.Error("more backups than Backups")
	}
	// No temporary files are left.
	ents, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left %s", e.Name())
		}
	}
}

func TestHandEditedCIBIsRefusedUntilAccepted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cib.xml")
	if err := Save(path, New()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	edited := strings.Replace(string(data), "<nodes/>", `<nodes><node id="1" uname="n1"/></nodes>`, 1)
	os.WriteFile(path, []byte(edited), 0o600)
	_, err := Load(path)
	if !errors.Is(err, ErrDigestMismatch) || !strings.Contains(err.Error(), "pacer cib accept "+path) {
		t.Fatalf("hand-edited file: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != edited {
		t.Fatal("Load touched the hand-edited file")
	}
	if err := Accept(path); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.FindID("1") == nil {
		t.Fatalf("after accept: %v", err)
	}
	// A broken edit cannot be accepted.
	os.WriteFile(path, []byte("<cib>"), 0o600)
	if err := Accept(path); err == nil {
		t.Fatal("accepted a broken file")
	}
}
