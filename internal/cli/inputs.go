package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// imageExts are the file endings picked up when a directory is given.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".tif": true, ".tiff": true}

// expandInputs turns FILE|DIR arguments into a sorted list of files. A
// directory contributes its image files (recursively); a file named
// explicitly is always taken, so a wrong file is reported by the decoder
// rather than skipped silently.
func expandInputs(args []string) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", arg, err)
		}
		if !st.IsDir() {
			add(arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && imageExts[strings.ToLower(filepath.Ext(p))] {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", arg, err)
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no image files (jpg, png, tif) in %s", strings.Join(args, " "))
	}
	return files, nil
}
