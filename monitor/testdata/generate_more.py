#!/usr/bin/env python3
"""Writes the inputs of the fail count (-f), node attribute (-A) and XML
goldens: failcounts.xml, attrs.xml and cluster.xml. Record the goldens
with Pacemaker 2.1.5 afterwards: ./record.sh (it runs crm_mon on every
input of this directory)."""

T = 1700000000  # Tue Nov 14 22:13:20 2023 UTC

def nv(prefix, name, value):
    return '<nvpair id="%s-%s" name="%s" value="%s"/>' % (prefix, name.replace('#', '_'), name, value)

def attrs(tag, prefix, d):
    if not d:
        return ''
    return '<%s id="%s">%s</%s>' % (tag, prefix, ''.join(nv(prefix, k, v) for k, v in d.items()), tag)

def head(props, nodes, resources, constraints='', extra='', dc='node1', quorum='1'):
    return ('<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="7" num_updates="0" admin_epoch="0" '
            'have-quorum="%s" dc-uuid="%s" cib-last-written="Tue Nov 14 22:00:00 2023" update-origin="%s" '
            'update-client="cibadmin" update-user="root">\n  <configuration>\n'
            '    <crm_config><cluster_property_set id="cib-bootstrap-options">%s</cluster_property_set></crm_config>\n'
            '    <nodes>\n%s    </nodes>\n    <resources>\n%s    </resources>\n    <constraints>\n%s    </constraints>\n%s'
            '  </configuration>\n' % (quorum, dc, dc, ''.join(nv('opt', k, v) for k, v in props.items()), nodes, resources,
                                      constraints, extra))

def node(n, perm=None):
    return '      <node id="%s" uname="%s">%s</node>\n' % (n, n, attrs('instance_attributes', n + '-ia', perm))

def prim(id, agent=('ocf', 'pacer', 'Dummy'), meta=None, params=None, monitor='10s'):
    c, p, t = agent
    prov = ' provider="%s"' % p if p else ''
    ops = '<operations><op name="monitor" interval="%s" timeout="20s" id="%s-monitor"/></operations>' % (monitor, id) if monitor else ''
    return '<primitive id="%s" class="%s"%s type="%s">%s%s%s</primitive>' % (
        id, c, prov, t, attrs('instance_attributes', id + '-params', params), attrs('meta_attributes', id + '-meta', meta), ops)

def op(rsc, node, task, call, rc=0, interval=0, status=0, oid=None, expected=None, reason=None, when=T, key=None):
    if oid is None:
        oid = '%s_last_0' % rsc if interval == 0 else '%s_%s_%d' % (rsc, task, interval)
    if expected is None:
        expected = 7 if task == 'monitor' and interval == 0 else 0
    base = key or rsc
    r = ' exit-reason="%s"' % reason if reason is not None else ''
    return ('<lrm_rsc_op id="%s" operation_key="%s_%s_%d" operation="%s" transition-key="1:1:%d:test" '
            'transition-magic="%d:%d;1:1:%d:test" on_node="%s" call-id="%d" rc-code="%d" op-status="%d" interval="%d" '
            'last-rc-change="%d" exec-time="12" queue-time="1"%s/>' % (
                oid, base, task, interval, task, expected, status, rc, expected, node, call, rc, status, interval, when, r))

def started(rsc, node, call, interval=10000, key=None):
    return [op(rsc, node, 'start', call, key=key), op(rsc, node, 'monitor', call + 1, interval=interval, key=key)]

def failed_monitor(rsc, node, call, interval=10000, rc=1, when=T, reason='', key=None):
    return [op(rsc, node, 'start', call, key=key),
            op(rsc, node, 'monitor', call + 1, interval=interval, rc=rc, when=when, reason=reason, key=key),
            op(rsc, node, 'monitor', call + 1, interval=interval, rc=rc, when=when, reason=reason, key=key,
               oid='%s_last_failure_0' % rsc)]

def probed(rsc, node, call):
    return [op(rsc, node, 'monitor', call, rc=7)]

def state(n, rscs, transient=None, online=True):
    s = '    <node_state id="%s" uname="%s" in_ccm="%s" crmd="%s" join="%s" expected="%s">\n' % (
        n, n, 'true' if online else 'false', 'online' if online else 'offline', 'member' if online else 'down',
        'member' if online else 'down')
    if transient:
        s += '      <transient_attributes id="%s">%s</transient_attributes>\n' % (n, attrs('instance_attributes', n + '-ta', transient))
    s += '      <lrm id="%s"><lrm_resources>\n' % n
    for rid, (agent, ops) in rscs.items():
        c, p, t = agent
        prov = ' provider="%s"' % p if p else ''
        s += '        <lrm_resource id="%s" class="%s"%s type="%s">\n          %s\n        </lrm_resource>\n' % (
            rid, c, prov, t, '\n          '.join(ops))
    return s + '      </lrm_resources></lrm>\n    </node_state>\n'

D = ('ocf', 'pacer', 'Dummy')
PING = ('ocf', 'pacemaker', 'ping')
STONITH = ('stonith', None, 'fence_dummy')

