// Package pipeline holds the processing stages of a page as plain functions
// (cleanup, recognition, …) and a local runner that applies them to many
// files in parallel. The command-line tools call the runner; the queue
// workers call the same stage functions one task at a time.
package pipeline
