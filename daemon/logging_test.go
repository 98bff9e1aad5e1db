package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoggerFiles: the daemon logs to stderr, logfile and (with debug
// messages) debugfile; after logrotate moves the file away, Reopen (on
// SIGHUP) writes to a new one under the same name.
func TestLoggerFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := &Config{Path: "ha.cf", LogFile: filepath.Join(dir, "ha-log"), DebugFile: filepath.Join(dir, "ha-debug"), LogFacility: "none"}
	var stderr bytes.Buffer
	log, files, err := NewLogger(cfg, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	log.Info("first")
	log.Debug("detail")
	if err := os.Rename(cfg.LogFile, cfg.LogFile+".1"); err != nil {
		t.Fatal(err)
	}
	files.Reopen()
	log.Info("second")
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }
	if s := read(cfg.LogFile + ".1"); !strings.Contains(s, "msg=first") || strings.Contains(s, "second") || strings.Contains(s, "detail") {
		t.Errorf("rotated log: %q", s)
	}
	if s := read(cfg.LogFile); !strings.Contains(s, "msg=second") || strings.Contains(s, "first") {
		t.Errorf("reopened log: %q", s)
	}
	if s := read(cfg.DebugFile); !strings.Contains(s, "msg=detail") || !strings.Contains(s, "msg=second") {
		t.Errorf("debug file: %q", s)
	}
	if s := stderr.String(); !strings.Contains(s, "msg=first") || strings.Contains(s, "detail") {
		t.Errorf("stderr: %q", s)
	}
	if _, _, err := NewLogger(&Config{Path: "ha.cf", LogFile: filepath.Join(dir, "no", "such", "dir")}, &stderr); err == nil {
		t.Error("a log file that cannot be created is no error")
	}
}
