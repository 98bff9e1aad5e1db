package tools

import "strings"

// options parses command lines as Pacemaker's tools do (GLib's option
// parser): short options bundled (-LV) or with their argument attached
// (-rd1) or following (-r d1); long options as --name VALUE or
// --name=VALUE; "--" ends the options.
type options struct {
	tool  string
	specs []*optSpec
	args  []string // what was not an option
	order []string // the long names of the options given, in order
}

type optSpec struct {
	short    byte // 0 if none
	long     []string
	hasArg   bool
	optional bool // the argument may be left out (--name=VALUE or -xVALUE only)
	set      func(v string)
}

func newOptions(tool string) *options { return &options{tool: tool} }

// flag declares a boolean option.
func (o *options) flag(short byte, p *bool, long ...string) {
	o.specs = append(o.specs, &optSpec{short: short, long: long, set: func(string) { *p = true }})
}

// str declares an option with an argument.
func (o *options) str(short byte, p *string, long ...string) {
	o.specs = append(o.specs, &optSpec{short: short, long: long, hasArg: true, set: func(v string) { *p = v }})
}

// count declares a repeatable boolean option (-V -V).
func (o *options) count(short byte, p *int, long ...string) {
	o.specs = append(o.specs, &optSpec{short: short, long: long, set: func(string) { *p++ }})
}

// fn declares an option handled by a function.
func (o *options) fn(short byte, hasArg bool, f func(v string), long ...string) {
	o.specs = append(o.specs, &optSpec{short: short, long: long, hasArg: hasArg, set: f})
}

// optional declares an option whose argument may be left out: the next
// word is its argument unless it is an option.
func (o *options) optional(short byte, f func(v string), long ...string) {
	o.specs = append(o.specs, &optSpec{short: short, long: long, hasArg: true, optional: true, set: f})
}

func (o *options) byShort(c byte) *optSpec {
	for _, s := range o.specs {
		if s.short != 0 && s.short == c {
			return s
		}
	}
	return nil
}

func (o *options) byLong(name string) *optSpec {
	for _, s := range o.specs {
		for _, l := range s.long {
			if l == name {
				return s
			}
		}
	}
	return nil
}

func (s *optSpec) name() string {
	if len(s.long) > 0 {
		return s.long[0]
	}
	return string(s.short)
}

// parse reads args; the error is the usage message (exit status 64).
func (o *options) parse(args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.args = append(o.args, args[i+1:]...)
			return nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			s := o.byLong(name)
			if s == nil {
				return fail(exUsage, "Unknown option --%s", name)
			}
			if s.optional && !hasVal && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				val, hasVal = args[i], true
			}
			if s.hasArg && !hasVal && !s.optional {
				if i+1 >= len(args) {
					return fail(exUsage, "Missing argument for --%s", name)
				}
				i++
				val = args[i]
			} else if !s.hasArg && hasVal {
				return fail(exUsage, "Option --%s does not take a value", name)
			}
			s.set(val)
			o.order = append(o.order, s.name())
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				s := o.byShort(a[j])
				if s == nil {
					return fail(exUsage, "Unknown option -%c", a[j])
				}
				if s.hasArg {
					val := a[j+1:]
					if val == "" && s.optional && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
						i++
						val = args[i]
					}
					if val == "" && !s.optional {
						if i+1 >= len(args) {
							return fail(exUsage, "Missing argument for -%c", a[j])
						}
						i++
						val = args[i]
					}
					s.set(val)
					o.order = append(o.order, s.name())
					break
				}
				s.set("")
				o.order = append(o.order, s.name())
			}
		default:
			o.args = append(o.args, a)
		}
	}
	return nil
}

// given reports whether an option (by its first long name) was given.
func (o *options) given(long string) bool {
	for _, n := range o.order {
		if n == long {
			return true
		}
	}
	return false
}
