# HCP Terraform / Terraform Enterprise OPA policy set: FastShop's LGPD
# controls on every run's plan (input.plan). Point the policy set at this
# folder (policies/), choose an OPA runtime of 0.59 or later (the files are
# Rego v1 and import rego.v1), and attach it to the fastshop-* workspaces. fastshop/data.json
# holds the parameters (data.fastshop).
#
# The backend (STA-01, STA-02), prevent_destroy (REC-08) and stack account
# guard (ACC-02; ACC-01 checks the same on the plan) controls read
# the synthesized cdk.tf.json, which HCP Terraform does not pass to OPA;
# `policycheck` runs them. An intended destroy (DL-01) is allowed by
# overriding the failed mandatory policy, which HCP Terraform records.

policy "encryption" {
  query             = "data.terraform.policies.encryption.deny"
  enforcement_level = "mandatory"
  description       = "ENC-01..07: data stores, topics and queues encrypted with FastShop customer-managed KMS keys"
}

policy "transport" {
  query             = "data.terraform.policies.transport.deny"
  enforcement_level = "mandatory"
  description       = "TLS-01..02: PostgreSQL forces TLS, Redis requires TLS"
}

policy "network" {
  query             = "data.terraform.policies.network.deny"
  enforcement_level = "mandatory"
  description       = "NET-01..03: data ports admit security groups only, data groups have no egress, rules are described"
}

policy "audit" {
  query             = "data.terraform.policies.audit.deny"
  enforcement_level = "mandatory"
  description       = "AUD-01..05: flow logs, pgaudit, RDS and Redis logs, log retention"
}

policy "recoverability" {
  query             = "data.terraform.policies.recoverability.deny"
  enforcement_level = "mandatory"
  description       = "REC-01..07: production Multi-AZ, deletion protection, snapshots, backups, retention, key deletion window"
}

policy "residency" {
  query             = "data.terraform.policies.residency.deny"
  enforcement_level = "mandatory"
  description       = "RES-01: AWS regions in the residency allow-list or with a named LGPD art. 33 transfer basis"
}

policy "identity" {
  query             = "data.terraform.policies.identity.deny"
  enforcement_level = "mandatory"
  description       = "IAM-01: every role an AWS service assumes carries the workload permissions boundary"
}

policy "account" {
  query             = "data.terraform.policies.account.deny"
  enforcement_level = "mandatory"
  description       = "ACC-01: every AWS provider configuration pins allowed_account_ids to one account"
}

policy "tagging" {
  query             = "data.terraform.policies.tagging.deny"
  enforcement_level = "mandatory"
  description       = "TAG-01: Project, Environment, ManagedBy, DataClassification, Owner on every taggable resource"
}

policy "secrets" {
  query             = "data.terraform.policies.secrets.deny"
  enforcement_level = "mandatory"
  description       = "SEC-01: no literal secrets in the plan"
}

policy "data_loss" {
  query             = "data.terraform.policies.data_loss.deny"
  enforcement_level = "mandatory"
  description       = "DL-01: no delete or replace of a stateful resource without an override"
}
