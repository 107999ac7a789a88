package config

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// This file keeps help and README.md in step with the code: the process
// variables they name, the files and scripts they point to and the go run
// commands they show. It reads files only (no jsii), so it runs in the first
// layer of the suite. A failure names the document, what is wrong and what
// to change.

// projectRoot is the repository root, seen from this package's folder.
const projectRoot = "../.."

// operatorDocs are the documents a user reads first; both must agree with
// the code.
var operatorDocs = []string{"help", "README.md"}

// internalVariables are process variables the program reads that a user
// never sets: the program sets them for its own child processes, or the
// benchmark and the tests do. They need no documentation in help or
// README.md. Add one here only with the reason.
var internalVariables = map[string]string{
	"FASTSHOP_LAZY_PROVIDER_REPORT":  "the tests name the file the hook appends its report to (internal/lazyprovider/hook.js)",
	"FASTSHOP_LAZY_PROVIDER_WARNED":  "the first hook to warn tells the processes it starts, so one warning prints per program (internal/lazyprovider/hook.js)",
	"FASTSHOP_LAZY_PROVIDER_NODE":    "the program's init tells the launcher which node to run: the JSII_NODE it was given (internal/lazyprovider)",
	"FASTSHOP_LAZY_PROVIDER_HOOK":    "the program's init tells the launcher where the hook is (internal/lazyprovider)",
	"FASTSHOP_LAZY_PROVIDER_OPTIONS": "the program's init tells the launcher the kernel's node options (internal/lazyprovider)",
	"FASTSHOP_LAZY_PROVIDER_RELAY":   "the launcher tells the kernel's hook the path of jsii's relay, to run it in the kernel's place where needed (internal/lazyprovider/launcher.sh)",
}

// mainArgs are the arguments `go run main.go` takes; a documented command
// with any other argument fails. Add an argument here when main accepts it.
var mainArgs = []string{"--help", "-h"}

// placeholderValues stand in for the placeholders documented commands use,
// so that such a command can be checked like any other.
var placeholderValues = map[string]string{
	"<org>":     "acme",
	"<project>": "fastshop",
}

// variablePattern matches the names of this project's process variables.
var variablePattern = regexp.MustCompile(`\b(FASTSHOP_[A-Z0-9_]*[A-Z0-9]|ENVIRONMENT_SUFFIX)\b`)

// configVariables returns the values of the Var* constants of this package
// (the settings Select reads), parsed from its source so that a new
// constant is covered without being listed here.
func configVariables(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var vars []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Var") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						vars = append(vars, v)
					}
				}
			}
		}
	}
	slices.Sort(vars)
	if len(vars) < 8 {
		t.Fatalf("found only %d Var* constants in stacks/config: %v", len(vars), vars)
	}
	return vars
}

// skippedDirs hold no source of ours: dependencies, build output.
var skippedDirs = []string{".git", "node_modules", "cdktf.out", ".gen", "generated"}

