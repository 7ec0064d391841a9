package traceview

import "github.com/redline-tui/redline/funnel/snapshot"

// ContributeSnapshot adds the route, the trace under the cursor with the
// search's queries and how it was chosen, and the load error when the last
// search failed.
func (m *Model) ContributeSnapshot(in *snapshot.Input) {
	in.Route = m.route.Route
	if err := m.Request.Err(); err != nil {
		in.Fail(snapshot.PartTrace, m.src.Name(), err)
	}
	in.TraceQueries = m.result.Queries
	i, ok := m.Table.Selected()
	if !ok {
		return
	}
	summary := m.traces[i]
	in.Summary = &summary
	switch {
	case m.errorsOnly:
		in.How.Trace = "selected among the erroring"
	case i == m.choice.Index && m.partials > 0:
		in.How.Trace = m.choice.String()
	default:
		in.How.Trace = "selected among the slowest"
	}
}
