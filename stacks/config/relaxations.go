package config

import (
	"fmt"
	"slices"
	"strings"
)

// Relaxation records one setting kept below the production baseline and why.
type Relaxation struct {
	Setting string
	Reason  string
}

// Settings that may be relaxed below the production baseline: the Setting
// of a Relaxation.
const (
	RelaxMultiAZ                = "DBMultiAZ"
	RelaxDeletionProtection     = "DBDeletionProtection"
	RelaxFinalSnapshot          = "DBSkipFinalSnapshot"
	RelaxDeleteAutomatedBackups = "DBDeleteAutomatedBackups"
	RelaxBackupRetention        = "DBBackupRetentionDays"
	RelaxPreventDestroy         = "PreventDestroy"
	RelaxKMSDeletionWindow      = "KMSDeletionWindowDays"
	RelaxLogRetention           = "LogRetentionDays"
	RelaxStreamRetention        = "StreamRetentionHours"
	RelaxEgress                 = "Egress"
)

// relaxable is one setting with a production baseline: whether an
// environment keeps it below, the baseline for messages, and the current
// value for messages.
type relaxable struct {
	setting  string
	relaxed  func(Environment) bool
	baseline string
	value    func(Environment) any
}

// relaxables is every setting with a production baseline, sorted by name.
// Every environment meets each baseline unless it records a Relaxation;
// prod meets them always (but prodMayRelax).
var relaxables = []relaxable{
	{RelaxBackupRetention, func(e Environment) bool { return e.DBBackupRetentionDays < prodMinBackupRetentionDays },
		fmt.Sprintf("at least %d", prodMinBackupRetentionDays), func(e Environment) any { return e.DBBackupRetentionDays }},
	{RelaxDeleteAutomatedBackups, func(e Environment) bool { return e.DBDeleteAutomatedBackups },
		"false", func(e Environment) any { return e.DBDeleteAutomatedBackups }},
	{RelaxDeletionProtection, func(e Environment) bool { return !e.DBDeletionProtection },
		"true", func(e Environment) any { return e.DBDeletionProtection }},
	{RelaxMultiAZ, func(e Environment) bool { return !e.DBMultiAZ },
		"true", func(e Environment) any { return e.DBMultiAZ }},
	{RelaxFinalSnapshot, func(e Environment) bool { return e.DBSkipFinalSnapshot },
		"false", func(e Environment) any { return e.DBSkipFinalSnapshot }},
	{RelaxEgress, func(e Environment) bool { return e.Egress != EgressNone && slices.Contains(egressValues, e.Egress) },
		string(EgressNone) + " (AWS APIs through VPC endpoints)", func(e Environment) any { return e.Egress }},
	{RelaxKMSDeletionWindow, func(e Environment) bool { return e.KMSDeletionWindowDays < prodKMSDeletionWindowDays },
		fmt.Sprintf("%d", prodKMSDeletionWindowDays), func(e Environment) any { return e.KMSDeletionWindowDays }},
	{RelaxLogRetention, func(e Environment) bool { return e.LogRetentionDays < prodMinLogRetentionDays },
		fmt.Sprintf("at least %d", prodMinLogRetentionDays), func(e Environment) any { return e.LogRetentionDays }},
	{RelaxPreventDestroy, func(e Environment) bool { return !e.PreventDestroy },
		"true", func(e Environment) any { return e.PreventDestroy }},
	{RelaxStreamRetention, func(e Environment) bool { return e.StreamRetentionHours < prodMinStreamRetentionHours },
		fmt.Sprintf("at least %d", prodMinStreamRetentionHours), func(e Environment) any { return e.StreamRetentionHours }},
}

// prodMayRelax names the one relaxation prod may record: internet egress
// through a NAT gateway per AZ. Reaching a service outside AWS is a business
// decision, not a weaker protection of data already held, so it is allowed
// with a recorded reason (and needs its own scoped exception in
// .trivyignore.yaml); a single NAT gateway for every AZ is not
// (validateNetwork).
func prodMayRelax(e Environment, setting string) bool {
	return setting == RelaxEgress && e.Egress == EgressNATPerAZ
}

func (e Environment) validateRelaxations(p *problems) {
	var settings []string
	for _, r := range relaxables {
		settings = append(settings, r.setting)
	}
	recorded := map[string]bool{}
	for _, r := range e.Relaxations {
		i := slices.IndexFunc(relaxables, func(x relaxable) bool { return x.setting == r.Setting })
		switch {
		case i < 0:
			p.add("Relaxations", r.Setting, "not a relaxable setting; allowed: "+strings.Join(settings, ", "))
		case recorded[r.Setting]:
			p.add("Relaxations", r.Setting, "recorded twice")
		case strings.TrimSpace(r.Reason) == "" || strings.Contains(r.Reason, "\n"):
			p.add("Relaxations", r.Setting, "needs a one-line reason")
		case !relaxables[i].relaxed(e):
			p.add("Relaxations", r.Setting, "recorded but the setting meets the baseline; remove the entry")
		}
		recorded[r.Setting] = true
	}
	for _, r := range relaxables {
		if !r.relaxed(e) {
			continue
		}
		switch {
		case e.Name == Prod && !prodMayRelax(e, r.setting):
			p.add(r.setting, r.value(e), "prod may not relax this; baseline is "+r.baseline)
		case !recorded[r.setting]:
			p.add(r.setting, r.value(e), "below the baseline ("+r.baseline+") without a Relaxations entry giving the reason")
		}
	}
}
