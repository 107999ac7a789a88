// Package stacks builds FastShop's transaction pipeline as CDK for Terraform
// stacks: one per environment, one file per concern (state, encryption,
// network, security groups, streaming, database, cache, identities,
// endpoints, KCL, alarms, outputs), wired in dependency order by
// NewPipeline, plus the state bootstrap. Their configuration and its
// validation are in package config, which needs no jsii runtime.
package stacks

// The AWS provider's JavaScript index eagerly loads ~2,100 namespaces (most
// of a synth's time and memory; internal/lazyprovider/README.md) while we use
// a few dozen. This import has the jsii kernel run without jsii's relay and
// load that index lazily, set up before any binding starts the kernel; every
// entry point that builds stacks (go run main.go, cdktf synth/diff/deploy, go
// test) gets it through this package. FASTSHOP_LAZY_PROVIDER=off switches it
// off.
import _ "fastshop/internal/lazyprovider"