// variablesIn returns, for every variable name that occurs in a file of
// repo that keep selects, the first such file.
func variablesIn(t *testing.T, repo fs.FS, keep func(name string) bool) map[string]string {
	t.Helper()
	found := map[string]string{}
	err := fs.WalkDir(repo, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if slices.Contains(skippedDirs, d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if !keep(name) {
			return nil
		}
		data, err := fs.ReadFile(repo, name)
		if err != nil {
			return err
		}
		for _, v := range variablePattern.FindAllString(string(data), -1) {
			if _, ok := found[v]; !ok {
				found[v] = name
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// isCode selects the files that can read a process variable: Go and
// JavaScript anywhere, and the scripts.
func isCode(name string) bool {
	switch path.Ext(name) {
	case ".go", ".js", ".mjs", ".cjs", ".sh":
		return true
	}
	return strings.HasPrefix(name, "scripts/") || strings.HasPrefix(name, ".ci/")
}

// isProgram selects the product's own code (what `go run main.go` runs),
// not its tests, benchmark or scripts.
func isProgram(name string) bool {
	if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "/testdata/") {
		return false
	}
	switch {
	case name == "main.go":
		return true
	case strings.HasPrefix(name, "stacks/"), strings.HasPrefix(name, "internal/"):
		return path.Ext(name) == ".go" || path.Ext(name) == ".js"
	}
	return false
}

// docFacts is what the checks compare a document with.
type docFacts struct {
	repo fs.FS
	// program: every variable the program reads that a user sets, with a
	// file that reads it.
	program map[string]string
	// settings: the variables Select reads (a documented assignment of one
	// must pass Select and Validate).
	settings []string
	// read: every variable any code of the repository reads, with a file.
	read map[string]string
}

func loadFacts(t *testing.T) docFacts {
	t.Helper()
	repo := os.DirFS(projectRoot)
	f := docFacts{repo: repo, settings: configVariables(t), read: variablesIn(t, repo, isCode)}
	f.program = variablesIn(t, repo, isProgram)
	for _, v := range f.settings {
		if _, ok := f.program[v]; !ok {
			f.program[v] = "stacks/config"
		}
	}
	for _, v := range staleInternalVariables(f.program) {
		t.Errorf("internalVariables in stacks/config/docs_test.go lists %s, which the program no longer reads: remove it", v)
	}
	for v := range internalVariables {
		delete(f.program, v)
	}
	return f
}

// staleInternalVariables returns the entries of internalVariables that
// program (the variables the program reads) no longer has, sorted.
func staleInternalVariables(program map[string]string) []string {
	var stale []string
	for v := range internalVariables {
		if _, ok := program[v]; !ok {
			stale = append(stale, v)
		}
	}
	slices.Sort(stale)
	return stale
}

// operatorTasks are what each operator document shows: the commands of the
// day-to-day tasks, the speed switch and the default state bucket.
var operatorTasks = []string{"go run main.go", "scripts/test", "cdktf deploy", "cdktf list", "state-bootstrap",
	"force-unlock", "scripts/gate", "scripts/check-offline", "scripts/install-cdktf", "scripts/bootstrap-state", "FASTSHOP_LAZY_PROVIDER", "bench/ts-twin/measure.sh", DefaultStateBucket}

// taskProblems lists the operator tasks a document does not show.
func taskProblems(name, text string) []string {
	var out []string
	for _, task := range operatorTasks {
		if !strings.Contains(text, task) {
			out = append(out, fmt.Sprintf("%s does not show %q", name, task))
		}
	}
	return out
}

// docProblems checks one document (name is how messages call it) against
// the code.
func docProblems(name, text string, f docFacts) []string {
	var out []string
	out = append(out, taskProblems(name, text)...)
	out = append(out, variableProblems(name, text, f)...)
	out = append(out, pathProblems(name, text, f.repo)...)
	out = append(out, commandProblems(name, text, f)...)
	out = append(out, anchorProblems(name, text)...)
	return out
}

// anchorProblems: every in-page link (#anchor) names a heading, as GitHub
// makes an anchor of it.
func anchorProblems(name, text string) []string {
	anchors := map[string]bool{}
	parts := strings.Split(text, "```")
	for i := 0; i < len(parts); i += 2 { // outside fenced blocks
		for _, line := range strings.Split(parts[i], "\n") {
			if strings.HasPrefix(line, "#") {
				anchors[headingAnchor(line)] = true
			}
		}
	}
	var out []string
	for _, m := range regexp.MustCompile(`\]\(#([^)]*)\)`).FindAllStringSubmatch(text, -1) {
		if !anchors[m[1]] {
			out = append(out, fmt.Sprintf("%s links to #%s, but no heading has that anchor: fix the link or the heading", name, m[1]))
		}
	}
	return out
}

// headingAnchor is GitHub's anchor for a heading: lower case, spaces to
// hyphens, punctuation other than hyphens and underscores dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(strings.TrimLeft(heading, "#"))) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-', r == '_', unicode.IsLetter(r), unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// variableProblems: every variable the program reads is named; every named
// variable is read by some code.
func variableProblems(name, text string, f docFacts) []string {
	var out []string
	for _, v := range slices.Sorted(maps.Keys(f.program)) {
		if !regexp.MustCompile(`\b` + v + `\b`).MatchString(text) {
			out = append(out, fmt.Sprintf("%s does not mention %s, which %s reads: document it there (help and README.md both list every setting), or, if only the program or the tests set it, add it to internalVariables in stacks/config/docs_test.go with the reason", name, v, f.program[v]))
		}
	}
	seen := map[string]bool{}
	for _, v := range variablePattern.FindAllString(text, -1) {
		if _, ok := f.read[v]; !ok && !seen[v] {
			seen[v] = true
			out = append(out, fmt.Sprintf("%s names %s, which no code reads: fix the name or remove it", name, v))
		}
	}
	return out
}

// pathPattern matches a path into the repository: a top-level folder's
// name, a slash and more, after a space, a quote, a backtick or a bracket.
var pathPattern = regexp.MustCompile("(?:^|[\\s`'\"(\\[])((?:\\.ci|bench|docs|e2e|internal|policies|scripts|stacks)/[A-Za-z0-9_./<>*-]*)")

// pathProblems: every repository path the document names exists, and every
// script it names is executable.
func pathProblems(name, text string, repo fs.FS) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range pathPattern.FindAllStringSubmatch(text, -1) {
		p := strings.TrimRight(m[1], ".,:;")
		if strings.ContainsAny(p, "<>*") || strings.Contains(p, "...") || seen[p] {
			continue // a pattern (stacks/<concern>.go), not a path
		}
		seen[p] = true
		info, err := fs.Stat(repo, strings.TrimSuffix(p, "/"))
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("%s names %s, which does not exist: fix the path", name, p))
		case strings.HasPrefix(p, "scripts/") && !info.IsDir() && info.Mode()&0o111 == 0:
			out = append(out, fmt.Sprintf("%s tells users to run %s, which is not executable: chmod +x it (git update-index --chmod=+x)", name, p))
		}
	}
	return out
}

// commands returns the shell commands a document shows: for help, each
// command line (indented less than the descriptions' column, text up to
// the first run of two spaces); for README.md, each line of a sh block and
// each inline code span. Continuation lines are joined.
func commands(name, text string) []string {
	text = strings.ReplaceAll(text, "\\\n", " ")
	var out []string
	if name == "help" {
		for _, line := range strings.Split(text, "\n") {
			indent := len(line) - len(strings.TrimLeft(line, " "))
			if indent == 0 || indent >= 10 {
				continue
			}
			cmd, _, _ := strings.Cut(strings.TrimSpace(line), "  ")
			out = append(out, cmd)
		}
		return out
	}
	parts := strings.Split(text, "```")
	for i, part := range parts {
		if i%2 == 1 { // a fenced block
			if lang, body, ok := strings.Cut(part, "\n"); ok && lang == "sh" {
				out = append(out, strings.Split(body, "\n")...)
			}
			continue
		}
		spans := strings.Split(strings.ReplaceAll(part, "\n", " "), "`")
		for j := 1; j < len(spans); j += 2 {
			out = append(out, spans[j])
		}
	}
	return out
}

// simpleCommands splits a command line at ; && || | and drops a comment.
func simpleCommands(line string) [][]string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	var out [][]string
	for _, part := range regexp.MustCompile(`;|&&|\|\||\|`).Split(line, -1) {
		if fields := strings.Fields(part); len(fields) > 0 {
			out = append(out, fields)
		}
	}
	return out
}

