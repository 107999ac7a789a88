package jsondoc

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestAt(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"provider":{"aws":[{"region":"sa-east-1"}]},"backend":{"s3":{"bucket":"b"}},"n":1}`), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path []any
		want any
	}{
		{"keys", []any{"backend", "s3", "bucket"}, "b"},
		{"list index", []any{"provider", "aws", 0, "region"}, "sa-east-1"},
		{"index 0 of an object is the object", []any{"backend", "s3", 0, "bucket"}, "b"},
		{"index past the list", []any{"provider", "aws", 1}, nil},
		{"negative index", []any{"provider", "aws", -1}, nil},
		{"index 1 of an object", []any{"backend", "s3", 1}, nil},
		{"missing key", []any{"backend", "gcs", "bucket"}, nil},
		{"key of a number", []any{"n", "x"}, nil},
		{"index of a number", []any{"n", 0}, nil},
		{"a step of another kind", []any{"backend", 1.5}, nil},
		{"no path", nil, doc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := At(doc, tt.path...); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("At(doc, %v) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}
