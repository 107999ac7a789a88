// Package lazyprovider makes a synth through the jsii runtime cheap: the jsii
// kernel loads the AWS provider lazily, which takes most of the time and
// memory out of a synth, with byte-identical output. README.md ("Synth
// speed") has the measurements; go run ./bench/synthbench makes them.
//
// The prebuilt @cdktf/provider-aws package's lib/index.js requires all of its
// 2,123 namespaces eagerly (about 206 MB of JavaScript) although a synth uses a
// handful. This package embeds a node preload hook (hook.js) that, through
// node's module.registerHooks (Node 24, and 22 from 22.15), rewrites that one
// file in memory, as node loads it, into getters that require a namespace on
// first access. Importing the package is all it takes:
//
//	import _ "fastshop/internal/lazyprovider"
//
// The hook also makes two of cdktf's load costs lazy the same way: two
// packages it requires but a synth does not use, and the formatting of token
// creation stack traces; it has the jsii kernel read only the rows it needs
// of the provider's 32 MB type-definitions file and hash package tarballs
// through one reused buffer; and it gives the kernel a direct channel to the
// Go program, so that requests and answers no longer pass through the jsii
// relay.
//
// Its init writes the hook to the user's cache directory and appends
// --require=<hook> to NODE_OPTIONS, which the jsii runtime passes to the node
// processes it starts. The hook also passes the kernel node options: one
// that silences the deprecation warning cdktf causes on Node 22 and 24
// (DEP0044), a small young generation (less memory) and one V8 worker
// thread; in the jsii relay it puts --max-opt=2 (no TurboFan) on the
// kernel's command line (node does not take that option in NODE_OPTIONS). It
// recognizes what it changes by its shape, never by a hash of a third-party
// file: on a node without module.registerHooks, or a provider, cdktf or jsii
// file of another shape, the file loads as written (correct, only slower)
// and the hook prints one warning line; a relay or kernel of another shape
// keeps relaying (the relay decides, once, so it cannot hang); a node that
// does not accept an option runs without it.
//
// Set FASTSHOP_LAZY_PROVIDER=off to switch it all off, for comparisons.
//
// # Why init, and why this package must import so little
//
// jsii-runtime-go copies the environment when it creates its node process,
// and it does that in the init functions of the constructs, cdktf and provider
// packages (runtime.RegisterClass calls kernel.GetClient). An os.Setenv in
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

// ReportEnv names the environment variable that, set to a file path, makes
// every node process that preloads the hook append JSON lines to that file:
// {"event":"preload"}, {"event":"child-options","added":[...]}, then
// {"event":"lazy","namespaces":N} or {"event":"fallback","reason":...} when
// it meets the provider (or {"event":"off"}). Tests and the benchmark read it;
// node cannot tell Go.
const ReportEnv = "FASTSHOP_LAZY_PROVIDER_REPORT"

// jsiiDefaultNodeOptions is what jsii-runtime-go gives node when NODE_OPTIONS
// is not in the environment at all; it no longer applies once we set
// NODE_OPTIONS, so we carry it over.
const jsiiDefaultNodeOptions = "--max-old-space-size=4069"

//go:embed hook.js
var hook []byte

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

// Enabled reports whether this process put the hook into NODE_OPTIONS (or
// found it there already), so that node processes started from now on load
// the provider lazily. It is false when switched off or when the hook could
// not be written (see Err).
func Enabled() bool { return enabled }

// Err returns why the hook could not be installed, or nil.
func Err() error { return initErr }

func install() (bool, error) {
	if off(os.Getenv(SwitchEnv)) {
		return false, nil
	}
	path, err := writeHook(hookDirs(), hook)
	if err != nil {
		return false, err
	}
	current, set := os.LookupEnv("NODE_OPTIONS")
	if options := nodeOptions(current, set, path); options != current || !set {
		if err := os.Setenv("NODE_OPTIONS", options); err != nil {
			return false, err
		}
	}
	return true, nil
}

func off(value string) bool {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "off", "0", "false", "no":
		return true
	}
	return false
}

// nodeOptions returns NODE_OPTIONS with the --require of hookPath added once.
// jsii-runtime-go runs node with --max-old-space-size=4069 only when
// NODE_OPTIONS is absent from the environment (set, even empty, it wins), so
// the default is kept exactly in that case.
func nodeOptions(current string, set bool, hookPath string) string {
	flag := "--require=" + quote(hookPath)
	if !set {
		return jsiiDefaultNodeOptions + " " + flag
	}
	if strings.Contains(" "+current+" ", " "+flag+" ") {
		return current
	}
	if strings.TrimSpace(current) == "" {
		return flag
	}
	return current + " " + flag
}

// quote quotes a path the way node parses NODE_OPTIONS, when it needs it.
func quote(path string) string {
	if !strings.ContainsAny(path, " \t\n\"\\") {
		return path
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(path) + `"`
}

// hookDirs lists where the hook may be written, best first: the per-user cache
// directory, then a per-user directory in the temporary directory.
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

// writeHook makes sure that the first usable directory holds a file named
// after the hash of content with exactly that content, and returns its path.
// Node runs that file in every kernel process, so the directory must be ours
// and not writable by others, and a file with other content is replaced
// (write to a temporary file, then rename) rather than trusted.
func writeHook(dirs []string, content []byte) (string, error) {
	var errs []error
	for _, dir := range dirs {
		path, err := writeHookIn(dir, content)
		if err == nil {
			return path, nil
		}
		errs = append(errs, err)
	}
	return "", errors.Join(errs...)
}

func writeHookIn(dir string, content []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := checkPrivate(dir); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "hook-"+fnv64(content)+".js")
	if existing, err := os.ReadFile(path); err == nil && string(existing) == string(content) {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, ".hook-*.tmp")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(content)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
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

// fnv64 is FNV-1a, 64 bits, in hex: enough to tell versions of the hook apart
// (writeHookIn compares the content anyway), without importing a hash package
// (see the package comment).
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
