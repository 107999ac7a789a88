//go:build !linux

package assemblypages

import (
	"errors"
	"runtime"
)

func release(magic []byte, minSize uintptr) (int64, error) {
	return 0, errors.New("dropping embedded tarball pages needs Linux, not " + runtime.GOOS)
}
