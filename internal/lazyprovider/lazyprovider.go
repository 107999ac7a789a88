// Package lazyprovider makes a synth through the jsii runtime cheap: the jsii
// kernel loads the AWS provider lazily and runs without jsii's relay process,
// which takes most of the time and memory out of a synth, with byte-identical
// output. README.md beside this file has the design and the measurements;
// bench/ts-twin/measure.sh makes them.
//
// Importing the package is all it takes:
//
//	import _ "fastshop/internal/lazyprovider"
//
// Its init writes two files to a private directory in the user's cache
// directory: the node preload hook (hook.js) and a launcher (launcher.sh), and
// points JSII_NODE, the node that jsii-runtime-go runs, at the launcher.
// jsii-runtime-go runs "$JSII_NODE <runtime>/bin/jsii-runtime.js", a relay
// process that starts the kernel (<runtime>/lib/program.js) and passes every
// request and answer between the Go program and the kernel; the launcher runs
// that kernel directly instead, with the hook preloaded (node's --require) and
// the kernel's node options, and with the Go program's pipes as the kernel's
// request and answer channel. The hook, through node's module.registerHooks
// (Node 24, and 22 from 22.15), makes the provider's eager index lazy as node
// loads it, trims two of cdktf's load costs, has the kernel read only the rows
// it needs of the provider's type definitions, and tells the kernel which file
// descriptor answers go to. It recognizes what it changes by its shape, never
// by a hash of a third-party file; where it does not find it, the file loads
// as written, or the kernel runs through jsii's relay as without the
// launcher, with one warning line.
//
// Set FASTSHOP_LAZY_PROVIDER=off to switch it all off, for comparisons; a
// JSII_RUNTIME of the user's (jsii runs that command instead of its own
// runtime) switches it off too.
//
// # Why init, and why this package must import so little
//
// jsii-runtime-go copies the environment when it creates its node process,
// and it does that in the init functions of the constructs, cdktf and provider
// packages (runtime.RegisterClass calls kernel.GetClient, whose
// process.NewProcess reads JSII_RUNTIME and JSII_NODE and copies os.Environ;
// the process itself starts at the first request, in main). An os.Setenv in
// main, or in any init that runs after theirs, is too late.
//
// Since Go 1.21 the order of package initialization is specified: among the
// packages whose imports are all initialized, the one with the lexically
// smallest import path goes first. "fastshop/internal/lazyprovider" sorts
// before every "github.com/..." path. So as long as everything this package
// imports is also imported (directly or not) by
// github.com/aws/jsii-runtime-go/runtime, this package is ready no later than
// the first package that starts node, and being smaller, it is initialized
// first. That is why this package imports only os, strings, strconv, errors,
// path/filepath, syscall and embed, and hashes with an inline FNV-1a rather
// than crypto/sha256 or hash/fnv, which the jsii runtime does not import.
// TestImportsAreJSIIRuntimeDeps checks the condition and TestProviderLoadsLazily
// the effect.
package lazyprovider

