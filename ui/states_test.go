package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestLoadingState(t *testing.T) {
	f := newFake("demo", defaultIncident())
	m := New(Options{Sources: Sources{Metrics: f}, Now: fixedNow})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = next.(Model)
	m.Init() // the query is not run: the pane waits for it
	screen := m.Render()
	if !strings.Contains(screen, "⟳ loading SLOs from demo…") || !strings.Contains(lastLine(screen), "⟳ loading") {
		t.Errorf("no loading state:\n%s", screen)
	}
}

func TestEmptyStates(t *testing.T) {
	tests := []struct {
		name  string
		empty func(*fixture)
		keys  []string
		want  string
	}{
		{"no SLOs", func(f *fixture) { f.statuses = nil }, nil, "No SLOs found."},
		{"no routes", func(f *fixture) { f.routes = nil }, []string{"enter"}, "No routes with traffic for checkout"},
		{"no traces", func(f *fixture) { f.traces = nil; f.routes[1].Exemplars = nil }, []string{"enter", "enter"},
			"No slowest traces ≥ p95 1.20s for this route"},
		{"no log lines", func(f *fixture) { f.lines = nil }, []string{"enter", "enter", "enter", "enter"},
			"No log lines carry trace 4bf92f35"},
	}
	for _, tt := range tests {
		data := defaultIncident()
		tt.empty(&data)
		f := newFake("demo", data)
		d := newDriver(t, 100, 24, allFrom(f))
		d.Keys(tt.keys...)
		if !strings.Contains(d.screen(), tt.want) {
			t.Errorf("%s: screen lacks %q:\n%s", tt.name, tt.want, d.screen())
		}
	}
}

func TestMissingBackendIsExplained(t *testing.T) {
	f := newFake("prometheus", defaultIncident())
	d := newDriver(t, 100, 24, Options{Sources: Sources{Metrics: f}})
	d.Keys("enter", "enter")
	if len(d.m().stack) != 2 || !strings.Contains(d.screen(), "no trace backend configured") {
		t.Errorf("drilling without a trace backend should stay and explain:\n%s", d.screen())
	}
}

func TestErrorsFirstAndExemplarMark(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 120, 30, allFrom(f))
	d.Keys("enter", "enter")
	if !strings.Contains(d.screen(), "◆ 1.50s") {
		t.Errorf("the exemplar trace is not marked:\n%s", d.screen())
	}
	d.Keys("enter", "enter", "E")
	screen := d.screen()
	if strings.Index(screen, "charge timed out") > strings.Index(screen, "checkout started") {
		t.Errorf("E did not put the error line first:\n%s", screen)
	}
	d.Keys("g", "x")
	if !strings.Contains(d.screen(), "msg = charge timed out") {
		t.Errorf("x did not expand the line's fields:\n%s", d.screen())
	}
}
