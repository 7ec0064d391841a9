// Package sanitize makes untrusted text (log lines, span names, attribute
// and label values from backends) safe to draw in a terminal or paste in a
// snapshot: it neutralises control characters, ANSI CSI/OSC/DCS sequences,
// C1 controls, bidi overrides and invalid UTF-8.
package sanitize

// Line returns s made safe for one line of terminal output: every escape
// sequence and control character (tabs and newlines included) is replaced
// by a visible placeholder, bidi overrides and zero-width characters are
// removed or shown, and invalid UTF-8 becomes U+FFFD.
func Line(s string) string { panic("TODO") }

// Text is Line but keeps newlines (and expands tabs), for multi-line views.
func Text(s string) string { panic("TODO") }
