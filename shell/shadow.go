package shell

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pacer-ha/pacer/cib"
)

// ShadowDir is where shadow CIBs live: $CIB_shadow_dir, else
// /var/lib/pacer/shadow for root and ~/.cib for other users (as Pacemaker
// keeps non-root shadows in the home directory).
func ShadowDir() string {
	if d := os.Getenv("CIB_shadow_dir"); d != "" {
		return d
	}
	if u, err := user.Current(); err == nil && u.Uid != "0" && u.HomeDir != "" {
		return filepath.Join(u.HomeDir, ".cib")
	}
	return "/var/lib/pacer/shadow"
}

// ShadowPath is the file of a shadow CIB.
func ShadowPath(name string) string { return filepath.Join(ShadowDir(), "shadow."+name) }

func validShadowName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/\\\x00") && name != "." && name != ".." && name != "live"
}

// cibCommand runs the cib level: shadow copies of the CIB to work on
// before committing them to the cluster.
func (s *session) cibCommand(args []string) {
	if len(args) == 0 {
		s.error("cib: give a command (new, use, list, diff, commit, reset, delete)")
		return
	}
	cmd, rest := args[0], args[1:]
	name := ""
	if len(rest) > 0 {
		name = rest[0]
	}
	switch cmd {
	case "new":
		if !validShadowName(name) {
			s.error("cib new: give a name for the shadow CIB (not \"live\")")
			return
		}
		path := ShadowPath(name)
		if _, err := os.Stat(path); err == nil && !(len(rest) > 1 && rest[len(rest)-1] == "force") && !s.force {
			s.error(fmt.Sprintf("cib new: shadow CIB %s already exists (%s); use 'cib reset %s', 'cib delete %s', or add force", name, path, name, name))
			return
		}
		c := cib.New()
		if !(len(rest) > 1 && rest[1] == "empty") {
			live, err := s.live.Load()
			if err != nil {
				s.error(err.Error())
				return
			}
			c = live
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			s.error(err.Error())
			return
		}
		if err := cib.WriteFileAtomic(path, c.Bytes(), 0o640); err != nil {
			s.error(err.Error())
			return
		}
		s.info(fmt.Sprintf("cib.new: %s shadow CIB created", name))
		s.useShadow(name)
	case "use":
		if name == "" || name == "live" {
			s.b, s.shadow = s.live, ""
			return
		}
		if _, err := os.Stat(ShadowPath(name)); err != nil {
			s.error(fmt.Sprintf("cib use: no shadow CIB %s (create it with 'cib new %s')", name, name))
			return
		}
		s.useShadow(name)
	case "list":
		ents, _ := filepath.Glob(filepath.Join(ShadowDir(), "shadow.*"))
		sort.Strings(ents)
		for _, e := range ents {
			n := strings.TrimPrefix(filepath.Base(e), "shadow.")
			mark := ""
			if n == s.shadow {
				mark = " (in use)"
			}
			fmt.Fprintf(s.out, "%s%s\n", n, mark)
		}
	case "diff":
		if name == "" {
			name = s.shadow
		}
		if name == "" {
			s.error("cib diff: no shadow CIB in use; name one")
			return
		}
		live, err := s.live.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		sh, err := FileBackend{Path: ShadowPath(name)}.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		for _, line := range objectDiff(live, sh) {
			fmt.Fprintln(s.out, line)
		}
	case "commit":
		if name == "" {
			name = s.shadow
		}
		sh, err := FileBackend{Path: ShadowPath(name)}.Load()
		if err != nil || name == "" {
			s.error(fmt.Sprintf("cib commit: no shadow CIB %q", name))
			return
		}
		base, err := s.live.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		if err := s.live.Commit(base, sh); err != nil {
			s.error("cib commit: " + err.Error())
			return
		}
		s.info(fmt.Sprintf("cib.commit: committed '%s' shadow CIB to the cluster", name))
	case "reset":
		live, err := s.live.Load()
		if err != nil {
			s.error(err.Error())
			return
		}
		if !validShadowName(name) {
			s.error("cib reset: name the shadow CIB")
			return
		}
		if err := cib.WriteFileAtomic(ShadowPath(name), live.Bytes(), 0o640); err != nil {
			s.error(err.Error())
			return
		}
		s.info(fmt.Sprintf("cib.reset: copied live CIB to %s", name))
	case "delete":
		if !validShadowName(name) {
			s.error("cib delete: name the shadow CIB")
			return
		}
		if name == s.shadow {
			s.b, s.shadow = s.live, ""
		}
		if err := os.Remove(ShadowPath(name)); err != nil {
			s.error(fmt.Sprintf("cib delete: %v", err))
			return
		}
		s.info(fmt.Sprintf("cib.delete: %s shadow CIB deleted", name))
	default:
		s.error(fmt.Sprintf("cib: unknown command %q", cmd))
	}
}

func (s *session) useShadow(name string) {
	s.b, s.shadow = FileBackend{Path: ShadowPath(name)}, name
}

// objectDiff lists the objects that differ between two CIBs in crm syntax:
// "-" for the first's, "+" for the second's.
func objectDiff(a, b *cib.CIB) []string {
	ta, _ := a.Show()
	tb, _ := b.Show()
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, o := range splitObjects(ta) {
		inA[o] = true
	}
	for _, o := range splitObjects(tb) {
		inB[o] = true
	}
	var out []string
	for _, o := range splitObjects(ta) {
		if !inB[o] && o != "" {
			out = append(out, "- "+strings.ReplaceAll(o, "\n", "\n- "))
		}
	}
	for _, o := range splitObjects(tb) {
		if !inA[o] && o != "" {
			out = append(out, "+ "+strings.ReplaceAll(o, "\n", "\n+ "))
		}
	}
	return out
}
