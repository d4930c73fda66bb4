package main

import (
	"bytes"
	"io"
	"os"
	"time"
)

// chunkSize is the unit in which a message's bytes are held in memory and taken from
// Limits.MemoryBytes. 8 KiB rather than 32: the pool's idle chunks are live heap, and with a
// small directory (Go's 4 MiB minimum heap) 32 KiB chunks made the garbage collector run 10 %
// more often (125 against 113 collections per 10,000 messages of the relay benchmark).
const chunkSize = 8 << 10

// spool holds one message body while the relay decides and delivers it: its first bytes in
// memory, up to Limits.SpoolThreshold and as long as Limits.MemoryBytes (shared by every
// transaction) has room, the rest in a temporary file in Limits.SpoolDir, charged to
// Limits.SpoolBytes and removed by close. Peak memory for messages is thus bounded by the
// configuration, whatever the clients send (README.md, "Limits").
type spool struct {
	r      *Relay
	chunks []*[chunkSize]byte
	n      int64 // bytes written
	memN   int64 // of which in chunks
	f      *os.File
	fileN  int64 // of which in f
	disk   int64 // taken from diskBudget
}

// Write appends p: to memory while the thresholds allow, then to the spool file. Its errors are
// errSpoolBudget and the file system's; localReply maps them.
func (s *spool) Write(p []byte) (int, error) {
	written := 0
	for s.f == nil && len(p) > 0 {
		room, err := s.room()
		if err != nil {
			return written, err
		}
		k := copy(room, p)
		p, written, s.memN, s.n = p[k:], written+k, s.memN+int64(k), s.n+int64(k)
	}
	if len(p) == 0 {
		return written, nil
	}
	if !s.r.diskBudget.take("", int64(len(p))) {
		return written, errSpoolBudget
	}
	s.disk += int64(len(p))
	k, err := s.f.Write(p)
	s.fileN += int64(k)
	s.n += int64(k)
	return written + k, err
}

// room returns the free part of the last memory chunk, taking a new chunk when it is full (or
// there is none) and SpoolThreshold and MemoryBytes allow; when they do not, it opens the spool
// file and returns nil.
func (s *spool) room() ([]byte, error) {
	off := int(s.memN % chunkSize)
	if off == 0 {
		if s.memN+chunkSize > s.r.limits.SpoolThreshold || !s.r.memBudget.take("", chunkSize) {
			return nil, s.openFile()
		}
		s.chunks = append(s.chunks, s.r.chunks.Get().(*[chunkSize]byte))
	}
	return s.chunks[len(s.chunks)-1][off:], nil
}

func (s *spool) openFile() error {
	f, err := os.CreateTemp(s.r.limits.SpoolDir, "relay-*.msg") // mode 0600
	if err != nil {
		return err
	}
	s.f = f
	return nil
}

// ReadFrom reads r into the spool: into the memory chunks themselves while Write would put the
// bytes there (a chunk is taken, under the same thresholds, when the last one is full), then
// through one buffer from the relay's pool into Write, that is into the spool file.
func (s *spool) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for s.f == nil {
		room, err := s.room()
		if err != nil {
			return total, err
		}
		if room == nil {
			break
		}
		k, err := r.Read(room)
		s.memN, s.n, total = s.memN+int64(k), s.n+int64(k), total+int64(k)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	buf := s.r.chunks.Get().(*[chunkSize]byte)
	defer s.r.chunks.Put(buf)
	k, err := io.CopyBuffer(struct{ io.Writer }{s}, r, buf[:])
	return total + k, err
}

// writeTo writes everything written to w, from the start; it may be called again. The memory
// part is written as it is, the file part through one buffer from the relay's pool.
func (s *spool) writeTo(w io.Writer) error {
	left := s.memN
	for _, c := range s.chunks {
		k := min(left, chunkSize)
		if _, err := w.Write(c[:k]); err != nil {
			return err
		}
		left -= k
	}
	if s.f == nil {
		return nil
	}
	buf := s.r.chunks.Get().(*[chunkSize]byte)
	defer s.r.chunks.Put(buf)
	_, err := io.CopyBuffer(struct{ io.Writer }{w}, io.NewSectionReader(s.f, 0, s.fileN), buf[:])
	return err
}

// close returns the memory and disk taken and removes the spool file.
func (s *spool) close() {
	for _, c := range s.chunks {
		s.r.chunks.Put(c)
	}
	if len(s.chunks) > 0 {
		s.r.memBudget.give("", int64(len(s.chunks))*chunkSize)
	}
	s.chunks = nil
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
	if s.disk > 0 {
		s.r.diskBudget.give("", s.disk)
		s.disk = 0
	}
}

// messageReader is the message as go-smtp hands it to Data, under the relay's checks: it refuses
// a bare CR or LF where it occurs (errBareLine; the bytes before it are returned first), and sets
// the connection's read deadline before each read (Limits.DataBlockTimeout, Limits.DataTimeout).
type messageReader struct {
	r      io.Reader
	cc     *clientConn // nil without the relay's Listener
	end    time.Time   // DataTimeout after DATA
	cr     bool        // the last byte read was a CR
	offset int64
	bare   bool  // a bare line was found: every further read fails
	rerr   error // the error reading the client's message, if any (not io.EOF)
}

func (m *messageReader) Read(p []byte) (int, error) {
	if m.bare {
		return 0, errBareLine
	}
	if m.cc != nil {
		m.cc.dataDeadline(m.end)
	}
	n, err := m.r.Read(p)
	if err != nil && err != io.EOF {
		m.rerr = err
	}
	if i := bareAt(p[:n], m.cr); i >= 0 {
		m.offset += int64(i)
		m.bare = true
		return i, errBareLine
	}
	if n > 0 {
		m.cr = p[n-1] == '\r'
	}
	m.offset += int64(n)
	if err == io.EOF && m.cr {
		m.bare = true
		return n, errBareLine
	}
	return n, err
}

// bareAt returns where in b, a piece of the message, a bare line shows: the index of an LF not
// preceded by CR, or of the byte after a CR that is not LF; cr says that the previous piece ended
// in CR. -1: none. It finds line breaks with bytes.IndexByte rather than looking at every byte.
func bareAt(b []byte, cr bool) int {
	if len(b) == 0 {
		return -1
	}
	if cr && b[0] != '\n' {
		return 0
	}
	bad := -1
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 {
			break
		}
		if j := i + k; j == 0 && !cr || j > 0 && b[j-1] != '\r' {
			bad = j
			break
		}
		i += k + 1
	}
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], '\r')
		if k < 0 {
			break
		}
		j := i + k + 1 // the byte after the CR
		if j == len(b) || (bad >= 0 && j >= bad) {
			break
		}
		if b[j] != '\n' {
			bad = j
			break
		}
		i = j
	}
	return bad
}
