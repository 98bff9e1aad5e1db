package engine

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// Bundle runs a service in containers (Pacemaker's bundle): each replica
// is a container resource, optionally an IP address resource, and, when
// the bundle holds a primitive, a guest node (the replica's connection)
// that runs one instance of that primitive.
type Bundle struct {
	ID, Image string
	Managed   bool
	Replicas  []Replica
	// Child is the clone of the bundle's primitive, one instance per
	// replica (nil for a bundle of bare containers).
	Child *Clone
}

// Replica is one copy of a bundle's service.
type Replica struct {
	Container  string // B-docker-N (or podman, rkt)
	IP, IPAddr string // B-ip-ADDR and its address, "" without ip-range-start
	Connection string // B-N, the guest node's connection, "" without a primitive
}

// bundleParts reads a <bundle>: the bundle, the primitives Pacemaker makes
// for it (per replica: IP address, container, connection), and the
// bundle's own primitive (nil if none), which becomes a clone.
func bundleParts(e *etree.Element) (*Bundle, []*etree.Element, *etree.Element) {
	id := e.SelectAttrValue("id", "")
	b := &Bundle{ID: id, Managed: true}
	meta := nvpairs(e, "meta_attributes")
	if v, ok := meta["is-managed"]; ok {
		b.Managed = cib.IsTrue(v)
	}
	var runtime *etree.Element
	for _, kind := range []string{"docker", "podman", "rkt"} {
		if runtime = e.SelectElement(kind); runtime != nil {
			break
		}
	}
	if runtime == nil {
		return b, nil, nil
	}
	b.Image = runtime.SelectAttrValue("image", "")
	promotedMax, _ := strconv.Atoi(firstNonEmpty(runtime.SelectAttrValue("promoted-max", ""), runtime.SelectAttrValue("masters", "")))
	replicas := 1
	if promotedMax > 0 {
		replicas = promotedMax
	}
	if n, err := strconv.Atoi(runtime.SelectAttrValue("replicas", "")); err == nil && n > 0 {
		replicas = n
	}
	network := e.SelectElement("network")
	ipStart, controlPort := "", ""
	if network != nil {
		ipStart, controlPort = network.SelectAttrValue("ip-range-start", ""), network.SelectAttrValue("control-port", "")
	}
	child := e.SelectElement("primitive")
	if child != nil && ipStart == "" && controlPort == "" {
		child = nil // Pacemaker cannot reach it without an address or port
	}
	var prims []*etree.Element
	addr := ipStart
	for i := 0; i < replicas; i++ {
		rep := Replica{Container: fmt.Sprintf("%s-%s-%d", id, runtime.Tag, i)}
		if ipStart != "" {
			if i > 0 {
				addr = nextIP(addr)
			}
			rep.IP, rep.IPAddr = id+"-ip-"+addr, addr
			prims = append(prims, implicitPrimitive(rep.IP, "heartbeat", "IPaddr2", meta, map[string]string{"ip": addr}, "60s"))
		}
		prims = append(prims, implicitPrimitive(rep.Container, "heartbeat", runtime.Tag, meta, map[string]string{"image": b.Image}, "60s"))
		if child != nil {
			rep.Connection = fmt.Sprintf("%s-%d", id, i)
			connMeta := map[string]string{"container": rep.Container}
			for k, v := range meta {
				connMeta[k] = v
			}
			prims = append(prims, implicitPrimitive(rep.Connection, "pacemaker", "remote", connMeta, nil, "30s"))
		}
		b.Replicas = append(b.Replicas, rep)
	}
	if child != nil {
		suffix := "clone"
		if promotedMax > 0 {
			suffix = "master"
		}
		b.Child = &Clone{ID: id + "-" + suffix, Max: replicas, Promotable: promotedMax > 0, PromotedMax: promotedMax,
			Meta: map[string]string{"clone-max": strconv.Itoa(replicas), "ordered": "true"}}
		for k, v := range meta {
			b.Child.Meta[k] = v
		}
		// The primitive's notify is the clone's.
		if v, ok := nvpairs(child, "meta_attributes")["notify"]; ok {
			b.Child.Meta["notify"] = v
		}
	}
	return b, prims, child
}

// implicitPrimitive builds the XML of a primitive Pacemaker makes itself.
func implicitPrimitive(id, provider, typ string, meta, params map[string]string, monitor string) *etree.Element {
	p := etree.NewElement("primitive")
	p.CreateAttr("id", id)
	p.CreateAttr("class", "ocf")
	p.CreateAttr("provider", provider)
	p.CreateAttr("type", typ)
	set := func(tag string, values map[string]string) {
		if len(values) == 0 {
			return
		}
		s := p.CreateElement(tag)
		s.CreateAttr("id", id+"-"+tag)
		for _, k := range slices.Sorted(maps.Keys(values)) {
			nv := s.CreateElement("nvpair")
			nv.CreateAttr("id", id+"-"+tag+"-"+k)
			nv.CreateAttr("name", k)
			nv.CreateAttr("value", values[k])
		}
	}
	set("instance_attributes", params)
	set("meta_attributes", meta)
	op := p.CreateElement("operations").CreateElement("op")
	op.CreateAttr("id", id+"-monitor-"+monitor)
	op.CreateAttr("name", "monitor")
	op.CreateAttr("interval", monitor)
	return p
}

// nextIP is the IPv4 address after addr, as Pacemaker counts them for a
// bundle's replicas ("" past the range it supports).
func nextIP(addr string) string {
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return ""
	}
	var o [4]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return ""
		}
		o[i] = n
	}
	switch {
	case o[2] > 253:
		return ""
	case o[3] > 253:
		o[2], o[3] = o[2]+1, 1
	default:
		o[3]++
	}
	return fmt.Sprintf("%d.%d.%d.%d", o[0], o[1], o[2], o[3])
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
