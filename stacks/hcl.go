package stacks

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// cdktf 0.20.12 renders two things wrong in HCL (cdktf synth --hcl), and the
// project is archived, so no fix is coming:
//
//   - The terraform block's plain attributes: renderTerraform hands the list
//     of attribute names where it means the attributes, so our
//     required_version comes out as `0 = "required_version"`, which Terraform
//     cannot parse.
//   - A string holding a reference (${...}) is written between quotes as
//     it is, without escaping: a policy document that names a resource's
//     ARN comes out as "{"Version":...}", which does not parse.
//   - depends_on and lifecycle ignore_changes entries come out quoted
//     ("aws_x.y", "final_snapshot_identifier"), which Terraform accepts
//     with a deprecation warning per entry.
//
// RepairHCL puts these right after synthesis, before the CLI formats the
// files.

// garbledAttribute matches a terraform-block attribute as cdktf renders it:
// an index for a name and the name for a value.
var garbledAttribute = regexp.MustCompile(`^\s*[0-9]+ = "([a-z_]+)"$`)

// quotedReference matches one quoted entry of depends_on (a resource
// address) or of ignore_changes (an attribute name).
var quotedReference = regexp.MustCompile(`^(\s*)"([a-z0-9_]+(?:\.[A-Za-z0-9_-]+)?)"(,?)$`)

// templateAttribute matches an attribute whose value is one string on one
// line, holding a reference: the strings cdktf writes unescaped.
var templateAttribute = regexp.MustCompile(`^(\s*[A-Za-z0-9_-]+ = )"(.*\$\{.*)"$`)

// terraformAttributes are the plain terraform-block attributes the stacks
// set (pinVersions), with their values.
var terraformAttributes = map[string]string{
	"required_version": RequiredTerraformVersion,
}

// RepairHCL rewrites every stacks/<stack>/cdk.tf under outdir that cdktf
// rendered as HCL: terraform-block attributes get their names and values
// back, strings with references are escaped, and depends_on and
// ignore_changes entries lose their quotes. A garbled attribute it does not know is an error: the
// output would not parse.
func RepairHCL(outdir string) error {
	paths, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf"))
	if err != nil {
		return err
	}
	for _, path := range paths {
		if err := repairHCLFile(path); err != nil {
			return err
		}
	}
	return nil
}

func repairHCLFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var out strings.Builder
	// depth is the brace nesting at the start of the line; cdktf writes the
	// HCL unindented (the CLI formats it afterwards), so nesting is counted.
	depth, inTerraform, inReferences := 0, false, false
	scanner := bufio.NewScanner(strings.NewReader(string(data)))
	scanner.Buffer(make([]byte, 0, 1<<20), 1<<26)
	for n := 1; scanner.Scan(); n++ {
		line := scanner.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case depth == 0:
			inTerraform = trimmed == "terraform {"
		case strings.HasSuffix(trimmed, "depends_on = [") || strings.HasSuffix(trimmed, "ignore_changes = ["):
			inReferences = true
		case inReferences && trimmed == "]":
			inReferences = false
		case inReferences:
			if m := quotedReference.FindStringSubmatch(line); m != nil {
				line = m[1] + m[2] + m[3]
			}
		case templateAttribute.MatchString(line):
			m := templateAttribute.FindStringSubmatch(line)
			line = m[1] + `"` + escapeTemplate(m[2]) + `"`
		case inTerraform && depth == 1:
			if m := garbledAttribute.FindStringSubmatch(line); m != nil {
				value, ok := terraformAttributes[m[1]]
				if !ok {
					return fmt.Errorf("%s:%d: cdktf garbled the terraform attribute %s and its value is unknown here", path, n, m[1])
				}
				line = fmt.Sprintf("  %s = %q", m[1], value)
			}
		}
		depth += braceDelta(line)
		out.WriteString(line)
		out.WriteByte('\n')
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(out.String()), 0o644)
}

// braceDelta is the change in block nesting over one line: braces outside
// double-quoted strings (policy documents are JSON inside strings).
func braceDelta(line string) int {
	delta, inString, escaped := 0, false, false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case !inString && r == '{':
			delta++
		case !inString && r == '}':
			delta--
		}
	}
	return delta
}

// escapeTemplate escapes a string's literal parts for an HCL quoted
// template (cdktf wrote the raw value), leaving its ${...} interpolations
// as they are.
func escapeTemplate(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); {
		if strings.HasPrefix(raw[i:], "${") {
			end := interpolationEnd(raw, i)
			b.WriteString(raw[i:end])
			i = end
			continue
		}
		switch c := raw[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// interpolationEnd returns the index just past the ${...} starting at
// start, counting nested braces outside quoted strings.
func interpolationEnd(s string, start int) int {
	depth, inString := 0, false
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && c == '{':
			depth++
		case !inString && c == '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}
