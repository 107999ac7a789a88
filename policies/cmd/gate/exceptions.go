package main

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// exception is one entry of .trivyignore.yaml. Trivy itself reads only id
// and paths; environments and resources are ours: the stacks (globs; every
// stack when absent) and the Terraform addresses the entry may hide.
type exception struct {
	ID           string   `yaml:"id"`
	Statement    string   `yaml:"statement"`
	Paths        []string `yaml:"paths"`
	Environments []string `yaml:"environments"`
	Resources    []string `yaml:"resources"`
}

// readExceptions reads an ignore file and checks every entry has what the
// scope needs.
func readExceptions(file string) ([]exception, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Misconfigurations []exception `yaml:"misconfigurations"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for i, e := range doc.Misconfigurations {
		if e.ID == "" || len(e.Paths) == 0 || len(e.Resources) == 0 || strings.TrimSpace(e.Statement) == "" {
			return nil, fmt.Errorf("%s: entry %d (%q) needs id, statement, paths and resources", file, i+1, e.ID)
		}
	}
	return doc.Misconfigurations, nil
}

// finding is one misconfiguration Trivy reported.
type finding struct {
	ID, Severity, Target, Resource, Message string
}

// exceptionFor returns the exception that covers the finding on stack, or
// nil. An exception covers a finding only when its id and a path match (as
// Trivy matches them), the stack is one of its environments, and the
// resource one of its resources: Trivy sees every plan finding at the path
// main.tf, so id and path alone would let one stack's exception hide the
// same finding in every other stack.
func exceptionFor(exceptions []exception, stack string, f finding) *exception {
	for i, e := range exceptions {
		if e.ID == f.ID && matchesAny(e.Paths, f.Target) &&
			(len(e.Environments) == 0 || matchesAny(e.Environments, stack)) &&
			slices.Contains(e.Resources, f.Resource) {
			return &exceptions[i]
		}
	}
	return nil
}

// matchesAny reports whether s matches one of the globs (Trivy's are
// doublestar globs; the single-segment stars used here mean the same in
// path.Match).
func matchesAny(globs []string, s string) bool {
	return slices.ContainsFunc(globs, func(g string) bool {
		ok, err := path.Match(g, s)
		return err == nil && ok
	})
}
