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
		outputs, _ := s.JSON["output"].(map[string]any)
		for _, name := range requiredOutputs {
			o, ok := outputs[name].(map[string]any)
			if !ok {
				t.Errorf("%s: no output %s", s.Env.Name, name)
				continue
			}
			if d, _ := o["description"].(string); d == "" {
				t.Errorf("%s: output %s has no description", s.Env.Name, name)
			}
		}
		for name, o := range outputs {
			if d, _ := o.(map[string]any)["description"].(string); d == "" {
				t.Errorf("%s: output %s has no description", s.Env.Name, name)
			}
		}
		if v := outputs["db_master_user_secret_arn"].(map[string]any)["value"]; v != "${aws_db_instance.postgres.master_user_secret[0].secret_arn}" {
			t.Errorf("%s: db_master_user_secret_arn = %v", s.Env.Name, v)
		}
	}
}
