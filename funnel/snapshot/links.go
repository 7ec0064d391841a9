package snapshot

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// Links configures deep links into the backends' own UIs. Zero values
// disable the links that need them.
type Links struct {
	// GrafanaURL is Grafana's base URL, e.g. https://grafana.example.com.
	GrafanaURL   string
	GrafanaOrgID int // 0 leaves orgId out
	// Datasources maps "prometheus", "tempo", "jaeger" and "loki" to the
	// UID of the matching Grafana datasource.
	Datasources map[string]string
	// JaegerUI is the Jaeger UI base URL, e.g. https://jaeger.example.com.
	JaegerUI string
}

// Datasource types as Grafana names them (and as Links.Datasources is keyed).
const (
	dsPrometheus = "prometheus"
	dsTempo      = "tempo"
	dsJaeger     = "jaeger"
	dsLoki       = "loki"
)

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
		add("SLO query in Grafana Explore", cfg.explore(dsPrometheus, clean.firstOf(s.SLO.Queries, "PromQL"), s.Range))
	}
	if s.RED != nil {
		add("RED query in Grafana Explore", cfg.explore(dsPrometheus, clean.firstOf(s.RED.Queries, "PromQL"), s.Range))
	}
	if s.Trace != nil && s.Trace.TraceID != "" {
		id := clean.line(s.Trace.TraceID)
		add("Trace in Grafana Explore", cfg.exploreTrace(id, s.Trace.Queries, s.Range))
		add("Trace in Jaeger UI", cfg.jaegerTrace(id))
	}
	if s.Logs != nil {
		add("Logs in Grafana Explore", cfg.explore(dsLoki, clean.firstOf(s.Logs.Queries, "LogQL"), s.Range))
	}
	return out
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

// explore links a PromQL or LogQL expression in Grafana Explore; "" when
// Grafana, the datasource or the expression is missing.
func (cfg Links) explore(dsType, expr string, r Range) string {
	if expr == "" {
		return ""
	}
	q := map[string]any{"expr": expr, "editorMode": "code"}
	switch dsType {
	case dsPrometheus:
		q["range"], q["instant"] = true, false
	case dsLoki:
		q["queryType"], q["maxLines"] = "range", 1000
	}
	return cfg.exploreURL(dsType, q, r)
}

// exploreTrace links the trace by ID through the Tempo datasource, or the
// Jaeger one; the backend that found the trace is preferred.
func (cfg Links) exploreTrace(traceID string, qs []Query, r Range) string {
	order := []string{dsTempo, dsJaeger}
	for _, q := range qs {
		if q.Backend == dsJaeger {
			order = []string{dsJaeger, dsTempo}
		}
	}
	for _, ds := range order {
		if cfg.Datasources[ds] == "" {
			continue
		}
		q := map[string]any{"query": traceID}
		if ds == dsTempo {
			q["queryType"] = "traceql"
		}
		return cfg.exploreURL(ds, q, r)
	}
	return ""
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

func (cfg Links) exploreURL(dsType string, query map[string]any, r Range) string {
	uid := cfg.Datasources[dsType]
	base := baseURL(cfg.GrafanaURL)
	if base == nil || uid == "" {
		return ""
	}
	query["refId"] = "A"
	query["datasource"] = map[string]string{"uid": uid, "type": dsType}
	panes := map[string]explorePane{explorePaneID: {
		Datasource: uid,
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
	u, err := url.Parse(strings.TrimSpace(raw))
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.User = nil
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u
}
