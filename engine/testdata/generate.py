#!/usr/bin/env python3
"""Writes the engine's golden input CIBs (NAME.xml). Run it from this
directory after changing a case; then regenerate the plans with
UPDATE_GOLDEN=1 go test ./engine and read the diff. The inputs are
Pacemaker-valid, so crm_simulate -x NAME.xml -S can check a case."""

HEAD = '''<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="%s" dc-uuid="node1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
%s      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="node1" uname="node1"/>
      <node id="node2" uname="node2"%s
      <node id="node3" uname="node3"/>
    </nodes>
    <resources>
%s    </resources>
    <constraints>
%s    </constraints>
%s  </configuration>
  <status>
%s  </status>
</cib>
'''
NODES = ["node1", "node2", "node3"]

def prop(k, v):
    return '        <nvpair id="cib-bootstrap-options-%s" name="%s" value="%s"/>\n' % (k, k, v)

def prim(id, meta=None, monitor=True, cls="ocf", prov="pacer", typ="Dummy", indent="      "):
    s = indent + '<primitive id="%s" class="%s"%s type="%s">\n' % (id, cls, ' provider="%s"' % prov if prov else '', typ)
    if meta:
        s += indent + '  <meta_attributes id="%s-meta_attributes">\n' % id
        for k, v in meta.items():
            s += indent + '    <nvpair id="%s-meta_attributes-%s" name="%s" value="%s"/>\n' % (id, k, k, v)
        s += indent + '  </meta_attributes>\n'
    if monitor:
        s += indent + '  <operations>\n' + indent + '    <op name="monitor" interval="10s" timeout="20s" id="%s-monitor-10s"/>\n' % id + indent + '  </operations>\n'
    return s + indent + '</primitive>\n'

def group(id, members, meta=None):
    s = '      <group id="%s">\n' % id
    if meta:
        s += '        <meta_attributes id="%s-meta_attributes">\n' % id
        for k, v in meta.items():
            s += '          <nvpair id="%s-meta_attributes-%s" name="%s" value="%s"/>\n' % (id, k, k, v)
        s += '        </meta_attributes>\n'
    for m in members:
        s += prim(m, indent="        ")
    return s + '      </group>\n'

def op(rsc, task, call, rc, interval=0, expected=0, status=0, node="node1", suffix=None):
    oid = suffix or ("%s_last_0" % rsc if interval == 0 else "%s_%s_%d" % (rsc, task, interval))
    # Pacemaker's parameter digests for a parameterless agent (one-shot
    # operations, and recurring monitors with a 20 s timeout), so that
    # crm_simulate does not take every resource as redefined.
    digest = ' op-digest="%s"' % ("f2317cad3d54cec5d7d7aa7d0bf35cf8" if interval == 0 else "4811cef7f7f94e3a35a70be7916cb2fd")
    return ('          <lrm_rsc_op id="%s" operation_key="%s_%s_%d" operation="%s" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="1:1:%d:test" transition-magic="%d:%d;1:1:%d:test" exit-reason="" on_node="%s" call-id="%d" rc-code="%d" op-status="%d" interval="%d" last-rc-change="1700000000" exec-time="10" queue-time="0"%s/>\n'
            % (oid, rsc, task, interval, task, expected, status, rc, expected, node, call, rc, status, interval, digest))

def ns(node, online=True, expected="member", rscs=None, attrs=None):
    s = '    <node_state id="%s" uname="%s" in_ccm="%s" crmd="%s" join="%s" expected="%s">\n' % (
        node, node, "true" if online else "false", "online" if online else "offline", "member" if online else "down", expected)
    if attrs:
        s += '      <transient_attributes id="%s">\n        <instance_attributes id="status-%s">\n' % (node, node)
        for k, v in attrs.items():
            s += '          <nvpair id="status-%s-%s" name="%s" value="%s"/>\n' % (node, k.replace('#', '.'), k, v)
        s += '        </instance_attributes>\n      </transient_attributes>\n'
    if rscs is not None:
        s += '      <lrm id="%s">\n        <lrm_resources>\n' % node
        for rid, ops in rscs.items():
            if rid.startswith("fence"):
                s += '          <lrm_resource id="%s" class="stonith" type="fence_dummy">\n' % rid
            else:
                s += '          <lrm_resource id="%s" class="ocf" provider="pacer" type="Dummy">\n' % rid
            for o in ops:
                s += '  ' + o
            s += '          </lrm_resource>\n'
        s += '        </lrm_resources>\n      </lrm>\n'
    return s + '    </node_state>\n'

