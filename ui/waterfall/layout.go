package waterfall

// Column and area sizes, in terminal cells.
const (
	markerWidth   = 4  // cursor, critical mark, error mark, space
	durWidth      = 7  // "999.9ms"
	minBarWidth   = 20 // bars never get narrower than this while the pane can hold them
	maxTreeWidth  = 64 // wider terminals give the extra room to the bars
	selfMinWidth  = 100
	sideDetailMin = 180 // from this width the detail panel sits on the right
	headerRows    = 3   // summary, status, axis
	minDetailRows = 6
)

// columns is the pane's layout for one size and detail setting.
type columns struct {
	listWidth   int // the waterfall's own width (header, axis and rows)
	tree        int // the tree column (guides, fold marker, service, name)
	self        bool
	bar         int
	listRows    int // span rows on screen
	detailWidth int // > 0: detail panel on the right, this wide (separator excluded)
	detailRows  int // > 0: detail panel at the bottom, this tall (separator included)
}

// computeColumns lays out a width×height pane. Narrow panes drop the self
// time column and shrink the tree column before the bars go below
// minBarWidth; wide panes cap the tree column and widen the bars.
func computeColumns(width, height int, detail bool) columns {
	c := columns{listWidth: width}
	switch {
	case detail && width >= sideDetailMin:
		c.detailWidth = width / 3
		c.listWidth = width - c.detailWidth - 1
	case detail:
		c.detailRows = clamp(height*2/5, minDetailRows, height-headerRows-1)
	}
	c.self = c.listWidth >= selfMinWidth
	rest := c.listWidth - markerWidth - (1 + durWidth) - 1
	if c.self {
		rest -= 1 + durWidth
	}
	c.bar = max(minBarWidth, rest/2)
	c.tree = max(rest-c.bar, 0)
	if c.tree > maxTreeWidth {
		c.bar += c.tree - maxTreeWidth
		c.tree = maxTreeWidth
	}
	c.bar = max(min(c.bar, rest), 0)
	c.listRows = max(height-headerRows-max(c.detailRows, 0), 0)
	return c
}
