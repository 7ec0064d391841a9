package sloview

import "github.com/redline-tui/redline/funnel/snapshot"

// ContributeSnapshot adds the selected SLO with the report's queries and
// warnings, and the load error when the last query failed.
func (m *Model) ContributeSnapshot(in *snapshot.Input) {
	if err := m.Request.Err(); err != nil {
		in.Fail(snapshot.PartSLO, m.src.Name(), err)
	}
	i, ok := m.Table.Selected()
	if !ok {
		return
	}
	status := m.statuses[i]
	in.SLO, in.SLOQueries, in.SLOWarning = &status, m.report.Queries, m.report.Warnings
	in.How.SLO = "selected"
	if o := status.Objective; m.landed.how != "" && o.Service == m.landed.service && o.Name == m.landed.name {
		in.How.SLO = m.landed.how
	}
}
