package stacks

import "github.com/aws/jsii-runtime-go"

// number converts a Go int for a binding field.
func number(n int) *float64 {
	return jsii.Number(float64(n))
}
