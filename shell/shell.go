package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"github.com/pacer-ha/pacer/cib"
	"github.com/pacer-ha/pacer/engine"
	"github.com/pacer-ha/pacer/grammar"
	"github.com/pacer-ha/pacer/monitor"
)

// session is one run of crm.
type session struct {
	b               Backend
	out, errw       io.Writer
	force           bool
	failed          bool
	level           string                       // "" (top) or "configure"
	work, base      *cib.CIB                     // configure's working copy and what it was taken from
	invalid         []string                     // why the working copy would not verify
	live            Backend                      // the cluster (or CIB_file); b is a shadow when one is in use
	ask             func(question string) string // reads an answer on a terminal; nil otherwise
	shadow          string                       // the shadow CIB in use, "" for live
	interactive     bool
	conflictRetries int
	stopped         bool // a batch run ended by an error that must not be passed over
	wait            bool // -w: wait until the cluster has done what was asked
}

// Main runs the crm command with args; with no command it reads commands
// from stdin, one per line. It returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, b Backend) int {
	s := &session{b: b, live: b, out: stdout, errw: stderr, conflictRetries: 5}
	if name := os.Getenv("CIB_shadow"); name != "" {
		s.useShadow(name)
	}
	var script string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; {
		case a == "-F" || a == "--force":
			s.force = true
		case a == "-w" || a == "--wait":
			s.wait = true
		case a == "-R" || a == "--regression-tests":
		case a == "-f" || a == "--file":
			if len(args) < 2 {
				return s.fail("-f needs a file")
			}
			script = args[1]
			args = args[1:]
		case strings.HasPrefix(a, "--file="):
			script = strings.TrimPrefix(a, "--file=")
		case a == "-h" || a == "--help":
			fmt.Fprintln(stdout, "usage: crm [-F] [-f FILE] [configure|status] [ARGS...]")
			return 0
		default:
			return s.fail(fmt.Sprintf("unknown option %s", a))
		}
		args = args[1:]
	}
	if script != "" {
		f, err := os.Open(script)
		if err != nil {
			return s.fail(err.Error())
		}
		defer f.Close()
		stdin = f
	}
	if len(args) > 0 {
		s.oneShot(args)
		s.waitIdle()
		return s.status()
	}
	if f, ok := stdin.(*os.File); ok && script == "" {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			s.interactive = true
		}
	}
	s.readLines(stdin)
	s.waitIdle()
	return s.status()
}