def probed(rsc, node, call=1):
    return [op(rsc, "monitor", call, 7, expected=7, node=node)]

def running(rsc, node, mon=True, call=2):
    o = [op(rsc, "start", call, 0, node=node)]
    if mon:
        o.append(op(rsc, "monitor", call + 1, 0, interval=10000, node=node))
    return o

def failed_mon(rsc, node):
    return [op(rsc, "start", 2, 0, node=node), op(rsc, "monitor", 3, 7, interval=10000, node=node),
            op(rsc, "monitor", 3, 7, interval=10000, node=node, suffix=rsc + "_last_failure_0")]

def write(name, props={"stonith-enabled": "false"}, prims=None, cons="", status="", quorum="1", extra="", node2="", nodes=None):
    p = ''.join(prop(k, v) for k, v in props.items())
    n2 = '>\n        <instance_attributes id="node2-ia"><nvpair id="node2-standby" name="standby" value="on"/></instance_attributes>\n      </node>' if node2 == "standby" else '/>'
    out = HEAD % (quorum, p, n2, prims if prims is not None else prim("d1"), cons, extra, status)
    if nodes is not None:
        start, end = out.index("    <nodes>\n"), out.index("    </nodes>\n") + len("    </nodes>\n")
        out = out[:start] + "    <nodes>\n" + nodes + "    </nodes>\n" + out[end:]
    open(name + ".xml", "w").write(out)

def everywhere(state):
    """state(rsc, node) -> ops; rscs given per node."""
    return ''.join(ns(n, rscs=state(n)) for n in NODES)

def stopped_all(rscs=("d1",)):
    return everywhere(lambda n: {r: probed(r, n) for r in rscs})

def on(node, r="d1", mon=True):
    return everywhere(lambda n: {r: running(r, n, mon) if n == node else probed(r, n)})

