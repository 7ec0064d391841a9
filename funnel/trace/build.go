package trace

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// SkewTolerance is how far a child may start before, or end after, its
// parent before it is flagged Skewed: backends round span times to the
// microsecond, so smaller overhangs are rounding, not clock skew.
const SkewTolerance = time.Microsecond

// builder holds the working state of Build, indexed by input position
// ("original index") until order() assigns depth-first positions. It reads
// the (large) Span structs in sequential passes and works on compact arrays
// afterwards, which matters for traces of 100k spans.
type builder struct {
	spans  []Span
	base   time.Time // earliest start; times below are nanoseconds after it
	start  []int64
	end    []int64 // never before start (negative durations count as zero)
	parent []int   // original index of the parent, -1 for roots
	orphan []bool
	dup    []bool

	services []string // distinct services in input order
	service  []int32  // index into services, -1 for none

	// Filled by order(): the children of original node i are
	// kids[kidsAt[i]:kidsAt[i+1]], sorted; roots likewise.
	kids   []int
	kidsAt []int
	roots  []int
	dfs    []int // depth-first position → original index
	pos    []int // original index → depth-first position
}

func newBuilder(spans []Span) *builder {
	n := len(spans)
	b := &builder{
		spans:   spans,
		base:    spans[0].Start,
		start:   make([]int64, n),
		end:     make([]int64, n),
		parent:  make([]int, n),
		orphan:  make([]bool, n),
		dup:     make([]bool, n),
		service: make([]int32, n),
	}
	for i := range spans {
		if spans[i].Start.Before(b.base) {
			b.base = spans[i].Start
		}
	}
	return b
}

// scan reads every span once for its times, span ID (flagging duplicates)
// and service.
func (b *builder) scan() *spanIndex {
	index := newSpanIndex(len(b.spans))
	var names serviceNames
	for i := range b.spans {
		sp := &b.spans[i]
		s := int64(sp.Start.Sub(b.base))
		b.start[i] = s
		b.end[i] = max(s+int64(max(sp.Duration, 0)), s) // max guards overflow
		if sp.SpanID != "" && !index.add(sp.SpanID, i) {
			b.dup[i] = true
		}
		b.service[i] = names.id(sp.Service)
	}
	b.services = names.list
	return index
}

// resolveParents links every span to the first span holding its parent ID
// in index, flagging orphans.
func (b *builder) resolveParents(index *spanIndex) {
	for i := range b.spans {
		b.parent[i] = -1
		pid := b.spans[i].ParentID
		if pid == "" {
			continue
		}
		if p, ok := index.find(pid); ok {
			b.parent[i] = p
		} else {
			b.orphan[i] = true
		}
	}
}

// serviceNames numbers distinct service names. Neighbouring spans mostly
// share a service and traces touch few, so a linear scan beats a map; the
// map takes over only for traces with unusually many services.
type serviceNames struct {
	list   []string
	byName map[string]int32
	last   int32
	seen   bool
}

const serviceScanLimit = 32

// id returns the number of name, -1 for "".
func (n *serviceNames) id(name string) int32 {
	if name == "" {
		return -1
	}
	if n.seen && n.list[n.last] == name {
		return n.last
	}
	id, ok := n.find(name)
	if !ok {
		id = int32(len(n.list))
		n.list = append(n.list, name)
		if n.byName != nil {
			n.byName[name] = id
		} else if len(n.list) > serviceScanLimit {
			n.byName = make(map[string]int32, 2*len(n.list))
			for k, s := range n.list {
				n.byName[s] = int32(k)
			}
		}
	}
	n.last, n.seen = id, true
	return id
}

func (n *serviceNames) find(name string) (int32, bool) {
	if n.byName != nil {
		id, ok := n.byName[name]
		return id, ok
	}
	for k, s := range n.list {
		if s == name {
			return int32(k), true
		}
	}
	return 0, false
}

// spanIndex maps span IDs to positions. Span IDs that parse as 16 hex
// digits are keyed by their 64-bit value, which hashes and compares faster
// than the string on large traces; any other ID is keyed by its text.
type spanIndex struct {
	byValue map[uint64]int32
	byText  map[string]int
}

func newSpanIndex(n int) *spanIndex {
	return &spanIndex{byValue: make(map[uint64]int32, n), byText: make(map[string]int)}
}

// add records id at position i unless id is already known; it reports
// whether id was new.
func (x *spanIndex) add(id string, i int) bool {
	if v, ok := spanIDValue(id); ok {
		if _, seen := x.byValue[v]; seen {
			return false
		}
		x.byValue[v] = int32(i)
		return true
	}
	if _, seen := x.byText[id]; seen {
		return false
	}
	x.byText[id] = i
	return true
}

func (x *spanIndex) find(id string) (int, bool) {
	if v, ok := spanIDValue(id); ok {
		i, found := x.byValue[v]
		return int(i), found
	}
	i, found := x.byText[id]
	return i, found
}

// spanIDValue parses a 16-digit hex span ID (either case, as IDs are
// case-insensitive); ok is false for anything else.
func spanIDValue(id string) (v uint64, ok bool) {
	if len(id) != SpanIDLen {
		return 0, false
	}
	for i := 0; i < SpanIDLen; i++ {
		d := hexDigit[id[i]]
		if d > 0xf {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

// hexDigit maps a byte to its hex value, 0xff when it is not a hex digit.
var hexDigit = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c - 'a' + 10)
		t[c-'a'+'A'] = uint8(c - 'a' + 10)
	}
	return t
}()

