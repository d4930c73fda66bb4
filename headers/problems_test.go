package headers

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// problemsFile declares every Problem code, as Problem* constants.
const problemsFile = "problems.go"

// declaredProblem is one Problem* constant.
type declaredProblem struct {
	name, code string
	doc        bool
}

// parseDeclaredProblems reads the constants of problemsFile from source.
func parseDeclaredProblems() ([]declaredProblem, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, problemsFile, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []declaredProblem
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			return nil, fmt.Errorf("%s: the file holds Problem constants only", fset.Position(decl.Pos()))
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
			out = append(out, declaredProblem{name: vs.Names[0].Name, code: code, doc: vs.Doc != nil})
		}
	}
	return out, nil
}

// declaredProblemCodes caches the declared codes for the invariant of FuzzReadParse.
var declaredProblemCodes = sync.OnceValues(func() (map[string]bool, error) {
	ds, err := parseDeclaredProblems()
	if err != nil {
		return nil, err
	}
	m := map[string]bool{}
	for _, d := range ds {
		m[d.code] = true
	}
	return m, nil
})

// checkProblemsDeclared returns an error naming the first problem whose code is not declared.
func checkProblemsDeclared(ps []Problem) error {
	m, err := declaredProblemCodes()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if !m[p.Reason.Code] {
			return fmt.Errorf("problem code %q (field %s) is not declared in %s", p.Reason.Code, p.Field, problemsFile)
		}
	}
	return nil
}

var problemShape = regexp.MustCompile(`^headers(\.[a-z0-9-]+)+$`)

// TestProblemCodesDeclared checks, on the package's non-test source, that every Problem code is
// a documented Problem* constant of problemsFile with a unique value of the form
// headers.<field>.<defect>, that Problems are built only by Message.problem, and that no string
// literal outside problemsFile looks like a code or a code prefix ("headers.from.").
func TestProblemCodesDeclared(t *testing.T) {
	ds, err := parseDeclaredProblems()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, d := range ds {
		if !strings.HasPrefix(d.name, "Problem") || !ast.IsExported(d.name) {
			t.Errorf("%s: Problem codes are named Problem…", d.name)
		}
		if !d.doc {
			t.Errorf("%s has no doc comment saying when it is reported", d.name)
		}
		if !problemShape.MatchString(d.code) {
			t.Errorf("%s = %q is not headers.<field>.<defect>", d.name, d.code)
		}
		if other, dup := seen[d.code]; dup {
			t.Errorf("%s and %s both declare %q", other, d.name, d.code)
		}
		seen[d.code] = d.name
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == problemsFile {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var inHelper bool
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				inHelper = n.Recv != nil && n.Name.Name == "problem"
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Problem" && len(n.Elts) > 0 && !inHelper {
					t.Errorf("%s: Problem literal; report it with m.problem(field, Problem…, detail)", fset.Position(n.Pos()))
				}
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				if s, err := strconv.Unquote(n.Value); err == nil && strings.HasPrefix(s, "headers.") && !strings.ContainsAny(s, " %") {
					t.Errorf("%s: string %q looks like a Problem code; declare it in %s", fset.Position(n.Pos()), s, problemsFile)
				}
			}
			return true
		})
	}
}

