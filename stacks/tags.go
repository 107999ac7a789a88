package stacks

import "github.com/aws/jsii-runtime-go"

// Default tag values applied by the provider to every taggable resource.
const (
	projectTag            = "FastShop"
	managedByTag          = "cdktf"
	dataClassificationTag = "confidential-personal-data-lgpd"
)

// defaultTags are the tags the provider puts on every taggable resource of
// a stack.
func defaultTags(environment, owner string) map[string]*string {
	return map[string]*string{
		"Project":            jsii.String(projectTag),
		"Environment":        jsii.String(environment),
		"ManagedBy":          jsii.String(managedByTag),
		"DataClassification": jsii.String(dataClassificationTag),
		"Owner":              jsii.String(owner),
	}
}

// nameTag is the Name tag; the provider adds the default tags.
func nameTag(name string) *map[string]*string {
	return &map[string]*string{"Name": jsii.String(name)}
}
