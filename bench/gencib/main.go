// Command gencib writes a synthetic CIB for the scheduler benchmark (see
// package synthetic) to a file, atomically.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pacer-ha/pacer/bench/synthetic"
)

func main() {
	nodes := flag.Int("nodes", 16, "number of nodes")
	resources := flag.Int("resources", 2000, "number of primitives")
	state := flag.String("state", "cold", "cold (no history) or steady (all running)")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	if *nodes < 1 || *resources < 1 || (*state != "cold" && *state != "steady") {
		fmt.Fprintln(os.Stderr, "gencib: need -nodes ≥ 1, -resources ≥ 1 and -state cold|steady")
		os.Exit(2)
	}
	gen := func(w io.Writer) error { return synthetic.Write(w, *nodes, *resources, *state == "steady") }
	if err := write(*out, gen); err != nil {
		fmt.Fprintln(os.Stderr, "gencib:", err)
		os.Exit(1)
	}
}

// write renders to path through a temporary file renamed into place, or to
// stdout when path is empty.
func write(path string, gen func(io.Writer) error) error {
	if path == "" {
		return gen(os.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gencib-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := gen(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
