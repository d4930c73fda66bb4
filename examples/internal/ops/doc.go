// Package ops is what the relay and the milter share for running in production: the operational
// part of their configuration (mode, reply texts, log level, metrics listener, file watch), the
// monitor mode's rule of which policy refusals it lets through, and the JSON logger.
package ops
