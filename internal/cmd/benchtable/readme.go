package main

import (
	"errors"
	"strings"
)

// The generated table sits between these two lines of README.md's "Performance" section.
const (
	beginMarker = "<!-- benchtable:begin -->"
	endMarker   = "<!-- benchtable:end -->"
)

// replaceBetweenMarkers returns doc with everything between the begin and end marker lines
// replaced by body. Both markers must occur exactly once, begin before end, each on a line of its
// own; otherwise it returns an error and leaves the caller to keep the file as it is.
func replaceBetweenMarkers(doc, body string) (string, error) {
	if strings.Count(doc, beginMarker) != 1 || strings.Count(doc, endMarker) != 1 {
		return "", errors.New("README must hold each of " + beginMarker + " and " + endMarker + " exactly once")
	}
	b := strings.Index(doc, beginMarker)
	e := strings.Index(doc, endMarker)
	if e < b {
		return "", errors.New(endMarker + " comes before " + beginMarker)
	}
	afterBegin := b + len(beginMarker)
	if !strings.HasPrefix(doc[afterBegin:], "\n") || (e > 0 && doc[e-1] != '\n') {
		return "", errors.New("the benchtable markers must each be on a line of their own")
	}
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return doc[:afterBegin+1] + body + doc[e:], nil
}
