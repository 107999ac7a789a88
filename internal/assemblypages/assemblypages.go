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
// Release finds the tarballs by their shape, not by a hash: symbols named
// ".../jsii.tarball" of a slice's size in the executable's own symbol table,
// whose slice header (read from the process's memory) points inside a private
// mapping of the executable file. It drops only whole pages inside such a
// slice that are still the file's pages (a page the program wrote to is kept).
// When any of that does not hold (not Linux, a stripped binary, no such
// symbol, another layout) it drops nothing and says why, and the program
// runs as before.
package assemblypages

// tarballSuffix ends the symbol name of a jsii binding's embedded tarball
// ("<module path>/jsii.tarball").
const tarballSuffix = "/jsii.tarball"

// Release drops the resident pages of every embedded jsii tarball and returns
// how many bytes it dropped. Call it after the kernel has loaded every
// assembly (Load reads the tarball once; a later Load of the same package is
// a no-op that does not read it). A non-nil error means nothing was dropped
// and says why; the program is unaffected either way.
func Release() (int64, error) {
	return release(tarballSuffix)
}
