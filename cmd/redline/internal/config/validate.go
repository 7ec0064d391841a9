package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/redline-tui/redline/sources/budget"
)

func (f *File) validate() error {
	if f.CurrentContext != "" {
		if _, ok := f.Contexts[f.CurrentContext]; !ok {
			return &Error{File: f.path, Key: "current-context", Msg: fmt.Sprintf("names %q, which is not defined; defined: %s", f.CurrentContext, f.contextNames()), Fix: "add it under contexts or correct the name"}
		}
	}
	if err := f.validateBudget(); err != nil {
		return err
	}
	for _, name := range f.sortedContexts() {
		if err := f.Contexts[name].validate(f.path, "contexts."+name); err != nil {
			return err
		}
		if err := f.Contexts[name].fitsBudget(f.path, "contexts."+name, f.Budget()); err != nil {
			return err
		}
	}
	return f.Serve.validate(f.path)
}

// minBudget is the smallest response budget accepted: below it, ordinary
// answers (a route list, a trace) would be refused.
const minBudget = 1 << 20

func (f *File) validateBudget() error {
	if f.ResponseBudget != 0 && f.ResponseBudget < minBudget {
		return &Error{File: f.path, Key: "response_budget_bytes", Msg: fmt.Sprintf("%d is below 1 MiB (1048576)", f.ResponseBudget),
			Fix: fmt.Sprintf("write a number of bytes, e.g. %d for 256 MiB, or leave it out for the default (%d MiB)", 256<<20, budget.Default>>20)}
	}
	return nil
}

// fitsBudget refuses an endpoint whose answers may be larger than the
// response budget admits (its 1/budget.Charge: an answer may take that
// many times its size while it is read), as such an answer could never be.
func (c *Context) fitsBudget(file, path string, limit int64) error {
	for _, s := range c.Sections() {
		if s.Endpoint.MaxResponseBytes > limit/budget.Charge {
			return &Error{File: file, Key: path + "." + s.Key + ".max_response_bytes",
				Msg: fmt.Sprintf("%d is larger than a third of the response budget (%d, response_budget_bytes): an answer may take three times its size while it is read", s.Endpoint.MaxResponseBytes, limit),
				Fix: "lower it, or raise response_budget_bytes at the top of the file"}
		}
	}
	return nil
}

func (s *Serve) validate(file string) error {
	if s.Listen != "" {
		if _, _, err := net.SplitHostPort(s.Listen); err != nil {
			return &Error{File: file, Key: "serve.listen", Msg: fmt.Sprintf("%q is not host:port", s.Listen), Fix: "write e.g. 127.0.0.1:2222 or 0.0.0.0:2222"}
		}
	}
	switch {
	case s.IdleTimeout < 0:
		return &Error{File: file, Key: "serve.idle_timeout", Msg: "is negative", Fix: "write a duration such as 30m"}
	case s.MaxSessions < 0:
		return &Error{File: file, Key: "serve.max_sessions", Msg: "is negative", Fix: "write a positive number of sessions, or leave it out for the default"}
	}
	return nil
}

func (c *Context) validate(file, path string) error {
	sections := c.Sections()
	if err := oneperRole(file, path, sections); err != nil {
		return err
	}
	for _, s := range sections {
		if err := s.validate(file, path+"."+s.Key); err != nil {
			return err
		}
	}
	if c.Prometheus != nil {
		for i, s := range c.Prometheus.SLOs {
			if err := s.validate(file, fmt.Sprintf("%s.prometheus.slos[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	if c.Assume != nil {
		if err := c.Assume.validate(file, path+".assume"); err != nil {
			return err
		}
	}
	if c.Grafana != nil {
		if err := checkURL(file, path+".grafana.url", c.Grafana.URL); err != nil {
			return err
		}
	}
	return nil
}

// oneperRole refuses two backends serving the same step (tempo and jaeger).
func oneperRole(file, path string, sections []Section) error {
	seen := map[Role]string{}
	for _, s := range sections {
		if first, ok := seen[s.Role]; ok {
			return &Error{File: file, Key: path, Msg: fmt.Sprintf("both %s and %s are set", first, s.Key), Fix: "keep the one your " + string(s.Role) + " are in"}
		}
		seen[s.Role] = s.Key
	}
	return nil
}

// validate checks the endpoint, then refuses the settings the backend
// cannot honour (in key order, so the same file gives the same error).
func (s Section) validate(file, path string) error {
	if err := s.Endpoint.validate(file, path, s.URLOptional); err != nil {
		return err
	}
	if len(s.Refuse) == 0 {
		return nil
	}
	key := slices.Min(slices.Collect(maps.Keys(s.Refuse)))
	return &Error{File: file, Key: path + "." + key, Msg: "not supported", Fix: s.Refuse[key]}
}

func (e *Endpoint) validate(file, path string, urlOptional bool) error {
	if e.URL != "" || !urlOptional {
		if err := checkURL(file, path+".url", e.URL); err != nil {
			return err
		}
	}
	if err := e.HTTP.Validate(); err != nil {
		return &Error{File: file, Key: path, Msg: err.Error(), Fix: "see Prometheus' http client configuration reference"}
	}
	files := e.CredentialFiles()
	slices.SortFunc(files, func(a, b CredentialFile) int { return strings.Compare(a.Key, b.Key) })
	for _, f := range files {
		if _, err := os.Stat(f.Path); err != nil {
			return &Error{File: file, Key: path + "." + f.Key, Msg: fmt.Sprintf("cannot read %s: %v", f.Path, unwrapPathError(err)), Fix: "create the file or correct the path (relative paths are relative to the config file)"}
		}
	}
	if e.MaxResponseBytes < 0 {
		return &Error{File: file, Key: path + ".max_response_bytes", Msg: "must not be negative", Fix: "leave it out for the default (64 MiB)"}
	}
	return nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func checkURL(file, key, raw string) error {
	if raw == "" {
		return &Error{File: file, Key: key, Msg: "missing", Fix: "set it to the backend's base URL, e.g. http://127.0.0.1:9090"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{File: file, Key: key, Msg: fmt.Sprintf("%q is not an http(s) URL", raw), Fix: "write it as http://host:port[/prefix]"}
	}
	return nil
}

func (s SLO) validate(file, path string) error {
	switch {
	case s.Service == "":
		return &Error{File: file, Key: path + ".service", Msg: "missing", Fix: "name the service the SLO belongs to"}
	case !validObjective(s.Objective):
		return &Error{File: file, Key: path + ".objective", Msg: fmt.Sprintf("%v is not an objective", s.Objective), Fix: "write a percentage such as 99.9 or a ratio such as 0.999"}
	case strings.TrimSpace(s.ErrorQuery) == "" || strings.TrimSpace(s.TotalQuery) == "":
		return &Error{File: file, Key: path, Msg: "error_query and total_query are both required", Fix: `give the counters of bad and of all events, e.g. http_requests_total{job="api",code=~"5.."} and http_requests_total{job="api"}`}
	}
	return nil
}

// Ratio returns the objective as a ratio (99.9 → 0.999).
func (s SLO) Ratio() float64 { return ratio(s.Objective) }
