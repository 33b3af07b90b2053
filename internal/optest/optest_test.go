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
// path, as the API would), on the fixture's ids; on an unknown id in any
// place (a data source's knowledge base, or the data source) it gets 404
// when it names something.
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
			ids := optest.Canonical.Of(row.On)
			require.NoError(t, row.Call(ctx, c, ids...))
			require.Len(t, seen, 1)
			method, path, _ := strings.Cut(seen[0], " ")
			op, named, ok := optest.Route(method, path)
			require.True(t, ok, seen[0])
			assert.Equal(t, row.Op, op)
			assert.Equal(t, strings.Join(ids[:len(row.Op.PathParams)], " "), strings.Join(named, " "), "the path names the fixture's ids, in order")
			assert.Equal(t, optest.Path(row.Op, ids...), path)
			assert.Equal(t, row.CanMiss(), len(row.Misses(optest.Canonical)) > 0)
			for _, miss := range row.Misses(optest.Canonical) {
				assert.True(t, indexingjobs.IsNotFound(row.Call(ctx, c, miss...)), "%v", miss)
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
