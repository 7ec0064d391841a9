package serve

import (
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/clipboard"
	"github.com/redline-tui/redline/ui/pane"
)

// Event is one audit line. It names who did what and where in the funnel,
// never a credential and never what a backend returned (log lines, span
// attributes): services, routes and trace IDs identify, they do not tell.
type Event struct {
	Time    time.Time `json:"time"`
	Event   string    `json:"event"` // session_start, session_end, drill, snapshot, login_refused
	User    string    `json:"user,omitempty"`
	Key     string    `json:"key,omitempty"` // SHA256 fingerprint of the public key
	Client  string    `json:"client,omitempty"`
	Context string    `json:"context,omitempty"`
	Mode    string    `json:"mode,omitempty"` // tui or exec
	Command string    `json:"command,omitempty"`
	Width   int       `json:"width,omitempty"`
	Height  int       `json:"height,omitempty"`
	Step    string    `json:"step,omitempty"` // routes, traces, trace, logs
	Service string    `json:"service,omitempty"`
	Route   string    `json:"route,omitempty"`
	Trace   string    `json:"trace,omitempty"`
	Span    string    `json:"span,omitempty"`
	File    string    `json:"file,omitempty"`
	Copied  bool      `json:"copied,omitempty"`
	Method  string    `json:"method,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Exit    *int      `json:"exit,omitempty"`
	Seconds float64   `json:"seconds,omitempty"`
}

// auditor writes events as JSON lines, one write per line so that lines
// of concurrent sessions never interleave. A failed write is reported on
// the operational log once, with the count of lines lost when writing
// works again: sessions go on, but the operator learns of the gap.
type auditor struct {
	mu   sync.Mutex
	w    io.Writer
	now  func() time.Time
	log  *slog.Logger
	lost int // lines not written since the last failure was reported
}

// write stamps e with the time, writes it and returns it.
func (a *auditor) write(e Event) Event {
	e.Time = a.now().UTC()
	line, err := json.Marshal(e)
	if err != nil {
		return e
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err = a.w.Write(append(line, '\n'))
	a.account(err)
	return e
}

// account reports the first failed write and the recovery after failures.
func (a *auditor) account(err error) {
	switch {
	case err != nil && a.lost == 0:
		a.lost++
		a.log.Error("audit log: cannot write; audit lines are lost until it works again", "err", err)
	case err != nil:
		a.lost++
	case a.lost > 0:
		a.log.Warn("audit log: writing again", "lost_lines", a.lost)
		a.lost = 0
	}
}

// sessionEvent is an event about s, with its user, key and client.
func (s *session) event(name string) Event {
	return Event{Event: name, User: s.user, Key: s.key, Client: s.client, Context: s.context}
}

// auditMsg writes the audit line a message of the session's program calls
// for: each drill step and each snapshot delivered.
func (s *session) auditMsg(root tea.Model, msg tea.Msg) {
	e := s.event("drill")
	if intent, ok := ui.DrillIntent(root, msg); ok {
		msg = intent
	}
	switch m := msg.(type) {
	case pane.OpenRoutes:
		e.Step, e.Service = "routes", m.Service
	case pane.OpenTraces:
		e.Step, e.Service, e.Route = "traces", m.Service, m.Row.Route
	case pane.OpenTrace:
		e.Step, e.Service, e.Trace = "trace", m.Summary.RootService, m.Summary.TraceID
	case pane.OpenLogs:
		e.Step, e.Trace, e.Span = "logs", m.TraceID, m.SpanID
	case clipboard.Delivered:
		e = s.event("snapshot")
		e.File, e.Copied = m.Result.Path, m.Result.Copied
		if m.Result.Err != nil {
			e.Reason = m.Result.Err.Error()
		}
	default:
		return
	}
	s.srv.audit.write(e)
}