// TestProblemCodes produces every declared Problem code from a header block that has exactly
// that defect, and checks that the problem names the field it was found in. The blocks follow
// each field's grammar as the package documentation and the parsers' doc comments state it.
func TestProblemCodes(t *testing.T) {
	cases := []struct {
		code, field, block string
	}{
		{ProblemNameSpaceBeforeColon, "X-MS-Exchange-CrossTenant-AuthAs", "X-MS-Exchange-CrossTenant-AuthAs : Internal\n"},
		{ProblemCrossTenantIDInvalid, "X-MS-Exchange-CrossTenant-Id", "X-MS-Exchange-CrossTenant-Id: {" + guid1 + "}\n"},
		{ProblemRMSPersistedConsumerOrgInvalid, "X-MS-Exchange-CrossTenant-Rms-Persistedconsumerorg", "X-MS-Exchange-CrossTenant-Rms-Persistedconsumerorg: not-a-guid\n"},
		{ProblemNetworkMessageIDInvalid, "X-MS-Exchange-CrossTenant-Network-Message-Id", "X-MS-Exchange-CrossTenant-Network-Message-Id: 12345\n"},
		{ProblemOriginalArrivalTimeInvalid, "X-MS-Exchange-CrossTenant-OriginalArrivalTime", "X-MS-Exchange-CrossTenant-OriginalArrivalTime: yesterday\n"},
		{ProblemConnectingIPInvalid, "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp", "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: somewhere\n"},
		{ProblemEOPTenantAttributedInvalid, "X-EOPTenantAttributedMessage", "X-EOPTenantAttributedMessage: nobody:0\n"},
		// A CIP that is not an address and an SCL out of range break the report's grammar.
		{ProblemAntispamReportInvalid, "X-Forefront-Antispam-Report", "X-Forefront-Antispam-Report: CIP:not-an-ip;SCL:12;\n"},
		// BCL must be an integer from 0 to 9.
		{ProblemMicrosoftAntispamInvalid, "X-Microsoft-Antispam", "X-Microsoft-Antispam: BCL:eleven;\n"},
		// Neither an authserv-id nor a method=result (RFC 8601 §2.2).
		{ProblemAuthResultsInvalid, "Authentication-Results", "Authentication-Results: ;\n"},
		// No clause and no date (RFC 5321 §4.4).
		{ProblemReceivedInvalid, "Received", "Received: ;\n"},
		{ProblemReceivedNoDate, "Received", "Received: from a.example by b.example\n"},
		{ProblemFromInvalid, "From", "From: carol@@contoso.com\n"},
		{ProblemFromEmpty, "From", "From: \n"},
		// Items are KEY:value (the grammar of X-Forefront-Antispam-Report).
		{ProblemMailboxDeliveryInvalid, "X-Microsoft-Antispam-Mailbox-Delivery", "X-Microsoft-Antispam-Mailbox-Delivery: dest;\n"},
		// The value on the next line without folding white space (RFC 5322 §2.2.3).
		{ProblemMailboxDeliveryFoldingLost, "X-Microsoft-Antispam-Mailbox-Delivery", "X-Microsoft-Antispam-Mailbox-Delivery:\nucf:0;dest:J;\n"},
		{ProblemCrossTenantIDConflict, "X-MS-Exchange-CrossTenant-Id", "X-MS-Exchange-CrossTenant-Id: " + guid1 + "\nX-MS-Exchange-CrossTenant-Id: " + guid2 + "\n"},
		// x-unknown is no charset any decoder knows.
		{ProblemEncodedWordUndecodable, "Subject", "Subject: =?x-unknown?Q?abc?=\n"},
		{ProblemToInvalid, "To", "To: carol@@contoso.com\n"},
		{ProblemCcInvalid, "Cc", "Cc: <carol\n"},
		{ProblemReplyToInvalid, "Reply-To", "Reply-To: @\n"},
		// No angle brackets (RFC 5322 §3.6.4).
		{ProblemMessageIDInvalid, "Message-ID", "Message-ID: abc@example.com\n"},
		{ProblemDateInvalid, "Date", "Date: yesterday\n"},
	}
	ds, err := parseDeclaredProblems()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !slices.ContainsFunc(cases, func(c struct{ code, field, block string }) bool { return c.code == d.code }) {
			t.Errorf("%s (%s): no case produces it", d.name, d.code)
		}
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			m := analyze(t, tc.block).Message
			var got []string
			for _, p := range m.Problems {
				got = append(got, p.Field+" "+p.Reason.Code)
			}
			if diff := cmp.Diff([]string{tc.field + " " + tc.code}, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
