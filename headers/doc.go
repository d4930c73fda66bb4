// Package headers parses the header block of one message into the Exchange Online values a
// gateway reasons about. It reports what the header says; it decides nothing about trust.
package headers
