package stacks

import "testing"

// requiredOutputs are read by operators and the processors; removing or
// renaming one breaks them.
var requiredOutputs = []string{
	"vpc_id", "private_subnet_ids", "public_subnet_ids", "app_security_group_id",
	"kinesis_stream_name", "kinesis_stream_arn", "db_instance_endpoint", "db_instance_address",
	"db_instance_port", "db_instance_arn", "db_master_user_secret_arn", "redis_primary_endpoint_address",
	"redis_reader_endpoint_address", "redis_port",
	"kms_stream_key_id", "kms_stream_key_arn", "kms_database_key_id", "kms_database_key_arn",
	"kms_cache_key_id", "kms_cache_key_arn", "kms_logs_key_id", "kms_logs_key_arn",
}

func TestOutputs(t *testing.T) {
	for _, s := range synthAll(t) {
		t.Run(s.Env.Name, func(t *testing.T) {
			outputs := s.doc(t).Key("output")
			for _, name := range requiredOutputs {
				if !outputs.Has(name) {
					t.Errorf("no output %s", name)
				}
			}
			for _, name := range outputs.Keys() {
				if outputs.Key(name).Opt("description").Str() == "" {
					t.Errorf("output %s has no description", name)
				}
			}
			if v := outputs.Key("db_master_user_secret_arn").Key("value").Str(); v != "${aws_db_instance.postgres.master_user_secret[0].secret_arn}" {
				t.Errorf("db_master_user_secret_arn = %s", v)
			}
		})
	}
}
