package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Process variables the program reads. main hands a getenv function to
// Select, so tests drive these without touching the real environment.
const (
	// VarSuffix adds an ephemeral stack with dev's settings whose resource
	// names carry the suffix (ENVIRONMENT_SUFFIX=pr-482).
	VarSuffix = "ENVIRONMENT_SUFFIX"
	// VarEnvironments limits the synth to a comma-separated subset of the
	// permanent environments (default: all of them).
	VarEnvironments = "FASTSHOP_ENVIRONMENTS"
	// VarStateBackend picks the state backend: s3 (default) or cloud.
	VarStateBackend = "FASTSHOP_STATE_BACKEND"
	// VarStateBucket and VarStateRegion override the S3 state bucket.
	VarStateBucket = "FASTSHOP_STATE_BUCKET"
	VarStateRegion = "FASTSHOP_STATE_REGION"
	// VarStateAccountID overrides DefaultStateAccountID.
	VarStateAccountID = "FASTSHOP_STATE_ACCOUNT_ID"
	// VarCloudOrganization names the Terraform Cloud organization when the
	// backend is cloud.
	VarCloudOrganization = "FASTSHOP_TFC_ORGANIZATION"
	// VarStateBootstrapBackend chooses where the bootstrap stack keeps its
	// own state: s3 (default), the bucket it created, at
	// StateKey(BootstrapID); or local, only for the very first apply, when
	// that bucket does not exist yet. After that apply the operator
	// synthesizes again without the setting and runs terraform init
	// -migrate-state, which copies the local state into the bucket.
	VarStateBootstrapBackend = "FASTSHOP_STATE_BOOTSTRAP_BACKEND"
)

// Config is the whole configuration of one run: where state lives, the
// environments to synthesize and, with the S3 backend, the state bootstrap
// that creates the bucket.
type Config struct {
	State        StateBackend
	Environments []Environment
	// Bootstrap is nil with Terraform Cloud, which keeps state itself,
	// unless the deploy identities need the bucket for their own state.
	Bootstrap *Bootstrap
	// DeployIdentities is nil unless VarDeployIdentities is on.
	DeployIdentities *DeployIdentities
}

// Select reads the configuration from getenv. Its error lists the process
// settings it could not read (an unknown environment, a malformed suffix),
// leaving them out of the Config; Validate then checks what was read.
// Callers report both together, so an operator fixes everything in one
// pass.
func Select(getenv func(string) string) (Config, error) {
	p := &problems{}
	bad := func(field, value, allowed string) { p.add(field, value, allowed) }

	all := Environments()
	c := Config{Environments: all}
	if names := strings.TrimSpace(getenv(VarEnvironments)); names != "" {
		c.Environments = nil
		for _, name := range strings.Split(names, ",") {
			name = strings.TrimSpace(name)
			i := slices.IndexFunc(all, func(e Environment) bool { return e.Name == name })
			switch {
			case i < 0:
				bad(VarEnvironments, name, "unknown environment; allowed: "+strings.Join(PermanentNames(), ", "))
			case slices.ContainsFunc(c.Environments, func(e Environment) bool { return e.Name == name }):
				bad(VarEnvironments, name, "listed twice")
			default:
				c.Environments = append(c.Environments, all[i])
			}
		}
	}
	if suffix, ok := lookup(getenv, VarSuffix); ok {
		if err := validateSuffix(suffix); err != nil {
			bad(VarSuffix, suffix, err.Error())
		} else {
			c.Environments = append(c.Environments, Ephemeral(suffix))
		}
	}

	c.State = StateBackend{Kind: BackendS3, Bucket: DefaultStateBucket, Region: DefaultStateRegion, AccountID: DefaultStateAccountID}
	for _, v := range []struct {
		name  string
		field *string
	}{
		{VarStateBackend, &c.State.Kind},
		{VarStateBucket, &c.State.Bucket},
		{VarStateRegion, &c.State.Region},
		{VarStateAccountID, &c.State.AccountID},
		{VarCloudOrganization, &c.State.Organization},
		{VarCloudProject, &c.State.Project},
	} {
		if value, ok := lookup(getenv, v.name); ok {
			*v.field = value
		}
	}

	c.DeployIdentities = selectDeployIdentities(getenv, p, &c)
	// The deploy identities keep their state in the bucket whatever the
	// environments' backend, so the bucket's bootstrap comes with them.
	bucket := c.State.Kind == BackendS3 || c.DeployIdentities != nil
	backend, set := lookup(getenv, VarStateBootstrapBackend)
	switch {
	case !bucket:
	case set && backend != BootstrapStateS3 && backend != BootstrapStateLocal:
		p.add(VarStateBootstrapBackend, backend, "s3 (default: the bucket it created) or local (its very first apply only)")
	default:
		c.Bootstrap = newBootstrap(all, backend == BootstrapStateLocal)
	}
	for _, m := range modeSettings {
		if c.DeployIdentities != nil && m.identities {
			continue
		}
		if value, set := lookup(getenv, m.name); set && m.backend != c.State.Kind && slices.Contains([]string{BackendS3, BackendCloud}, c.State.Kind) {
			p.add(m.name, value, "has no effect with %s=%s: %s; unset it, or set %s=%s", VarStateBackend, c.State.Kind, m.why, VarStateBackend, m.backend)
		}
	}
	return c, errors.Join(p.errs...)
}