import (
	_ "embed"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SwitchEnv names the environment variable that switches the hook off when it
// is "off" (also "0", "false" or "no"), both here and in node.
const SwitchEnv = "FASTSHOP_LAZY_PROVIDER"

// SkipEnv names the environment variable that leaves parts out, for
// comparisons: a comma-separated list of the parts README.md names.
const SkipEnv = "FASTSHOP_LAZY_PROVIDER_SKIP"

// ReportEnv names the environment variable that, set to a file path, makes
// every node process that preloads the hook append JSON lines to that file:
// {"event":"preload"}, then {"event":"lazy","namespaces":N} or
// {"event":"fallback","reason":...} when it meets the provider (or
// {"event":"off"}), and one line per other part it applied or left out.
// Tests read it; node cannot tell Go.
const ReportEnv = "FASTSHOP_LAZY_PROVIDER_REPORT"

// The variables init sets for the launcher: the node it runs (the JSII_NODE
// the program was given, or node on PATH), the hook and the kernel's node
// options.
const (
	nodeEnv    = "FASTSHOP_LAZY_PROVIDER_NODE"
	hookEnv    = "FASTSHOP_LAZY_PROVIDER_HOOK"
	optionsEnv = "FASTSHOP_LAZY_PROVIDER_OPTIONS"
)

// kernelOptions are the node options the launcher gives the kernel, each
// named by its part. None changes what a synth writes; all are known to every
// node from 20.11 on.
var kernelOptions = []struct{ part, flag, value string }{
	// DEP0044, util.isArray: cdktf 0.20.12 calls it in
	// lib/terraform-output.js for every output whose value is an object; a
	// runtime deprecation since Node 22, and cdktf gets no more releases.
	{"warnings", "--disable-warning", "DEP0044"},
	// V8's young generation: node lets each of its two semi-spaces grow to
	// 16 MB or more, which the kernel's short-lived garbage fills; with 1 MB
	// its peak resident set is lower, for no measurable time.
	{"semi-space", "--max-semi-space-size", "1"},
}

//go:embed hook.js
var hook []byte

//go:embed launcher.sh
var launcher []byte

var (
	enabled bool
	initErr error
)

func init() {
	enabled, initErr = install()
	if initErr != nil {
		os.Stderr.WriteString("fastshop lazyprovider: " + initErr.Error() +
			"; the AWS provider loads eagerly (correct, but synth is slower)\n")
	}
}

// Enabled reports whether this process pointed JSII_NODE at the launcher, so
// that the jsii kernel started from now on runs directly and loads the
// provider lazily. It is false when switched off, when the user set
// JSII_RUNTIME, or when the files could not be written (see Err).
func Enabled() bool { return enabled }

// Err returns why the hook could not be installed, or nil.
func Err() error { return initErr }

func install() (bool, error) {
	if off(os.Getenv(SwitchEnv)) {
		return false, restoreNode()
	}
	if os.Getenv("JSII_RUNTIME") != "" {
		return false, nil // jsii runs the user's command, not node on its relay
	}
	dir, err := writeCache(hookDirs(), []file{{"hook", ".js", hook, 0o600}, {"launcher", ".sh", launcher, 0o700}})
	if err != nil {
		return false, err
	}
	launcherPath := filepath.Join(dir, fileName("launcher", ".sh", launcher))
	node := os.Getenv("JSII_NODE")
	if isLauncher(node) {
		node = os.Getenv(nodeEnv) // a child of a program that installed it
	}
	for _, kv := range [][2]string{
		{nodeEnv, node},
		{hookEnv, filepath.Join(dir, fileName("hook", ".js", hook))},
		{optionsEnv, strings.Join(options(os.Getenv(SkipEnv), os.Getenv("NODE_OPTIONS")), " ")},
		{"JSII_NODE", launcherPath},
	} {
		if err := os.Setenv(kv[0], kv[1]); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Getenv wraps getenv so that JSII_NODE reads as the program was given it,
// for a check of the node the kernel runs on: init points JSII_NODE at the
// launcher and keeps that node for it.
func Getenv(getenv func(string) string) func(string) string {
	return func(name string) string {
		value := getenv(name)
		if name == "JSII_NODE" && isLauncher(value) {
			return getenv(nodeEnv)
		}
		return value
	}
}

// restoreNode gives JSII_NODE back the node a parent program that installed
// the launcher found there, when this program is switched off.
func restoreNode() error {
	if !isLauncher(os.Getenv("JSII_NODE")) {
		return nil
	}
	if node := os.Getenv(nodeEnv); node != "" {
		return os.Setenv("JSII_NODE", node)
	}
	return os.Unsetenv("JSII_NODE")
}

// isLauncher reports whether path names a launcher this package wrote.
func isLauncher(path string) bool {
	base := filepath.Base(path)
	return strings.HasPrefix(base, "launcher-") && strings.HasSuffix(base, ".sh") &&
		filepath.Base(filepath.Dir(path)) == "lazyprovider"
}

func off(value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}

func skipped(skip string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(skip, ",") {
		out[strings.TrimSpace(part)] = true
	}
	return out
}

// options returns the kernel's node options: those of kernelOptions whose
// part skip does not name and whose flag nodeOptions (the user's
// NODE_OPTIONS, which the command line would override) does not set.
func options(skip, nodeOptions string) []string {
	parts := skipped(skip)
	given := map[string]bool{}
	for _, arg := range strings.Fields(nodeOptions) {
		flag, _, _ := strings.Cut(arg, "=")
		given[strings.ReplaceAll(flag, "_", "-")] = true
	}
	var out []string
	for _, o := range kernelOptions {
		if !parts[o.part] && (!given[o.flag] || o.flag == "--disable-warning") {
			out = append(out, o.flag+"="+o.value)
		}
	}
	return out
}

// hookDirs lists where the files may be written, best first: the per-user
// cache directory, then a per-user directory in the temporary directory.
func hookDirs() []string {
	var dirs []string
	if cache, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(cache, "fastshop", "lazyprovider"))
	}
	user := "user"
	if uid := os.Getuid(); uid >= 0 {
		user = strconv.Itoa(uid)
	}
	return append(dirs, filepath.Join(os.TempDir(), "fastshop-"+user, "lazyprovider"))
}

// file is one file writeCache writes: named prefix-<hash of content>ext.
type file struct {
	prefix, ext string
	content     []byte
	mode        os.FileMode
}

func fileName(prefix, ext string, content []byte) string {
	return prefix + "-" + fnv64(content) + ext
}

// writeCache makes sure that the first usable directory holds each file,
// named after the hash of its content, with exactly that content and mode,
// and returns that directory. Node and the shell run these files for the
// jsii kernel, so the directory must be ours and not writable by others, and
// a file with other content is replaced (write to a temporary file, then
// rename) rather than trusted.
func writeCache(dirs []string, files []file) (string, error) {
	var errs []error
	for _, dir := range dirs {
		err := writeCacheIn(dir, files)
		if err == nil {
			return dir, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

func writeCacheIn(dir string, files []file) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := checkPrivate(dir); err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(dir, fileName(f.prefix, f.ext, f.content))
		if info, err := os.Lstat(path); err == nil && info.Mode() == f.mode {
			if existing, err := os.ReadFile(path); err == nil && string(existing) == string(f.content) {
				continue
			}
		}
		tmp, err := os.CreateTemp(dir, "."+f.prefix+"-*.tmp")
		if err != nil {
			return err
		}
		_, err = tmp.Write(f.content)
		if closeErr := tmp.Close(); err == nil {
			err = closeErr
		}
		if err == nil {
			err = os.Chmod(tmp.Name(), f.mode)
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return err
		}
	}
	return nil
}

// checkPrivate returns an error unless dir is a real directory (not a symlink)
// that others cannot write to and, where the system says, that we own.
func checkPrivate(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return errors.New(dir + " is not a directory")
	}
	if info.Mode().Perm()&0o022 != 0 {
		return errors.New(dir + " is writable by others (mode " + info.Mode().Perm().String() + ")")
	}
	return checkOwner(dir, info)
}

// fnv64 is FNV-1a, 64 bits, in hex: enough to tell versions of a file apart
// (writeCacheIn compares the content anyway), without importing a hash
// package (see the package comment).
func fnv64(data []byte) string {
	const hexDigits = "0123456789abcdef"
	h := uint64(14695981039346656037)
	for _, b := range data {
		h ^= uint64(b)
		h *= 1099511628211
	}
	out := make([]byte, 16)
	for i := 15; i >= 0; i-- {
		out[i] = hexDigits[h&0xf]
		h >>= 4
	}
	return string(out)
}