def write(name, cib):
    with open(name, 'w') as f:
        f.write(cib)

# Fail counts: thresholds from the resource, its group and rsc_defaults;
# per-operation fail counts (fail-count-RSC#OP_INTERVAL) added up; an
# anonymous clone's instances; INFINITY; a failure that expired; a node
# that is offline (not listed).
nodes = node('node1') + node('node2') + node('node3') + node('node4')
resources = (
    '      ' + prim('web', meta={'migration-threshold': '3'}) + '\n'
    '      ' + prim('db', meta={'failure-timeout': '60s'}) + '\n'
    '      ' + prim('mail') + '\n'
    '      <group id="g">' + prim('ip') + prim('fs') + '<meta_attributes id="g-meta">' + nv('g-meta', 'migration-threshold', '2') + '</meta_attributes></group>\n'
    '      <clone id="cl">' + prim('ping1') + '</clone>\n')
extra = ('    <rsc_defaults><meta_attributes id="rsc-options">%s</meta_attributes></rsc_defaults>\n' % nv('rsc-options', 'migration-threshold', '5'))
status = ('  <status>\n' +
          state('node1', {'web': (D, failed_monitor('web', 'node1', 2, reason='port 80 closed')),
                          'ip': (D, started('ip', 'node1', 4)), 'fs': (D, failed_monitor('fs', 'node1', 6, rc=7, reason='not mounted')),
                          'ping1:0': (D, started('ping1:0', 'node1', 8, key='ping1:0')),
                          'db': (D, failed_monitor('db', 'node1', 10, when=T - 3600)),
                          'mail': (D, probed('mail', 'node1', 12))},
                {'fail-count-web#monitor_10000': '2', 'last-failure-web#monitor_10000': str(T),
                 'fail-count-fs#monitor_10000': '1', 'last-failure-fs#monitor_10000': str(T),
                 'fail-count-db#monitor_10000': '1', 'last-failure-db#monitor_10000': str(T - 3600),
                 'fail-count-mail': '1'}) +
          state('node2', {'web': (D, [op('web', 'node2', 'start', 3, rc=1, reason='cannot bind'),
                                      op('web', 'node2', 'start', 3, rc=1, reason='cannot bind', oid='web_last_failure_0')]),
                          'ping1:1': (D, failed_monitor('ping1:1', 'node2', 5, key='ping1:1')),
                          'mail': (D, started('mail', 'node2', 7))},
                {'fail-count-web#start_0': 'INFINITY', 'last-failure-web#start_0': str(T + 60),
                 'fail-count-ping1:1#monitor_10000': '4', 'last-failure-ping1:1#monitor_10000': str(T + 120)}) +
          state('node3', {'ping1:0': (D, started('ping1:0', 'node3', 2, key='ping1:0'))}) +
          state('node4', {'web': (D, started('web', 'node4', 2))}, {'fail-count-web': '1'}, online=False) +
          '  </status>\n</cib>\n')
write('failcounts.xml', head({'stonith-enabled': 'false', 'no-quorum-policy': 'ignore'}, nodes, resources, extra=extra) + status)

# Node attributes: permanent and transient ones (transient win), those
# crm_mon hides, long names and values, a ping resource's attribute
# (complete, degraded, lost; none where it does not run), an offline
# node's (not listed) and a node without any.
nodes = (node('node1', {'site': 'paris', 'rack': 'r1', 'standby': 'off'}) + node('node2', {'site': 'lyon'}) +
         node('node3') + node('node4', {'site': 'nice'}) + node('node5'))
resources = ('      <clone id="ping-clone">' + prim('ping', PING, params={'host_list': 'gw1 gw2 gw3', 'multiplier': '100'}) + '</clone>\n'
             '      ' + prim('other-ping', PING, params={'name': 'uplink', 'host_list': 'up1'}) + '\n'
             '      ' + prim('d1') + '\n')
status = ('  <status>\n' +
          state('node1', {'ping:0': (PING, started('ping:0', 'node1', 2, key='ping:0')), 'd1': (D, started('d1', 'node1', 4))},
                {'pingd': '300', 'site': 'paris-2', 'shutdown': '0', 'terminate': 'false', '#health-disk': 'green',
                 'fail-count-d1': '1', 'last-failure-d1': str(T), 'probe_complete': 'true',
                 'a-rather-long-attribute-name-over-32': 'a value longer than ten characters', 'uplink': '1'}) +
          state('node2', {'ping:1': (PING, started('ping:1', 'node2', 2, key='ping:1')),
                          'other-ping': (PING, started('other-ping', 'node2', 4))},
                {'pingd': '200', 'uplink': '0', 'master-d1': '5'}) +
          state('node3', {'ping:2': (PING, started('ping:2', 'node3', 2, key='ping:2'))}, {'pingd': '0'}) +
          state('node4', {}, {'pingd': '0', 'temp': '21'}) +
          state('node5', {}, {'pingd': '100'}, online=False) +
          '  </status>\n</cib>\n')
write('attrs.xml', head({'stonith-enabled': 'false'}, nodes, resources) + status)

