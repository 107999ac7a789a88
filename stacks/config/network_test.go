package config

import (
	"testing"
)

func TestValidateEgress(t *testing.T) {
	const noRelaxation = "without a Relaxations entry"
	cases := []validationCase{
		{"unknown value", Staging, func(e *Environment) { e.Egress = "nat" },
			wantError{field: "Egress", value: Egress("nat"), allowed: "one of none, nat-shared, nat-per-az"}},
		{"empty value", Dev, func(e *Environment) { e.Egress = "" },
			wantError{field: "Egress", value: Egress(""), allowed: "one of none, nat-shared, nat-per-az"}},
		{"prod with one shared NAT", Prod, func(e *Environment) {
			e.Egress = EgressNATShared
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxEgress, "a scorer outside AWS"})
		}, wantError{field: "Egress", value: EgressNATShared, allowed: "own NAT gateway"}},
		{"prod egress without a reason", Prod, func(e *Environment) { e.Egress = EgressNATPerAZ },
			wantError{field: "Egress", value: EgressNATPerAZ, allowed: noRelaxation}},
		{"staging egress without a reason", Staging, func(e *Environment) { e.Egress = EgressNATShared },
			wantError{field: "Egress", value: EgressNATShared, allowed: noRelaxation}},
		{"dev reason left behind", Dev, func(e *Environment) { e.Egress = EgressNone },
			wantError{field: "Relaxations", value: RelaxEgress, allowed: "meets the baseline"}},
		{"prod relaxes something else", Prod, func(e *Environment) {
			e.DBBackupRetentionDays = 3
			e.Relaxations = append(e.Relaxations, Relaxation{RelaxBackupRetention, "short"})
		}, wantError{field: "DBBackupRetentionDays", value: 3, allowed: "prod may not relax"}},
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
	basis := "LGPD art. 33 II (standard contractual clauses)"
	expectRejected(t, []validationCase{
		{"basis with parentheses", Staging, func(e *Environment) {
			e.Region = "us-east-1"
			e.AvailabilityZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
			e.DataTransferBasis = basis
		}, wantError{field: "DataTransferBasis", value: basis, allowed: DataTransferBasisTag}},
	})

}
