package monitor

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

// The goldens were printed by Pacemaker 2.1.5's crm_mon on the same CIB
// files (testdata/record.sh). What legitimately differs is normalised:
// the stack and version (Pacer's own), the time of the update and, in the
// XML, the command line.
var normal = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^  \* Stack: .*$`), "  * Stack: STACK"},
	{regexp.MustCompile(`\(version [^)]*\)`), "(version VERSION)"},
	{regexp.MustCompile(`(?m)^  \* Last updated: .*$`), "  * Last updated: NOW"},
	{regexp.MustCompile(`<stack type="[^"]*"/>`), `<stack type="STACK"/>`},
	{regexp.MustCompile(`(<current_dc present="true") version="[^"]*"`), `$1 version="VERSION"`},
	{regexp.MustCompile(`<last_update time="[^"]*"/>`), `<last_update time="NOW"/>`},
	{regexp.MustCompile(`(<pacemaker-result api-version="[^"]*") request="[^"]*"`), `$1 request="REQUEST"`},
}

func normalise(s string) string {
	for _, n := range normal {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// goldenKinds maps a golden's suffix to the crm_mon options it was
// recorded with (see testdata/record.sh).
var goldenKinds = []struct {
	suffix string
	opts   Options
}{
	{"-rfA", Options{Inactive: true, FailCounts: true, NodeAttributes: true}},
	{"-xml", Options{Format: FormatXML}},
	{"-r", Options{Inactive: true}},
	{"-f", Options{FailCounts: true}},
	{"-A", Options{NodeAttributes: true}},
	{"-X", Options{Format: FormatLegacyXML}},
	{"", Options{}},
}

// goldenNow is the time the goldens are rendered at: after every failure
// in them, as when they were recorded.
var goldenNow = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func TestRenderMatchesCrmMon(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden")
	if len(files) == 0 {
		t.Fatal("no goldens")
	}
	counts := map[string]int{}
	for _, golden := range files {
		name := strings.TrimSuffix(filepath.Base(golden), ".golden")
		in, opts := name, Options{}
		for _, k := range goldenKinds {
			if base, ok := strings.CutSuffix(name, k.suffix); ok {
				in, opts = base, k.opts
				counts[k.suffix]++
				break
			}
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", in+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := cib.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := Render(&b, c, goldenNow, opts); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(golden)
			if got := normalise(b.String()); got != normalise(string(want)) {
				t.Errorf("got:\n%s\nwant:\n%s", got, normalise(string(want)))
			}
		})
	}
	for _, k := range []string{"-f", "-A", "-xml"} {
		if counts[k] < 5 {
			t.Errorf("only %d %s goldens, want at least 5", counts[k], k)
		}
	}
}

func TestRenderSaysWhyNothingStarts(t *testing.T) {
	c := cib.New()
	p := c.Section("resources", true).CreateElement("primitive")
	p.CreateAttr("id", "d1")
	p.CreateAttr("class", "ocf")
	p.CreateAttr("provider", "pacer")
	p.CreateAttr("type", "Dummy")
	var b bytes.Buffer
	if err := Render(&b, c, time.Unix(0, 0), Options{Inactive: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  * Resource start-up disabled since no STONITH resources have been defined\n",
		"crm configure property stonith-enabled=false",
		"  * d1\t(ocf:pacer:Dummy):\t Stopped\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	c.SetProperty("stonith-enabled", "false")
	b.Reset()
	Render(&b, c, time.Unix(0, 0), Options{})
	if strings.Contains(b.String(), "STONITH") || !strings.Contains(b.String(), "No active resources") {
		t.Errorf("with stonith disabled:\n%s", b.String())
	}
}

func TestReadableInterval(t *testing.T) {
	// crm_mon moves to a larger unit only above one of it.
	for ms, want := range map[int64]string{0: "0s", 150: "150ms", 1000: "1000ms", 1500: "1.500s", 10000: "10s",
		60000: "60s", 90000: "1m30s", 120000: "2m", 3600000: "60m", 7200000: "2h", 86400000: "24h", 90061001: "1d1h1m1.001s"} {
		if got := readableInterval(time.Duration(ms) * time.Millisecond); got != want {
			t.Errorf("readableInterval(%dms) = %q, want %q", ms, got, want)
		}
	}
}
