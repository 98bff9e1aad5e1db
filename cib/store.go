package cib

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrDigestMismatch means cib.xml no longer matches the digest written
// beside it: someone edited it by hand. It is never silently overwritten.
var ErrDigestMismatch = errors.New("digest mismatch")

// Backups is how many earlier versions Save keeps beside cib.xml
// (cib.xml.1 is the newest of them).
const Backups = 5

// Save writes c to path atomically: the new text goes to a temporary file
// in the same directory, is fsynced, and is renamed over path. The digest
// file path+".sig" is written first, the same way, and lists the digests
// of both the new and the previous text, so that a crash at any point
// leaves a cib.xml that matches its digest file. Earlier versions are
// kept as path.1 … path.N. The status section is not written (it is
// rebuilt from the nodes), and num_updates is written as 0, as Pacemaker
// does.
func Save(path string, c *CIB) error {
	disk := c.Clone()
	disk.Status().Child = nil
	v := disk.Version()
	disk.SetVersion(Version{v.AdminEpoch, v.Epoch, 0})
	data := disk.Bytes()
	sig := Digest(data) + "\n"
	if old, err := os.ReadFile(path); err == nil {
		if err := rotate(path); err != nil {
			return fmt.Errorf("save %s: %w", path, err)
		}
		sig += Digest(old) + "\n"
	}
	if err := WriteFileAtomic(path+".sig", []byte(sig), 0o600); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := WriteFileAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// rotate keeps the last Backups versions: path.N-1 → path.N … path → path.1.
// Each step is a link/rename, so a crash leaves every file whole.
func rotate(path string) error {
	for i := Backups - 1; i >= 1; i-- {
		from := fmt.Sprintf("%s.%d", path, i)
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, fmt.Sprintf("%s.%d", path, i+1)); err != nil {
				return err
			}
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path+".1", data, 0o600)
}

// Digest is the hex SHA-256 of the file's bytes.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Load reads the CIB saved at path and checks it against its digest file.
// A file without a digest file (written by hand, or by another tool) is
// accepted; one whose digest does not match returns ErrDigestMismatch with
// what to do.
func Load(path string) (*CIB, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	if sig, err := os.ReadFile(path + ".sig"); err == nil {
		if !slices.Contains(strings.Fields(string(sig)), Digest(data)) {
			return nil, fmt.Errorf("load %s: %w: the file was changed by hand since Pacer wrote it; check it, then run 'pacer cib accept %s' to use it", path, ErrDigestMismatch, path)
		}
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return c, nil
}

// Accept re-signs a hand-edited cib.xml after checking that it parses.
func Accept(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("accept %s: %w", path, err)
	}
	if _, err := Parse(data); err != nil {
		return fmt.Errorf("accept %s: %w", path, err)
	}
	return WriteFileAtomic(path+".sig", []byte(Digest(data)+"\n"), 0o600)
}

// WriteFileAtomic writes data to a temporary file beside path, fsyncs it,
// renames it over path and fsyncs the directory, so that path always holds
// either the old or the new content, whole.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
