// Package vn holds Vietnamese text helpers and the domain tables the
// pipeline needs: dates written in figures and in words, the 54 recognised
// ethnic groups, provinces before and after the 1 July 2025 merger, the
// personal identification number layout, and name normalisation.
//
// Every table lives in code; nothing is downloaded. The facts come from
// /work/shared/spec/domain.md.
package vn
