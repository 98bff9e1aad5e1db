// Package haresources owns Heartbeat's haresources file (version 1
// clusters, /etc/ha.d/haresources): reading it and turning it into a CIB
// configuration in crm syntax, as Heartbeat's haresources2cib.py did, that
// `crm configure load update FILE` accepts.
//
// Each line of haresources names the node that prefers a set of
// resources and the resources, started left to right:
//
//	node1 10.0.0.10/24/eth0 Filesystem::/dev/sda1::/data::ext3 httpd
//
// It becomes a group of those resources (the group gives the order and
// the colocation Heartbeat implied) and a location preference of the
// group for the node:
//
//	primitive IPaddr2_10_0_0_10 IPaddr2 params ip=10.0.0.10 cidr_netmask=24 nic=eth0 ...
//	primitive Filesystem_dev_sda1 Filesystem params device=/dev/sda1 directory=/data fstype=ext3 ...
//	primitive httpd lsb:httpd ...
//	group group_1 IPaddr2_10_0_0_10 Filesystem_dev_sda1 httpd
//	location rsc_location_group_1 group_1 100: node1
//
// A resource is NAME or NAME::ARG1::ARG2...; a word that begins with a
// digit is an address, short for IPaddr2::ADDR (IP[/MASK[/NIC[/BROADCAST]]]).
// Which class a resource becomes is decided by Agents: see Resolve.
package haresources

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Line is one resource line of a haresources file (after joining
// continuation lines).
type Line struct {
	File      string
	Num       int // the line it starts on, 1-based
	Node      string
	Resources []Resource
}

// Resource is one word of a resource line: NAME::ARG1::ARG2...
type Resource struct {
	Word string // as written
	Name string
	Args []string
}

// Error is a malformed line: FILE:LINE: message.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse reads a haresources file. Blank lines and comments (from a word
// that begins with '#' to the end of the line) are skipped; a backslash
// at the end of a line continues it on the next. Every malformed line is
// reported, each as one *Error (joined with errors.Join).
func Parse(file string, r io.Reader) ([]Line, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var (
		lines   []Line
		errs    []error
		pending strings.Builder
		start   int
		num     int
	)
	flush := func() {
		text := pending.String()
		pending.Reset()
		l, err := parseLine(file, start, text)
		if err != nil {
			errs = append(errs, err)
		} else if l != nil {
			lines = append(lines, *l)
		}
	}
	for sc.Scan() {
		num++
		text := strings.TrimRight(sc.Text(), " \t\r")
		if pending.Len() == 0 {
			start = num
		}
		if cont, ok := strings.CutSuffix(text, `\`); ok && !commented(text) {
			pending.WriteString(cont)
			pending.WriteByte(' ')
			continue
		}
		pending.WriteString(text)
		flush()
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if pending.Len() > 0 {
		errs = append(errs, &Error{file, start, "the last line ends with a backslash: the line it continues on is missing"})
	}
	return lines, errors.Join(errs...)
}

// commented reports whether the backslash that ends text lies inside a
// comment (then it does not continue the line).
func commented(text string) bool {
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "#") {
			return true
		}
	}
	return false
}

func parseLine(file string, num int, text string) (*Line, error) {
	var words []string
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "#") {
			break
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return nil, nil
	}
	fail := func(format string, a ...any) (*Line, error) {
		return nil, &Error{file, num, fmt.Sprintf(format, a...)}
	}
	node := words[0]
	switch {
	case strings.Contains(node, "::") || isAddress(node):
		return fail("%q is a resource, not a node: a line is NODE RESOURCE...", node)
	case !validNodeName(node):
		return fail("%q is not a node name", node)
	case len(words) == 1:
		return fail("node %s is given no resources: a line is NODE RESOURCE...", node)
	}
	l := &Line{File: file, Num: num, Node: node}
	for _, w := range words[1:] {
		parts := strings.Split(w, "::")
		name := parts[0]
		if name == "" {
			return fail("%q: a resource begins with its script's name (NAME::ARG...)", w)
		}
		if !looksLikeAddress(name) && !validScriptName(name) {
			return fail("%q: %q is not a resource script's name", w, name)
		}
		l.Resources = append(l.Resources, Resource{Word: w, Name: name, Args: parts[1:]})
	}
	return l, nil
}

// looksLikeAddress is Heartbeat's rule: a resource that begins with a
// digit is an IP address (IPaddr's shorthand).
func looksLikeAddress(w string) bool {
	return w != "" && w[0] >= '0' && w[0] <= '9'
}

// isAddress reports whether a word is an address (IP[/...]).
func isAddress(w string) bool {
	ip, _, _ := strings.Cut(w, "/")
	_, err := netip.ParseAddr(ip)
	return err == nil
}

func validNodeName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.", c)) {
			return false
		}
	}
	return s != ""
}

// validScriptName: a file name the cluster can look up as an agent.
func validScriptName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.", c)) {
			return false
		}
	}
	return s != "" && s != "." && s != ".."
}
