package tools

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/shell"
)

// update rewrites the goldens from Pacemaker's own tools:
// go test ./tools -run TestCompatWithPacemaker -update
var update = flag.Bool("update", false, "record the goldens from Pacemaker's tools (needs pacemaker-cli-utils)")

func TestMain(m *testing.M) {
	// Pacemaker's tools show times in local time; both sides run in UTC.
	os.Setenv("TZ", "UTC")
	time.Local = time.UTC
	os.Exit(m.Run())
}

// compatCase is one command run on a copy of an input CIB by Pacemaker's
// tool and by Pacer's: the same standard output, exit status and
// resulting configuration (and status section, with status) are wanted.
type compatCase struct {
	name   string // the golden's name
	input  string // in testdata/
	tool   string
	args   []string
	stdin  string
	status bool // compare the status section too
	agent  bool // needs Debian's resource-agents (ocf:heartbeat:Dummy)
}

func cc(name, input, tool string, args ...string) compatCase {
	return compatCase{name: name, input: input, tool: tool, args: args}
}

func withStatus(c compatCase) compatCase { c.status = true; return c }

var compatCases = []compatCase{
	// crm_resource: queries
	cc("resource-list", "cluster.xml", "crm_resource", "-L"),
	cc("resource-list-long", "cluster.xml", "crm_resource", "--list"),
	cc("resource-list-clones", "clones.xml", "crm_resource", "-L"),
	cc("resource-no-command", "cluster.xml", "crm_resource"),
	cc("resource-list-empty", "empty.xml", "crm_resource", "-L"),
	cc("resource-list-raw", "cluster.xml", "crm_resource", "-l"),
	cc("resource-list-raw-clones", "clones.xml", "crm_resource", "--list-raw"),
	cc("resource-locate", "cluster.xml", "crm_resource", "-W", "-r", "d1"),
	cc("resource-locate-group", "cluster.xml", "crm_resource", "-W", "-r", "g1"),
	cc("resource-locate-stopped", "cluster.xml", "crm_resource", "-W", "-r", "d5"),
	cc("resource-locate-missing", "cluster.xml", "crm_resource", "--locate", "--resource", "nope"),
	cc("resource-locate-clone-order", "status-order.xml", "crm_resource", "-W", "-r", "cl-d4"),
	cc("resource-locate-clone-child", "status-order.xml", "crm_resource", "-W", "-r", "d4"),
	cc("resource-locate-promoted", "clones.xml", "crm_resource", "-W", "-r", "st"),
	cc("resource-locate-multiple", "clones.xml", "crm_resource", "-W", "-r", "d1"),
	cc("resource-locate-quiet", "clones.xml", "crm_resource", "-W", "-r", "d1", "-Q"),
	cc("resource-locate-no-rsc", "cluster.xml", "crm_resource", "-W"),
	cc("resource-get", "cluster.xml", "crm_resource", "-r", "d1", "-g", "fake"),
	cc("resource-get-missing", "cluster.xml", "crm_resource", "-r", "d1", "-g", "nope"),
	cc("resource-get-meta", "cluster.xml", "crm_resource", "-r", "d1", "--meta", "-g", "resource-stickiness"),
	cc("resource-get-meta-as-param", "cluster.xml", "crm_resource", "-r", "d1", "--get-parameter", "resource-stickiness"),
	cc("resource-get-meta-xml-attr", "cluster.xml", "crm_resource", "-r", "d2", "-m", "-g", "class"),
	cc("resource-get-meta-inherited", "defaults.xml", "crm_resource", "-r", "d2", "--meta", "-g", "target-role"),
	cc("resource-get-meta-rsc-defaults", "defaults.xml", "crm_resource", "-r", "d2", "--meta", "-g", "failure-timeout"),
	cc("resource-get-no-name", "cluster.xml", "crm_resource", "-r", "d1", "-g"),
	cc("resource-query-xml", "cluster.xml", "crm_resource", "-r", "d1", "-q"),
	cc("resource-ops", "history.xml", "crm_resource", "-O"),
	cc("resource-ops-all", "history.xml", "crm_resource", "-o"),
	cc("resource-ops-node", "history.xml", "crm_resource", "-O", "-N", "node3"),
	cc("resource-ops-rsc", "history.xml", "crm_resource", "--list-all-operations", "-r", "d5"),
	cc("resource-ops-clones", "clones.xml", "crm_resource", "-O"),
	cc("resource-ops-unknown-node", "cluster.xml", "crm_resource", "-O", "-N", "nonode"),
	{name: "resource-metadata", input: "cluster.xml", tool: "crm_resource", args: []string{"--show-metadata", "ocf:heartbeat:Dummy"}, agent: true},
	cc("resource-metadata-missing", "cluster.xml", "crm_resource", "--show-metadata", "ocf:heartbeat:Nope"),
	cc("resource-metadata-bad-spec", "cluster.xml", "crm_resource", "--show-metadata=Dummy"),
	cc("resource-unknown-option", "cluster.xml", "crm_resource", "-Z"),
	// crm_resource: parameters
	cc("resource-set-param-new", "cluster.xml", "crm_resource", "-r", "d1", "-p", "newp", "-v", "5"),
	cc("resource-set-param-existing", "cluster.xml", "crm_resource", "-r", "d1", "-p", "fake", "-v", "xyz"),
	cc("resource-set-param-long", "cluster.xml", "crm_resource", "--resource=d1", "--set-parameter=newp", "--parameter-value=5"),
	cc("resource-set-target-role-as-param", "cluster.xml", "crm_resource", "-r", "d1", "-p", "target-role", "-v", "stopped"),
	cc("resource-set-param-meta-clash", "cluster.xml", "crm_resource", "-r", "d5", "-p", "target-role", "-v", "Started"),
	cc("resource-set-meta", "cluster.xml", "crm_resource", "-r", "d1", "--meta", "-p", "target-role", "-v", "Stopped"),
	cc("resource-set-meta-group-member", "cluster.xml", "crm_resource", "-r", "d2", "--meta", "-p", "target-role", "-v", "Stopped"),
	cc("resource-set-meta-group", "cluster.xml", "crm_resource", "-r", "g1", "--meta", "-p", "target-role", "-v", "Stopped"),
	cc("resource-set-meta-clone-child", "cluster.xml", "crm_resource", "-r", "d4", "--meta", "-p", "target-role", "-v", "Stopped"),
	cc("resource-set-param-clone-child", "cluster.xml", "crm_resource", "-r", "d4", "-p", "foo", "-v", "bar"),
	cc("resource-set-utilization", "cluster.xml", "crm_resource", "-r", "d1", "-z", "-p", "cpu", "-v", "2"),
	cc("resource-set-no-value", "cluster.xml", "crm_resource", "-r", "d1", "-p", "a"),
	cc("resource-set-missing-rsc", "cluster.xml", "crm_resource", "-r", "nope", "-p", "a", "-v", "b"),
	cc("resource-delete-param", "cluster.xml", "crm_resource", "-r", "d1", "-d", "fake"),
	cc("resource-delete-param-missing", "cluster.xml", "crm_resource", "-r", "d1", "-d", "nope"),
	cc("resource-delete-meta", "cluster.xml", "crm_resource", "-r", "d1", "--meta", "--delete-parameter", "resource-stickiness"),
	// crm_resource: locations
	cc("resource-move-away", "cluster.xml", "crm_resource", "-M", "-r", "d1"),
	cc("resource-move-to", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-H", "node2"),
	cc("resource-move-to-node", "cluster.xml", "crm_resource", "--move", "-r", "d1", "--node", "node2"),
	cc("resource-move-quiet", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-Q"),
	cc("resource-move-where-it-is", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-H", "node1"),
	cc("resource-move-stopped", "cluster.xml", "crm_resource", "-M", "-r", "d5"),
	cc("resource-move-multiple", "clones.xml", "crm_resource", "-M", "-r", "d1"),
	cc("resource-move-unknown-node", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-H", "nonode"),
	cc("resource-move-missing", "cluster.xml", "crm_resource", "-M", "-r", "nope", "-H", "node2"),
	cc("resource-move-over-ban", "defaults.xml", "crm_resource", "-M", "-r", "d1", "-N", "node3"),
	cc("resource-move-replaces-prefer", "moves.xml", "crm_resource", "-M", "-r", "d1", "-N", "node2"),
	cc("resource-move-lifetime", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-N", "node2", "-u", "PT1H"),
	cc("resource-move-bad-lifetime", "cluster.xml", "crm_resource", "-M", "-r", "d1", "-N", "node2", "-u", "bogus"),
	cc("resource-ban", "cluster.xml", "crm_resource", "-B", "-r", "d1"),
	cc("resource-ban-node", "cluster.xml", "crm_resource", "-B", "-r", "d1", "-H", "node2"),
	cc("resource-ban-long-quiet", "cluster.xml", "crm_resource", "--ban", "--resource", "d1", "--node", "node3", "-Q"),
	cc("resource-ban-lifetime", "cluster.xml", "crm_resource", "-B", "-r", "d1", "-N", "node2", "-u", "P1D"),
	cc("resource-ban-stopped", "cluster.xml", "crm_resource", "-B", "-r", "d5"),
	cc("resource-ban-unknown-node", "cluster.xml", "crm_resource", "-B", "-r", "d1", "-N", "nonode"),
	cc("resource-clear", "moves.xml", "crm_resource", "-U", "-r", "d1"),
	cc("resource-clear-node", "moves.xml", "crm_resource", "-U", "-r", "d1", "-H", "node3"),
	cc("resource-clear-node-prefer", "moves.xml", "crm_resource", "--clear", "-r", "d1", "-H", "node2"),
	cc("resource-clear-lifetime", "moves.xml", "crm_resource", "-U", "-r", "d2"),
	cc("resource-clear-expired", "moves.xml", "crm_resource", "-U", "-r", "d2", "--expired"),
	cc("resource-clear-nothing", "cluster.xml", "crm_resource", "-U", "-r", "d1"),
	cc("resource-clear-no-rsc", "moves.xml", "crm_resource", "-U"),
	cc("resource-clear-missing", "moves.xml", "crm_resource", "-U", "-r", "nope"),
	// crm_resource: delete
	cc("resource-delete", "cluster.xml", "crm_resource", "-D", "-r", "d5", "-t", "primitive"),
	cc("resource-delete-long", "cluster.xml", "crm_resource", "--delete", "--resource=d5", "--resource-type=primitive"),
	cc("resource-delete-referenced", "cluster.xml", "crm_resource", "-D", "-r", "d1", "-t", "primitive"),
	cc("resource-delete-no-type", "cluster.xml", "crm_resource", "-D", "-r", "d5"),
	cc("resource-delete-group", "cluster.xml", "crm_resource", "-D", "-r", "g1", "-t", "group"),
	cc("resource-delete-wrong-type", "cluster.xml", "crm_resource", "-D", "-r", "g1", "-t", "primitive"),
	cc("resource-delete-group-member", "cluster.xml", "crm_resource", "-D", "-r", "d2", "-t", "primitive"),
	cc("resource-delete-missing", "cluster.xml", "crm_resource", "-D", "-r", "nope", "-t", "primitive"),
	cc("resource-cleanup-missing", "cluster.xml", "crm_resource", "-C", "-r", "nope"),
	// crm_attribute
	cc("attribute-set-property", "cluster.xml", "crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-v", "true"),
	cc("attribute-set-property-same", "cluster.xml", "crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-v", "false"),
	cc("attribute-set-property-new", "cluster.xml", "crm_attribute", "-t", "crm_config", "-n", "no-quorum-policy", "-v", "ignore"),
	cc("attribute-set-property-default-type", "cluster.xml", "crm_attribute", "-n", "no-quorum-policy", "-v", "ignore"),
	cc("attribute-set-property-long", "cluster.xml", "crm_attribute", "--type", "crm_config", "--name", "stonith-enabled", "--update", "true"),
	cc("attribute-set-property-empty", "empty.xml", "crm_attribute", "-n", "stonith-enabled", "-v", "false"),
	cc("attribute-get-property", "cluster.xml", "crm_attribute", "-t", "crm_config", "-n", "stonith-enabled", "-G"),
	cc("attribute-get-property-quiet", "cluster.xml", "crm_attribute", "-n", "stonith-enabled", "-G", "-q"),
	cc("attribute-get-implicit", "cluster.xml", "crm_attribute", "-n", "stonith-enabled"),
	cc("attribute-get-all", "cluster.xml", "crm_attribute", "-G"),
	cc("attribute-get-missing", "cluster.xml", "crm_attribute", "-n", "nope", "-G"),
	cc("attribute-get-default", "cluster.xml", "crm_attribute", "-n", "nope", "-G", "-d", "dflt"),
	cc("attribute-get-default-quiet", "cluster.xml", "crm_attribute", "-n", "nope", "-G", "-d", "dflt", "-q"),
	cc("attribute-delete-property", "cluster.xml", "crm_attribute", "-n", "stonith-enabled", "-D"),
	cc("attribute-delete-missing", "cluster.xml", "crm_attribute", "-n", "nope", "-D"),
	cc("attribute-set-node", "cluster.xml", "crm_attribute", "-t", "nodes", "-N", "node1", "-n", "rack", "-v", "r1"),
	cc("attribute-set-node-existing", "cluster.xml", "crm_attribute", "-t", "nodes", "-N", "node2", "-n", "rack", "-v", "r9"),
	cc("attribute-set-node-forever", "cluster.xml", "crm_attribute", "-N", "node1", "-n", "foo", "-v", "1", "-l", "forever"),
	cc("attribute-set-node-utilization", "cluster.xml", "crm_attribute", "-N", "node2", "-z", "-n", "cpu", "-v", "4"),
	cc("attribute-get-node", "cluster.xml", "crm_attribute", "-N", "node2", "-n", "rack", "-G"),
	cc("attribute-get-node-long", "cluster.xml", "crm_attribute", "--type=nodes", "--node=node2", "--name=rack", "--query", "--quiet"),
	cc("attribute-get-node-missing", "cluster.xml", "crm_attribute", "-N", "node1", "-n", "rack", "-G"),
	cc("attribute-delete-node", "cluster.xml", "crm_attribute", "-t", "nodes", "-N", "node2", "-n", "rack", "-D"),
	cc("attribute-unknown-node", "cluster.xml", "crm_attribute", "-N", "nonode", "-n", "rack", "-v", "1"),
	cc("attribute-type-overrides-node", "cluster.xml", "crm_attribute", "-t", "crm_config", "-N", "node2", "-n", "rack", "-G"),
	withStatus(cc("attribute-set-reboot", "cluster.xml", "crm_attribute", "-N", "node1", "-n", "foo", "-v", "1", "-l", "reboot")),
	withStatus(cc("attribute-set-reboot-sanitized", "cluster.xml", "crm_attribute", "-N", "node2", "-n", "x#y:z", "-v", "3", "-l", "reboot")),
	withStatus(cc("attribute-get-status", "cluster.xml", "crm_attribute", "-t", "status", "-N", "node2", "-n", "fail-count-d2#monitor_10000", "-G")),
	withStatus(cc("attribute-delete-reboot", "cluster.xml", "crm_attribute", "-N", "node2", "-n", "fail-count-d2#monitor_10000", "-D", "-l", "reboot")),
	withStatus(cc("attribute-delete-status-missing", "cluster.xml", "crm_attribute", "-t", "status", "-N", "node2", "-n", "nope", "-D")),
	withStatus(cc("attribute-promotion", "cluster.xml", "crm_attribute", "-p", "d1", "-N", "node1", "-v", "5")),
	withStatus(cc("attribute-promotion-long", "cluster.xml", "crm_attribute", "--promotion=d1", "-N", "node1", "-v", "5")),
	cc("attribute-promotion-forever", "cluster.xml", "crm_attribute", "--promotion", "d1", "-N", "node1", "-l", "forever", "-v", "3"),
	cc("attribute-get-reboot-missing", "cluster.xml", "crm_attribute", "-N", "node2", "-n", "rack", "-G", "-l", "reboot"),
	// crm_standby
	cc("standby-on", "cluster.xml", "crm_standby", "-N", "node1", "-v", "on"),
	withStatus(cc("standby-reboot", "cluster.xml", "crm_standby", "-N", "node1", "-v", "true", "-l", "reboot")),
	cc("standby-query-unset", "cluster.xml", "crm_standby", "-N", "node1", "-G"),
	cc("standby-query", "standby.xml", "crm_standby", "-N", "node2", "-G"),
	cc("standby-query-quiet", "standby.xml", "crm_standby", "-N", "node2", "-G", "-q"),
	cc("standby-query-long", "standby.xml", "crm_standby", "--node", "node2", "--query"),
	cc("standby-query-reboot-missing", "standby.xml", "crm_standby", "-N", "node2", "-l", "reboot", "-G"),
	cc("standby-delete", "standby.xml", "crm_standby", "-N", "node2", "-D"),
	cc("standby-off", "standby.xml", "crm_standby", "-N", "node2", "-v", "off"),
	cc("standby-unknown-node", "cluster.xml", "crm_standby", "-N", "nonode", "-v", "on"),
	// crm_failcount
	cc("failcount", "cluster.xml", "crm_failcount", "-G", "-r", "d2", "-N", "node2"),
	cc("failcount-quiet", "cluster.xml", "crm_failcount", "-G", "-r", "d2", "-N", "node2", "-q"),
	cc("failcount-none", "cluster.xml", "crm_failcount", "-G", "-r", "d2", "-N", "node1"),
	cc("failcount-op", "cluster.xml", "crm_failcount", "-G", "-r", "d2", "-N", "node2", "-n", "monitor", "-I", "10s"),
	cc("failcount-op-none", "cluster.xml", "crm_failcount", "--query", "--resource", "d2", "--node", "node2", "-n", "start", "-I", "0"),
	// cibadmin
	cc("cibadmin-query", "cluster.xml", "cibadmin", "-Q"),
	cc("cibadmin-query-clones", "clones.xml", "cibadmin", "--query"),
	cc("cibadmin-query-scope", "cluster.xml", "cibadmin", "-Q", "-o", "nodes"),
	cc("cibadmin-query-scope-long", "cluster.xml", "cibadmin", "-Q", "--scope", "crm_config"),
	cc("cibadmin-query-status", "cluster.xml", "cibadmin", "-Q", "-o", "status"),
	cc("cibadmin-query-absent", "cluster.xml", "cibadmin", "-Q", "-o", "rsc_defaults"),
	cc("cibadmin-query-no-children", "cluster.xml", "cibadmin", "-Q", "-o", "configuration", "-n"),
	cc("cibadmin-query-xpath", "cluster.xml", "cibadmin", "-Q", "--xpath", "//primitive[@id='d5']"),
	cc("cibadmin-query-xpath-many", "cluster.xml", "cibadmin", "-Q", "-A", "//op"),
	cc("cibadmin-query-xpath-paths", "cluster.xml", "cibadmin", "-Q", "-A", "//op", "-e"),
	cc("cibadmin-query-xpath-none", "cluster.xml", "cibadmin", "-Q", "-A", "//nope"),
	cc("cibadmin-empty", "cluster.xml", "cibadmin", "--empty"),
	cc("cibadmin-create", "cluster.xml", "cibadmin", "-C", "-o", "resources", "-X", `<primitive id="d9" class="ocf" provider="heartbeat" type="Dummy"/>`),
	cc("cibadmin-create-exists", "cluster.xml", "cibadmin", "-C", "-o", "resources", "-X", `<primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/>`),
	cc("cibadmin-create-no-scope", "cluster.xml", "cibadmin", "-C", "-X", `<primitive id="d9" class="ocf" provider="heartbeat" type="Dummy"/>`),
	cc("cibadmin-create-dangling", "cluster.xml", "cibadmin", "-C", "-o", "constraints", "-X", `<rsc_location id="l2" rsc="d9" node="node1" score="5"/>`),
	cc("cibadmin-create-section", "cluster.xml", "cibadmin", "-C", "-o", "configuration", "-X", `<rsc_defaults><meta_attributes id="rd"/></rsc_defaults>`),
	cc("cibadmin-create-file", "cluster.xml", "cibadmin", "-C", "-o", "resources", "-x", "testdata/input-primitive.xml"),
	{name: "cibadmin-create-pipe", input: "cluster.xml", tool: "cibadmin", args: []string{"-C", "-o", "resources", "-p"}, stdin: `<primitive id="d8" class="ocf" provider="heartbeat" type="Dummy"/>`},
	cc("cibadmin-modify", "cluster.xml", "cibadmin", "-M", "-X", `<nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="true"/>`),
	cc("cibadmin-modify-scope", "cluster.xml", "cibadmin", "-M", "-o", "crm_config", "-X", `<nvpair id="cib-bootstrap-options-stonith-enabled" value="true"/>`),
	cc("cibadmin-modify-missing", "cluster.xml", "cibadmin", "-M", "-X", `<nvpair id="nope" value="true"/>`),
	cc("cibadmin-modify-attrs", "cluster.xml", "cibadmin", "--modify", "--xml-text", `<primitive id="d1" type="Stateful" provider="pacemaker"/>`),
	cc("cibadmin-modify-child", "cluster.xml", "cibadmin", "-M", "-X", `<primitive id="d1"><instance_attributes id="d1-instance_attributes"><nvpair id="d1-instance_attributes-fake" value="z"/></instance_attributes></primitive>`),
	cc("cibadmin-modify-new-child", "cluster.xml", "cibadmin", "-M", "-X", `<primitive id="d1"><meta_attributes id="d1-new"><nvpair id="d1-new-x" name="x" value="z"/></meta_attributes></primitive>`),
	cc("cibadmin-replace-section", "cluster.xml", "cibadmin", "-R", "-o", "constraints", "-X", `<constraints><rsc_location id="l3" rsc="d1" node="node2" score="5"/></constraints>`),
	cc("cibadmin-replace-element", "cluster.xml", "cibadmin", "-R", "-X", `<rsc_location id="loc-d1" rsc="d1" node="node2" score="7"/>`),
	cc("cibadmin-replace-in-scope", "cluster.xml", "cibadmin", "--replace", "-o", "constraints", "-X", `<rsc_location id="loc-d1" rsc="d1" node="node2" score="7"/>`),
	cc("cibadmin-replace-dangling", "cluster.xml", "cibadmin", "-R", "-o", "resources", "-X", `<resources/>`),
	cc("cibadmin-replace-wrong-scope", "cluster.xml", "cibadmin", "-R", "-o", "resources", "-X", `<constraints/>`),
	cc("cibadmin-replace-missing", "cluster.xml", "cibadmin", "-R", "-X", `<primitive id="nope"/>`),
	cc("cibadmin-replace-older", "cluster.xml", "cibadmin", "-R", "-X", `<cib epoch="2" admin_epoch="0" num_updates="0"><configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/></cib>`),
	cc("cibadmin-delete", "cluster.xml", "cibadmin", "-D", "-X", `<rsc_location id="loc-d1"/>`),
	cc("cibadmin-delete-scope", "cluster.xml", "cibadmin", "--delete", "-o", "constraints", "-X", `<rsc_location id="loc-d1"/>`),
	cc("cibadmin-delete-attrs-match", "cluster.xml", "cibadmin", "-D", "-X", `<rsc_location id="loc-d1" score="50"/>`),
	cc("cibadmin-delete-attrs-differ", "cluster.xml", "cibadmin", "-D", "-X", `<rsc_location id="loc-d1" score="99"/>`),
	cc("cibadmin-delete-referenced", "cluster.xml", "cibadmin", "-D", "-X", `<primitive id="d1"/>`),
	cc("cibadmin-delete-missing", "cluster.xml", "cibadmin", "-D", "-X", `<primitive id="nope"/>`),
	cc("cibadmin-delete-xpath", "cluster.xml", "cibadmin", "-D", "-A", "//rsc_location[@id='loc-d1']"),
	cc("cibadmin-delete-xpath-first", "cluster.xml", "cibadmin", "-D", "-A", "//nvpair"),
	cc("cibadmin-delete-xpath-none", "cluster.xml", "cibadmin", "-D", "-A", "//nope"),
	cc("cibadmin-delete-all-unforced", "cluster.xml", "cibadmin", "-D", "-d", "-A", "//op"),
	cc("cibadmin-erase-unforced", "cluster.xml", "cibadmin", "-E"),
	withStatus(cc("cibadmin-erase", "cluster.xml", "cibadmin", "-E", "--force")),
	// crm_verify
	cc("verify-live", "cluster.xml", "crm_verify", "-L"),
	cc("verify-live-verbose", "cluster.xml", "crm_verify", "-LV"),
	cc("verify-clones", "clones.xml", "crm_verify", "--live-check"),
	cc("verify-no-stonith", "empty.xml", "crm_verify", "-L"),
	cc("verify-no-stonith-resources", "empty-primitive.xml", "crm_verify", "-L", "-V"),
	cc("verify-bad-reference", "bad-reference.xml", "crm_verify", "-L"),
	cc("verify-bad-boolean", "bad-boolean.xml", "crm_verify", "-L"),
	cc("verify-missing-agent", "missing-agent.xml", "crm_verify", "-L"),
	cc("verify-bad-score", "bad-score.xml", "crm_verify", "-L"),
	cc("verify-bad-policy", "bad-policy.xml", "crm_verify", "-L"),
	cc("verify-unknown-node", "unknown-node.xml", "crm_verify", "-L"),
	cc("verify-legacy-option", "legacy-option.xml", "crm_verify", "-L"),
	cc("verify-file", "cluster.xml", "crm_verify", "-x", "testdata/cluster.xml"),
	cc("verify-file-bad-reference", "cluster.xml", "crm_verify", "-x", "testdata/bad-reference.xml"),
	cc("verify-file-bad-boolean", "cluster.xml", "crm_verify", "--xml-file", "testdata/bad-boolean.xml"),
	cc("verify-file-missing", "cluster.xml", "crm_verify", "-x", "testdata/no-such-file.xml"),
	cc("verify-no-source", "cluster.xml", "crm_verify"),
	// crm_ticket
	cc("ticket-list-one", "tickets.xml", "crm_ticket", "-t", "T1", "-l"),
	cc("ticket-details-one", "tickets.xml", "crm_ticket", "-t", "T1", "-L"),
	cc("ticket-details-standby", "tickets.xml", "crm_ticket", "-t", "T3", "--details"),
	cc("ticket-list-missing", "tickets.xml", "crm_ticket", "-t", "T9", "-l"),
	cc("ticket-query-xml", "tickets.xml", "crm_ticket", "-q"),
	cc("ticket-query-xml-one", "tickets.xml", "crm_ticket", "-t", "T1", "-q"),
	cc("ticket-query-xml-no-state", "tickets.xml", "crm_ticket", "-t", "T5", "-q"),
	cc("ticket-constraints", "tickets.xml", "crm_ticket", "-c"),
	cc("ticket-constraints-one", "tickets.xml", "crm_ticket", "-t", "T5", "--constraints"),
	cc("ticket-get", "tickets.xml", "crm_ticket", "-t", "T4", "-G", "owner"),
	cc("ticket-get-granted", "tickets.xml", "crm_ticket", "-t", "T1", "-G", "granted"),
	cc("ticket-get-missing", "tickets.xml", "crm_ticket", "-t", "T4", "-G", "nope"),
	cc("ticket-get-default", "tickets.xml", "crm_ticket", "-t", "T4", "-G", "nope", "-d", "dd"),
	withStatus(cc("ticket-revoke", "tickets.xml", "crm_ticket", "-t", "T1", "-r", "--force")),
	withStatus(cc("ticket-standby", "tickets.xml", "crm_ticket", "-t", "T1", "-s")),
	withStatus(cc("ticket-activate", "tickets.xml", "crm_ticket", "-t", "T3", "-a")),
	withStatus(cc("ticket-set-attr", "tickets.xml", "crm_ticket", "-t", "T6", "-S", "owner", "-v", "x")),
	withStatus(cc("ticket-delete-attr", "tickets.xml", "crm_ticket", "-t", "T4", "-D", "owner")),
	withStatus(cc("ticket-cleanup", "tickets.xml", "crm_ticket", "-t", "T4", "-C")),
	withStatus(cc("ticket-cleanup-granted-forced", "tickets.xml", "crm_ticket", "-t", "T1", "-C", "--force")),
}

// result is what a run came to, in the goldens' layout.
type result struct {
	rc     int
	stdout string
	cib    string
}

func (r result) String() string {
	return fmt.Sprintf("exit status: %d\n--- stdout\n%s--- change to the CIB\n%s", r.rc, r.stdout, r.cib)
}

// variable masks what differs from run to run: lifetimes and grants are
// taken from the clock.
var variable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ`), "<TIME>"},
	{regexp.MustCompile(`last-granted='[^']*'`), "last-granted='<TIME>'"},
}

func mask(s string) string {
	for _, v := range variable {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// canonical renders the configuration (and the status, with status) of a
// CIB file: one element a line, attributes sorted, whitespace ignored;
// the root's versions and stamps are left out.
func canonical(t *testing.T, path string, status bool) string {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromFile(path); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var b strings.Builder
	var walk func(e *etree.Element, depth int)
	walk = func(e *etree.Element, depth int) {
		attrs := make([]string, 0, len(e.Attr))
		for _, a := range e.Attr {
			v := a.Value
			if a.Key == "last-granted" {
				v = "<TIME>"
			}
			attrs = append(attrs, fmt.Sprintf("%s=%q", a.Key, v))
		}
		sort.Strings(attrs)
		fmt.Fprintf(&b, "%s<%s %s>\n", strings.Repeat("  ", depth), e.Tag, strings.Join(attrs, " "))
		for _, ch := range e.ChildElements() {
			walk(ch, depth+1)
		}
	}
	root := doc.Root()
	if root == nil {
		t.Fatalf("%s: no root", path)
	}
	if c := root.SelectElement("configuration"); c != nil {
		walk(c, 0)
	}
	if s := root.SelectElement("status"); s != nil && status {
		walk(s, 0)
	}
	return mask(b.String())
}

func copyInput(t *testing.T, c compatCase) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", c.input))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cib.xml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// change is how the resulting CIB differs from the input, line by line
// ("-" gone, "+" new), or "unchanged".
func change(t *testing.T, c compatCase, path string) string {
	t.Helper()
	before := strings.SplitAfter(canonical(t, filepath.Join("testdata", c.input), c.status), "\n")
	after := strings.SplitAfter(canonical(t, path, c.status), "\n")
	// Longest common subsequence, then the edits around it.
	n, m := len(before), len(after)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if before[i] == after[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && before[i] == after[j]:
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			b.WriteString("+" + after[j])
			j++
		default:
			b.WriteString("-" + before[i])
			i++
		}
	}
	if b.Len() == 0 {
		return "unchanged\n"
	}
	return b.String()
}

// runOurs runs Pacer's tool in-process on a copy of the input.
func runOurs(t *testing.T, c compatCase) result {
	t.Helper()
	path := copyInput(t, c)
	var out, errs bytes.Buffer
	rc, ok := Run(c.tool, c.args, Env{Backend: shell.FileBackend{Path: path}, Stdin: strings.NewReader(c.stdin), Stdout: &out, Stderr: &errs})
	if !ok {
		t.Fatalf("no tool %s", c.tool)
	}
	if testing.Verbose() && errs.Len() > 0 {
		t.Logf("stderr: %s", errs.String())
	}
	return result{rc: rc, stdout: mask(out.String()), cib: change(t, c, path)}
}

// runTheirs runs Pacemaker's tool on a copy of the input.
func runTheirs(t *testing.T, c compatCase) result {
	t.Helper()
	path := copyInput(t, c)
	cmd := exec.Command("/usr/sbin/"+c.tool, c.args...)
	cmd.Env = append(os.Environ(), "CIB_file="+path, "TZ=UTC", "LC_ALL=C")
	cmd.Stdin = strings.NewReader(c.stdin)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	rc := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("run %s: %v", c.tool, err)
		}
		rc = ee.ExitCode()
	}
	return result{rc: rc, stdout: mask(out.String()), cib: change(t, c, path)}
}

func goldenPath(c compatCase) string { return filepath.Join("testdata", "golden", c.name+".txt") }

func agentInstalled() bool {
	_, err := os.Stat("/usr/lib/ocf/resource.d/heartbeat/Dummy")
	return err == nil
}

func compare(t *testing.T, what string, want, got result) {
	t.Helper()
	if want.rc != got.rc {
		t.Errorf("exit status: %s %d, Pacer %d", what, want.rc, got.rc)
	}
	if want.stdout != got.stdout {
		t.Errorf("stdout differs:\n--- %s\n%s--- Pacer\n%s", what, want.stdout, got.stdout)
	}
	if want.cib != got.cib {
		t.Errorf("resulting CIB differs:\n--- %s\n%s--- Pacer\n%s", what, want.cib, got.cib)
	}
}

// TestCompatWithPacemaker runs every case through Pacemaker 2.1.5's tool
// and Pacer's on copies of the same CIB file and wants the same output,
// exit status and resulting CIB. With -update it records the goldens.
func TestCompatWithPacemaker(t *testing.T) {
	if _, err := os.Stat("/usr/sbin/crm_resource"); err != nil {
		t.Skip("Pacemaker's tools are not installed (apt-get install pacemaker-cli-utils)")
	}
	names := map[string]bool{}
	commands := map[string]bool{}
	agreed := 0
	var mu sync.Mutex
	for _, c := range compatCases {
		if names[c.name] {
			t.Fatalf("two cases named %s", c.name)
		}
		names[c.name] = true
		c := c
		t.Run(c.name, func(t *testing.T) {
			if c.agent && !agentInstalled() {
				t.Skip("resource-agents is not installed")
			}
			theirs := runTheirs(t, c)
			if *update {
				if err := os.MkdirAll(filepath.Dir(goldenPath(c)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(goldenPath(c), []byte(theirs.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			compare(t, "Pacemaker", theirs, runOurs(t, c))
			if !t.Failed() {
				mu.Lock()
				commands[c.tool+" "+strings.Join(c.args, " ")] = true
				agreed++
				mu.Unlock()
			}
		})
	}
	t.Logf("%d distinct commands (%d cases) give Pacemaker's output, exit status and CIB", len(commands), agreed)
	if len(commands) < 20 {
		t.Errorf("only %d commands agree with Pacemaker; at least 20 must", len(commands))
	}
}

// TestGoldens checks Pacer's tools against Pacemaker's outputs recorded
// in testdata/golden, so that the comparison holds where Pacemaker is not
// installed.
func TestGoldens(t *testing.T) {
	for _, c := range compatCases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			if c.agent && !agentInstalled() {
				t.Skip("resource-agents is not installed")
			}
			data, err := os.ReadFile(goldenPath(c))
			if err != nil {
				t.Fatalf("no golden (record them with go test ./tools -run TestCompatWithPacemaker -update): %v", err)
			}
			got := runOurs(t, c).String()
			if got != string(data) {
				t.Errorf("differs from Pacemaker's recorded output:\n--- golden %s\n%s--- Pacer\n%s", goldenPath(c), data, got)
			}
		})
	}
}
