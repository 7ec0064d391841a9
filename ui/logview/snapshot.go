package logview

import "github.com/redline-tui/redline/funnel/snapshot"

// ContributeSnapshot adds the log lines shown with their queries, and the
// load error when the last query failed.
func (m *Model) ContributeSnapshot(in *snapshot.Input) {
	if err := m.Request.Err(); err != nil {
		in.Fail(snapshot.PartLogs, m.src.Name(), err)
	}
	if !m.Request.Loaded() {
		return
	}
	result := m.result
	in.Logs = &result
	in.How.Logs = "whole trace"
	if m.spanOnly {
		in.How.Logs = "span " + m.target.SpanID
	}
}
