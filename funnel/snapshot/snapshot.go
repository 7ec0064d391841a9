// Package snapshot builds and renders paste-able incident snapshots: the
// funnel path an on-call engineer walked (SLO burn → RED of the service →
// the selected trace → its log lines) frozen at one instant, with the exact
// queries behind every part, deep links when configured, and what failed.
//
// FromFunnel turns the funnel types into a Snapshot; Render writes it as
// Markdown (FormatMarkdown), Slack mrkdwn (FormatSlack), plain 80-column
// text (FormatText) or JSON (FormatJSON). Every string that came from a
// backend goes through funnel/sanitize at render time, values of deny-listed
// attribute and label keys are masked, and credentials in URLs are dropped.
//
// # JSON schema (redline.snapshot/v1)
//
// FormatJSON writes one object. Times are RFC 3339 in UTC. A duration is an
// object {"ms": <number>, "text": "<human>"}, e.g. {"ms": 5246.6,
// "text": "5.25s"}. Numbers a backend could not tell (NaN) or that are
// infinite are null. Optional parts are omitted when absent. Fields are
// only ever added within v1; a breaking change bumps the schema string.
//
//	{
//	  "schema": "redline.snapshot/v1",
//	  "generated_at": time,
//	  "context": string, "environment": string?,
//	  "range": {"start": time, "end": time, "duration": duration},
//	  "path": [{"step": "slo"|"route"|"trace"|"logs", "label": string, "how": string?}],
//	  "slo": {
//	    "service", "name", "sli": string, "origin": string, "assumed": bool,
//	    "objective": number (ratio, e.g. 0.999), "objective_text": "99.9%",
//	    "threshold": duration?, "basis": string?,
//	    "period": duration, "at": time,
//	    "verdict": "CRITICAL"|"INCREASING"|"RECOVERING"|"NO DATA"|"OK", "symbol": string,
//	    "current_burn": number?, "budget_remaining": number? (ratio, may be < 0),
//	    "time_to_exhaustion": duration?, "exhaustion_text": string ("never", "spent", "14h43m", "?"),
//	    "windows": [{"severity": "page"|"ticket", "long": "1h", "short": "5m",
//	                 "factor": number, "long_burn": number?, "short_burn": number?, "firing": bool}],
//	    "low_traffic": bool, "caveat": string?, "burn_history": [number?],
//	    "no_data_from": [string]? (verdict NO DATA: the purposes of the queries that gave no ratio),
//	    "alerts": [{"name": string, "severity": string?, "active_since": time,
//	                "active_for": duration, "muted": "silenced"|"inhibited"?}]? (firing alerts of this SLO, most urgent first),
//	    "queries": [query], "warnings": [string]?
//	  }?,
//	  "red": {
//	    "service": string, "convention": string?, "selected_route": string?,
//	    "window": string?, "share_window": string?, "share_of": string?,
//	    "routes": [{"route": string, "selected": bool, "rate": number? (req/s),
//	                "error_ratio": number?, "p50", "p95", "p99": quantile?,
//	                "burn_share": number, "rate_history", "error_history",
//	                "latency_history": [number?]}],
//	    "omitted_routes": int, "queries": [query], "warnings": [string]?
//	  }?,
//	  "trace": {
//	    "trace_id": string, "root_service", "root_name": string, "start": time,
//	    "duration": duration, "span_count", "error_count": int, "services": [string],
//	    "partial": bool, "partial_reason": string?, "selection": string, "omitted_spans": int,
//	    "spans": [{"depth": int, "service", "name", "kind", "span_id": string,
//	               "offset": duration, "duration": duration, "count": int,
//	               "total": duration, "critical": bool, "error": bool,
//	               "unreported": string? (the callee that sent no span for this call)}],
//	    "top_self_time": [{"service", "name", "span_id": string, "self": duration, "share": number}],
//	    "errors": [{"service", "name", "span_id", "status_message": string,
//	                "attributes": [{"key", "value": string}]}],
//	    "queries": [query], "warnings": [string]?
//	  }?,
//	  "logs": {
//	    "strategy": string, "total": int, "omitted": int,
//	    "lines": [{"time": time, "level": string, "service": string,
//	               "message": string, "span_id": string?, "labels": {string: string}?}],
//	    "queries": [query], "warnings": [string]?
//	  }?,
//	  "links": [{"title": string, "url": string}]?,
//	  "failures": [{"part": "slo"|"red"|"trace"|"logs", "backend": string, "error": string}]?
//	}
//
// where query is {"backend", "language", "purpose", "text": string,
// "range": {"start", "end", "duration"}}. Span rows with "count" > 1 stand
// for that many sibling spans of the same name grouped on one row: "offset"
// and "duration" are their extent, "total" the sum of their durations.
package snapshot

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/redline-tui/redline/funnel/units"
)

