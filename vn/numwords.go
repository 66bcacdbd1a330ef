package vn

import "strings"

// digitWords are the plain words for 0..9.
var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// numberStyle selects variants when writing numbers in words.
type numberStyle struct {
	ngan bool // "ngàn" instead of "nghìn"
	le   bool // "lẻ" instead of "linh"; also drops "không trăm" before it
}

// NumberInWords writes n (0 <= n < 1,000,000) in Vietnamese words with the
// standard spelling: "nghìn", "linh", "mốt", "tư" (after "mươi"), "lăm".
// It returns "" for numbers out of range.
func NumberInWords(n int) string { return numberInWords(n, numberStyle{}) }

func numberInWords(n int, st numberStyle) string {
	if n < 0 || n >= 1000000 {
		return ""
	}
	if n == 0 {
		return digitWords[0]
	}
	var parts []string
	thousands, rest := n/1000, n%1000
	if thousands > 0 {
		parts = append(parts, groupWords(thousands, false, st))
		if st.ngan {
			parts = append(parts, "ngàn")
		} else {
			parts = append(parts, "nghìn")
		}
	}
	if rest > 0 {
		parts = append(parts, groupWords(rest, thousands > 0, st))
	}
	return strings.Join(parts, " ")
}

// groupWords writes 1..999. full means a higher group precedes, so the
// hundreds are spelt even when zero ("không trăm").
func groupWords(n int, full bool, st numberStyle) string {
	h, t, u := n/100, n/10%10, n%10
	var w []string
	linh := "linh"
	if st.le {
		linh = "lẻ"
	}
	switch {
	case h > 0:
		w = append(w, digitWords[h], "trăm")
	case full && st.le && t == 0:
		// "hai nghìn lẻ năm": the lẻ style drops "không trăm".
	case full:
		w = append(w, digitWords[0], "trăm")
	}
	switch {
	case t == 0:
		if u > 0 {
			if len(w) > 0 || full {
				w = append(w, linh)
			}
			w = append(w, digitWords[u])
		}
	case t == 1:
		w = append(w, "mười")
		if u == 5 {
			w = append(w, "lăm")
		} else if u > 0 {
			w = append(w, digitWords[u])
		}
	default:
		w = append(w, digitWords[t], "mươi")
		switch u {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 4:
			w = append(w, "tư")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, digitWords[u])
		}
	}
	return strings.Join(w, " ")
}
