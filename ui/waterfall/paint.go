package waterfall

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// paint is a theme style reduced to the escape sequences around its text,
// so rows can be styled without running the full lipgloss renderer for
// every cell. Styles that do more than wrap their text (padding, width,
// borders) keep being rendered in full.
type paint struct {
	pre, post string
	wraps     bool
	style     lipgloss.Style
}

// probe is the text a style is rendered around to find its sequences.
const probe = "x"

func newPaint(st lipgloss.Style) paint {
	out := st.Render(probe)
	i := strings.Index(out, probe)
	if i < 0 || strings.Count(out, probe) != 1 {
		return paint{style: st}
	}
	return paint{pre: out[:i], post: out[i+len(probe):], wraps: true, style: st}
}

// apply styles one line of text.
func (p paint) apply(s string) string {
	if !p.wraps {
		return p.style.Render(s)
	}
	return p.pre + s + p.post
}

// palette is every paint a row needs, derived from the shared theme once
// per View (the theme may be rebuilt in place when the terminal reports
// its background).
type palette struct {
	selected           paint
	critical, errorBar barPaint
	services           []barPaint
}

// barPaint paints a bar and, in reverse video, its partial first cell.
type barPaint struct {
	fill, reversed paint
}

func newBarPaint(st lipgloss.Style) barPaint {
	return barPaint{fill: newPaint(st), reversed: newPaint(st.Reverse(true))}
}

func (m *Model) palette() palette {
	st := m.env.Styles
	p := palette{
		selected: newPaint(st.Selected),
		critical: newBarPaint(st.Waterfall.Critical),
		errorBar: newBarPaint(st.Waterfall.ErrorBar),
	}
	colours := st.Waterfall.Services
	if len(colours) == 0 {
		p.services = []barPaint{newBarPaint(lipgloss.NewStyle())}
	}
	for _, c := range colours {
		p.services = append(p.services, newBarPaint(lipgloss.NewStyle().Foreground(c)))
	}
	return p
}

// service is the paint of service index i, cycling through the colours.
func (p palette) service(i int) barPaint {
	return p.services[i%len(p.services)]
}
