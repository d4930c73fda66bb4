package ops

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/examples/internal/duration"
)

// Section is the operational part of the relay's and the milter's configuration section; every
// field may be omitted. A reload applies Mode, ReplyTexts and LogLevel; MetricsListen and
// WatchInterval are read at start only.
type Section struct {
	// Mode is "enforce" (default) or "monitor" (Mode).
	Mode Mode `json:"mode,omitempty"`
	// ReplyTexts replace the texts of the policy's refusals, keeping their codes (ReplyTexts).
	ReplyTexts ReplyTexts `json:"replyTexts,omitzero"`
	// LogLevel is "debug", "info" (default), "warn" or "error".
	LogLevel LogLevel `json:"logLevel,omitempty"`
	// MetricsListen is the "host:port" of the HTTP listener serving /metrics (Prometheus) and
	// /healthz; empty: none.
	MetricsListen string `json:"metricsListen,omitempty"`
	// WatchInterval, when set, makes the program check every so often whether its configuration
	// files changed and reload them if so (besides SIGHUP).
	WatchInterval duration.Duration `json:"watchInterval,omitempty"`
}

// Check reports every problem of s, each naming its field under prefix (e.g. "milter.").
func (s Section) Check(prefix string) []error {
	var errs []error
	for _, err := range s.ReplyTexts.check() {
		errs = append(errs, fmt.Errorf("%sreplyTexts.%w", prefix, err))
	}
	if s.WatchInterval != 0 && s.WatchInterval.Or(0) < minWatch {
		errs = append(errs, fmt.Errorf("%swatchInterval: %s is below the minimum of %s", prefix, s.WatchInterval.Or(0), minWatch))
	}
	return errs
}

// minWatch is the shortest WatchInterval: each check reads every configuration file.
const minWatch = time.Second

// Flatten returns the errors err holds: those of errors.Join, recursively, else err itself, so
// each can be logged on its own.
func Flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Flatten(e)...)
		}
		return out
	}
	// A wrapped join ("config: " and the joined errors) keeps its prefix on each of them.
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		inner := j.(error)
		if prefix, ok := strings.CutSuffix(err.Error(), inner.Error()); ok {
			var out []error
			for _, e := range Flatten(inner) {
				out = append(out, fmt.Errorf("%s%w", prefix, e))
			}
			return out
		}
	}
	return []error{err}
}
