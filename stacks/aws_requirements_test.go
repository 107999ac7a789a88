package stacks

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"fastshop/stacks/config"
)

// requirementsDoc is the page that records, per resource type, what AWS and
// the provider require and which test proves it.
const requirementsDoc = "../docs/aws-requirements.md"

// typeInHeading matches a resource type written alone in backticks; an
// address (`aws_iam_role.flow_logs_writer`) does not count for its type.
var typeInHeading = regexp.MustCompile("`(aws_[a-z0-9_]+)`")

// documentedTypes returns the resource types named in a heading of doc whose
// section has at least one requirement row: a heading without rows
// documents nothing.
func documentedTypes(doc string) map[string]bool {
	documented := map[string]bool{}
	var heading []string
	rows := 0
	flush := func() {
		if rows > 0 {
			for _, typ := range heading {
				documented[typ] = true
			}
		}
	}
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#"):
			flush()
			heading, rows = nil, 0
			for _, m := range typeInHeading.FindAllStringSubmatch(line, -1) {
				heading = append(heading, m[1])
			}
		case isRequirementRow(line):
			rows++
		}
	}
	flush()
	return documented
}

// isRequirementRow is a table row other than the header and the separator.
func isRequirementRow(line string) bool {
	if !strings.HasPrefix(line, "|") {
		return false
	}
	first := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(line, "|"), "|", 2)[0])
	return first != "Requirement" && !strings.HasPrefix(first, "---")
}

// undocumented returns, sorted, the types that doc has no section with rows for.
func undocumented(doc string, types []string) []string {
	documented := documentedTypes(doc)
	var missing []string
	for _, typ := range types {
		if !documented[typ] {
			missing = append(missing, typ)
		}
	}
	sort.Strings(missing)
	return missing
}

// synthesizedTypes maps every resource type of every test environment and of
// the state bootstrap to the stacks it appears in.
func synthesizedTypes(t *testing.T) map[string][]string {
	t.Helper()
	where := map[string][]string{}
	add := func(stack string, doc map[string]any) {
		for _, typ := range root(t, stack+":", doc).Key("resource").Keys() {
			where[typ] = append(where[typ], stack)
		}
	}
	for _, s := range synthAll(t) {
		add(s.Env.Name, s.JSON)
	}
	_, bootstrap := synthBootstrap(t)
	add(config.BootstrapID, bootstrap)
	_, identities := synthIdentities(t)
	for _, env := range sortedKeys(identities) {
		add(config.DeployIdentitiesPrefix+env, identities[env])
	}
	return where
}

// TestAWSRequirementsCoverEveryResourceType keeps docs/aws-requirements.md
// complete: every resource type any stack creates needs a heading there with
// at least one requirement row.
func TestAWSRequirementsCoverEveryResourceType(t *testing.T) {
	raw, err := os.ReadFile(requirementsDoc)
	if err != nil {
		t.Fatalf("%s: %v", requirementsDoc, err)
	}
	where := synthesizedTypes(t)
	// The walk itself must see both kinds of stack, or an empty result
	// would pass.
	for _, typ := range []string{"aws_kms_key", "aws_db_instance", "aws_s3_bucket_logging", "aws_iam_openid_connect_provider"} {
		if len(where[typ]) == 0 {
			t.Fatalf("no %s in any synthesized stack; the walk over the stacks is broken", typ)
		}
	}
	types := make([]string, 0, len(where))
	for typ := range where {
		types = append(types, typ)
	}
	for _, typ := range undocumented(string(raw), types) {
		stacks := slices.Compact(slices.Sorted(slices.Values(where[typ])))
		t.Errorf("%s (in %s) has no section with requirement rows in %s; add a heading naming `%s` and its rows (requirement, source, proof)",
			typ, strings.Join(stacks, ", "), requirementsDoc, typ)
	}
}

// TestAWSRequirementsCoverageCatchesGaps proves the coverage check fails
// when a type loses its heading or its rows, or is only mentioned in passing.
func TestAWSRequirementsCoverageCatchesGaps(t *testing.T) {
	raw, err := os.ReadFile(requirementsDoc)
	if err != nil {
		t.Fatalf("%s: %v", requirementsDoc, err)
	}
	doc := string(raw)

	// The real page without the heading line that names S3 logging (and
	// the bucket policy): their rows now belong to no heading.
	var withoutHeading []string
	for _, line := range strings.Split(doc, "\n") {
		if !(strings.HasPrefix(line, "#") && strings.Contains(line, "`aws_s3_bucket_logging`")) {
			withoutHeading = append(withoutHeading, line)
		}
	}
	if len(withoutHeading) == len(strings.Split(doc, "\n")) {
		t.Fatalf("%s has no heading naming aws_s3_bucket_logging; the failing case below would prove nothing", requirementsDoc)
	}

	cases := []struct {
		name  string
		doc   string
		types []string
		want  []string
	}{
		{"documented", "### `aws_kms_key`, `aws_kms_alias`\n\n| Requirement | Source | Proof |\n| --- | --- | --- |\n| policy | KMS guide | TestKeys |\n",
			[]string{"aws_kms_key", "aws_kms_alias"}, nil},
		{"heading removed from the real page", strings.Join(withoutHeading, "\n"),
			[]string{"aws_s3_bucket_logging", "aws_s3_bucket_policy", "aws_kms_key"}, []string{"aws_s3_bucket_logging", "aws_s3_bucket_policy"}},
		{"heading without rows", "### `aws_sns_topic`\n\n| Requirement | Source | Proof |\n| --- | --- | --- |\n\n### `aws_kms_key`\n\n| Requirement | Source | Proof |\n| --- | --- | --- |\n| policy | KMS guide | TestKeys |\n",
			[]string{"aws_sns_topic", "aws_kms_key"}, []string{"aws_sns_topic"}},
		{"named only in a row", "### `aws_kms_key`\n\n| Requirement | Source | Proof |\n| --- | --- | --- |\n| used by `aws_kinesis_stream` | KMS guide | TestKeys |\n",
			[]string{"aws_kinesis_stream"}, []string{"aws_kinesis_stream"}},
		{"an address, not the type", "### `aws_flow_log` (with `aws_iam_role.flow_logs_writer`)\n\n| Requirement | Source | Proof |\n| --- | --- | --- |\n| role | VPC guide | TestNetwork |\n",
			[]string{"aws_flow_log", "aws_iam_role"}, []string{"aws_iam_role"}},
	}
	for _, c := range cases {
		if got := undocumented(c.doc, c.types); !slices.Equal(got, c.want) {
			t.Errorf("%s: undocumented = %v; want %v", c.name, got, c.want)
		}
	}
}