var assignmentPattern = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(.*)$`)

// commandProblems: a documented assignment of a setting is one the program
// accepts (Select and Validate, as main runs them), `go run main.go` gets
// only arguments main takes, and every other go run names a package that
// exists.
func commandProblems(name, text string, f docFacts) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range commands(name, text) {
		for _, words := range simpleCommands(line) {
			cmd := strings.Join(words, " ")
			if seen[cmd] {
				continue
			}
			seen[cmd] = true
			env := map[string]string{}
			i := 0
			for ; i < len(words); i++ {
				m := assignmentPattern.FindStringSubmatch(words[i])
				if m == nil {
					break
				}
				if slices.Contains(f.settings, m[1]) {
					env[m[1]] = m[2]
				}
			}
			if len(env) > 0 {
				out = append(out, settingProblems(name, cmd, env)...)
			}
			out = append(out, goRunProblems(name, cmd, words[i:], f.repo)...)
		}
	}
	return out
}

// settingProblems runs Select and Validate on a documented assignment.
func settingProblems(name, cmd string, env map[string]string) []string {
	for k, v := range env {
		if strings.Contains(v, "<") {
			sample, ok := placeholderValues[v]
			if !ok {
				return []string{fmt.Sprintf("%s: `%s` has the placeholder %s: add a sample value for it to placeholderValues in stacks/config/docs_test.go", name, cmd, v)}
			}
			env[k] = sample
		}
	}
	cfg, err := Select(func(k string) string { return env[k] })
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return []string{fmt.Sprintf("%s shows `%s`, which the program refuses: %v", name, cmd, err)}
	}
	return nil
}

// goRunProblems checks one go run command (words without the assignments).
func goRunProblems(name, cmd string, words []string, repo fs.FS) []string {
	if len(words) < 3 || words[0] != "go" || words[1] != "run" {
		return nil
	}
	dir, args := ".", words[2:]
	if args[0] == "-C" && len(args) > 2 {
		dir, args = args[1], args[2:]
	}
	switch target := args[0]; {
	case target == "main.go":
		for _, a := range args[1:] {
			if !slices.Contains(mainArgs, a) {
				return []string{fmt.Sprintf("%s shows `%s`, but main.go takes no argument %q (it takes %v): fix the command, or add the argument to mainArgs in stacks/config/docs_test.go once main accepts it", name, cmd, a, mainArgs)}
			}
		}
	case strings.HasPrefix(target, "./"):
		pkg := path.Join(dir, target)
		if matches, _ := fs.Glob(repo, path.Join(pkg, "*.go")); len(matches) == 0 {
			return []string{fmt.Sprintf("%s shows `%s`, but %s holds no Go package: fix the path", name, cmd, pkg)}
		}
	default:
		return []string{fmt.Sprintf("%s shows `%s`: run main.go or a ./package", name, cmd)}
	}
	return nil
}

// quickStartLines is README.md's first screen: what it is, the
// prerequisites and the two commands must fit in it.
const quickStartLines = 40

// quickStartCommands are the two commands of the first screen: synthesize
// every environment, run every test.
var quickStartCommands = []string{"go run main.go", "scripts/test"}

// quickStartProblems: README.md's first screen holds a sh block whose
// commands start with the two commands.
func quickStartProblems(readme string) []string {
	lines := strings.SplitAfter(readme, "\n")
	screen := strings.Join(lines[:min(len(lines), quickStartLines)], "")
	var found []string
	parts := strings.Split(screen, "```")
	for i := 1; i < len(parts); i += 2 {
		if lang, body, ok := strings.Cut(parts[i], "\n"); ok && lang == "sh" && i+1 < len(parts) {
			for _, line := range strings.Split(body, "\n") {
				for _, c := range quickStartCommands {
					if line == c || strings.HasPrefix(line, c+" ") {
						found = append(found, c)
					}
				}
			}
		}
	}
	var out []string
	for _, c := range quickStartCommands {
		if !slices.Contains(found, c) {
			out = append(out, fmt.Sprintf("README.md's first %d lines have no sh block starting a line with %q: the quick start (what it is, prerequisites, the two commands) comes first; move other material below it", quickStartLines, c))
		}
	}
	return out
}

