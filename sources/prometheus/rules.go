package prometheus

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel/alert"
)

// rulesTTL is how long the rules read from /api/v1/rules are reused.
const rulesTTL = detectTTL

// ruleIndex is what /api/v1/rules says redline needs: each alerting rule,
// by alert name, with what the recording rules its expression reads say of
// it.
type ruleIndex struct {
	at       time.Time
	alerting map[string][]alertingRule
}

// alertingRule is one alerting rule: its expression, its static labels and
// the labels the recording rules its expression reads agree on (their
// sloth_service, slo… and the equality matchers the expression puts on
// them).
type alertingRule struct {
	query      string
	labels     map[string]string
	ruleLabels map[string]string
}

// rulesCache holds the last rules read; its lock is held while reading, so
// concurrent steps send one request.
type rulesCache struct {
	mu    sync.Mutex
	index *ruleIndex
}

// rules returns the alerting rules, read at most every rulesTTL.
func (c *Client) rules(ctx context.Context) (*ruleIndex, error) {
	c.rulesCache.mu.Lock()
	defer c.rulesCache.mu.Unlock()
	now := c.now()
	if idx := c.rulesCache.index; idx != nil && now.Sub(idx.at) < rulesTTL {
		return idx, nil
	}
	var res v1.RulesResult
	err := c.send(ctx, "alerting and recording rules", func(ctx context.Context) (err error) {
		res, err = c.api.Rules(ctx, nil)
		return err
	})
	if err != nil {
		return nil, describe("alerting and recording rules", err)
	}
	idx := newRuleIndex(res, now)
	c.rulesCache.index = idx
	return idx, nil
}

// newRuleIndex indexes the alerting rules of res by name and works out
// what each one's recording rules say.
func newRuleIndex(res v1.RulesResult, at time.Time) *ruleIndex {
	recording := map[string][]map[string]string{}
	var alerting []v1.AlertingRule
	for _, g := range res.Groups {
		for _, r := range g.Rules {
			switch r := r.(type) {
			case v1.RecordingRule:
				recording[r.Name] = append(recording[r.Name], labelMap(r.Labels))
			case v1.AlertingRule:
				alerting = append(alerting, r)
			}
		}
	}
	idx := &ruleIndex{at: at, alerting: map[string][]alertingRule{}}
	for _, r := range alerting {
		idx.alerting[r.Name] = append(idx.alerting[r.Name], alertingRule{
			query: r.Query, labels: labelMap(r.Labels), ruleLabels: readsRules(r.Query, recording),
		})
	}
	return idx
}

// readsRules is what every recording rule expr reads agrees on: the static
// labels of each rule of a selector's name that its matchers allow, with
// the selector's equality matchers. nil when expr reads no recording rule.
func readsRules(expr string, recording map[string][]map[string]string) map[string]string {
	var agreed map[string]string
	for _, sel := range selectorsIn(expr) {
		for _, labels := range recording[sel.metric] {
			if !allows(sel.matchers, labels) {
				continue
			}
			said := maps.Clone(labels)
			for _, m := range sel.matchers {
				if m.Op == "=" && m.Value != "" {
					said[m.Label] = m.Value
				}
			}
			agreed = agree(agreed, said)
		}
	}
	return agreed
}

// allows reports whether matchers can select a rule with these static
// labels: only the labels it sets can contradict a matcher.
func allows(matchers []matcher, labels map[string]string) bool {
	for _, m := range matchers {
		if _, set := labels[m.Label]; set && !m.matches(model.Metric{model.LabelName(m.Label): model.LabelValue(labels[m.Label])}) {
			return false
		}
	}
	return true
}

// agree keeps the labels of a that b gives the same value; a nil a takes b.
func agree(a, b map[string]string) map[string]string {
	if a == nil {
		return b
	}
	maps.DeleteFunc(a, func(k, v string) bool { return b[k] != v })
	return a
}

// explain gives each alert the labels its alerting rule's recording rules
// agree on: the rules of its name whose static labels it carries (several
// rules may share a name: what they all agree on).
func (idx *ruleIndex) explain(alerts []alert.Alert) {
	for i, a := range alerts {
		var said map[string]string
		for _, r := range idx.alerting[a.Name] {
			if r.ruleLabels != nil && carries(a.Labels, r.labels) {
				said = agree(said, maps.Clone(r.ruleLabels))
			}
		}
		if len(said) > 0 {
			alerts[i].RuleLabels = said
		}
	}
}

// carries reports whether an alert's labels hold a rule's static labels;
// templated ones ({{ $labels.x }}) may take any value.
func carries(alertLabels, ruleLabels map[string]string) bool {
	for k, v := range ruleLabels {
		if alertLabels[k] != v && !strings.Contains(v, "{{") {
			return false
		}
	}
	return true
}

func labelMap(ls model.LabelSet) map[string]string {
	out := make(map[string]string, len(ls))
	for k, v := range ls {
		out[string(k)] = string(v)
	}
	return out
}
