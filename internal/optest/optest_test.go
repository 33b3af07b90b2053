package optest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gradient-go/indexingjobs"
	"github.com/gradient-go/indexingjobs/indexingjobstest"
	"github.com/gradient-go/indexingjobs/internal/gen"
	"github.com/gradient-go/indexingjobs/internal/optest"
)

// TestEveryRowCallsItsOperation: against a stocked fake, each row's call
// succeeds with one request, of its own operation (routed by method and
// path, as the API would), on the fixture's id; on an unknown id it gets
// 404 when it names something.
func TestEveryRowCallsItsOperation(t *testing.T) {
	require.Len(t, optest.Rows, len(gen.Operations))
	for _, row := range optest.Rows {
		t.Run(row.Op.ID, func(t *testing.T) {
			srv := indexingjobstest.NewServer()
			defer srv.Close()
			optest.Stock(srv, optest.Canonical)
			var seen []string
			c, err := srv.NewClient(indexingjobs.WithHTTPClient(&http.Client{Transport: observe{&seen}}))
			require.NoError(t, err)
			ctx := context.Background()
			id := optest.Canonical.ID(row.On)
			require.NoError(t, row.Call(ctx, c, id))
			require.Len(t, seen, 1)
			method, path, _ := strings.Cut(seen[0], " ")
			op, named, ok := optest.Route(method, path)
			require.True(t, ok, seen[0])
			assert.Equal(t, row.Op, op)
			if len(row.Op.PathParams) > 0 {
				assert.Equal(t, id, named)
			}
			assert.Equal(t, optest.Path(row.Op, id), path)
			if row.CanMiss() {
				assert.True(t, indexingjobs.IsNotFound(row.Call(ctx, c, optest.Unknown)))
			}
		})
	}
}

// observe keeps "METHOD /path" of every request it carries.
type observe struct{ seen *[]string }

func (o observe) RoundTrip(r *http.Request) (*http.Response, error) {
	*o.seen = append(*o.seen, r.Method+" "+r.URL.Path)
	return http.DefaultTransport.RoundTrip(r)
}