// SchemaVersion names the JSON schema a Snapshot follows.
const SchemaVersion = "redline.snapshot/v1"

// Snapshot is one frozen funnel path. Strings are kept as the backends
// sent them; Render sanitises and masks them. Every part is optional: a
// snapshot taken at the SLO step has only SLO.
type Snapshot struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	Context     string    `json:"context"`
	Environment string    `json:"environment,omitempty"`
	Range       Range     `json:"range"`
	Path        []Step    `json:"path"`
	SLO         *SLO      `json:"slo,omitempty"`
	RED         *RED      `json:"red,omitempty"`
	Trace       *Trace    `json:"trace,omitempty"`
	Logs        *Logs     `json:"logs,omitempty"`
	Links       []Link    `json:"links,omitempty"`
	Failures    []Failure `json:"failures,omitempty"`
}

// Range is an absolute time range.
type Range struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Duration Duration  `json:"duration"`
}

// Step is one segment of the funnel path, e.g. {route, POST /api/checkout,
// highest burn share}.
type Step struct {
	Step  string `json:"step"` // StepSLO, StepRoute, StepTrace, StepLogs
	Label string `json:"label"`
	How   string `json:"how,omitempty"` // how it was picked, e.g. "worst by severity"
}

// Steps of the funnel path.
const (
	StepSLO   = "slo"
	StepRoute = "route"
	StepTrace = "trace"
	StepLogs  = "logs"
)

// Part names used by Failure.
const (
	PartSLO   = "slo"
	PartRED   = "red"
	PartTrace = "trace"
	PartLogs  = "logs"
)

// SLO is the objective drilled from, evaluated at At.
type SLO struct {
	Service          string    `json:"service"`
	Name             string    `json:"name"`
	SLI              string    `json:"sli"`
	Origin           string    `json:"origin"`
	Assumed          bool      `json:"assumed"`
	Objective        float64   `json:"objective"`
	ObjectiveText    string    `json:"objective_text"`
	Threshold        *Duration `json:"threshold,omitempty"` // latency objectives: good requests are at most this slow
	Basis            string    `json:"basis,omitempty"`     // assumed objectives: how the threshold was chosen
	Period           Duration  `json:"period"`
	At               time.Time `json:"at"`
	Verdict          string    `json:"verdict"`
	Symbol           string    `json:"symbol"`
	CurrentBurn      Number    `json:"current_burn"`
	BudgetRemaining  Number    `json:"budget_remaining"`
	TimeToExhaustion *Duration `json:"time_to_exhaustion"`
	ExhaustionText   string    `json:"exhaustion_text"`
	Windows          []Window  `json:"windows"`
	LowTraffic       bool      `json:"low_traffic"`
	Caveat           string    `json:"caveat,omitempty"`
	NoDataFrom       []string  `json:"no_data_from,omitempty"` // verdict NO DATA: the queries that gave no ratio, shortest window first
	BurnHistory      []Number  `json:"burn_history,omitempty"`
	Alerts           []Alert   `json:"alerts,omitempty"` // the firing alerts that page for this SLO, most urgent first
	Queries          []Query   `json:"queries"`
	Warnings         []string  `json:"warnings,omitempty"`
}

// Alert is one firing alert of an SLO.
type Alert struct {
	Name        string    `json:"name"`
	Severity    string    `json:"severity,omitempty"`
	ActiveSince time.Time `json:"active_since"`
	ActiveFor   Duration  `json:"active_for"` // until the SLO's At
	// Muted is "silenced" or "inhibited" when Alertmanager holds it back:
	// it pages no one.
	Muted string `json:"muted,omitempty"`
}

