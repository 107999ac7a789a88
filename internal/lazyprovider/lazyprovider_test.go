package lazyprovider

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

// restoreEnv puts the named variables back as they were (set or not) when the
// test ends; t.Setenv cannot express "unset".
func restoreEnv(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		value, set := os.LookupEnv(name)
		t.Cleanup(func() {
			if set {
				os.Setenv(name, value)
			} else {
				os.Unsetenv(name)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	all := []string{"--disable-warning=DEP0044", "--max-semi-space-size=1"}
	tests := []struct {
		name, skip, nodeOptions string
		want                    []string
	}{
		{"all", "", "", all},
		{"all, other user options", "", "--max-old-space-size=8192 --trace-warnings", all},
		{"part skipped", "defs, semi-space", "", all[:1]},
		{"user's semi-space size wins", "", "--max_semi_space_size=8", all[:1]},
		{"the user's warnings are added to", "", "--disable-warning=DEP0040", all},
		{"warnings skipped", "warnings", "", all[1:]},
	}
	for _, tt := range tests {
		if got := options(tt.skip, tt.nodeOptions); !slices.Equal(got, tt.want) {
			t.Errorf("%s: options(%q, %q) = %q, want %q", tt.name, tt.skip, tt.nodeOptions, got, tt.want)
		}
	}
}

// TestInstall runs what init does against a fresh cache directory whose path
// has a space: JSII_NODE becomes the launcher, the node the program was given
// is kept for the launcher (also across a child program that installs it
// again), and switched off, a child gives JSII_NODE back.
func TestInstall(t *testing.T) {
	restoreEnv(t, "JSII_NODE", "JSII_RUNTIME", SwitchEnv, nodeEnv, hookEnv, optionsEnv, SkipEnv)
	cache := filepath.Join(t.TempDir(), "cache with space")
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux and BSDs
	t.Setenv("HOME", filepath.Join(t.TempDir(), "home"))
	for _, name := range []string{"JSII_RUNTIME", SwitchEnv, SkipEnv, "NODE_OPTIONS"} {
		os.Unsetenv(name)
	}
	os.Setenv("JSII_NODE", "/opt/node24/bin/node")

	for i := 1; i <= 2; i++ {
		ok, err := install()
		if !ok || err != nil {
			t.Fatalf("install #%d = %v, %v; want true, nil", i, ok, err)
		}
	}
	dir := filepath.Join(cache, "fastshop", "lazyprovider")
	launcherPath := filepath.Join(dir, fileName("launcher", ".sh", launcher))
	hookPath := filepath.Join(dir, fileName("hook", ".js", hook))
	for name, want := range map[string]string{"JSII_NODE": launcherPath, nodeEnv: "/opt/node24/bin/node", hookEnv: hookPath,
		optionsEnv: "--disable-warning=DEP0044 --max-semi-space-size=1"} {
		if got := os.Getenv(name); got != want {
			t.Errorf("%s = %q after two installs, want %q", name, got, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if runtime.GOOS == "linux" && !slices.Equal(files, []string{hookPath, launcherPath}) {
		t.Errorf("cache holds %v, want exactly the hook and the launcher (no temporary files left)", files)
	}
	if info, err := os.Stat(launcherPath); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("launcher: %v, %v; want mode 0700", info, err)
	}

	t.Setenv(SwitchEnv, "off")
	if ok, err := install(); ok || err != nil {
		t.Fatalf("install switched off = %v, %v; want false, nil", ok, err)
	}
	if got := os.Getenv("JSII_NODE"); got != "/opt/node24/bin/node" {
		t.Errorf("JSII_NODE switched off in a child = %q, want the node the parent was given back", got)
	}
}

func TestInstallLeavesJSIIAlone(t *testing.T) {
	for _, tt := range []struct{ name, key, value string }{
		{"off", SwitchEnv, "off"}, {"OFF", SwitchEnv, "OFF"}, {"0", SwitchEnv, "0"}, {"false", SwitchEnv, "false"},
		{"the user's JSII_RUNTIME", "JSII_RUNTIME", "node /opt/jsii/bin/jsii-runtime.js"},
	} {
		restoreEnv(t, "JSII_NODE", "JSII_RUNTIME", SwitchEnv)
		os.Unsetenv("JSII_RUNTIME")
		os.Unsetenv(SwitchEnv)
		t.Setenv(tt.key, tt.value)
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		os.Setenv("JSII_NODE", "/usr/local/bin/node")
		if ok, err := install(); ok || err != nil {
			t.Errorf("install with %s=%s = %v, %v; want false, nil", tt.key, tt.value, ok, err)
		}
		if got := os.Getenv("JSII_NODE"); got != "/usr/local/bin/node" {
			t.Errorf("JSII_NODE with %s=%s = %q, want it untouched", tt.key, tt.value, got)
		}
	}
}

// TestWriteCache covers the file handling: a file with the right name but
// other content or mode is replaced, and a directory others can write to is
// skipped.
func TestWriteCache(t *testing.T) {
	files := []file{{"hook", ".js", hook, 0o600}, {"launcher", ".sh", launcher, 0o700}}
	dir := filepath.Join(t.TempDir(), "hooks")
	if got, err := writeCache([]string{dir}, files); err != nil || got != dir {
		t.Fatalf("writeCache = %q, %v; want %q, nil", got, err, dir)
	}
	hookPath := filepath.Join(dir, fileName("hook", ".js", hook))
	launcherPath := filepath.Join(dir, fileName("launcher", ".sh", launcher))
	if err := os.WriteFile(hookPath, []byte("process.exit(1)"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(launcherPath, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := writeCache([]string{dir}, files); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(hookPath); !bytes.Equal(got, hook) {
		t.Errorf("a tampered hook file was kept: %q", got)
	}
	if info, err := os.Stat(launcherPath); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("a launcher that lost its mode was kept: %v, %v", info, err)
	}

	if runtime.GOOS == "windows" {
		return
	}
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o777); err != nil { // past the umask
		t.Fatal(err)
	}
	private := filepath.Join(t.TempDir(), "private")
	if got, err := writeCache([]string{shared, private}, files); err != nil || got != private {
		t.Errorf("writeCache([shared 0777, private]) = %q, %v; want %s", got, err, private)
	}
	if _, err := writeCache([]string{shared}, files); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Errorf("writeCache([shared 0777]) error = %v, want one saying it is writable by others", err)
	}
}

// TestImportsAreJSIIRuntimeDeps checks the condition the package comment
// explains, for this package as go list names it: everything it imports is
// initialized before the jsii runtime is, and its path sorts before every
// package of the program that imports the jsii runtime, so its init runs
// before any package can start node. TestProviderLoadsLazily checks the
// effect.
func TestImportsAreJSIIRuntimeDeps(t *testing.T) {
	self := goList(t, "-f", "{{.ImportPath}}", ".")[0]
	const jsiiRuntime = "github.com/aws/jsii-runtime-go/runtime"
	deps := func(pkg string) map[string]bool {
		out := map[string]bool{}
		for _, p := range goList(t, "-deps", pkg) {
			out[p] = true
		}
		return out
	}
	jsii := deps(jsiiRuntime)
	var extra []string
	for dep := range deps(".") {
		if dep != self && !jsii[dep] {
			extra = append(extra, dep)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		t.Errorf("%s depends on %v, which %s does not: jsii may start node before this package's init (see the package comment)", self, extra, jsiiRuntime)
	}
	// The program: the module's main package, which imports this package
	// through the stacks package.
	root := filepath.Dir(goList(t, "-m", "-f", "{{.GoMod}}")[0])
	users := 0
	for _, line := range goList(t, "-deps", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, root) {
		fields := strings.Split(line, "|")
		pkg, imports, pkgDeps := fields[0], strings.Fields(fields[1]), strings.Fields(fields[2])
		if strings.HasPrefix(pkg, "github.com/aws/jsii-runtime-go") || slices.Contains(pkgDeps, self) {
			continue // the runtime itself, or initialized after this package anyway
		}
		for _, imp := range imports {
			if !strings.HasPrefix(imp, "github.com/aws/jsii-runtime-go") {
				continue
			}
			users++
			if pkg <= self {
				t.Errorf("%s imports %s and sorts before %s: Go would initialize it, and it may start node, first", pkg, imp, self)
			}
			break
		}
	}
	if users == 0 {
		t.Errorf("go list finds no package of %s that imports the jsii runtime", root)
	}
}

func TestGetenv(t *testing.T) {
	const launcherPath = "/home/u/.cache/fastshop/lazyprovider/launcher-0123456789abcdef.sh"
	for _, tt := range []struct {
		name      string
		env       map[string]string
		key, want string
	}{
		{"the launcher reads as the node given", map[string]string{"JSII_NODE": launcherPath, nodeEnv: "/opt/node24/bin/node"}, "JSII_NODE", "/opt/node24/bin/node"},
		{"the launcher reads as unset when none was given", map[string]string{"JSII_NODE": launcherPath}, "JSII_NODE", ""},
		{"a node of the user's is left alone", map[string]string{"JSII_NODE": "/usr/bin/node", nodeEnv: "/opt/node24/bin/node"}, "JSII_NODE", "/usr/bin/node"},
		{"other variables are left alone", map[string]string{"PATH": launcherPath}, "PATH", launcherPath},
	} {
		getenv := func(name string) string { return tt.env[name] }
		if got := Getenv(getenv)(tt.key); got != tt.want {
			t.Errorf("%s: Getenv(...)(%s) = %q, want %q", tt.name, tt.key, got, tt.want)
		}
	}
}
