// Package confidence turns the evidence about one extracted field (OCR word
// confidences, page quality, label match, validation, dictionary matches)
// into a calibrated 0..1 score, and decides whether the field may be
// accepted without a person.
//
// The model is a logistic regression per field kind, fitted on a generated
// corpus whose ground truth says which readings were right (`sohoa
// calibrate`). Thresholds are then chosen per kind so that, on the
// calibration set, accepted fields are wrong less often than the error
// budget (0.5 % by default); a stored model is embedded in the binary and
// can be replaced by a file.
package confidence
