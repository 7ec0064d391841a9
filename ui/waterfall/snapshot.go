package waterfall

import "github.com/redline-tui/redline/funnel/snapshot"

// ContributeSnapshot adds the trace summary the pane was opened with and,
// once loaded, the trace and its tree (whose queries come with the trace),
// and the load error when the last load failed.
func (m *Model) ContributeSnapshot(in *snapshot.Input) {
	summary := m.summary
	in.Summary = &summary
	if err := m.req.Err(); err != nil {
		in.Fail(snapshot.PartTrace, m.src.Name(), err)
	}
	if m.data != nil {
		in.Trace, in.Tree = m.data.trace, m.data.tree
	}
}