// TestDocsAgreeWithCode checks help and README.md against the code.
func TestDocsAgreeWithCode(t *testing.T) {
	f := loadFacts(t)
	for _, doc := range operatorDocs {
		data, err := os.ReadFile(path.Join(projectRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range docProblems(doc, string(data), f) {
			t.Error(p)
		}
		if doc == "README.md" {
			for _, p := range quickStartProblems(string(data)) {
				t.Error(p)
			}
		}
		// The reading itself: a parser that found no command would pass
		// any document.
		var goRuns int
		for _, line := range commands(doc, string(data)) {
			for _, words := range simpleCommands(line) {
				if slices.Contains(words, "main.go") && slices.Contains(words, "run") {
					goRuns++
				}
			}
		}
		if goRuns < 3 {
			t.Errorf("found %d go run main.go commands in %s; the command reader of stacks/config/docs_test.go is broken", goRuns, doc)
		}
	}
}

// TestDocsCheckFails proves each check fails on a bad document.
func TestDocsCheckFails(t *testing.T) {
	f := loadFacts(t)
	help, err := os.ReadFile(path.Join(projectRoot, "help"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(help)
	// Built, so that this file, which the check scans, does not read it.
	misspelt := "FASTSHOP_" + "STATE_BUKET"
	withLine := func(line string) string { return good + "\n    " + line + "\n" }
	tests := []struct {
		name string
		text string
		repo fs.FS // nil: the repository
		want string
	}{
		{"a moved file", withLine("Egress in stacks/environments.go"), nil,
			"help names stacks/environments.go, which does not exist"},
		{"a missing script", withLine("scripts/deploy prod"), nil,
			"help names scripts/deploy, which does not exist"},
		{"a script that is not executable", "    scripts/check\n",
			fstest.MapFS{"scripts/check": {Data: []byte("#!/bin/sh\n"), Mode: 0o644}},
			"help tells users to run scripts/check, which is not executable"},
		{"a variable the code does not read", withLine(misspelt + "=acme-state go run main.go"), nil,
			"help names " + misspelt + ", which no code reads"},
		{"a setting left out", strings.ReplaceAll(good, VarStateRegion, "FASTSHOP_STATE_BUCKET"), nil,
			"help does not mention " + VarStateRegion},
		{"a setting the program refuses", withLine("FASTSHOP_STATE_BACKEND=gcs go run main.go"), nil,
			"help shows `FASTSHOP_STATE_BACKEND=gcs go run main.go`, which the program refuses"},
		{"a placeholder without a sample", withLine("FASTSHOP_TFC_ORGANIZATION=<organization> go run main.go"), nil,
			"has the placeholder <organization>"},
		{"an argument main does not take", withLine("go run main.go prod"), nil,
			"main.go takes no argument \"prod\""},
		{"a go run of no package", withLine("go run ./bench/nothing -runs 3"), nil,
			"bench/nothing holds no Go package"},
		{"an operator task left out", strings.ReplaceAll(good, "force-unlock", "unlock"), nil,
			`help does not show "force-unlock"`},
		{"a go run -C of no package", withLine("go run -C policies ./cmd/nothing plan.json"), nil,
			"policies/cmd/nothing holds no Go package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := f
			if tt.repo != nil {
				facts.repo = tt.repo
			}
			problems := docProblems("help", tt.text, facts)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("no problem saying %q; got %q", tt.want, problems)
			}
		})
	}

	// The quick start: the two commands on the first screen, in a sh block.
	intro := "# FastShop\n\nWhat it is.\n\n"
	quickStart := "```sh\ngo run main.go     # synthesize\nscripts/test       # test\n```\n"
	for _, tt := range []struct {
		name, readme string
		want         []string
	}{
		{"first screen", intro + quickStart, nil},
		{"below a long table", intro + strings.Repeat("| row |\n", quickStartLines) + quickStart,
			[]string{`with "go run main.go"`, `with "scripts/test"`}},
		{"in prose only", intro + "Run `go run main.go`, then `scripts/test`.\n", []string{`with "go run main.go"`, `with "scripts/test"`}},
		{"one command", intro + "```sh\ngo run main.go\n```\n", []string{`with "scripts/test"`}},
	} {
		got := quickStartProblems(tt.readme)
		if len(got) != len(tt.want) {
			t.Errorf("quick start, %s: got %q; want problems saying %q", tt.name, got, tt.want)
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("quick start, %s: problem %q does not say %q", tt.name, got[i], w)
			}
		}
	}

	// An exemption for a variable the program no longer reads.
	program := map[string]string{}
	for v := range internalVariables {
		program[v] = "internal/lazyprovider/hook.js"
	}
	if got := staleInternalVariables(program); len(got) != 0 {
		t.Errorf("staleInternalVariables = %q with every exemption read; want none", got)
	}
	for _, gone := range slices.Sorted(maps.Keys(internalVariables))[:min(1, len(internalVariables))] {
		delete(program, gone)
		if got := staleInternalVariables(program); !slices.Equal(got, []string{gone}) {
			t.Errorf("staleInternalVariables = %q; want [%s], which the program no longer reads", got, gone)
		}
	}

	// In-page links name headings.
	links := "## What the program refuses, and why\n\n```sh\n# Not a heading\n```\n" +
		"[ok](#what-the-program-refuses-and-why) [stale](#two-commands) [in code](#not-a-heading)\n"
	got := anchorProblems("README.md", links)
	want := []string{"README.md links to #two-commands", "README.md links to #not-a-heading"}
	if len(got) != len(want) || !strings.HasPrefix(got[0], want[0]) || !strings.HasPrefix(got[1], want[1]) {
		t.Errorf("anchorProblems = %q; want problems starting %q", got, want)
	}

	// README.md is read by its sh blocks and code spans, not by lines.
	readme := "Run `FASTSHOP_ENVIRONMENTS=qa go run main.go`.\n\n```sh\nFASTSHOP_STATE_BACKEND=cloud go run main.go   # no organization\n```\n"
	problems := docProblems("README.md", readme, f)
	for _, want := range []string{"`FASTSHOP_ENVIRONMENTS=qa go run main.go`, which the program refuses", "`FASTSHOP_STATE_BACKEND=cloud go run main.go`, which the program refuses"} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("README.md check: no problem saying %q; got %q", want, problems)
		}
	}
}
