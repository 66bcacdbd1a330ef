// Package procenv makes sure the process runs with the environment that
// native libraries read only when they are loaded.
//
//   - OMP_THREAD_LIMIT=1: Debian's Tesseract is built with OpenMP; with its
//     default thread count a page costs about 4.5 times more CPU. sohoa
//     parallelises across pages instead.
//   - MALLOC_ARENA_MAX=2: OpenCV and Tesseract allocate large page buffers
//     from several threads; glibc's default of one arena per thread keeps
//     freed buffers in many arenas, and `sohoa ocr --jobs 2` peaked at about
//     600 MB instead of about 510 MB, for no gain in speed.
//
// Both are read once, when libgomp and glibc initialise, so setting them
// from Go at run time is too late: the binary re-executes itself with them.
package procenv

import (
	"fmt"
	"os"
	"syscall"
)

// Defaults returns the variables sohoa sets when absent. A value the user
// set is kept.
func Defaults() map[string]string {
	return map[string]string{"OMP_THREAD_LIMIT": "1", "MALLOC_ARENA_MAX": "2"}
}

// Ensure re-executes the running binary with every variable of vars that is
// absent from the environment. It returns only when nothing is missing (or
// when the re-exec itself fails, which is reported as an error).
func Ensure(vars map[string]string) error {
	var missing []string
	for k, v := range vars {
		if _, ok := os.LookupEnv(k); !ok {
			missing = append(missing, k+"="+v)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("procenv: locate executable for re-exec: %w", err)
	}
	env := append(os.Environ(), missing...)
	if err := syscall.Exec(exe, os.Args, env); err != nil {
		return fmt.Errorf("procenv: re-exec with %v: %w", missing, err)
	}
	return nil // not reached
}
