package config

import (
	"testing"
)

func TestValidatePrincipals(t *testing.T) {
	cases := []validationCase{
		{"no producer principals", Prod, func(e *Environment) { e.ProducerPrincipals = nil },
			[]string{`"prod"`, "ProducerPrincipals", "at least one service principal", "ecs-tasks.amazonaws.com, lambda.amazonaws.com"}},
		{"unknown processor principal", Staging, func(e *Environment) { e.ProcessorPrincipals = []string{"ec2.amazonaws.com"} },
			[]string{`"staging"`, "ProcessorPrincipals", "ec2.amazonaws.com", "not an allowed service principal", "ecs-tasks.amazonaws.com, lambda.amazonaws.com"}},
		{"account principal", Dev, func(e *Environment) { e.ProducerPrincipals = []string{"arn:aws:iam::111111111111:root"} },
			[]string{"ProducerPrincipals", "arn:aws:iam::111111111111:root", "not an allowed service principal"}},
		{"duplicate principal", Dev, func(e *Environment) { e.ProcessorPrincipals = []string{ServiceLambda, ServiceLambda} },
			[]string{"ProcessorPrincipals", "lambda.amazonaws.com", "listed twice"}},
	}
	expectRejected(t, cases)
}
