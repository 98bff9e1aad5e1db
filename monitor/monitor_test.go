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

// The goldens were printed by Pacemaker 2.1.5's crm_mon -1 [-r] on the
// same CIB files. Three lines legitimately differ and are normalised: the
// stack and version (Pacer's own) and the time of the update.
var normal = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^  \* Stack: .*$`), "  * Stack: STACK"},
	{regexp.MustCompile(`\(version [^)]*\)`), "(version VERSION)"},
	{regexp.MustCompile(`(?m)^  \* Last updated: .*$`), "  * Last updated: NOW"},
}

func normalise(s string) string {
	for _, n := range normal {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

func TestRenderMatchesCrmMon(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.golden")
	if len(files) == 0 {
		t.Fatal("no goldens")
	}
	for _, golden := range files {
		name := strings.TrimSuffix(filepath.Base(golden), ".golden")
		t.Run(name, func(t *testing.T) {
			in := strings.TrimSuffix(name, "-r")
			data, err := os.ReadFile(filepath.Join("testdata", in+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := cib.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := Render(&b, c, time.Unix(0, 0), Options{Inactive: strings.HasSuffix(name, "-r")}); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(golden)
			if got := normalise(b.String()); got != normalise(string(want)) {
				t.Errorf("got:\n%s\nwant:\n%s", got, normalise(string(want)))
			}
		})
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
