// Package assemblypages gives back the memory the Go program holds for the
// jsii assemblies it embeds, once the jsii kernel has loaded them.
//
// Each jsii Go binding embeds its package's npm tarball (//go:embed into a
// package variable named tarball, in its .../jsii package): 34 MB for the AWS
// provider. jsii-runtime-go's Load writes it to a temporary file once, which
// makes every page of it resident in the Go process, and nothing reads it
// again; the pages stay in the process's resident set for the whole synth.
// They are clean pages of the executable's file mapping, so dropping them
// (madvise MADV_DONTNEED) is safe: read again, they fault back in from the
// file.
//
// Release finds the tarballs by their shape, not by a name or a hash (go run
// and go test build without a symbol table): a []byte variable in the
// executable's initialized data whose bytes lie in its .noptrdata section
// (where the linker puts //go:embed []byte contents), are at least 1 MB and
// start with gzip's magic number, inside a private mapping of the executable
// file. It drops only whole pages inside such a slice that are still the
// file's pages (a page the program wrote to is kept). Dropping a page of any
// other blob that matched by accident costs only a page fault if it is read
// again. When the shape is not there (not Linux, a position-independent
// executable, no such variable) it drops nothing and says why, and the
// program runs as before.
package assemblypages

// gzipMagic starts every gzip stream, and so every jsii tarball (.tgz).
var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// Release drops the resident pages of every embedded jsii tarball and returns
// how many bytes it dropped. Call it after the kernel has loaded every
// assembly (Load reads the tarball once; a later Load of the same package is
// a no-op that does not read it). A non-nil error means nothing was dropped
// and says why; the program is unaffected either way.
func Release() (int64, error) {
	return release(gzipMagic, 1<<20)
}
