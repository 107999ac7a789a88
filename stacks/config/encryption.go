package config

// Bounds of KMSDeletionWindowDays (KMS ScheduleKeyDeletion's
// PendingWindowInDays). The baseline is the longest: a key deleted by
// mistake takes every backup encrypted with it along.
const (
	minKMSDeletionWindowDays  = 7
	maxKMSDeletionWindowDays  = 30
	prodKMSDeletionWindowDays = 30
)

func (e Environment) validateEncryption(p *problems) {
	p.inRange("KMSDeletionWindowDays", e.KMSDeletionWindowDays, minKMSDeletionWindowDays, maxKMSDeletionWindowDays, "days")
}
