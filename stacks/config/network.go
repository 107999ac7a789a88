package config

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Egress is how the application tier reaches the internet.
type Egress string

// The egress settings. With nat-shared one NAT gateway in the first AZ
// serves every private subnet (an outage of that AZ cuts the others off);
// with nat-per-az each AZ has its own.
const (
	EgressNone      Egress = "none"
	EgressNATShared Egress = "nat-shared"
	EgressNATPerAZ  Egress = "nat-per-az"
)

// egressValues are the allowed Egress settings.
var egressValues = []Egress{EgressNone, EgressNATShared, EgressNATPerAZ}

// residencyRegions are the regions customer data may live in without a
// recorded transfer basis.
var residencyRegions = []string{"sa-east-1"}

// ResidencyRegions returns the residency allow-list (a fresh copy).
func ResidencyRegions() []string { return slices.Clone(residencyRegions) }

// DataTransferBasisTag is the default tag that records
// Environment.DataTransferBasis.
const DataTransferBasisTag = "DataTransferBasis"

// Bounds of the network settings.
const (
	minAZs       = 2
	prodAZs      = 3
	maxAZs       = 6
	minVPCPrefix = 16
	maxVPCPrefix = 24
)

var privateIPv4Ranges = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16")}

// NATGateways is how many NAT gateways, each with its Elastic IP, Egress
// gives the environment: none without internet egress, one shared by every
// AZ, or one per AZ.
func (e Environment) NATGateways() int {
	switch e.Egress {
	case EgressNATShared:
		return 1
	case EgressNATPerAZ:
		return len(e.AvailabilityZones)
	}
	return 0
}

// validateNetwork checks region and residency, zones, the VPC range and
// egress.
func (e Environment) validateNetwork(p *problems) {
	regionOK := regionPattern.MatchString(e.Region)
	if !regionOK {
		p.add("Region", e.Region, "an AWS region name such as sa-east-1")
	} else if !slices.Contains(residencyRegions, e.Region) && strings.TrimSpace(e.DataTransferBasis) == "" {
		p.add("Region", e.Region, "outside the residency allow-list (%s); set DataTransferBasis to the LGPD art. 33 basis for the transfer",
			strings.Join(residencyRegions, ", "))
	}
	// The basis becomes a tag value (DataTransferBasisTag).
	if e.DataTransferBasis != "" && !tagValuePattern.MatchString(e.DataTransferBasis) {
		p.add("DataTransferBasis", e.DataTransferBasis, "at most 256 letters, digits, spaces and _ . : / = + - @ (it becomes the %s tag)", DataTransferBasisTag)
	}

	wantAZs := minAZs
	if e.Name == Prod {
		wantAZs = prodAZs
	}
	if n := len(e.AvailabilityZones); n < wantAZs || n > maxAZs {
		p.add("AvailabilityZones", e.AvailabilityZones, "%d to %d zones (has %d)", wantAZs, maxAZs, n)
	}
	for i, az := range e.AvailabilityZones {
		if regionOK && (len(az) != len(e.Region)+1 || !strings.HasPrefix(az, e.Region) || az[len(az)-1] < 'a' || az[len(az)-1] > 'z') {
			p.add("AvailabilityZones", az, "a zone of region %s (%sa, %sb, ...)", e.Region, e.Region, e.Region)
		}
		if slices.Contains(e.AvailabilityZones[:i], az) {
			p.add("AvailabilityZones", az, "listed twice")
		}
	}

	if prefix, err := netip.ParsePrefix(e.VPCCIDR); err != nil || !prefix.Addr().Is4() {
		p.add("VPCCIDR", e.VPCCIDR, "an IPv4 CIDR block such as 10.10.0.0/16")
	} else {
		if prefix != prefix.Masked() {
			p.add("VPCCIDR", e.VPCCIDR, "host bits set; the network is %s", prefix.Masked())
		}
		if prefix.Bits() < minVPCPrefix || prefix.Bits() > maxVPCPrefix {
			p.add("VPCCIDR", e.VPCCIDR, "prefix length /%d to /%d", minVPCPrefix, maxVPCPrefix)
		}
		if !slices.ContainsFunc(privateIPv4Ranges, func(r netip.Prefix) bool { return r.Contains(prefix.Addr()) && r.Bits() <= prefix.Bits() }) {
			p.add("VPCCIDR", e.VPCCIDR, "inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)")
		}
	}

	var allowed []string
	for _, v := range egressValues {
		allowed = append(allowed, string(v))
	}
	switch {
	case !slices.Contains(egressValues, e.Egress):
		p.add("Egress", e.Egress, "one of %s", strings.Join(allowed, ", "))
	case e.Name == Prod && e.Egress == EgressNATShared:
		p.add("Egress", e.Egress, "%s or %s in prod: with internet egress every AZ has its own NAT gateway, so losing one AZ does not cut the others off",
			EgressNone, EgressNATPerAZ)
	}
}

// validateVPCRanges refuses permanent environments whose VPC ranges
// overlap. An ephemeral stack reuses its base's range on purpose: it is a
// separate VPC that is never peered.
func validateVPCRanges(envs []Environment) []error {
	var errs []error
	for i, a := range envs {
		for _, b := range envs[i+1:] {
			if a.Base != "" || b.Base != "" {
				continue
			}
			pa, errA := netip.ParsePrefix(a.VPCCIDR)
			pb, errB := netip.ParsePrefix(b.VPCCIDR)
			if errA == nil && errB == nil && pa.Overlaps(pb) {
				p := &problems{env: b.Name}
				p.add("VPCCIDR", b.VPCCIDR, "overlaps %s's %s; VPC ranges must be distinct across environments", a.Name, a.VPCCIDR)
				errs = append(errs, p.errs...)
			}
		}
	}
	return errs
}

// tagValuePattern is what AWS accepts as a tag value.
var tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
