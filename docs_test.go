package tenantgate_test

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The library cites only sources that ship with it (docs/*.md, README files) or Microsoft's and
// the RFCs' own URLs. These tests walk the repository (the root module and examples/) from the
// module root, which is the test's working directory.

// internalDoc matches citations of documents that are not in this repository: the research notes
// and the architecture file the library was written from.
var internalDoc = regexp.MustCompile(`spec/[A-Za-z-]+\.md|\bspec §|\bDESIGN\b`)

// docLink matches a citation of a file of this repository with an anchor, as Go comments write
// it: a path relative to the repository root ("docs/threat-model.md#threat-12").
var docLink = regexp.MustCompile(`([A-Za-z0-9_./-]*\.md)#([A-Za-z0-9_-]+)`)

// repoFiles returns the repository's non-test Go files, its Markdown files outside testdata and
// the README files inside it (testdata's SOURCES.md files describe where fixtures came from, and
// scenario files' "source" fields are a frozen contract).
func repoFiles(t *testing.T) (goFiles, mdFiles []string) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		inTestdata := strings.Contains(filepath.ToSlash(path), "testdata/")
		switch {
		case inTestdata:
			if d.Name() == "README.md" {
				mdFiles = append(mdFiles, path)
			}
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			goFiles = append(goFiles, path)
		case strings.HasSuffix(path, ".md"):
			mdFiles = append(mdFiles, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(goFiles) < 50 || len(mdFiles) < 4 {
		t.Fatalf("found %d Go and %d Markdown files; is the working directory the module root?", len(goFiles), len(mdFiles))
	}
	return goFiles, mdFiles
}

// TestNoInternalCitations: no non-test Go file and no README or docs page cites a document that
// is not in this repository.
func TestNoInternalCitations(t *testing.T) {
	goFiles, mdFiles := repoFiles(t)
	for _, path := range append(goFiles, mdFiles...) {
		forEachLine(t, path, func(n int, line string) {
			if m := internalDoc.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, a document that does not ship with the code; cite docs/ or the Microsoft/RFC URL", path, n, m)
			}
		})
	}
}

// TestDocAnchors: every "file.md#anchor" a Go comment or a Markdown page cites names an existing
// file and a heading of it, with the anchor GitHub renders for that heading.
func TestDocAnchors(t *testing.T) {
	goFiles, mdFiles := repoFiles(t)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		a := headingAnchors(t, file)
		anchors[file] = a
		return a
	}
	check := func(path string, n int, line string, resolve func(string) string) {
		for _, m := range docLink.FindAllStringSubmatch(line, -1) {
			if strings.HasPrefix(m[1], "//") { // part of a URL
				continue
			}
			file := resolve(m[1])
			a := anchorsOf(file)
			if a == nil {
				t.Errorf("%s:%d cites %s, which does not exist", path, n, m[0])
				continue
			}
			if !a[m[2]] {
				t.Errorf("%s:%d cites %s: %s has no heading with anchor #%s", path, n, m[0], file, m[2])
			}
		}
	}
	cited := 0
	for _, path := range goFiles {
		forEachLine(t, path, func(n int, line string) {
			if !strings.HasPrefix(strings.TrimSpace(line), "//") {
				return
			}
			cited += len(docLink.FindAllString(line, -1))
			// Go comments cite from the repository root; examples/ is inside it.
			check(path, n, line, filepath.FromSlash)
		})
	}
	if cited < 20 {
		t.Errorf("only %d anchored citations in Go comments; is the pattern still right?", cited)
	}
	for _, path := range mdFiles {
		dir := filepath.Dir(path)
		forEachLine(t, path, func(n int, line string) {
			// Markdown links are relative to the page; "(#x)" links within it.
			for _, m := range regexp.MustCompile(`\]\(#([A-Za-z0-9_-]+)\)`).FindAllStringSubmatch(line, -1) {
				if !anchorsOf(path)[m[1]] {
					t.Errorf("%s:%d links #%s, which is not a heading of the page", path, n, m[1])
				}
			}
			check(path, n, line, func(f string) string {
				// A link is relative to the page; a path in a code sample ("source": "docs/…")
				// is relative to the repository root, as in Go comments.
				if rel := filepath.Join(dir, filepath.FromSlash(f)); fileExists(rel) {
					return rel
				}
				return filepath.FromSlash(f)
			})
		})
	}
}

// TestNumberedCasesExist: every threat case and Exchange Online scenario the scenario files cite
// by number ("threats-and-peers.md (b) case 8", "exchange-online.md (a) 38") has a heading of the
// same number in docs/.
func TestNumberedCasesExist(t *testing.T) {
	threats := headingAnchors(t, filepath.Join("docs", "threat-model.md"))
	scenarios := headingAnchors(t, filepath.Join("docs", "exchange-online.md"))
	caseRe := regexp.MustCompile(`threats-and-peers\.md[^"]*?cases? (\d+)((?:(?:, | and |-)\d+)*)`)
	scenRe := regexp.MustCompile(`exchange-online\.md[^"]*?(?:\(a\)|scenario) (\d+)((?:(?:, | and )\d+)*)`)
	numbers := regexp.MustCompile(`\d+`)
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	seen := 0
	for _, path := range files {
		forEachLine(t, path, func(n int, line string) {
			for _, m := range caseRe.FindAllStringSubmatch(line, -1) {
				for _, num := range numbers.FindAllString(m[1]+m[2], -1) {
					seen++
					if !threats["threat-"+num] {
						t.Errorf("%s:%d cites threat case %s; docs/threat-model.md has no #threat-%s", path, n, num, num)
					}
				}
			}
			for _, m := range scenRe.FindAllStringSubmatch(line, -1) {
				for _, num := range numbers.FindAllString(m[1]+m[2], -1) {
					seen++
					if !scenarios["scenario-"+num] {
						t.Errorf("%s:%d cites scenario %s; docs/exchange-online.md has no #scenario-%s", path, n, num, num)
					}
				}
			}
		})
	}
	if seen < 50 {
		t.Errorf("only %d numbered citations found in the scenario files; is the pattern still right?", seen)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func forEachLine(t *testing.T, path string, f func(n int, line string)) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	s.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for n := 1; s.Scan(); n++ {
		f(n, s.Text())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// headingAnchors returns the anchors GitHub gives the headings of a Markdown file (nil if the file
// does not exist): the heading text in lower case, with every character that is not a letter,
// digit, space, '-' or '_' removed and spaces turned into '-'; a repeated anchor gets "-1", "-2".
func headingAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	anchors := map[string]bool{}
	count := map[string]int{}
	fence := false
	forEachLine(t, path, func(_ int, line string) {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(line, "#") {
			return
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		if text == "" || !strings.HasPrefix(line, strings.Repeat("#", len(line)-len(strings.TrimLeft(line, "#")))+" ") {
			return
		}
		a := githubAnchor(text)
		if c := count[a]; c > 0 {
			anchors[a+"-"+itoa(c)] = true
		} else {
			anchors[a] = true
		}
		count[a]++
	})
	return anchors
}

func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

func TestGitHubAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"Threat 12":                                    "threat-12",
		"Originating, Incoming, Internal":              "originating-incoming-internal",
		"X-EOPTenantAttributedMessage":                 "x-eoptenantattributedmessage",
		"`tenants[]` — one Microsoft 365 organisation": "tenants--one-microsoft-365-organisation",
		"The gateway's next hop":                       "the-gateways-next-hop",
	} {
		if got := githubAnchor(heading); got != want {
			t.Errorf("githubAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
}
