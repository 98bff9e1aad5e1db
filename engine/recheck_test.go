package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/pacer-ha/pacer/cib"
)

func TestNextChange(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	const cfgHead = `<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes><node id="n1" uname="n1"/></nodes>`
	status := func(rcChange int64) string {
		return `<status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>` +
			`<lrm_resource id="d1" class="ocf" provider="pacer" type="Dummy">` +
			`<lrm_rsc_op id="d1_last_failure_0" operation_key="d1_monitor_10000" operation="monitor" call-id="3" rc-code="7" op-status="0" interval="10000" last-rc-change="` +
			strconv.FormatInt(rcChange, 10) + `" exec-time="1" queue-time="0" op-digest="x" transition-key="1:1:0:x" transition-magic="0:7;1:1:0:x" on_node="n1"/>` +
			`</lrm_resource></lrm_resources></lrm></node_state></status>`
	}
	failedAt := now.Add(-30 * time.Second).Unix()
	for _, tc := range []struct {
		name string
		xml  string
		want time.Time // zero: nothing changes with time
	}{
		{"nothing", cfgHead + `<resources><primitive id="d1" class="ocf" provider="pacer" type="Dummy"/></resources><constraints/></configuration>` + status(failedAt) + `</cib>`, time.Time{}},
		{"failure-timeout of the resource", cfgHead + `<resources><primitive id="d1" class="ocf" provider="pacer" type="Dummy"><meta_attributes id="m"><nvpair id="m1" name="failure-timeout" value="60s"/></meta_attributes></primitive></resources><constraints/></configuration>` + status(failedAt) + `</cib>`,
			time.Unix(failedAt, 0).Add(60 * time.Second)},
		{"failure-timeout of rsc_defaults", cfgHead + `<resources><primitive id="d1" class="ocf" provider="pacer" type="Dummy"/></resources><constraints/><rsc_defaults><meta_attributes id="rd"><nvpair id="rd1" name="failure-timeout" value="2m"/></meta_attributes></rsc_defaults></configuration>` + status(failedAt) + `</cib>`,
			time.Unix(failedAt, 0).Add(2 * time.Minute)},
		{"an expired failure is past", cfgHead + `<resources><primitive id="d1" class="ocf" provider="pacer" type="Dummy"><meta_attributes id="m"><nvpair id="m1" name="failure-timeout" value="10s"/></meta_attributes></primitive></resources><constraints/></configuration>` + status(failedAt) + `</cib>`, time.Time{}},
		{"a move's lifetime", cfgHead + `<resources><primitive id="d1" class="ocf" provider="pacer" type="Dummy"/></resources><constraints><rsc_location id="cli-prefer-d1" rsc="d1" role="Started" node="n1" score="INFINITY"><rule id="cli-prefer-rule-d1" score="INFINITY" boolean-op="and"><expression id="e" attribute="#uname" operation="eq" value="n1" type="string"/><date_expression id="d" operation="lt" end="2026-12-02 13:00:00Z"/></rule></rsc_location></constraints></configuration><status/></cib>`,
			time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)},
		{"a date_spec", cfgHead + `<resources/><constraints><rsc_location id="l" rsc="d1" score="100"><rule id="r" score="100"><date_expression id="d" operation="date_spec"><date_spec id="s" hours="9-17"/></date_expression></rule></rsc_location></constraints></configuration><status/></cib>`,
			now.Add(time.Minute)},
	} {
		c, err := cib.Parse([]byte(tc.xml))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, ok := NextChange(c, now)
		if tc.want.IsZero() {
			if ok {
				t.Errorf("%s: next change %v, want none", tc.name, got)
			}
			continue
		}
		if !ok || !got.Equal(tc.want) {
			t.Errorf("%s: next change %v (%v), want %v", tc.name, got, ok, tc.want)
		}
	}
}
