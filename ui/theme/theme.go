// Package theme is the only place colours and text styles are named. Styles
// are built once per terminal background (dark or light) and colour mode;
// with NO_COLOR every style keeps its weight, underline or reverse but no
// colour, so no state is ever signalled by colour alone.
package theme

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are every style redline draws with.
type Styles struct {
	NoColor bool

	Title      lipgloss.Style
	Breadcrumb lipgloss.Style
	StatusBar  lipgloss.Style
	Help       lipgloss.Style
	Muted      lipgloss.Style
	Selected   lipgloss.Style // the selected row (reverse video, readable without colour)
	Header     lipgloss.Style // table headers
	Error      lipgloss.Style
	Warn       lipgloss.Style
	OK         lipgloss.Style

	Waterfall Waterfall
}

// Waterfall are the styles of the span waterfall.
type Waterfall struct {
	Critical lipgloss.Style // critical-path marker and bar (also marked by a symbol)
	ErrorBar lipgloss.Style
	Axis     lipgloss.Style
	// Services are the colours cycled through per service.
	Services []color.Color
}

// New builds the styles for a dark or light background; noColor drops all
// colours (NO_COLOR).
func New(isDark, noColor bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	s := Styles{NoColor: noColor}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(c("4", "12"))
	s.Breadcrumb = lipgloss.NewStyle().Bold(true)
	s.StatusBar = lipgloss.NewStyle().Foreground(c("8", "7"))
	s.Help = lipgloss.NewStyle().Foreground(c("8", "8"))
	s.Muted = lipgloss.NewStyle().Foreground(c("8", "8"))
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Header = lipgloss.NewStyle().Bold(true).Underline(true)
	s.Error = lipgloss.NewStyle().Bold(true).Foreground(c("1", "9"))
	s.Warn = lipgloss.NewStyle().Foreground(c("3", "11"))
	s.OK = lipgloss.NewStyle().Foreground(c("2", "10"))
	s.Waterfall = Waterfall{
		Critical: lipgloss.NewStyle().Bold(true).Foreground(c("5", "13")),
		ErrorBar: lipgloss.NewStyle().Foreground(c("1", "9")),
		Axis:     lipgloss.NewStyle().Foreground(c("8", "8")),
		Services: serviceColors(noColor),
	}
	return s
}

// serviceColors are 16-colour ANSI indexes, so they survive 16-colour terminals.
func serviceColors(noColor bool) []color.Color {
	if noColor {
		return []color.Color{lipgloss.NoColor{}}
	}
	idx := []string{"6", "2", "4", "3", "5", "14", "10", "12"}
	out := make([]color.Color, len(idx))
	for i, v := range idx {
		out[i] = lipgloss.Color(v)
	}
	return out
}
