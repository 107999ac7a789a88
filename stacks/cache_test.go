package stacks

import (
	"slices"
	"strings"
	"testing"
)

func TestCache(t *testing.T) {
	for _, s := range synthAll(t) {
		env := s.Env
		t.Run(env.Name, func(t *testing.T) {
			rg := s.res(t, "aws_elasticache_replication_group", "redis")
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
				if got := rg.Opt(field).Raw(); got != value {
					t.Errorf("%s.%s = %v; want %v", rg.path, field, got, value)
				}
			}
			if rg.Has("auth_token") {
				t.Errorf("replication group sets a shared auth_token")
			}
			if groups := rg.Key("user_group_ids").Strings(); !slices.Equal(groups, []string{"${aws_elasticache_user_group.redis_users.user_group_id}"}) {
				t.Errorf("user groups %v", groups)
			}
			var logTypes []string
			for _, d := range rg.Key("log_delivery_configuration").List() {
				logType := d.Key("log_type").Str()
				logTypes = append(logTypes, logType)
				id := cacheLogID(t, logType)
				got := s.res(t, "aws_cloudwatch_log_group", id).Key("name").Str()
				destination := d.Key("destination").Str()
				if want := "/aws/vendedlogs/fastshop/" + env.Name + "/redis/" + logType; destination != "${aws_cloudwatch_log_group."+id+".name}" || got != want {
					t.Errorf("%s logs go to %s named %s; want aws_cloudwatch_log_group.%s named %s (under /aws/vendedlogs/, outside the account's 5,120-character resource policy)", logType, destination, got, id, want)
				}
				if got := d.Key("destination_type").Str(); got != "cloudwatch-logs" {
					t.Errorf("%s logs go to %s", logType, got)
				}
			}
			if !slices.Equal(logTypes, []string{"slow-log", "engine-log"}) {
				t.Errorf("Redis log delivery %v; want slow-log and engine-log", logTypes)
			}

			def := s.res(t, "aws_elasticache_user", "redis_default_off")
			if def.Key("user_name").Str() != "default" || def.Key("access_string").Str() != cacheDefaultOff {
				t.Errorf("default user = %v; want it switched off", def.Raw())
			}
			app := s.res(t, "aws_elasticache_user", "redis_app")
			if app.Key("authentication_mode").Key("type").Str() != "iam" || app.Key("user_id").Str() != app.Key("user_name").Str() {
				t.Errorf("app user = %v; want IAM authentication (user id = user name)", app.Raw())
			}
			for _, name := range s.names("aws_elasticache_user") {
				if s.res(t, "aws_elasticache_user", name).Has("passwords") {
					t.Errorf("aws_elasticache_user.%s carries passwords", name)
				}
			}
			members := s.res(t, "aws_elasticache_user_group", "redis_users").Key("user_ids").Strings()
			if want := []string{"${aws_elasticache_user.redis_default_off.user_id}", "${aws_elasticache_user.redis_app.user_id}"}; !slices.Equal(members, want) {
				t.Errorf("user group members %v; want %v, the disabled default user and the app user", members, want)
			}
		})
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
		t.Run(s.Env.Name, func(t *testing.T) {
			for _, g := range groups {
				r := s.res(t, g.typ, g.name)
				if r.Opt("lifecycle").Opt("create_before_destroy").Raw() != true {
					t.Errorf("%s lifecycle = %v; want create_before_destroy", r.path, r.Opt("lifecycle").Raw())
				}
				family, name := r.Key("family").Str(), r.Key("name").Str()
				if family == "" || !strings.Contains(name, family) {
					t.Errorf("%s name %q does not carry its family %q; a create-before-destroy on a family change would reuse the name", r.path, name, family)
				}
			}
		})
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
