package config

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// readmeFieldsHeading opens the README's table of Environment fields.
const readmeFieldsHeading = "### Environment fields"

// readmeFieldRows returns the field names in the first column of the
// table under heading, in order.
func readmeFieldRows(readme, heading string) []string {
	_, after, found := strings.Cut(readme, "\n"+heading+"\n")
	if !found {
		return nil
	}
	var fields []string
	inTable := false
	for _, line := range strings.Split(after, "\n") {
		switch {
		case strings.HasPrefix(line, "| field |"), strings.HasPrefix(line, "| ---"):
			inTable = true
		case inTable && strings.HasPrefix(line, "| `"):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
			fields = append(fields, name)
		case inTable:
			return fields
		}
	}
	return fields
}

// environmentFields returns the exported fields of Environment in
// declaration order.
func environmentFields() []string {
	var fields []string
	typ := reflect.TypeFor[Environment]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() {
			fields = append(fields, f.Name)
		}
	}
	return fields
}

// fieldTableProblems compares the README's rows with the type's fields:
// every field has a row, every row names a field, none twice.
func fieldTableProblems(rows, fields []string) []string {
	var out []string
	for _, f := range fields {
		if !slices.Contains(rows, f) {
			out = append(out, "field "+f+" has no row")
		}
	}
	for i, r := range rows {
		switch {
		case !slices.Contains(fields, r):
			out = append(out, "row "+r+" is not a field of Environment")
		case slices.Contains(rows[:i], r):
			out = append(out, "row "+r+" is listed twice")
		}
	}
	return out
}

// TestReadmeEnvironmentFields keeps the README's table of Environment
// fields (unit, range, default) in step with the type, and proves the
// comparison fails on a missing, an unknown and a repeated row.
func TestReadmeEnvironmentFields(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := readmeFieldRows(string(readme), readmeFieldsHeading)
	if len(rows) == 0 {
		t.Fatalf("README.md has no table under %q", readmeFieldsHeading)
	}
	fields := environmentFields()
	for _, p := range fieldTableProblems(rows, fields) {
		t.Errorf("README.md %s: %s", readmeFieldsHeading, p)
	}

	cases := []struct {
		name string
		rows []string
		want string
	}{
		{"missing row", slices.Delete(slices.Clone(fields), 3, 4), "field " + fields[3] + " has no row"},
		{"unknown row", append(slices.Clone(fields), "DBStorageGB"), "row DBStorageGB is not a field of Environment"},
		{"repeated row", append(slices.Clone(fields), fields[0]), "row " + fields[0] + " is listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fieldTableProblems(c.rows, fields); !slices.Equal(got, []string{c.want}) {
				t.Errorf("fieldTableProblems = %q; want %q", got, c.want)
			}
		})
	}
	table := "\n" + readmeFieldsHeading + "\n\n| field | unit | range | default |\n| --- | --- | --- | --- |\n| `Name` | - | x | y |\n\nprose | `Owner` |\n"
	if got := readmeFieldRows(table, readmeFieldsHeading); !slices.Equal(got, []string{"Name"}) {
		t.Errorf("readmeFieldRows read %q; want only the table's rows [Name]", got)
	}
}

// readmeCallRow renders one AWS call as the README's table shows it.
func readmeCallRow(c AWSCall) string {
	endpoint := "none"
	if c.Endpoint != "" {
		endpoint = "`" + c.Endpoint + "`"
	}
	ecs := ""
	if c.ECSOnly {
		ecs = " (ECS only)"
	}
	return fmt.Sprintf("| %s%s | %s | %s | %s | %s |", c.Caller, ecs, c.Call, endpoint, c.Path, c.Source)
}

// readmeCostRow renders one environment's interface endpoint cost.
func readmeCostRow(e Environment) string {
	return fmt.Sprintf("| %s | %d | %s | %d | %d | %.2f |", e.Name, len(e.AvailabilityZones), strings.Join(e.InterfaceEndpoints, ", "),
		e.InterfaceEndpointENIs(), e.InterfaceEndpointENIs()*HoursPerMonth, e.InterfaceEndpointMonthlyUSD())
}

// TestReadmeCallsAndCosts keeps the README's list of the workloads' AWS
// calls (with each call's private path) and its endpoint cost table in
// step with AWSCalls and the environments, so neither can drift; and proves
// the comparison fails on a changed row.
func TestReadmeCallsAndCosts(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	var rows []string
	for _, c := range AWSCalls() {
		rows = append(rows, readmeCallRow(c))
	}
	for _, e := range Environments() {
		rows = append(rows, readmeCostRow(e))
	}
	for _, row := range rows {
		if !strings.Contains(readme, row+"\n") {
			t.Errorf("README.md is out of step with the code; it should have the row:\n%s", row)
		}
	}
	if rate := fmt.Sprintf("US$%.2f per endpoint per AZ per hour", InterfaceEndpointHourlyUSD); !strings.Contains(readme, rate) {
		t.Errorf("README.md does not state the rate the cost table uses (%q)", rate)
	}
	prod := envOf(t, Prod)
	prod.AvailabilityZones = prod.AvailabilityZones[:2]
	if strings.Contains(readme, readmeCostRow(prod)+"\n") {
		t.Error("README.md has prod's cost row for two AZs; the comparison cannot fail")
	}
}
