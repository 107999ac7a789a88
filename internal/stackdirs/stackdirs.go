// Package stackdirs keeps cdktf.out/stacks to exactly the stacks of the
// last synth. cdktf writes a folder per stack it synthesizes and leaves the
// others alone, so after FASTSHOP_ENVIRONMENTS=prod the dev and staging
// folders of an earlier run would stay, look current, and be planned and
// scanned by whatever walks the folder. The cdktf CLI's synth removes such
// "orphaned" folders itself (@cdktf/cli-core, lib/synth-stack.js), but not
// a plain go run main.go, and the CLI does not look for state first.
package stackdirs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Stale lists the stack folders under outdir/stacks that are not in keep,
// sorted. It refuses when one of them holds a Terraform state file (the
// state bootstrap's first apply keeps its state in a local file there, and
// a plan of a local backend may too): removing it could lose the only copy
// of that state. A missing outdir has none.
func Stale(outdir string, keep []string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(outdir, "stacks"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var stale, held []string
	for _, e := range entries {
		if !e.IsDir() || slices.Contains(keep, e.Name()) {
			continue
		}
		dir := filepath.Join(outdir, "stacks", e.Name())
		states, err := stateFiles(dir)
		if err != nil {
			return nil, err
		}
		if len(states) > 0 {
			held = append(held, states...)
			continue
		}
		stale = append(stale, dir)
	}
	if len(held) > 0 {
		return nil, fmt.Errorf("a stack folder this run does not synthesize holds Terraform state (%s): "+
			"migrate it (terraform init -migrate-state) or move it out of %s, then synthesize again",
			strings.Join(held, ", "), filepath.Join(outdir, "stacks"))
	}
	return stale, nil
}

// stateFiles lists the local state files under dir: terraform.tfstate,
// its backups and workspace states (terraform.tfstate.d), not the
// backend's cache in .terraform/.
func stateFiles(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.Contains(d.Name(), ".tfstate") {
			found = append(found, path)
		}
		return nil
	})
	return found, err
}

// Remove deletes the folders Stale listed.
func Remove(dirs []string) error {
	var errs []error
	for _, dir := range dirs {
		errs = append(errs, os.RemoveAll(dir))
	}
	return errors.Join(errs...)
}
