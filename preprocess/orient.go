package preprocess

import (
	"sort"
)

// neighbourVotes tells upright from sideways text without reading it:
// letters of a word sit side by side with small gaps, while the next line
// is further away. For each letter-sized component (area at least the
// median, which leaves out dots and marks) the nearest neighbour that
// overlaps it across the gap is found horizontally and vertically; the
// closer one votes. Tilts up to ~15° keep neighbouring letters overlapping,
// so this works before deskewing. Unlike projection profiles it is not
// fooled by columns of aligned labels or table rules.
func neighbourVotes(cs []comp) (horiz, vert int) {
	var ids []int
	var areas []int
	for i, c := range cs[1:] {
		if c.area >= 4 && c.w < 200 && c.h < 200 {
			ids = append(ids, i+1)
			areas = append(areas, c.area)
		}
	}
	if len(ids) < 20 {
		return 0, 0
	}
	sort.Ints(areas)
	medA := areas[len(areas)/2]
	var big, side []int
	for _, id := range ids {
		if c := cs[id]; c.area >= medA {
			big = append(big, id)
			side = append(side, max(c.w, c.h))
		}
	}
	sort.Ints(side)
	// Drop what is still small next to letters (large marks).
	minSide := side[len(side)*3/4] / 2
	kept := big[:0]
	for _, id := range big {
		if max(cs[id].w, cs[id].h) >= minSide {
			kept = append(kept, id)
		}
	}
	big = kept
	// Grid of cells about two letters wide.
	cell := max(4, 2*side[len(side)/2])
	type key struct{ x, y int }
	grid := make(map[key][]int, len(big))
	for _, id := range big {
		c := cs[id]
		for gy := c.y / cell; gy <= (c.y1()-1)/cell; gy++ {
			for gx := c.x / cell; gx <= (c.x1()-1)/cell; gx++ {
				grid[key{gx, gy}] = append(grid[key{gx, gy}], id)
			}
		}
	}
	reach := 2 * cell
	for _, id := range big {
		a := cs[id]
		bestH, bestV := reach+1, reach+1
		for gy := (a.y - reach) / cell; gy <= (a.y1()+reach)/cell; gy++ {
			for gx := (a.x - reach) / cell; gx <= (a.x1()+reach)/cell; gx++ {
				for _, j := range grid[key{gx, gy}] {
					if j == id {
						continue
					}
					b := cs[j]
					// Horizontal neighbour: overlaps in y by half the smaller height.
					if ov := min(a.y1(), b.y1()) - max(a.y, b.y); 2*ov >= min(a.h, b.h) {
						if g := max(b.x-a.x1(), a.x-b.x1()); g >= 0 && g < bestH {
							bestH = g
						}
					}
					if ov := min(a.x1(), b.x1()) - max(a.x, b.x); 2*ov >= min(a.w, b.w) {
						if g := max(b.y-a.y1(), a.y-b.y1()); g >= 0 && g < bestV {
							bestV = g
						}
					}
				}
			}
		}
		switch {
		case bestH < bestV:
			horiz++
		case bestV < bestH:
			vert++
		}
	}
	return horiz, vert
}
