package vn

import (
	_ "embed"
	"strings"
	"sync"
)

// givenNamesTXT lists the syllables of Vietnamese given names (see its
// header for the source and licence, and vn/internal/gengiven for how it
// is written).
//
//go:embed givennames.txt
var givenNamesTXT string

// middleNames are the middle names a list of given names leaves out
// because no one is called by them: "Thị" marks most women's names. Every
// other usual middle name ("Văn", "Hữu", "Đức", "Ngọc", …) is a given name
// too and is in the list.
var middleNames = []string{"Thị"}

var givenSyllables = sync.OnceValue(func() map[string]bool {
	set := make(map[string]bool, 512)
	for line := range strings.Lines(givenNamesTXT) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[ToneKey(line)] = true
	}
	for _, m := range middleNames {
		set[ToneKey(m)] = true
	}
	return set
})

// GivenNameSyllable reports whether s is a syllable of the usual
// Vietnamese given and middle names (Kinh names: the list holds about 450
// syllables of 2,500 names), in any case and either tone placement
// ("Hòa", "HOÀ"). A syllable read with a wrong mark is seldom another
// one: of the one-mark changes of the listed syllables, about one in
// eight is listed too. Names of other traditions ("Páo", "Chanh Đa") are
// mostly not listed.
func GivenNameSyllable(s string) bool { return givenSyllables()[ToneKey(s)] }
