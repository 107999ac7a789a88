// Package nodecheck finds the node that the jsii runtime will start and
// checks its version before anything asks the runtime for a class. Without
// it a missing node ends the program in a Go panic with a stack trace (the
// runtime panics when its first request cannot start the kernel), and an old
// node runs, slowly, on an end-of-life runtime the project does not test.
//
// The jsii runtime runs JSII_NODE when it is set, else "node" looked up on
// PATH (jsii-runtime-go internal/kernel/process, NewProcess); Node finds
// the same one. A program that starts the kernel some other way
// (JSII_RUNTIME) should check the node it names with Version.
package nodecheck

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// MinMajor is the oldest Node.js major version the program runs on: 22 LTS
// (Node 20 is end of life since 2026-04-30); 24 LTS is what the tests and
// the README's figures use.
const MinMajor = 22

// Install says what to install, for every message.
const Install = "install Node.js 24 LTS (or 22 LTS) and put it first on PATH, or set JSII_NODE to its node binary; export PATH=\"$(scripts/install-tools node):$PATH\" installs the pinned Node 24 alone"

// Node returns the node binary the jsii runtime starts: JSII_NODE, or node
// on PATH, as getenv reports them.
func Node(getenv func(string) string) (string, error) {
	if node := getenv("JSII_NODE"); node != "" {
		info, err := os.Stat(node)
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return "", fmt.Errorf("JSII_NODE = %q is not an executable file: %s", node, Install)
		}
		return node, nil
	}
	for _, dir := range filepath.SplitList(getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		path := filepath.Join(dir, "node")
		if info, err := os.Stat(path); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", errors.New("node is not on PATH (and JSII_NODE is not set): " + Install)
}

// Version runs `node --version` and returns its major version.
func Version(node string) (int, string, error) {
	out, err := exec.Command(node, "--version").Output()
	text := strings.TrimSpace(string(out))
	if err != nil {
		return 0, text, fmt.Errorf("%s --version failed (%v): %s", node, err, Install)
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(text, "v"), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0, text, fmt.Errorf("%s --version printed %q, not a Node.js version: %s", node, text, Install)
	}
	return n, text, nil
}

// Check finds the node the jsii runtime will start and refuses one that is
// missing or older than MinMajor.
func Check(getenv func(string) string) error {
	node, err := Node(getenv)
	if err != nil {
		return err
	}
	major, text, err := Version(node)
	if err != nil {
		return err
	}
	if major < MinMajor {
		return fmt.Errorf("%s is Node.js %s, older than %d (end of life, untested): %s", node, text, MinMajor, Install)
	}
	return nil
}
