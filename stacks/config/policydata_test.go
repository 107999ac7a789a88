package config

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
)

// policyData is the part of the policy pack's data (policies/fastshop/
// data.json) that restates limits Validate enforces in Go.
type policyData struct {
	ResidencyRegions              []string `json:"residency_regions"`
	TransferBasisTag              string   `json:"transfer_basis_tag"`
	RDSLogExports                 []string `json:"rds_log_exports"`
	RedisLogTypes                 []string `json:"redis_log_types"`
	ProdMinLogRetentionDays       int      `json:"prod_min_log_retention_days"`
	ProdMinBackupRetentionDays    int      `json:"prod_min_backup_retention_days"`
	ProdMinStreamRetentionHours   int      `json:"prod_min_stream_retention_hours"`
	ProdKMSDeletionWindowDays     int      `json:"prod_kms_deletion_window_days"`
	MinCacheSnapshotRetentionDays int      `json:"min_cache_snapshot_retention_days"`
	WorkloadBoundaryPolicy        string   `json:"workload_boundary_policy"`
}

// goBaselines is the same data as the Go code holds it.
func goBaselines() policyData {
	return policyData{
		ResidencyRegions:              ResidencyRegions(),
		TransferBasisTag:              DataTransferBasisTag,
		RDSLogExports:                 DBLogExports(),
		RedisLogTypes:                 CacheLogTypes(),
		ProdMinLogRetentionDays:       prodMinLogRetentionDays,
		ProdMinBackupRetentionDays:    prodMinBackupRetentionDays,
		ProdMinStreamRetentionHours:   prodMinStreamRetentionHours,
		ProdKMSDeletionWindowDays:     prodKMSDeletionWindowDays,
		MinCacheSnapshotRetentionDays: minCacheSnapshotDays,
		WorkloadBoundaryPolicy:        BoundaryPolicyName,
	}
}

// baselineDisagreements lists where the policy data and the Go baselines
// differ. Both gates must refuse the same prod: the policy pack checks the
// plan, Validate the configuration.
func baselineDisagreements(policy, code policyData) []string {
	var out []string
	check := func(key string, p, c any) {
		if fmt.Sprint(p) != fmt.Sprint(c) {
			out = append(out, fmt.Sprintf("%s: data.json has %v, the Go code %v", key, p, c))
		}
	}
	check("residency_regions", policy.ResidencyRegions, code.ResidencyRegions)
	check("transfer_basis_tag", policy.TransferBasisTag, code.TransferBasisTag)
	check("rds_log_exports", policy.RDSLogExports, code.RDSLogExports)
	check("redis_log_types", policy.RedisLogTypes, code.RedisLogTypes)
	check("prod_min_log_retention_days", policy.ProdMinLogRetentionDays, code.ProdMinLogRetentionDays)
	check("prod_min_backup_retention_days", policy.ProdMinBackupRetentionDays, code.ProdMinBackupRetentionDays)
	check("prod_min_stream_retention_hours", policy.ProdMinStreamRetentionHours, code.ProdMinStreamRetentionHours)
	check("prod_kms_deletion_window_days", policy.ProdKMSDeletionWindowDays, code.ProdKMSDeletionWindowDays)
	check("min_cache_snapshot_retention_days", policy.MinCacheSnapshotRetentionDays, code.MinCacheSnapshotRetentionDays)
	check("workload_boundary_policy", policy.WorkloadBoundaryPolicy, code.WorkloadBoundaryPolicy)
	return out
}

// TestPolicyDataAgreesWithBaselines ties the policy pack's limits to the Go
// baselines, and proves the comparison fails when one side moves.
func TestPolicyDataAgreesWithBaselines(t *testing.T) {
	raw, err := os.ReadFile("../../policies/fastshop/data.json")
	if err != nil {
		t.Fatal(err)
	}
	var policy policyData
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatalf("policies/fastshop/data.json: %v", err)
	}
	for _, d := range baselineDisagreements(policy, goBaselines()) {
		t.Error(d)
	}

	// Every field is compared: moving any one of them is caught.
	moved := []func(*policyData){
		func(p *policyData) { p.ResidencyRegions = append(p.ResidencyRegions, "us-east-1") },
		func(p *policyData) { p.TransferBasisTag = "Basis" },
		func(p *policyData) { p.RDSLogExports = p.RDSLogExports[:1] },
		func(p *policyData) { p.RedisLogTypes = slices.Clone(p.RedisLogTypes[1:]) },
		func(p *policyData) { p.ProdMinLogRetentionDays = 90 },
		func(p *policyData) { p.ProdMinBackupRetentionDays = 3 },
		func(p *policyData) { p.ProdMinStreamRetentionHours = 24 },
		func(p *policyData) { p.ProdKMSDeletionWindowDays = 7 },
		func(p *policyData) { p.MinCacheSnapshotRetentionDays = 0 },
		func(p *policyData) { p.WorkloadBoundaryPolicy = "AdministratorAccess" },
	}
	for i, move := range moved {
		p := goBaselines()
		move(&p)
		if len(baselineDisagreements(p, goBaselines())) != 1 {
			t.Errorf("change %d to the policy data is not reported exactly once", i)
		}
	}
}
