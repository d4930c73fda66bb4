// Package duration is the JSON form of a time.Duration in the examples' configuration files: a
// string as Go writes it ("30s", "2m"), never a number of nanoseconds.
package duration

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration read from and written to JSON as a string. Zero means "the
// default" (see Or).
type Duration time.Duration

// UnmarshalJSON reads a duration string; negative durations are refused.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Or returns d, or def when d is zero.
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}
