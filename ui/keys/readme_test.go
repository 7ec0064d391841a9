package keys

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the keys table in README.md")

const (
	readme     = "../../README.md"
	tableStart = "<!-- keys:start -->\n"
	tableEnd   = "<!-- keys:end -->"
)

// TestREADMEKeysTable keeps README's keys table generated from the key map:
// run `go test ./ui/keys -update` after changing a binding.
func TestREADMEKeysTable(t *testing.T) {
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	start, end := strings.Index(doc, tableStart), strings.Index(doc, tableEnd)
	if start < 0 || end < start {
		t.Fatalf("README.md lacks the %q … %q markers", tableStart, tableEnd)
	}
	want := Default().MarkdownTable()
	got := doc[start+len(tableStart) : end]
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("README.md keys table is stale; run go test ./ui/keys -update\nwant:\n%s", want)
	}
	doc = doc[:start+len(tableStart)] + want + doc[end:]
	if err := os.WriteFile(readme, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEveryBindingHasKeysAndHelp(t *testing.T) {
	for _, g := range Default().Groups() {
		for _, b := range g.Bindings {
			if len(b.Keys()) == 0 || b.Help().Desc == "" {
				t.Errorf("%s: binding %v lacks keys or help", g.Name, b.Keys())
			}
		}
	}
}
