// Package validate normalises and validates the values the extractor reads
// from a register page, one function per field kind, plus cross-field checks
// on a whole record. Normalised values follow record-format.md ("Normalised
// values"); every function returns the best normalised value it can and the
// problems found, which the extractor turns into review reasons.
//
// # OCR repairs
//
// In numeric fields (dates in figures, years, identity numbers, entry and
// book numbers) letters that Tesseract confuses with digits are repaired when
// they sit in a token that is otherwise made of digits, or in a short token
// next to a date separator: O o Q D → 0, l I i | ! → 1, Z z → 2, S s → 5,
// G b → 6, T → 7, B → 8, g q → 9. So "l99O" becomes "1990". Every repair is
// reported as a Problem with Code "repaired", so the field can be routed to
// review by policy; Blocking treats "repaired" as non-blocking. Letters are
// never changed in text fields, and fuzzy matches of ethnicity or
// nationality that change the spelling are also reported as "repaired".
//
// Digit-for-digit confusions ("9" read as "0") cannot be repaired; they are
// caught by cross-checks (figures against words, personal id against the
// birth date, dates against each other).
package validate
