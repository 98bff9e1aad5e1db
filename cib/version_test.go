package cib

import (
	"strings"
	"testing"
)

func TestVersionOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b       string
		cmp, cfgCm int
	}{
		{"0.1.0", "0.1.0", 0, 0},
		{"0.1.5", "0.1.0", 1, 0},
		{"0.2.0", "0.1.9", 1, 1},
		{"1.0.0", "0.99.99", 1, 1},
		{"0.3.1", "0.3.2", -1, 0},
	} {
		a, err := ParseVersion(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := ParseVersion(tc.b)
		if got := a.Compare(b); got != tc.cmp {
			t.Errorf("%s vs %s: %d, want %d", tc.a, tc.b, got, tc.cmp)
		}
		if got := a.ConfigCompare(b); got != tc.cfgCm {
			t.Errorf("%s vs %s config: %d, want %d", tc.a, tc.b, got, tc.cfgCm)
		}
		if a.String() != tc.a {
			t.Errorf("String %s", a)
		}
	}
	for _, bad := range []string{"", "1.2", "a.b.c", "1.-2.3"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
}

func TestNewIsCibadminEmpty(t *testing.T) {
	want := `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
`
	if got := string(New().Bytes()); got != want {
		t.Errorf("New():\n%s\nwant:\n%s", got, want)
	}
}

func TestParseRefusesBrokenDocuments(t *testing.T) {
	for _, tc := range []struct{ xml, want string }{
		{"<cib", "parse CIB"},
		{"<notcib/>", "root element is not <cib>"},
		{"<cib/>", "no <configuration>"},
		{"<cib><configuration><nodes/></configuration></cib>", "no <crm_config>"},
		{`<cib epoch="x"><configuration><crm_config/><nodes/><resources/><constraints/></configuration></cib>`, `epoch="x"`},
	} {
		if _, err := Parse([]byte(tc.xml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): %v, want %q", tc.xml, err, tc.want)
		}
	}
}

func TestPropertiesAndEpochs(t *testing.T) {
	c := New()
	c.SetProperty("stonith-enabled", "false")
	c.SetProperty("stonith-enabled", "true")
	if v, ok := c.Property("stonith-enabled"); !ok || v != "true" {
		t.Errorf("property %q %v", v, ok)
	}
	if c.FindID("cib-bootstrap-options-stonith-enabled") == nil {
		t.Error("nvpair id is not crmsh's")
	}
	c.BumpUpdates()
	c.BumpUpdates()
	c.BumpEpoch()
	if v := c.Version().String(); v != "0.2.0" {
		t.Errorf("version %s", v)
	}
	d := New()
	d.ReplaceConfiguration(c)
	if !d.ConfigEqual(c) || d.Version().String() != "0.1.0" {
		t.Errorf("ReplaceConfiguration: equal %v, version %s", d.ConfigEqual(c), d.Version())
	}
}

func TestUpgrade(t *testing.T) {
	for _, tc := range []struct {
		from    string
		changed bool
		err     string
	}{{"pacemaker-3.9", false, ""}, {"pacemaker-3.2", true, ""}, {"pacemaker-2.10", false, "predates pacemaker-3.0"}, {"pacemaker-4.0", false, "newer than"}, {"bogus", false, "unknown schema"}} {
		c := New()
		c.SetAttr("validate-with", tc.from)
		changed, err := c.Upgrade()
		if changed != tc.changed || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: changed %v, err %v", tc.from, changed, err)
		}
		if tc.changed && c.Attr("validate-with") != ValidateWith {
			t.Errorf("%s: now %s", tc.from, c.Attr("validate-with"))
		}
	}
}
