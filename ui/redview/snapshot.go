package redview

import "github.com/redline-tui/redline/funnel/snapshot"

// ContributeSnapshot adds the SLO the pane was opened with (none when it was
// opened without one), the RED report in the order shown and the route
// under the cursor, and the load error when the last query failed.
func (m *Model) ContributeSnapshot(in *snapshot.Input) {
	if m.status.Objective.Service == "" { // not the SLO selected below
		in.SLO, in.SLOQueries, in.SLOWarning, in.How.SLO = nil, nil, nil, ""
	} else {
		status := m.status
		in.SLO = &status
	}
	if err := m.Request.Err(); err != nil {
		in.Fail(snapshot.PartRED, m.src.Name(), err)
	}
	if !m.Request.Loaded() {
		return
	}
	report := m.report
	report.Rows = m.ranked
	in.RED = &report
	if i, ok := m.Table.Selected(); ok {
		in.Route = m.ranked[i].Route
		in.How.Route = "selected"
		if m.landed.how != "" && in.Route == m.landed.route {
			in.How.Route = m.landed.how
		}
	}
}
