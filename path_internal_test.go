package indexingjobs

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryOperationPathIsItsTemplate checks once, for every operation of
// the spec, what no call checks again: the path built from its template
// is that template with each parameter in its place, needs no escaping,
// and takes nothing that is not a UUID.
func TestEveryOperationPathIsItsTemplate(t *testing.T) {
	require.NotEmpty(t, operations)
	for _, op := range operations {
		t.Run(op.id, func(t *testing.T) {
			want, params := op.path, make([]string, len(op.pathParams))
			for i, name := range op.pathParams {
				params[i] = fmt.Sprintf("123e4567-e89b-42d3-a456-4266141740%02d", i)
				require.Contains(t, want, "{"+name+"}", "the template names its parameter")
				want = strings.Replace(want, "{"+name+"}", params[i], 1)
			}
			require.NotContains(t, want, "{", "every parameter of the template is filled")

			got, err := fillPath("", op, params)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			u, err := url.Parse("https://api.digitalocean.com" + got)
			require.NoError(t, err)
			assert.Equal(t, got, u.EscapedPath(), "the path needs no escaping")
			assert.Equal(t, got, u.Path)

			for i := range params {
				for _, bad := range []string{"", "..", "../../v2/gen-ai/indexing_jobs", "a/b", "%2F", "123e4567-e89b-42d3-a456-42661417400/", strings.ToUpper(params[i]) + "0"} {
					wrong := append([]string(nil), params...)
					wrong[i] = bad
					_, err := fillPath("", op, wrong)
					assert.ErrorIs(t, err, ErrInvalidUUID, "%q", bad)
					assert.ErrorContains(t, err, kindOf(op.pathParams[i])+" ", "the error names what the id identifies")
				}
			}
			_, err = fillPath("", op, append(params, "123e4567-e89b-42d3-a456-426614174099"))
			assert.Error(t, err, "as many values as the template has parameters")
		})
	}
}
