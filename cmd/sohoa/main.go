// Command sohoa digitises scanned Vietnamese civil-status registers.
package main

import (
	"os"

	"github.com/sohoa/sohoa/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
