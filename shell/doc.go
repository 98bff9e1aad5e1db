// Package shell owns the crm shell: its commands, one-shot
// (`crm configure property stonith-enabled=false`, applied at once) and
// read line by line from standard input, where `configure` edits a working
// copy that reaches the cluster on `commit` or when the level is left.
// It reads and writes the CIB through a Backend: a running node, or a file.
package shell
