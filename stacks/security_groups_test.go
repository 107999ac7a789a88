package stacks

import (
	"strings"
	"testing"
)

func TestSecurityGroups(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, name := range s.names("aws_security_group") {
				g := s.res(t, "aws_security_group", name)
				if g.Has("ingress") || g.Has("egress") {
					t.Errorf("%s has inline rules; every rule is its own resource", g.path)
				}
				if g.Opt("description").Str() == "" {
					t.Errorf("%s has no description", g.path)
				}
			}
			for _, c := range []struct {
				rule, group string
				port        int
			}{{"postgres_from_app", "database_tier", PostgresPort}, {"redis_from_app", "cache_tier", RedisPort}} {
				r := s.res(t, "aws_vpc_security_group_ingress_rule", c.rule)
				if r.Key("security_group_id").Str() != "${aws_security_group."+c.group+".id}" ||
					r.Key("referenced_security_group_id").Str() != "${aws_security_group.app_tier.id}" ||
					r.Key("from_port").Num() != float64(c.port) || r.Key("to_port").Num() != float64(c.port) || r.Key("ip_protocol").Str() != "tcp" {
					t.Errorf("%s = %v; want tcp/%d into %s from the app tier only", r.path, r.Raw(), c.port, c.group)
				}
			}
			for _, name := range s.names("aws_vpc_security_group_ingress_rule") {
				r := s.res(t, "aws_vpc_security_group_ingress_rule", name)
				if r.Has("cidr_ipv4") || r.Has("cidr_ipv6") {
					t.Errorf("%s admits a CIDR (%v); data ports admit security groups only", r.path, r.Opt("cidr_ipv4").Raw())
				}
			}
			for _, name := range s.names("aws_vpc_security_group_egress_rule") {
				src := s.res(t, "aws_vpc_security_group_egress_rule", name).Key("security_group_id").Str()
				if src == "${aws_security_group.database_tier.id}" || src == "${aws_security_group.cache_tier.id}" {
					t.Errorf("data security group has egress rule %s", name)
				}
			}
			for _, typ := range []string{"aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"} {
				for _, name := range s.names(typ) {
					if r := s.res(t, typ, name); strings.TrimSpace(r.Opt("description").Str()) == "" {
						t.Errorf("%s has no description", r.path)
					}
				}
			}
		})
	}
}
