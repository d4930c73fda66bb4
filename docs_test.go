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
// the RFCs' own URLs — in code comments, documentation, test comments and the scenario files'
// "source" fields, which mailflow test prints when a case fails. These tests walk the repository
// (the root module and examples/) from the module root, which is the test's working directory.

// internalDoc matches citations of documents that are not in this repository: the research notes
// (by path, by the file names they alone use, or by their lettered parts) and the architecture
// file the library was written from.
var internalDoc = regexp.MustCompile(`spec/[A-Za-z-]+\.md|\bspec §|\bDESIGN\b|` +
	`threats-and-peers\.md|exchange-exports\.md|go-ecosystem\.md|exchange-online\.md \((?:a|b)\)`)

// docLink matches a citation of a file of this repository with an anchor, as Go comments write
// it: a path relative to the repository root ("docs/threat-model.md#threat-12").
var docLink = regexp.MustCompile(`([A-Za-z0-9_./-]*\.md)#([A-Za-z0-9_-]+)`)

// sameFileAnchor matches an anchor cited without a file after a citation with one, in a list
// ("docs/threat-model.md#threat-3 to #threat-7, #threat-27"): it names a heading of the file
// cited last.
var sameFileAnchor = regexp.MustCompile(`(?:^|[\s,;(])#([a-z][a-z0-9_-]*)`)

// sourceField matches a "source" value in a JSON file, escapes included.
var sourceField = regexp.MustCompile(`"source"\s*:\s*"((?:[^"\\]|\\.)*)"`)

// repoFiles lists what the rule covers: the repository's Go files (non-test and test apart),
// its Markdown files outside testdata with the README files inside it, and the JSON files inside
// testdata, whose "source" fields are checked. testdata's SOURCES.md files describe where
// fixtures came from, research notes included, and are not checked.
type repoFileSet struct {
	goFiles, testFiles, mdFiles, jsonFiles []string
}

func repoFiles(t *testing.T) repoFileSet {
	t.Helper()
	var set repoFileSet
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
			switch {
			case d.Name() == "README.md":
				set.mdFiles = append(set.mdFiles, path)
			case strings.HasSuffix(path, ".json"):
				set.jsonFiles = append(set.jsonFiles, path)
			}
		case strings.HasSuffix(path, "_test.go"):
			set.testFiles = append(set.testFiles, path)
		case strings.HasSuffix(path, ".go"):
			set.goFiles = append(set.goFiles, path)
		case strings.HasSuffix(path, ".md"):
			set.mdFiles = append(set.mdFiles, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.goFiles) < 50 || len(set.testFiles) < 50 || len(set.mdFiles) < 4 || len(set.jsonFiles) < 90 {
		t.Fatalf("found %d Go, %d test, %d Markdown and %d testdata JSON files; is the working directory the module root?",
			len(set.goFiles), len(set.testFiles), len(set.mdFiles), len(set.jsonFiles))
	}
	return set
}

// forEachSource calls f with every "source" value of a JSON file, unescaped as far as the
// citations need (\" and \\).
func forEachSource(t *testing.T, path string, f func(n int, source string)) {
	t.Helper()
	forEachLine(t, path, func(n int, line string) {
		for _, m := range sourceField.FindAllStringSubmatch(line, -1) {
			f(n, strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1]))
		}
	})
}

// TestNoInternalCitations: no Go file (comments, test tables and all), README or docs page, and no
// scenario file's "source" cites a document that is not in this repository.
func TestNoInternalCitations(t *testing.T) {
	set := repoFiles(t)
	report := func(path string, n int, text string) {
		if m := internalDoc.FindString(text); m != "" {
			t.Errorf("%s:%d cites %q, a document that does not ship with the code; cite docs/ or the Microsoft/RFC URL", path, n, m)
		}
	}
	for _, path := range append(append(set.goFiles, set.testFiles...), set.mdFiles...) {
		forEachLine(t, path, func(n int, line string) { report(path, n, line) })
	}
	sources := 0
	for _, path := range set.jsonFiles {
		forEachSource(t, path, func(n int, source string) {
			sources++
			report(path, n, source)
		})
	}
	if sources < 400 {
		t.Errorf("only %d \"source\" fields in testdata; is the pattern still right?", sources)
	}
}

