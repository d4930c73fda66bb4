package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"
)

// testSpoolRelay is the part of a Relay a spool uses: its limits, budgets and chunk pool.
func testSpoolRelay(t *testing.T, threshold, memory, disk int64) *Relay {
	r := &Relay{limits: Limits{SpoolThreshold: threshold, SpoolDir: t.TempDir()},
		memBudget: newBudget(memory, 0), diskBudget: newBudget(disk, 0)}
	r.chunks.New = func() any { return new([chunkSize]byte) }
	return r
}

// TestSpoolReadFrom: ReadFrom, which reads into the memory chunks themselves, holds what Write
// holds for the same bytes: the same bytes back, the same split between memory and file (whole
// chunks in memory while SpoolThreshold and MemoryBytes both allow one more), and the same
// errors when the disk budget is spent; close gives every budget back and removes the file.
func TestSpoolReadFrom(t *testing.T) {
	const c = chunkSize
	for _, tc := range []struct {
		name                    string
		size                    int
		threshold, memory, disk int64
		mem                     int64 // bytes held in memory: whole chunks within both bounds
		err                     error
	}{
		{"empty", 0, 4 * c, 4 * c, 4 * c, 0, nil},
		{"short", 40, 4 * c, 4 * c, 4 * c, 40, nil},
		{"one chunk exactly", c, 4 * c, 4 * c, 4 * c, c, nil},
		{"three chunks and a bit", 3*c + 17, 4 * c, 4 * c, 4 * c, 3*c + 17, nil},
		{"past the threshold", 5*c + 3, 2 * c, 8 * c, 8 * c, 2 * c, nil},
		{"threshold under a chunk", 100, c - 1, 8 * c, 8 * c, 0, nil},
		{"memory spent", 3*c + 5, 8 * c, c, 8 * c, c, nil},
		{"disk spent", 4 * c, c, 8 * c, c, 0, errSpoolBudget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte("0123456789abcdef\r\n"), tc.size/18+1)[:tc.size]
			var got [2]struct {
				back        []byte
				memN, fileN int64
				n           int64
				err         error
			}
			for i, fill := range []func(s *spool, r io.Reader) (int64, error){
				func(s *spool, r io.Reader) (int64, error) { // Write, as ReadFrom was before
					return io.CopyBuffer(struct{ io.Writer }{s}, r, make([]byte, c))
				},
				func(s *spool, r io.Reader) (int64, error) { return s.ReadFrom(r) },
			} {
				r := testSpoolRelay(t, tc.threshold, tc.memory, tc.disk)
				s := &spool{r: r}
				// One byte at a time and in odd pieces: ReadFrom must not depend on full reads.
				src := io.MultiReader(iotest.OneByteReader(bytes.NewReader(data[:min(len(data), 7)])),
					iotest.HalfReader(bytes.NewReader(data[min(len(data), 7):])))
				g := &got[i]
				g.n, g.err = fill(s, src)
				g.memN, g.fileN = s.memN, s.fileN
				if g.err == nil {
					var out bytes.Buffer
					if err := s.writeTo(&out); err != nil {
						t.Fatal(err)
					}
					g.back = out.Bytes()
				}
				var name string
				if s.f != nil {
					name = s.f.Name()
				}
				s.close()
				if m, d := r.memBudget.inUse(), r.diskBudget.inUse(); m != 0 || d != 0 {
					t.Errorf("fill %d: after close, memory %d and disk %d still taken", i, m, d)
				}
				if name != "" {
					if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("fill %d: spool file %s left: %v", i, name, err)
					}
				}
			}
			w, rf := got[0], got[1]
			if !errors.Is(rf.err, tc.err) || !errors.Is(w.err, tc.err) {
				t.Fatalf("errors: Write %v, ReadFrom %v, want %v", w.err, rf.err, tc.err)
			}
			if tc.err == nil && (rf.n != int64(tc.size) || !bytes.Equal(rf.back, data)) {
				t.Errorf("ReadFrom: %d bytes read, %d back, want %d and the same bytes", rf.n, len(rf.back), tc.size)
			}
			// After an error the message is refused: how much of it was held before does not matter.
			if tc.err == nil && (rf.memN != tc.mem || rf.fileN != int64(tc.size)-tc.mem || w.memN != tc.mem || w.fileN != int64(tc.size)-tc.mem) {
				t.Errorf("memory/file: ReadFrom %d/%d, Write %d/%d, want %d/%d", rf.memN, rf.fileN, w.memN, w.fileN, tc.mem, int64(tc.size)-tc.mem)
			}
		})
	}
}
