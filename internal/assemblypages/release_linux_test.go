package assemblypages

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testBacking stands in for an embedded tarball: initialized data, so it is
// stored in the executable's .noptrdata and mapped from it, like the bytes of
// a //go:embed []byte; testTarball is the slice variable Release finds.
var (
	testBacking = [4 << 20]byte{'T', 'G', 'Z'}
	testTarball = testBacking[:]
	// heapSlice starts with the magic number too, but its bytes are on the
	// heap, not in the executable: Release must pass it by (or fail).
	heapSlice = append(make([]byte, 0, 2<<20), 'T', 'G', 'Z')[: 2<<20 : 2<<20]
)

var testMagic = []byte("TGZ")

// rss returns the resident set size of this process in kB.
func rss(t *testing.T) int64 {
	t.Helper()
	rollup, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(rollup), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "Rss:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no Rss in /proc/self/smaps_rollup")
	return 0
}

func touch(b []byte) (sum int) {
	for i := 0; i < len(b); i += 512 {
		sum += int(b[i])
	}
	return sum + int(b[1]) + int(b[2])
}

func TestReleaseDropsTarballPages(t *testing.T) {
	page := os.Getpagesize()
	// A page the program wrote to is no longer the file's: it must be kept.
	written := 10*page + 5
	testTarball[written] = 7
	want := touch(testTarball)
	before := rss(t)
	n, err := release(testMagic, 1<<20)
	after := rss(t)
	if err != nil {
		t.Fatalf("release: %v", err)
	}
	if min := int64(len(testTarball) - 4*page); n < min || n > int64(len(testTarball)) {
		t.Errorf("release dropped %d bytes, want %d to %d", n, min, len(testTarball))
	}
	if dropped := (before - after) << 10; dropped < 3<<20 {
		t.Errorf("resident set went from %d kB to %d kB, want it %d kB lower", before, after, len(testTarball)>>10)
	}
	if got := touch(testTarball); got != want {
		t.Errorf("after release the tarball reads back with checksum %d, want %d", got, want)
	}
	if testTarball[written] != 7 || testTarball[1] != 'G' {
		t.Errorf("after release byte %d = %d, byte 1 = %d; want 7 and 'G' (a written page was dropped)",
			written, testTarball[written], testTarball[1])
	}
}

func TestReleaseFallsBack(t *testing.T) {
	touch(heapSlice)
	for _, tc := range []struct {
		name    string
		magic   []byte
		minSize uintptr
	}{
		{"no blob with that magic number", []byte("PK\x03\x04"), 1 << 20},
		{"blobs smaller than the minimum", testMagic, 8 << 20},
	} {
		before := rss(t)
		n, err := release(tc.magic, tc.minSize)
		if err == nil || !strings.Contains(err.Error(), "no embedded jsii tarball") {
			t.Errorf("%s: release error %v, want one saying no tarball was found", tc.name, err)
		}
		if n != 0 {
			t.Errorf("%s: release dropped %d bytes, want none", tc.name, n)
		}
		if after := rss(t); before-after > 1024 {
			t.Errorf("%s: resident set fell from %d kB to %d kB, want nothing dropped", tc.name, before, after)
		}
	}
}

// TestReleaseBuilds builds a program that calls Release the way main does
// and checks what it drops: stripped (go run and go test build so) it finds
// its blob; position-independent, it drops nothing and says why, once.
func TestReleaseBuilds(t *testing.T) {
	for _, tc := range []struct {
		name    string
		flags   []string
		dropped bool
		warning string
	}{
		{"stripped", []string{"-ldflags=-s -w"}, true, ""},
		{"position-independent", []string{"-buildmode=pie"}, false, "not a fixed-address executable"},
	} {
		bin := filepath.Join(t.TempDir(), "release")
		args := append(append([]string{"build"}, tc.flags...), "-o", bin, "./testdata/release")
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: go %v: %v\n%s", tc.name, args, err, out)
		}
		cmd := exec.Command(bin)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, stderr.String())
		}
		fields := strings.Fields(string(out))
		if len(fields) != 2 || fields[1] != "31" {
			t.Fatalf("%s: program printed %q, want the bytes dropped and the blob's checksum 31", tc.name, out)
		}
		dropped, _ := strconv.Atoi(fields[0])
		if tc.dropped && dropped < 1<<20 || !tc.dropped && dropped != 0 {
			t.Errorf("%s: dropped %d bytes, want %v", tc.name, dropped, map[bool]string{true: "about 2 MB", false: "none"}[tc.dropped])
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		switch {
		case tc.warning == "" && stderr.Len() != 0:
			t.Errorf("%s: printed %q, want nothing", tc.name, stderr.String())
		case tc.warning != "" && (len(lines) != 1 || !strings.Contains(lines[0], tc.warning)):
			t.Errorf("%s: printed %q, want one warning containing %q", tc.name, stderr.String(), tc.warning)
		}
	}
}