// TestDocAnchors: every anchored citation of a Markdown file in a Go comment (test files
// included), a Markdown page or a testdata "source" names an existing file and a heading of it,
// with the anchor GitHub renders for that heading; so does every bare anchor listed after such a
// citation in a Go comment or a source.
func TestDocAnchors(t *testing.T) {
	set := repoFiles(t)
	anchors := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		a := headingAnchors(t, file)
		anchors[file] = a
		return a
	}
	check := func(path string, n int, line string, resolve func(string) string) (last string, cited int) {
		for _, m := range docLink.FindAllStringSubmatch(line, -1) {
			if strings.HasPrefix(m[1], "//") { // part of a URL
				continue
			}
			cited++
			file := resolve(m[1])
			last = file
			a := anchorsOf(file)
			if a == nil {
				t.Errorf("%s:%d cites %s, which does not exist", path, n, m[0])
				continue
			}
			if !a[m[2]] {
				t.Errorf("%s:%d cites %s: %s has no heading with anchor #%s", path, n, m[0], file, m[2])
			}
		}
		return last, cited
	}
	// checkList checks text that cites from the repository root (Go comments, sources), with
	// bare anchors naming headings of the file cited last; file carries over from earlier text
	// (the lines before, in one comment) and the file cited last is returned.
	checkList := func(path string, n int, text, file string) (string, int) {
		// Split at each citation so that a bare anchor is checked against the file before it.
		idx := docLink.FindAllStringIndex(text, -1)
		start, cited := 0, 0
		for i := 0; i <= len(idx); i++ {
			end := len(text)
			if i < len(idx) {
				end = idx[i][0]
			}
			for _, m := range sameFileAnchor.FindAllStringSubmatch(text[start:end], -1) {
				if file == "" {
					continue // an anchor of a page the text does not name: not ours to check
				}
				cited++
				if a := anchorsOf(file); a != nil && !a[m[1]] {
					t.Errorf("%s:%d cites #%s after %s, which has no heading with that anchor", path, n, m[1], file)
				}
			}
			if i == len(idx) {
				break
			}
			last, c := check(path, n, text[idx[i][0]:idx[i][1]], filepath.FromSlash)
			cited += c
			if last != "" {
				file = last
			}
			start = idx[i][1]
		}
		return file, cited
	}
	cited := 0
	for _, path := range append(append([]string{}, set.goFiles...), set.testFiles...) {
		file := ""
		forEachLine(t, path, func(n int, line string) {
			text := strings.TrimSpace(line)
			if !strings.HasPrefix(text, "//") {
				file = ""                                          // a comment ends
				if i := strings.Index(line, `source: "`); i >= 0 { // a test table's source
					_, c := checkList(path, n, line[i:], "")
					cited += c
				}
				return
			}
			// Go comments cite from the repository root; examples/ is inside it.
			var c int
			file, c = checkList(path, n, text, file)
			cited += c
		})
	}
	if cited < 150 {
		t.Errorf("only %d anchored citations in Go comments; is the pattern still right?", cited)
	}
	cited = 0
	for _, path := range set.jsonFiles {
		forEachSource(t, path, func(n int, source string) {
			_, c := checkList(path, n, source, "")
			cited += c
		})
	}
	if cited < 350 {
		t.Errorf("only %d anchored citations in testdata sources; is the pattern still right?", cited)
	}
	for _, path := range set.mdFiles {
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

// TestScenarioSourcesCiteNumbers: every scenario file's source that names a numbered Exchange
// Online scenario or threat case in words ("scenario 9", "threat case 18") links it too, so that
// the number is checked against docs/ by TestDocAnchors.
func TestScenarioSourcesCiteNumbers(t *testing.T) {
	inWords := regexp.MustCompile(`(?i)(?:^|[^#-])\b(scenario|threat case|threat|case)s? (\d+)\b`)
	files, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.json"))
	if err != nil || len(files) < 90 {
		t.Fatalf("found %d scenario files: %v", len(files), err)
	}
	for _, path := range files {
		forEachSource(t, path, func(n int, source string) {
			for _, i := range inWords.FindAllStringSubmatchIndex(source, -1) {
				m := []string{source[i[0]:i[1]], source[i[2]:i[3]], source[i[4]:i[5]]}
				if strings.HasSuffix(source[:i[2]], "Microsoft's ") {
					continue // Microsoft's own numbering of its third-party filtering scenarios
				}
				kind := "scenario"
				if !strings.EqualFold(m[1], "scenario") {
					kind = "threat"
				}
				if !strings.Contains(source, "#"+kind+"-"+m[2]) {
					t.Errorf("%s:%d names %s %s without citing #%s-%s", path, n, m[1], m[2], kind, m[2])
				}
			}
		})
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
