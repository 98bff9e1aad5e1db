package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"log/syslog"
	"os"
	"sync"
)

// NewLogger builds the daemon's logger from ha.cf's logging directives,
// as Heartbeat logged: always to w (the daemon's stderr), and also to
// logfile, to debugfile with debug messages included, and to syslog under
// logfacility (unless it is "none"). debug > 0 adds debug messages to w.
// The LogFiles it returns are closed at the end, and opened again under
// their names on SIGHUP (after logrotate).
func NewLogger(cfg *Config, w io.Writer) (log *slog.Logger, files *LogFiles, err error) {
	level := slog.LevelInfo
	if cfg.Debug > 0 {
		level = slog.LevelDebug
	}
	handlers := []slog.Handler{slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})}
	files = &LogFiles{}
	closeAll := files.Close
	open := func(path string, lvl slog.Level) error {
		f := &logFile{path: path}
		if err := f.Reopen(); err != nil {
			return fmt.Errorf("%s: %w", cfg.Path, err)
		}
		files.closers = append(files.closers, f)
		handlers = append(handlers, slog.NewTextHandler(f, &slog.HandlerOptions{Level: lvl}))
		return nil
	}
	if cfg.LogFile != "" {
		if err := open(cfg.LogFile, slog.LevelInfo); err != nil {
			closeAll()
			return nil, nil, err
		}
	}
	if cfg.DebugFile != "" {
		if err := open(cfg.DebugFile, slog.LevelDebug); err != nil {
			closeAll()
			return nil, nil, err
		}
	}
	var syslogErr error
	if f, ok := syslogFacilities[cfg.LogFacility]; ok {
		sw, err := syslog.New(syslog.Priority(f<<3)|syslog.LOG_INFO, "pacer")
		if err != nil {
			syslogErr = fmt.Errorf("logfacility %s: no syslog here (%w); logging to the other outputs", cfg.LogFacility, err)
		} else {
			files.closers = append(files.closers, sw)
			handlers = append(handlers, slog.NewTextHandler(sw, &slog.HandlerOptions{Level: slog.LevelInfo}))
		}
	}
	log = slog.New(fanout(handlers))
	if syslogErr != nil {
		log.Warn(syslogErr.Error())
	}
	return log, files, nil
}

// LogFiles are the daemon's open log outputs.
type LogFiles struct {
	closers []io.Closer
}

// Close closes them.
func (l *LogFiles) Close() {
	for _, c := range l.closers {
		c.Close()
	}
}

// Reopen opens the log files again under their names.
func (l *LogFiles) Reopen() {
	for _, c := range l.closers {
		if f, ok := c.(*logFile); ok {
			f.Reopen()
		}
	}
}

// fanout sends each record to every handler that wants it.
type fanout []slog.Handler

func (f fanout) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range f {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (f fanout) WithAttrs(a []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(a)
	}
	return out
}

func (f fanout) WithGroup(name string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(name)
	}
	return out
}

// logFile is a log file that can be opened again under its name, after
// logrotate moved it away (on SIGHUP).
type logFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Write(p)
}

// Reopen opens the file again under its name.
func (l *logFile) Reopen() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}
