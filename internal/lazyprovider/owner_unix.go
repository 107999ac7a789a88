//go:build unix

package lazyprovider

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// checkOwner returns an error unless the current user owns dir.
func checkOwner(dir string, info os.FileInfo) error {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Getuid(); int64(stat.Uid) != int64(uid) {
		return errors.New(dir + " is owned by uid " + strconv.FormatUint(uint64(stat.Uid), 10) + ", not " + strconv.Itoa(uid))
	}
	return nil
}
