package shell

import (
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/pacer-ha/pacer/cib"
)

// FileBackend works on a CIB file offline (Pacemaker's CIB_file).
type FileBackend struct {
	Path string
}

// Load reads the file.
func (f FileBackend) Load() (*cib.CIB, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("CIB_file: %w", err)
	}
	c, err := cib.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("CIB_file %s: %w", f.Path, err)
	}
	return c, nil
}

// Commit replaces the file's configuration with next's, atomically, if
// the file still has base's configuration version.
func (f FileBackend) Commit(base, next *cib.CIB) error {
	cur, err := f.Load()
	if err != nil {
		return err
	}
	if cur.Version().ConfigCompare(base.Version()) != 0 {
		return fmt.Errorf("%w: %s now has version %s, the change was made on %s", cib.ErrConflict, f.Path, cur.Version(), base.Version())
	}
	cur.ReplaceConfiguration(next)
	cur.BumpEpoch()
	who := ""
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	host, _ := os.Hostname()
	cib.StampChange(cur, time.Now(), who, "crm", host)
	return f.write(cur)
}

// Cleanup forgets, in the file's status section, a resource's operation
// history and fail counts on a node (every node when node is ""); with
// all false, only where something failed.
func (f FileBackend) Cleanup(rsc, node string, all bool) error {
	c, err := f.Load()
	if err != nil {
		return err
	}
	matches := func(id string) bool { return id == rsc || strings.HasPrefix(id, rsc+":") }
	for _, ns := range c.Status().SelectElements("node_state") {
		if node != "" && ns.SelectAttrValue("uname", "") != node {
			continue
		}
		failed := map[string]bool{}
		for _, nv := range ns.FindElements("./transient_attributes/instance_attributes/nvpair") {
			name := nv.SelectAttrValue("name", "")
			for _, kind := range []string{"fail-count-", "last-failure-"} {
				if id, ok := strings.CutPrefix(name, kind); ok {
					id, _, _ = strings.Cut(id, "#")
					if matches(id) {
						failed[id] = true
						nv.Parent().RemoveChild(nv)
					}
				}
			}
		}
		for _, re := range ns.FindElements("./lrm/lrm_resources/lrm_resource") {
			id := re.SelectAttrValue("id", "")
			if !matches(id) {
				continue
			}
			for _, op := range re.SelectElements("lrm_rsc_op") {
				failed[id] = failed[id] || cib.ParseOpRecord(re, op).Failed()
			}
			if all || failed[id] {
				re.Parent().RemoveChild(re)
			}
		}
	}
	return f.write(c)
}

// StatusAttr sets (or deletes) a transient attribute of a node in the
// file's status section.
func (f FileBackend) StatusAttr(node, name, value string, del bool) error {
	c, err := f.Load()
	if err != nil {
		return err
	}
	var ns *etree.Element
	for _, e := range c.Status().SelectElements("node_state") {
		if e.SelectAttrValue("uname", "") == node {
			ns = e
		}
	}
	if ns == nil {
		if del {
			return nil
		}
		id := node
		if n := c.Node(node); n != nil {
			id = n.SelectAttrValue("id", node)
		}
		ns = c.Status().CreateElement("node_state")
		ns.CreateAttr("id", id)
		ns.CreateAttr("uname", node)
	}
	ta := ns.SelectElement("transient_attributes")
	if ta == nil {
		ta = ns.CreateElement("transient_attributes")
		ta.CreateAttr("id", ns.SelectAttrValue("id", node))
	}
	set := ta.SelectElement("instance_attributes")
	if set == nil {
		set = ta.CreateElement("instance_attributes")
		set.CreateAttr("id", "status-"+ns.SelectAttrValue("id", node))
	}
	var nv *etree.Element
	for _, e := range set.SelectElements("nvpair") {
		if e.SelectAttrValue("name", "") == name {
			nv = e
		}
	}
	switch {
	case del && nv != nil:
		set.RemoveChild(nv)
	case !del && nv == nil:
		nv = set.CreateElement("nvpair")
		nv.CreateAttr("id", set.SelectAttrValue("id", "")+"-"+name)
		nv.CreateAttr("name", name)
		fallthrough
	case !del:
		nv.CreateAttr("value", value)
	}
	return f.write(c)
}

// write replaces the file with c, atomically, keeping its permissions.
func (f FileBackend) write(c *cib.CIB) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(f.Path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := cib.WriteFileAtomic(f.Path, c.Bytes(), mode); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}
