package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/sohoa/sohoa/models"
	"github.com/sohoa/sohoa/vn"
)

// composed is a page ready to lay out.
type composed struct {
	lines   []line
	era     string
	family  fontFamily
	geom    geometry
	entries int
}

// composePage draws the records of a page and turns them into form lines.
func composePage(rng *rand.Rand, fonts *fontSet, rt models.RegisterType, layout string) (composed, error) {
	c := composed{era: EraOld, family: fonts.pick(rng.Float64())}
	newEra := rng.IntN(20) >= 9
	if newEra {
		c.era = EraNew
	}
	leader := leaderKind(pickWeighted(rng, []int{4, 2, 3, 1}))
	if layout == LayoutRegister && leader == leaderNone {
		leader = leaderPeriods
	}
	st := newPageStyle(rng, c.era, leader)
	b := &builder{st: st, rng: rng}
	all := districts()
	switch layout {
	case LayoutExtract:
		c.entries = 1
		e := entriesOf(rng, all, newEra, 1)[0]
		issued := randomDate(rng, e.reg, minDate(addDays(e.reg, 365*8), lastDay()))
		if rng.IntN(3) == 0 {
			issued = e.reg
		}
		if err := b.extract(rt, e, issued, newEra); err != nil {
			return c, err
		}
		if rng.IntN(5) < 2 {
			// an unused line of the form, left as dots, before the signature
			at := len(b.lines) - 5
			b.lines = append(b.lines[:at], append([]line{{kind: lineDots}}, b.lines[at:]...)...)
		}
	case LayoutRegister:
		c.entries = 2
		es := entriesOf(rng, all, newEra, 2)
		titles := map[models.RegisterType]string{models.Birth: "khai sinh", models.Marriage: "kết hôn", models.Death: "khai tử"}
		b.registerHead(registerTitle(titles[rt]), es[0].office, es[0].reg)
		for i, e := range es {
			b.entry = i
			if i > 0 {
				b.rule(1, 3)
			}
			if err := b.bookEntry(rt, e, newEra); err != nil {
				return c, err
			}
		}
	default:
		return c, fmt.Errorf("%w: layout %q", ErrOption, layout)
	}
	c.lines = b.lines
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	c.geom = geometry{
		left: u(225, 285), right: pageW - u(165, 215), top: u(165, 230), bottom: pageH - u(180, 240),
		size: pick(rng, []float64{13, 13.5, 14}), spacing: u(1.45, 1.7), leader: leader,
		fill: u(0.7, 0.92),
	}
	if layout == LayoutRegister {
		c.geom.size, c.geom.spacing, c.geom.fill = u(11.5, 12.5), u(1.3, 1.45), u(0.85, 0.97)
	}
	c.geom.size *= c.family.Scale
	return c, nil
}

func (b *builder) extract(rt models.RegisterType, e entry, issued vn.Date, newEra bool) error {
	switch rt {
	case models.Birth:
		r, err := newBirth(b.rng, e, newEra)
		if err != nil {
			return err
		}
		b.birthExtract(r, issued)
	case models.Marriage:
		r, err := newMarriage(b.rng, e)
		if err != nil {
			return err
		}
		b.marriageExtract(r, issued)
	case models.Death:
		r, err := newDeath(b.rng, e, newEra)
		if err != nil {
			return err
		}
		b.deathExtract(r, issued)
	default:
		return fmt.Errorf("%w: register type %q", ErrOption, rt)
	}
	return nil
}

func (b *builder) bookEntry(rt models.RegisterType, e entry, newEra bool) error {
	switch rt {
	case models.Birth:
		r, err := newBirth(b.rng, e, newEra)
		if err != nil {
			return err
		}
		b.birthEntry(r)
	case models.Marriage:
		r, err := newMarriage(b.rng, e)
		if err != nil {
			return err
		}
		b.marriageEntry(r)
	case models.Death:
		r, err := newDeath(b.rng, e, newEra)
		if err != nil {
			return err
		}
		b.deathEntry(r)
	default:
		return fmt.Errorf("%w: register type %q", ErrOption, rt)
	}
	return nil
}

func minDate(a, b vn.Date) vn.Date {
	if a.Compare(b) <= 0 {
		return a
	}
	return b
}

// pickWeighted returns an index drawn with the given weights.
func pickWeighted(rng *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	r := rng.IntN(total)
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}
