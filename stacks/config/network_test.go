package config

import (
	"testing"
)

func TestValidateEgress(t *testing.T) {
	cases := []validationCase{
		{"unknown value", Staging, func(e *Environment) { e.Egress = "nat" },
			[]string{`"staging"`, "Egress = nat:", "one of none, nat-shared, nat-per-az"}},
		{"empty value", Dev, func(e *Environment) { e.Egress = "" },
			[]string{`"dev"`, "Egress", "one of none, nat-shared, nat-per-az"}},
		{"prod with one shared NAT", Prod, func(e *Environment) {
			e.Egress = EgressNATShared
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxEgress, "a scorer outside AWS"})
		}, []string{`"prod"`, "Egress", "nat-shared", "none or nat-per-az in prod", "own NAT gateway"}},
		{"prod egress without a reason", Prod, func(e *Environment) { e.Egress = EgressNATPerAZ },
			[]string{`"prod"`, "Egress", "nat-per-az", "without a Relaxations entry"}},
		{"staging egress without a reason", Staging, func(e *Environment) { e.Egress = EgressNATShared },
			[]string{`"staging"`, "Egress", "nat-shared", "without a Relaxations entry"}},
		{"dev reason left behind", Dev, func(e *Environment) { e.Egress = EgressNone },
			[]string{`"dev"`, "Egress", "meets the baseline"}},
		{"prod relaxes something else", Prod, func(e *Environment) {
			e.DBBackupRetentionDays = 3
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxBackupRetention, "short"})
		}, []string{`"prod"`, "DBBackupRetentionDays", "prod may not relax"}},
	}
	expectRejected(t, cases)
	if env := envOf(t, Dev); env.Egress != EgressNATShared || validateEnv(env) != nil {
		t.Errorf("dev: nat-shared with its recorded reason should validate")
	}
	prod := envOf(t, Prod)
	prod.Egress = EgressNATPerAZ
	prod.Relaxations = []Relaxation{{RelaxEgress, "a payment scorer outside AWS"}}
	if err := validateEnv(prod); err != nil {
		t.Errorf("prod: nat-per-az with a recorded reason should validate: %v", err)
	}
}

// TestValidateRejectsUntaggableTransferBasis: the basis becomes a tag value,
// which AWS limits to 256 letters, digits, spaces and _ . : / = + - @.
func TestValidateRejectsUntaggableTransferBasis(t *testing.T) {
	expectRejected(t, []validationCase{
		{"basis with parentheses", Staging, func(e *Environment) {
			e.Region = "us-east-1"
			e.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
			e.DataTransferBasis = "LGPD art. 33 II (standard contractual clauses)"
		}, []string{"DataTransferBasis", "(standard contractual clauses)", DataTransferBasisTag}},
	})
}
