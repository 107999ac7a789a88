package config

import (
	"testing"
)

func TestValidatePrincipals(t *testing.T) {
	const allowed = "ecs-tasks.amazonaws.com, lambda.amazonaws.com"
	cases := []validationCase{
		{"no producer principals", Prod, func(e *Environment) { e.ProducerPrincipals = nil },
			wantError{field: "ProducerPrincipals", value: []string(nil), allowed: allowed}},
		{"unknown processor principal", Staging, func(e *Environment) { e.ProcessorPrincipals = []string{"ec2.amazonaws.com"} },
			wantError{field: "ProcessorPrincipals", value: "ec2.amazonaws.com", allowed: allowed}},
		{"account principal", Dev, func(e *Environment) { e.ProducerPrincipals = []string{"arn:aws:iam::111111111111:root"} },
			wantError{field: "ProducerPrincipals", value: "arn:aws:iam::111111111111:root", allowed: allowed}},
		{"duplicate principal", Dev, func(e *Environment) { e.ProcessorPrincipals = []string{ServiceLambda, ServiceLambda} },
			wantError{field: "ProcessorPrincipals", value: ServiceLambda, allowed: "listed twice"}},
	}
	expectRejected(t, cases)
}