// breakCycles cuts every parent chain that loops back on itself, so that
// each span reaches a root. It visits each span once.
func (b *builder) breakCycles() {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(b.spans))
	var path []int
	for i := range b.spans {
		path = path[:0]
		j := i
		for j >= 0 && state[j] == unseen {
			state[j] = onPath
			path = append(path, j)
			j = b.parent[j]
		}
		if j >= 0 && state[j] == onPath {
			b.cutCycle(path[slices.Index(path, j):])
		}
		for _, k := range path {
			state[k] = done
		}
	}
}

// cutCycle makes the earliest span of cycle an orphan root.
func (b *builder) cutCycle(cycle []int) {
	first := slices.MinFunc(cycle, b.compare)
	b.parent[first] = -1
	b.orphan[first] = true
}

// compare orders spans by start, then span ID, then input position.
func (b *builder) compare(x, y int) int {
	if c := cmp.Compare(b.start[x], b.start[y]); c != 0 {
		return c
	}
	if c := strings.Compare(b.spans[x].SpanID, b.spans[y].SpanID); c != 0 {
		return c
	}
	return cmp.Compare(x, y)
}

// order sorts children and roots and lays the forest out depth first.
// Sorting each sibling group separately costs Σ k·log k, far less than one
// global sort for the usual small fan-out.
func (b *builder) order() {
	n := len(b.spans)
	b.kidsAt = make([]int, n+1)
	for _, p := range b.parent {
		if p >= 0 {
			b.kidsAt[p+1]++
		}
	}
	for i := 1; i <= n; i++ {
		b.kidsAt[i] += b.kidsAt[i-1]
	}
	b.kids = make([]int, b.kidsAt[n])
	fill := slices.Clone(b.kidsAt[:n])
	for i, p := range b.parent {
		if p >= 0 {
			b.kids[fill[p]] = i
			fill[p]++
		} else {
			b.roots = append(b.roots, i)
		}
	}
	slices.SortFunc(b.roots, b.compare)
	for i := range n {
		if kids := b.children(i); len(kids) > 1 {
			slices.SortFunc(kids, b.compare)
		}
	}
	b.layOutDepthFirst()
}

func (b *builder) children(orig int) []int {
	return b.kids[b.kidsAt[orig]:b.kidsAt[orig+1]]
}

// layOutDepthFirst fills dfs and pos with a pre-order walk of the forest.
func (b *builder) layOutDepthFirst() {
	n := len(b.spans)
	b.dfs = make([]int, 0, n)
	b.pos = make([]int, n)
	stack := make([]int, 0, 64)
	for r := len(b.roots) - 1; r >= 0; r-- {
		stack = append(stack, b.roots[r])
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		b.pos[i] = len(b.dfs)
		b.dfs = append(b.dfs, i)
		kids := b.children(i)
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
}

// tree turns the ordered builder into a Tree with depth, flags and self
// times; the critical path is marked separately.
func (b *builder) tree() *Tree {
	n := len(b.spans)
	t := &Tree{
		Nodes: make([]Node, n),
		Roots: make([]int, len(b.roots)),
		Start: b.base,
	}
	for r, orig := range b.roots {
		t.Roots[r] = b.pos[orig]
	}
	kids := make([]int, len(b.kids))
	var latest int64
	for at, orig := range b.dfs {
		nd := &t.Nodes[at]
		nd.Span = &b.spans[orig]
		nd.Parent = -1
		nd.Orphan = b.orphan[orig]
		nd.Duplicate = b.dup[orig]
		if p := b.parent[orig]; p >= 0 {
			nd.Parent = b.pos[p]
			nd.Depth = t.Nodes[nd.Parent].Depth + 1
			nd.Skewed = b.skewed(orig, p)
		}
		origKids := b.children(orig)
		nd.Children = kids[:len(origKids):len(origKids)]
		kids = kids[len(origKids):]
		for k, c := range origKids {
			nd.Children[k] = b.pos[c]
		}
		nd.SelfTime = b.selfTime(orig, origKids)
		latest = max(latest, b.end[orig])
	}
	t.End = b.base.Add(time.Duration(latest))
	t.Services = b.orderedServices()
	return t
}

// skewed reports whether child overhangs parent by more than SkewTolerance.
func (b *builder) skewed(child, parent int) bool {
	tol := int64(SkewTolerance)
	return b.start[child] < b.start[parent]-tol || b.end[child] > b.end[parent]+tol
}

// selfTime is the span's duration minus the union of its children's
// intervals clipped to the span; kids are sorted by start.
func (b *builder) selfTime(orig int, kids []int) time.Duration {
	lo, hi := b.start[orig], b.end[orig]
	covered, reach := int64(0), lo
	for _, c := range kids {
		from, to := max(b.start[c], reach), min(b.end[c], hi)
		if to > from {
			covered += to - from
			reach = to
		}
	}
	return time.Duration(hi - lo - covered)
}

// orderedServices lists distinct non-empty service names in depth-first
// order of their first span.
func (b *builder) orderedServices() []string {
	first := make([]int, len(b.services))
	for k := range first {
		first[k] = len(b.spans)
	}
	for i, svc := range b.service {
		if svc >= 0 {
			first[svc] = min(first[svc], b.pos[i])
		}
	}
	out := make([]string, len(b.services))
	idx := make([]int, len(b.services))
	for k := range idx {
		idx[k] = k
	}
	slices.SortFunc(idx, func(x, y int) int { return cmp.Compare(first[x], first[y]) })
	for k, svc := range idx {
		out[k] = b.services[svc]
	}
	return out
}
