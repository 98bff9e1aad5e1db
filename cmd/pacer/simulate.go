package main

import (
	"io"
)

func runCrmSimulate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	io.WriteString(stderr, "crm_simulate: not available in this build yet\n")
	return 3
}
