package tablepane

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/table"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

// names is a pane listing the names its backend answers with; it records
// the keys the table leaves and the rows drilled into.
type names struct {
	Base[[]string]
	answer  []string
	err     error
	keys    []string
	drilled []int
}

// newNames is the pane in 40 × 8 cells, driven as the program does.
func newNames() (*names, *uitest.Driver) {
	styles := theme.New(true, false)
	km := keys.Default()
	env := pane.Env{Ctx: context.Background(), Styles: &styles, Keys: &km, Now: time.Now,
		Range: funnel.Last(time.Hour, time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC))}
	p := &names{}
	p.Base = New(env, "loki", p.call, table.Column{Title: "NAME", Width: 10, Flex: true})
	p.Resize(40, 8)
	return p, &uitest.Driver{Model: p}
}

func (p *names) call(funnel.TimeRange) func(context.Context) ([]string, error) {
	answer, err := p.answer, p.err
	return func(context.Context) ([]string, error) { return answer, err }
}

func (p *names) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return p, p.Handle(msg, p.receive, p.key)
}

func (p *names) receive(answer []string) {
	rows := make([]table.Row, len(answer))
	for i, n := range answer {
		rows[i] = table.Row{ID: n, Cells: []table.Cell{{Text: n}}}
	}
	p.Table.SetRows(rows)
}

func (p *names) key(msg tea.KeyPressMsg) tea.Cmd {
	if row, ok := p.Drilled(msg); ok {
		p.drilled = append(p.drilled, row)
	}
	p.keys = append(p.keys, msg.String())
	return nil
}

func (p *names) View() tea.View {
	return tea.NewView(p.Frame(Parts{Title: "Names", What: "names", Warnings: []string{"partial"}, Empty: "No names.", Footer: []string{"footer"}}))
}

// lines are the pane's lines without styles or trailing blanks.
func (p *names) lines() []string {
	lines := strings.Split(ansi.Strip(p.View().Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// reply is one answer of the backend.
type reply struct {
	names []string
	err   error
}

func TestFrameFollowsTheRequest(t *testing.T) {
	rows := reply{names: []string{"checkout", "cart"}}
	failure := reply{err: errors.New("loki: 401 Unauthorized")}
	tests := []struct {
		name    string
		replies []reply // answered in turn; the last send is left in flight when empty
		body    []string
		notice  string
	}{
		{"loading", []reply{{}}, nil, "⟳ loading names from loki…"},
		{"no rows", []reply{{names: []string{}}}, []string{"No names."}, "⚠ partial"},
		{"rows", []reply{rows}, []string{"  NAME", "› checkout", "  cart"}, "⚠ partial"},
		{"failed", []reply{failure}, nil, "✖ loki: 401 Unauthorized  (r retries)"},
		{"refresh failed", []reply{rows, failure}, []string{"  NAME", "› checkout", "  cart"}, "✖ loki: 401 Unauthorized  (r retries)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, d := newNames()
			for _, r := range tt.replies {
				p.answer, p.err = r.names, r.err
				if cmd := p.Request.Load(); r.names != nil || r.err != nil {
					d.Run(cmd)
				}
			}
			want := append([]string{"Names", tt.notice}, tt.body...)
			want = append(want, make([]string, 4-len(tt.body))...)
			want = append(want, "footer", "")
			if got := p.lines(); !slices.Equal(got, want) {
				t.Errorf("frame:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestHandleGivesTheTableItsKeysFirst(t *testing.T) {
	p, d := newNames()
	p.answer = []string{"checkout", "cart"}
	d.Send(pane.Refresh{})
	d.Keys("down", "x", "enter")
	if p.Table.Len() != 2 || !slices.Equal(p.keys, []string{"x", "enter"}) || !slices.Equal(p.drilled, []int{1}) {
		t.Errorf("rows %d, keys left by the table %q, drilled %v; want 2, [x enter], [1]", p.Table.Len(), p.keys, p.drilled)
	}
}

func TestCloseCancelsTheRequest(t *testing.T) {
	p, d := newNames()
	p.answer = []string{"checkout"}
	cmd := p.Init()
	if !p.Loading() {
		t.Fatal("Init sent nothing")
	}
	p.Close()
	d.Run(cmd)
	if p.Loading() || p.Table.Len() != 0 || p.Request.Loaded() {
		t.Error("an answer arrived after Close was taken")
	}
}
