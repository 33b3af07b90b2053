package indexingjobs_test

import "strings"

// showsToken reports whether s shows 8 bytes or more of token in a row,
// in any case: a part of it long enough to narrow a search for the rest.
func showsToken(s, token string) bool {
	s, token = strings.ToLower(s), strings.ToLower(token)
	for i := 0; i+8 <= len(token); i++ {
		if strings.Contains(s, token[i:i+8]) {
			return true
		}
	}
	return false
}
