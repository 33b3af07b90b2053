package main

import "sync"

// capture keeps the body of the last answer a result was decoded from, as
// the library hands it over (indexingjobs.WithResponseBody, on the
// command's context), so that -o json prints what the API sent: its
// unknown fields, zero values, numbers and times as spelled, rather than
// the library's typed view of it. The report, downloaded as it comes, is
// not kept.
type capture struct {
	mu   sync.Mutex
	body []byte // the last answer, nil if none
	seq  int    // answers kept so far: a new page of a list is a new seq
}

// keep is the library's WithResponseBody function.
func (c *capture) keep(body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.body, c.seq = body, c.seq+1
}

// last returns the last answer kept and its sequence number.
func (c *capture) last() ([]byte, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.body, c.seq
}
