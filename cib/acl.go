package cib

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/grammar"
)

// ACL shortcuts crmsh offers for common XPaths. %s are filled in order.
var aclShortcuts = []struct{ name, xpath string }{
	{"meta", "//primitive[@id='%s']/meta_attributes/nvpair[@name='%s']"},
	{"params", "//primitive[@id='%s']/instance_attributes/nvpair[@name='%s']"},
	{"utilization", "//primitive[@id='%s']/utilization"},
	{"property", "//crm_config/cluster_property_set/nvpair[@name='%s']"},
	{"nodeattr", "//nodes/node/instance_attributes/nvpair[@name='%s']"},
	{"nodeutil", "//nodes/node/utilization"},
	{"node", "//nodes/node"},
	{"status", "/cib/status"},
	{"cib", "/cib"},
}

func (c *CIB) applyRole(r *grammar.Role) error {
	if c.idInUse(r.ID) {
		return fmt.Errorf("role %s: the id %s is already in use", r.ID, r.ID)
	}
	e := etree.NewElement("acl_role")
	e.CreateAttr("id", r.ID)
	var perm *etree.Element
	n := 0
	for _, it := range r.Items {
		switch it {
		case "read", "write", "deny":
			perm = e.CreateElement("acl_permission")
			perm.CreateAttr("kind", it)
			perm.CreateAttr("id", fmt.Sprintf("%s-%d", r.ID, n))
			n++
			continue
		}
		if perm == nil {
			return fmt.Errorf("role %s: expected read, write or deny before %q", r.ID, it)
		}
		key, val, _ := strings.Cut(it, ":")
		set := func(attr, v string) {
			// Keep id last, as crmsh writes it.
			id := perm.SelectAttrValue("id", "")
			perm.RemoveAttr("id")
			perm.CreateAttr(attr, v)
			perm.CreateAttr("id", id)
		}
		switch key {
		case "xpath":
			set("xpath", val)
		case "ref", "reference":
			set("reference", val)
		case "tag", "type":
			set("object-type", val)
		case "attribute", "attr":
			set("attribute", val)
		default:
			found := false
			for _, sc := range aclShortcuts {
				if sc.name != key {
					continue
				}
				args := strings.Split(val, ":")
				if val == "" {
					args = nil
				}
				if strings.Count(sc.xpath, "%s") != len(args) {
					return fmt.Errorf("role %s: %s takes %d argument(s)", r.ID, key, strings.Count(sc.xpath, "%s"))
				}
				vals := make([]any, len(args))
				for i, a := range args {
					vals[i] = a
				}
				set("xpath", fmt.Sprintf(sc.xpath, vals...))
				found = true
			}
			if !found {
				return fmt.Errorf("role %s: %q is not an ACL rule (xpath:, ref:, tag:, attribute:, or a shortcut such as meta:RSC:ATTR)", r.ID, it)
			}
		}
	}
	c.Section("acls", true).AddChild(e)
	return nil
}

func (c *CIB) applyACLTarget(t *grammar.ACLTarget) error {
	if c.idInUse(t.ID) {
		return fmt.Errorf("%s %s: the id %s is already in use", t.Kind, t.ID, t.ID)
	}
	e := c.Section("acls", true).CreateElement(t.Kind)
	e.CreateAttr("id", t.ID)
	for _, r := range t.Roles {
		e.CreateElement("role").CreateAttr("id", r)
	}
	return nil
}

// roleText prints a role; XPaths that match a shortcut print as it.
func roleText(r *etree.Element) string {
	var lines []string
	for _, p := range r.SelectElements("acl_permission") {
		parts := []string{p.SelectAttrValue("kind", "")}
		if ref := p.SelectAttrValue("reference", ""); ref != "" {
			parts = append(parts, "ref:"+ref)
		}
		if x := p.SelectAttrValue("xpath", ""); x != "" {
			parts = append(parts, xpathText(x))
		}
		if a := p.SelectAttrValue("attribute", ""); a != "" {
			parts = append(parts, "attr:"+a)
		}
		if t := p.SelectAttrValue("object-type", ""); t != "" {
			parts = append(parts, "type:"+t)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return continued("role "+r.SelectAttrValue("id", ""), lines)
}

func xpathText(x string) string {
	for _, sc := range aclShortcuts {
		n := strings.Count(sc.xpath, "%s")
		pattern := strings.ReplaceAll(regexpQuote(sc.xpath), "%s", "([^']*)")
		if m := regexpMatch("^"+pattern+"$", x); m != nil && len(m) == n+1 {
			if n == 0 {
				return sc.name
			}
			return sc.name + ":" + strings.Join(m[1:], ":")
		}
	}
	return "xpath:" + showValue(x)
}

func aclTargetText(t *etree.Element) string {
	var roles []string
	for _, r := range t.SelectElements("role") {
		roles = append(roles, r.SelectAttrValue("id", ""))
	}
	return continued(t.Tag+" "+t.SelectAttrValue("id", ""), roles)
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

func regexpMatch(pattern, s string) []string {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil
	}
	return re.FindStringSubmatch(s)
}
