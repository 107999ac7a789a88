package nodecheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeNode writes a node that prints version (or fails) into a new folder.
func fakeNode(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "node"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheck: the node jsii would start is found as jsii finds it (JSII_NODE
// first, then PATH) and refused when missing, failing, unparsable or older
// than MinMajor; every refusal says what to install.
func TestCheck(t *testing.T) {
	v24, v22, v20 := fakeNode(t, "echo v24.22.3"), fakeNode(t, "echo v22.23.5"), fakeNode(t, "echo v20.20.2")
	broken, garbage := fakeNode(t, "exit 3"), fakeNode(t, "echo hello")
	notExecutable := t.TempDir()
	if err := os.WriteFile(filepath.Join(notExecutable, "node"), []byte("#!/bin/sh\necho v24.0.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  map[string]string
		want string // "" for accepted
	}{
		{"Node 24 on PATH", map[string]string{"PATH": v24}, ""},
		{"Node 22 on PATH", map[string]string{"PATH": v22}, ""},
		{"first node on PATH wins", map[string]string{"PATH": v24 + string(os.PathListSeparator) + v20}, ""},
		{"JSII_NODE wins over PATH", map[string]string{"PATH": v20, "JSII_NODE": filepath.Join(v24, "node")}, ""},
		{"Node 20 on PATH", map[string]string{"PATH": v20}, "older than 22"},
		{"Node 20 in JSII_NODE", map[string]string{"PATH": v24, "JSII_NODE": filepath.Join(v20, "node")}, "older than 22"},
		{"no node", map[string]string{"PATH": t.TempDir()}, "node is not on PATH"},
		{"empty PATH", map[string]string{}, "node is not on PATH"},
		{"node not executable", map[string]string{"PATH": notExecutable}, "node is not on PATH"},
		{"JSII_NODE missing", map[string]string{"PATH": v24, "JSII_NODE": "/nonexistent/node"}, "JSII_NODE = \"/nonexistent/node\" is not an executable file"},
		{"node fails", map[string]string{"PATH": broken}, "--version failed"},
		{"not a version", map[string]string{"PATH": garbage}, "not a Node.js version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(func(k string) string { return c.env[k] })
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && err == nil:
				t.Errorf("accepted; want %q", c.want)
			case c.want != "" && (!strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), Install)):
				t.Errorf("%v; want %q and what to install", err, c.want)
			}
		})
	}
}
