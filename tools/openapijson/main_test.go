package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestYAMLToJSON(t *testing.T) {
	got, err := yamlToJSON([]byte("b: 1\na: [x, 2.5, true, null, 2024-01-02T03:04:05Z, '7']\nanchor: &x {k: v}\nref: *x\n"))
	require.NoError(t, err)
	assert.Equal(t, `{
  "b": 1,
  "a": [
    "x",
    2.5,
    true,
    null,
    "2024-01-02T03:04:05Z",
    "7"
  ],
  "anchor": {
    "k": "v"
  },
  "ref": {
    "k": "v"
  }
}
`, string(got))

	for _, bad := range []string{"a: .inf\n", "? [x]\n: 1\n", "base: &b {k: v}\nm:\n  <<: *b\n", "a: [\n"} {
		_, err := yamlToJSON([]byte(bad))
		assert.Error(t, err, bad)
	}
}
