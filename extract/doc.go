// Package extract reads the fields of civil-status records from the OCR
// lines of a page, driven by declarative templates.
//
// A template (a YAML file, see templates/*.yaml) describes one register type
// and layout: the titles and characteristic labels that identify the page,
// where a new entry begins on a register page, the sections whose labels
// repeat ("Năm sinh" of the mother and of the father), and for every field
// its key, kind, whether it is required, the printed label variants of both
// form eras and where the value lies (rest of the line up to the next label,
// the next line when the label ends its line, continuation lines, the words
// of a date "ghi bằng chữ" on a following line).
//
// Labels are matched on folded keys (lower case, no diacritics, letters and
// digits only) with approximate matching, so OCR damage (dropped marks, a
// wrong letter, split or merged words, a label broken across two lines) is
// tolerated. Values are normalised and validated with package validate, and
// every entry is cross-checked with validate.CrossCheck.
//
// The embedded templates cover birth, marriage and death extracts (trích
// lục) and register-book pages; LoadTemplates adds the *.yaml files of a
// user directory, where a template with the same id replaces the embedded
// one.
package extract
