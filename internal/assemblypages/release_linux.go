package assemblypages

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// span is a page-aligned range of a tarball's pages.
type span struct {
	first, last uintptr // [first, last), page-aligned
}

func release(magic []byte, minSize uintptr) (int64, error) {
	const exe = "/proc/self/exe"
	spans, err := find(exe, magic, minSize)
	if err != nil {
		return 0, err
	}
	pagemap, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return 0, err
	}
	defer pagemap.Close()
	var dropped int64
	for _, s := range spans {
		n, err := drop(pagemap, s)
		dropped += n
		if err != nil {
			return dropped, err
		}
	}
	return dropped, nil
}

// find returns the page-aligned interiors of the tarballs of exe, the running
// executable: the []byte variables (slice headers in its .data or .bss) whose
// bytes lie in its .noptrdata section, are at least minSize long and start
// with magic, in a private mapping of the file. The section headers survive
// stripping (go run and go test build without a symbol table).
func find(exe string, magic []byte, minSize uintptr) ([]span, error) {
	f, err := elf.Open(exe)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		return nil, fmt.Errorf("the executable is %v, not a fixed-address executable", f.Type)
	}
	blobs := f.Section(".noptrdata")
	if blobs == nil || blobs.Type != elf.SHT_PROGBITS {
		return nil, errors.New("the executable has no .noptrdata section")
	}
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	word := uintptr(unsafe.Sizeof(uintptr(0)))
	type slice struct{ data, length uintptr }
	var found []slice
	for _, name := range []string{".data", ".bss"} {
		sec := f.Section(name)
		if sec == nil {
			continue
		}
		vars := make([]byte, sec.Size)
		if _, err := mem.ReadAt(vars, int64(sec.Addr)); err != nil {
			return nil, fmt.Errorf("reading %s: %v", name, err)
		}
		for i := uintptr(0); i+3*word <= uintptr(len(vars)); i += word {
			data, length, capacity := readWord(vars[i:]), readWord(vars[i+word:]), readWord(vars[i+2*word:])
			if length < minSize || capacity != length || data < uintptr(blobs.Addr) ||
				data+length > uintptr(blobs.Addr+blobs.Size) || data+length < data {
				continue
			}
			head := make([]byte, len(magic))
			if _, err := blobs.ReadAt(head, int64(data-uintptr(blobs.Addr))); err != nil || !bytes.Equal(head, magic) {
				continue
			}
			if s := (slice{data, length}); !containsSlice(found, s) {
				found = append(found, s)
			}
		}
	}
	if len(found) == 0 {
		return nil, errors.New("no embedded jsii tarball found")
	}
	path, err := os.Readlink(exe)
	if err != nil {
		return nil, err
	}
	maps, err := fileMappings(path)
	if err != nil {
		return nil, err
	}
	page := uintptr(os.Getpagesize())
	var spans []span
	for _, s := range found {
		if !maps.contain(s.data, s.data+s.length) {
			return nil, fmt.Errorf("a tarball's bytes (%#x, %d bytes) are not in a private mapping of %s", s.data, s.length, path)
		}
		if first, last := (s.data+page-1)/page*page, (s.data+s.length)/page*page; first < last {
			spans = append(spans, span{first, last})
		}
	}
	return spans, nil
}

func containsSlice[S ~[]E, E comparable](s S, e E) bool {
	for _, x := range s {
		if x == e {
			return true
		}
	}
	return false
}

func readWord(b []byte) uintptr {
	if unsafe.Sizeof(uintptr(0)) == 4 {
		return uintptr(binary.NativeEndian.Uint32(b))
	}
	return uintptr(binary.NativeEndian.Uint64(b))
}

// mappings are address ranges [start, end) of private mappings of one file.
type mappings [][2]uintptr

func (m mappings) contain(start, end uintptr) bool {
	for _, r := range m {
		if start >= r[0] && end <= r[1] {
			return true
		}
	}
	return false
}

// fileMappings reads /proc/self/maps for the private mappings of path, with
// adjacent ones merged (the data segment may be split where the program
// changed protections).
func fileMappings(path string) (mappings, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m mappings
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(scanner.Text())
		if len(fields) < 6 || len(fields[1]) != 4 || fields[1][3] != 'p' ||
			strings.Join(fields[5:], " ") != path {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, errors.New("/proc/self/maps: unexpected line " + scanner.Text())
		}
		if n := len(m); n > 0 && m[n-1][1] == uintptr(start) {
			m[n-1][1] = uintptr(end)
		} else {
			m = append(m, [2]uintptr{uintptr(start), uintptr(end)})
		}
	}
	return m, scanner.Err()
}

// Bits of a /proc/<pid>/pagemap entry (Documentation/admin-guide/mm/pagemap.rst).
const (
	pagePresent = 1 << 63
	pageSwapped = 1 << 62
	pageFile    = 1 << 61 // file page or shared anonymous
)

// drop gives back the pages of s that are still the file's: present and
// file-backed (never written, so never copied) ones; not present ones cost
// nothing. A page the program wrote to (anonymous now) ends a run and is
// kept, since dropping it would lose the write. It returns the bytes of the
// present pages dropped.
func drop(pagemap *os.File, s span) (int64, error) {
	page := uintptr(os.Getpagesize())
	entries := make([]byte, (s.last-s.first)/page*8)
	if _, err := pagemap.ReadAt(entries, int64(s.first/page*8)); err != nil {
		return 0, fmt.Errorf("reading /proc/self/pagemap: %v", err)
	}
	var dropped int64
	runStart := s.first
	flush := func(end uintptr) error {
		if end > runStart {
			if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, runStart, end-runStart, syscall.MADV_DONTNEED); errno != 0 {
				return fmt.Errorf("madvise: %v", errno)
			}
		}
		return nil
	}
	for i := uintptr(0); i < uintptr(len(entries)/8); i++ {
		e := binary.NativeEndian.Uint64(entries[i*8:])
		addr := s.first + i*page
		switch {
		case e&pagePresent != 0 && e&pageFile != 0:
			dropped += int64(page)
		case e&(pagePresent|pageSwapped) != 0:
			// Written to: keep it.
			if err := flush(addr); err != nil {
				return dropped, err
			}
			runStart = addr + page
		}
	}
	return dropped, flush(s.last)
}
