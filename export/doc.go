// Package export writes records in the formats downstream loaders import:
// the record format's JSON Lines, CSV and Excel workbooks with one row per
// record, and book exports: a zip of the book's workbook, one PDF per
// record holding its page scan (written directly, the scan's bytes
// embedded as they are, with a Vietnamese font subset for the fields
// page), and a manifest of SHA-256 sums, named final or partial.
package export
