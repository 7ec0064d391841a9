package snapshot

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// Links configures deep links into the backends' own UIs. Zero values
// disable the links that need them.
type Links struct {
	// GrafanaURL is Grafana's base URL, e.g. https://grafana.example.com.
	GrafanaURL   string
	GrafanaOrgID int // 0 leaves orgId out
	// Datasources are the Grafana datasources Explore links may open, in
	// order of preference.
	Datasources []Datasource
	// JaegerUI is the Jaeger UI base URL, e.g. https://jaeger.example.com.
	JaegerUI string
}

// Datasource is one Grafana datasource: a part's Explore link opens the
// first one that runs the language of one of the part's queries.
type Datasource struct {
	Type     string // Grafana's datasource type, e.g. "prometheus", "tempo", "loki"
	UID      string
	Language string // the language of the queries it runs, e.g. "PromQL"
	// Query holds the fields of an Explore query besides the expression
	// (e.g. {"queryType": "range"}).
	Query map[string]any
	// Traces marks a trace datasource: it opens a trace by its ID, and the
	// trace link falls back to the first one when none runs the trace's
	// query language.
	Traces bool
}

// links builds the deep links of s: Grafana Explore for the SLO, RED and
// log queries and for the trace, and the Jaeger UI trace page. Links quote
// queries, so they are cleaned first with the default and the configured
// deny-list: a secret in a query never reaches a URL.
func links(cfg Links, denyKeys []string, s Snapshot) []Link {
	var out []Link
	clean := cleaner{deny: newDenyList(denyKeys)}
	add := func(title, u string) {
		if u != "" {
			out = append(out, Link{Title: title, URL: u})
		}
	}
	if s.SLO != nil {
		add("SLO query in Grafana Explore", cfg.explore(clean, s.SLO.Queries, s.Range))
	}
	if s.RED != nil {
		add("RED query in Grafana Explore", cfg.explore(clean, s.RED.Queries, s.Range))
	}
	if s.Trace != nil && s.Trace.TraceID != "" {
		id := clean.line(s.Trace.TraceID)
		add("Trace in Grafana Explore", cfg.exploreTrace(id, s.Trace.Queries, s.Range))
		add("Trace in Jaeger UI", cfg.jaegerTrace(id))
	}
	if s.Logs != nil {
		add("Logs in Grafana Explore", cfg.explore(clean, s.Logs.Queries, s.Range))
	}
	return out
}

// datasourceFor is the first expression datasource running the language of
// one of qs, and the text (cleaned) of that language's first query.
func (cfg Links) datasourceFor(clean cleaner, qs []Query) (Datasource, string) {
	for _, ds := range cfg.Datasources {
		if ds.UID == "" || ds.Traces {
			continue
		}
		if text := clean.firstOf(qs, ds.Language); text != "" {
			return ds, text
		}
	}
	return Datasource{}, ""
}

// firstOf is the text of the first query in language, cleaned.
func (c cleaner) firstOf(qs []Query, language string) string {
	for _, q := range qs {
		if q.Language == language {
			return c.text(q.Text)
		}
	}
	return ""
}

// explore links the first of qs that a datasource runs in Grafana Explore;
// "" when Grafana, the datasource or the query is missing.
func (cfg Links) explore(clean cleaner, qs []Query, r Range) string {
	ds, expr := cfg.datasourceFor(clean, qs)
	if expr == "" {
		return ""
	}
	q := map[string]any{"expr": expr, "editorMode": "code"}
	return cfg.exploreURL(ds, q, r)
}

// exploreTrace links the trace by ID through the trace datasource running
// the language of the trace's queries (the backend that found it), else the
// first trace datasource.
func (cfg Links) exploreTrace(traceID string, qs []Query, r Range) string {
	var fallback *Datasource
	for _, ds := range cfg.Datasources {
		if !ds.Traces || ds.UID == "" {
			continue
		}
		if slices.ContainsFunc(qs, func(q Query) bool { return q.Language == ds.Language }) {
			return cfg.exploreURL(ds, map[string]any{"query": traceID}, r)
		}
		if fallback == nil {
			fallback = &ds
		}
	}
	if fallback == nil {
		return ""
	}
	return cfg.exploreURL(*fallback, map[string]any{"query": traceID}, r)
}

// explorePane is one pane of Grafana Explore's schemaVersion=1 URL state.
type explorePane struct {
	Datasource string           `json:"datasource"`
	Queries    []map[string]any `json:"queries"`
	Range      exploreRange     `json:"range"`
}

// exploreRange holds epoch milliseconds as strings: Grafana resets a
// numeric range to now-1h.
type exploreRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// explorePaneID is the pane key: three characters of [0-9a-z], not all
// digits, as Grafana generates them.
const explorePaneID = "rl1"

func (cfg Links) exploreURL(ds Datasource, query map[string]any, r Range) string {
	base := baseURL(cfg.GrafanaURL)
	if base == nil || ds.UID == "" {
		return ""
	}
	for k, v := range ds.Query {
		query[k] = v
	}
	query["refId"] = "A"
	query["datasource"] = map[string]string{"uid": ds.UID, "type": ds.Type}
	panes := map[string]explorePane{explorePaneID: {
		Datasource: ds.UID,
		Queries:    []map[string]any{query},
		Range:      exploreRange{From: epochMS(r.Start.UnixMilli()), To: epochMS(r.End.UnixMilli())},
	}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(panes); err != nil {
		return ""
	}
	v := url.Values{}
	v.Set("schemaVersion", "1")
	v.Set("panes", strings.TrimSuffix(buf.String(), "\n"))
	if cfg.GrafanaOrgID > 0 {
		v.Set("orgId", strconv.Itoa(cfg.GrafanaOrgID))
	}
	base.Path = strings.TrimSuffix(base.Path, "/") + "/explore"
	base.RawQuery = v.Encode()
	return base.String()
}

func epochMS(ms int64) string { return strconv.FormatInt(ms, 10) }

// jaegerTrace is the Jaeger UI page of a trace: <base>/trace/<id>.
func (cfg Links) jaegerTrace(traceID string) string {
	base := baseURL(cfg.JaegerUI)
	if base == nil {
		return ""
	}
	base.Path = strings.TrimSuffix(base.Path, "/") + "/trace/" + url.PathEscape(traceID)
	return base.String()
}

// baseURL parses an http(s) base URL without its credentials, query and
// fragment; nil when raw is empty or not such a URL.
func baseURL(raw string) *url.URL {
	u, err := url.Parse(sanitize.StripUserinfo(strings.TrimSpace(raw)))
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil
	}
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u
}
