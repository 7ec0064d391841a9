package clipboard

import (
	"errors"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Delivery says where a snapshot goes.
type Delivery struct {
	Dir  string // where the file is saved; "" means DefaultDir
	File File   // names the file; its Content is replaced by the text
	// Clipboard receives the OSC 52 sequence (the terminal, or a buffer the
	// caller writes to the terminal itself); nil skips copying.
	Clipboard io.Writer
	Env       Env
}

// Result is what happened to a delivered snapshot.
type Result struct {
	Path   string // the file written; "" when saving failed
	Copied bool   // the OSC 52 sequence was written
	Err    error  // what failed (saving, copying or both); nil when nothing did
}

// Deliver always saves text to a file first, then copies it to the
// clipboard: a clipboard that fails, or text over the cap, still leaves
// the complete file.
func Deliver(text string, d Delivery) Result {
	f := d.File
	f.Content = text
	var res Result
	path, saveErr := Save(d.Dir, f)
	res.Path = path
	var copyErr error
	if d.Clipboard != nil {
		copyErr = Copy(d.Clipboard, text, d.Env)
		res.Copied = copyErr == nil
	}
	res.Err = errors.Join(saveErr, copyErr)
	return res
}

// Message is a one-line report for the status line, e.g. "snapshot
// copied (OSC 52) and saved to /…/20261121T200000Z-checkout.md".
func (r Result) Message() string {
	var parts []string
	switch {
	case r.Copied && r.Path != "":
		parts = append(parts, "snapshot copied (OSC 52) and saved to "+r.Path)
	case r.Copied:
		parts = append(parts, "snapshot copied (OSC 52), not saved")
	case r.Path != "":
		parts = append(parts, "snapshot saved to "+r.Path)
	default:
		parts = append(parts, "snapshot not saved")
	}
	if r.Err != nil {
		parts = append(parts, strings.ReplaceAll(r.Err.Error(), "\n", "; "))
	}
	return strings.Join(parts, ": ")
}

// Delivered is the message DeliverCmd answers with. Sequence is the OSC 52
// sequence to hand to the terminal (tea.Raw), "" when not copying.
type Delivered struct {
	Result   Result
	Sequence string
}

// DeliverCmd saves and prepares the copy off the event loop: the root
// model receives Delivered, shows Result.Message() and returns
// tea.Raw(Sequence) so the sequence goes out through Bubble Tea's own
// writer, between frames.
func DeliverCmd(text string, d Delivery) tea.Cmd {
	return func() tea.Msg {
		var seq strings.Builder
		d.Clipboard = &seq
		return Delivered{Result: Deliver(text, d), Sequence: seq.String()}
	}
}

// SaveCmd saves text off the event loop without copying it; the root model
// receives Delivered with an empty Sequence.
func SaveCmd(text string, d Delivery) tea.Cmd {
	return func() tea.Msg {
		d.Clipboard = nil
		return Delivered{Result: Deliver(text, d)}
	}
}
