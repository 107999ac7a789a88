package stacks

import (
	"encoding/json"
	"slices"
	"testing"

	"fastshop/stacks/config"
)

// TestStateAccessRoles checks each environment's role reaches only its own
// state, and that its account is the one trusted.
func TestStateAccessRoles(t *testing.T) {
	_, doc := synthBootstrap(t)
	bucket := "arn:aws:s3:::" + config.DefaultStateBucket
	for _, env := range config.Environments() {
		t.Run(env.Name, func(t *testing.T) {
			resources := root(t, "state-bootstrap:", doc).Key("resource")
			role := resources.Key("aws_iam_role").Key("state_access_" + env.Name)
			if got := role.Key("name").Str(); got != env.StateAccessRole() {
				t.Errorf("%s: state-access role named %s; the backend assumes %s", env.Name, got, env.StateAccessRole())
			}
			raw := resources.Key("aws_iam_role_policy").Key("state_access_" + env.Name + "_policy").Key("policy").Str()
			var policy policyDocument
			if err := json.Unmarshal([]byte(raw), &policy); err != nil {
				t.Fatalf("%s: state-access policy: %v", env.Name, err)
			}
			var allowed, denied []string
			for _, st := range policy.Statement {
				if !slices.Contains(st.Action, "s3:PutObject") {
					continue
				}
				targets := asStrings(st.Resource)
				if st.Effect == "Allow" {
					allowed = append(allowed, targets...)
				} else {
					denied = append(denied, targets...)
				}
			}
			switch env.Name {
			case config.Dev:
				// dev's role covers the ephemeral stacks' prefixes and is denied
				// every other tenant's.
				if !slices.Equal(allowed, []string{bucket + "/fastshop/*"}) {
					t.Errorf("dev: state-access role may write %v; want fastshop/* for dev and its ephemeral stacks", allowed)
				}
				others := []string{config.BootstrapID}
				for _, name := range config.PermanentNames() {
					if name != config.Dev {
						others = append(others, name)
					}
				}
				for _, other := range others {
					if !slices.Contains(denied, bucket+"/fastshop/"+other+"/*") {
						t.Errorf("dev: state-access role is not denied %s's state (denied %v)", other, denied)
					}
				}
				// An apply role must not rewrite the state of the stack that
				// grants it.
				if !slices.Contains(denied, bucket+"/fastshop/"+config.DeployIdentitiesPrefix+"*") {
					t.Errorf("dev: state-access role is not denied the deploy identities' state (denied %v)", denied)
				}
			default:
				if !slices.Equal(allowed, []string{bucket + "/fastshop/" + env.Name + "/*"}) {
					t.Errorf("%s: state-access role may write %v; want only its own prefix", env.Name, allowed)
				}
			}
		})
	}
}

// TestStateAccessTrust walks each state-access role's trust policy: one
// statement, allowing only sts:AssumeRole, only from the environment's
// account and only for its StateDeployPrincipals (aws:PrincipalArn). The
// account root alone would admit every administrator of the workload
// account.
func TestStateAccessTrust(t *testing.T) {
	_, doc := synthBootstrap(t)
	for _, env := range config.Environments() {
		t.Run(env.Name, func(t *testing.T) {
			where := "state-bootstrap: aws_iam_role.state_access_" + env.Name + ".assume_role_policy"
			raw := root(t, "state-bootstrap:", doc).Key("resource").Key("aws_iam_role").Key("state_access_" + env.Name).Key("assume_role_policy").Str()
			var trust map[string]any
			if err := json.Unmarshal([]byte(raw), &trust); err != nil {
				t.Fatalf("%s does not parse: %v\n%s", where, err, raw)
			}
			statements := root(t, where, trust).Key("Statement").List()
			if len(statements) != 1 {
				t.Fatalf("%s has %d statements; want exactly one: %s", where, len(statements), raw)
			}
			st := statements[0].object()
			keys := statements[0].Keys()
			// Anything else (NotPrincipal, NotAction, a second condition
			// operator) would widen or blur who is trusted.
			if want := []string{"Action", "Condition", "Effect", "Principal", "Sid"}; !slices.Equal(keys, want) {
				t.Errorf("%s: trust statement has keys %v; want %v", env.Name, keys, want)
			}
			if st["Effect"] != "Allow" || !equalJSON(st["Action"], []string{"sts:AssumeRole"}) {
				t.Errorf("%s: trust statement %v %v; want Allow sts:AssumeRole only", env.Name, st["Effect"], st["Action"])
			}
			if !equalJSON(st["Principal"], map[string]any{"AWS": "arn:aws:iam::" + env.AccountID + ":root"}) {
				t.Errorf("%s: trust principal %v; want the environment's account %s only", env.Name, st["Principal"], env.AccountID)
			}
			wantCondition := map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": env.StateDeployPrincipals}}
			if !equalJSON(st["Condition"], wantCondition) {
				t.Errorf("%s: trust condition %v; want only the deploy roles %v by aws:PrincipalArn", env.Name, st["Condition"], env.StateDeployPrincipals)
			}
		})
	}
}
