package assemblypages

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// probe is a variable of this package whose address, against its symbol's
// value, tells where the symbol table's addresses are in this process (a
// position-independent executable is loaded at an offset) and that the
// symbol table is this program's.
var probe byte

type marker struct{}

const sliceHeaderSize = uint64(unsafe.Sizeof([]byte(nil)))

// span is a page-aligned range of a tarball's pages.
type span struct {
	name        string
	first, last uintptr // [first, last), page-aligned
}

func release(suffix string) (int64, error) {
	const exe = "/proc/self/exe"
	spans, err := find(exe, suffix)
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
			return dropped, fmt.Errorf("%s: %v", s.name, err)
		}
	}
	return dropped, nil
}

// find returns the page-aligned interiors of the tarball slices named in the
// symbol table of exe, the running executable, whose names end in suffix,
// after checking that each lies in a private mapping of that file.
func find(exe, suffix string) ([]span, error) {
	f, err := elf.Open(exe)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	probeName := reflect.TypeOf(marker{}).PkgPath() + ".probe"
	syms, err := scanSymbols(f, probeName, suffix)
	if err != nil {
		return nil, err
	}
	var tarballs []symbol
	bias, probed := uintptr(0), false
	for _, s := range syms {
		if s.name == probeName {
			bias, probed = uintptr(unsafe.Pointer(&probe))-uintptr(s.value), true
		} else {
			tarballs = append(tarballs, s)
		}
	}
	if !probed {
		return nil, errors.New("the symbol table does not describe this program (no " + probeName + ")")
	}
	if len(tarballs) == 0 {
		return nil, errors.New("no embedded jsii tarball in the symbol table")
	}
	path, err := os.Readlink(exe)
	if err != nil {
		return nil, err
	}
	maps, err := fileMappings(path)
	if err != nil {
		return nil, err
	}
	mem, err := os.Open("/proc/self/mem")
	if err != nil {
		return nil, err
	}
	defer mem.Close()
	page := uintptr(os.Getpagesize())
	var spans []span
	for _, s := range tarballs {
		if elf.ST_TYPE(s.info) != elf.STT_OBJECT || s.size != sliceHeaderSize {
			return nil, fmt.Errorf("%s is not a []byte variable (type %v, %d bytes)", s.name, elf.ST_TYPE(s.info), s.size)
		}
		header := make([]byte, sliceHeaderSize)
		if _, err := mem.ReadAt(header, int64(uintptr(s.value)+bias)); err != nil {
			return nil, fmt.Errorf("%s: reading its slice header: %v", s.name, err)
		}
		word := sliceHeaderSize / 3
		data := uintptr(readWord(header[:word]))
		length := uintptr(readWord(header[word : 2*word]))
		capacity := uintptr(readWord(header[2*word:]))
		if length == 0 || capacity < length || data+length < data {
			return nil, fmt.Errorf("%s: not a tarball slice (length %d, capacity %d)", s.name, length, capacity)
		}
		if !maps.contain(data, data+length) {
			return nil, fmt.Errorf("%s: its bytes (%#x, %d bytes) are not in a private mapping of %s", s.name, data, length, path)
		}
		first, last := (data+page-1)/page*page, (data+length)/page*page
		if first < last {
			spans = append(spans, span{s.name, first, last})
		}
	}
	return spans, nil
}

// symbol is the part of an ELF symbol find needs.
type symbol struct {
	name        string
	info        byte
	value, size uint64
}

// scanSymbols returns the symbols of f's symbol table named name or ending in
// suffix. It streams the string and symbol tables through small buffers
// rather than using elf.File.Symbols, which copies every name of the 27,000
// symbols onto the heap (megabytes the Go heap would then keep).
func scanSymbols(f *elf.File, name, suffix string) ([]symbol, error) {
	symtab, strtab := f.Section(".symtab"), f.Section(".strtab")
	if symtab == nil || strtab == nil {
		return nil, errors.New("the executable has no symbol table (stripped)")
	}
	if f.Class != elf.ELFCLASS64 || symtab.Type != elf.SHT_SYMTAB || symtab.Entsize != 24 || strtab.Type != elf.SHT_STRTAB {
		return nil, fmt.Errorf("unexpected symbol table layout (%v, entry size %d)", f.Class, symtab.Entsize)
	}
	names := map[uint32]string{} // string table offset -> wanted name
	strs := bufio.NewReaderSize(strtab.Open(), 64<<10)
	for offset := uint32(0); ; {
		s, err := strs.ReadSlice(0)
		long := len(s)
		for errors.Is(err, bufio.ErrBufferFull) { // far longer than any name we want
			s, err = strs.ReadSlice(0)
			long += len(s)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if s = s[:len(s)-1]; long == len(s)+1 && (string(s) == name || bytes.HasSuffix(s, []byte(suffix))) {
			names[offset] = string(s)
		}
		offset += uint32(long)
	}
	var out []symbol
	syms := bufio.NewReaderSize(symtab.Open(), 64<<10)
	var entry [24]byte
	for {
		if _, err := io.ReadFull(syms, entry[:]); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		// Elf64_Sym: st_name, st_info, st_other, st_shndx, st_value, st_size.
		if n, ok := names[f.ByteOrder.Uint32(entry[0:4])]; ok {
			out = append(out, symbol{n, entry[4], f.ByteOrder.Uint64(entry[8:16]), f.ByteOrder.Uint64(entry[16:24])})
		}
	}
	return out, nil
}

func readWord(b []byte) uint64 {
	if len(b) == 4 {
		return uint64(binary.NativeEndian.Uint32(b))
	}
	return binary.NativeEndian.Uint64(b)
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