// waitIdle, with -w, waits until the cluster has carried out what the
// commands asked: the scheduler has nothing left to do. Only a live
// cluster can be waited on.
func (s *session) waitIdle() {
	if !s.wait || s.failed {
		return
	}
	if _, offline := s.live.(FileBackend); offline {
		return // a CIB file changes by itself: nothing to wait for
	}
	deadline := time.Now().Add(waitLimit)
	for {
		c, err := s.live.Load()
		if err != nil {
			s.error("wait: " + err.Error())
			return
		}
		plan, err := engine.Schedule(engine.Input{CIB: c, Now: time.Now()})
		if err != nil {
			s.error("wait: " + err.Error())
			return
		}
		if len(plan.Actions) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.error(fmt.Sprintf("wait: the cluster has not finished within %s (%d actions left); see crm status", waitLimit, len(plan.Actions)))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitLimit bounds -w.
var waitLimit = 5 * time.Minute

func (s *session) status() int {
	if s.failed {
		return 1
	}
	return 0
}

func (s *session) fail(msg string) int {
	s.error(msg)
	return 1
}

func (s *session) error(msg string) {
	s.failed = true
	fmt.Fprintf(s.errw, "ERROR: %s\n", msg)
}

func (s *session) info(msg string) { fmt.Fprintf(s.errw, "INFO: %s\n", msg) }

// oneShot runs a command given on the command line: it takes effect at once.
func (s *session) oneShot(args []string) {
	switch args[0] {
	case "status":
		s.showStatus()
	case "resource", "rsc":
		s.resourceCommand(args[1:])
	case "node":
		s.nodeCommand(args[1:])
	case "cib":
		s.cibCommand(args[1:])
	case "ra":
		s.raCommand(args[1:])
	case "options":
		s.optionsCommand(args[1:])
	case "configure", "cfg":
		if len(args) == 1 {
			s.error("configure: give a command, e.g. primitive, group, location, property, show, delete, verify (or run crm and type configure)")
			return
		}
		s.configureOneShot(args[1:])
	default:
		s.error(fmt.Sprintf("unknown command %q (this version knows configure, resource, node, cib, ra, options and status)", args[0]))
	}
}

func (s *session) showStatus() {
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	if err := monitor.Render(s.out, c, time.Now(), monitor.Options{Inactive: true}); err != nil {
		s.error(err.Error())
	}
}

// configureOneShot applies one configure command to the live CIB. An edit
// made against a CIB that changed meanwhile is made again on the new one:
// a one-shot command means "do this now".
func (s *session) configureOneShot(args []string) {
	switch args[0] {
	case "show", "verify", "save":
		c, err := s.b.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		switch args[0] {
		case "show":
			s.show(c, args[1:])
		case "verify":
			for _, p := range problems(c) {
				s.error(p)
			}
		case "save":
			if err := saveConfig(c, args[1:]); err != nil {
				s.error(err.Error())
			}
		}
		return
	}
	if edit, ok := s.editCommand(args, grammar.QuoteArgs(args)); ok {
		s.configureEdit(edit)
		return
	}
	edit, err := s.parseEdit(args)
	if err != nil {
		s.error(err.Error())
		return
	}
	s.configureEdit(edit)
}

// parseEdit turns a configure command into a function that applies it.
func (s *session) parseEdit(args []string) (func(*cib.CIB) error, error) {
	switch args[0] {
	case "delete", "rm":
		ids := args[1:]
		if len(ids) == 0 {
			return nil, errors.New("delete: name what to delete")
		}
		return func(c *cib.CIB) error {
			notes, err := c.Delete(ids...)
			if err != nil {
				return fmt.Errorf("delete: %w", err)
			}
			for _, n := range notes {
				s.info(n)
			}
			return nil
		}, nil
	case "commit", "verify", "up", "end", "cd", "quit", "exit", "bye", "refresh":
		return func(*cib.CIB) error { return nil }, nil
	}
	st, err := grammar.ParseArgs(args)
	if err != nil {
		return nil, err
	}
	return s.statementEdit(st), nil
}

func (s *session) statementEdit(st *grammar.Statement) func(*cib.CIB) error {
	return func(c *cib.CIB) error {
		return c.Apply(st)
	}
}

// problems lists why c would not verify: cib.Verify's findings, agents
// that are not installed here, and resources without fencing.
func problems(c *cib.CIB) []string {
	// As crmsh, a configuration without resources is not verified: there
	// is nothing for a mistake to break yet.
	if len(c.Primitives()) == 0 {
		return nil
	}
	var out []string
	for _, p := range c.Verify() {
		out = append(out, p.String())
	}
	out = append(out, propertyProblems(c)...)
	out = append(out, agentProblems(c)...)
	if err := checkStonith(c); err != nil {
		out = append(out, err.Error())
	}
	return out
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// newProblems are the problems of next that base did not have.
func newProblems(base, next *cib.CIB) []string {
	had := map[string]bool{}
	for _, p := range problems(base) {
		had[p] = true
	}
	var out []string
	for _, p := range problems(next) {
		if !had[p] {
			out = append(out, p)
		}
	}
	return out
}

func (s *session) show(c *cib.CIB, args []string) {
	if len(args) > 0 && args[0] == "xml" {
		s.out.Write(c.Bytes())
		fmt.Fprintln(s.out)
		return
	}
	text, err := c.Show(args...)
	if err != nil {
		s.error("show: " + err.Error())
		return
	}
	io.WriteString(s.out, text)
}

// readLines runs commands from r. In configure, statements edit a working
// copy, committed by `commit` and when the level is left or input ends.
func (s *session) readLines(r io.Reader) {
	if s.interactive {
		s.readTerminal()
		return
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	pending := ""
	for sc.Scan() {
		line := sc.Text()
		if strings.HasSuffix(line, "\\") {
			pending += line + "\n"
			continue
		}
		line = pending + line
		pending = ""
		if s.command(strings.TrimSpace(line)) || s.stopped {
			return
		}
	}
	if s.level == "configure" {
		s.leaveConfigure()
	}
}

func (s *session) promptText() string {
	where := "live"
	if s.shadow != "" {
		where = s.shadow
	}
	return fmt.Sprintf("crm(%s/%s)%s# ", where, s.hostName(), s.level)
}

// readTerminal reads commands with line editing and a history kept
// across sessions in ~/.crm_history.
func (s *session) readTerminal() {
	hist := ""
	if home, err := os.UserHomeDir(); err == nil {
		hist = filepath.Join(home, ".crm_history")
	}
	rl, err := readline.NewEx(&readline.Config{Prompt: s.promptText(), HistoryFile: hist, InterruptPrompt: "^C", EOFPrompt: "quit",
		AutoComplete: &completer{s: s}})
	if err != nil {
		s.error(err.Error())
		return
	}
	defer rl.Close()
	s.ask = func(q string) string {
		rl.SetPrompt(q)
		defer rl.SetPrompt(s.promptText())
		a, err := rl.Readline()
		if err != nil {
			return ""
		}
		return strings.ToLower(strings.TrimSpace(a))
	}
	pending := ""
	for {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			pending = ""
			continue
		}
		if err != nil {
			// End of input (Ctrl-D) is a quit: pending changes are asked about.
			if s.level == "configure" && !s.leaveConfigure() {
				continue
			}
			return
		}
		if strings.HasSuffix(line, "\\") {
			pending += line + "\n"
			rl.SetPrompt("> ")
			continue
		}
		line, pending = pending+line, ""
		if s.command(strings.TrimSpace(line)) {
			return
		}
		rl.SetPrompt(s.promptText())
	}
}

// command runs one line; it returns true to stop.
func (s *session) command(line string) bool {
	if line == "" || strings.HasPrefix(line, "#") {
		return false
	}
	fields := strings.Fields(line)
	switch fields[0] {
	case "quit", "exit", "bye":
		if s.level == "configure" && !s.leaveConfigure() {
			return false // stay, as asked
		}
		return true
	case "help", "?":
		s.help(fields[1:])
		return false
	case "ls":
		s.printCommands(s.level)
		return false
	case "cd":
		to := ""
		if len(fields) > 1 {
			to = fields[1]
		}
		s.changeLevel(to)
		return false
	case "up", "end":
		if fields[0] == "end" && s.level == "configure" {
			s.warn("This command 'end' is deprecated, please use 'up'")
		}
		s.changeLevel("")
		return false
	case "status":
		s.showStatus()
		return false
	}
	if s.level == "" {
		// A level's name enters it; with more words, runs that command
		// there at once.
		if l := levelName(fields[0]); l != "" {
			if len(fields) == 1 {
				s.changeLevel(l)
				return false
			}
			s.oneShot(splitLine(line))
			return false
		}
		s.error(fmt.Sprintf("unknown command %q (type help for the commands)", fields[0]))
		return false
	}
	switch s.level {
	case "resource":
		s.resourceCommand(splitLine(line))
		return false
	case "node":
		s.nodeCommand(splitLine(line))
		return false
	case "cib":
		s.cibCommand(splitLine(line))
		return false
	case "ra":
		s.raCommand(splitLine(line))
		return false
	case "options":
		s.optionsCommand(splitLine(line))
		return false
	}
	// In configure. A misspelt command is taken for the one it surely means.
	if k, ok := grammar.Fuzzy(fields[0]); ok && k != fields[0] && !isLevelCommand(fields[0]) {
		s.info(fmt.Sprintf("%q is accepted as %q", fields[0], k))
		line = k + strings.TrimPrefix(strings.TrimSpace(line), fields[0])
		fields[0] = k
	}
	if edit, ok := s.editCommand(fields, line); ok {
		s.stage(edit)
		return false
	}
	switch fields[0] {
	case "discard":
		s.work, s.invalid = s.base.Clone(), nil
		s.info("changes discarded")
	case "verify":
		ps := problems(s.work)
		for _, p := range ps {
			s.error(p)
		}
	case "save":
		if err := saveConfig(s.work, fields[1:]); err != nil {
			s.error(err.Error())
		}
	case "commit":
		s.commitStaged(len(fields) > 1 && fields[1] == "force", true)
	case "refresh":
		s.enterConfigure()
	case "show":
		if len(fields) > 1 && fields[1] == "changed" {
			io.WriteString(s.out, changedText(s.base, s.work))
			return false
		}
		s.show(s.work, fields[1:])
	case "status":
		s.showStatus()
	default:
		var edit func(*cib.CIB) error
		var err error
		if fields[0] == "delete" || fields[0] == "rm" {
			edit, err = s.parseEdit(fields)
		} else {
			var stmts []*grammar.Statement
			stmts, err = grammar.Parse(line)
			if err == nil && len(stmts) == 1 {
				edit = s.statementEdit(stmts[0])
			}
		}
		if err != nil {
			s.error(err.Error())
			return false
		}
		s.stage(edit)
	}
	return false
}

// stage applies an edit to the working copy. As crmsh's strict mode, an
// edit that cannot be made at all poisons the transaction (a line that
// does not parse is only dropped); problems it brings are warned about
// now and refused at commit.
func (s *session) stage(edit func(*cib.CIB) error) {
	next := s.work.Clone()
	if err := edit(next); err != nil {
		s.error(err.Error())
		if errors.Is(err, cib.ErrVerify) {
			s.invalid = append(s.invalid, err.Error())
		}
		return
	}
	for _, n := range next.TakeNotes() {
		s.info(n)
	}
	for _, p := range newProblems(s.work, next) {
		s.warn(p + " (commit will refuse this until it is fixed)")
	}
	for _, w := range newWarnings(s.work, next) {
		s.warn(w)
	}
	s.work = next
}

func isLevelCommand(w string) bool {
	switch w {
	case "up", "end", "cd", "commit", "refresh", "show", "status", "delete", "rm", "quit", "exit", "bye", "help",
		"rename", "set", "erase", "load", "filter", "save", "verify", "upgrade":
		return true
	}
	return false
}

// splitLine splits a top-level line into words with the configure
// language's quoting, for the one-shot path.
func splitLine(line string) []string {
	var out []string
	var w strings.Builder
	var q byte
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else {
				w.WriteByte(c)
			}
		case c == '"' || c == '\'':
			q, inWord = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\\' && i+1 < len(line):
			i++
			if line[i] != '\n' {
				w.WriteByte(line[i])
				inWord = true
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, w.String())
	}
	return out
}

func (s *session) enterConfigure() {
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	s.level, s.base, s.work, s.invalid = "configure", c, c.Clone(), nil
}

func (s *session) commitWork(force bool) { s.commitStaged(force, false) }

// commitStaged applies the staged changes as one CIB update, after
// showing what the cluster will do with them; with confirm, on a
// terminal, only once the user agrees.
func (s *session) commitStaged(force, confirm bool) {
	if s.work == nil {
		return
	}
	force = force || s.force
	if len(s.invalid) > 0 && !force {
		s.error(fmt.Sprintf("commit: refused, the changes hold %d error(s) (first: %s); fix them, or use 'commit force'", len(s.invalid), s.invalid[0]))
		return
	}
	if s.work.ConfigEqual(s.base) {
		return
	}
	if ps := problems(s.work); len(ps) > 0 && !force {
		s.error(refusal(ps))
		return
	}
	// Someone else's commit since configure began: refused before the
	// user is asked anything (commit force goes over it).
	if live, err := s.b.Load(); err == nil && !force {
		lv, bv := live.Version(), s.base.Version()
		if lv.AdminEpoch != bv.AdminEpoch || lv.Epoch != bv.Epoch {
			s.refuseConflict(live)
			return
		}
	}
	s.showPlan(s.work)
	if confirm && s.ask != nil {
		if a := s.ask("Apply these changes? (y/n): "); a != "y" && a != "yes" {
			s.info("not committed: the changes stay staged (commit again, or refresh to drop them)")
			return
		}
	}
	err := s.b.Commit(s.base, s.work)
	if errors.Is(err, cib.ErrConflict) {
		live, lerr := s.b.Load()
		switch {
		case lerr != nil:
			s.error("commit: " + lerr.Error())
			return
		case force:
			// As asked: the staged configuration replaces what changed.
			err = s.b.Commit(live, s.work)
		default:
			s.refuseConflict(live)
			return
		}
	}
	if err != nil {
		s.error("commit: " + err.Error())
		return
	}
	c, err := s.b.Load()
	if err != nil {
		s.error(err.Error())
		return
	}
	s.base, s.work, s.invalid = c, c.Clone(), nil
}

// leaveConfigure ends the configure level. On a terminal the user is asked
// to commit, discard, or stay; in batch use uncommitted changes stop the
// run with an error and are dropped. It reports whether the level was left.
func (s *session) leaveConfigure() bool {
	if s.ask != nil && s.work != nil && !s.work.ConfigEqual(s.base) {
		for {
			switch s.ask("There are changes pending. Commit them? (y)es, (n)o to discard, (s)tay in configure: ") {
			case "y", "yes":
				s.commitWork(false)
				if s.failed && s.work != nil && !s.work.ConfigEqual(s.base) {
					return false // the commit was refused: stay to fix it
				}
			case "n", "no":
				s.info("changes discarded")
			case "s", "stay", "":
				return false
			default:
				continue
			}
			break
		}
		s.level, s.base, s.work, s.invalid = "", nil, nil, nil
		return true
	}
	if s.work != nil && !s.work.ConfigEqual(s.base) {
		// A script that leaves configure without committing did not ask for
		// its edits to reach the cluster: nothing is applied, and the run
		// fails so that automation notices.
		s.error("configure: changes not committed; nothing was applied (end the configure part of the script with 'commit', or 'refresh' to drop the edits)")
		s.level, s.base, s.work, s.invalid = "", nil, nil, nil
		s.stopped = true
		return false
	}
	s.level, s.base, s.work, s.invalid = "", nil, nil, nil
	return true
}

// refusal is the one line that says why a commit is refused.
func refusal(ps []string) string {
	more := ""
	if len(ps) > 1 {
		more = fmt.Sprintf(" (and %d more problem(s); see 'crm configure verify')", len(ps)-1)
	}
	return "commit refused: " + ps[0] + more + "; fix it, or commit with force (crm -F)"
}

// checkStonith refuses, as crmsh's commit checks do, a configuration with
// resources but neither a fencing device nor stonith-enabled=false: the
// cluster would start none of them.
func checkStonith(c *cib.CIB) error {
	if v, ok := c.Property("stonith-enabled"); ok && !cib.IsTrue(v) {
		return nil
	}
	prims := c.Section("resources", true).FindElements(".//primitive")
	if len(prims) == 0 {
		return nil
	}
	for _, p := range prims {
		if p.SelectAttrValue("class", "") == "stonith" {
			return nil
		}
	}
	return errors.New("Resource start-up disabled since no STONITH resources have been defined; configure a stonith resource or set 'property stonith-enabled=false' (or commit with force / crm -F)")
}

// showPlan prints what the cluster will do once a CIB is applied: the
// engine's plan for it, in crm_simulate's words.
func (s *session) showPlan(c *cib.CIB) {
	now := time.Now()
	plan, err := engine.Schedule(engine.Input{CIB: c, Now: now})
	if err != nil {
		s.warn("cannot tell what the cluster will do: " + err.Error())
		return
	}
	cl, err := engine.Unpack(c, now)
	if err != nil {
		s.warn("cannot tell what the cluster will do: " + err.Error())
		return
	}
	summary := engine.Summarize(cl, plan).String()
	if summary == "" {
		fmt.Fprintln(s.out, "The cluster will change nothing it runs.")
		return
	}
	fmt.Fprintln(s.out, "The cluster will:")
	io.WriteString(s.out, summary)
}

// refuseConflict says that the cluster's configuration changed since
// configure began, what changed, and what the user can do.
func (s *session) refuseConflict(live *cib.CIB) {
	s.error("commit refused: the cluster's configuration changed since configure began (someone else committed); nothing was applied. Their changes:")
	for _, d := range objectDiff(s.base, live) {
		fmt.Fprintln(s.errw, d)
	}
	fmt.Fprintln(s.errw, "Use 'commit force' to apply your staged configuration over theirs, or 'refresh' to start again from the cluster's.")
}
