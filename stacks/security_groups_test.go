package stacks

import (
	"strings"
	"testing"
)

func TestSecurityGroups(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		for name, g := range s.resources("aws_security_group") {
			if g["ingress"] != nil || g["egress"] != nil {
				t.Errorf("%s: aws_security_group.%s has inline rules; every rule is its own resource", env.Name, name)
			}
			if d, _ := g["description"].(string); d == "" {
				t.Errorf("%s: aws_security_group.%s has no description", env.Name, name)
			}
		}
		ingress := s.resources("aws_vpc_security_group_ingress_rule")
		for _, c := range []struct {
			rule, group string
			port        int
		}{{"postgres_from_app", "database_tier", PostgresPort}, {"redis_from_app", "cache_tier", RedisPort}} {
			r := s.resource(t, "aws_vpc_security_group_ingress_rule", c.rule)
			if r["security_group_id"] != "${aws_security_group."+c.group+".id}" ||
				r["referenced_security_group_id"] != "${aws_security_group.app_tier.id}" ||
				r["from_port"] != float64(c.port) || r["to_port"] != float64(c.port) || r["ip_protocol"] != "tcp" {
				t.Errorf("%s: %s = %v; want tcp/%d into %s from the app tier only", env.Name, c.rule, r, c.port, c.group)
			}
		}
		for name, r := range ingress {
			if r["cidr_ipv4"] != nil || r["cidr_ipv6"] != nil {
				t.Errorf("%s: ingress rule %s admits a CIDR (%v); data ports admit security groups only", env.Name, name, r["cidr_ipv4"])
			}
		}
		egress := s.resources("aws_vpc_security_group_egress_rule")
		for name, r := range egress {
			src, _ := r["security_group_id"].(string)
			if src == "${aws_security_group.database_tier.id}" || src == "${aws_security_group.cache_tier.id}" {
				t.Errorf("%s: data security group has egress rule %s", env.Name, name)
			}
		}
		for _, rules := range []map[string]map[string]any{ingress, egress} {
			for name, r := range rules {
				if d, _ := r["description"].(string); strings.TrimSpace(d) == "" {
					t.Errorf("%s: rule %s has no description", env.Name, name)
				}
			}
		}
	}
}
