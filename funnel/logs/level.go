package logs

import (
	"strconv"
	"strings"
)

// Where levels are looked for, in order (see Parse).
var (
	levelFieldKeys    = []string{"level", "lvl", "severity", "severity_text", "log.level"}
	levelMetadataKeys = []string{"severity_text", "detected_level", "level", "severity"}
	levelLabelKeys    = []string{"level", "detected_level", "severity_text", "severity"}
)

// keywordWindow bounds the level keyword search: the first words of the
// body, within its first bytes.
const (
	keywordWords = 8
	keywordBytes = 120
)

// levelOf finds the level of a line from its fields, then its metadata
// and labels, then a keyword near the start of its text.
func levelOf(l Line, fields []Field) Level {
	for _, k := range levelFieldKeys {
		if v, ok := lookup(fields, k); ok {
			if lv := LevelOf(v); lv != LevelUnknown {
				return lv
			}
		}
	}
	for _, k := range levelMetadataKeys {
		if lv := LevelOf(l.Metadata[k]); lv != LevelUnknown {
			return lv
		}
	}
	if lv := otlpSeverity(l.Metadata["severity_number"]); lv != LevelUnknown {
		return lv
	}
	for _, k := range levelLabelKeys {
		if lv := LevelOf(l.Labels[k]); lv != LevelUnknown {
			return lv
		}
	}
	text := l.Body
	if len(fields) > 0 {
		text = messageOf(l.Body, fields)
	}
	return keywordLevel(text)
}

// LevelOf parses a level value as loggers write it: a name in any case
// ("ERROR", "warning", "crit", "dbg", …) or a Pino number (10 trace, 20
// debug, 30 info, 40 warn, 50 error, 60 fatal). Anything else is
// LevelUnknown.
func LevelOf(v string) Level {
	v = strings.ToLower(strings.TrimSpace(v))
	switch v {
	case "trace", "trc", "finest", "10":
		return LevelTrace
	case "debug", "dbg", "fine", "finer", "20":
		return LevelDebug
	case "info", "inf", "information", "informational", "notice", "30":
		return LevelInfo
	case "warn", "warning", "wrn", "40":
		return LevelWarn
	case "error", "err", "eror", "erro", "severe", "50":
		return LevelError
	case "fatal", "panic", "dpanic", "crit", "critical", "alert", "emerg", "emergency", "60":
		return LevelFatal
	}
	return LevelUnknown
}

// otlpSeverity maps an OpenTelemetry severity number (1–24) to a level.
func otlpSeverity(v string) Level {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 24 {
		return LevelUnknown
	}
	return []Level{LevelTrace, LevelDebug, LevelInfo, LevelWarn, LevelError, LevelFatal}[(n-1)/4]
}

// keywordLevel looks for a level keyword (ERROR, ERR, FATAL, PANIC, WARN,
// WARNING, INFO, DEBUG, TRACE, CRITICAL, any case) as a whole word among
// the first words of text. Words are split at white space and at
// [ ] ( ) < > | : , ; = so "[ERROR]", "ERROR:" and "level=error" count,
// while "trace_id" and "errors" do not.
func keywordLevel(text string) Level {
	if len(text) > keywordBytes {
		text = text[:keywordBytes]
	}
	words := strings.FieldsFunc(text, func(r rune) bool {
		return r <= ' ' || strings.ContainsRune("[]()<>|:,;=\"'", r)
	})
	for i, w := range words {
		if i == keywordWords {
			break
		}
		switch strings.ToLower(w) {
		case "error", "err":
			return LevelError
		case "fatal", "panic", "critical":
			return LevelFatal
		case "warn", "warning":
			return LevelWarn
		case "info":
			return LevelInfo
		case "debug":
			return LevelDebug
		case "trace":
			return LevelTrace
		}
	}
	return LevelUnknown
}
