package validate

import (
	"slices"
	"testing"
)

func TestEntrySequence(t *testing.T) {
	tests := []struct {
		nums []string
		want []int // positions in conflict
	}{
		{[]string{"23", "24"}, nil},
		{[]string{"99", "100", "101"}, nil},
		{[]string{"34", "55"}, []int{0, 1}},
		{[]string{"9", "6"}, []int{0, 1}},
		{[]string{"11", "162"}, []int{0, 1}},
		{[]string{"5", "5"}, []int{0, 1}},
		{[]string{"1", "2", "9"}, []int{1, 2}},
		{[]string{"", "55"}, nil}, // a missing number is not judged
		{[]string{"34", ""}, nil},
		{[]string{"7"}, nil},
	}
	for _, tt := range tests {
		got := EntrySequence(tt.nums)
		var pos []int
		for i, p := range got {
			if p.Code != CodeConflict {
				t.Errorf("%v: position %d code %q, want conflict", tt.nums, i, p.Code)
			}
			pos = append(pos, i)
		}
		slices.Sort(pos)
		if !slices.Equal(pos, tt.want) {
			t.Errorf("EntrySequence(%v) flags %v, want %v", tt.nums, pos, tt.want)
		}
	}
}
