package stacks

import (
	"slices"
	"strings"
	"testing"
)

func TestCache(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		rg := s.resource(t, "aws_elasticache_replication_group", "redis")
		want := map[string]any{
			"replication_group_id":       env.ResourceName("redis"),
			"num_cache_clusters":         float64(env.CacheNodeCount),
			"automatic_failover_enabled": true,
			"multi_az_enabled":           true,
			"at_rest_encryption_enabled": "true",
			"kms_key_id":                 "${aws_kms_key.cache.arn}",
			"transit_encryption_enabled": true,
			"transit_encryption_mode":    "required",
			"snapshot_retention_limit":   float64(env.CacheSnapshotRetentionDays),
			"parameter_group_name":       "${aws_elasticache_parameter_group.redis_settings.name}",
			"port":                       float64(RedisPort),
		}
		for field, value := range want {
			if rg[field] != value {
				t.Errorf("%s: aws_elasticache_replication_group.redis %s = %v; want %v", env.Name, field, rg[field], value)
			}
		}
		if rg["num_cache_clusters"].(float64) < 2 {
			t.Errorf("%s: %v cache nodes; failover needs at least 2", env.Name, rg["num_cache_clusters"])
		}
		if _, ok := rg["auth_token"]; ok {
			t.Errorf("%s: replication group sets a shared auth_token", env.Name)
		}
		if groups, _ := rg["user_group_ids"].([]any); !slices.Equal(groups, []any{"${aws_elasticache_user_group.redis_users.user_group_id}"}) {
			t.Errorf("%s: user groups %v", env.Name, groups)
		}
		var logTypes []string
		for _, d := range rg["log_delivery_configuration"].([]any) {
			m := d.(map[string]any)
			logTypes = append(logTypes, m["log_type"].(string))
			id := cacheLogID(t, str(m["log_type"]))
			got := s.resource(t, "aws_cloudwatch_log_group", id)["name"]
			if want := "/aws/vendedlogs/fastshop/" + env.Name + "/redis/" + str(m["log_type"]); m["destination"] != "${aws_cloudwatch_log_group."+id+".name}" || got != want {
				t.Errorf("%s: %v logs go to %v named %v; want aws_cloudwatch_log_group.%s named %s (under /aws/vendedlogs/, outside the account's 5,120-character resource policy)", env.Name, m["log_type"], m["destination"], got, id, want)
			}
			if m["destination_type"] != "cloudwatch-logs" {
				t.Errorf("%s: %v logs go to %v", env.Name, m["log_type"], m["destination_type"])
			}
		}
		if !slices.Equal(logTypes, []string{"slow-log", "engine-log"}) {
			t.Errorf("%s: Redis log delivery %v; want slow-log and engine-log", env.Name, logTypes)
		}

		def := s.resource(t, "aws_elasticache_user", "redis_default_off")
		if def["user_name"] != "default" || def["access_string"] != cacheDefaultOff {
			t.Errorf("%s: default user = %v; want it switched off", env.Name, def)
		}
		app := s.resource(t, "aws_elasticache_user", "redis_app")
		mode, _ := app["authentication_mode"].(map[string]any)
		if mode["type"] != "iam" || app["user_id"] != app["user_name"] {
			t.Errorf("%s: app user = %v; want IAM authentication (user id = user name)", env.Name, app)
		}
		for name, u := range s.resources("aws_elasticache_user") {
			if _, ok := u["passwords"]; ok {
				t.Errorf("%s: aws_elasticache_user.%s carries passwords", env.Name, name)
			}
		}
		users := s.resource(t, "aws_elasticache_user_group", "redis_users")
		if ids, _ := users["user_ids"].([]any); len(ids) != 2 {
			t.Errorf("%s: user group members %v; want the disabled default user and the app user", env.Name, ids)
		}
	}
}

// TestParameterGroupsReplaceSafely: name, family and description of a
// parameter group force replacement, and a group in use cannot be deleted,
// so each is created before the old one goes, under a name that carries the
// family (a major upgrade must not reuse the old group's name).
func TestParameterGroupsReplaceSafely(t *testing.T) {
	groups := []struct{ typ, name string }{
		{"aws_db_parameter_group", "postgres_tls_audit"},
		{"aws_elasticache_parameter_group", "redis_settings"},
	}
	for _, s := range synthAll(t) {
		for _, g := range groups {
			r := s.resource(t, g.typ, g.name)
			lifecycle, _ := r["lifecycle"].(map[string]any)
			if lifecycle["create_before_destroy"] != true {
				t.Errorf("%s: %s.%s lifecycle = %v; want create_before_destroy", s.Env.Name, g.typ, g.name, lifecycle)
			}
			family, _ := r["family"].(string)
			if name, _ := r["name"].(string); family == "" || !strings.Contains(name, family) {
				t.Errorf("%s: %s.%s name %q does not carry its family %q; a create-before-destroy on a family change would reuse the name", s.Env.Name, g.typ, g.name, name, family)
			}
		}
	}
}

// cacheLogID is the construct id of a Redis log type's group.
func cacheLogID(t *testing.T, logType string) string {
	t.Helper()
	for _, l := range cacheLogs {
		if l.logType == logType {
			return l.id
		}
	}
	t.Fatalf("no log group for Redis log type %q", logType)
	return ""
}
