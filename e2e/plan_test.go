package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fastshop/internal/jsondoc"
	"fastshop/stacks/config"
)

// expectedTypes must be created by every stack's plan.
var expectedTypes = []string{
	"aws_vpc", "aws_subnet", "aws_internet_gateway", "aws_route_table",
	"aws_route", "aws_route_table_association", "aws_default_security_group", "aws_flow_log",
	"aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_kms_key", "aws_kms_alias",
	"aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
	"aws_kinesis_stream", "aws_db_subnet_group", "aws_db_parameter_group", "aws_db_instance",
	"aws_elasticache_subnet_group", "aws_elasticache_parameter_group", "aws_elasticache_user",
	"aws_elasticache_user_group", "aws_elasticache_replication_group",
	"aws_iam_policy", "aws_iam_role_policy_attachment", "aws_vpc_endpoint", "aws_sns_topic",
	"aws_sns_topic_policy", "aws_cloudwatch_metric_alarm", "aws_db_event_subscription",
	"aws_sns_topic_subscription", "aws_sqs_queue", "aws_sqs_queue_policy", "aws_pipes_pipe", "aws_dynamodb_table",
}

// natGateways is how many NAT gateways, each with its Elastic IP, a stack's
// plan creates: what its environment's Egress asks for (dev's recorded
// nat-shared, copied by ephemeral stacks; none where the processors reach
// AWS through VPC endpoints only). ok is false for a stack of no
// environment.
func natGateways(stack string) (n int, ok bool) {
	for _, e := range append(config.Environments(), config.Ephemeral(ephemeralSuffix)) {
		if e.Name == stack {
			return e.NATGateways(), true
		}
	}
	return 0, false
}

// TestOfflinePlan runs terraform init and plan on every environment's stack
// and checks that the plan only creates, and creates every expected type.
func TestOfflinePlan(t *testing.T) {
	skipInShortMode(t)
	for _, stack := range pipelineStacks(t) {
		t.Run(stack, func(t *testing.T) {
			p := offlinePlan(t, stack)
			if errs, ok := p.Plan["errored"].(bool); ok && errs {
				t.Fatalf("%s: plan reports errored=true", stack)
			}
			created := map[string]int{}
			changes, _ := p.Plan["resource_changes"].([]any)
			for _, c := range changes {
				rc, _ := c.(map[string]any)
				change, _ := rc["change"].(map[string]any)
				actions, _ := change["actions"].([]any)
				if len(actions) != 1 || actions[0] != "create" {
					t.Errorf("%s: %v plans %v on an empty state; want only create", stack, rc["address"], actions)
					continue
				}
				created[rc["type"].(string)]++
			}
			for _, typ := range expectedTypes {
				if created[typ] == 0 {
					t.Errorf("%s: plan creates no %s", stack, typ)
				}
			}
			want, ok := natGateways(stack)
			if !ok {
				t.Fatalf("%s: natGateways does not say how many NAT gateways the stack has", stack)
			}
			if created["aws_nat_gateway"] != want || created["aws_eip"] != want {
				t.Errorf("%s: plan creates %d NAT gateways and %d Elastic IPs; want %d of each", stack, created["aws_nat_gateway"], created["aws_eip"], want)
			}
		})
	}
}

// TestManifestListsEveryStack: the manifest the tests take their stacks
// from lists the stacks the run must add, beyond the environments (whose
// presence main_test.go TestRunSynthesizesEveryEnvironment checks): the
// ephemeral stack of ENVIRONMENT_SUFFIX and the state bootstrap of the
// default S3 backend. manifestStacks checks it against the folders.
func TestManifestListsEveryStack(t *testing.T) {
	skipInShortMode(t)
	stacks := gatedStacks(t)
	for _, want := range []string{ephemeralSuffix, bootstrapStack} {
		if !slices.Contains(stacks, want) {
			t.Errorf("manifest.json does not list %s; got %v", want, stacks)
		}
	}
}