write("01-fresh-probes", status=''.join(ns(n) for n in NODES))
write("02-probed-start", status=stopped_all())
write("03-running-steady", prims=prim("d1", {"resource-stickiness": "100"}), status=on("node2"))
write("04-running-no-monitor", status=on("node2", mon=False))
write("05-node-offline-no-fencing", prims=prim("d1", {"resource-stickiness": "100"}),
      status=ns("node1", rscs={"d1": probed("d1", "node1")}) + ns("node2", online=False) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("06-node-offline-unclean", props={"stonith-enabled": "true"}, prims=prim("d1") + prim("fence1", monitor=False, cls="stonith", prov=None, typ="fence_dummy"),
      status=ns("node1", rscs={"d1": probed("d1", "node1"), "fence1": running("fence1", "node1", False)}) + ns("node2", online=False, rscs={"d1": running("d1", "node2")}) + ns("node3", rscs={"d1": probed("d1", "node3"), "fence1": probed("fence1", "node3")}))
write("07-stonith-rule", props={}, status=stopped_all())
write("08-standby-moves", node2="standby", prims=prim("d1", {"resource-stickiness": "100"}), status=on("node2"))
write("09-location-scores", cons='      <rsc_location id="l-ban" rsc="d1" node="node1" score="-INFINITY"/>\n      <rsc_location id="l-pref" rsc="d1" node="node3" score="100"/>\n', status=stopped_all())
write("10-target-role-stopped", prims=prim("d1", {"target-role": "Stopped"}), status=on("node2"))
write("11-failed-monitor-recover", status=ns("node1", rscs={"d1": probed("d1", "node1")}) + ns("node2", rscs={"d1": failed_mon("d1", "node2")}, attrs={"fail-count-d1#monitor_10000": "1"}) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("12-migration-threshold", prims=prim("d1", {"migration-threshold": "1", "resource-stickiness": "100"}),
      status=ns("node1", rscs={"d1": probed("d1", "node1")}) + ns("node2", rscs={"d1": failed_mon("d1", "node2")}, attrs={"fail-count-d1#monitor_10000": "1"}) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("13-pending-start", status=ns("node1", rscs={"d1": probed("d1", "node1")}) + ns("node2", rscs={"d1": [op("d1", "start", 2, 0, status=-1, node="node2")]}) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("14-multiple-active", status=ns("node1", rscs={"d1": running("d1", "node1")}) + ns("node2", rscs={"d1": running("d1", "node2")}) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("15-no-quorum-stop", quorum="0", status=on("node2"))
write("16-balance", prims=prim("a") + prim("b") + prim("c"), status=stopped_all("abc"))
write("17-failed-start", status=ns("node1", rscs={"d1": probed("d1", "node1")}) + ns("node2", rscs={"d1": [op("d1", "start", 2, 1, node="node2"), op("d1", "start", 2, 1, node="node2", suffix="d1_last_failure_0")]}, attrs={"fail-count-d1#start_0": "INFINITY"}) + ns("node3", rscs={"d1": probed("d1", "node3")}))
write("18-not-managed", prims=prim("d1", {"is-managed": "false"}), status=on("node2", mon=False))
# Groups, colocation, order, rules.
write("19-group-start", prims=group("g", ["ip", "web"]), status=stopped_all(("ip", "web")))
write("20-group-move-standby", node2="standby", prims=group("g", ["ip", "web"], {"resource-stickiness": "100"}),
      status=everywhere(lambda n: {r: running(r, n, call=2 + 2 * i) if n == "node2" else probed(r, n) for i, r in enumerate(("ip", "web"))}))
write("21-group-member-fails", prims=group("g", ["ip", "web", "app"]),
      status=everywhere(lambda n: {"ip": running("ip", n) if n == "node1" else probed("ip", n),
                                   "web": failed_mon("web", n) if n == "node1" else probed("web", n),
                                   "app": running("app", n, call=5) if n == "node1" else probed("app", n)}))
write("22-colocation-and-order", prims=prim("db") + prim("app") + prim("other"),
      cons='      <rsc_location id="l-db" rsc="db" node="node3" score="100"/>\n      <rsc_colocation id="c-app" score="INFINITY" rsc="app" with-rsc="db"/>\n      <rsc_colocation id="c-other" score="-INFINITY" rsc="other" with-rsc="db"/>\n      <rsc_order id="o-app" kind="Mandatory" first="db" then="app"/>\n',
      status=stopped_all(("db", "app", "other")))
write("23-order-blocks", prims=prim("db", {"target-role": "Stopped"}) + prim("app"),
      cons='      <rsc_order id="o-app" kind="Mandatory" first="db" then="app"/>\n', status=stopped_all(("db", "app")))
write("24-rule-pingd", prims=prim("d1"),
      cons='''      <rsc_location id="l-ping" rsc="d1">
        <rule id="l-ping-rule" score="-INFINITY" boolean-op="or">
          <expression id="l-ping-rule-expression" attribute="pingd" operation="not_defined"/>
          <expression id="l-ping-rule-expression-0" attribute="pingd" operation="lte" value="0"/>
        </rule>
      </rsc_location>
      <rsc_location id="l-pref" rsc="d1">
        <rule id="l-pref-rule" score="50">
          <expression id="l-pref-rule-expression" attribute="#uname" operation="eq" value="node2"/>
        </rule>
      </rsc_location>
''', status=ns("node1", rscs={"d1": probed("d1", "node1")}, attrs={"pingd": "100"}) + ns("node2", rscs={"d1": probed("d1", "node2")}, attrs={"pingd": "0"}) + ns("node3", rscs={"d1": probed("d1", "node3")}, attrs={"pingd": "100"}))
def clone(id, prim_id, meta=None):
    s = '      <clone id="%s">\n' % id
    if meta:
        s += '        <meta_attributes id="%s-meta_attributes">\n' % id
        for k, v in meta.items():
            s += '          <nvpair id="%s-meta_attributes-%s" name="%s" value="%s"/>\n' % (id, k, k, v)
        s += '        </meta_attributes>\n'
    return s + prim(prim_id, indent="        ") + '      </clone>\n'

write("25-clone-start", prims=clone("cl-ping", "ping") + prim("app"),
      cons='      <rsc_colocation id="c-app" score="INFINITY" rsc="app" with-rsc="cl-ping"/>\n      <rsc_order id="o-app" kind="Mandatory" first="cl-ping" then="app"/>\n',
      status=stopped_all(("ping", "app")))
write("26-clone-node-lost", node2="standby", prims=clone("cl-ping", "ping", {"clone-max": "2"}),
      status=everywhere(lambda n: {"ping": running("ping", n) if n in ("node1", "node2") else probed("ping", n)}))
def prim_onfail(id, op, onfail):
    return ('      <primitive id="%s" class="ocf" provider="pacer" type="Dummy">\n        <operations>\n'
            '          <op name="%s" interval="0" timeout="20s" on-fail="%s" id="%s-%s-0"/>\n        </operations>\n      </primitive>\n' % (id, op, onfail, id, op))

failed_stop = lambda n: {"d1": [op("d1", "stop", 3, 1, node=n, status=4), op("d1", "stop", 3, 1, node=n, status=4, suffix="d1_last_failure_0")] if n == "node2" else probed("d1", n)}
write("27-failed-stop-ignored", prims=prim_onfail("d1", "stop", "ignore"), status=everywhere(failed_stop))
write("28-failed-stop-fences", props={"stonith-enabled": "true"}, prims=prim("d1") + prim("fence1", monitor=False, cls="stonith", prov=None, typ="fence_dummy"),
      status=everywhere(lambda n: dict(failed_stop(n), **{"fence1": running("fence1", n, False) if n == "node1" else probed("fence1", n)})))
def promotable(id, prim_id):
    return ('      <clone id="%s">\n        <meta_attributes id="%s-meta">\n          <nvpair id="%s-promotable" name="promotable" value="true"/>\n        </meta_attributes>\n'
            '        <primitive id="%s" class="ocf" provider="pacer" type="Dummy">\n          <operations>\n'
            '            <op name="monitor" interval="10s" role="Master" timeout="20s" id="%s-monitor-10s"/>\n'
            '            <op name="monitor" interval="11s" role="Slave" timeout="20s" id="%s-monitor-11s"/>\n'
            '          </operations>\n        </primitive>\n      </clone>\n' % (id, id, id, prim_id, prim_id, prim_id))

drbd_cons = ('      <rsc_colocation id="fs-on-master" score="INFINITY" rsc="fs" with-rsc="ms-drbd" with-rsc-role="Master"/>\n'
             '      <rsc_order id="fs-after-promote" kind="Mandatory" first="ms-drbd" first-action="promote" then="fs" then-action="start"/>\n')
def drbd_running(n):
    return {"drbd": [op("drbd", "start", 2, 0, node=n), op("drbd", "monitor", 3, 0, interval=11000, node=n)], "fs": probed("fs", n)}
write("29-promote-and-follow", prims=promotable("ms-drbd", "drbd") + prim("fs"), cons=drbd_cons,
      status=''.join(ns(n, rscs=drbd_running(n), attrs={"master-drbd": "10" if n == "node2" else "5"}) for n in NODES))
ticket_cons = ('      <rsc_ticket id="d1-needs-a" rsc="d1" ticket="ticketA" loss-policy="stop"/>\n'
               '      <rsc_ticket id="d2-needs-b" rsc="d2" ticket="ticketB" loss-policy="freeze"/>\n')
def ticket_status(granted_a, granted_b):
    st = everywhere(lambda n: {"d1": running("d1", n) if n == "node1" else probed("d1", n),
                               "d2": running("d2", n, call=5) if n == "node2" else probed("d2", n),
                               "d3": probed("d3", n)})
    return st + '    <tickets>\n      <ticket_state id="ticketA" granted="%s"/>\n      <ticket_state id="ticketB" granted="%s"/>\n    </tickets>\n' % (granted_a, granted_b)
write("30-ticket-revoked", prims=prim("d1") + prim("d2") + prim("d3", {"target-role": "Stopped"}), cons=ticket_cons, status=ticket_status("false", "false"))
def unique_clone(id, prim_id, maxn):
    return ('      <clone id="%s">\n        <meta_attributes id="%s-meta">\n          <nvpair id="%s-unique" name="globally-unique" value="true"/>\n'
            '          <nvpair id="%s-max" name="clone-max" value="%d"/>\n        </meta_attributes>\n' % (id, id, id, id, maxn)) + prim(prim_id, indent="        ") + '      </clone>\n'
write("31-unique-clone-colocated", prims=unique_clone("cl-u", "u", 2) + prim("app"),
      cons='      <rsc_colocation id="c-app" score="INFINITY" rsc="app" with-rsc="cl-u"/>\n      <rsc_order id="o-app" kind="Mandatory" first="cl-u" then="app"/>\n',
      status=stopped_all(("u:0", "u:1", "app")))

# Live migration: a migratable resource leaves a node going into standby
# by migrate_to/migrate_from instead of stop/start.
write("32-live-migration", node2="standby", prims=prim("d1", {"allow-migrate": "true", "resource-stickiness": "100"}), status=on("node2"))

# Utilization: each node offers 2 cpu; three resources need 1, 1 and 2;
# with placement-strategy=utilization the big one gets a node of its own.
def util_prim(id, cpu):
    return prim(id).replace('  </primitive>', '  <utilization id="%s-utilization"><nvpair id="%s-cpu" name="cpu" value="%d"/></utilization>\n      </primitive>' % (id, id, cpu))
util_nodes = ''.join('      <node id="%s" uname="%s">\n        <utilization id="%s-utilization"><nvpair id="%s-cpu" name="cpu" value="2"/></utilization>\n      </node>\n' % (n, n, n, n) for n in NODES)
write("33-utilization", props={"stonith-enabled": "false", "placement-strategy": "utilization"}, nodes=util_nodes,
      prims=util_prim("big", 2) + util_prim("small1", 1) + util_prim("small2", 1),
      cons='      <rsc_location id="l-big" rsc="big" node="node1" score="50"/>\n      <rsc_location id="l-small1" rsc="small1" node="node1" score="100"/>\n',
      status=stopped_all(("big", "small1", "small2")))

# Templates and tags: two primitives made from one template; a location
# constraint on a tag applies to every tagged resource.
tmpl = ('      <template id="web-tmpl" class="ocf" provider="pacer" type="Dummy">\n        <operations>\n'
        '          <op name="monitor" interval="10s" timeout="20s" id="web-tmpl-monitor-10s"/>\n        </operations>\n      </template>\n'
        '      <primitive id="w1" template="web-tmpl"/>\n      <primitive id="w2" template="web-tmpl"/>\n')
write("34-template-and-tag", prims=tmpl, cons='      <rsc_location id="l-webs" rsc="webs" node="node3" score="100"/>\n',
      extra='    <tags>\n      <tag id="webs">\n        <obj_ref id="w1"/>\n        <obj_ref id="w2"/>\n      </tag>\n    </tags>\n',
      status=stopped_all(("w1", "w2")))

# A Pacemaker Remote node: its connection starts on a cluster node, then
# what prefers the remote node is probed and started there.
remote_conn = ('      <primitive id="remote1" class="ocf" provider="pacemaker" type="remote">\n        <operations>\n'
               '          <op name="monitor" interval="60s" timeout="30s" id="remote1-monitor-60s"/>\n        </operations>\n      </primitive>\n')
write("35-remote-node", prims=remote_conn + prim("d1"), cons='      <rsc_location id="l-d1" rsc="d1" node="remote1" score="100"/>\n',
      status=''.join(ns(n) for n in NODES))

# A guest node: the container resource runs it; its connection (implicit)
# follows the container, and what prefers the guest runs in it.
write("36-guest-node", prims=prim("vm1", {"remote-node": "guest1"}) + prim("d1"),
      cons='      <rsc_location id="l-d1" rsc="d1" node="guest1" score="100"/>\n      <rsc_location id="l-vm1" rsc="vm1" node="node2" score="50"/>\n',
      status=''.join(ns(n) for n in NODES))

# Resource sets: a sequential order set and a colocation set.
sets = ('      <rsc_order id="o-set" kind="Mandatory">\n        <resource_set id="o-set-0">\n'
        '          <resource_ref id="a"/>\n          <resource_ref id="b"/>\n          <resource_ref id="c"/>\n        </resource_set>\n      </rsc_order>\n'
        '      <rsc_colocation id="c-set" score="INFINITY">\n        <resource_set id="c-set-0">\n'
        '          <resource_ref id="a"/>\n          <resource_ref id="b"/>\n          <resource_ref id="c"/>\n        </resource_set>\n      </rsc_colocation>\n'
        '      <rsc_location id="l-a" rsc="a" node="node3" score="100"/>\n')
write("37-resource-sets", prims=prim("a") + prim("b") + prim("c"), cons=sets, status=stopped_all("abc"))

# failure-timeout: a monitor failure that expired is forgotten (the
# monitor is scheduled again) and its fail count cleared.
write("38-failure-timeout", prims=prim("d1", {"failure-timeout": "60s", "resource-stickiness": "100"}),
      status=ns("node1", rscs={"d1": probed("d1", "node1")}) +
             ns("node2", rscs={"d1": failed_mon("d1", "node2")}, attrs={"fail-count-d1#monitor_10000": "1", "last-failure-d1#monitor_10000": "1700000000"}) +
             ns("node3", rscs={"d1": probed("d1", "node3")}))

# A bundle: two replicas of a Dummy in containers, each with an address
# and a guest node; placement constraints on the bundle place containers.
bundle = ('      <bundle id="web">\n        <docker image="pacer/web:1" replicas="2"/>\n'
          '        <network ip-range-start="192.168.122.131" control-port="3121"/>\n'
          '        <primitive id="httpd" class="ocf" provider="pacer" type="Dummy">\n          <operations>\n'
          '            <op name="monitor" interval="10s" timeout="20s" id="httpd-monitor-10s"/>\n          </operations>\n'
          '        </primitive>\n      </bundle>\n')
write("39-bundle", prims=bundle, cons='      <rsc_location id="l-web" rsc="web" node="node3" score="-INFINITY"/>\n',
      status=''.join(ns(n) for n in NODES))

# Rules with dates, and resource-discovery: d1 prefers node2 while a date
# range holds (it does, at the time the goldens use) and is never probed
# on node3, where it may not run.
date_rule = ('      <rsc_location id="l-date" rsc="d1">\n        <rule id="l-date-rule" score="200">\n'
             '          <date_expression id="l-date-expr" operation="in_range" start="2020-01-01" end="2099-12-31"/>\n'
             '          <expression id="l-date-node" attribute="#uname" operation="eq" value="node2"/>\n'
             '        </rule>\n      </rsc_location>\n'
             '      <rsc_location id="l-never" rsc="d1" node="node3" score="-INFINITY" resource-discovery="never"/>\n')
write("40-date-rule-and-discovery", cons=date_rule, status=''.join(ns(n) for n in NODES))

# Priorities and order kinds: one node is usable; hi (priority 10) gets
# it over lo, which may not run with it; an Optional order and a
# Serialize order do not block anything.
prio_cons = ('      <rsc_location id="l-hi-1" rsc="hi" node="node1" score="-INFINITY"/>\n      <rsc_location id="l-hi-2" rsc="hi" node="node2" score="-INFINITY"/>\n'
             '      <rsc_location id="l-lo-1" rsc="lo" node="node1" score="-INFINITY"/>\n      <rsc_location id="l-lo-2" rsc="lo" node="node2" score="-INFINITY"/>\n'
             '      <rsc_colocation id="c-lo-hi" score="-INFINITY" rsc="lo" with-rsc="hi"/>\n'
             '      <rsc_order id="o-opt" kind="Optional" first="lo" then="other"/>\n'
             '      <rsc_order id="o-ser" kind="Serialize" first="hi" then="other"/>\n')
write("41-priority-and-order-kinds", prims=prim("lo") + prim("hi", {"priority": "10"}) + prim("other"), cons=prio_cons,
      status=''.join(ns(n) for n in NODES))

# Clones with notifications and interleave: B's instances wait only for
# the A instance on their own node.
write("42-clone-notify-interleave", prims=clone("cl-a", "a", {"notify": "true", "interleave": "true"}) + clone("cl-b", "b", {"interleave": "true"}),
      cons='      <rsc_order id="o-ab" kind="Mandatory" first="cl-a" then="cl-b"/>\n',
      status=stopped_all(("a", "b")))