// modeSettings are the process settings that only one state backend reads.
// Select refuses one set for the other backend: it would be silently
// ignored, and the operator who set it believes it took effect.
var modeSettings = []struct {
	name, backend, why string
	// identities: the deploy identities read it whatever the backend
	// (their state is in the S3 bucket; their default subject names the
	// HCP Terraform organization and project).
	identities bool
}{
	{VarStateBucket, BackendS3, "it names the S3 state bucket", true},
	{VarStateRegion, BackendS3, "it locates the S3 state bucket", true},
	{VarStateAccountID, BackendS3, "it names the account of the S3 state bucket", true},
	{VarStateBootstrapBackend, BackendS3, "Terraform Cloud keeps state itself and needs no state bootstrap", true},
	{VarCloudOrganization, BackendCloud, "the S3 backend has no organization", true},
	{VarCloudProject, BackendCloud, "the S3 backend has no project", true},
}

// ModeSettings lists, for each process setting only one state backend
// reads, that backend (README and help show the table).
func ModeSettings() [][2]string {
	var rows [][2]string
	for _, m := range modeSettings {
		rows = append(rows, [2]string{m.name, m.backend})
	}
	return rows
}

// StackIDs are the ids of the stacks this configuration synthesizes, which
// are also their folders under cdktf.out/stacks.
func (c Config) StackIDs() []string {
	var ids []string
	if c.Bootstrap != nil {
		ids = append(ids, BootstrapID)
	}
	if c.DeployIdentities != nil {
		for _, e := range c.DeployIdentities.Environments {
			ids = append(ids, c.DeployIdentities.StackID(e))
		}
	}
	for _, e := range c.Environments {
		ids = append(ids, e.Name)
	}
	return ids
}

// lookup returns a setting that is present and not blank.
func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// Ephemeral returns an environment with dev's settings whose stack id and
// resource names carry suffix. Select checks the suffix first.
func Ephemeral(suffix string) Environment {
	all := Environments()
	env := all[slices.IndexFunc(all, func(e Environment) bool { return e.Name == Dev })]
	env.Base = env.Name
	env.Name = suffix
	return env
}

var suffixPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxSuffixLength is the longest suffix every derived name admits: the
// ElastiCache user id fastshop-redis-default-<suffix> has 40 characters
// at most. validateNames checks each name against its own rule as well.
const maxSuffixLength = 17

func validateSuffix(suffix string) error {
	switch {
	case len(suffix) > maxSuffixLength:
		return fmt.Errorf("at most %d characters (has %d)", maxSuffixLength, len(suffix))
	case !suffixPattern.MatchString(suffix):
		return errors.New("lowercase letters, digits and single hyphens between them (for example pr-482)")
	case slices.Contains(PermanentNames(), suffix):
		return fmt.Errorf("must differ from the permanent environments (%s)", strings.Join(PermanentNames(), ", "))
	case suffix == BootstrapID:
		// The stack id and the state key fastshop/state-bootstrap/ are the
		// bootstrap's.
		return fmt.Errorf("must differ from %s, the state bootstrap's stack id and state key", BootstrapID)
	}
	return nil
}

// Validate checks the whole configuration in one pass: the state backend
// once, every environment, the environments as a set (distinct names, which
// are stack ids, and VPC ranges), and the bootstrap. It returns every
// problem joined; each is a *FieldError.
func (c Config) Validate() error {
	errs := c.State.validate(c.Bootstrap != nil)
	for _, e := range c.Environments {
		p := &problems{env: e.Name}
		e.validate(p)
		errs = append(errs, p.errs...)
	}
	for i, a := range c.Environments {
		p := &problems{env: a.Name}
		if a.Name == BootstrapID {
			p.add("Name", a.Name, "reserved: the state bootstrap's stack id and state key")
		}
		for _, b := range c.Environments[i+1:] {
			if a.Name == b.Name {
				p.add("Name", a.Name, "environment names must be unique (each is a stack id and a state key)")
			}
		}
		errs = append(errs, p.errs...)
	}
	errs = append(errs, validateVPCRanges(c.Environments)...)
	if c.Bootstrap != nil {
		errs = append(errs, c.Bootstrap.validate(c.State)...)
	}
	if c.DeployIdentities != nil {
		errs = append(errs, c.DeployIdentities.validate(c.State)...)
	}
	return joinOnce(errs)
}
