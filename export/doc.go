// Package export writes records in the formats downstream loaders import:
// the record format's JSON Lines, and CSV with one row per record.
package export