// TestDeployIdentitiesWalkthrough runs the README's HCP Terraform sequence
// as far as it goes offline: the synth of step 2 (deploy identities, first
// apply with local state, the cloud backend's settings), an offline plan of
// deploy-identities-prod that creates the provider, the two roles, their
// policies and the boundary, and the outputs step 3 tells operators to copy
// into workspace variables, which must be the plan's output names.
func TestDeployIdentitiesWalkthrough(t *testing.T) {
	skipInShortMode(t)
	outdir, p := identitiesWalkthrough(t)
	stacks := manifestStacks(t, outdir)
	for _, want := range []string{"deploy-identities-dev", "deploy-identities-staging", "deploy-identities-prod", bootstrapStack} {
		if !slices.Contains(stacks, want) {
			t.Errorf("synth made %v; want %s among them", stacks, want)
		}
	}
	const stack = identitiesStack
	created := map[string]int{}
	changes, _ := p.Plan["resource_changes"].([]any)
	for _, c := range changes {
		rc, _ := c.(map[string]any)
		created[rc["type"].(string)]++
	}
	for typ, n := range map[string]int{"aws_iam_openid_connect_provider": 1, "aws_iam_role": 2, "aws_iam_policy": 5, "aws_iam_role_policy_attachment": 4} {
		if created[typ] != n {
			t.Errorf("%s: plan creates %d %s; want %d", stack, created[typ], typ, n)
		}
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	outputs, _ := jsondoc.At(p.Plan, "output_changes").(map[string]any)
	for variable, output := range map[string]string{"TFC_AWS_PLAN_ROLE_ARN": "iam_role_deploy_plan_arn", "TFC_AWS_APPLY_ROLE_ARN": "iam_role_deploy_apply_arn"} {
		if _, ok := outputs[output]; !ok {
			t.Errorf("%s has no output %s; planned outputs %v", stack, output, sortedKeysOf(outputs))
		}
		if want := "`" + variable + "` = `" + output + "`"; !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not tell operators %s", want)
		}
	}
}

// identitiesStack is the deploy identities stack the walk-through plans.
const identitiesStack = "deploy-identities-prod"

// identitiesSynth is one synth of the deploy identities and the offline
// plan of identitiesStack.
type identitiesSynth struct {
	once   sync.Once
	outdir string
	plan   *stackPlan
}

// firstApply is the README's step 2 (local state), steadyState the same
// stacks once their state is in the bucket (what the gates judge, like
// every stack's default synth).
var firstApply, steadyState identitiesSynth

// identitiesWalkthrough synthesizes with the README's step-2 settings and
// plans identitiesStack offline, once per test binary.
func identitiesWalkthrough(t *testing.T) (string, *stackPlan) {
	t.Helper()
	return firstApply.get(t, "walkthrough", "FASTSHOP_DEPLOY_IDENTITIES_BACKEND=local")
}

func (s *identitiesSynth) get(t *testing.T, name string, extra ...string) (string, *stackPlan) {
	t.Helper()
	tf := requireTerraform(t)
	s.once.Do(func() {
		env := append([]string{"FASTSHOP_STATE_BACKEND=cloud", "FASTSHOP_TFC_ORGANIZATION=acme", "FASTSHOP_TFC_PROJECT=fastshop", "FASTSHOP_DEPLOY_IDENTITIES=on"}, extra...)
		r := synthesize(t, env...)
		if r.Err != nil {
			t.Fatalf("deploy identities synth %v failed: %v\n%s", env, r.Err, r.Stderr)
		}
		s.outdir = r.Outdir
		s.plan = queuePlan(t, tf, "plan-"+name+"-"+identitiesStack, filepath.Join(r.Outdir, "stacks", identitiesStack), identitiesStack).wait(t)
	})
	if s.plan == nil {
		t.Fatalf("the deploy identities synth (%s) failed earlier in this test binary", name)
	}
	return s.outdir, s.plan
}

// TestDeployIdentitiesGates holds the deploy identities stack to the
// security gates, with its state in the bucket (the first apply's local
// backend fails STA-01 by design, like the state bootstrap's): the policy
// pack passes its cdk.tf.json and plan, and Trivy finds nothing in either
// (no exception names this stack).
func TestDeployIdentitiesGates(t *testing.T) {
	skipInShortMode(t)
	outdir, p := steadyState.get(t, "gated")
	code, reports := runPolicycheck(t, stackJSONPath(outdir, identitiesStack), p.PlanJSON)
	for _, r := range reports {
		for _, res := range r.Results {
			if res.Status == "fail" {
				t.Errorf("policy pack, %s: %s %s: %s", r.Kind, res.Control, res.Resource, res.Message)
			}
		}
	}
	if code != 0 || len(reports) != 2 {
		t.Errorf("policycheck exited %d with %d reports; want 0 with a stack and a plan report", code, len(reports))
	}
	trivy := requireTool(t, "trivy", trivyInstall)
	root := configScanRoot(t, "trivy-identities", map[string]string{identitiesStack: stackJSONPath(outdir, identitiesStack)})
	stackOf := func(string) string { return identitiesStack }
	scans := runTrivies(t, trivy, []trivyRun{
		{root, "terraform", trivyIgnoreFile(), stackOfTarget},
		{p.PlanJSON, "terraformplan-json", trivyIgnoreFile(), stackOf},
	})
	for i, kind := range []string{"terraform", "terraformplan"} {
		for _, f := range scans[i].Findings {
			t.Errorf("Trivy, %s: %v", kind, f)
		}
		if n := scans[i].Checked[kind][identitiesStack]; n < minTrivyChecks {
			t.Errorf("Trivy passed only %d checks on the %s scan: did it read it? (%v)", n, kind, scans[i].Checked)
		}
	}
}

// sortedKeysOf lists a JSON object's keys in order.
func sortedKeysOf(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
