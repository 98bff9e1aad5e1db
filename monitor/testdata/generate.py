#!/usr/bin/env python3
"""Writes the status-view inputs (NAME.xml) that are not hand-written
(generate_more.py writes the others). Record the goldens with Pacemaker
2.1.5's crm_mon, once: ./record.sh records those missing (-1, -1 -r, -1 -f,
-1 -A, -1 -r -f -A, --output-as=xml, -X); the test normalises the stack,
version and time lines."""

HEAD = '''<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="10" num_updates="0" admin_epoch="0" have-quorum="%s" dc-uuid="node1">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-stonith-enabled" name="stonith-enabled" value="false"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
%s    </nodes>
    <resources>
%s    </resources>
    <constraints/>
  </configuration>
  <status>
%s  </status>
</cib>
'''

def node(n, attrs=None):
    if not attrs:
        return '      <node id="%s" uname="%s"/>\n' % (n, n)
    s = '      <node id="%s" uname="%s">\n        <instance_attributes id="%s-ia">\n' % (n, n, n)
    for k, v in attrs.items():
        s += '          <nvpair id="%s-%s" name="%s" value="%s"/>\n' % (n, k, k, v)
    return s + '        </instance_attributes>\n      </node>\n'

def prim(id, meta=None, ops=()):
    s = '      <primitive id="%s" class="ocf" provider="pacer" type="Dummy">\n' % id
    if meta:
        s += '        <meta_attributes id="%s-meta">\n' % id
        for k, v in meta.items():
            s += '          <nvpair id="%s-meta-%s" name="%s" value="%s"/>\n' % (id, k, k, v)
        s += '        </meta_attributes>\n'
    s += '        <operations>\n          <op name="monitor" interval="10s" timeout="20s" id="%s-monitor-10s"/>\n' % id
    for name, extra in ops:
        s += '          <op name="%s" interval="0" timeout="20s" %s id="%s-%s-0"/>\n' % (name, extra, id, name)
    return s + '        </operations>\n      </primitive>\n'

def op(rsc, node, task, call, rc=0, interval=0, status=0, oid=None):
    oid = oid or ("%s_last_0" % rsc if interval == 0 else "%s_%s_%d" % (rsc, task, interval))
    expected = 7 if task == "monitor" and interval == 0 else 0
    return ('            <lrm_rsc_op id="%s" operation_key="%s_%s_%d" operation="%s" crm-debug-origin="test" crm_feature_set="3.16.1" transition-key="1:1:%d:test" transition-magic="%d:%d;1:1:%d:test" exit-reason="" on_node="%s" call-id="%d" rc-code="%d" op-status="%d" interval="%d" last-rc-change="1700000000" exec-time="10" queue-time="0"/>\n'
            % (oid, rsc, task, interval, task, expected, status, rc, expected, node, call, rc, status, interval))

def state(n, rscs, online=True):
    s = '    <node_state id="%s" uname="%s" in_ccm="%s" crmd="%s" join="%s" expected="%s">\n' % (
        n, n, "true" if online else "false", "online" if online else "offline", "member" if online else "down", "member" if online else "down")
    s += '      <lrm id="%s">\n        <lrm_resources>\n' % n
    for rid, ops in rscs.items():
        s += '          <lrm_resource id="%s" class="ocf" provider="pacer" type="Dummy">\n' % rid
        s += ''.join(ops) + '          </lrm_resource>\n'
    return s + '        </lrm_resources>\n      </lrm>\n    </node_state>\n'

def started(r, n):
    return [op(r, n, "start", 2), op(r, n, "monitor", 3, interval=10000)]

RSCS = ["blocked", "disabled", "stopping", "monitoring", "ignored", "twice"]
prims = (prim("blocked") + prim("disabled", {"target-role": "Stopped", "is-managed": "false"}) +
         prim("stopping") + prim("monitoring") + prim("ignored", ops=[("start", 'on-fail="ignore"')]) + prim("twice"))
n1 = {"blocked": [op("blocked", "node1", "stop", 4, rc=1), op("blocked", "node1", "stop", 4, rc=1, oid="blocked_last_failure_0")],
      "disabled": started("disabled", "node1"),
      "stopping": started("stopping", "node1")[:1] + [op("stopping", "node1", "stop", 4, status=-1)],
      "monitoring": [op("monitoring", "node1", "start", 2), op("monitoring", "node1", "monitor", 3, interval=10000, status=-1)],
      "ignored": [op("ignored", "node1", "start", 2, rc=1), op("ignored", "node1", "start", 2, rc=1, oid="ignored_last_failure_0")],
      "twice": started("twice", "node1")}
n3 = {r: [op(r, "node3", "monitor", 1, rc=7)] for r in RSCS if r != "twice"}
n3["twice"] = started("twice", "node3")
open("states.xml", "w").write(HEAD % ("1", node("node1") + node("node2", {"standby": "on"}) + node("node3") + node("node4", {"maintenance": "on"}),
                                       prims, state("node1", n1) + state("node2", {}, online=False) + state("node3", n3)))

# No quorum, a node in maintenance (what runs there is unmanaged), a
# failed monitor and a timed-out start.
prims = prim("m1") + prim("f1") + prim("t1") + prim("s1", {"target-role": "Stopped"})
n1 = {"m1": started("m1", "node1"), "s1": [op("s1", "node1", "monitor", 1, rc=7)]}
n2 = {"f1": started("f1", "node2") + [op("f1", "node2", "monitor", 4, rc=7, interval=10000, oid="f1_last_failure_0")],
      "t1": [op("t1", "node2", "start", 2, rc=1, status=2), op("t1", "node2", "start", 2, rc=1, status=2, oid="t1_last_failure_0")]}
open("quorum.xml", "w").write((HEAD % ("0", node("node1", {"maintenance": "on"}) + node("node2") + node("node3"),
                                        prims, state("node1", n1) + state("node2", n2) + state("node3", {}, online=False)))
                              .replace('dc-uuid="node1"', 'dc-uuid="node2"'))
