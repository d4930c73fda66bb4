package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
)

// The header tap: when the MTA agreed to send the header fields without waiting for a reply
// (SMFIP_NR_HDR, quietStages), a bufferedConn hands each SMFIC_HEADER packet straight to its
// filter (headerSink.tapField) instead of passing it up to go-milter, which would allocate the
// packet, copy the field again into two strings and copy its Modifier for the callback (about
// 40 KB for a 75-field block: docs/go-milter-patches.md). No reply is owed for those packets, so
// what the MTA sees does not change; the filter appends the field exactly as its Header callback
// does (addField).
//
// go-milter gives a filter no way to its connection, so the two meet through tapConns: before
// the first field of a run of header packets, the connection passes go-milter one made-up header
// packet of its own — an empty name and the connection's token — in place of the run. go-milter
// treats it as it treats the run's first field (an Abort first when the order of the commands
// calls for one, then Header; no reply) and the filter's Header, seeing the token, attaches
// itself (filter.Header). Every packet the connection passes to go-milter detaches it again, so
// each run starts with its own made-up packet and go-milter's view of the command order is the
// one it would have had. A packet the tap cannot take — a malformed one, one larger than the
// read buffer, anything but a header field or the header stage's macros followed by one — goes
// to go-milter as before, which decides it as before.

// headerSink receives the header fields a bufferedConn takes from the MTA (the filter).
type headerSink interface {
	// tapField takes one field as go-milter would have passed it to Header: name and value
	// are valid only during the call.
	tapField(name, value []byte)
}

// tapTable maps the tokens of the connections that tap header fields to the connections. A
// token is 128 random bits and never leaves the process: a header field an MTA passes cannot
// name a connection.
type tapTable struct {
	mu    sync.RWMutex
	conns map[string]*bufferedConn
}

// tapConns is the one table of the process. It is global because go-milter makes the filters
// and the listener makes the connections, and nothing but this table joins them (reloads give
// new Apps to new connections, tests run many listeners at once); entries live as long as their
// connection.
var tapConns = tapTable{conns: map[string]*bufferedConn{}}

// register gives c a token and its made-up header packet.
func (t *tapTable) register(c *bufferedConn) error {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	token := hex.EncodeToString(b[:])
	// Length, SMFIC_HEADER, an empty name and the token, each NUL-terminated.
	p := binary.BigEndian.AppendUint32(make([]byte, 0, 7+len(token)), uint32(3+len(token)))
	p = append(append(append(p, 'L', 0), token...), 0)
	t.mu.Lock()
	t.conns[token] = c
	t.mu.Unlock()
	c.token, c.synth = token, p
	return nil
}

// unregister forgets c's token.
func (t *tapTable) unregister(c *bufferedConn) {
	if c.token == "" {
		return
	}
	t.mu.Lock()
	delete(t.conns, c.token)
	t.mu.Unlock()
}

// lookup returns the connection of token, nil for none.
func (t *tapTable) lookup(token string) *bufferedConn {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.conns[token]
}

// headerPacket splits the data of an SMFIC_HEADER packet (after the code) as go-milter v0.10.1
// does (session.go: at least 2 bytes; wire.DecodeCStrings: one trailing NUL dropped, the rest
// split at NUL; exactly two strings): ok is false for a packet go-milter refuses, which then
// goes to go-milter to be refused as before.
func headerPacket(data []byte) (name, value []byte, ok bool) {
	if len(data) < 2 {
		return nil, nil, false
	}
	if data[len(data)-1] == 0 {
		data = data[:len(data)-1]
	}
	i := bytes.IndexByte(data, 0)
	if i < 0 || bytes.IndexByte(data[i+1:], 0) >= 0 {
		return nil, nil, false
	}
	return data[:i], data[i+1:], true
}
