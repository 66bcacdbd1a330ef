// Command gengiven writes vn/givennames.txt, the syllables of Vietnamese
// given names, from the Vietnamese given names of the faker package (MIT,
// https://github.com/faker-js/faker: 2,488 names, male, female and either),
// dumped to JSON with Node.js:
//
//	npm pack @faker-js/faker@10.6.0 && tar xzf faker-js-faker-10.6.0.tgz
//	node -e 'import("./package/dist/locale/vi.js").then(m => console.log(JSON.stringify(m.faker.rawDefinitions.person.first_name)))' > first_name.json
//	go run ./vn/internal/gengiven -in first_name.json -out vn/givennames.txt
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/sohoa/sohoa/vn"
)

func main() {
	in := flag.String("in", "first_name.json", "faker's vi person.first_name as JSON: lists of names by sex")
	out := flag.String("out", "vn/givennames.txt", "list to write")
	version := flag.String("version", "@faker-js/faker 10.6.0", "source named in the list's header")
	flag.Parse()
	b, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var bySex map[string][]string
	if err := json.Unmarshal(b, &bySex); err != nil {
		log.Fatalf("%s: %v", *in, err)
	}
	seen := map[string]bool{}
	var syllables []string
	names := 0
	for _, list := range bySex {
		for _, name := range list {
			names++
			for _, w := range strings.Fields(vn.NFC(name)) {
				if k := vn.ToneKey(w); !seen[k] {
					seen[k] = true
					syllables = append(syllables, w)
				}
			}
		}
	}
	if names == 0 {
		log.Fatalf("%s: no names", *in)
	}
	slices.SortFunc(syllables, func(a, b string) int { return strings.Compare(vn.ToneKey(a), vn.ToneKey(b)) })
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Syllables of Vietnamese given names, one a line: the %d distinct syllables of the %d given names of %s\n", len(syllables), names, *version)
	fmt.Fprintf(w, "# (MIT licence, see givennames.LICENSE; https://github.com/faker-js/faker, locale vi, person.first_name).\n")
	fmt.Fprintf(w, "# Written by: go run ./vn/internal/gengiven\n")
	for _, s := range syllables {
		fmt.Fprintln(w, s)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
