package ops

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// LogLevel is the lowest level logged: "debug", "info" (default, also ""), "warn" or "error".
type LogLevel string

// UnmarshalText accepts the four level names in any case.
func (l *LogLevel) UnmarshalText(b []byte) error {
	v := LogLevel(strings.ToLower(string(b)))
	switch v {
	case "", "debug", "info", "warn", "error":
		*l = v
		return nil
	}
	return fmt.Errorf("logLevel %q: want debug, info, warn or error", clip(string(b)))
}

// Level is l as a slog.Level.
func (l LogLevel) Level() slog.Level {
	switch l {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// NewLogger returns the programs' logger: JSON lines (log/slog) on w, at the level lv holds, so
// that a reload can change it.
func NewLogger(w io.Writer, lv *slog.LevelVar) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv}))
}
