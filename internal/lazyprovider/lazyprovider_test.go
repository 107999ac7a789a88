package lazyprovider

import (
	"bytes"
	"os"
	"os/exec"
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

func TestNodeOptions(t *testing.T) {
	const hook = "/home/u/.cache/fastshop/lazyprovider/hook-0123456789abcdef.js"
	const flag = "--require=" + hook
	tests := []struct {
		name    string
		current string
		set     bool
		want    string
	}{
		{"unset keeps jsii's default heap", "", false, "--max-old-space-size=4069 " + flag},
		{"set and empty stays without a heap limit, as jsii would run it", "", true, flag},
		{"user options are kept", "--max-old-space-size=8192 --trace-warnings", true, "--max-old-space-size=8192 --trace-warnings " + flag},
		{"already there (a child process)", "--max-old-space-size=4069 " + flag, true, "--max-old-space-size=4069 " + flag},
		{"already there in the middle", flag + " --trace-warnings", true, flag + " --trace-warnings"},
		{"another hook version is kept, node runs one", "--require=/x/hook-ffff.js", true, "--require=/x/hook-ffff.js " + flag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nodeOptions(tt.current, tt.set, hook); got != tt.want {
				t.Errorf("nodeOptions(%q, set=%v) = %q, want %q", tt.current, tt.set, got, tt.want)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/plain/hook.js", "/plain/hook.js"},
		{"/with space/hook.js", `"/with space/hook.js"`},
		{`/odd"quote\back/hook.js`, `"/odd\"quote\\back/hook.js"`},
	}
	for _, tt := range tests {
		if got := quote(tt.path); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.path, got, tt.want)
		}
	}
}

// TestInstall runs what init does against a fresh cache directory whose path
// has a space, and asks node whether it loaded the hook from NODE_OPTIONS.
func TestInstall(t *testing.T) {
	restoreEnv(t, "NODE_OPTIONS", SwitchEnv)
	cache := filepath.Join(t.TempDir(), "cache with space")
	t.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux and BSDs
	t.Setenv("HOME", filepath.Join(t.TempDir(), "home"))
	os.Unsetenv("NODE_OPTIONS")
	os.Unsetenv(SwitchEnv)

	for i := 1; i <= 2; i++ {
		ok, err := install()
		if !ok || err != nil {
			t.Fatalf("install #%d = %v, %v; want true, nil", i, ok, err)
		}
	}
	options := os.Getenv("NODE_OPTIONS")
	if n := strings.Count(options, "--require="); n != 1 {
		t.Errorf("NODE_OPTIONS after two installs = %q, want one --require", options)
	}
	if !strings.HasPrefix(options, "--max-old-space-size=4069 ") {
		t.Errorf("NODE_OPTIONS = %q, want jsii's default --max-old-space-size=4069 kept", options)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "fastshop", "lazyprovider", "*"))
	if runtime.GOOS == "linux" && (len(files) != 1 || filepath.Base(files[0]) != "hook-"+fnv64(hook)+".js") {
		t.Errorf("cache holds %v, want exactly hook-%s.js (no temporary files left)", files, fnv64(hook))
	}

	node := nodeBinary(t)
	out, err := exec.Command(node, "-p", `(globalThis[Symbol.for("fastshop.lazyprovider")] || {}).status`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "installed" {
		t.Errorf("node with NODE_OPTIONS=%q: hook status %q (err %v), want installed", options, out, err)
	}
}

func TestInstallSwitchedOff(t *testing.T) {
	for _, value := range []string{"off", "OFF", "0", "false"} {
		restoreEnv(t, "NODE_OPTIONS")
		t.Setenv(SwitchEnv, value)
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		os.Setenv("NODE_OPTIONS", "--trace-warnings")
		if ok, err := install(); ok || err != nil {
			t.Errorf("install with %s=%s = %v, %v; want false, nil", SwitchEnv, value, ok, err)
		}
		if got := os.Getenv("NODE_OPTIONS"); got != "--trace-warnings" {
			t.Errorf("NODE_OPTIONS with %s=%s = %q, want it untouched", SwitchEnv, value, got)
		}
	}
}

// TestWriteHook covers the file handling: a file with the right name but other
// content is replaced, and a directory others can write to is skipped.
func TestWriteHook(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hooks")
	path, err := writeHook([]string{dir}, hook)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("process.exit(1)"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := writeHook([]string{dir}, hook)
	if err != nil || again != path {
		t.Fatalf("writeHook again = %q, %v; want %q, nil", again, err, path)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, hook) {
		t.Errorf("a tampered hook file was kept: %q", got)
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
	path, err = writeHook([]string{shared, private}, hook)
	if err != nil || filepath.Dir(path) != private {
		t.Errorf("writeHook([shared 0777, private]) = %q, %v; want a file in %s", path, err, private)
	}
	if _, err := writeHook([]string{shared}, hook); err == nil || !strings.Contains(err.Error(), "writable by others") {
		t.Errorf("writeHook([shared 0777]) error = %v, want one saying it is writable by others", err)
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
