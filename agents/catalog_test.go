package agents

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCatalog(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, mode os.FileMode) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "ocf/resource.d/heartbeat/IPaddr2"), 0o755)
	write(filepath.Join(dir, "ocf/resource.d/heartbeat/Dummy"), 0o755)
	write(filepath.Join(dir, "ocf/resource.d/heartbeat/README"), 0o644) // not an agent
	write(filepath.Join(dir, "ocf/resource.d/pacer/Dummy"), 0o755)
	write(filepath.Join(dir, "init.d/nginx"), 0o755)
	write(filepath.Join(dir, "ha.d/resource.d/MailTo"), 0o755)
	write(filepath.Join(dir, "sbin/fence_xvm"), 0o755)
	write(filepath.Join(dir, "sbin/sshd"), 0o755) // not a fence agent
	// cluster-glue: its stonith command and two kinds of plugin.
	write(filepath.Join(dir, "sbin/stonith"), 0o755)
	write(filepath.Join(dir, "plugins/stonith2/null.so"), 0o644)
	write(filepath.Join(dir, "plugins/stonith2/external.so"), 0o644) // the loader of external/
	write(filepath.Join(dir, "plugins/external/ssh"), 0o755)
	t.Setenv("PACER_STONITH_BIN", filepath.Join(dir, "sbin/stonith"))
	t.Setenv("PACER_STONITH_PLUGINS", filepath.Join(dir, "plugins"))
	c := Catalog{OCFRoots: []string{filepath.Join(dir, "ocf")}, InitDir: filepath.Join(dir, "init.d"), FenceDir: filepath.Join(dir, "sbin"),
		HeartbeatDir: filepath.Join(dir, "ha.d/resource.d")}
	for _, tc := range []struct {
		got, want []string
	}{
		{c.Providers(""), []string{"heartbeat", "pacer"}},
		{c.Providers("Dummy"), []string{"heartbeat", "pacer"}},
		{c.Providers("IPaddr2"), []string{"heartbeat"}},
		{c.Agents("ocf", "heartbeat"), []string{"Dummy", "IPaddr2"}},
		{c.Agents("ocf", ""), []string{"Dummy", "IPaddr2"}},
		{c.Agents("lsb", ""), []string{"nginx"}},
		{c.Agents("stonith", ""), []string{"external/ssh", "fence_pacer", "fence_xvm", "null"}},
		{c.Agents("heartbeat", ""), []string{"MailTo"}},
		{c.Classes()[:4], []string{"lsb", "heartbeat", "ocf / heartbeat pacer", "service"}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
