package classify

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// reasonFiles declare every reason code this package emits, as Reason* constants.
var reasonFiles = []string{"attribute_reasons.go", "policy_reasons.go"}

// codeShape is the shape of a reason code: lower-case dotted segments.
var codeShape = regexp.MustCompile(`^[a-z]+(\.[a-z0-9-]+)+$`)

// declaredReason is one Reason* constant.
type declaredReason struct {
	name, code string
	doc        bool // it has a doc comment of its own
}

// parseDeclaredReasons reads the constants of reasonFiles from source.
func parseDeclaredReasons() ([]declaredReason, error) {
	var out []declaredReason
	fset := token.NewFileSet()
	for _, name := range reasonFiles {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				return nil, fmt.Errorf("%s: %s declaration; the file holds reason constants only", fset.Position(decl.Pos()), declKind(decl))
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Names) != 1 || len(vs.Values) != 1 {
					return nil, fmt.Errorf("%s: one constant per line", fset.Position(vs.Pos()))
				}
				lit, ok := vs.Values[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return nil, fmt.Errorf("%s: %s is not a string literal: write the code out", fset.Position(vs.Pos()), vs.Names[0].Name)
				}
				code, err := strconv.Unquote(lit.Value)
				if err != nil {
					return nil, err
				}
				out = append(out, declaredReason{name: vs.Names[0].Name, code: code, doc: vs.Doc != nil})
			}
		}
	}
	return out, nil
}

func declKind(d ast.Decl) string {
	if g, ok := d.(*ast.GenDecl); ok {
		return g.Tok.String()
	}
	return "func"
}

// declaredCodes caches the set of declared codes for invariants checked in fuzz targets.
var declaredCodes = sync.OnceValues(func() (map[string]bool, error) {
	ds, err := parseDeclaredReasons()
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(ds))
	for _, d := range ds {
		m[d.code] = true
	}
	return m, nil
})

// checkDeclared returns an error naming the first code in rs that is not a declared constant.
func checkDeclared(rs []tenantgate.Reason) error {
	m, err := declaredCodes()
	if err != nil {
		return err
	}
	for _, r := range rs {
		if !m[r.Code] {
			return fmt.Errorf("reason code %q is not declared in %s", r.Code, strings.Join(reasonFiles, " or "))
		}
	}
	return nil
}

// TestReasonCodesDeclared checks, on the package's non-test source, that every reason code is a
// documented Reason* constant of reasonFiles with a unique code-shaped value, that Reasons are
// built only by reason (no tenantgate.Reason literal elsewhere), that no call of reason or
// attributor.reason passes a literal or a concatenation as the code, and that no string literal
// outside reasonFiles looks like a code or its prefix ("kind.", "attr.onprem.…"), so that codes
// cannot be assembled at run time either.
func TestReasonCodesDeclared(t *testing.T) {
	ds, err := parseDeclaredReasons()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]string{}
	names := map[string]bool{}
	prefixes := map[string]bool{}
	for _, d := range ds {
		if !strings.HasPrefix(d.name, "Reason") || !ast.IsExported(d.name) {
			t.Errorf("%s: reason constants are named Reason…", d.name)
		}
		if !d.doc {
			t.Errorf("%s has no doc comment saying when it is emitted", d.name)
		}
		if !codeShape.MatchString(d.code) {
			t.Errorf("%s = %q is not a dotted lower-case code", d.name, d.code)
		}
		if other, dup := byCode[d.code]; dup {
			t.Errorf("%s and %s both declare %q", other, d.name, d.code)
		}
		byCode[d.code] = d.name
		names[d.name] = true
		prefixes[d.code[:strings.IndexByte(d.code, '.')]] = true
	}

	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || slices.Contains(reasonFiles, name) {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var inReasonHelper bool
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				inReasonHelper = n.Recv == nil && n.Name.Name == "reason"
			case *ast.CompositeLit:
				if isReasonType(n.Type) && len(n.Elts) > 0 && !inReasonHelper {
					t.Errorf("%s: tenantgate.Reason literal; build it with reason(Reason…, detail)", fset.Position(n.Pos()))
				}
				if at, ok := n.Type.(*ast.ArrayType); ok && isReasonType(at.Elt) {
					for _, e := range n.Elts {
						if _, ok := e.(*ast.CompositeLit); ok {
							t.Errorf("%s: tenantgate.Reason literal; build it with reason(Reason…, detail)", fset.Position(e.Pos()))
						}
					}
				}
			case *ast.CallExpr:
				if isReasonCall(n) && len(n.Args) > 0 {
					switch a := n.Args[0].(type) {
					case *ast.BasicLit, *ast.BinaryExpr:
						t.Errorf("%s: reason code written inline; use a Reason… constant", fset.Position(a.Pos()))
					case *ast.Ident:
						if strings.HasPrefix(a.Name, "Reason") && !names[a.Name] {
							t.Errorf("%s: %s is not declared in %v", fset.Position(a.Pos()), a.Name, reasonFiles)
						}
					}
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				s, err := strconv.Unquote(n.Value)
				if err != nil {
					break
				}
				if i := strings.IndexByte(s, '.'); i > 0 && prefixes[s[:i]] && !strings.ContainsAny(s, " %") {
					t.Errorf("%s: string %q looks like a reason code; declare it in %v", fset.Position(n.Pos()), s, reasonFiles)
				}
			}
			return true
		})
	}
}

