package config

import (
	"fmt"
	"math"

	"gopkg.in/yaml.v3"
)

// Assume sets the SLOs assumed for services that define none: `assume: off`
// turns them off; else availability and latency objectives (a percentage,
// a ratio, or off) and fixed latency thresholds per service.
type Assume struct {
	Off          bool                `yaml:"-"`
	Availability Objective           `yaml:"availability"`
	Latency      Objective           `yaml:"latency"`
	Thresholds   map[string]Duration `yaml:"latency_thresholds"`
}

// UnmarshalYAML reads `off` or the mapping.
func (a *Assume) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.Value != "off" {
			return fmt.Errorf("%q: write off, or a mapping of availability, latency and latency_thresholds", n.Value)
		}
		*a = Assume{Off: true}
		return nil
	}
	type plain Assume
	return n.Decode((*plain)(a))
}

// Objective is an assumed objective: 0 for the default, or off.
type Objective struct {
	Value float64 `yaml:"-"` // percent (99.9) or ratio (0.999); 0 = the default
	Off   bool    `yaml:"-"`
}

// UnmarshalYAML reads a number or off.
func (o *Objective) UnmarshalYAML(n *yaml.Node) error {
	if n.Value == "off" {
		*o = Objective{Off: true}
		return nil
	}
	var v float64
	if err := n.Decode(&v); err != nil {
		return fmt.Errorf("%q: write an objective such as 99.9, or off", n.Value)
	}
	*o = Objective{Value: v}
	return nil
}

// Ratio returns the objective as a ratio (99.9 → 0.999); 0 for the default.
func (o Objective) Ratio() float64 { return ratio(o.Value) }

// ratio turns a percentage into a ratio, leaving ratios as they are.
func ratio(objective float64) float64 {
	if objective >= 1 {
		objective /= 100
	}
	return math.Round(objective*1e9) / 1e9 // 99.9/100 is 0.9990000000000001
}

// validObjective reports whether v reads as a percentage or a ratio.
func validObjective(v float64) bool {
	return v > 0 && v < 100 && (v < 1 || v >= 50)
}

func (a *Assume) validate(file, path string) error {
	for key, o := range map[string]Objective{"availability": a.Availability, "latency": a.Latency} {
		if !o.Off && o.Value != 0 && !validObjective(o.Value) {
			return &Error{File: file, Key: path + "." + key, Msg: fmt.Sprintf("%v is not an objective", o.Value), Fix: "write a percentage such as 99.9, a ratio such as 0.999, or off"}
		}
	}
	for service, t := range a.Thresholds {
		if t <= 0 {
			return &Error{File: file, Key: path + ".latency_thresholds." + service, Msg: "must be positive", Fix: "write the latency bound, e.g. 2s (rounded up to a bucket bound)"}
		}
	}
	return nil
}
