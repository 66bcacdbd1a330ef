// Package omp makes sure Tesseract's OpenMP runtime runs single-threaded.
//
// Debian's Tesseract is built with OpenMP; with its default thread count a
// page costs about 4.5 times more CPU than with OMP_THREAD_LIMIT=1. libgomp
// reads the variable once, when it is loaded, so setting it from Go at run
// time is too late: the process must be started with it. sohoa parallelises
// across pages instead.
package omp

import (
	"fmt"
	"os"
	"syscall"
)

// Var is the environment variable libgomp reads.
const Var = "OMP_THREAD_LIMIT"

// EnsureSingleThread re-executes the running binary with OMP_THREAD_LIMIT=1
// when the variable is absent. It returns only when no re-exec is needed (or
// when the re-exec itself fails, which is reported as an error). A value the
// user set explicitly is respected.
func EnsureSingleThread() error {
	if _, ok := os.LookupEnv(Var); ok {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("omp: locate executable for re-exec: %w", err)
	}
	env := append(os.Environ(), Var+"=1")
	if err := syscall.Exec(exe, os.Args, env); err != nil {
		return fmt.Errorf("omp: re-exec with %s=1: %w", Var, err)
	}
	return nil // not reached
}
