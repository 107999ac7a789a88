// Package jsondoc reads decoded JSON documents (what encoding/json gives an
// any): the synthesized cdk.tf.json files and terraform plans the tests
// inspect.
package jsondoc

// At walks doc by object keys (strings) and list indexes (ints) and returns
// what it finds, or nil if any step is missing or of another kind. Terraform
// JSON writes a nested block as an object or as a list of objects, so index 0
// of an object is the object itself.
func At(doc any, path ...any) any {
	for _, step := range path {
		switch k := step.(type) {
		case string:
			m, ok := doc.(map[string]any)
			if !ok {
				return nil
			}
			doc = m[k]
		case int:
			switch l := doc.(type) {
			case []any:
				if k < 0 || k >= len(l) {
					return nil
				}
				doc = l[k]
			case map[string]any:
				if k != 0 {
					return nil
				}
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return doc
}
