package tenantgate

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReplyDeclarations reads the library's declared replies (package-level Reply* constants or
// variables of classify, route, topology and this package) from the source and checks that one
// meaning has one name and one name one meaning: no two declarations give the same reply (as
// ReplyUnableToRelay and ReplyRelayDenied did), no name is declared in two packages (as
// classify.ReplyLoop, 5.4.6, and topology.ReplyLoop, 5.4.14, were), and every declared reply is a
// well-formed Reply whose text form reads back as itself.
func TestReplyDeclarations(t *testing.T) {
	type decl struct{ pkg, name string }
	byName := map[string]decl{}
	byValue := map[string]decl{}
	n := 0
	for _, dir := range []string{".", "classify", "route", "topology"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
					continue
				}
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if !strings.HasPrefix(id.Name, "Reply") && !strings.HasPrefix(id.Name, "reply") || i >= len(vs.Values) {
							continue
						}
						here := decl{f.Name.Name, id.Name}
						r, err := replyLiteral(vs.Values[i])
						if err != nil {
							t.Errorf("%s.%s: %v", here.pkg, here.name, err)
							continue
						}
						n++
						if prev, dup := byName[strings.ToLower(id.Name)]; dup {
							t.Errorf("%s.%s and %s.%s: one name for two replies", prev.pkg, prev.name, here.pkg, here.name)
						}
						byName[strings.ToLower(id.Name)] = here
						if prev, dup := byValue[r.String()]; dup {
							t.Errorf("%s.%s and %s.%s are both %q: one reply, one name", prev.pkg, prev.name, here.pkg, here.name, r)
						}
						byValue[r.String()] = here
						var back Reply
						if err := back.UnmarshalText([]byte(r.String())); err != nil || back != r {
							t.Errorf("%s.%s = %q does not read back: %#v, %v", here.pkg, here.name, r, back, err)
						}
					}
				}
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d reply declarations; the scan is broken", n)
	}
}

// replyLiteral evaluates a declared reply: a Reply composite literal with constant fields, or
// (as replies were declared before Reply existed) a string constant in the text form.
func replyLiteral(e ast.Expr) (Reply, error) {
	var r Reply
	switch v := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(v.Value)
		if err != nil {
			return r, err
		}
		err = r.UnmarshalText([]byte(s))
		return r, err
	case *ast.CompositeLit:
		for _, el := range v.Elts {
			kv, ok := el.(*ast.KeyValueExpr)
			if !ok {
				return r, errNotLiteral
			}
			key, _ := kv.Key.(*ast.Ident)
			switch {
			case key == nil:
				return r, errNotLiteral
			case key.Name == "Code":
				lit, ok := kv.Value.(*ast.BasicLit)
				if !ok {
					return r, errNotLiteral
				}
				r.Code, _ = strconv.Atoi(lit.Value)
			case key.Name == "Text":
				lit, ok := kv.Value.(*ast.BasicLit)
				if !ok {
					return r, errNotLiteral
				}
				r.Text, _ = strconv.Unquote(lit.Value)
			case key.Name == "Enhanced":
				c, ok := kv.Value.(*ast.CompositeLit)
				if !ok || len(c.Elts) != 3 {
					return r, errNotLiteral
				}
				for j, x := range c.Elts {
					lit, ok := x.(*ast.BasicLit)
					if !ok {
						return r, errNotLiteral
					}
					r.Enhanced[j], _ = strconv.Atoi(lit.Value)
				}
			}
		}
		return r, nil
	}
	return r, errNotLiteral
}

var errNotLiteral = errors.New("not a Reply literal with constant fields, nor a string constant")
