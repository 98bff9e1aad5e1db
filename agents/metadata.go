package agents

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MetaData is what an agent says of itself (OCF meta-data).
type MetaData struct {
	Name, Version, ShortDesc, LongDesc string
	Parameters                         []Parameter
	Actions                            []ActionSpec
}

// Parameter is one agent parameter.
type Parameter struct {
	Name, ShortDesc, LongDesc, Type, Default string
	Required, Unique, Reloadable             bool
}

// ActionSpec is an action the agent supports, with its advised timeout.
type ActionSpec struct {
	Name              string
	Timeout, Interval time.Duration
	Depth, Role       string
}

type metaCache struct {
	mtime time.Time
	size  int64
	md    *MetaData
}

type xmlAgent struct {
	Name      string `xml:"name,attr"`
	Version   string `xml:"version"`
	ShortDesc string `xml:"shortdesc"`
	LongDesc  string `xml:"longdesc"`
	Params    []struct {
		Name       string `xml:"name,attr"`
		Required   string `xml:"required,attr"`
		Unique     string `xml:"unique,attr"`
		Reloadable string `xml:"reloadable,attr"`
		ShortDesc  string `xml:"shortdesc"`
		LongDesc   string `xml:"longdesc"`
		Content    struct {
			Type    string `xml:"type,attr"`
			Default string `xml:"default,attr"`
		} `xml:"content"`
	} `xml:"parameters>parameter"`
	Actions []struct {
		Name     string `xml:"name,attr"`
		Timeout  string `xml:"timeout,attr"`
		Interval string `xml:"interval,attr"`
		Depth    string `xml:"depth,attr"`
		Role     string `xml:"role,attr"`
	} `xml:"actions>action"`
}

// ParseMetaData reads OCF meta-data XML.
func ParseMetaData(data []byte) (*MetaData, error) {
	var x xmlAgent
	if err := xml.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("malformed meta-data: %w", err)
	}
	md := &MetaData{Name: x.Name, Version: strings.TrimSpace(x.Version), ShortDesc: strings.TrimSpace(x.ShortDesc), LongDesc: strings.TrimSpace(x.LongDesc)}
	for _, p := range x.Params {
		md.Parameters = append(md.Parameters, Parameter{Name: p.Name, ShortDesc: strings.TrimSpace(p.ShortDesc), LongDesc: strings.TrimSpace(p.LongDesc),
			Type: p.Content.Type, Default: p.Content.Default, Required: p.Required == "1" || p.Required == "true",
			Unique: p.Unique == "1" || p.Unique == "true", Reloadable: p.Reloadable == "1" || p.Reloadable == "true"})
	}
	for _, a := range x.Actions {
		spec := ActionSpec{Name: a.Name, Depth: a.Depth, Role: a.Role}
		var err error
		if spec.Timeout, err = ParseDuration(a.Timeout); err != nil {
			return nil, fmt.Errorf("malformed meta-data: action %s: %w", a.Name, err)
		}
		if spec.Interval, err = ParseDuration(a.Interval); err != nil {
			return nil, fmt.Errorf("malformed meta-data: action %s: %w", a.Name, err)
		}
		md.Actions = append(md.Actions, spec)
	}
	return md, nil
}

// MetaData runs the agent's meta-data action, cached until the agent file
// changes.
func (p *Process) MetaData(ctx context.Context, a Agent) (*MetaData, error) {
	var path string
	switch a.Class {
	case "ocf":
		found, _, err := FindOCF(p.roots(), a.Provider, a.Type)
		if err != nil {
			return nil, fmt.Errorf("meta-data: %w", err)
		}
		path = found
	case "stonith":
		switch {
		case !IsFenceAgent(a.Type):
			path = gluePluginPath(a.Type)
		default:
			path = filepath.Join(orDefault(p.FenceDir, DefaultFenceDir()), a.Type)
			if _, err := os.Stat(path); err != nil && a.Type == pacerFenceAgent {
				path = p.selfBinary()
			}
		}
	case "heartbeat":
		found, err := FindHeartbeat(heartbeatDirs(p.HeartbeatDir), a.Type)
		if err != nil {
			return nil, fmt.Errorf("meta-data: %w", err)
		}
		return heartbeatMetaData(found, a.Type)
	default:
		return nil, fmt.Errorf("meta-data %s: class %q has no meta-data (only ocf, stonith and heartbeat agents have it)", a, a.Class)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("meta-data %s: %w", a, err)
	}
	p.mu.Lock()
	if c, ok := p.meta[path]; ok && c.mtime.Equal(st.ModTime()) && c.size == st.Size() {
		p.mu.Unlock()
		return c.md, nil
	}
	p.mu.Unlock()
	res := p.Exec(ctx, Op{Resource: a.Type, Agent: a, Action: "meta-data", Timeout: 5 * time.Second})
	if res.Status != Done || res.RC != 0 {
		return nil, fmt.Errorf("meta-data %s: rc %d (%s) %s", a, res.RC, res.Status, res.ExitReason)
	}
	md, err := ParseMetaData([]byte(res.Output))
	if err != nil {
		return nil, fmt.Errorf("meta-data %s (%s): %w", a, path, err)
	}
	p.mu.Lock()
	if p.meta == nil {
		p.meta = map[string]metaCache{}
	}
	p.meta[path] = metaCache{mtime: st.ModTime(), size: st.Size(), md: md}
	p.mu.Unlock()
	return md, nil
}

// ParseDuration reads agent and CIB times: "20s", "2m", "100ms", "1h", a
// plain number of seconds; "" is 0.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, nil
	}
	for _, u := range []struct {
		suffix string
		d      time.Duration
	}{{"msec", time.Millisecond}, {"ms", time.Millisecond}, {"sec", time.Second}, {"s", time.Second},
		{"min", time.Minute}, {"m", time.Minute}, {"hr", time.Hour}, {"h", time.Hour}} {
		if strings.HasSuffix(s, u.suffix) {
			n, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("time %q", s)
			}
			return time.Duration(n * float64(u.d)), nil
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("time %q: want a number with ms, s, m or h", s)
	}
	return time.Duration(n * float64(time.Second)), nil
}

// heartbeatMetaData describes a heartbeat-class script, which cannot
// describe itself: its header comment, the positional parameters 1 to 4
// it is given as arguments, and the actions every such script has.
func heartbeatMetaData(path, name string) (*MetaData, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("meta-data heartbeat:%s: %w", name, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for first := true; sc.Scan(); first = false {
		line := sc.Text()
		if first && strings.HasPrefix(line, "#!") {
			continue
		}
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			break
		}
		lines = append(lines, strings.TrimPrefix(text, " "))
	}
	long := strings.TrimSpace(strings.Join(lines, "\n"))
	short, _, _ := strings.Cut(long, "\n\n")
	short = strings.Join(strings.Fields(short), " ")
	if short == "" {
		short = name + " (heartbeat resource script)"
	}
	md := &MetaData{Name: name, Version: "1.0", ShortDesc: short, LongDesc: long}
	for i := 1; i <= 4; i++ {
		n := strconv.Itoa(i)
		md.Parameters = append(md.Parameters, Parameter{Name: n, Type: "string",
			ShortDesc: "argument " + n, LongDesc: "Given to the script as its argument " + n + ", before the action."})
	}
	for _, act := range []string{"start", "stop", "status", "monitor"} {
		spec := ActionSpec{Name: act, Timeout: DefaultTimeout}
		if act == "monitor" {
			spec.Interval = 10 * time.Second
		}
		md.Actions = append(md.Actions, spec)
	}
	return md, nil
}