// isReasonType reports whether e is tenantgate.Reason.
func isReasonType(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "tenantgate" && sel.Sel.Name == "Reason"
}

// isReasonCall reports whether c calls reason or a method named reason.
func isReasonCall(c *ast.CallExpr) bool {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name == "reason"
	case *ast.SelectorExpr:
		return f.Sel.Name == "reason"
	}
	return false
}

// TestReasonCodesSeen checks that every declared code is produced by some test and that every
// code the tests expect is declared. Codes count as produced when they are in the verdicts the
// golden files under testdata pin, in a `reasons` list of a scenario file (../testdata/scenarios,
// lists of codes that must be present, run by TestScenarios of internal/scenario), or named by
// this package's tests (a string literal equal to the code, or its constant). Every code found in
// those places must be declared: for goldens and scenario files a code of another package (route's
// trace reasons) is recognised by its prefix.
func TestReasonCodesSeen(t *testing.T) {
	ds, err := parseDeclaredReasons()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{}
	prefixes := map[string]bool{}
	for _, d := range ds {
		declared[d.code] = d.name
		prefixes[d.code[:strings.IndexByte(d.code, '.')]] = true
	}
	seen := map[string][]string{} // code → where
	see := func(code, where string) {
		if _, ok := declared[code]; !ok {
			if i := strings.IndexByte(code, '.'); i > 0 && prefixes[code[:i]] {
				t.Errorf("%s: code %q is not declared", where, code)
			}
			return
		}
		seen[code] = append(seen[code], where)
	}

	var jsonFiles []string
	for _, pattern := range []string{"testdata/*/*.json", "../testdata/scenarios/*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		jsonFiles = append(jsonFiles, m...)
	}
	for _, name := range jsonFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, code := range reasonsLists(v) {
			see(code, name)
		}
	}

	tests, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range tests {
		if name == "reasons_test.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && codeShape.MatchString(s) {
					see(s, fset.Position(n.Pos()).String())
				}
			case *ast.Ident:
				for code, name := range declared {
					if n.Name == name {
						see(code, fset.Position(n.Pos()).String())
					}
				}
			}
			return true
		})
	}

	var unseen []string
	for _, d := range ds {
		if len(seen[d.code]) == 0 {
			unseen = append(unseen, d.name+" ("+d.code+")")
		}
	}
	sort.Strings(unseen)
	if len(unseen) > 0 {
		t.Errorf("declared reason codes no test produces:\n\t%s", strings.Join(unseen, "\n\t"))
	}
}

// reasonsLists returns the codes of every `reasons` list in a decoded JSON document: lists of
// strings (scenario files) and lists of {"code": …} objects (golden verdicts).
func reasonsLists(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if list, ok := x.([]any); ok && k == "reasons" {
				for _, e := range list {
					switch e := e.(type) {
					case string:
						out = append(out, e)
					case map[string]any:
						if c, ok := e["code"].(string); ok {
							out = append(out, c)
						}
					}
				}
			}
			out = append(out, reasonsLists(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, reasonsLists(x)...)
		}
	}
	return out
}

// TestReasonCodesReadme checks that the scenario format's documentation lists exactly the
// declared codes: its paragraph "Reason codes Attribute emits:" the attr.* codes, and "Reason
// codes Policy emits:" all others.
func TestReasonCodesReadme(t *testing.T) {
	ds, err := parseDeclaredReasons()
	if err != nil {
		t.Fatal(err)
	}
	var wantAttr, wantPolicy []string
	for _, d := range ds {
		if strings.HasPrefix(d.code, "attr.") {
			wantAttr = append(wantAttr, d.code)
		} else {
			wantPolicy = append(wantPolicy, d.code)
		}
	}
	b, err := os.ReadFile("../testdata/scenarios/README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, tc := range []struct {
		lead string
		want []string
	}{
		{"Reason codes Attribute emits:", wantAttr},
		{"Reason codes Policy emits:", wantPolicy},
	} {
		got := readmeCodes(t, readme, tc.lead)
		sort.Strings(got)
		sort.Strings(tc.want)
		if missing, extra := setDiff(tc.want, got), setDiff(got, tc.want); len(missing) > 0 || len(extra) > 0 {
			t.Errorf("README %q: missing %v, not declared %v", tc.lead, missing, extra)
		}
	}
}

// readmeCodes returns the `code`-quoted codes of the paragraph that starts with lead.
func readmeCodes(t *testing.T, readme, lead string) []string {
	i := strings.Index(readme, lead)
	if i < 0 {
		t.Fatalf("README has no paragraph %q", lead)
	}
	para := readme[i:]
	if j := strings.Index(para, "\n\n"); j >= 0 {
		para = para[:j]
	}
	var out []string
	for _, m := range regexp.MustCompile("`([^`]*)`").FindAllStringSubmatch(para, -1) {
		if codeShape.MatchString(m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// setDiff returns the elements of a not in b.
func setDiff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
