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
)

// names is a pane listing the names its backend answers with.
type names struct {
	Base[[]string]
	answer []string
	err    error
	keys   []string
}

func newNames() *names {
	styles := theme.New(true, false)
	km := keys.Default()
	env := pane.Env{Ctx: context.Background(), Styles: &styles, Keys: &km, Now: time.Now,
		Range: funnel.Last(time.Hour, time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC))}
	p := &names{}
	p.Base = New(env, "loki", p.call, table.Column{Title: "NAME", Width: 10, Flex: true})
	p.Resize(40, 8)
	return p
}

func (p *names) call(funnel.TimeRange) func(context.Context) ([]string, error) {
	answer, err := p.answer, p.err
	return func(context.Context) ([]string, error) { return answer, err }
}

func (p *names) receive(answer []string) {
	rows := make([]table.Row, len(answer))
	for i, n := range answer {
		rows[i] = table.Row{ID: n, Cells: []table.Cell{{Text: n}}}
	}
	p.Table.SetRows(rows)
}

func (p *names) key(msg tea.KeyPressMsg) tea.Cmd {
	p.keys = append(p.keys, msg.String())
	return nil
}

// run runs cmd and feeds what it answers back to the pane, as the program
// does.
func (p *names) run(cmd tea.Cmd) {
	for queue := []tea.Cmd{cmd}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == nil {
			continue
		}
		switch msg := queue[0]().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			queue = append(queue, p.Handle(msg, p.receive, p.key))
		}
	}
}

// update feeds msg to the pane and runs what follows.
func (p *names) update(msg tea.Msg) { p.run(func() tea.Msg { return msg }) }

// lines are the pane's lines without styles or trailing blanks.
func (p *names) lines() []string {
	frame := p.Frame(Parts{Title: "Names", What: "names", Warnings: []string{"partial"}, Empty: "No names.", Footer: []string{"footer"}})
	lines := strings.Split(ansi.Strip(frame), "\n")
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
		replies []reply // answered in turn; the last send is left in flight when nil
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
			p := newNames()
			for i, r := range tt.replies {
				p.answer, p.err = r.names, r.err
				cmd := p.Request.Load()
				if r.names != nil || r.err != nil {
					p.run(cmd)
				} else if i != len(tt.replies)-1 {
					t.Fatal("only the last send may be left in flight")
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

func TestHandleRoutesKeysAndRequests(t *testing.T) {
	p := newNames()
	p.answer = []string{"checkout"}
	p.update(pane.Refresh{})
	p.update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if p.Table.Len() != 1 || len(p.keys) != 1 || p.keys[0] != "x" {
		t.Errorf("rows %d, keys %q; want the refresh's answer and the key x", p.Table.Len(), p.keys)
	}
}

func TestCloseCancelsTheRequest(t *testing.T) {
	p := newNames()
	p.answer = []string{"checkout"}
	cmd := p.Init()
	if !p.Loading() {
		t.Fatal("Init sent nothing")
	}
	p.Close()
	p.run(cmd)
	if p.Loading() || p.Table.Len() != 0 || p.Request.Loaded() {
		t.Error("an answer arrived after Close was taken")
	}
}