// Window is one multi-window burn-rate alert evaluated.
type Window struct {
	Severity  string  `json:"severity"`
	Long      string  `json:"long"`
	Short     string  `json:"short"`
	Factor    float64 `json:"factor"`
	LongBurn  Number  `json:"long_burn"`
	ShortBurn Number  `json:"short_burn"`
	Firing    bool    `json:"firing"`
}

// RED is the rate/errors/duration table of the service.
type RED struct {
	Service       string   `json:"service"`
	Convention    string   `json:"convention,omitempty"`
	Window        string   `json:"window,omitempty"`       // what rate, error ratio and quantiles cover, at the range end, e.g. "5m"
	ShareWindow   string   `json:"share_window,omitempty"` // what burn shares count over, e.g. "1h"
	ShareOf       string   `json:"share_of,omitempty"`     // what burn shares count: "errors", "requests >2.00s"
	SelectedRoute string   `json:"selected_route,omitempty"`
	Routes        []Route  `json:"routes"`
	OmittedRoutes int      `json:"omitted_routes"`
	Queries       []Query  `json:"queries"`
	Warnings      []string `json:"warnings,omitempty"`
}

// Route is one row of the RED table.
type Route struct {
	Route          string   `json:"route"`
	Selected       bool     `json:"selected"`
	Rate           Number   `json:"rate"`
	ErrorRatio     Number   `json:"error_ratio"`
	P50            Quantile `json:"p50"`
	P95            Quantile `json:"p95"`
	P99            Quantile `json:"p99"`
	BurnShare      Number   `json:"burn_share"`
	RateHistory    []Number `json:"rate_history,omitempty"`
	ErrorHistory   []Number `json:"error_history,omitempty"`
	LatencyHistory []Number `json:"latency_history,omitempty"`
}

// Trace is the selected trace, its spans cut down to what reads in a paste.
type Trace struct {
	TraceID     string    `json:"trace_id"`
	RootService string    `json:"root_service"`
	RootName    string    `json:"root_name"`
	Start       time.Time `json:"start"`
	Duration    Duration  `json:"duration"`
	SpanCount   int       `json:"span_count"`
	ErrorCount  int       `json:"error_count"`
	Services    []string  `json:"services"`
	Partial     bool      `json:"partial"`
	// PartialReason says why spans are known to be missing.
	PartialReason string      `json:"partial_reason,omitempty"`
	Selection     string      `json:"selection"` // which spans Spans holds and why
	OmittedSpans  int         `json:"omitted_spans"`
	Spans         []SpanRow   `json:"spans"`
	TopSelfTime   []SelfTime  `json:"top_self_time"`
	Errors        []SpanError `json:"errors,omitempty"`
	Queries       []Query     `json:"queries"`
	Warnings      []string    `json:"warnings,omitempty"`
}