# A cluster for the XML: a stonith device, a group, a clone of a group, a
# promotable clone, a unique clone, bans (simple, by role, by rules),
# tickets, failures with and without exit reasons, a node in standby and
# one in maintenance.
nodes = node('node1') + node('node2', {'standby': 'on'}) + node('node3') + node('node4', {'maintenance': 'on'})
resources = (
    '      ' + prim('fence', STONITH, params={'pcmk_host_list': 'node1 node2 node3 node4'}, monitor='60s') + '\n'
    '      <group id="web">' + prim('vip', ('ocf', 'heartbeat', 'IPaddr2'), params={'ip': '192.0.2.10'}) + prim('site', meta={'target-role': 'Started'}) + '</group>\n'
    '      <clone id="base-clone"><meta_attributes id="bc-meta">' + nv('bc-meta', 'interleave', 'true') + '</meta_attributes><group id="base">' + prim('lvm') + prim('mnt') + '</group></clone>\n'
    '      <clone id="db-clone"><meta_attributes id="dbc-meta">' + nv('dbc-meta', 'promotable', 'true') + nv('dbc-meta', 'promoted-max', '1') + '</meta_attributes>' + prim('db', ('ocf', 'pacer', 'Stateful')) + '</clone>\n'
    '      <clone id="u-clone"><meta_attributes id="uc-meta">' + nv('uc-meta', 'globally-unique', 'true') + nv('uc-meta', 'clone-max', '2') + '</meta_attributes>' + prim('u') + '</clone>\n'
    '      ' + prim('off', meta={'target-role': 'Stopped'}) + '\n'
    '      ' + prim('broken') + '\n'
    '      ' + prim('needs-ticket') + '\n')
constraints = (
    '      <rsc_location id="ban-vip-node3" rsc="web" node="node3" score="-INFINITY"/>\n'
    '      <rsc_location id="prefer-vip-node1" rsc="web" node="node1" score="100"/>\n'
    '      <rsc_location id="no-promote-node3" rsc="db-clone" node="node3" score="-INFINITY" role="Promoted"/>\n'
    '      <rsc_location id="broken-rules" rsc="broken"><rule id="broken-not-1" score="-INFINITY"><expression id="broken-e1" attribute="#uname" operation="ne" value="node1"/></rule></rsc_location>\n'
    '      <rsc_location id="off-rules" rsc="off"><rule id="off-or" score="-1000" boolean-op="or"><expression id="off-e1" attribute="#uname" operation="eq" value="node1"/><expression id="off-e2" attribute="#uname" operation="eq" value="node3"/></rule></rsc_location>\n'
    '      <rsc_ticket id="t1-dep" rsc="needs-ticket" ticket="ticketA" loss-policy="stop"/>\n'
    '      <rsc_ticket id="t2-dep" rsc="off" ticket="ticketC"/>\n')
status = ('  <status>\n' +
          state('node1', {'fence': (STONITH, started('fence', 'node1', 2, interval=60000)),
                          'vip': (('ocf', 'heartbeat', 'IPaddr2'), started('vip', 'node1', 4)),
                          'site': (D, started('site', 'node1', 6)),
                          'lvm:0': (D, started('lvm:0', 'node1', 8, key='lvm:0')), 'mnt:0': (D, started('mnt:0', 'node1', 10, key='mnt:0')),
                          'db:0': (('ocf', 'pacer', 'Stateful'), [op('db:0', 'node1', 'start', 12, key='db:0'), op('db:0', 'node1', 'promote', 13, key='db:0'),
                                                                 op('db:0', 'node1', 'monitor', 14, rc=8, interval=10000, expected=8, key='db:0')]),
                          'u:0': (D, started('u:0', 'node1', 16)),
                          'broken': (D, [op('broken', 'node1', 'start', 18, rc=5, status=7, reason='agent missing'),
                                         op('broken', 'node1', 'start', 18, rc=5, status=7, reason='agent missing', oid='broken_last_failure_0')])},
                {'fail-count-broken#start_0': 'INFINITY', 'last-failure-broken#start_0': str(T)}) +
          state('node2', {'vip': (('ocf', 'heartbeat', 'IPaddr2'), probed('vip', 'node2', 2))}) +
          state('node3', {'lvm:1': (D, started('lvm:1', 'node3', 2, key='lvm:1')), 'mnt:1': (D, failed_monitor('mnt:1', 'node3', 4, key='mnt:1')),
                          'db:1': (('ocf', 'pacer', 'Stateful'), started('db:1', 'node3', 7, key='db:1')),
                          'u:1': (D, started('u:1', 'node3', 9))},
                {'fail-count-mnt:1#monitor_10000': '1', 'last-failure-mnt:1#monitor_10000': str(T), 'master-db': '5'}) +
          state('node4', {}) +
          '    <tickets>\n'
          '      <ticket_state id="ticketA" granted="true" last-granted="%d"/>\n'
          '      <ticket_state id="ticketB" granted="false" standby="true"/>\n'
          '    </tickets>\n' % T +
          '  </status>\n</cib>\n')
write('cluster.xml', head({'stonith-enabled': 'true', 'cluster-infrastructure': 'corosync', 'stonith-timeout': '90s'}, nodes, resources, constraints) + status)
