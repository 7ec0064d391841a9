package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is redline's module path.
const module = "github.com/redline-tui/redline"

// listedPackage is what the dependency rule needs of `go list -json`.
type listedPackage struct {
	ImportPath string
	Deps       []string // every package it depends on, transitively (tests excluded)
}

// TestDependencyRule keeps the layering of README.md's Architecture
// section for every package of the module (production code; tests may use
// other layers' fixtures): funnel depends only on the standard library,
// ui and sources never depend on each other, only cmd depends on all three.
func TestDependencyRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, v := range layerViolations(pkgs) {
		t.Error(v)
	}
}

// TestLayerViolationsCatchesEachRule feeds the rule one breach of each kind.
func TestLayerViolationsCatchesEachRule(t *testing.T) {
	pkgs := []listedPackage{
		{ImportPath: module + "/funnel/x", Deps: []string{"fmt", "github.com/some/lib"}},
		{ImportPath: module + "/ui/x", Deps: []string{module + "/sources/demo"}},
		{ImportPath: module + "/sources/x", Deps: []string{module + "/ui/pane"}},
		{ImportPath: module + "/funnel/y", Deps: []string{module + "/ui"}},
		{ImportPath: module + "/cmd/redline", Deps: []string{module + "/ui", module + "/sources/demo", module + "/funnel"}},
		{ImportPath: module + "/funnel/ok", Deps: []string{"fmt", "net/url", module + "/funnel"}},
	}
	got := layerViolations(pkgs)
	for _, want := range []string{"funnel/x depends on github.com/some/lib", "ui/x depends on " + module + "/sources/demo",
		"sources/x depends on " + module + "/ui/pane", "funnel/y depends on " + module + "/ui"} {
		if !slices.ContainsFunc(got, func(v string) bool { return strings.Contains(v, want) }) {
			t.Errorf("violations %q lack %q", got, want)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d violations, want 4: %q", len(got), got)
	}
}

// layerViolations lists every dependency that breaks the rule.
func layerViolations(pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		layer := layerOf(p.ImportPath)
		for _, d := range p.Deps {
			if why := forbidden(layer, d); why != "" {
				out = append(out, strings.TrimPrefix(p.ImportPath, module+"/")+" depends on "+d+": "+why)
			}
		}
	}
	return out
}

// layerOf is the top-level directory of a module package: funnel, sources,
// ui or cmd.
func layerOf(importPath string) string {
	rest, ok := strings.CutPrefix(importPath, module+"/")
	if !ok {
		return ""
	}
	layer, _, _ := strings.Cut(rest, "/")
	return layer
}

// forbidden says why layer may not depend on dep, or "".
func forbidden(layer, dep string) string {
	depLayer := layerOf(dep)
	switch {
	case layer == "funnel" && depLayer != "funnel" && !standard(dep):
		return "funnel uses only the standard library"
	case layer == "ui" && (depLayer == "sources" || depLayer == "cmd"):
		return "ui never imports sources (or cmd): panes declare the interfaces they need"
	case layer == "sources" && (depLayer == "ui" || depLayer == "cmd"):
		return "sources never import ui (or cmd): they return funnel types"
	}
	return ""
}

// standard reports whether an import path is in the standard library: its
// first element has no dot.
func standard(importPath string) bool {
	first, _, _ := strings.Cut(importPath, "/")
	return !strings.Contains(first, ".")
}