// SpanRow is one row of the waterfall: a span, or Count sibling spans of
// the same service and name grouped.
type SpanRow struct {
	Depth    int      `json:"depth"`
	Service  string   `json:"service"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	SpanID   string   `json:"span_id"` // the first span of a group
	Offset   Duration `json:"offset"`  // start after the trace's start
	Duration Duration `json:"duration"`
	Count    int      `json:"count"`
	Total    Duration `json:"total"` // sum of the durations of the spans on the row
	Critical bool     `json:"critical"`
	Error    bool     `json:"error"`
	// Unreported names the callee that sent no span for this call (in
	// flight, dropped or not instrumented); its time is unattributed.
	Unreported string `json:"unreported,omitempty"`
}

// SelfTime is a span ranked by the time it spent itself, not in children
// nor waiting on a callee that did not report.
type SelfTime struct {
	Service string   `json:"service"`
	Name    string   `json:"name"`
	SpanID  string   `json:"span_id"`
	Self    Duration `json:"self"`
	Share   Number   `json:"share"` // of the trace's duration
}

// SpanError is a span with status error and what it says about it.
type SpanError struct {
	Service       string `json:"service"`
	Name          string `json:"name"`
	SpanID        string `json:"span_id"`
	StatusMessage string `json:"status_message"`
	Attributes    []Attr `json:"attributes,omitempty"`
}

// Attr is one span attribute.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Logs are the log lines correlated with the trace, errors first.
type Logs struct {
	Strategy string    `json:"strategy"`
	Total    int       `json:"total"`   // lines the source returned
	Omitted  int       `json:"omitted"` // of those, not in Lines
	Lines    []LogLine `json:"lines"`
	Queries  []Query   `json:"queries"`
	Warnings []string  `json:"warnings,omitempty"`
}

// LogLine is one log line.
type LogLine struct {
	Time    time.Time         `json:"time"`
	Level   string            `json:"level"`
	Service string            `json:"service"`
	Message string            `json:"message"`
	SpanID  string            `json:"span_id,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Query is one query a source sent, verbatim.
type Query struct {
	Backend  string `json:"backend"`
	Language string `json:"language"`
	Purpose  string `json:"purpose"`
	Text     string `json:"text"`
	Range    Range  `json:"range"`
	// NotSent says why the query was not sent (its backend timed out
	// earlier in the step); "" when it was.
	NotSent string `json:"not_sent,omitempty"`
}

// Link is a deep link into a backend's own UI.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Failure is a part of the snapshot that is missing because a backend
// failed.
type Failure struct {
	Part    string `json:"part"` // PartSLO, PartRED, PartTrace, PartLogs
	Backend string `json:"backend"`
	Error   string `json:"error"`
}

// Duration is a time.Duration that reads in JSON as milliseconds and as
// text: {"ms": 5246.6, "text": "5.25s"}.
type Duration time.Duration

type jsonDuration struct {
	MS   float64 `json:"ms"`
	Text string  `json:"text"`
}

// MarshalJSON writes {"ms": …, "text": …}.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonDuration{MS: float64(d) / float64(time.Millisecond), Text: units.Duration(time.Duration(d))})
}

// UnmarshalJSON reads the "ms" field back, to the nearest nanosecond.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var j jsonDuration
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*d = Duration(math.Round(j.MS * float64(time.Millisecond)))
	return nil
}

// Quantile is a latency quantile that reads in JSON as null without
// requests, else as a Duration with a lower_bound flag set when the
// quantile lies beyond the histogram's last bucket (ms is then that bound):
// {"ms": 15000, "text": ">15.0s", "lower_bound": true}.
type Quantile units.Quantile

type jsonQuantile struct {
	MS         float64 `json:"ms"`
	Text       string  `json:"text"`
	LowerBound bool    `json:"lower_bound"`
}

// MarshalJSON writes null or {"ms": …, "text": …, "lower_bound": …}.
func (q Quantile) MarshalJSON() ([]byte, error) {
	if !q.Known {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // ">15.0s" reads as it is
	err := enc.Encode(jsonQuantile{
		MS: float64(q.Value) / float64(time.Millisecond), Text: units.Quantile(q).String(), LowerBound: q.LowerBound,
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// UnmarshalJSON reads the quantile back; null reads as no data.
func (q *Quantile) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*q = Quantile{}
		return nil
	}
	var j jsonQuantile
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*q = Quantile{Value: time.Duration(math.Round(j.MS * float64(time.Millisecond))), Known: true, LowerBound: j.LowerBound}
	return nil
}

// String renders the quantile as the panes do: "1.24s", ">15.0s", "—".
func (q Quantile) String() string { return units.Quantile(q).String() }

// Number is a float64 that is null in JSON when unknown (NaN) or infinite.
type Number float64

// Unknown is the Number a backend could not tell.
func Unknown() Number { return Number(math.NaN()) }

// Known reports whether n is a finite number.
func (n Number) Known() bool { return units.Known(float64(n)) }

// MarshalJSON writes the number, or null when it is not finite.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Known() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}

// UnmarshalJSON reads a number; null reads as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Unknown()
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Number(f)
	return nil
}

// Service is the service the snapshot is about: the SLO's, else the RED
// table's, else the trace's root service; "" when none.
func (s Snapshot) Service() string {
	switch {
	case s.SLO != nil:
		return s.SLO.Service
	case s.RED != nil:
		return s.RED.Service
	case s.Trace != nil:
		return s.Trace.RootService
	}
	return ""
}
