package monitor

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// pacemakerCrmMon is the installed Pacemaker crm_mon, or "" (Pacer's own
// crm_mon link does not count).
func pacemakerCrmMon() string {
	path, err := exec.LookPath("crm_mon")
	if err != nil {
		return ""
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "Pacemaker ") {
		return ""
	}
	return path
}

// compatModes are the command lines compared with the real crm_mon.
var compatModes = []struct {
	args []string
	opts Options
}{
	{[]string{"-1"}, Options{}},
	{[]string{"-1", "-r"}, Options{Inactive: true}},
	{[]string{"-1", "-f"}, Options{FailCounts: true}},
	{[]string{"-1", "-A"}, Options{NodeAttributes: true}},
	{[]string{"-1rfA"}, Options{Inactive: true, FailCounts: true, NodeAttributes: true}},
	{[]string{"--output-as=xml"}, Options{Format: FormatXML}},
	{[]string{"-X"}, Options{Format: FormatLegacyXML}},
}

// compatKnown are the differences from crm_mon 2.1.5 that are meant:
// input file and crm_mon arguments.
var compatKnown = map[string]string{
	// Pacer says how to let resources start without fencing.
	"07-stonith-rule -1":    "hint",
	"07-stonith-rule -1 -r": "hint",
	"07-stonith-rule -1 -f": "hint",
	"07-stonith-rule -1 -A": "hint",
	"07-stonith-rule -1rfA": "hint",
}

// TestCompatWithInstalledCrmMon runs Pacemaker's crm_mon, when installed,
// on every CIB of this package's testdata (every mode of compatModes) and
// of the engine's (-1 -f, -1rfA and the XML), and compares it with
// Render. With PACER_CRM_MON_CORPUS=DIR, the CIBs of DIR (Pacemaker's
// scheduler inputs, say) are measured in every mode too: their agreement
// is logged, not required (PACER_CRM_MON_VERBOSE=1 lists the others).
func TestCompatWithInstalledCrmMon(t *testing.T) {
	if testing.Short() {
		t.Skip("runs crm_mon hundreds of times")
	}
	crmMon := pacemakerCrmMon()
	if crmMon == "" {
		t.Skip("Pacemaker's crm_mon is not installed")
	}
	type job struct {
		file string
		mode int
	}
	var jobs []job
	files, _ := filepath.Glob("testdata/*.xml")
	for _, f := range files {
		for i := range compatModes {
			jobs = append(jobs, job{f, i})
		}
	}
	engineFiles, _ := filepath.Glob("../engine/testdata/*.xml")
	for _, f := range engineFiles {
		for i, m := range compatModes {
			switch strings.Join(m.args, " ") {
			case "-1 -f", "-1rfA", "--output-as=xml":
				jobs = append(jobs, job{f, i})
			}
		}
	}
	results := runCompat(crmMon, len(jobs), func(i int) (string, []string, Options) {
		m := compatModes[jobs[i].mode]
		return jobs[i].file, m.args, m.opts
	})
	for i, r := range results {
		m := compatModes[jobs[i].mode]
		key := strings.TrimSuffix(filepath.Base(jobs[i].file), ".xml") + " " + strings.Join(m.args, " ")
		if _, known := compatKnown[key]; !known && !r.ok {
			t.Errorf("%s: differs from crm_mon:\n%s", key, lineDiff(r.got, r.want))
		}
	}
	dir := os.Getenv("PACER_CRM_MON_CORPUS")
	if dir == "" {
		return
	}
	corpus, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	results = runCompat(crmMon, len(corpus)*len(compatModes), func(i int) (string, []string, Options) {
		m := compatModes[i%len(compatModes)]
		return corpus[i/len(compatModes)], m.args, m.opts
	})
	agree := map[string]int{}
	var differ []string
	for i, r := range results {
		mode := strings.Join(compatModes[i%len(compatModes)].args, " ")
		if r.ok {
			agree[mode]++
		} else {
			differ = append(differ, filepath.Base(corpus[i/len(compatModes)])+" "+mode)
		}
	}
	for _, m := range compatModes {
		mode := strings.Join(m.args, " ")
		t.Logf("crm_mon %s: %d of %d CIBs agree", mode, agree[mode], len(corpus))
	}
	if os.Getenv("PACER_CRM_MON_VERBOSE") != "" {
		sort.Strings(differ)
		t.Logf("differ:\n%s", strings.Join(differ, "\n"))
	}
}

type compatResult struct {
	got, want string
	ok        bool
}

// runCompat runs n comparisons, two at a time (crm_mon is the slow part).
func runCompat(crmMon string, n int, job func(i int) (string, []string, Options)) []compatResult {
	results := make([]compatResult, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				file, args, opts := job(i)
				got, want, ok := compareWithCrmMon(crmMon, file, args, opts)
				results[i] = compatResult{got, want, ok}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// compareWithCrmMon runs crm_mon ARGS on file and Render with opts, and
// reports whether they agree once normalised.
func compareWithCrmMon(crmMon, file string, args []string, opts Options) (got, want string, ok bool) {
	cmd := exec.Command(crmMon, args...)
	cmd.Env = append(os.Environ(), "CIB_file="+file, "TZ=UTC", "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		return "", "crm_mon failed: " + err.Error(), false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "read: " + err.Error(), string(out), false
	}
	c, err := cib.Parse(data)
	if err != nil {
		return "parse: " + err.Error(), string(out), false
	}
	var b bytes.Buffer
	if err := Render(&b, c, time.Now().UTC(), opts); err != nil {
		return "render: " + err.Error(), string(out), false
	}
	got, want = normalise(b.String()), normalise(string(out))
	return got, want, got == want
}

// lineDiff shows the lines of got and want that differ.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("  got:  " + gl + "\n  want: " + wl + "\n")
		}
	}
	return b.String()
}
